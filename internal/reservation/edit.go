package reservation

import (
	"context"
	"slices"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// SessionEdit is an organizer's change to one session; nil fields stay.
type SessionEdit struct {
	RoomID       *string    `json:"roomId"`
	Start        *time.Time `json:"start"`
	End          *time.Time `json:"end"`
	Capacity     *int       `json:"capacity"`
	Cancelled    *bool      `json:"cancelled"`
	RecordingURL *string    `json:"recordingUrl"`
}

// Change is one session's kind of change.
type Change struct {
	SessionID string     `json:"sessionId"`
	Kind      ChangeKind `json:"kind"`
}

// ChangeKind says how an organizer's change affects a session's
// attendees. The values are sent in the `change` event (docs/api.md):
// never rename one.
type ChangeKind string

const (
	ChangeMoved     ChangeKind = "moved"     // another room or other times
	ChangeCancelled ChangeKind = "cancelled" // cancelled or removed
	ChangeCapacity  ChangeKind = "capacity"  // the reservable capacity changed
)

// EditReport says what a conference change did to seats.
type EditReport struct {
	Rev                   int64    `json:"rev"`
	Changes               []Change `json:"changes"`
	ReservationsCancelled int      `json:"reservationsCancelled"`
	OffersMade            int      `json:"offersMade"`
	// Overlaps counts reservations that now overlap another of the same
	// attendee because a session moved; they are kept (a confirmed seat is
	// never taken away silently) and the attendees see it in their agenda.
	Overlaps int      `json:"overlaps"`
	Warnings []string `json:"warnings"`
}

// EditSession applies an organizer's change to one session: the new
// conference revision is stored, the live state swapped, and seats follow
// (a cancellation cancels the reservations, a capacity increase makes
// offers). No reservation is ever dropped by an edit: a room change whose
// capacity is below the seats already reserved keeps the reservations by
// setting the session's capacity to what is reserved (reported in
// Warnings); an explicit capacity below it is an errcode.Conflict error.
func (e *Engine) EditSession(ctx context.Context, sessionID string, edit SessionEdit) (EditReport, error) {
	r := &request{kind: kUpdate, baseRev: -1}
	r.update = func(c *conference.Conference, seats func(string) (int, int)) ([]string, error) {
		i := slices.IndexFunc(c.Sessions, func(s conference.Session) bool { return s.ID == sessionID })
		if i < 0 {
			return nil, errcode.New(errcode.NotFound, "no session with id %q", sessionID)
		}
		return applyEdit(c, &c.Sessions[i], edit, seats)
	}
	if err := e.call(ctx, r); err != nil {
		return EditReport{}, err
	}
	return r.report, nil
}

// ApplyConference replaces the whole conference (an import) if the stored
// revision is still baseRev, and brings the seats along as EditSession
// does. Sessions that disappear are treated as cancelled.
func (e *Engine) ApplyConference(ctx context.Context, c *conference.Conference, baseRev int64) (EditReport, error) {
	r := &request{kind: kUpdate, baseRev: baseRev}
	r.update = func(cur *conference.Conference, seats func(string) (int, int)) ([]string, error) {
		*cur = *c
		return nil, nil
	}
	if err := e.call(ctx, r); err != nil {
		return EditReport{}, err
	}
	return r.report, nil
}

func unprocessable(format string, args ...any) error {
	err := errcode.New(errcode.Invalid, format, args...)
	err.Unprocessable = true
	return err
}

func applyEdit(c *conference.Conference, se *conference.Session, edit SessionEdit, seats func(string) (int, int)) ([]string, error) {
	rooms := map[string]*conference.Room{}
	for i := range c.Rooms {
		rooms[c.Rooms[i].ID] = &c.Rooms[i]
	}
	if edit.RoomID != nil {
		if _, ok := rooms[*edit.RoomID]; !ok {
			return nil, unprocessable("roomId: no room with id %q", *edit.RoomID)
		}
		se.RoomID = *edit.RoomID
	}
	if edit.Start != nil {
		se.Start = edit.Start.UTC()
	}
	if edit.End != nil {
		se.End = edit.End.UTC()
	}
	if (edit.Start != nil || edit.End != nil) && !se.End.After(se.Start) {
		return nil, unprocessable("the session would end (%s) before it starts (%s)", se.End.Format(time.RFC3339), se.Start.Format(time.RFC3339))
	}
	if edit.RecordingURL != nil {
		se.RecordingURL = *edit.RecordingURL
	}
	if edit.Cancelled != nil {
		se.Cancelled = *edit.Cancelled
	}
	reserved, _ := seats(se.ID)
	if edit.Capacity != nil {
		n := *edit.Capacity
		if n < 0 {
			return nil, unprocessable("capacity must not be negative")
		}
		if rm, ok := rooms[se.RoomID]; ok && n > rm.Capacity {
			return nil, unprocessable("capacity %d exceeds the room's %d seats", n, rm.Capacity)
		}
		if n < reserved && !se.Cancelled {
			return nil, errcode.New(errcode.Conflict, "capacity %d is below the %d seats already reserved; confirmed seats are never taken away", n, reserved)
		}
		se.Capacity = &n
	}
	return nil, nil
}
