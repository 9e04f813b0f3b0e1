// Package travel answers "how long from this room to that one, leaving at
// this time": walking inside a venue, outdoor walks, waiting for and riding
// shuttles or the monorail, with traffic by time of day.
//
// Compile turns a conference's travel model (or, without one, an estimate
// from venue coordinates) into precomputed tables: for every conference day,
// every pair of entrances and every minute of the day, the earliest arrival
// over all modes and the route that achieves it. A query is then two table
// lookups plus the walks between rooms and entrances.
//
// Every travel function here is FIFO: leaving later never arrives earlier.
// Waiting at a stop is part of the trip, and ride times are smoothed so that
// traffic clears no faster than the clock runs.
package travel

import (
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// Modes of a trip and of its steps.
const (
	ModeInside   = "inside"
	ModeWalk     = "walk"
	ModeWait     = "wait"
	ModeShuttle  = "shuttle"
	ModeMonorail = "monorail"
)

// Trip is the fastest way from one room to another for one departure.
type Trip struct {
	Depart  time.Time `json:"depart"`
	Arrive  time.Time `json:"arrive"`
	Minutes int       `json:"minutes"`
	// Mode is inside (same venue), walk, shuttle or monorail.
	Mode string `json:"mode"`
	// Estimate is true when any part of the trip comes from the fallback
	// (no travel model, or a pair the model leaves unconnected).
	Estimate bool   `json:"estimate"`
	Steps    []Step `json:"legs"`
}

// Step is one part of a trip. FromID and ToID are room, entrance or stop
// ids. Path is shared with the model: callers must not modify it.
type Step struct {
	Mode    string       `json:"mode"`
	FromID  string       `json:"fromId"`
	ToID    string       `json:"toId"`
	Depart  time.Time    `json:"depart"`
	Arrive  time.Time    `json:"arrive"`
	Minutes int          `json:"minutes"`
	Meters  int          `json:"meters"`
	Path    [][2]float64 `json:"path,omitempty"`
}

// Model is a compiled travel model for one conference snapshot. It is
// immutable and safe for concurrent use.
//
// Time in the fast path is the conference minute: whole minutes since
// midnight (conference zone) at the start of the first conference day; see
// Minute and Time. Rooms in the fast path are their positions in
// snapshot.Conf.Rooms; see RoomIndex.
type Model struct {
	snap     *conference.Snapshot
	source   *conference.TravelModel // the model compiled (synthetic for the fallback)
	estimate bool
	// walkFactor scales every walking minute (1 = the model's speed); the
	// variants for other factors are compiled on demand and shared.
	walkFactor float64
	variants   *variants
	origin     time.Time // midnight of the first day, in the conference zone

	days []day
	nEnt int
	ents []entrance

	roomIdx    map[string]int32
	roomVenue  []int32
	roomEnt    []int32
	roomAccess []int32
	roomLevel  []int32 // noLevel when unknown
	roomLevelS []string

	venueIdx       map[string]int32
	venueMainEnt   []int32
	venueSame      []int32
	venueLevelStep []int32

	edges  []edge
	routes []route
	stops  []stop
	lines  []line

	// Per day, [from][to][minute]: arrival minute after the day's midnight
	// at the destination entrance, and the route taken.
	arrive []int16
	route  []uint16
	// Outside the conference days nothing runs: [from][to] walk minutes.
	offMinutes []int32
	offRoute   []uint16
}

type day struct {
	date   string
	offset int32 // conference minute of the day's midnight
	length int32 // minutes in the day (1440 except on DST changes)
	base   int   // index of the day's first cell in arrive/route
}

type entrance struct {
	id      string
	venue   int32
	lonLat  [2]float64
	located bool
}

const noLevel = -1 << 20

// Estimate reports whether the model is the fallback estimate.
func (m *Model) Estimate() bool { return m.estimate }

// Source is the travel model that was compiled: the conference's own, or
// the synthetic one built for the fallback. Callers must not modify it.
func (m *Model) Source() *conference.TravelModel { return m.source }

// RoomIndex returns the fast-path index of a room (its position in
// snapshot.Conf.Rooms).
func (m *Model) RoomIndex(roomID string) (int32, bool) {
	i, ok := m.roomIdx[roomID]
	return i, ok
}

// Minute returns the conference minute of t, rounded up: a trip cannot
// start before the instant it is asked for.
func (m *Model) Minute(t time.Time) int32 {
	d := t.Sub(m.origin)
	min := d / time.Minute
	if d%time.Minute > 0 {
		min++
	}
	return int32(min)
}

// Time returns the instant of a conference minute.
func (m *Model) Time(minute int32) time.Time {
	return m.origin.Add(time.Duration(minute) * time.Minute)
}

// ArriveBy is the planner's fast path: the conference minute of arrival in
// room toRoom when leaving room fromRoom at departMinute, by the fastest
// way. Both rooms are RoomIndex values and must be valid; it allocates
// nothing and takes a few nanoseconds.
func (m *Model) ArriveBy(fromRoom, toRoom int32, departMinute int32) int32 {
	if fromRoom == toRoom {
		return departMinute
	}
	if m.roomVenue[fromRoom] == m.roomVenue[toRoom] {
		return departMinute + m.inside(fromRoom, toRoom)
	}
	at := departMinute + m.roomAccess[fromRoom]
	arr, _ := m.entranceArrive(m.roomEnt[fromRoom], m.roomEnt[toRoom], at)
	return arr + m.roomAccess[toRoom]
}

// Leg returns the fastest trip from one room to another leaving at
// departAt, with its steps. Unknown rooms are errcode.NotFound.
func (m *Model) Leg(fromRoom, toRoom string, departAt time.Time) (Trip, error) {
	from, ok := m.roomIdx[fromRoom]
	if !ok {
		return Trip{}, errcode.New(errcode.NotFound, "unknown room %q", fromRoom)
	}
	to, ok := m.roomIdx[toRoom]
	if !ok {
		return Trip{}, errcode.New(errcode.NotFound, "unknown room %q", toRoom)
	}
	trip := Trip{Depart: departAt, Mode: ModeInside, Estimate: m.estimate}
	if from == to {
		trip.Arrive = departAt
		return trip, nil
	}
	dm := m.Minute(departAt)
	if m.roomVenue[from] == m.roomVenue[to] {
		arr := dm + m.inside(from, to)
		trip.Arrive = m.Time(arr)
		trip.Minutes = ceilMinutes(trip.Arrive.Sub(departAt))
		trip.Steps = []Step{{Mode: ModeInside, FromID: fromRoom, ToID: toRoom,
			Depart: departAt, Arrive: trip.Arrive, Minutes: trip.Minutes}}
		return trip, nil
	}
	eFrom, eTo := m.roomEnt[from], m.roomEnt[to]
	at := dm + m.roomAccess[from]
	arr, rid := m.entranceArrive(eFrom, eTo, at)
	r := &m.routes[rid]
	trip.Steps = make([]Step, 0, r.steps+2)
	trip.Steps = append(trip.Steps, Step{Mode: ModeInside, FromID: fromRoom, ToID: m.ents[eFrom].id,
		Depart: departAt, Arrive: m.Time(at), Minutes: int(m.roomAccess[from])})
	trip.Steps = m.replay(trip.Steps, r, at)
	end := arr + m.roomAccess[to]
	trip.Steps = append(trip.Steps, Step{Mode: ModeInside, FromID: m.ents[eTo].id, ToID: toRoom,
		Depart: m.Time(arr), Arrive: m.Time(end), Minutes: int(m.roomAccess[to])})
	trip.Arrive = m.Time(end)
	trip.Minutes = ceilMinutes(trip.Arrive.Sub(departAt))
	trip.Mode = r.mode
	trip.Estimate = trip.Estimate || r.estimate
	return trip, nil
}

// Between is the trip from a venue's main entrance (its first) to
// another's: door to door, without the walks inside.
func (m *Model) Between(fromVenue, toVenue string, departAt time.Time) (Trip, error) {
	vf, ok := m.venueIdx[fromVenue]
	if !ok {
		return Trip{}, errcode.New(errcode.NotFound, "unknown venue %q", fromVenue)
	}
	vt, ok := m.venueIdx[toVenue]
	if !ok {
		return Trip{}, errcode.New(errcode.NotFound, "unknown venue %q", toVenue)
	}
	if vf == vt {
		return Trip{Depart: departAt, Arrive: departAt, Mode: ModeInside, Estimate: m.estimate}, nil
	}
	return m.doorToDoor(m.venueMainEnt[vf], m.venueMainEnt[vt], departAt), nil
}

// BetweenEntrances is the trip from one entrance to another (ids of the
// model's entrances, or venue ids for a venue's main door).
func (m *Model) BetweenEntrances(from, to string, departAt time.Time) (Trip, error) {
	a, ok := m.entranceIndex(from)
	if !ok {
		return Trip{}, errcode.New(errcode.NotFound, "unknown entrance %q", from)
	}
	b, ok := m.entranceIndex(to)
	if !ok {
		return Trip{}, errcode.New(errcode.NotFound, "unknown entrance %q", to)
	}
	if a == b {
		return Trip{Depart: departAt, Arrive: departAt, Mode: ModeInside, Estimate: m.estimate}, nil
	}
	return m.doorToDoor(a, b, departAt), nil
}

func (m *Model) entranceIndex(id string) (int32, bool) {
	for i, e := range m.ents {
		if e.id == id {
			return int32(i), true
		}
	}
	if v, ok := m.venueIdx[id]; ok {
		return m.venueMainEnt[v], true
	}
	return 0, false
}

func (m *Model) doorToDoor(from, to int32, departAt time.Time) Trip {
	trip := Trip{Depart: departAt, Estimate: m.estimate}
	at := m.Minute(departAt)
	arr, rid := m.entranceArrive(from, to, at)
	r := &m.routes[rid]
	trip.Steps = m.replay(make([]Step, 0, r.steps), r, at)
	if len(trip.Steps) > 0 {
		trip.Steps[0].Depart = departAt
	}
	trip.Arrive = m.Time(arr)
	trip.Minutes = ceilMinutes(trip.Arrive.Sub(departAt))
	trip.Mode = r.mode
	trip.Estimate = trip.Estimate || r.estimate
	return trip
}

// inside is the walk between two rooms of one venue: a base plus a cost per
// level between them, never more than out through the entrances and back.
func (m *Model) inside(a, b int32) int32 {
	v := m.roomVenue[a]
	levels := int32(0)
	la, lb := m.roomLevel[a], m.roomLevel[b]
	switch {
	case la != noLevel && lb != noLevel:
		levels = la - lb
		if levels < 0 {
			levels = -levels
		}
	case m.roomLevelS[a] != m.roomLevelS[b]:
		levels = 1
	}
	walk := m.venueSame[v] + levels*m.venueLevelStep[v]
	if via := m.roomAccess[a] + m.roomAccess[b]; via < walk {
		walk = via
	}
	return walk
}

// entranceArrive looks up the earliest arrival (conference minute) at
// entrance to when leaving entrance from at conference minute at.
func (m *Model) entranceArrive(from, to int32, at int32) (int32, uint16) {
	for i := range m.days {
		d := &m.days[i]
		if at >= d.offset && at < d.offset+d.length {
			idx := d.base + (int(from)*m.nEnt+int(to))*int(d.length) + int(at-d.offset)
			return d.offset + int32(m.arrive[idx]), m.route[idx]
		}
	}
	k := int(from)*m.nEnt + int(to)
	return at + m.offMinutes[k], m.offRoute[k]
}

// dayAt returns the conference day holding a conference minute, or -1.
func (m *Model) dayAt(at int32) int {
	for i := range m.days {
		if d := &m.days[i]; at >= d.offset && at < d.offset+d.length {
			return i
		}
	}
	return -1
}

func ceilMinutes(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Minute - 1) / time.Minute)
}
