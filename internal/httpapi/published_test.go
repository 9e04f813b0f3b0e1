package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The cache builds a document once per revision, however many requests
// arrive while it is built; a new revision builds again; a failed build
// is not kept; the entries stay bounded.
func TestDocCacheBuildsOncePerRevision(t *testing.T) {
	var c docCache
	var builds atomic.Int32
	build := func() (*doc, error) {
		builds.Add(1)
		time.Sleep(20 * time.Millisecond)
		return newDoc([]byte("body"), time.Unix(1e9, 0), "text/plain"), nil
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if d, err := c.get(context.Background(), 1, "ical", build); err != nil || string(d.body) != "body" {
				t.Errorf("get: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("%d builds for 50 concurrent requests, want 1", n)
	}
	c.get(context.Background(), 2, "ical", build)
	if n := builds.Load(); n != 2 {
		t.Errorf("a new revision was not built again (%d builds)", n)
	}
	fail := func() (*doc, error) { return nil, errors.New("disk on fire") }
	if _, err := c.get(context.Background(), 2, "csv", fail); err == nil {
		t.Fatal("the build's error was lost")
	}
	if d, err := c.get(context.Background(), 2, "csv", build); err != nil || d == nil {
		t.Errorf("a failed build was kept: %v", err)
	}
	for i := range 3 * maxDocs {
		c.get(context.Background(), 2, fmt.Sprint("host", i), build)
	}
	if len(c.entries) > maxDocs {
		t.Errorf("%d entries, bound %d", len(c.entries), maxDocs)
	}
}

// Conditional requests: a matching If-None-Match or a not-older
// If-Modified-Since is 304 without a body; anything else gets the body.
func TestDocServeConditional(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	d := newDoc([]byte("BEGIN:VCALENDAR"), at, "text/calendar")
	tests := []struct {
		name   string
		header []string
		status int
	}{
		{"plain", nil, 200},
		{"same etag", []string{"If-None-Match", d.etag}, 304},
		{"one of several", []string{"If-None-Match", `"x", ` + d.etag}, 304},
		{"other etag", []string{"If-None-Match", `"x"`}, 200},
		{"weak form matches", []string{"If-None-Match", "W/" + d.etag}, 304},
		{"not modified since", []string{"If-Modified-Since", at.Format(http.TimeFormat)}, 304},
		{"modified since", []string{"If-Modified-Since", at.Add(-time.Hour).Format(http.TimeFormat)}, 200},
		{"etag wins over date", []string{"If-None-Match", `"x"`, "If-Modified-Since", at.Format(http.TimeFormat)}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/ical/conference.ics", nil)
			for i := 0; i < len(tc.header); i += 2 {
				r.Header.Set(tc.header[i], tc.header[i+1])
			}
			w := httptest.NewRecorder()
			d.serve(w, r, "public, max-age=300")
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			// A 304 carries the ETag (net/http leaves Last-Modified out
			// then, as RFC 9110 allows).
			if w.Header().Get("ETag") != d.etag || tc.status == 200 && w.Header().Get("Last-Modified") != at.Format(http.TimeFormat) {
				t.Errorf("validators %v", w.Header())
			}
			if tc.status == 304 && w.Body.Len() != 0 {
				t.Error("a 304 with a body")
			}
		})
	}
}

// A personal feed's Last-Modified moves when its ETag does, even within
// the same second.
func TestSeenTagsMove(t *testing.T) {
	var s seenTags
	now := time.Unix(1e9, 0)
	a := s.since("u", `"1"`, now)
	if b := s.since("u", `"1"`, now.Add(time.Hour)); !b.Equal(a) {
		t.Errorf("the same ETag moved: %v %v", a, b)
	}
	if c := s.since("u", `"2"`, now); !c.After(a) {
		t.Errorf("a new ETag in the same second kept %v", c)
	}
}
