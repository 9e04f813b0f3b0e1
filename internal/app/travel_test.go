package app

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
)

// routeHop asks for a session in a venue starting between min and max after
// the previous session ends.
type routeHop struct {
	venue    string
	min, max time.Duration
}

// pickRoute chooses one session per hop on one day, in order: the first in
// its venue from 09:00, each next one within its gap of the previous end.
func pickRoute(t *testing.T, snap *conference.Snapshot, day string, hops []routeHop) []*conference.Session {
	t.Helper()
	var out []*conference.Session
	for _, hop := range hops {
		var best *conference.Session
		for i := range snap.Conf.Sessions {
			s := &snap.Conf.Sessions[i]
			v, ok := snap.VenueOfRoom(s.RoomID)
			if !ok || v.ID != hop.venue || s.Cancelled || !s.Scheduled() || snap.Day(s.Start) != day || len(s.OverflowRoomIDs) > 0 {
				continue
			}
			if len(out) == 0 {
				if snap.Local(s.Start).Hour() < 9 {
					continue
				}
			} else if gap := s.Start.Sub(out[len(out)-1].End); gap < hop.min || gap > hop.max {
				continue
			}
			if best == nil || s.Start.Before(best.Start) {
				best = s
			}
		}
		if best == nil {
			t.Fatalf("no session at %s on %s for hop %d", hop.venue, day, len(out))
		}
		out = append(out, best)
	}
	return out
}

