package travel

import (
	"cmp"
	"slices"
	"strings"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// MaxRouteSessions bounds a route: a day holds far fewer sittings, and the
// bound keeps one request cheap.
const MaxRouteSessions = 50

// Route is a list of sessions in start order and the legs between
// consecutive sessions of one day.
type Route struct {
	Sessions []*conference.Session
	Legs     []RouteLeg
}

// RouteLeg connects Sessions[From] to Sessions[To] (To = From+1).
type RouteLeg struct {
	From, To int
	Connection
}

// ParseSessionIDs reads a comma-separated list of 1..MaxRouteSessions
// distinct session ids (as in /map?sessions=ID,ID); errcode.Invalid names
// what is wrong.
func ParseSessionIDs(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, errcode.New(errcode.Invalid, "sessions: expected a comma-separated list of session ids")
	}
	ids := strings.Split(list, ",")
	if len(ids) > MaxRouteSessions {
		return nil, errcode.New(errcode.Invalid, "sessions: expected at most %d session ids, got %d", MaxRouteSessions, len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			return nil, errcode.New(errcode.Invalid, "sessions: id %d of the list is empty", i+1)
		case seen[id]:
			return nil, errcode.New(errcode.Invalid, "sessions: %q is listed twice", id)
		}
		seen[id] = true
		ids[i] = id
	}
	return ids, nil
}

// Route orders the sessions by start and connects each to the next when
// both are on the same conference day (overnight nobody walks from one to
// the other). Unknown ids are errcode.NotFound; a session without a time or
// room is errcode.Invalid.
func (m *Model) Route(ids []string) (Route, error) {
	var r Route
	for _, id := range ids {
		s, ok := m.snap.Session(id)
		if !ok {
			return Route{}, errcode.New(errcode.NotFound, "no session with id %q", id)
		}
		if !s.Scheduled() {
			e := errcode.New(errcode.Invalid, "session %q has no time or room yet, so it has no place on a route", id)
			e.Unprocessable = true
			return Route{}, e
		}
		r.Sessions = append(r.Sessions, s)
	}
	slices.SortStableFunc(r.Sessions, func(a, b *conference.Session) int {
		return cmp.Or(a.Start.Compare(b.Start), a.End.Compare(b.End), strings.Compare(a.ID, b.ID))
	})
	for i := 1; i < len(r.Sessions); i++ {
		a, b := r.Sessions[i-1], r.Sessions[i]
		if m.snap.Day(a.Start) != m.snap.Day(b.Start) {
			continue
		}
		c, err := m.Connect(a.RoomID, b.RoomID, a.End, b.Start)
		if err != nil {
			return Route{}, err
		}
		r.Legs = append(r.Legs, RouteLeg{From: i - 1, To: i, Connection: c})
	}
	return r, nil
}

// RoomLonLat is where a room's trips begin on a map: its entrance as
// [lon,lat]; ok is false for an unknown room or an entrance without
// coordinates.
func (m *Model) RoomLonLat(roomID string) (lonLat [2]float64, ok bool) {
	i, found := m.roomIdx[roomID]
	if !found {
		return lonLat, false
	}
	e := &m.ents[m.roomEnt[i]]
	return e.lonLat, e.located
}

// VenueLonLat is a venue's main entrance as [lon,lat] (for a venue without
// coordinates of its own, those of a known venue of the same name); ok is
// false when neither is known.
func (m *Model) VenueLonLat(venueID string) (lonLat [2]float64, ok bool) {
	v, found := m.venueIdx[venueID]
	if !found {
		return lonLat, false
	}
	e := &m.ents[m.venueMainEnt[v]]
	return e.lonLat, e.located
}
