package web

import (
	"net/http"
	"net/url"

	"venuehop/internal/catalog"
	"venuehop/internal/conference"
	"venuehop/internal/httpx"
	"venuehop/internal/live"
	"venuehop/internal/planner"
)

// "From your previous item" lines: only for a session in the signed-in
// attendee's plan, from the item before it in that plan (the same day), as
// the rest of the list is not a route anyone walks.

// planItems is the signed-in attendee's plan, or nil.
func (s *Server) planItems(r *http.Request) []planner.Item {
	u, ok := httpx.UserFrom(r.Context())
	if !ok || s.agenda == nil {
		return nil
	}
	items, err := s.agenda.Items(r.Context(), u.ID)
	if err != nil {
		s.log.Warn("web: reading the plan for travel notes", "err", err)
		return nil
	}
	return items
}

// addPlanHops adds the leg from the previous item of the plan to each
// catalog result that is in the plan.
func (s *Server) addPlanHops(r *http.Request, ix *catalog.Index, list []*conference.Session, items []sessionItem) {
	st := s.stateOf(ix)
	if st == nil {
		return
	}
	plan := s.planItems(r)
	for i, se := range list {
		items[i].Hop = planHop(st, plan, se)
	}
}

// stateOf returns the live state an index belongs to, so that travel
// answers come from the same revision as the page; nil after a swap (the
// page then goes without travel notes).
func (s *Server) stateOf(ix *catalog.Index) *live.State {
	if st := s.live.Load(); st != nil && st.Catalog == ix {
		return st
	}
	return nil
}

// planHop is the leg into a session of the plan from the plan's item
// before it (a block without a place happens where the attendee already
// is: the trip starts from the item before that one, when the block ends).
func planHop(st *live.State, plan []planner.Item, se *conference.Session) *travelNote {
	snap := st.Snap
	at := -1
	for i, it := range plan {
		if it.SessionID == se.ID {
			at = i
		}
	}
	if at <= 0 || !se.Scheduled() {
		return nil
	}
	day := snap.Day(se.Start)
	prev := -1
	for i := at - 1; i >= 0; i-- {
		if snap.Day(plan[i].Start) == day && !plan[i].End.After(se.Start) {
			prev = i
			break
		}
	}
	if prev < 0 {
		return nil
	}
	depart := plan[prev].End
	for i := prev; i >= 0 && snap.Day(plan[i].Start) == day; i-- {
		room := roomOfItem(snap, plan[i])
		if room == "" {
			continue
		}
		c, err := st.Travel.Connect(room, se.RoomID, depart, se.Start)
		if err != nil {
			return nil
		}
		mapURL := "/map?" + url.Values{"from": {room}, "to": {se.RoomID}, "at": {snap.Local(depart).Format("2006-01-02T15:04")}}.Encode()
		n := newTravelNote(snap, st.Travel, room, se.RoomID, se.Start, c, mapURL)
		n.From = plan[prev].Title
		return &n
	}
	return nil
}

// roomOfItem is where an item happens: its room, else its venue's first
// room, else "" (a block without a place).
func roomOfItem(snap *conference.Snapshot, it planner.Item) string {
	if it.RoomID != "" {
		return it.RoomID
	}
	for _, r := range snap.Conf.Rooms {
		if it.VenueID != "" && r.VenueID == it.VenueID {
			return r.ID
		}
	}
	return ""
}
