package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"venuehop/internal/httpx"
)

// What anonymous clients poll — the conference feed and the exports —
// is built once per conference revision and served from memory with a
// strong ETag and Last-Modified, so a flood of reads costs a copy each
// and pollers that send If-None-Match or If-Modified-Since get a 304.

// doc is one built document.
type doc struct {
	body        []byte
	etag        string // strong: a digest of body
	modified    time.Time
	contentType string
	disposition string // Content-Disposition, "" for inline
	// gz, when set, is body gzip-compressed, sent to clients that take it.
	gz []byte
}

func newDoc(body []byte, modified time.Time, contentType string) *doc {
	sum := sha256.Sum256(body)
	return &doc{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`,
		modified: modified.UTC().Truncate(time.Second), contentType: contentType}
}

// serve writes d with its validators; net/http answers the conditional
// requests (304 on a matching If-None-Match, or on If-Modified-Since when
// there is none; Range; HEAD).
func (d *doc) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", d.contentType)
	h.Set("ETag", d.etag)
	h.Set("Cache-Control", cacheControl)
	if d.disposition != "" {
		h.Set("Content-Disposition", d.disposition)
	}
	body := d.body
	if d.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if httpx.AcceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = d.gz
		}
	}
	http.ServeContent(w, r, "", d.modified, bytes.NewReader(body))
}

// maxDocs bounds the documents kept for one revision: the formats times
// the few base URLs (host names) a server is reached by. Past it the
// least recently used goes (a client sending made-up Host headers only
// evicts its own).
const maxDocs = 16

// docCache keeps the documents of the newest revision.
type docCache struct {
	mu      sync.Mutex
	rev     int64
	entries map[string]*docEntry
	tick    uint64
}

type docEntry struct {
	ready chan struct{} // closed when d and err are set
	d     *doc
	err   error
	used  uint64
}

// get returns the document key of revision rev, building it once: the
// callers that arrive while it is built wait for that build.
func (c *docCache) get(ctx context.Context, rev int64, key string, build func() (*doc, error)) (*doc, error) {
	c.mu.Lock()
	if rev != c.rev || c.entries == nil {
		c.rev, c.entries = rev, map[string]*docEntry{}
	}
	c.tick++
	e := c.entries[key]
	if e == nil {
		if len(c.entries) >= maxDocs {
			c.evictLocked()
		}
		e = &docEntry{ready: make(chan struct{})}
		c.entries[key] = e
		e.used = c.tick
		c.mu.Unlock()
		e.d, e.err = build()
		close(e.ready)
		if e.err != nil {
			c.mu.Lock()
			if c.entries[key] == e {
				delete(c.entries, key) // the next request tries again
			}
			c.mu.Unlock()
		}
		return e.d, e.err
	}
	e.used = c.tick
	c.mu.Unlock()
	select {
	case <-e.ready:
		return e.d, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *docCache) evictLocked() {
	oldest := ""
	for k, e := range c.entries {
		if oldest == "" || e.used < c.entries[oldest].used {
			oldest = k
		}
	}
	delete(c.entries, oldest)
}

// revisionTime is when rev was saved, from the store; a store that cannot
// say gives now (the document is built once per revision, so it keeps
// that time on this node).
func (a *API) revisionTime(ctx context.Context, rev int64) time.Time {
	if a.Revisions != nil {
		if t, err := a.Revisions.ConferenceSavedAt(ctx, rev); err == nil {
			return t
		}
	}
	return a.Clock.Now()
}

// seenTags remember, per personal feed, its current ETag and since when
// it has had it: the feed's Last-Modified. The map is bounded; a feed
// forgotten gets "now", which only makes its next If-Modified-Since miss.
type seenTags struct {
	mu sync.Mutex
	m  map[string]seenTag
}

type seenTag struct {
	etag  string
	since time.Time
}

const maxSeenTags = 20000

func (s *seenTags) since(user, etag string, now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]seenTag{}
	}
	t, known := s.m[user]
	if known && t.etag == etag {
		return t.since
	}
	if known && !now.After(t.since) {
		// Changed within the second it was last served: Last-Modified
		// must still move, or If-Modified-Since would hide the change.
		now = t.since.Add(time.Second)
	}
	if len(s.m) >= maxSeenTags {
		n := 0
		for k := range s.m { // drop about half, in map order (random)
			if n++; n%2 == 0 {
				delete(s.m, k)
			}
		}
	}
	s.m[user] = seenTag{etag: etag, since: now}
	return now
}
