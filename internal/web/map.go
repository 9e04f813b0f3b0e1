package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"venuehop/internal/catalog"
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

// travelNote is one leg as lists show it: "from the previous one: 23 min
// (walk), leave by 13:37".
type travelNote struct {
	Minutes    int
	Mode       string // walk, walk inside, shuttle, monorail, same room
	LeaveBy    string // HH:MM, conference zone
	Arrive     string // HH:MM, leaving at the previous end
	Start      string // HH:MM
	Slack      int
	Tight      bool
	Impossible bool
	Estimate   bool
	Steps      string // "walk 8 · wait 4 · shuttle 12 · walk 3"
	MapURL     string // the two sessions on the map
}

// Status is the leg's state in words, for the table and screen readers.
func (n travelNote) Status() string {
	switch {
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

func newTravelNote(snap *conference.Snapshot, from, to *conference.Session, c travel.Connection) travelNote {
	n := travelNote{
		Minutes: c.Trip.Minutes, Mode: modeLabel(c.Trip), LeaveBy: clockLabel(snap, c.LeaveBy),
		Arrive: clockLabel(snap, c.Trip.Arrive), Start: clockLabel(snap, to.Start),
		Slack: c.Slack, Tight: c.Tight, Impossible: c.Impossible, Estimate: c.Trip.Estimate,
		MapURL: "/map?sessions=" + url.QueryEscape(from.ID+","+to.ID),
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

// previousNotes returns, for each session of a list in start order, the
// leg from the previous one in view: the nearest earlier session of the
// same day that ends before this one starts. One Connect per session; nil
// entries have no previous one.
func previousNotes(st *live.State, list []*conference.Session) []*travelNote {
	notes := make([]*travelNote, len(list))
	snap := st.Snap
	for i, s := range list {
		if !s.Scheduled() {
			continue
		}
		day := snap.Day(s.Start)
		for j := i - 1; j >= 0; j-- {
			p := list[j]
			if !p.Scheduled() || p.Cancelled || p.Start.After(s.Start) {
				continue
			}
			if snap.Day(p.Start) != day {
				break // earlier in start order is only earlier days from here
			}
			if p.End.After(s.Start) {
				continue
			}
			c, err := st.Travel.Connect(p.RoomID, s.RoomID, p.End, s.Start)
			if err == nil {
				n := newTravelNote(snap, p, s, c)
				notes[i] = &n
			}
			break
		}
	}
	return notes
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

// stateOf returns the live state an index belongs to, so that travel
// answers come from the same revision as the page; nil after a swap (the
// page then goes without travel notes).
func (s *Server) stateOf(ix *catalog.Index) *live.State {
	if st := s.live.Load(); st != nil && st.Catalog == ix {
		return st
	}
	return nil
}

// addHops adds "from the previous one" to catalog results when they are in
// start order (the relevance order has no "previous").
func (s *Server) addHops(ix *catalog.Index, list []*conference.Session, items []sessionItem) {
	st := s.stateOf(ix)
	if st == nil || !slices.IsSortedFunc(list, func(a, b *conference.Session) int { return a.Start.Compare(b.Start) }) {
		return
	}
	for i, n := range previousNotes(st, list) {
		items[i].Hop = n
	}
}

// addSittingHops adds the legs between sittings of one day, and the map
// link of the session page.
func (s *Server) addSittingHops(ix *catalog.Index, sittings []*conference.Session, v *sessionView) {
	ids := make([]string, 0, len(sittings))
	for _, se := range sittings {
		if se.Scheduled() && len(ids) < travel.MaxRouteSessions {
			ids = append(ids, se.ID)
		}
	}
	if len(ids) > 0 {
		v.MapURL = "/map?sessions=" + url.QueryEscape(strings.Join(ids, ","))
	}
	st := s.stateOf(ix)
	if st == nil || len(sittings) != len(v.Sittings) {
		return
	}
	for i, n := range previousNotes(st, sittings) {
		v.Sittings[i].Hop = n
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
	if raw, given := r.URL.Query()["sessions"]; given {
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
			view.fill(snap, route)
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

func (v *mapView) fill(snap *conference.Snapshot, route travel.Route) {
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
			travelNote: newTravelNote(snap, from, to, l.Connection),
		})
	}
	v.SessionIDs = strings.Join(ids, ",")
}
