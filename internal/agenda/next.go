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
}

// NextView is the answer to "what can I still reach from here".
type NextView struct {
	At        time.Time  `json:"at"`
	From      string     `json:"from"`
	FromGuess bool       `json:"fromGuessed,omitempty"` // from was not given: where the previous item was
	Reachable []NextItem `json:"reachable"`
}

// Next lists the sessions starting within 90 minutes after at that the
// attendee can still reach from a room or venue (default: the place of
// their previous item that day, else the conference's first venue), with
// the latest departure, travel and seats, by priority then start.
func (s *Service) Next(ctx context.Context, attendeeID, from string, at time.Time) (NextView, error) {
	st, err := s.state()
	if err != nil {
		return NextView{}, err
	}
	snap := st.Snap
	if at.IsZero() {
		at = s.d.Clock.Now()
	}
	in, err := s.gather(ctx, snap, attendeeID)
	if err != nil {
		return NextView{}, err
	}
	v := NextView{At: snap.Local(at), From: from, Reachable: []NextItem{}}
	if from == "" {
		acc, err := s.accepted(ctx, attendeeID)
		if err != nil {
			return v, err
		}
		items, _ := Current(snap, in, acc)
		v.From, v.FromGuess = PreviousPlace(snap, items, at), true
	} else if _, ok := snap.Room(from); !ok {
		if _, ok := snap.Venue(from); !ok {
			return v, errcode.New(errcode.Invalid, "from: %q is neither a room nor a venue", from)
		}
	}
	list, err := planner.Next(snap, st.Travel, v.From, at, in.Wishes, 0)
	if err != nil {
		return v, err
	}
	now := s.d.Clock.Now()
	for _, r := range list {
		r.Start, r.End = snap.Local(r.Start), snap.Local(r.End)
		it := NextItem{Session: r, LegMinutes: r.LegMinutes, Mode: r.Mode, Overflow: r.Overflow}
		if !r.LeaveBy.IsZero() {
			lb := snap.Local(r.LeaveBy)
			it.LeaveBy = &lb
		}
		if it.Overflow != nil {
			it.Overflow.LeaveBy = snap.Local(it.Overflow.LeaveBy)
		}
		se, _ := snap.Session(r.SessionID)
		it.Seats = s.seats(snap, se, in.Reserved[r.SessionID], now)
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

// PreviousPlace is where the attendee is at an instant: the room (or venue)
// of the latest item that day that began by then; else the first venue.
func PreviousPlace(snap *conference.Snapshot, items []planner.Item, at time.Time) string {
	day := snap.Day(at)
	place, best := "", time.Time{}
	for _, it := range items {
		start, room, venue := it.Start, it.RoomID, it.VenueID
		if se, ok := snap.Session(it.SessionID); ok {
			start, room = se.Start, se.RoomID
		}
		if start.After(at) || snap.Day(start) != day || (room == "" && venue == "") {
			continue
		}
		if place == "" || start.After(best) {
			place, best = room, start
			if place == "" {
				place = venue
			}
		}
	}
	if place == "" && len(snap.Conf.Venues) > 0 {
		place = snap.Conf.Venues[0].ID
	}
	return place
}
