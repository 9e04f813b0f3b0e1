package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"math"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The installable app (docs/offline.md): the web app manifest, its icons
// (drawn once at start from the shape of icon.svg) and the service worker,
// assembled from static/sw.js and its static/sw-*.js parts.

// themeColor is the brand colour of app.css and icon.svg.
const themeColor = "#2d3b9a"

// iconSizes are the PNG icons the manifest lists: name, size, maskable.
var iconSizes = []struct {
	name     string
	size     int
	maskable bool
}{
	{"icon-192.png", 192, false},
	{"icon-512.png", 512, false},
	{"icon-maskable-512.png", 512, true},
}

// drawIcon draws the app's mark: a white V on the brand colour. A plain
// icon has the SVG's rounded corners; a maskable one fills the square and
// keeps the V inside the safe zone (the middle 80 %).
func drawIcon(size int, maskable bool) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	bg := color.NRGBA{0x2d, 0x3b, 0x9a, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	unit := float64(size) / 32 // the SVG's viewBox is 32 wide
	scale, offset := 1.0, 0.0
	if maskable {
		scale, offset = 0.7, 16*0.3
	}
	radius := 7 * unit
	// The V: (8,9) → (16,24) → (24,9), 3.5 wide with round ends.
	pts := [][2]float64{{8, 9}, {16, 24}, {24, 9}}
	half := 3.5 / 2 * scale * unit
	for y := range size {
		for x := range size {
			px, py := float64(x)+.5, float64(y)+.5
			if !maskable && outsideRounded(px, py, float64(size), radius) {
				continue
			}
			c := bg
			for i := range 2 {
				ax, ay := (pts[i][0]*scale+offset)*unit, (pts[i][1]*scale+offset)*unit
				bx, by := (pts[i+1][0]*scale+offset)*unit, (pts[i+1][1]*scale+offset)*unit
				if segmentDistance(px, py, ax, ay, bx, by) <= half {
					c = white
				}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func outsideRounded(x, y, size, r float64) bool {
	cx := math.Min(math.Max(x, r), size-r)
	cy := math.Min(math.Max(y, r), size-r)
	return math.Hypot(x-cx, y-cy) > r
}

func segmentDistance(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := ((px-ax)*dx + (py-ay)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(px-(ax+t*dx), py-(ay+t*dy))
}

// addIcons adds the PNG icons to the static files.
func (s *assetSet) addIcons() {
	for _, ic := range iconSizes {
		s.add(ic.name, drawIcon(ic.size, ic.maskable))
	}
}

// buildManifest is the web app manifest.
func buildManifest(assets *assetSet, name string) []byte {
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose,omitempty"`
	}
	var icons []icon
	for _, ic := range iconSizes {
		u, _ := assets.url(ic.name)
		purpose := "any"
		if ic.maskable {
			purpose = "maskable"
		}
		icons = append(icons, icon{u, strconv.Itoa(ic.size) + "x" + strconv.Itoa(ic.size), "image/png", purpose})
	}
	body, _ := json.MarshalIndent(map[string]any{
		"name": name, "short_name": "venuehop", "id": "/", "start_url": "/", "scope": "/",
		"display": "standalone", "theme_color": themeColor, "background_color": "#ffffff",
		"description": "The conference catalog, your week and your seats, online and off.",
		"icons":       icons,
	}, "", "  ")
	return body
}

// buildServiceWorker concatenates sw.js and the sw-*.js parts in name
// order after a first line with their hash, a second naming the app shell
// to precache (the hashed URLs of the static files pages load) and a third
// naming the icon notifications show.
func buildServiceWorker(static fs.FS, assets *assetSet) ([]byte, error) {
	parts, err := fs.Glob(static, "sw-*.js")
	if err != nil {
		return nil, err
	}
	slices.Sort(parts)
	parts = append([]string{"sw.js"}, parts...)
	var shell []string
	for name, a := range assets.byName {
		if path.Dir(name) == "." && !strings.HasPrefix(name, "sw") && !strings.HasSuffix(name, ".png") {
			shell = append(shell, "/static/"+a.hashedName)
		}
	}
	slices.Sort(shell)
	shell = append(shell, "/offline", "/manifest.webmanifest")
	list, _ := json.Marshal(shell)
	var body bytes.Buffer
	body.WriteString("self.VENUEHOP_SHELL = " + string(list) + ";\n")
	icon, _ := assets.url(iconSizes[0].name) // notifications show it
	body.WriteString("self.VENUEHOP_ICON = " + strconv.Quote(icon) + ";\n")
	for _, p := range parts {
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return nil, err
		}
		body.WriteString("\n// --- " + p + " ---\n")
		body.Write(b)
	}
	sum := sha256.Sum256(body.Bytes())
	version := hex.EncodeToString(sum[:])[:16]
	return append([]byte("// venuehop service worker "+version+"\nself.VENUEHOP_VERSION = '"+version+"';\n"), body.Bytes()...), nil
}

func (s *Server) handleServiceWorker(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Service-Worker-Allowed", "/")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(s.sw)))
	w.Write(s.sw)
}

func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) {
	body := s.manifest
	if st := s.live.Load(); st != nil && st.Snap.Conf.Name != "" {
		body = buildManifest(s.assets, st.Snap.Conf.Name)
	}
	h := w.Header()
	h.Set("Content-Type", "application/manifest+json")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(body)
}

// handleOffline is the page the service worker shows for a page neither
// online nor in its cache: offline.js fills it from the cached catalog.
func (s *Server) handleOffline(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "offline", "layout", layoutView{Title: "Offline", Main: nil})
}
