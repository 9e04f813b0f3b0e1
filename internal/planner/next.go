package planner

import (
	"cmp"
	"slices"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/travel"
)

// DefaultNextWindow is how far ahead Next looks.
const DefaultNextWindow = 90 * time.Minute

// Reachable is a session starting soon that can still be reached in time.
type Reachable struct {
	SessionID string    `json:"sessionId"`
	Title     string    `json:"title"`
	Type      string    `json:"type"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	RoomID    string    `json:"roomId"`
	VenueID   string    `json:"venueId"`
	Priority  string    `json:"priority,omitempty"` // the attendee's, if a favourite
	// LeaveBy is the latest departure that arrives by the start; zero when
	// only an overflow room of a keynote can be reached. Arrive is when
	// that departure arrives (the same trip).
	LeaveBy    time.Time `json:"leaveBy,omitzero"`
	Arrive     time.Time `json:"arrive,omitzero"`
	LegMinutes int       `json:"legMinutes"`
	Mode       string    `json:"mode"`
	// FromRoomID is where the trip starts: the place asked about, or the
	// item of the attendee's own that comes first (After).
	FromRoomID string `json:"fromRoomId,omitempty"`
	// InPlan: it is one of the attendee's own items.
	InPlan bool `json:"inPlan,omitempty"`
	// After is the attendee's item that ends before it starts, after now:
	// the trip leaves from there.
	After *Item `json:"after,omitempty"`
	// Misses is the attendee's item they would miss by going: it overlaps,
	// or cannot be reached in time from it.
	Misses *Item `json:"misses,omitempty"`
	// Overflow is, for a keynote, the overflow room reachable soonest (to
	// use when the hall is full); Overflows lists every overflow room by
	// travel time, reachable in time or not.
	Overflow  *OverflowRoom  `json:"overflow,omitempty"`
	Overflows []OverflowRoom `json:"overflows,omitempty"`
}

// OverflowRoom is where a keynote can be watched live.
type OverflowRoom struct {
	RoomID     string    `json:"roomId"`
	VenueID    string    `json:"venueId"`
	LeaveBy    time.Time `json:"leaveBy,omitzero"`
	LegMinutes int       `json:"legMinutes"`
	Mode       string    `json:"mode"`
	// InTime: it can be reached by the start.
	InTime bool `json:"inTime"`
}

// Next lists the sessions starting within the window after at that can be
// reached from a room (or a venue: its first room) leaving at at: with the
// latest departure, the trip's minutes and mode. Favourites come first by
// priority, then by start. Seats are the caller's to add.
func Next(snap *conference.Snapshot, tm *travel.Model, from string, at time.Time, wishes []Wish, within time.Duration) ([]Reachable, error) {
	return NextAround(snap, tm, from, at, wishes, nil, within)
}

// NextAround is Next around the attendee's own items (reservations, blocks,
// keynotes, the accepted plan's sittings): a session after one of them
// that comes first is reached from it when it ends (After); a session that
// overlaps one, or from which the next one cannot be reached in time, says
// which it would make the attendee miss (Misses). Their own items are
// marked InPlan.
func NextAround(snap *conference.Snapshot, tm *travel.Model, from string, at time.Time, wishes []Wish, items []Item, within time.Duration) ([]Reachable, error) {
	if within <= 0 {
		within = DefaultNextWindow
	}
	p := &problem{snap: snap, tm: tm, opt: DefaultOptions()}
	fromRoom, _, err := p.roomOf(from, "")
	if err != nil {
		if fromRoom, _, err = p.roomOf("", from); err != nil || fromRoom < 0 {
			return nil, errcode.New(errcode.Invalid, "from: %q is neither a room nor a venue", from)
		}
	}
	prio := map[string]string{}
	for _, w := range wishes {
		if se, ok := snap.Session(w.SessionID); ok && priorityRank(w.Priority) >= 0 {
			if old, ok := prio[se.Group()]; !ok || priorityRank(w.Priority) < priorityRank(old) {
				prio[se.Group()] = w.Priority
			}
		}
	}
	mine, err := p.ownItems(items, at)
	if err != nil {
		return nil, err
	}
	dep := tm.Minute(at)
	until := at.Add(within)
	var out []Reachable
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if !se.Scheduled() || se.Cancelled || se.Start.Before(at) || se.Start.After(until) {
			continue
		}
		room, ok := tm.RoomIndex(se.RoomID)
		if !ok {
			continue
		}
		start, end := tm.Minute(se.Start), tm.Minute(se.End)
		r := Reachable{SessionID: se.ID, Title: se.Title, Type: se.Type, Start: se.Start, End: se.End,
			RoomID: se.RoomID, VenueID: snap.Conf.Rooms[room].VenueID, Priority: prio[se.Group()]}
		// Where the trip starts: here now, or the own item that ends
		// before this starts (after now), when it ends.
		depRoom, depAt := fromRoom, dep
		var next *resolvedFixed
		for k := range mine {
			m := &mine[k]
			switch {
			case m.SessionID == se.ID:
				r.InPlan = true
			case m.start < end && start < m.end:
				if r.Misses == nil { // the first it overlaps
					r.Misses = &m.Item
				}
			case m.end <= start && m.end > dep:
				r.After, depAt = &m.Item, m.end
				if m.room >= 0 {
					depRoom = m.room
				}
			case m.start >= end && next == nil:
				next = m
			}
		}
		r.FromRoomID = snap.Conf.Rooms[depRoom].ID
		hall := tm.ArriveBy(depRoom, room, depAt) <= start
		if hall {
			r.LeaveBy, r.LegMinutes, r.Mode = leaveBy(snap, tm, depRoom, room, depAt, start)
			r.Arrive = r.LeaveBy.Add(time.Duration(r.LegMinutes) * time.Minute)
		}
		if se.Type == conference.TypeKeynote || len(se.OverflowRoomIDs) > 0 {
			r.Overflows = overflows(snap, tm, se, depRoom, depAt, start)
			for k := range r.Overflows {
				if o := &r.Overflows[k]; o.InTime && r.Overflow == nil {
					r.Overflow = o
				}
			}
		}
		if !hall && r.Overflow == nil {
			continue
		}
		if r.Misses == nil && next != nil && !r.InPlan {
			// Going, can the attendee still make their next item?
			target := next.room
			if target < 0 {
				target = room // a block without a place happens where they are
			}
			arrive := tm.ArriveBy(room, target, end)
			if arrive > next.start || (next.Reserved && next.sess >= 0 && arrive >= next.start-int32(DefaultReleaseLeadMinutes)) {
				r.Misses = &next.Item
			}
		}
		out = append(out, r)
	}
	rank := func(p string) int {
		if r := priorityRank(p); r >= 0 {
			return r
		}
		return 3
	}
	slices.SortStableFunc(out, func(a, b Reachable) int {
		return cmp.Or(cmp.Compare(rank(a.Priority), rank(b.Priority)), a.Start.Compare(b.Start), cmp.Compare(a.SessionID, b.SessionID))
	})
	return out, nil
}

// ownItems resolves the attendee's items of at's day, by start.
func (p *problem) ownItems(items []Item, at time.Time) ([]resolvedFixed, error) {
	day := p.snap.Day(at)
	var out []resolvedFixed
	for _, it := range items {
		r, err := p.resolveItem(it)
		if err != nil {
			return nil, err
		}
		if r.Kind == KindReservation {
			r.Reserved = true
		}
		if p.snap.Day(r.Start) == day && !r.End.IsZero() {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b resolvedFixed) int { return cmp.Compare(a.start, b.start) })
	return out, nil
}

// overflows lists a keynote's overflow rooms by arrival from a room leaving
// at a minute, each with its latest departure when it is reachable in time.
func overflows(snap *conference.Snapshot, tm *travel.Model, se *conference.Session, from, dep, start int32) []OverflowRoom {
	type cand struct {
		room   int32
		arrive int32
	}
	var cs []cand
	for _, id := range se.OverflowRoomIDs {
		if o, ok := tm.RoomIndex(id); ok {
			cs = append(cs, cand{o, tm.ArriveBy(from, o, dep)})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return cmp.Compare(a.arrive, b.arrive) })
	out := make([]OverflowRoom, 0, len(cs))
	for _, c := range cs {
		o := OverflowRoom{RoomID: snap.Conf.Rooms[c.room].ID, VenueID: snap.Conf.Rooms[c.room].VenueID,
			LegMinutes: int(c.arrive - dep), InTime: c.arrive <= start}
		if o.InTime {
			o.LeaveBy, o.LegMinutes, o.Mode = leaveBy(snap, tm, from, c.room, dep, start)
		} else if trip, err := tm.Leg(snap.Conf.Rooms[from].ID, o.RoomID, tm.Time(dep)); err == nil {
			o.Mode = trip.Mode
		}
		out = append(out, o)
	}
	// By the trip the attendee takes: leaving at the latest departure.
	slices.SortStableFunc(out, func(a, b OverflowRoom) int { return cmp.Compare(a.LegMinutes, b.LegMinutes) })
	return out
}

// Overflows lists a keynote's overflow rooms by travel time from a room or
// venue leaving at an instant (for its page): each with the latest
// departure that arrives by the start, when there is one.
func Overflows(snap *conference.Snapshot, tm *travel.Model, sessionID, from string, at time.Time) ([]OverflowRoom, error) {
	p := &problem{snap: snap, tm: tm}
	se, ok := snap.Session(sessionID)
	if !ok || !se.Scheduled() {
		return nil, errcode.New(errcode.NotFound, "no scheduled session %q", sessionID)
	}
	fromRoom, _, err := p.roomOf(from, "")
	if err != nil || fromRoom < 0 {
		if fromRoom, _, err = p.roomOf("", from); err != nil || fromRoom < 0 {
			return nil, errcode.New(errcode.Invalid, "from: %q is neither a room nor a venue", from)
		}
	}
	return overflows(snap, tm, se, fromRoom, tm.Minute(at), tm.Minute(se.Start)), nil
}

// leaveBy finds the latest departure minute that still arrives by start
// (travel is FIFO, so a binary search is exact), with that trip's length
// and mode.
func leaveBy(snap *conference.Snapshot, tm *travel.Model, from, to, dep, start int32) (time.Time, int, string) {
	lo, hi := dep, start // ArriveBy(lo) <= start holds
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if tm.ArriveBy(from, to, mid) <= start {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	mode := travel.ModeInside
	if trip, err := tm.Leg(snap.Conf.Rooms[from].ID, snap.Conf.Rooms[to].ID, tm.Time(lo)); err == nil {
		mode = trip.Mode
	}
	return tm.Time(lo), int(tm.ArriveBy(from, to, lo) - lo), mode
}
