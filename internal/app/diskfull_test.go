package app

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/browsertest"
	"venuehop/internal/config"
)

// tinyDisk mounts a tmpfs of size bytes for the test and returns its
// directory. It needs root (mount); elsewhere the test is skipped, unless
// VENUEHOP_TEST_STRICT=1 asks for every check.
func tinyDisk(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.Itoa(size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		msg := "cannot mount a small tmpfs (needs root): " + strings.TrimSpace(string(out))
		if browsertest.Strict() && os.Geteuid() == 0 {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fillDisk writes a file until the disk is full and returns a function
// that frees the space again.
func fillDisk(t *testing.T, dir string) func() {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{0xAB}, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	// The last bytes too, a chunk at a time smaller.
	for n := 32 << 10; n > 0; n /= 2 {
		for {
			if _, err := f.Write(chunk[:n]); err != nil {
				break
			}
		}
	}
	f.Close()
	return func() { os.Remove(path) }
}

// TestFullDiskAnswers503 runs the app on a tiny disk, fills it, and sends
// every kind of write: sign-up, sign-in, a favourite, a block, an
// organizer's PATCH, and the same through the pages. Each must answer 503
// unavailable with a Retry-After (the pages: a friendly page), never a
// 500; reads go on; once there is room again the same writes succeed.
func TestFullDiskAnswers503(t *testing.T) {
	disk := tinyDisk(t, 48<<20)
	a, srv := newAppWith(t, func(c *config.Config) { c.DataDir = filepath.Join(disk, "data") })
	tokens := demoTokens(t, a, srv.URL)
	att, org := tokens[account.Attendee], tokens[account.Organizer]
	se := reservableSessions(t, a.Snapshot(), 1)[0]
	web := browser(t)
	d := demoAccount(t, a, account.Attendee)
	_, _, csrf := page(t, web, srv.URL+"/signin")
	if st, _, _ := postForm(t, web, srv.URL+"/signin", url.Values{"csrf": {csrf}, "email": {d.Email}, "password": {d.Password}}); st != 303 {
		t.Fatalf("web sign-in: %d", st)
	}
	_, _, csrf = page(t, web, srv.URL+"/me/blocks")

	type write struct {
		name string
		send func() (int, http.Header, []byte)
	}
	api := func(method, path, token string, body any) func() (int, http.Header, []byte) {
		return func() (int, http.Header, []byte) { return call(t, nil, method, srv.URL+path, token, body) }
	}
	form := func(path string, fields url.Values) func() (int, http.Header, []byte) {
		return func() (int, http.Header, []byte) {
			fields.Set("csrf", csrf)
			return postForm(t, web, srv.URL+path, fields)
		}
	}
	n := 0
	fresh := func() string { n++; return "full" + strconv.Itoa(n) + "@example.com" }
	writes := []write{
		{"sign-up", func() (int, http.Header, []byte) {
			return api("POST", "/api/v1/auth/signup", "", map[string]string{"email": fresh(), "password": "correct horse battery"})()
		}},
		{"sign-in", api("POST", "/api/v1/auth/login", "", map[string]string{"email": d.Email, "password": d.Password})},
		{"favourite", api("PUT", "/api/v1/me/favorites/"+se.ID, att, map[string]string{"priority": "must"})},
		{"block", api("POST", "/api/v1/me/blocks", att, map[string]string{"title": "Lunch", "start": "2026-12-01T12:00", "end": "2026-12-01T13:00"})},
		{"PATCH", func() (int, http.Header, []byte) {
			return api("PATCH", "/api/v1/admin/sessions/"+se.ID, org, map[string]string{"recordingUrl": "https://example.com/v/" + strconv.Itoa(n)})()
		}},
		{"star form", form("/me/favorites/"+se.ID, url.Values{"priority": {"want"}, "back": {"/"}})},
		{"block form", form("/me/blocks", url.Values{"title": {"Coffee"}, "start": {"2026-12-01T15:00"}, "end": {"2026-12-01T15:30"}})},
	}
	free := fillDisk(t, disk)
	for _, w := range writes {
		// A few in a row: the first may still fit in space the database
		// had set aside; the disk stays full, so the next ones cannot.
		var st int
		var hdr http.Header
		var body []byte
		for range 20 {
			if st, hdr, body = w.send(); st >= 300 && st != 303 {
				break
			}
		}
		if st != http.StatusServiceUnavailable {
			t.Errorf("%s on a full disk: %d %.300s, want 503", w.name, st, body)
			continue
		}
		if s, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("%s on a full disk: Retry-After %q", w.name, hdr.Get("Retry-After"))
		}
		if strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
			if errCodeOf(body) != "unavailable" {
				t.Errorf("%s on a full disk: %s, want code unavailable", w.name, body)
			}
		} else if !strings.Contains(string(body), "try again") {
			t.Errorf("%s on a full disk: the page does not say to try again: %.300s", w.name, body)
		}
	}
	if st, _, _ := call(t, nil, "GET", srv.URL+"/api/v1/sessions?q=ai&limit=3", "", nil); st != 200 {
		t.Errorf("a read on a full disk: %d", st)
	}
	free()
	for _, w := range writes {
		if st, _, body := w.send(); st >= 300 && st != 303 {
			t.Errorf("%s once there is room again: %d %.300s", w.name, st, body)
		}
	}
}
