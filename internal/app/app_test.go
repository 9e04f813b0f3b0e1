package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/config"
)

// newTestApp starts the whole app on a real SQLite store in a temp dir with
// the demo conference and a pinned clock.
func newTestApp(t testing.TB) (*App, *httptest.Server) {
	t.Helper()
	return newAppWith(t, nil)
}

// newAppWith is newTestApp with the configuration changed by set first
// (a PostgreSQL URL, say); nil changes nothing.
func newAppWith(t testing.TB, set func(*config.Config)) (*App, *httptest.Server) {
	t.Helper()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.DemoStart = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	cfg.Now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if set != nil {
		set(&cfg)
	}
	a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := serveApp(t, a)
	return a, srv
}

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func TestAPIScenarios(t *testing.T) {
	a, srv := newTestApp(t)
	snap := a.Snapshot()
	first := snap.Conf.Sessions[0]
	day2 := snap.Conf.Days[1]

	type sessionsPage struct {
		Sessions []struct {
			ID, Title, Type, VenueID, RoomID, RepeatGroup string
			Level                                         int
			Start                                         string
			Seats                                         struct {
				RoomCapacity, Capacity, Available int
				Band                              string
			}
		}
		Total  int
		Facets map[string]map[string]int
		Next   string
	}
	tests := []struct {
		name   string
		path   string
		status int
		check  func(t *testing.T, body []byte)
	}{
		{"health", "/healthz", 200, func(t *testing.T, b []byte) {
			if strings.TrimSpace(string(b)) != `{"status":"ok"}` {
				t.Errorf("body %s", b)
			}
		}},
		{"conference", "/api/v1/conference", 200, func(t *testing.T, b []byte) {
			var c struct {
				ID, TimeZone string
				Days         []string
				Counts       map[string]int
			}
			mustJSON(t, b, &c)
			if c.TimeZone != "America/Los_Angeles" || len(c.Days) != 4 || c.Days[0] != "2026-11-30" || c.Counts["sessions"] < 2200 || c.Counts["venues"] != 5 {
				t.Errorf("conference %+v", c)
			}
		}},
		{"venues", "/api/v1/venues", 200, func(t *testing.T, b []byte) {
			var v struct {
				Venues []struct {
					ID    string
					Lat   float64
					Rooms []struct{ ID string }
				}
			}
			mustJSON(t, b, &v)
			rooms := 0
			for _, ve := range v.Venues {
				rooms += len(ve.Rooms)
			}
			if len(v.Venues) != 5 || rooms < 150 {
				t.Errorf("%d venues, %d rooms", len(v.Venues), rooms)
			}
		}},
		{"sessions default page", "/api/v1/sessions", 200, func(t *testing.T, b []byte) {
			var p sessionsPage
			mustJSON(t, b, &p)
			if len(p.Sessions) != 50 || p.Total < 2200 || p.Next == "" || len(p.Facets["type"]) < 5 {
				t.Errorf("%d sessions of %d, next %q, facets %v", len(p.Sessions), p.Total, p.Next, p.Facets["type"])
			}
			for i := 1; i < len(p.Sessions); i++ {
				if p.Sessions[i].Start < p.Sessions[i-1].Start {
					t.Fatalf("not in start order at %d", i)
				}
			}
			if !strings.HasSuffix(p.Sessions[0].Start, "-08:00") {
				t.Errorf("start %q not in the conference zone", p.Sessions[0].Start)
			}
		}},
		{"filters", "/api/v1/sessions?type=workshop&level=300,400&day=" + day2 + "&limit=200", 200, func(t *testing.T, b []byte) {
			var p sessionsPage
			mustJSON(t, b, &p)
			if p.Total == 0 {
				t.Fatal("no workshops at level 300/400 on day 2")
			}
			for _, s := range p.Sessions {
				if s.Type != "Workshop" || (s.Level != 300 && s.Level != 400) || !strings.HasPrefix(s.Start, day2) {
					t.Errorf("session outside the filters: %+v", s)
				}
				if s.Seats.Capacity != s.Seats.RoomCapacity-s.Seats.RoomCapacity*10/100 {
					t.Errorf("workshop capacity %d of room %d: want a 10%% walk-up share", s.Seats.Capacity, s.Seats.RoomCapacity)
				}
			}
			if p.Facets["type"]["Breakout session"] == 0 {
				t.Errorf("type facet ignores its own filter wrongly: %v", p.Facets["type"])
			}
		}},
		{"search by title words", "/api/v1/sessions?q=" + strings.ReplaceAll(strings.Fields(first.Title)[0], " ", "+"), 200, func(t *testing.T, b []byte) {
			var p sessionsPage
			mustJSON(t, b, &p)
			if p.Total == 0 {
				t.Errorf("no result for a word of %q", first.Title)
			}
		}},
		{"one session", "/api/v1/sessions/" + first.ID, 200, func(t *testing.T, b []byte) {
			var s struct{ ID, Title, RepeatGroup string }
			mustJSON(t, b, &s)
			if s.ID != first.ID || s.Title != first.Title || s.RepeatGroup == "" {
				t.Errorf("session %+v", s)
			}
		}},
		{"unknown session", "/api/v1/sessions/nope", 404, errorCode("not_found")},
		{"bad level", "/api/v1/sessions?level=abc", 400, errorCode("invalid")},
		{"bad day", "/api/v1/sessions?day=2026-13-01", 400, errorCode("invalid")},
		{"bad limit", "/api/v1/sessions?limit=1000", 400, errorCode("invalid")},
		{"bad cursor", "/api/v1/sessions?cursor=zzz", 400, errorCode("invalid")},
		{"unknown endpoint", "/api/v1/nothing", 404, errorCode("not_found")},
		{"openapi", "/api/openapi.json", 200, func(t *testing.T, b []byte) {
			var d struct {
				OpenAPI string
				Paths   map[string]any
			}
			mustJSON(t, b, &d)
			for _, p := range []string{"/api/v1/sessions", "/api/v1/sessions/{id}", "/api/v1/venues", "/api/v1/conference"} {
				if d.Paths[p] == nil {
					t.Errorf("openapi lacks %s", p)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := get(t, srv.URL+tt.path)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			tt.check(t, body)
		})
	}

	t.Run("metrics by route pattern", func(t *testing.T) {
		_, _, body := call(t, nil, "GET", srv.URL+"/metrics", demoTokens(t, a, srv.URL)[account.Admin], nil)
		if !strings.Contains(string(body), `route="GET /api/v1/sessions/{id}"`) {
			t.Errorf("metrics lack the route pattern label:\n%.2000s", body)
		}
	})
}

func TestPagingWalksEverySession(t *testing.T) {
	a, srv := newTestApp(t)
	seen := map[string]bool{}
	next := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		_, _, body := get(t, srv.URL+"/api/v1/sessions?limit=200&cursor="+next)
		var p struct {
			Sessions []struct{ ID string }
			Next     string
		}
		mustJSON(t, body, &p)
		for _, s := range p.Sessions {
			if seen[s.ID] {
				t.Fatalf("session %s on two pages", s.ID)
			}
			seen[s.ID] = true
		}
		if p.Next == "" {
			break
		}
		next = p.Next
	}
	if want := len(a.Snapshot().Conf.Sessions); len(seen) != want {
		t.Errorf("paged through %d sessions, want %d", len(seen), want)
	}
}

func TestRestartKeepsTheStoredConference(t *testing.T) {
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.DemoStart = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	days := a.Snapshot().Conf.Days
	if !a.DemoLoaded {
		t.Error("the first start did not load the demo")
	}
	a.Close()

	// A later start (another demo start date, as a later week would give)
	// must keep the stored dates: they never move.
	cfg.DemoStart = time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
	b, err := New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.DemoLoaded || b.Snapshot().Conf.Days[0] != days[0] {
		t.Errorf("restart moved the conference: %v, want %v", b.Snapshot().Conf.Days, days)
	}

	cfg.DataDir = t.TempDir()
	cfg.Demo = false
	if _, err := New(context.Background(), cfg, log); err == nil || !strings.Contains(err.Error(), "holds no conference") {
		t.Errorf("empty store without demo: %v", err)
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("bad JSON %v: %.300s", err, b)
	}
}

func errorCode(code string) func(*testing.T, []byte) {
	return func(t *testing.T, b []byte) {
		var e struct {
			Error struct{ Code, Message string }
		}
		mustJSON(t, b, &e)
		if e.Error.Code != code || e.Error.Message == "" {
			t.Errorf("error %+v, want code %s with a message", e.Error, code)
		}
	}
}

// BenchmarkStartEmpty measures a start on an empty data dir, demo load
// included (target ≤ 2 s to the first answer).
func BenchmarkStartEmpty(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for b.Loop() {
		cfg := config.Defaults()
		cfg.DataDir = b.TempDir()
		a, err := New(context.Background(), cfg, log)
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}

// BenchmarkStartWithData measures a restart on a stored conference (target
// ≤ 0.5 s).
func BenchmarkStartWithData(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Defaults()
	cfg.DataDir = b.TempDir()
	a, err := New(context.Background(), cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	a.Close()
	for b.Loop() {
		a, err := New(context.Background(), cfg, log)
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}

// serveApp serves a over HTTP until the test ends, then closes it.
func serveApp(t testing.TB, a *App) *httptest.Server {
	t.Helper()
	t.Cleanup(func() { a.Close() }) // after the server (cleanups run last first)
	return serve(t, a.Handler())
}

// serve serves h until the test ends. At the end the open connections are
// cut first: a page left open keeps its event stream (every signed-in page
// has one, for the notices badge), and Close would wait for it.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}
