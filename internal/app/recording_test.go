package app

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/formats"
)

// TestRecordingURLsAreHTTP: a recording URL must be http(s): an organizer's
// PATCH and an import of anything else are refused with a located error;
// one stored before this rule is served nowhere (API, page), and the store
// still loads.
func TestRecordingURLsAreHTTP(t *testing.T) {
	a, srv := newTestApp(t)
	org := demoTokens(t, a, srv.URL)[account.Organizer]
	se := a.Snapshot().Conf.Sessions[3]
	patch := func(u string) (int, []byte) {
		st, _, body := call(t, nil, "PATCH", srv.URL+"/api/v1/admin/sessions/"+se.ID, org, map[string]string{"recordingUrl": u})
		return st, body
	}
	for _, bad := range []string{"javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
		"vbscript:msgbox", "//evil.example/v.mp4", "/relative.mp4", "ftp://example.com/v.mp4", "https://user:pw@example.com/v",
		" https://example.com/v", "https://", "https://example.com/" + strings.Repeat("v", 2000)} {
		if st, body := patch(bad); st != 422 || errCodeOf(body) != "invalid" {
			t.Errorf("PATCH recordingUrl %.40q: %d %s, want 422", bad, st, body)
		}
	}
	for _, good := range []string{"https://example.com/v/1.mp4", "http://media.example.org/x?y=1", ""} {
		if st, body := patch(good); st != 200 {
			t.Errorf("PATCH recordingUrl %q: %d %s", good, st, body)
		}
	}
	// An import with one: refused, naming the session.
	c := a.Snapshot().Conf
	var edited conference.Conference
	raw, _ := json.Marshal(c)
	json.Unmarshal(raw, &edited)
	edited.Sessions[5].RecordingURL = "data:text/html;base64,PHNjcmlwdD4="
	var file bytes.Buffer
	if err := formats.WriteNative(&file, &edited); err != nil {
		t.Fatal(err)
	}
	st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/admin/import?dryRun=true&format=json", org, file.Bytes())
	if st != 422 || !strings.Contains(string(body), "sessions[5].recordingUrl") {
		t.Errorf("import with a data: recording URL: %d %.400s, want 422 naming sessions[5].recordingUrl", st, body)
	}
}

// TestStoredBadRecordingURLIsNotServed: a conference stored with a
// javascript: recording URL (before the rule) still loads, and the URL
// reaches neither the API nor the session page.
func TestStoredBadRecordingURLIsNotServed(t *testing.T) {
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DemoStart = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	cfg.Now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	a0, err := New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c := *a0.Snapshot().Conf
	rev := a0.Snapshot().Rev
	a0.Close()
	st, err := OpenStore(ctx, cfg) // one writer at a time: after the app closed
	if err != nil {
		t.Fatal(err)
	}
	c.Sessions = append([]conference.Session(nil), c.Sessions...)
	const evil = "javascript:alert(document.cookie)"
	c.Sessions[0].RecordingURL, c.Sessions[0].Recorded = evil, true
	if _, err := st.SaveConference(ctx, &c, rev); err != nil {
		t.Fatal(err)
	}
	st.Close()
	a, err := New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("the store with an old bad URL does not load: %v", err)
	}
	srv := serveApp(t, a)
	id := c.Sessions[0].ID
	for _, path := range []string{"/api/v1/sessions/" + id, "/sessions/" + id, "/api/v1/sessions?limit=200"} {
		code, _, body := call(t, nil, "GET", srv.URL+path, "", nil)
		if code != 200 || strings.Contains(string(body), "javascript:") {
			t.Errorf("GET %s: %d, serves the javascript: URL: %v", path, code, strings.Contains(string(body), "javascript:"))
		}
	}
}
