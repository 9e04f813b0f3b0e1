package agenda

import "venuehop/internal/conference"

// How full a room is.
const (
	FillOpen    = "open"    // seats free
	FillFilling = "filling" // four in five seats taken
	FillFull    = "full"
)

// RoomFill is how full one room of a keynote is.
type RoomFill struct {
	RoomID   string `json:"roomId"`
	Capacity int    `json:"capacity"`
	People   int    `json:"people"` // estimated
	Status   string `json:"status"` // open | filling | full
}

// KeynoteFill estimates how full a keynote's hall and overflow rooms are
// from the badge scans at the keynote (checkedIn): the hall fills first,
// then the overflow rooms in the organizer's order. It is an estimate:
// overflow rooms are not scanned themselves.
func KeynoteFill(snap *conference.Snapshot, se *conference.Session, checkedIn int) (hall RoomFill, overflow map[string]RoomFill) {
	fill := func(roomID string, people int) RoomFill {
		f := RoomFill{RoomID: roomID}
		if r, ok := snap.Room(roomID); ok {
			f.Capacity = r.Capacity
		}
		f.People = min(max(people, 0), f.Capacity)
		switch {
		case f.Capacity > 0 && f.People >= f.Capacity:
			f.Status = FillFull
		case f.People*5 >= f.Capacity*4:
			f.Status = FillFilling
		default:
			f.Status = FillOpen
		}
		return f
	}
	hall = fill(se.RoomID, checkedIn)
	left := checkedIn - hall.Capacity
	overflow = map[string]RoomFill{}
	for _, id := range se.OverflowRoomIDs {
		f := fill(id, left)
		overflow[id] = f
		left -= f.Capacity
	}
	return hall, overflow
}

// keynoteFill is KeynoteFill with the engine's scans (none without it).
func (s *Service) keynoteFill(snap *conference.Snapshot, se *conference.Session) (RoomFill, map[string]RoomFill) {
	n := 0
	if s.d.Seats != nil {
		n, _ = s.d.Seats.CheckedIn(se.ID)
	}
	return KeynoteFill(snap, se, n)
}
