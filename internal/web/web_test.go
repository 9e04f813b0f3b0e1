package web_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"venuehop/internal/catalog"
	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/live"
	"venuehop/internal/web"
)

// demoStart is a fixed Monday, so the tests never depend on today.
var demoStart = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// demoConference generates the demo once per test binary; every caller gets
// the same immutable value (tests that change it generate their own).
var demoConference = sync.OnceValues(func() (*conference.Conference, error) {
	return demo.Generate(demo.Options{Seed: 1, Start: demoStart})
})

// newSite serves the pages of the conference over real HTTP, the clock a
// week before the demo starts.
func newSite(t testing.TB, c *conference.Conference) (*httptest.Server, *catalog.Index) {
	t.Helper()
	return newSiteAt(t, c, demoStart.AddDate(0, 0, -7))
}

// newSiteAt is newSite with the clock pinned at now.
func newSiteAt(t testing.TB, c *conference.Conference, now time.Time) (*httptest.Server, *catalog.Index) {
	t.Helper()
	st, err := live.Build(c, 1)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	ix := st.Catalog
	var holder live.Holder
	holder.Store(st)
	srv, err := web.New(web.Deps{Live: &holder, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Clock: clock.Fixed(now)})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	mux := http.NewServeMux()
	srv.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts, ix
}

func demoSite(t testing.TB) (*httptest.Server, *catalog.Index) {
	t.Helper()
	c, err := demoConference()
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return newSite(t, c)
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t testing.TB, ts *httptest.Server, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest("GET", ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", path, err)
	}
	return response{res.StatusCode, res.Header, string(b)}
}

var sessionLink = regexp.MustCompile(`href="/sessions/([^"]+)"`)

// resultIDs returns the session ids linked from a catalog page's results.
func resultIDs(body string) []string {
	var ids []string
	for _, m := range sessionLink.FindAllStringSubmatch(body, -1) {
		id, _ := url.PathUnescape(m[1])
		ids = append(ids, id)
	}
	return ids
}

func TestPageStatus(t *testing.T) {
	ts, ix := demoSite(t)
	snap := ix.Snapshot()
	first := snap.Conf.Sessions[0]
	tests := []struct {
		path   string
		status int
		want   string // a piece of the body
	}{
		{"/", 200, "Session catalog"},
		{"/?q=", 200, "sessions match"},
		{"/venues", 200, "<h1>Venues</h1>"},
		{"/sessions/" + url.PathEscape(first.ID), 200, templateEscape(first.Title)},
		{"/sessions/no-such-session", 404, "Page not found"},
		{"/?level=abc", 400, "level: expected a level"},
		{"/?sort=sideways", 400, "sort: expected relevance or start"},
		{"/?day=tomorrow", 400, "day: expected a date"},
		{"/?cursor=garbage", 400, "That search could not be run"},
		{"/?limit=100000", 400, "limit: expected a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := get(t, ts, tt.path)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d; body:\n%.600s", res.status, tt.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if !strings.Contains(res.body, tt.want) {
				t.Errorf("body lacks %q:\n%.800s", tt.want, res.body)
			}
			if !strings.Contains(res.body, `<main id="main"`) || !strings.Contains(res.body, `href="#main"`) {
				t.Error("page lacks the main landmark or the skip link")
			}
			if strings.Contains(res.body, "<script>") || strings.Contains(res.body, " style=") {
				t.Error("page has inline script or style, which the CSP blocks")
			}
		})
	}
}

// templateEscape is what html/template makes of plain text in an element.
func templateEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

