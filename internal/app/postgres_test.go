package app

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/config"
	"venuehop/internal/store/postgres/pgtest"
)

// newPostgresApp starts the app on a fresh PostgreSQL schema reached
// through a proxy the test can cut.
func newPostgresApp(t *testing.T) (*App, *httptest.Server, *pgtest.Proxy) {
	t.Helper()
	proxy, u := pgtest.NewProxy(t, pgtest.URL(t))
	a, srv := newAppWith(t, func(c *config.Config) { c.DB = u })
	return a, srv, proxy
}

// TestPostgresDatabaseLostMidRun: with the database gone, requests that
// need it fail fast with 503 and Retry-After and nothing is half-written;
// when it is back, the same process serves them again.
func TestPostgresDatabaseLostMidRun(t *testing.T) {
	a, srv, proxy := newPostgresApp(t)
	tok := demoTokens(t, a, srv.URL)[account.Attendee]
	ss := reservableSessions(t, a.Snapshot(), 3)
	url := srv.URL + "/api/v1/me/reservations"
	reserve := func(id, key string) (int, string, resultsJSON) {
		st, hdr, body := call(t, nil, "POST", url, tok, map[string]any{"sessionIds": []string{id}}, "Idempotency-Key", key)
		var res resultsJSON
		if st == 200 {
			mustJSON(t, body, &res)
		}
		return st, hdr.Get("Retry-After"), res
	}
	if st, _, res := reserve(ss[0].ID, "k0"); st != 200 || res.Results[0].Status != "reserved" {
		t.Fatalf("reserve with the database up: %d %+v", st, res)
	}

	proxy.Cut()
	for i, id := range []string{ss[1].ID, ss[2].ID} {
		start := time.Now()
		st, retry, _ := reserve(id, "k1")
		if st != 503 || retry == "" {
			t.Errorf("reserve %d with the database gone: %d, Retry-After %q; want 503 with Retry-After", i, st, retry)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("reserve %d with the database gone took %v; want a fast failure", i, took)
		}
	}
	st, hdr, _ := call(t, nil, "GET", url, tok, nil)
	if st != 503 || hdr.Get("Retry-After") == "" {
		t.Errorf("listing reservations with the database gone: %d", st)
	}

	proxy.Restore()
	var res resultsJSON
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st, _, res = reserve(ss[1].ID, "k1"); st == 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st != 200 || res.Results[0].Status != "reserved" {
		t.Fatalf("reserve after the database came back: %d %+v", st, res)
	}
	// Exactly the two confirmed seats are stored; the failed attempt for
	// ss[2] left nothing behind.
	st, _, body := call(t, nil, "GET", url, tok, nil)
	var list struct {
		Reservations []struct{ SessionID string }
	}
	mustJSON(t, body, &list)
	if st != 200 || len(list.Reservations) != 2 {
		t.Errorf("reservations after recovery: %d %s", st, body)
	}
	problems, err := a.store.Check(context.Background())
	if err != nil || len(problems) != 0 {
		t.Errorf("Check after recovery: %q %v", problems, err)
	}
}

// Two nodes on one database, each with its own --data directory (and so
// its own key file), show an attendee the same calendar feed URL: the
// first node's key is stored in the database and the other adopts it.
func TestPostgresNodesShareTheCalendarKey(t *testing.T) {
	u := pgtest.URL(t)
	start := func() *httptest.Server {
		_, srv := newAppWith(t, func(c *config.Config) { c.DB = u })
		return srv
	}
	nodeA, nodeB := start(), start()
	tok := signup(t, nodeA, "feed@example.com", "correct horse battery")
	feed := func(srv *httptest.Server) string {
		t.Helper()
		st, _, body := call(t, nil, "GET", srv.URL+"/api/v1/me/calendar-url", tok, nil)
		var out struct{ URL string }
		mustJSON(t, body, &out)
		if st != 200 || !strings.HasPrefix(out.URL, srv.URL+"/ical/") {
			t.Fatalf("calendar-url on %s: %d %s", srv.URL, st, body)
		}
		return strings.TrimPrefix(out.URL, srv.URL)
	}
	a, b := feed(nodeA), feed(nodeB)
	if a != b {
		t.Errorf("node A shows %s, node B %s: the nodes sign feed URLs differently", a, b)
	}
	if st, _, _ := call(t, nil, "GET", nodeB.URL+a, "", nil); st != 200 {
		t.Errorf("node A's feed URL on node B: %d", st)
	}
}
