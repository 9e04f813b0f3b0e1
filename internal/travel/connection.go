package travel

import "time"

// TightMinutes is the slack below which a connection is tight: a queue at
// the door or a slow lift and the attendee is late.
const TightMinutes = 5

// Connection is the way between two sittings in a day: leaving the first
// room when the first sitting ends, to be in the second room by its start.
type Connection struct {
	// Trip leaves at the end of the first sitting.
	Trip Trip
	// LeaveBy is the latest departure that still arrives by the start (a
	// whole minute); when none does, it is the end of the first sitting.
	LeaveBy time.Time
	// Slack is the start minus the arrival of Trip, in whole minutes
	// (rounded down); negative when the trip arrives late.
	Slack int
	// Tight is true when Slack is under TightMinutes; Impossible when the
	// trip arrives after the start.
	Tight, Impossible bool
}

// Connect returns the connection from room fromRoom, free at end, to room
// toRoom by start. It is one Leg plus a binary search on the fast path, so
// pages can afford one per listed sitting. Unknown rooms are
// errcode.NotFound.
func (m *Model) Connect(fromRoom, toRoom string, end, start time.Time) (Connection, error) {
	trip, err := m.Leg(fromRoom, toRoom, end)
	if err != nil {
		return Connection{}, err
	}
	c := Connection{Trip: trip, LeaveBy: end, Slack: floorMinutes(start.Sub(trip.Arrive))}
	c.Impossible = trip.Arrive.After(start)
	c.Tight = c.Slack < TightMinutes
	if c.Impossible {
		return c, nil
	}
	from, _ := m.roomIdx[fromRoom]
	to, _ := m.roomIdx[toRoom]
	// The arrival must be at or before the start; a start between whole
	// minutes counts from the minute before it.
	deadline := int32(floorMinutes(start.Sub(m.origin)))
	// Leaving later never arrives earlier (FIFO), so arrival is monotonic
	// in the departure minute: find the last departure that is on time.
	lo, hi := m.Minute(end), deadline
	if m.ArriveBy(from, to, lo) > deadline {
		return c, nil // on time only thanks to a departure between minutes
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if m.ArriveBy(from, to, mid) <= deadline {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if t := m.Time(lo); t.After(end) {
		c.LeaveBy = t
	}
	return c, nil
}

func floorMinutes(d time.Duration) int {
	n := d / time.Minute
	if d < 0 && d%time.Minute != 0 {
		n--
	}
	return int(n)
}
