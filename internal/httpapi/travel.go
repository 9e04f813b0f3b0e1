package httpapi

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/live"
	"venuehop/internal/travel"
)

// tripJSON is GET /api/v1/travel (docs/api.md).
type tripJSON struct {
	Minutes  int        `json:"minutes"`
	Mode     string     `json:"mode"`
	Depart   time.Time  `json:"depart"`
	Arrive   time.Time  `json:"arrive"`
	Estimate bool       `json:"estimate"`
	Legs     []stepJSON `json:"legs"`
}

type stepJSON struct {
	Mode    string       `json:"mode"`
	FromID  string       `json:"fromId"`
	ToID    string       `json:"toId"`
	Depart  time.Time    `json:"depart"`
	Arrive  time.Time    `json:"arrive"`
	Minutes int          `json:"minutes"`
	Meters  int          `json:"meters"`
	Path    [][2]float64 `json:"path"`
}

func newTripJSON(snap *conference.Snapshot, t travel.Trip) tripJSON {
	out := tripJSON{
		Minutes: t.Minutes, Mode: t.Mode, Depart: snap.Local(t.Depart), Arrive: snap.Local(t.Arrive),
		Estimate: t.Estimate, Legs: make([]stepJSON, len(t.Steps)),
	}
	for i, s := range t.Steps {
		path := s.Path
		if path == nil {
			path = [][2]float64{}
		}
		out.Legs[i] = stepJSON{Mode: s.Mode, FromID: s.FromID, ToID: s.ToID,
			Depart: snap.Local(s.Depart), Arrive: snap.Local(s.Arrive), Minutes: s.Minutes, Meters: s.Meters, Path: path}
	}
	return out
}

// parseInstant reads a time parameter: RFC 3339, or a wall-clock time
// without an offset ("2026-12-01T10:05"), which is read in the conference
// zone (docs/api.md, Conventions).
func parseInstant(name, v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errcode.New(errcode.Invalid, "%s: expected an RFC 3339 time like 2026-12-01T10:05:00-08:00, got %q", name, v)
}

