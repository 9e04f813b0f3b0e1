package web

import (
	"net/http"
	"time"

	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/live"
	"venuehop/internal/planner"
)

// watchLead is how long before a keynote the trips to its rooms are
// planned from (or now, if later).
const watchLead = 90 * time.Minute

// addWatchRooms gives a keynote's page (a session with overflow rooms)
// where to watch it: the hall and the overflow rooms by travel time from
// where the attendee is (?from=, else where their plan puts them before
// it, else the hall), each with a route link and how full it is.
func (s *Server) addWatchRooms(r *http.Request, st *live.State, se *conference.Session, plan []planner.Item, now time.Time, v *sessionView) {
	if len(se.OverflowRoomIDs) == 0 || !se.Scheduled() || v.Ended {
		return
	}
	snap := st.Snap
	from := r.URL.Query().Get("from")
	if _, ok := snap.Room(from); !ok {
		if _, ok := snap.Venue(from); !ok {
			from = ""
		}
	}
	if from == "" && len(plan) > 0 {
		from = agenda.PlanPlace(snap, plan, se.Start.Add(-time.Minute))
	}
	if from == "" {
		from = se.RoomID
	}
	at := se.Start.Add(-watchLead)
	if now.After(at) {
		at = now
	}
	if at.After(se.Start) {
		at = se.Start
	}
	rooms, err := planner.Overflows(snap, st.Travel, se.ID, from, at)
	if err != nil {
		return
	}
	checked := 0
	if s.seats != nil {
		checked, _ = s.seats.CheckedIn(se.ID)
	}
	hall, fills := agenda.KeynoteFill(snap, se, checked)
	ordered := make([]agenda.RoomFill, len(rooms))
	for i, o := range rooms {
		ordered[i] = fills[o.RoomID]
	}
	fromRoom := from
	if _, ok := snap.Room(from); !ok {
		fromRoom = roomOfItem(snap, planner.Item{VenueID: from})
	}
	k := newKeynoteRooms(snap, se.ID, fromRoom, at, hall, rooms, ordered)
	if c, err := st.Travel.Connect(fromRoom, se.RoomID, at, se.Start); err == nil && !c.Impossible {
		n := newTravelNote(snap, st.Travel, fromRoom, se.RoomID, se.Start, c, "")
		k.Hall.InTime, k.Hall.Minutes, k.Hall.Mode, k.Hall.LeaveBy = true, n.Minutes, n.Mode, n.LeaveBy
	}
	v.Watch, v.From, v.Places = k, from, venueOptions(snap)
}

// venueOptions are the venues and their rooms, for an "I am at" choice.
func venueOptions(snap *conference.Snapshot) []venueOption {
	var out []venueOption
	for _, ve := range snap.Conf.Venues {
		vo := venueOption{ID: ve.ID, Name: ve.Name}
		for _, rm := range snap.Conf.Rooms {
			if rm.VenueID == ve.ID {
				vo.Rooms = append(vo.Rooms, vocabValue{rm.ID, rm.Name})
			}
		}
		out = append(out, vo)
	}
	return out
}
