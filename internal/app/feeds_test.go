package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/formats"
)

// fetch gets url with request headers (name, value pairs).
func fetch(t testing.TB, url string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// conditional checks a feed's validators: a strong ETag and a
// Last-Modified, 304 (no body) on either, 200 on an old ETag.
func conditional(t *testing.T, url, cacheControl string) (etag string) {
	t.Helper()
	st, h, body := fetch(t, url)
	etag, lm := h.Get("ETag"), h.Get("Last-Modified")
	if st != 200 || !strings.HasPrefix(body, "BEGIN:VCALENDAR") || !strings.HasPrefix(etag, `"`) || h.Get("Cache-Control") != cacheControl {
		t.Fatalf("GET %s: %d, ETag %q, Cache-Control %q", url, st, etag, h.Get("Cache-Control"))
	}
	if _, err := http.ParseTime(lm); err != nil {
		t.Fatalf("Last-Modified %q: %v", lm, err)
	}
	for _, hdr := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", lm}} {
		st, h, body := fetch(t, url, hdr...)
		if st != http.StatusNotModified || body != "" || h.Get("ETag") != etag {
			t.Errorf("%s: %d, %d bytes, ETag %q; want 304 without a body", hdr[0], st, len(body), h.Get("ETag"))
		}
	}
	if st, _, _ := fetch(t, url, "If-None-Match", `"stale"`); st != 200 {
		t.Errorf("a stale ETag: %d, want 200", st)
	}
	return etag
}

// Both calendar feeds behave like a calendar server's: strong ETag,
// Last-Modified, 304 on If-None-Match or If-Modified-Since, public caching
// for the conference feed, private for an attendee's; a change gives a new
// ETag, so a poller gets the new feed.
func TestFeedsConditionalGET(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	tok := signup(t, srv, "feeds@example.com", "correct horse battery")
	snap := a.Snapshot()

	conf := srv.URL + "/ical/conference.ics"
	confTag := conditional(t, conf, "public, max-age=300")

	_, _, body := call(t, nil, "GET", srv.URL+"/api/v1/me/calendar-url", tok, nil)
	var feed struct{ URL string }
	json.Unmarshal(body, &feed)
	mine := conditional(t, feed.URL, "private, no-cache")
	_, before, _ := fetch(t, feed.URL)

	// The attendee reserves a seat: the personal feed changes.
	ss := reservableSessions(t, snap, 1)
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/reservations", tok, map[string]any{"sessionIds": []string{ss[0].ID}}); st != 200 {
		t.Fatalf("reserve: %d %s", st, body)
	}
	st, h, body2 := fetch(t, feed.URL, "If-None-Match", mine)
	if st != 200 || h.Get("ETag") == mine || !strings.Contains(body2, ss[0].ID+"@") {
		t.Errorf("after a reservation: %d, ETag %q (was %q)", st, h.Get("ETag"), mine)
	}
	// A client that only sends If-Modified-Since sees the change too,
	// even when it came within the same second (the clock is pinned).
	if st, _, _ := fetch(t, feed.URL, "If-Modified-Since", before.Get("Last-Modified")); st != 200 {
		t.Errorf("If-Modified-Since after a change: %d, want 200", st)
	}
	if again := conditional(t, feed.URL, "private, no-cache"); again == mine {
		t.Error("the personal feed's ETag did not change")
	}

	// An organizer's change (a new revision) gives the conference feed a
	// new ETag.
	org := demoTokens(t, a, srv.URL)[account.Organizer]
	c := *snap.Conf
	c.Name += " (renamed)"
	var native strings.Builder
	if err := formats.WriteNative(&native, &c); err != nil {
		t.Fatal(err)
	}
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/admin/import?format=json", org, native.String()); st != 200 {
		t.Fatalf("import: %d %.300s", st, body)
	}
	st, h, _ = fetch(t, conf, "If-None-Match", confTag)
	if st != 200 || h.Get("ETag") == confTag {
		t.Errorf("after a new revision: %d, ETag %q (was %q)", st, h.Get("ETag"), confTag)
	}
}

// The exports over HTTP: every format, public, with its validators and a
// download name; a bad format is a 400.
func TestConferenceExports(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	id := a.Snapshot().Conf.ID
	for format, want := range map[string]struct{ ctype, file, start string }{
		"json":    {"application/json", id + ".json", "{"},
		"csv":     {"text/csv; charset=utf-8", id + ".csv", "id,code,title"},
		"frab":    {"application/xml", id + "-schedule.xml", "<?xml"},
		"c3voc":   {"application/json", id + "-schedule.json", "{"},
		"ical":    {"text/calendar; charset=utf-8", "", "BEGIN:VCALENDAR"},
		"geojson": {"application/geo+json", id + ".geojson", "{"},
	} {
		t.Run(format, func(t *testing.T) {
			url := srv.URL + "/api/v1/conference/export?format=" + format
			st, h, body := fetch(t, url)
			if st != 200 || h.Get("Content-Type") != want.ctype || !strings.HasPrefix(body, want.start) || h.Get("ETag") == "" {
				t.Fatalf("%d %q %.80q", st, h.Get("Content-Type"), body)
			}
			if want.file != "" && h.Get("Content-Disposition") != `attachment; filename="`+want.file+`"` {
				t.Errorf("Content-Disposition %q", h.Get("Content-Disposition"))
			}
			if st, _, _ := fetch(t, url, "If-None-Match", h.Get("ETag")); st != 304 {
				t.Errorf("conditional: %d", st)
			}
			st2, h2, body2 := fetch(t, url)
			if st2 != 200 || h2.Get("ETag") != h.Get("ETag") || body2 != body {
				t.Error("the same revision gave another document")
			}
		})
	}
	if st, _, body := fetch(t, srv.URL+"/api/v1/conference/export?format=pdf"); st != 400 || !strings.Contains(body, `"code":"invalid"`) {
		t.Errorf("format=pdf: %d %s", st, body)
	}
}
