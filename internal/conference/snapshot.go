package conference

import (
	"slices"
	"time"
)

// Snapshot is an immutable, indexed view of one revision of a conference.
// It is shared by every reader without locks; a change builds a new one.
type Snapshot struct {
	Conf *Conference
	// Rev is the store revision the snapshot was loaded from.
	Rev int64
	Loc *time.Location

	venues   map[string]int
	rooms    map[string]int
	sessions map[string]int
	groups   map[string][]int // session indices by repeat group, by start
}

// NewSnapshot validates c and indexes it. c must not be modified afterwards.
// Warnings (see ValidateOptions) do not stop it.
func NewSnapshot(c *Conference, rev int64, opt ValidateOptions) (*Snapshot, error) {
	if probs := Validate(c, opt); hasError(probs) {
		return nil, &ValidationError{Problems: probs}
	}
	loc, err := LoadZone(c.TimeZone)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{
		Conf:     c,
		Rev:      rev,
		Loc:      loc,
		venues:   make(map[string]int, len(c.Venues)),
		rooms:    make(map[string]int, len(c.Rooms)),
		sessions: make(map[string]int, len(c.Sessions)),
		groups:   make(map[string][]int),
	}
	for i, v := range c.Venues {
		s.venues[v.ID] = i
	}
	for i, r := range c.Rooms {
		s.rooms[r.ID] = i
	}
	for i := range c.Sessions {
		se := &c.Sessions[i]
		s.sessions[se.ID] = i
		s.groups[se.Group()] = append(s.groups[se.Group()], i)
	}
	for _, list := range s.groups {
		slices.SortFunc(list, func(a, b int) int {
			return c.Sessions[a].Start.Compare(c.Sessions[b].Start)
		})
	}
	return s, nil
}

func hasError(probs []Problem) bool {
	for _, p := range probs {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Venue returns the venue with the id.
func (s *Snapshot) Venue(id string) (*Venue, bool) {
	i, ok := s.venues[id]
	if !ok {
		return nil, false
	}
	return &s.Conf.Venues[i], true
}

// Room returns the room with the id.
func (s *Snapshot) Room(id string) (*Room, bool) {
	i, ok := s.rooms[id]
	if !ok {
		return nil, false
	}
	return &s.Conf.Rooms[i], true
}

// Session returns the session with the id.
func (s *Snapshot) Session(id string) (*Session, bool) {
	i, ok := s.sessions[id]
	if !ok {
		return nil, false
	}
	return &s.Conf.Sessions[i], true
}

// SessionIndex returns the position of the session in Conf.Sessions.
func (s *Snapshot) SessionIndex(id string) (int, bool) {
	i, ok := s.sessions[id]
	return i, ok
}

// VenueOfRoom returns the venue a room is in.
func (s *Snapshot) VenueOfRoom(roomID string) (*Venue, bool) {
	r, ok := s.Room(roomID)
	if !ok {
		return nil, false
	}
	return s.Venue(r.VenueID)
}

// Sittings returns every sitting of a content (repeat group), by start.
func (s *Snapshot) Sittings(group string) []*Session {
	idx := s.groups[group]
	out := make([]*Session, len(idx))
	for i, j := range idx {
		out[i] = &s.Conf.Sessions[j]
	}
	return out
}

// Day returns the conference-zone civil date of an instant, YYYY-MM-DD.
func (s *Snapshot) Day(t time.Time) string { return t.In(s.Loc).Format(time.DateOnly) }

// Local returns the instant in the conference zone.
func (s *Snapshot) Local(t time.Time) time.Time { return t.In(s.Loc) }

// ReservableCapacity is the number of seats that can be reserved for a
// session: an explicit override, else the room's capacity minus the walk-up
// share for the session's type.
func (s *Snapshot) ReservableCapacity(se *Session) int {
	if se.Capacity != nil {
		return *se.Capacity
	}
	r, ok := s.Room(se.RoomID)
	if !ok {
		return 0
	}
	return r.Capacity - r.Capacity*WalkupPercent(se.Type)/100
}

// WalkupPercent is the default share of a room kept for the walk-up line:
// 10% for hands-on formats, 25% for talks.
func WalkupPercent(sessionType string) int {
	switch sessionType {
	case TypeWorkshop, TypeBuildersSession, TypeBootcamp:
		return 10
	}
	return 25
}
