package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/live"
	"venuehop/internal/web"
)

// sessionsAt returns, on the second demo day, one session per venue in
// order, each starting at least gap after the previous one ends.
func sessionsAt(t *testing.T, snap *conference.Snapshot, gap time.Duration, venues ...string) []*conference.Session {
	t.Helper()
	var out []*conference.Session
	day := snap.Conf.Days[1]
	for _, v := range venues {
		var best *conference.Session
		for i := range snap.Conf.Sessions {
			s := &snap.Conf.Sessions[i]
			ve, ok := snap.VenueOfRoom(s.RoomID)
			if !ok || ve.ID != v || s.Cancelled || !s.Scheduled() || snap.Day(s.Start) != day || len(s.OverflowRoomIDs) > 0 {
				continue
			}
			if len(out) > 0 && s.Start.Before(out[len(out)-1].End.Add(gap)) {
				continue
			}
			if best == nil || s.Start.Before(best.Start) {
				best = s
			}
		}
		if best == nil {
			t.Fatalf("no session at %s", v)
		}
		out = append(out, best)
	}
	return out
}

func idList(ss []*conference.Session) string {
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	return strings.Join(ids, ",")
}

var legRow = regexp.MustCompile(`<tr class="leg-(ok|tight|impossible)">`)

func TestMapPage(t *testing.T) {
	ts, ix := demoSite(t)
	snap := ix.Snapshot()
	route := sessionsAt(t, snap, time.Hour, demo.VenueVenetian, demo.VenueMGMGrand, demo.VenueMandalayBay)
	back := []*conference.Session{route[2], route[0], route[1]} // any order: sorted by start
	tests := []struct {
		name   string
		path   string
		status int
		want   []string
		rows   int
	}{
		{"venues only", "/map", 200, []string{`id="map"`, `data-tiles=""`, `data-sessions=""`, "The venues, their entrances"}, 0},
		{"a day's route", "/map?sessions=" + url.QueryEscape(idList(back)), 200,
			[]string{`data-sessions="` + idList(route) + `"`, "Leave by", "Your route", route[0].ID, route[2].ID}, 2},
		{"one session", "/map?sessions=" + route[0].ID, 200, []string{"No legs"}, 0},
		{"empty list", "/map?sessions=", 400, []string{"That route could not be drawn", `id="map"`}, 0},
		{"listed twice", "/map?sessions=" + route[0].ID + "," + route[0].ID, 400, []string{"listed twice"}, 0},
		{"unknown session", "/map?sessions=" + route[0].ID + ",nope", 404, []string{"nope"}, 0},
		{"too many", "/map?sessions=" + strings.Repeat("a,", 50) + "b", 400, []string{"at most 50"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, ts, tt.path)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d", res.status, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.body, w) && !strings.Contains(res.body, templateEscape(w)) {
					t.Errorf("page lacks %q", w)
				}
			}
			if n := len(legRow.FindAllString(res.body, -1)); n != tt.rows {
				t.Errorf("%d leg rows, want %d", n, tt.rows)
			}
			if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data:;") {
				t.Errorf("without tiles the map allows images from elsewhere: %q", csp)
			}
		})
	}
}

func TestMapTilesPolicy(t *testing.T) {
	c, err := demoConference()
	if err != nil {
		t.Fatal(err)
	}
	st, err := live.Build(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	var holder live.Holder
	holder.Store(st)
	tests := []struct{ tiles, imgSrc string }{
		{"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "img-src 'self' data: https://tile.openstreetmap.org;"},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "img-src 'self' data: https://*.tile.example.org;"},
		{"http://localhost:8081/tiles/{z}/{x}/{y}.png", "img-src 'self' data: http://localhost:8081;"},
	}
	for _, tt := range tests {
		srv, err := web.New(web.Deps{Live: &holder, Logger: slog.New(slog.DiscardHandler), Tiles: tt.tiles})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		srv.Register(mux)
		for _, path := range []string{"/map", "/"} {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			csp := rec.Header().Get("Content-Security-Policy")
			if onMap := path == "/map"; strings.Contains(csp, tt.imgSrc) != onMap {
				t.Errorf("%s with tiles %s: CSP %q (want %q only on the map)", path, tt.tiles, csp, tt.imgSrc)
			}
			if path == "/map" && !strings.Contains(rec.Body.String(), `data-tiles="`+templateEscape(tt.tiles)+`"`) {
				t.Errorf("the map page does not pass the tiles %s on", tt.tiles)
			}
		}
	}
}

var hopLine = regexp.MustCompile(`<p class="hop leg-(ok|tight|impossible)">From your previous item`)

// "From your previous item" lines are for the attendee's own plan: a list
// of results is not a route, and an anonymous visitor has no plan.
func TestCatalogShowsNoWayBetweenResults(t *testing.T) {
	ts, ix := demoSite(t)
	snap := ix.Snapshot()
	res := get(t, ts, "/?day="+snap.Conf.Days[1]+"&type=Workshop")
	if res.status != 200 || hopLine.MatchString(res.body) || strings.Contains(res.body, "From the previous one") {
		t.Errorf("a list of results shows travel between them (status %d)", res.status)
	}
}

func TestSessionPageSittingsOnOneDay(t *testing.T) {
	// A content that runs twice on one day, in two venues.
	c, err := demo.Generate(demo.Options{Seed: 1, Start: demoStart})
	if err != nil {
		t.Fatal(err)
	}
	st, err := live.Build(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	pair := sessionsAt(t, st.Snap, 0, demo.VenueVenetian, demo.VenueWynn)
	first, _ := st.Snap.SessionIndex(pair[0].ID)
	second, _ := st.Snap.SessionIndex(pair[1].ID)
	c.Sessions[second].RepeatGroup = c.Sessions[first].Group()
	c.Sessions[first].RepeatGroup = c.Sessions[first].Group()
	ts, _ := newSite(t, c)

	page := get(t, ts, "/sessions/"+pair[1].ID)
	if page.status != 200 {
		t.Fatalf("status %d", page.status)
	}
	if hopLine.MatchString(page.body) {
		t.Error("the session page shows travel between sittings, which no one walks")
	}
	for _, link := range []string{
		`href="/map?sessions=` + pair[1].ID + `">On the map`,
	} {
		if !strings.Contains(page.body, link) {
			t.Errorf("page lacks %s", link)
		}
	}
	sittings := regexp.MustCompile(`href="(/map\?sessions=[^"]+)">Route on the map`).FindStringSubmatch(page.body)
	if sittings == nil || !strings.Contains(sittings[1], pair[0].ID) || !strings.Contains(sittings[1], pair[1].ID) {
		t.Errorf("no map of both sittings: %v", sittings)
	}
}