func (a *API) travel(w http.ResponseWriter, r *http.Request) {
	st := a.Live.Load()
	q := r.URL.Query()
	from, to := strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	if from == "" || to == "" {
		a.fail(w, r, errcode.New(errcode.Invalid, "from and to are required: the ids of two rooms"))
		return
	}
	at := a.Clock.Now()
	if v := q.Get("at"); v != "" {
		var err error
		if at, err = parseInstant("at", v, st.Snap.Loc); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	tm, err := walkerModel(st.Travel, q.Get("walkFactor"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	trip, err := tm.Leg(from, to, at)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newTripJSON(st.Snap, trip))
}

// walkerModel is the travel model for the walking factor a request asks
// for (walkFactor=1.5: every walk takes 1.5 times as long); empty: the
// usual pace.
func walkerModel(tm *travel.Model, param string) (*travel.Model, error) {
	if strings.TrimSpace(param) == "" {
		return tm, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(param), 64)
	if err != nil {
		return nil, errcode.New(errcode.Invalid, "walkFactor: expected a number from %.1f to %.1f, got %q", travel.MinWalkFactor, travel.MaxWalkFactor, param)
	}
	return tm.WithWalkFactor(f)
}

// GeoJSON (RFC 7946). Coordinates are [lon, lat].
type featureCollection struct {
	Type string `json:"type"`
	// Estimate is a foreign member: true when the travel model is the
	// fallback estimate from venue coordinates.
	Estimate bool      `json:"estimate"`
	Features []feature `json:"features"`
}

type feature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id,omitempty"`
	Geometry   *geometry      `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

func point(lonLat [2]float64) *geometry { return &geometry{"Point", lonLat} }

func lineString(path [][2]float64) *geometry {
	if len(path) < 2 {
		return nil
	}
	return &geometry{"LineString", path}
}

func located(lonLat [2]float64) bool { return lonLat != [2]float64{} }

// writeGeoJSON writes a collection with GeoJSON's media type. It follows
// the live conference, so clients revalidate.
func writeGeoJSON(w http.ResponseWriter, r *http.Request, log *slog.Logger, fc featureCollection) {
	if fc.Features == nil {
		fc.Features = []feature{}
	}
	body, err := json.Marshal(fc)
	if err != nil {
		httpx.WriteError(w, r, log, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/geo+json")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.Write(append(body, '\n'))
}

// venueFeatures draws the travel model: venues, entrances, stops, walking
// links and transit lines.
func venueFeatures(st *live.State) featureCollection {
	m, c := st.Travel, st.Snap.Conf
	src := m.Source()
	fc := featureCollection{Type: "FeatureCollection", Estimate: m.Estimate()}
	add := func(kind, id string, g *geometry, props map[string]any) {
		props["kind"] = kind
		props["id"] = id
		fc.Features = append(fc.Features, feature{Type: "Feature", ID: kind + ":" + id, Geometry: g, Properties: props})
	}
	for _, v := range c.Venues {
		lonLat := [2]float64{v.Lon, v.Lat}
		if !located(lonLat) {
			lonLat, _ = m.VenueLonLat(v.ID)
		}
		var g *geometry
		if located(lonLat) {
			g = point(lonLat)
		}
		add("venue", v.ID, g, map[string]any{"name": v.Name, "address": v.Address})
	}
	for _, e := range src.Entrances {
		if lonLat := [2]float64{e.Lon, e.Lat}; located(lonLat) {
			add("entrance", e.ID, point(lonLat), map[string]any{"name": e.Name, "venueId": e.VenueID})
		}
	}
	stops := map[string]conference.TransitStop{}
	for _, s := range src.Stops {
		stops[s.ID] = s
		add("stop", s.ID, point([2]float64{s.Lon, s.Lat}), map[string]any{"name": s.Name})
	}
	speed := src.WalkSpeed
	if speed <= 0 {
		speed = conference.DefaultWalkSpeed
	}
	for i, l := range src.WalkLinks {
		g := lineString(l.Path)
		if g == nil {
			continue // a guessed link between unlocated venues: nothing to draw
		}
		meters := float64(l.Meters)
		if meters <= 0 {
			meters = conference.PathMeters(l.Path)
		}
		minutes := l.Minutes
		if minutes <= 0 {
			minutes = int(max(1, math.Ceil(meters/speed/60)))
		}
		id := l.ID
		if id == "" { // ids are optional in the model; the index keeps them unique
			id = fmt.Sprintf("%s-%s-%d", l.FromID, l.ToID, i)
		}
		props := map[string]any{"fromId": l.FromID, "toId": l.ToID, "meters": int(math.Round(meters)), "minutes": minutes}
		if l.Note != "" {
			props["note"] = l.Note
		}
		add("walk", id, g, props)
	}
	lines := func(kind string, list []conference.TransitLine) {
		for _, l := range list {
			type stopRef struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			}
			refs := make([]stopRef, 0, len(l.Stops))
			path := l.Path
			offPeak := 0
			for _, ls := range l.Stops {
				s := stops[ls.StopID]
				refs = append(refs, stopRef{s.ID, s.Name})
				offPeak += ls.RideMinutes
				if len(l.Path) < 2 {
					path = append(path, [2]float64{s.Lon, s.Lat})
				}
			}
			hours := l.Service
			if hours == nil {
				hours = []conference.ServiceHours{}
			}
			add(kind, l.ID, lineString(path), map[string]any{
				"name": l.Name, "stops": refs, "hours": hours,
				"headwayMinutes": l.HeadwayMinutes, "offPeakMinutes": offPeak,
			})
		}
	}
	lines(travel.ModeShuttle, src.Shuttles)
	lines(travel.ModeMonorail, src.Monorail)
	return fc
}

func (a *API) venuesGeoJSON(w http.ResponseWriter, r *http.Request) {
	fc := venueFeatures(a.Live.Load())
	writeGeoJSON(w, r, a.Logger, fc)
}

// routeFeatures draws a route: a Point per session and a LineString per leg
// between consecutive sessions of one day.
func routeFeatures(st *live.State, route travel.Route) featureCollection {
	snap, m := st.Snap, st.Travel
	fc := featureCollection{Type: "FeatureCollection", Estimate: m.Estimate()}
	for i, s := range route.Sessions {
		props := map[string]any{
			"kind": "session", "id": s.ID, "order": i + 1, "code": s.Code, "title": s.Title,
			"start": snap.Local(s.Start), "end": snap.Local(s.End), "day": snap.Day(s.Start),
			"roomId": s.RoomID, "cancelled": s.Cancelled,
		}
		if room, ok := snap.Room(s.RoomID); ok {
			props["room"] = room.Name
			props["venueId"] = room.VenueID
			if v, ok := snap.Venue(room.VenueID); ok {
				props["venue"] = v.Name
			}
		}
		var g *geometry
		if lonLat, ok := m.RoomLonLat(s.RoomID); ok {
			g = point(lonLat)
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", ID: "session:" + s.ID, Geometry: g, Properties: props})
	}
	for _, leg := range route.Legs {
		from, to := route.Sessions[leg.From], route.Sessions[leg.To]
		trip := leg.Trip
		type stepRef struct {
			Mode    string `json:"mode"`
			Minutes int    `json:"minutes"`
			Meters  int    `json:"meters"`
			FromID  string `json:"fromId"`
			ToID    string `json:"toId"`
		}
		steps := make([]stepRef, len(trip.Steps))
		meters := 0
		for i, s := range trip.Steps {
			steps[i] = stepRef{s.Mode, s.Minutes, s.Meters, s.FromID, s.ToID}
			meters += s.Meters
		}
		props := map[string]any{
			"kind": "leg", "from": from.ID, "to": to.ID, "mode": trip.Mode, "minutes": trip.Minutes, "meters": meters,
			"departAt": snap.Local(trip.Depart), "leaveBy": snap.Local(leg.LeaveBy), "arriveAt": snap.Local(trip.Arrive),
			"startAt": snap.Local(to.Start), "slackMinutes": leg.Slack, "tight": leg.Tight, "impossible": leg.Impossible,
			"estimate": trip.Estimate, "steps": steps,
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", ID: "leg:" + from.ID + ":" + to.ID,
			Geometry: lineString(legPath(m, from.RoomID, to.RoomID, trip)), Properties: props})
	}
	return fc
}

// legPath joins a trip's step paths from the first room's entrance to the
// second's. A leg inside one venue is a line of zero length at its door, so
// every leg still has a place on the map.
func legPath(m *travel.Model, fromRoom, toRoom string, trip travel.Trip) [][2]float64 {
	var path [][2]float64
	push := func(p [2]float64) {
		if located(p) && (len(path) == 0 || path[len(path)-1] != p) {
			path = append(path, p)
		}
	}
	if p, ok := m.RoomLonLat(fromRoom); ok {
		push(p)
	}
	for _, s := range trip.Steps {
		for _, p := range s.Path {
			push(p)
		}
	}
	if p, ok := m.RoomLonLat(toRoom); ok {
		push(p)
	}
	if len(path) == 1 {
		path = append(path, path[0])
	}
	return path
}

func (a *API) routeGeoJSON(w http.ResponseWriter, r *http.Request) {
	st := a.Live.Load()
	ids, err := travel.ParseSessionIDs(r.URL.Query().Get("sessions"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	tm, err := walkerModel(st.Travel, r.URL.Query().Get("walkFactor"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	route, err := tm.Route(ids)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeGeoJSON(w, r, a.Logger, routeFeatures(st, route))
}
