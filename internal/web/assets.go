package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"

	"venuehop/internal/httpx"
)

// asset is one embedded static file, with its content-hashed public name.
type asset struct {
	name        string // app.css
	hashedName  string // app.1a2b3c4d5e.css
	contentType string
	etag        string
	body        []byte
	gzipped     []byte // nil when compressing does not pay
}

// assetSet holds every static file, looked up by plain name (templates) or by
// hashed name (requests). Because the hash is in the URL, a changed file gets
// a new URL and browsers may cache every URL forever.
type assetSet struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

func loadAssets(fsys fs.FS) (*assetSet, error) {
	set := &assetSet{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	bodies := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		bodies[p] = body
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("web: load static assets: %w", err)
	}
	// Stylesheets last: their url() references name other files by their
	// hashed URLs, so those must be known first.
	for p, body := range bodies {
		if path.Ext(p) != ".css" {
			set.add(p, body)
		}
	}
	for p, body := range bodies {
		if path.Ext(p) == ".css" {
			if body, err = set.rewriteURLs(p, body); err != nil {
				return nil, fmt.Errorf("web: load static assets: %w", err)
			}
			set.add(p, body)
		}
	}
	return set, nil
}

func (s *assetSet) add(p string, body []byte) {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])[:12]
	ext := path.Ext(p)
	a := &asset{
		name:        p,
		hashedName:  strings.TrimSuffix(p, ext) + "." + hash + ext,
		contentType: mime.TypeByExtension(ext),
		etag:        `"` + hash + `"`,
		body:        body,
	}
	if a.contentType == "" {
		a.contentType = "application/octet-stream"
	}
	if gz := httpx.Gzip(body); len(gz) < len(body)*9/10 {
		a.gzipped = gz
	}
	s.byName[a.name] = a
	s.byHashed[a.hashedName] = a
}

// cssURL matches url(...) in a stylesheet, quoted or not.
var cssURL = regexp.MustCompile(`url\(\s*(['"]?)([^'")]*)(['"]?)\s*\)`)

// rewriteURLs points a stylesheet's relative url() references (vendored
// Leaflet's images/layers.png) at the hashed URLs of those files, since
// plain names are not served. Fragments (#default#VML), data: and absolute
// URLs stay; a relative reference to a missing file is an error.
func (s *assetSet) rewriteURLs(cssPath string, body []byte) ([]byte, error) {
	var missing error
	out := cssURL.ReplaceAllFunc(body, func(m []byte) []byte {
		ref := string(cssURL.FindSubmatch(m)[2])
		if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "/") ||
			strings.HasPrefix(ref, "data:") || strings.Contains(ref, "://") {
			return m
		}
		name := path.Join(path.Dir(cssPath), ref)
		a, ok := s.byName[name]
		if !ok {
			missing = fmt.Errorf("%s refers to %q, which is not among the static files", cssPath, ref)
			return m
		}
		return []byte("url(/static/" + a.hashedName + ")")
	})
	return out, missing
}

// url is the template helper: the public, content-hashed URL of a file.
func (s *assetSet) url(name string) (string, error) {
	a, ok := s.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static asset %q", name)
	}
	return "/static/" + a.hashedName, nil
}

func (s *assetSet) serve(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byHashed[r.PathValue("path")]
	if !ok {
		// Plain names are not served: every reference goes through the
		// hashed URL, so a stale plain URL would only hide a bug.
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", a.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gzipped != nil && httpx.AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gzipped
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}
