package agenda

import (
	"context"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/planner"
	"venuehop/internal/reservation"
)

// Seat statuses of a reachable session.
const (
	SeatReserved  = "reserved"  // the attendee holds a seat
	SeatAvailable = "available" // seats can be reserved
	SeatLimited   = "limited"   // few left
	SeatFull      = "full"      // none left to reserve; only the walk-up line
	SeatWalkup    = "walkup"    // no reservations (not reservable, or released): walk-up chance
)

// SeatInfo says how likely a seat is.
type SeatInfo struct {
	Status    string `json:"status"`
	Available int    `json:"available"`
	Capacity  int    `json:"capacity"`
}

// NextItem is one session the attendee can still reach.
type NextItem struct {
	Session    planner.Reachable     `json:"session"`
	LeaveBy    *time.Time            `json:"leaveBy,omitempty"`
	LegMinutes int                   `json:"legMinutes"`
	Mode       string                `json:"mode"`
	Seats      SeatInfo              `json:"seats"`
	Overflow   *planner.OverflowRoom `json:"overflow,omitempty"`
	// UseOverflow: the hall is full (or cannot be reached in time), go to
	// the overflow room instead.
	UseOverflow bool `json:"useOverflow,omitempty"`
	// Misses is the attendee's own item going there would make them miss
	// (also Session.Misses); such suggestions are listed apart.
	Misses *planner.Item `json:"misses,omitempty"`
	// Hall and Overflows, for a keynote: how full the hall and each
	// overflow room are (by travel time from here).
	Hall      *RoomFill  `json:"hall,omitempty"`
	Overflows []RoomFill `json:"overflows,omitempty"`
}

// NextView is the answer to "what can I still reach from here".
type NextView struct {
	At        time.Time  `json:"at"`
	From      string     `json:"from"`
	FromGuess bool       `json:"fromGuessed,omitempty"` // from was not given: where the plan puts the attendee
	Reachable []NextItem `json:"reachable"`
	// Next is the attendee's next item of the day after at, if any.
	Next *planner.Item `json:"next,omitempty"`
}

// Next lists the sessions starting within 90 minutes after at that the
// attendee can still reach from a room or venue (default: where their plan
// puts them, else the conference's first venue), around their own items
// (see planner.NextAround): with the latest departure, travel and seats,
// by priority then start. A suggestion that would make them miss one of
// their items says which (Misses).
func (s *Service) Next(ctx context.Context, attendeeID, from string, at time.Time) (NextView, error) {
	m, err := s.mine(ctx, attendeeID)
	if err != nil {
		return NextView{}, err
	}
	st, snap, in, items := m.st, m.st.Snap, m.in, m.items
	if at.IsZero() {
		at = s.d.Clock.Now()
	}
	v := NextView{At: snap.Local(at), From: from, Reachable: []NextItem{}}
	if from == "" {
		v.From, v.FromGuess = PlanPlace(snap, items, at), true
	} else if _, ok := snap.Room(from); !ok {
		if _, ok := snap.Venue(from); !ok {
			return v, errcode.New(errcode.Invalid, "from: %q is neither a room nor a venue", from)
		}
	}
	v.Next = nextItem(snap, items, at)
	list, err := planner.NextAround(snap, st.Travel, v.From, at, in.Wishes, items, 0)
	if err != nil {
		return v, err
	}
	now := s.d.Clock.Now()
	for _, r := range list {
		r.Start, r.End = snap.Local(r.Start), snap.Local(r.End)
		r.LeaveBy, r.Arrive = localTime(snap, r.LeaveBy), localTime(snap, r.Arrive)
		it := NextItem{Session: r, LegMinutes: r.LegMinutes, Mode: r.Mode, Overflow: r.Overflow, Misses: r.Misses}
		if !r.LeaveBy.IsZero() {
			lb := r.LeaveBy
			it.LeaveBy = &lb
		}
		for k := range it.Session.Overflows {
			o := &it.Session.Overflows[k]
			o.LeaveBy = localTime(snap, o.LeaveBy)
		}
		if it.Overflow != nil {
			it.Overflow.LeaveBy = snap.Local(it.Overflow.LeaveBy)
		}
		se, _ := snap.Session(r.SessionID)
		it.Seats = s.seats(snap, se, in.Reserved[r.SessionID], now)
		if len(se.OverflowRoomIDs) > 0 {
			hall, fills := s.keynoteFill(snap, se)
			it.Hall = &hall
			for _, o := range r.Overflows {
				it.Overflows = append(it.Overflows, fills[o.RoomID])
			}
			if hall.Status == FillFull {
				it.Seats.Status = SeatFull
			}
		}
		if it.Overflow != nil && (it.LeaveBy == nil || it.Seats.Status == SeatFull) {
			it.UseOverflow = true
			it.LegMinutes, it.Mode = it.Overflow.LegMinutes, it.Overflow.Mode
			lb := it.Overflow.LeaveBy
			it.LeaveBy = &lb
		}
		v.Reachable = append(v.Reachable, it)
	}
	return v, nil
}

func localTime(snap *conference.Snapshot, t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return snap.Local(t)
}

// seats tells the seat picture of a session for one attendee.
func (s *Service) seats(snap *conference.Snapshot, se *conference.Session, reserved bool, now time.Time) SeatInfo {
	info := SeatInfo{Status: SeatWalkup}
	if r, ok := snap.Room(se.RoomID); ok {
		info.Capacity = r.Capacity
	}
	switch {
	case reserved:
		info.Status = SeatReserved
		return info
	case !se.Reservable || s.d.Seats == nil:
		return info
	}
	c, ok := s.d.Seats.Count(se.ID)
	if !ok {
		return info
	}
	info.Capacity, info.Available = c.Capacity, c.Available()
	info.Status = reservation.Band(c.Capacity, c.Available(), c.Release, now)
	return info
}

// PlanPlace is where the attendee's plan puts them at an instant: the room
// (or venue) of the item in progress, else of the latest item that day
// that began by then, else of the day's next item; else the first venue.
func PlanPlace(snap *conference.Snapshot, items []planner.Item, at time.Time) string {
	day := snap.Day(at)
	place, best := "", time.Time{}
	next, nextStart := "", time.Time{}
	for _, it := range items {
		start, room, venue := it.Start, it.RoomID, it.VenueID
		if se, ok := snap.Session(it.SessionID); ok {
			start, room = se.Start, se.RoomID
		}
		where := room
		if where == "" {
			where = venue
		}
		if snap.Day(start) != day || where == "" {
			continue
		}
		if start.After(at) {
			if next == "" || start.Before(nextStart) {
				next, nextStart = where, start
			}
			continue
		}
		if place == "" || start.After(best) {
			place, best = where, start
		}
	}
	switch {
	case place != "":
		return place
	case next != "":
		return next
	case len(snap.Conf.Venues) > 0:
		return snap.Conf.Venues[0].ID
	}
	return ""
}

// nextItem is the attendee's first item of at's day that starts after at.
func nextItem(snap *conference.Snapshot, items []planner.Item, at time.Time) *planner.Item {
	var best *planner.Item
	for _, it := range items {
		if se, ok := snap.Session(it.SessionID); ok {
			it.Title, it.Start, it.End, it.RoomID = se.Title, se.Start, se.End, se.RoomID
		}
		if snap.Day(it.Start) != snap.Day(at) || !it.Start.After(at) {
			continue
		}
		if best == nil || it.Start.Before(best.Start) {
			it.Start, it.End = snap.Local(it.Start), snap.Local(it.End)
			c := it
			best = &c
		}
	}
	return best
}