func TestTravelAPI(t *testing.T) {
	a, srv := newTestApp(t)
	snap := a.Snapshot()
	roomOf := func(venue string) string {
		for _, r := range snap.Conf.Rooms {
			if r.VenueID == venue {
				return r.ID
			}
		}
		t.Fatalf("no room at %s", venue)
		return ""
	}
	venetian, mandalay := roomOf(demo.VenueVenetian), roomOf(demo.VenueMandalayBay)
	type tripBody struct {
		Minutes        int
		Mode           string
		Depart, Arrive string
		Estimate       *bool
		Legs           []struct {
			Mode, FromID, ToID, Depart, Arrive string
			Minutes, Meters                    int
			Path                               [][]float64
		}
	}
	trip := func(check func(t *testing.T, tb tripBody)) func(*testing.T, []byte) {
		return func(t *testing.T, b []byte) {
			var tb tripBody
			mustJSON(t, b, &tb)
			if tb.Estimate == nil || *tb.Estimate {
				t.Errorf("estimate %v, want false (the demo has a model)", tb.Estimate)
			}
			if !strings.HasSuffix(tb.Depart, "-08:00") || !strings.HasSuffix(tb.Arrive, "-08:00") {
				t.Errorf("times %s..%s not in the conference zone", tb.Depart, tb.Arrive)
			}
			check(t, tb)
		}
	}
	travel := func(from, to, at string) string {
		v := url.Values{}
		for k, x := range map[string]string{"from": from, "to": to, "at": at} {
			if x != "" {
				v.Set(k, x)
			}
		}
		return "/api/v1/travel?" + v.Encode()
	}
	tests := []struct {
		name   string
		path   string
		status int
		check  func(t *testing.T, body []byte)
	}{
		{"across the Strip off-peak", travel(venetian, mandalay, "2026-11-30T14:00:00-08:00"), 200, trip(func(t *testing.T, tb tripBody) {
			if tb.Minutes < 35 || tb.Minutes > 65 || tb.Mode != "shuttle" || tb.Depart != "2026-11-30T14:00:00-08:00" {
				t.Errorf("trip %d min by %s leaving %s", tb.Minutes, tb.Mode, tb.Depart)
			}
			if len(tb.Legs) < 3 || tb.Legs[0].FromID != venetian || tb.Legs[len(tb.Legs)-1].ToID != mandalay {
				t.Fatalf("legs %+v", tb.Legs)
			}
			for _, l := range tb.Legs {
				if l.Path == nil {
					t.Errorf("leg %s without a path array", l.Mode)
				}
				if (l.Mode == "walk" || l.Mode == "shuttle") && (len(l.Path) < 2 || l.Meters <= 0 || len(l.Path[0]) != 2) {
					t.Errorf("%s leg: path %v, %d m", l.Mode, l.Path, l.Meters)
				}
			}
		})},
		{"a time without offset is the conference zone", travel(venetian, mandalay, "2026-11-30T14:00"), 200, trip(func(t *testing.T, tb tripBody) {
			if tb.Depart != "2026-11-30T14:00:00-08:00" {
				t.Errorf("depart %s", tb.Depart)
			}
		})},
		{"at defaults to the clock", travel(venetian, mandalay, ""), 200, trip(func(t *testing.T, tb tripBody) {
			if tb.Depart != "2026-11-25T04:00:00-08:00" {
				t.Errorf("depart %s, want the pinned clock", tb.Depart)
			}
		})},
		{"same room", travel(venetian, venetian, "2026-11-30T14:00:00-08:00"), 200, trip(func(t *testing.T, tb tripBody) {
			if tb.Minutes != 0 || len(tb.Legs) != 0 || tb.Arrive != tb.Depart {
				t.Errorf("same room: %+v", tb)
			}
		})},
		{"a slower walker", travel(venetian, roomOf(demo.VenueCaesarsForum), "2026-11-30T14:00:00-08:00") + "&walkFactor=1.8", 200, trip(func(t *testing.T, tb tripBody) {
			base, err := a.live.Load().Travel.Leg(venetian, roomOf(demo.VenueCaesarsForum), time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if tb.Minutes <= base.Minutes {
				t.Errorf("walkFactor 1.8: %d min, the usual pace %d min", tb.Minutes, base.Minutes)
			}
		})},
		{"bad walk factor", travel(venetian, mandalay, "") + "&walkFactor=fast", 400, errorCode("invalid")},
		{"absurd walk factor", travel(venetian, mandalay, "") + "&walkFactor=40", 400, errorCode("invalid")},
		{"missing to", travel(venetian, "", ""), 400, errorCode("invalid")},
		{"missing from", travel("", mandalay, ""), 400, errorCode("invalid")},
		{"bad time", travel(venetian, mandalay, "tomorrow"), 400, errorCode("invalid")},
		{"bad offset", travel(venetian, mandalay, "2026-11-30T14:00:00+25:00"), 400, errorCode("invalid")},
		{"unknown from", travel("nowhere", mandalay, ""), 404, errorCode("not_found")},
		{"unknown to", travel(venetian, "nowhere", ""), 404, errorCode("not_found")},
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
}

type geoJSON struct {
	Type     string
	Estimate *bool
	Features []struct {
		Type     string
		ID       string
		Geometry *struct {
			Type        string
			Coordinates any
		}
		Properties map[string]any
	}
}

func (g geoJSON) kinds() map[string]int {
	n := map[string]int{}
	for _, f := range g.Features {
		n[fmt.Sprint(f.Properties["kind"])]++
	}
	return n
}

func TestVenuesGeoJSON(t *testing.T) {
	a, srv := newTestApp(t)
	status, h, body := get(t, srv.URL+"/api/v1/venues.geojson")
	if status != 200 || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("status %d, content type %q", status, h.Get("Content-Type"))
	}
	var g geoJSON
	mustJSON(t, body, &g)
	if g.Type != "FeatureCollection" || g.Estimate == nil || *g.Estimate {
		t.Fatalf("type %q, estimate %v", g.Type, g.Estimate)
	}
	tm := a.Snapshot().Conf.Travel
	want := map[string]int{
		"venue": 5, "entrance": len(tm.Entrances), "stop": len(tm.Stops), "walk": len(tm.WalkLinks),
		"shuttle": len(tm.Shuttles), "monorail": len(tm.Monorail),
	}
	if got := g.kinds(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("features by kind %v, want %v", got, want)
	}
	geometry := map[string]string{"venue": "Point", "entrance": "Point", "stop": "Point", "walk": "LineString", "shuttle": "LineString", "monorail": "LineString"}
	ids := map[string]bool{}
	for _, f := range g.Features {
		kind := fmt.Sprint(f.Properties["kind"])
		if f.Type != "Feature" || f.Geometry == nil || f.Geometry.Type != geometry[kind] {
			t.Fatalf("feature %s: %+v", f.ID, f)
		}
		if ids[f.ID] {
			t.Errorf("feature id %s twice", f.ID)
		}
		ids[f.ID] = true
		switch kind {
		case "walk":
			if f.Properties["meters"].(float64) <= 0 || f.Properties["minutes"].(float64) <= 0 {
				t.Errorf("walk %s: %v", f.ID, f.Properties)
			}
		case "shuttle", "monorail":
			if len(f.Properties["stops"].([]any)) < 2 || len(f.Properties["hours"].([]any)) == 0 || f.Properties["headwayMinutes"].(float64) <= 0 {
				t.Errorf("line %s: %v", f.ID, f.Properties)
			}
		}
	}
}

func TestRouteGeoJSON(t *testing.T) {
	a, srv := newTestApp(t)
	snap := a.Snapshot()
	day := snap.Conf.Days[1]
	route := pickRoute(t, snap, day, []routeHop{
		{demo.VenueVenetian, 0, 0},
		{demo.VenueMGMGrand, 75 * time.Minute, 3 * time.Hour}, // ample
		{demo.VenueMandalayBay, 0, 10 * time.Minute},          // impossible: across the Strip in 10 min
		{demo.VenueMandalayBay, 0, 2 * time.Hour},             // same venue
	})
	other := pickRoute(t, snap, snap.Conf.Days[2], []routeHop{{demo.VenueWynn, 0, 0}})[0]
	ids := func(ss ...*conference.Session) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return strings.Join(out, ",")
	}
	fifty := strings.Repeat(route[0].ID+",", 50) + route[1].ID
	tests := []struct {
		name   string
		list   string
		status int
		check  func(t *testing.T, g geoJSON)
	}{
		{"a day, listed backwards", ids(route[3], route[2], route[1], route[0]), 200, func(t *testing.T, g geoJSON) {
			if k := g.kinds(); k["session"] != 4 || k["leg"] != 3 {
				t.Fatalf("features %v, want 4 sessions and 3 legs", k)
			}
			for i, s := range route {
				f := g.Features[i]
				if f.Properties["id"] != s.ID || f.Properties["order"].(float64) != float64(i+1) || f.Geometry == nil || f.Geometry.Type != "Point" {
					t.Errorf("session %d: %v", i, f.Properties)
				}
			}
			legs := g.Features[4:]
			for i, f := range legs {
				p := f.Properties
				if p["from"] != route[i].ID || p["to"] != route[i+1].ID || f.Geometry == nil || f.Geometry.Type != "LineString" {
					t.Fatalf("leg %d: %v", i, p)
				}
				arrive, _ := time.Parse(time.RFC3339, p["arriveAt"].(string))
				if slack := int(route[i+1].Start.Sub(arrive) / time.Minute); slack != int(p["slackMinutes"].(float64)) {
					t.Errorf("leg %d: slack %v, start - arrival = %d", i, p["slackMinutes"], slack)
				}
				for _, k := range []string{"departAt", "leaveBy", "arriveAt"} {
					if !strings.HasSuffix(p[k].(string), "-08:00") {
						t.Errorf("leg %d: %s %v", i, k, p[k])
					}
				}
			}
			if p := legs[0].Properties; p["tight"] != false || p["impossible"] != false || p["minutes"].(float64) < 30 || p["mode"] == "inside" {
				t.Errorf("Venetian -> MGM Grand with time to spare: %v", p)
			}
			if p := legs[1].Properties; p["tight"] != true || p["impossible"] != true {
				t.Errorf("MGM Grand -> Mandalay Bay in 10 min: %v", p)
			}
			if p := legs[2].Properties; p["mode"] != "inside" {
				t.Errorf("within Mandalay Bay: %v", p)
			}
		}},
		{"two days: no leg overnight", ids(route[0], other), 200, func(t *testing.T, g geoJSON) {
			if k := g.kinds(); k["session"] != 2 || k["leg"] != 0 {
				t.Errorf("features %v", k)
			}
		}},
		{"empty", "", 400, nil},
		{"empty id", route[0].ID + ",," + route[1].ID, 400, nil},
		{"twice", route[0].ID + "," + route[0].ID, 400, nil},
		{"too many", fifty, 400, nil},
		{"unknown", route[0].ID + ",nope", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := get(t, srv.URL+"/api/v1/route.geojson?sessions="+url.QueryEscape(tt.list))
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if tt.check == nil {
				errorCode(map[int]string{400: "invalid", 404: "not_found"}[status])(t, body)
				return
			}
			if h.Get("Content-Type") != "application/geo+json" {
				t.Errorf("content type %q", h.Get("Content-Type"))
			}
			var g geoJSON
			mustJSON(t, body, &g)
			tt.check(t, g)
		})
	}
}

func TestOpenAPIDocumentsTravel(t *testing.T) {
	_, srv := newTestApp(t)
	_, _, body := get(t, srv.URL+"/api/openapi.json")
	var d struct{ Paths map[string]any }
	mustJSON(t, body, &d)
	for _, p := range []string{"/api/v1/travel", "/api/v1/venues.geojson", "/api/v1/route.geojson", "/api/v1/shuttles",
		"/api/v1/admin/travel/pack", "/api/v1/admin/travel/timetable", "/api/v1/admin/travel/walks", "/api/v1/admin/travel/walks/{from}/{to}"} {
		if d.Paths[p] == nil {
			t.Errorf("openapi lacks %s", p)
		}
	}
}
