package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/travel"
)

// The map page: Leaflet (vendored under static/leaflet) draws
// /api/v1/venues.geojson and /api/v1/route.geojson; the server renders the
// legs as a table, which is the whole page without JavaScript.

// tileAttribution is shown with tiles: every common tile server draws
// OpenStreetMap data.
const tileAttribution = "© OpenStreetMap contributors"

type mapView struct {
	Tiles       string // tile URL template; "" = a plain background
	Attribution string
	SessionIDs  string // the route's ids, comma-joined, for the script
	Error       string // a bad list; the page is then a 400 or 404
	Estimate    bool   // no travel model: times are estimates
	Stops       []routeStop
	Legs        []routeLeg
	// Overnight is true when the sessions span several days: legs join
	// only sessions of one day.
	Overnight bool
	// PlanDay: the route is the attendee's plan of that day (no sessions
	// asked for).
	PlanDay string
	// Trip is one trip between two rooms (?from=ROOM&to=ROOM&at=).
	Trip *tripView
}

type routeStop struct {
	Order           int
	ID, Title, When string
	Where           string
	StartISO        string
	Cancelled       bool
	LegFromPrevious bool // a leg (row in Legs) arrives at this stop
	NewDay          bool // the first stop of a later day
	DayLabel        string
}

type routeLeg struct {
	FromOrder, ToOrder int
	FromTitle, ToTitle string
	travelNote
}

// travelNote is one leg as lists show it: "from your previous item: 23 min
// (walk), leave by 13:37".
type travelNote struct {
	From       string // the previous item's title, when it is the attendee's
	Minutes    int
	Mode       string // walk, walk inside, shuttle, monorail, same room
	LeaveBy    string // HH:MM, conference zone
	Arrive     string // HH:MM, leaving at the previous end
	Start      string // HH:MM
	Slack      int
	Tight      bool
	Impossible bool
	// Overlap: the next one starts before the previous one ends (no trip
	// can make that: it is an overlap, not a late walk).
	Overlap  bool
	Estimate bool
	Steps    string // "walk 8 · wait 4 · shuttle 12 · walk 3"
	MapURL   string // the two sessions on the map
}

// Status is the leg's state in words, for the table and screen readers.
func (n travelNote) Status() string {
	switch {
	case n.Overlap:
		return "Overlaps the previous one"
	case n.Impossible:
		return fmt.Sprintf("Late by %d min", -n.Slack)
	case n.Tight:
		return fmt.Sprintf("Tight: %d min to spare", n.Slack)
	}
	return fmt.Sprintf("%d min to spare", n.Slack)
}

// Class is the CSS class of the leg's state.
func (n travelNote) Class() string {
	switch {
	case n.Impossible:
		return "leg-impossible"
	case n.Tight:
		return "leg-tight"
	}
	return "leg-ok"
}

func modeLabel(trip travel.Trip) string {
	switch {
	case trip.Mode == travel.ModeInside && trip.Minutes == 0:
		return "same room"
	case trip.Mode == travel.ModeInside:
		return "walk inside"
	}
	return trip.Mode
}

func clockLabel(snap *conference.Snapshot, t time.Time) string {
	return snap.Local(t).Format("15:04")
}

// newTravelNote is one leg as lists show it. Leave by and arrive are one
// departure: the latest that still makes the start, and when it arrives
// (too late: leaving at once, and when that arrives).
func newTravelNote(snap *conference.Snapshot, tm *travel.Model, fromRoom, toRoom string, start time.Time, c travel.Connection, mapURL string) travelNote {
	n := travelNote{
		Minutes: c.Trip.Minutes, Mode: modeLabel(c.Trip), LeaveBy: clockLabel(snap, c.LeaveBy),
		Arrive: clockLabel(snap, c.Trip.Arrive), Start: clockLabel(snap, start),
		Slack: c.Slack, Tight: c.Tight, Impossible: c.Impossible, Estimate: c.Trip.Estimate, MapURL: mapURL,
	}
	n.Overlap = c.Trip.Depart.After(start)
	n.Impossible = n.Impossible || n.Overlap
	f, okf := tm.RoomIndex(fromRoom)
	t, okt := tm.RoomIndex(toRoom)
	if !c.Impossible && okf && okt {
		dep := tm.Minute(c.LeaveBy)
		arr := tm.ArriveBy(f, t, dep)
		n.Arrive, n.Minutes = clockLabel(snap, tm.Time(arr)), int(arr-dep)
	}
	var steps []string
	for _, s := range c.Trip.Steps {
		if s.Minutes > 0 {
			steps = append(steps, fmt.Sprintf("%s %d", s.Mode, s.Minutes))
		}
	}
	n.Steps = strings.Join(steps, " · ")
	return n
}

