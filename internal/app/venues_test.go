package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/venuepack"
)

// A re:Invent-style CSV with the five venues' names as the export writes
// them; the demo is replaced by it in these tests.
const stripCSV = `type,title,abstract,date,startTime,endTime,room
Breakout session,Queues at scale,Why.,2026-12-01,09:00,10:00,Venetian | Level 2 | Hall B
Breakout session,Queues at scale [REPEAT],Why.,2026-12-03,13:00,14:00,MGM | Level 1 | Room 118
Workshop,Build a thing,How.,2026-12-02,11:00,13:00,Wynn | Level 1 | Lafite 1
Chalk talk,Going away,Bye.,2026-12-02,15:00,16:00,Caesars Forum | Level 1 | Forum 101
Chalk talk,South end,Far.,2026-12-02,16:00,17:00,Mandalay Bay | Level 2 South | Lagoon F
`

// The shuttle board over the API: every line of the demo with its stops,
// the day's hours, and the wait and ride now and by hour.
func TestAPIShuttles(t *testing.T) {
	_, srv, _ := newAuthApp(t)
	st, _, body := call(t, nil, "GET", srv.URL+"/api/v1/shuttles?at=2026-12-01T14:05", "", nil)
	if st != 200 {
		t.Fatalf("GET /api/v1/shuttles: %d %s", st, body)
	}
	var out struct {
		Day   string `json:"day"`
		Lines []struct {
			ID    string `json:"id"`
			Mode  string `json:"mode"`
			Stops []struct {
				VenueIDs []string `json:"venueIds"`
			} `json:"stops"`
			Today []struct{ Start, End string } `json:"today"`
			Now   struct {
				Running       bool    `json:"running"`
				NextDeparture *string `json:"nextDeparture"`
				WaitMinutes   int     `json:"waitMinutes"`
				RideMinutes   int     `json:"rideMinutes"`
			} `json:"now"`
			Hours []struct {
				Running             bool `json:"running"`
				ExpectedWaitMinutes int  `json:"expectedWaitMinutes"`
				RideMinutes         int  `json:"rideMinutes"`
			} `json:"hours"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Day != "2026-12-01" || len(out.Lines) != 9 {
		t.Fatalf("day %q, %d lines", out.Day, len(out.Lines))
	}
	for _, l := range out.Lines {
		if len(l.Stops) < 2 || len(l.Today) != 1 || !l.Now.Running || l.Now.NextDeparture == nil ||
			!strings.HasPrefix(*l.Now.NextDeparture, "2026-12-01T14:") || l.Now.RideMinutes < 4 || len(l.Hours) != 6 {
			t.Errorf("%s: %+v", l.ID, l)
		}
		if l.Mode == "shuttle" && (l.Now.WaitMinutes > 10 || l.Hours[0].ExpectedWaitMinutes < 3 || l.Hours[0].ExpectedWaitMinutes > 6) {
			t.Errorf("%s: wait now %d, expected %d at 15:00; want within the 10-minute headway", l.ID, l.Now.WaitMinutes, l.Hours[0].ExpectedWaitMinutes)
		}
	}
	if st, _, _ := call(t, nil, "GET", srv.URL+"/api/v1/shuttles?at=soon", "", nil); st != 400 {
		t.Errorf("a bad at: %d, want 400", st)
	}
	st, _, body = call(t, nil, "GET", srv.URL+"/api/v1/shuttles?at=2026-12-25T12:00", "", nil)
	if st != 200 || !strings.Contains(string(body), `"day":""`) || strings.Contains(string(body), `"running":true`) {
		t.Errorf("outside the conference: %d %s", st, body)
	}
}

// dropTravelModel stores the conference without its travel model, so that
// a re-import has none to keep and a pack is proposed (the demo's model
// is the Strip pack already).
func dropTravelModel(t *testing.T, a *App) {
	t.Helper()
	snap := a.Snapshot()
	c := *snap.Conf
	c.Travel = nil
	if _, err := a.seats.ApplyConference(context.Background(), &c, snap.Rev); err != nil {
		t.Fatal(err)
	}
}

// The organizer's travel endpoints: a re:Invent CSV imported over the API
// gets the Strip pack proposed, applied with ?pack=; a walk corrected and
// removed; a timetable checked then applied; nobody else may.
func TestAPITravelChanges(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	org := demoTokens(t, a, srv.URL)[account.Organizer]
	attendee := signup(t, srv, "traveller@example.com", "correct horse battery")

	dropTravelModel(t, a)
	st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/admin/import?format=csv&timezone=America/Los_Angeles&dryRun=true&name=reinvent.csv", org, stripCSV)
	if st != 200 || !strings.Contains(string(body), `"proposedPack":{"id":"las-vegas-strip"`) {
		t.Fatalf("dry run: %d %s", st, body)
	}
	// The file replaces every demo session: that needs its confirmations.
	st, _, body = call(t, nil, "POST", srv.URL+"/api/v1/admin/import?format=csv&timezone=America/Los_Angeles&name=reinvent.csv&confirm=true&allowRemoveAll=true&pack="+venuepack.StripID, org, stripCSV)
	if st != 200 || !strings.Contains(string(body), `"pack":{"id":"las-vegas-strip"`) {
		t.Fatalf("import with the pack: %d %s", st, body)
	}
	if tm := a.Snapshot().Conf.Travel; tm == nil || tm.Pack == nil || tm.Pack.ID != venuepack.StripID {
		t.Fatal("the import did not build the model from the pack")
	}
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/admin/import?format=csv&timezone=America/Los_Angeles&pack=atlantis", org, stripCSV); st != 400 {
		t.Errorf("an unknown pack: %d %s", st, body)
	}

	walk := srv.URL + "/api/v1/admin/travel/walks/venetian/wynn"
	tests := []struct {
		name, method, url, token string
		body                     any
		status                   int
		want                     string
	}{
		{"an attendee may not", "PUT", walk, attendee, map[string]int{"minutes": 17}, 403, `"forbidden"`},
		{"anonymous may not", "PUT", walk, "", map[string]int{"minutes": 17}, 401, `"unauthorized"`},
		{"minutes out of range", "PUT", walk, org, map[string]int{"minutes": 0}, 422, `"invalid"`},
		{"an unknown venue", "PUT", srv.URL + "/api/v1/admin/travel/walks/venetian/atlantis", org, map[string]int{"minutes": 9}, 404, `"not_found"`},
		{"set", "PUT", walk, org, map[string]int{"minutes": 17}, 200, `"correction":{"fromId":"venetian","toId":"wynn","minutes":17}`},
		{"listed", "GET", srv.URL + "/api/v1/admin/travel/walks", org, nil, 200, `{"walkCorrections":[{"fromId":"venetian","toId":"wynn","minutes":17}]}`},
		{"removed", "DELETE", walk, org, nil, 200, `"removed":true`},
		{"removed twice", "DELETE", walk, org, nil, 404, `"not_found"`},
		{"a pack by id, dry run", "POST", srv.URL + "/api/v1/admin/travel/pack?pack=las-vegas-strip&dryRun=true", org, nil, 200, `"dryRun":true`},
		{"a pack file with a problem", "POST", srv.URL + "/api/v1/admin/travel/pack?dryRun=true", org, `{"format": "venuehop-pack/1", "id": "x", "name": "X", "venues": []}`, 422, `venues: expected at least one venue`},
		{"no pack at all", "POST", srv.URL + "/api/v1/admin/travel/pack", org, "", 400, `expected pack=ID`},
		{"a timetable, dry run", "POST", srv.URL + "/api/v1/admin/travel/timetable?dryRun=true", org,
			"line,stops,days,from,to,headway\nshuttle-venetian-mgm-grand,,all,08:00,12:00,20\n", 200, `"lines":[{"id":"shuttle-venetian-mgm-grand"`},
		{"a timetable on a stale revision", "POST", srv.URL + "/api/v1/admin/travel/timetable?baseRev=1", org,
			"line,stops,days,from,to,headway\nshuttle-venetian-mgm-grand,,all,08:00,12:00,20\n", 409, `"conflict"`},
		{"a broken timetable", "POST", srv.URL + "/api/v1/admin/travel/timetable", org, "line,stops,days,from,to,headway\nx,,someday,08:00,12:00,20\n", 422, `timetable.csv:2: days`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := call(t, nil, tt.method, tt.url, tt.token, tt.body)
			if st != tt.status || !strings.Contains(string(body), tt.want) {
				t.Errorf("%s %s: %d %s\nwant %d with %s", tt.method, tt.url, st, body, tt.status, tt.want)
			}
		})
	}
	rev := a.Snapshot().Rev
	st, _, body = call(t, nil, "POST", srv.URL+"/api/v1/admin/travel/timetable?baseRev="+strconv.FormatInt(rev, 10), org,
		"line,stops,days,from,to,headway\nshuttle-venetian-mgm-grand,,all,08:00,12:00,20\n")
	if st != 200 || !strings.Contains(string(body), `"applied":true`) || a.Snapshot().Rev != rev+1 {
		t.Fatalf("apply the timetable: %d %s", st, body)
	}
	for _, l := range a.Snapshot().Conf.Travel.Shuttles {
		if l.ID == "shuttle-venetian-mgm-grand" && (len(l.Service) == 0 || l.Service[0].End != "12:00") {
			t.Errorf("hours after the timetable: %+v", l.Service)
		}
	}
}
