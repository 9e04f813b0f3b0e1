package calfeed

import (
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/formats"
	"venuehop/internal/live"
	"venuehop/internal/planner"
	"venuehop/internal/reservation"
	"venuehop/internal/travel"
)

// Agenda is what one attendee's feed is made of.
type Agenda struct {
	Reservations []reservation.Reservation
	Favorites    []account.Favorite
	Blocks       []account.Block
}

// Events turns an attendee's agenda into calendar entries: reservations
// (with the instant an unclaimed seat is released), favourites (the
// reserved sitting of a content if there is one, else the sitting starred
// through), personal blocks, and the trips between them that change venue
// as their own entries ("Walk to MGM Grand, 12 min"), computed by the
// planner's agenda analysis. Sessions no longer in the catalog are left
// out, so the calendar app deletes them; cancelled ones are marked so.
func Events(st *live.State, a Agenda, release func(*conference.Session) time.Time) []formats.ICalEvent {
	snap := st.Snap
	events := []formats.ICalEvent{}
	index := map[string]int{} // session id -> its entry in events
	var items []planner.Item
	groups := map[string]bool{} // contents with a reservation
	for _, r := range a.Reservations {
		se, ok := snap.Session(r.SessionID)
		if !ok || !se.Scheduled() || index[se.ID] > 0 {
			continue
		}
		e := formats.ICalEvent{SessionID: se.ID}
		switch r.Status {
		case reservation.StateActive:
			e.ReleaseAt = release(se)
			if !se.Cancelled {
				items = append(items, planner.Item{Kind: planner.KindReservation, SessionID: se.ID})
			}
		case reservation.StateLapsed:
			e.Note = "Reservation lapsed: the seat went to the walk-up line."
		case reservation.StateSessionCancelled:
			e.Note = "Your reservation was cancelled with the session."
		default:
			continue
		}
		groups[se.Group()] = true
		events = append(events, e)
		index[se.ID] = len(events)
	}
	for _, f := range a.Favorites {
		se, ok := snap.Session(f.SessionID)
		if !ok || !se.Scheduled() || groups[f.RepeatGroup] || index[se.ID] > 0 {
			continue
		}
		events = append(events, formats.ICalEvent{SessionID: se.ID, Note: "Favourite (" + string(f.Priority) + ")"})
		index[se.ID] = len(events)
		if !se.Cancelled {
			items = append(items, planner.Item{Kind: planner.KindSession, SessionID: se.ID})
		}
	}
	for _, b := range a.Blocks {
		events = append(events, formats.ICalEvent{Block: &formats.ICalBlock{ID: b.ID, Title: b.Title, Start: b.Start, End: b.End, VenueID: b.VenueID}})
		items = append(items, planner.Item{Kind: planner.KindBlock, Title: b.Title, Start: b.Start, End: b.End, VenueID: b.VenueID})
	}
	if len(items) < 2 || st.Travel == nil {
		return events
	}
	ag, err := planner.Analyze(snap, st.Travel, items, planner.DefaultOptions())
	if err != nil {
		return events // the agenda is still worth having without trips
	}
	for _, day := range ag.Days {
		for i, leg := range day.Legs {
			to := day.Items[i+1]
			at, ok := index[to.SessionID]
			if !ok || to.SessionID == "" || leg.Status == planner.StatusImpossible || !leg.Arrive.After(leg.Depart) {
				continue
			}
			switch leg.Mode {
			case travel.ModeWalk, travel.ModeShuttle, travel.ModeMonorail:
			default:
				continue // inside one venue, or a place unknown
			}
			from := ""
			if fi := day.Items[i]; fi.SessionID != "" {
				if s, ok := snap.Session(fi.SessionID); ok {
					from = s.RoomID
				}
			}
			events[at-1].Travel = &formats.ICalTravel{Mode: leg.Mode, FromRoomID: from, Depart: leg.Depart, Arrive: leg.Arrive}
		}
	}
	return events
}

// PlanEvents turns an attendee's week as My week shows it (priority: the
// favourites' priorities by repeat group) (their accepted
// plan, or their seats, blocks, keynotes and the favourites that fit) into
// calendar entries: each session (with the release instant of a seat),
// each block, and each trip that changes venue as its own entry from the
// latest departure to the arrival, with a reminder when it is time to
// leave. Favourites outside the plan are added only when asked (extra,
// marked as such, without trips). Cancelled sessions are marked so.
func PlanEvents(st *live.State, week planner.Agenda, priority map[string]string, release func(*conference.Session) time.Time, extra []account.Favorite) []formats.ICalEvent {
	snap := st.Snap
	events := []formats.ICalEvent{}
	index := map[string]int{} // session id -> its entry in events (+1)
	groups := map[string]bool{}
	for _, day := range week.Days {
		for i, it := range day.Items {
			if it.Kind == planner.KindBlock {
				events = append(events, formats.ICalEvent{Block: &formats.ICalBlock{ID: firstOf(it.BlockID, it.Title+it.Start.String()),
					Title: it.Title, Start: it.Start, End: it.End, VenueID: it.VenueID}})
				continue
			}
			se, ok := snap.Session(it.SessionID)
			if !ok || !se.Scheduled() || index[se.ID] > 0 {
				continue
			}
			e := formats.ICalEvent{SessionID: se.ID, Note: "In your plan"}
			if p := priority[se.Group()]; p != "" {
				e.Note += " (" + p + ")"
			}
			switch it.Kind {
			case planner.KindReservation:
				e.Note, e.ReleaseAt = "Your seat", release(se)
			case planner.KindKeynote:
				e.Note = "Your keynote"
			}
			if i > 0 {
				e.Travel = feedTrip(snap, day.Items[i-1], day.Legs[i-1])
			}
			groups[se.Group()] = true
			events = append(events, e)
			index[se.ID] = len(events)
		}
	}
	for _, f := range extra {
		se, ok := snap.Session(f.SessionID)
		if !ok || !se.Scheduled() || groups[se.Group()] || index[se.ID] > 0 {
			continue
		}
		events = append(events, formats.ICalEvent{SessionID: se.ID, Note: "Favourite (" + string(f.Priority) + "), not in your plan"})
		index[se.ID] = len(events)
	}
	return events
}

// feedTrip is the trip before a session as its own entry, or nil when it
// stays inside a venue, a place is unknown or it cannot be made.
func feedTrip(snap *conference.Snapshot, from planner.Item, leg planner.Leg) *formats.ICalTravel {
	switch leg.Mode {
	case travel.ModeWalk, travel.ModeShuttle, travel.ModeMonorail:
	default:
		return nil
	}
	if leg.LeaveBy.IsZero() || !leg.LeaveByArrive.After(leg.LeaveBy) {
		return nil
	}
	room := from.RoomID
	if s, ok := snap.Session(from.SessionID); ok {
		room = s.RoomID
	}
	return &formats.ICalTravel{Mode: leg.Mode, FromRoomID: room, Depart: leg.LeaveBy, Arrive: leg.LeaveByArrive,
		Alarm: true, LeaveBy: true}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