func TestCatalogFilters(t *testing.T) {
	ts, ix := demoSite(t)
	snap := ix.Snapshot()
	tests := []struct {
		name  string
		query string // as a browser sends it from the form
		match func(*conference.Session) bool
	}{
		{"type and level", "type=Workshop&level=300",
			func(s *conference.Session) bool { return s.Type == "Workshop" && s.Level == 300 }},
		{"two types, repeated as a form sends them", "q=&type=Workshop&type=Chalk+talk&reservable=&recorded=&sort=",
			func(s *conference.Session) bool { return s.Type == "Workshop" || s.Type == "Chalk talk" }},
		{"recorded only", "recorded=true&sort=start",
			func(s *conference.Session) bool { return s.Recorded }},
		{"not reservable on one day", "reservable=false&day=" + snap.Conf.Days[1],
			func(s *conference.Session) bool { return !s.Reservable && snap.Day(s.Start) == snap.Conf.Days[1] }},
		{"venue", "venue=" + snap.Conf.Venues[2].ID,
			func(s *conference.Session) bool {
				v, _ := snap.VenueOfRoom(s.RoomID)
				return v != nil && v.ID == snap.Conf.Venues[2].ID
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, ts, "/?"+tt.query)
			if res.status != 200 {
				t.Fatalf("status %d:\n%.600s", res.status, res.body)
			}
			ids := resultIDs(res.body)
			if len(ids) == 0 {
				t.Fatal("no results")
			}
			for _, id := range ids {
				s, ok := snap.Session(id)
				if !ok {
					t.Fatalf("result %q is not in the conference", id)
				}
				if !tt.match(s) {
					t.Errorf("result %s (%s, %d) does not match the filters", id, s.Type, s.Level)
				}
			}
			// The count agrees with the catalog.
			q, err := catalog.ParseQuery(mustParse(t, tt.query), snap)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ix.Search(q)
			if err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprintf("%d sessions match", want.Total); !strings.Contains(res.body, s) {
				t.Errorf("page lacks %q", s)
			}
			if len(ids) != len(want.Sessions) {
				t.Errorf("%d results on the page, want %d", len(ids), len(want.Sessions))
			}
		})
	}
}

