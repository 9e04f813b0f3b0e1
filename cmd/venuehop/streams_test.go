package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// stream is one open GET /api/v1/events.
type stream struct {
	body io.ReadCloser
	rd   *bufio.Reader
}

// openStream opens the event stream from the local address ip (any
// 127.0.0.0/8 address is this machine) with an optional token. It returns
// the stream when admitted, else the status and the error body.
func openStream(t *testing.T, base, ip, token string) (*stream, int, http.Header, []byte) {
	t.Helper()
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}).DialContext,
		DisableKeepAlives: true, ResponseHeaderTimeout: 10 * time.Second}
	req, _ := http.NewRequest("GET", base+"/api/v1/events", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("open a stream from %s: %v", ip, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return nil, resp.StatusCode, resp.Header, b
	}
	s := &stream{body: resp.Body, rd: bufio.NewReader(resp.Body)}
	if line, err := s.rd.ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry:") {
		t.Fatalf("stream from %s: first line %q, %v", ip, line, err)
	}
	return s, resp.StatusCode, resp.Header, nil
}

// endsWithin reports whether the server ends the stream within d.
func (s *stream) endsWithin(d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, s.rd)
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		s.body.Close()
		<-done
		return false
	}
}

// wantRefusal checks a refused stream: the status, the JSON error code and
// a Retry-After.
func wantRefusal(t *testing.T, what string, status int, h http.Header, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if status != wantStatus || json.Unmarshal(body, &e) != nil || e.Error.Code != wantCode || e.Error.Message == "" {
		t.Fatalf("%s: %d %s, want %d with code %s", what, status, body, wantStatus, wantCode)
	}
	if s, err := strconv.Atoi(h.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("%s: Retry-After %q", what, h.Get("Retry-After"))
	}
}

// TestStreamsBoundedUnderALowFileLimit runs the real server with 128 open
// files (soft) of 256 (hard), fills every cap on live event streams (per
// attendee, per address, in total) and checks that the server raised its
// soft limit, refuses the streams past each cap with a clear 429 or 503,
// and still answers /healthz, sign-ins, pages and reservations at once;
// that a sign-out ends its token's streams and anonymous ones end by
// themselves; and that it never ran out of descriptors.
func TestStreamsBoundedUnderALowFileLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a server process")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "venuehop")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const anonymousAge = 8 * time.Second
	srv := startServer(t, dir, "serve", 3*time.Minute, func(addr, data string) []string {
		return []string{"/bin/sh", "-c", `ulimit -S -n 128 && ulimit -H -n 256 && exec "$@"`, "sh",
			bin, "serve", "--addr", addr, "--data", data, "--log-level", "warn",
			"--anonymous-stream-timeout", anonymousAge.String()}
	})
	limits, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", srv.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`Max open files\s+256\s+256`).Match(limits) {
		t.Fatalf("the server did not raise its soft open-file limit to the hard one:\n%s", limits)
	}
	base := srv.base
	email, password := demoAdmin(filepath.Join(srv.data, "demo-accounts.txt"))
	var admin string
	mustCall(t, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, &struct{ Token *string }{&admin})
	var bulk struct{ Attendees []struct{ ID, Token string } }
	mustCall(t, "POST", base+"/api/v1/admin/bulk-attendees", admin, map[string]int{"count": 3}, &bulk)
	var occ struct{ Sessions []struct{ SessionID string } }
	mustCall(t, "GET", base+"/api/v1/admin/occupancy", admin, nil, &occ)

	var open []*stream
	defer func() {
		for _, s := range open {
			s.body.Close()
		}
	}()
	// The defaults for 256 files (fdlimit.Split): 4 per attendee, 8 per
	// address, 128 in all.
	// fill opens n streams from ip with token, and checks the next one is
	// refused as over that share.
	fill := func(what string, n int, ip, token string) []*stream {
		t.Helper()
		var got []*stream
		for i := range n {
			s, status, _, body := openStream(t, base, ip, token)
			if s == nil {
				t.Fatalf("%s: stream %d refused: %d %s", what, i+1, status, body)
			}
			got = append(got, s)
		}
		s, status, h, body := openStream(t, base, ip, token)
		if s != nil {
			t.Fatalf("%s: stream %d admitted past the share of %d", what, n+1, n)
		}
		wantRefusal(t, what+": one stream more", status, h, body, http.StatusTooManyRequests, "rate_limited")
		return got
	}
	ada := bulk.Attendees[0].Token
	adas := fill("one attendee", 4, "127.0.0.1", ada)
	open = append(open, fill("anonymous from one address", 8, "127.0.0.1", "")...)
	// Anonymous streams from other addresses, until the total is reached.
	total := len(adas) + len(open)
	full := false
	for a := 2; a < 40 && !full; a++ {
		ip := fmt.Sprintf("127.0.0.%d", a)
		for range 8 {
			s, status, h, body := openStream(t, base, ip, "")
			if s == nil {
				wantRefusal(t, "a stream past the total", status, h, body, http.StatusServiceUnavailable, "unavailable")
				full = true
				break
			}
			open = append(open, s)
			total++
		}
	}
	if !full || total != 128 {
		t.Fatalf("%d streams admitted (full: %v), want the total of 128 for 256 files", total, full)
	}
	s, status, h, body := openStream(t, base, "127.0.0.99", bulk.Attendees[1].Token)
	if s != nil {
		t.Fatal("an attendee stream was admitted past the total")
	}
	wantRefusal(t, "an attendee's stream past the total", status, h, body, http.StatusServiceUnavailable, "unavailable")

	// Everything else still answers, at once, also many at a time.
	client := &http.Client{Timeout: 5 * time.Second}
	check := func(what, method, path, token string, in any, want int) {
		t.Helper()
		var rd io.Reader
		if in != nil {
			b, _ := json.Marshal(in)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s with every stream cap reached: %v", what, err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s with every stream cap reached: %d %s", what, resp.StatusCode, b)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s took %v with every stream cap reached", what, took)
		}
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			check("GET /healthz", "GET", "/healthz", "", nil, 200)
			check("a search", "GET", "/api/v1/sessions?q=ai&limit=5", bulk.Attendees[2].Token, nil, 200)
			if i == 0 {
				check("the catalog page", "GET", "/", "", nil, 200)
				check("a sign-in", "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, 200)
			}
		})
	}
	wg.Wait()
	check("a reservation", "POST", "/api/v1/me/reservations", bulk.Attendees[2].Token,
		map[string][]string{"sessionIds": {occ.Sessions[len(occ.Sessions)/2].SessionID}}, 200)

	// Signing out ends that token's streams, which makes room.
	check("a sign-out", "POST", "/api/v1/auth/logout", ada, nil, http.StatusNoContent)
	for i, s := range adas {
		if !s.endsWithin(5 * time.Second) {
			t.Errorf("stream %d of the signed-out token is still open", i+1)
		}
	}
	s, status, _, body = openStream(t, base, "127.0.0.98", "")
	if s == nil {
		t.Fatalf("no room after the sign-out ended 4 streams: %d %s", status, body)
	}
	open = append(open, s)
	// Anonymous streams end by themselves.
	if !open[0].endsWithin(anonymousAge + 5*time.Second) {
		t.Errorf("an anonymous stream is still open after %v", anonymousAge+5*time.Second)
	}
	if b, _ := os.ReadFile(srv.log); strings.Contains(string(b), "too many open files") {
		t.Errorf("the server ran out of descriptors:\n%s", lastLines(string(b), 20))
	}
}
