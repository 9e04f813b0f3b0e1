package app

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
)

// TestSignOutEndsItsStreams: a browser's live stream (its session cookie)
// ends when that browser signs out, and so do its offers; a stream of the
// same attendee on another device (its own token) goes on.
func TestSignOutEndsItsStreams(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	d := demoAccount(t, a, account.Attendee)
	web := browser(t)
	_, _, csrf := page(t, web, srv.URL+"/signin")
	if st, _, _ := postForm(t, web, srv.URL+"/signin", url.Values{"csrf": {csrf}, "email": {d.Email}, "password": {d.Password}}); st != 303 {
		t.Fatalf("sign in: %d", st)
	}
	other := demoTokens(t, a, srv.URL)[account.Attendee]
	open := func(c *http.Client, token string) (*bufio.Reader, func()) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/events", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := c.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("open a stream: %v %v", resp, err)
		}
		rd := bufio.NewReader(resp.Body)
		if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
			t.Fatalf("first line %q", line)
		}
		return rd, func() { cancel(); resp.Body.Close() }
	}
	cookieStream, closeCookie := open(web, "")
	defer closeCookie()
	_, closeAPI := open(http.DefaultClient, other)
	defer closeAPI()

	_, _, csrf = page(t, web, srv.URL+"/me/favorites")
	if st, _, _ := postForm(t, web, srv.URL+"/signout", url.Values{"csrf": {csrf}}); st != 303 {
		t.Fatalf("sign out: %d", st)
	}
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, cookieStream); ended <- err }()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the signed-out browser's stream is still open")
	}
	// The other device's stream is still served.
	if n := a.hub.Clients(); n != 1 {
		t.Errorf("%d streams after the sign-out, want the other device's 1", n)
	}
}