func mustParse(t *testing.T, q string) url.Values {
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCatalogTextSearchFindsByCodeAndTitle(t *testing.T) {
	ts, ix := demoSite(t)
	snap := ix.Snapshot()
	var target *conference.Session
	for i := range snap.Conf.Sessions {
		if s := &snap.Conf.Sessions[i]; s.Code != "" && s.Type != conference.TypeKeynote {
			target = s
			break
		}
	}
	if target == nil {
		t.Fatal("no session with a code in the demo")
	}
	res := get(t, ts, "/?q="+url.QueryEscape(target.Code))
	if res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	if !strings.Contains(res.body, templateEscape(target.Title)) {
		t.Errorf("searching %q did not show %q", target.Code, target.Title)
	}
	if !slices.Contains(resultIDs(res.body), target.ID) {
		t.Errorf("searching %q did not link session %s", target.Code, target.ID)
	}
	// The search box keeps the query, so a no-JS user can refine it.
	if !strings.Contains(res.body, `value="`+target.Code+`"`) {
		t.Error("search box lost the query")
	}
}

func TestCatalogFormKeepsChoices(t *testing.T) {
	ts, _ := demoSite(t)
	res := get(t, ts, "/?type=Workshop&recorded=false&sort=start")
	if res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	for _, want := range []string{
		`name="type" value="Workshop" form="search" checked`,
		`<option value="false" selected>Not recorded</option>`,
		`<option value="start" selected>Start time</option>`,
		`<details id="filters" class="filters" open>`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestCatalogMarks(t *testing.T) {
	ts, _ := demoSite(t)
	for _, tt := range []struct{ query, want, notWant string }{
		{"recorded=true", `class="mark rec">Recorded<`, `class="mark norec"`},
		{"recorded=false", `class="mark norec">Not recorded<`, `class="mark rec"`},
		{"reservable=true", `class="mark res">Needs a reservation<`, `class="mark nores"`},
	} {
		res := get(t, ts, "/?"+tt.query)
		if !strings.Contains(res.body, tt.want) {
			t.Errorf("%s: page lacks %s", tt.query, tt.want)
		}
		if strings.Contains(res.body, tt.notWant) {
			t.Errorf("%s: page has %s", tt.query, tt.notWant)
		}
	}
}

func TestCatalogPartial(t *testing.T) {
	ts, _ := demoSite(t)
	res := get(t, ts, "/?q=data&partial=1")
	if res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	if strings.Contains(res.body, "<html") || strings.Contains(res.body, "<header") {
		t.Error("the partial is a whole page")
	}
	for _, want := range []string{`id="results"`, `id="result-count"`, `class="facet-count"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("partial lacks %s", want)
		}
	}
	if len(resultIDs(res.body)) == 0 {
		t.Error("partial has no results")
	}
	bad := get(t, ts, "/?level=x&partial=1")
	if bad.status != 400 || !strings.Contains(bad.body, "level: expected") || strings.Contains(bad.body, "<html") {
		t.Errorf("bad partial: status %d, body %.300s", bad.status, bad.body)
	}
}

var moreLink = regexp.MustCompile(`class="more" rel="next" href="([^"]+)"`)

func TestCatalogPaging(t *testing.T) {
	ts, ix := demoSite(t)
	total := len(ix.Snapshot().Conf.Sessions)
	seen := map[string]bool{}
	path := "/?sort=start&limit=200"
	pages := 0
	for path != "" {
		pages++
		if pages > total/200+2 {
			t.Fatal("paging does not end")
		}
		res := get(t, ts, path)
		if res.status != 200 {
			t.Fatalf("%s: status %d", path, res.status)
		}
		for _, id := range resultIDs(res.body) {
			if seen[id] {
				t.Fatalf("session %s on two pages", id)
			}
			seen[id] = true
		}
		path = ""
		if m := moreLink.FindStringSubmatch(res.body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.Contains(path, "limit=200") || !strings.Contains(path, "sort=start") {
				t.Fatalf("More results link %q lost the query", path)
			}
		}
	}
	if pages < 2 {
		t.Fatalf("all %d sessions on %d page", len(seen), pages)
	}
	want, err := ix.Search(catalog.Query{Sort: catalog.SortStart, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != want.Total {
		t.Errorf("paged through %d sessions, the catalog has %d", len(seen), want.Total)
	}
}

func TestSessionPage(t *testing.T) {
	ts, ix := demoSite(t)
	snap := ix.Snapshot()
	var repeated, keynote *conference.Session
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if repeated == nil && len(snap.Sittings(s.Group())) > 1 {
			repeated = s
		}
		if keynote == nil && len(s.OverflowRoomIDs) > 0 {
			keynote = s
		}
	}
	if repeated == nil || keynote == nil {
		t.Fatal("the demo has no repeated session or no keynote with overflow rooms")
	}

	res := get(t, ts, "/sessions/"+url.PathEscape(repeated.ID))
	if res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	start := snap.Local(repeated.Start)
	when := start.Format("Mon 2 Jan, 15:04") + "–" + snap.Local(repeated.End).Format("15:04 MST")
	room, _ := snap.Room(repeated.RoomID)
	venue, _ := snap.Venue(room.VenueID)
	for _, want := range []string{
		"<h1>" + templateEscape(repeated.Title) + "</h1>",
		when,
		templateEscape(venue.Name),
		templateEscape(room.Name),
		templateEscape(room.Level),
		thousands(room.Capacity) + " seats",
		"This content runs",
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("session page lacks %q", want)
		}
	}
	links := resultIDs(res.body)
	for _, other := range snap.Sittings(repeated.Group()) {
		if other.ID != repeated.ID && !slices.Contains(links, other.ID) {
			t.Errorf("no link to the other sitting %s", other.ID)
		}
	}

	res = get(t, ts, "/sessions/"+url.PathEscape(keynote.ID))
	if !strings.Contains(res.body, "Where to watch") || !strings.Contains(res.body, `class="kr-route"`) {
		t.Error("keynote page lacks where to watch it, with routes")
	}
	for _, id := range keynote.OverflowRoomIDs {
		r, _ := snap.Room(id)
		if !strings.Contains(res.body, templateEscape(r.Name)) {
			t.Errorf("keynote page lacks overflow room %s", r.Name)
		}
	}
}

func TestVenuesPage(t *testing.T) {
	ts, ix := demoSite(t)
	c := ix.Snapshot().Conf
	res := get(t, ts, "/venues")
	for _, v := range c.Venues {
		for _, want := range []string{templateEscape(v.Name), templateEscape(v.Address), `id="venue-` + v.ID + `"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("venues page lacks %q", want)
			}
		}
	}
	if n := strings.Count(res.body, `<th scope="row">`); n != len(c.Rooms) {
		t.Errorf("%d room rows, want %d", n, len(c.Rooms))
	}
}

func TestTemplatesEscape(t *testing.T) {
	c, err := demo.Generate(demo.Options{Seed: 1, Start: demoStart})
	if err != nil {
		t.Fatal(err)
	}
	const evil = `<script>alert("x")</script>`
	c.Sessions[0].Title = evil
	c.Sessions[0].Abstract = evil
	ts, _ := newSite(t, c)
	for _, path := range []string{"/sessions/" + url.PathEscape(c.Sessions[0].ID), "/?q=" + url.QueryEscape(evil)} {
		res := get(t, ts, path)
		if strings.Contains(res.body, evil) {
			t.Errorf("%s: markup from data is not escaped", path)
		}
	}
}

var assetURL = regexp.MustCompile(`/static/(app|icon)\.[0-9a-f]{12}\.(css|js|svg)`)

func TestStaticAssets(t *testing.T) {
	ts, _ := demoSite(t)
	page := get(t, ts, "/venues")
	urls := slices.Compact(assetURL.FindAllString(page.body, -1))
	if len(urls) != 3 {
		t.Fatalf("found asset URLs %v, want app.css, icon.svg and app.js", urls)
	}
	types := map[string]string{"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"}
	for _, u := range urls {
		res := get(t, ts, u)
		if res.status != 200 || len(res.body) == 0 {
			t.Fatalf("%s: status %d, %d bytes", u, res.status, len(res.body))
		}
		if cc := res.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
		ext := u[strings.LastIndexByte(u, '.')+1:]
		if ct := res.header.Get("Content-Type"); ct != types[ext] {
			t.Errorf("%s: Content-Type %q, want %q", u, ct, types[ext])
		}
		if res := get(t, ts, u, "If-None-Match", res.header.Get("ETag")); res.status != http.StatusNotModified {
			t.Errorf("%s: revalidation status %d, want 304", u, res.status)
		}
		if ext != "svg" {
			zipped := get(t, ts, u, "Accept-Encoding", "gzip")
			if zipped.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: not gzipped", u)
			}
			zr, err := gzip.NewReader(strings.NewReader(zipped.body))
			if err != nil {
				t.Fatal(err)
			}
			if plain, _ := io.ReadAll(zr); string(plain) != res.body {
				t.Errorf("%s: gzipped body differs", u)
			}
		}
	}
	for _, path := range []string{"/static/app.css", "/static/app.000000000000.css", "/static/../web.go"} {
		if res := get(t, ts, path); res.status != 404 {
			t.Errorf("%s: status %d, want 404", path, res.status)
		}
	}
}

func TestNotLoaded(t *testing.T) {
	srv, err := web.New(web.Deps{Live: &live.Holder{}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// BenchmarkCatalogRender measures one catalog page in process: search,
// template and headers, no network and no compression.
func BenchmarkCatalogRender(b *testing.B) {
	c, err := demoConference()
	if err != nil {
		b.Fatal(err)
	}
	st, err := live.Build(c, 1)
	if err != nil {
		b.Fatal(err)
	}
	var holder live.Holder
	holder.Store(st)
	srv, err := web.New(web.Deps{Live: &holder})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Register(mux)
	req := httptest.NewRequest("GET", "/?q=data&type=Workshop,Breakout+session", nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkCatalogPage is a full page over HTTP, gzipped as browsers get it.
func BenchmarkCatalogPage(b *testing.B) {
	ts, _ := demoSite(b)
	for b.Loop() {
		res := get(b, ts, "/?q=data&type=Workshop,Breakout+session")
		if res.status != 200 {
			b.Fatal(res.status)
		}
	}
}

// thousands formats as the pages do: 1500 -> "1,500".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