// mapPolicy is the map page's Content-Security-Policy: the pages' own,
// plus images from the tile server when there is one.
func mapPolicy(tiles string) string {
	origin := tileOrigin(tiles)
	if origin == "" {
		return contentSecurityPolicy
	}
	return strings.Replace(contentSecurityPolicy, "img-src 'self' data:", "img-src 'self' data: "+origin, 1)
}

// tileOrigin is the CSP source of a tile URL template: its scheme and host,
// a {s} subdomain becoming a wildcard. "" when there are no tiles.
func tileOrigin(tiles string) string {
	if tiles == "" {
		return ""
	}
	const sub = "tile-subdomain"
	u, err := url.Parse(strings.NewReplacer("{s}", sub, "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(tiles))
	if err != nil || u.Host == "" {
		return ""
	}
	host := u.Host
	if strings.Contains(host, sub) {
		// CSP wildcards cover whole leftmost labels: {s} anywhere in the
		// first label allows every subdomain of the rest.
		_, parent, _ := strings.Cut(host, ".")
		host = "*." + parent
	}
	return u.Scheme + "://" + host
}

// addSittingsMap links the session page to its sittings on the map.
func (s *Server) addSittingsMap(sittings []*conference.Session, v *sessionView) {
	ids := make([]string, 0, len(sittings))
	for _, se := range sittings {
		if se.Scheduled() && len(ids) < travel.MaxRouteSessions {
			ids = append(ids, se.ID)
		}
	}
	if len(ids) > 0 {
		v.MapURL = "/map?sessions=" + url.QueryEscape(strings.Join(ids, ","))
	}
}

func (s *Server) handleMap(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.index(w, r); !ok {
		return
	}
	st := s.live.Load() // one revision for the whole page
	snap := st.Snap
	view := mapView{Tiles: s.tiles, Estimate: st.Travel.Estimate()}
	if view.Tiles != "" {
		view.Attribution = tileAttribution
	}
	status := http.StatusOK
	q := r.URL.Query()
	raw, given := q["sessions"]
	switch {
	case !given && (q.Get("from") != "" || q.Get("to") != ""):
		status = s.fillTrip(st, q, &view) // maptrip.go
	case !given:
		// The map of the day: the attendee's plan, today (or its first day).
		if ids, day := s.planDay(r, snap); len(ids) > 0 {
			raw, given, view.PlanDay = []string{strings.Join(ids, ",")}, true, day
		}
	}
	if given {
		route, err := parseRoute(st, strings.Join(raw, ","))
		if err != nil {
			var ce *errcode.Error
			if !errors.As(err, &ce) {
				s.serverError(w, r, err)
				return
			}
			status = http.StatusBadRequest
			if ce.Code == errcode.NotFound {
				status = http.StatusNotFound
			}
			view.Error = ce.Message
		} else {
			view.fill(snap, st.Travel, route)
		}
	}
	s.render(w, r, status, "map", "layout", layoutView{
		Title: "Map", ConferenceName: snap.Conf.Name, Nav: "map", Main: view,
	})
}

func parseRoute(st *live.State, list string) (travel.Route, error) {
	ids, err := travel.ParseSessionIDs(list)
	if err != nil {
		return travel.Route{}, err
	}
	return st.Travel.Route(ids)
}

func (v *mapView) fill(snap *conference.Snapshot, tm *travel.Model, route travel.Route) {
	ids := make([]string, len(route.Sessions))
	arrives := map[int]bool{}
	for _, l := range route.Legs {
		arrives[l.To] = true
	}
	for i, se := range route.Sessions {
		ids[i] = se.ID
		it := newSessionItem(snap, se)
		stop := routeStop{
			Order: i + 1, ID: se.ID, Title: se.Title, When: it.When, StartISO: it.StartISO,
			Where: joinNonEmpty(", ", it.Venue, it.RoomLevel, it.Room), Cancelled: se.Cancelled,
			LegFromPrevious: arrives[i],
		}
		if i > 0 && snap.Day(se.Start) != snap.Day(route.Sessions[i-1].Start) {
			stop.NewDay = true
			v.Overnight = true
		}
		stop.DayLabel = dayLabel(snap, snap.Day(se.Start))
		v.Stops = append(v.Stops, stop)
	}
	for _, l := range route.Legs {
		from, to := route.Sessions[l.From], route.Sessions[l.To]
		v.Legs = append(v.Legs, routeLeg{
			FromOrder: l.From + 1, ToOrder: l.To + 1, FromTitle: from.Title, ToTitle: to.Title,
			travelNote: newTravelNote(snap, tm, from.RoomID, to.RoomID, to.Start, l.Connection, "/map?sessions="+url.QueryEscape(from.ID+","+to.ID)),
		})
	}
	v.SessionIDs = strings.Join(ids, ",")
}
