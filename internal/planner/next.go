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
	// only an overflow room of a keynote can be reached.
	LeaveBy    time.Time `json:"leaveBy,omitzero"`
	LegMinutes int       `json:"legMinutes"`
	Mode       string    `json:"mode"`
	// Overflow is, for a keynote, the overflow room reachable soonest (to
	// use when the hall is full).
	Overflow *OverflowRoom `json:"overflow,omitempty"`
}

// OverflowRoom is where a keynote can be watched live.
type OverflowRoom struct {
	RoomID     string    `json:"roomId"`
	VenueID    string    `json:"venueId"`
	LeaveBy    time.Time `json:"leaveBy"`
	LegMinutes int       `json:"legMinutes"`
	Mode       string    `json:"mode"`
}

// Next lists the sessions starting within the window after at that can be
// reached from a room (or a venue: its first room) leaving at at: with the
// latest departure, the trip's minutes and mode. Favourites come first by
// priority, then by start. Seats are the caller's to add.
func Next(snap *conference.Snapshot, tm *travel.Model, from string, at time.Time, wishes []Wish, within time.Duration) ([]Reachable, error) {
	if within <= 0 {
		within = DefaultNextWindow
	}
	p := &problem{snap: snap, tm: tm}
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
		start := tm.Minute(se.Start)
		r := Reachable{SessionID: se.ID, Title: se.Title, Type: se.Type, Start: se.Start, End: se.End,
			RoomID: se.RoomID, VenueID: snap.Conf.Rooms[room].VenueID, Priority: prio[se.Group()]}
		hall := tm.ArriveBy(fromRoom, room, dep) <= start
		if hall {
			r.LeaveBy, r.LegMinutes, r.Mode = leaveBy(snap, tm, fromRoom, room, dep, start)
		}
		if se.Type == conference.TypeKeynote || len(se.OverflowRoomIDs) > 0 {
			best, bestArr := int32(-1), int32(0)
			for _, id := range se.OverflowRoomIDs {
				o, ok := tm.RoomIndex(id)
				if !ok {
					continue
				}
				if arr := tm.ArriveBy(fromRoom, o, dep); arr <= start && (best < 0 || arr < bestArr) {
					best, bestArr = o, arr
				}
			}
			if best >= 0 {
				lb, mins, mode := leaveBy(snap, tm, fromRoom, best, dep, start)
				r.Overflow = &OverflowRoom{RoomID: snap.Conf.Rooms[best].ID, VenueID: snap.Conf.Rooms[best].VenueID,
					LeaveBy: lb, LegMinutes: mins, Mode: mode}
			}
		}
		if hall || r.Overflow != nil {
			out = append(out, r)
		}
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
