package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/live"
)

// tripView is one trip between two rooms, leaving at an instant: the route
// link of a keynote's overflow rooms and of a plan's legs.
type tripView struct {
	From, To, Depart, Arrive, Mode, Steps string
	Minutes                               int
	Estimate                              bool
}

// fillTrip reads ?from=ROOM&to=ROOM&at= into the map's trip, or its error;
// it returns the page's status.
func (s *Server) fillTrip(st *live.State, q url.Values, v *mapView) int {
	snap := st.Snap
	from, to := q.Get("from"), q.Get("to")
	_, okf := snap.Room(from)
	_, okt := snap.Room(to)
	if !okf || !okt {
		v.Error = "from and to must both be rooms of the conference."
		return http.StatusBadRequest
	}
	at := s.clock.Now()
	if raw := q.Get("at"); raw != "" {
		t, err := account.ParseLocalTime(raw, snap.Loc)
		if err != nil {
			v.Error = fmt.Sprintf("at: %q is not a time such as 2026-12-01T10:05.", raw)
			return http.StatusBadRequest
		}
		at = t
	}
	trip, err := st.Travel.Leg(from, to, at)
	if err != nil {
		v.Error = "There is no way between those rooms."
		return http.StatusNotFound
	}
	tv := &tripView{From: placeName(snap, from, ""), To: placeName(snap, to, ""), Minutes: trip.Minutes,
		Mode: modeLabel(trip), Depart: clockLabel(snap, trip.Depart), Arrive: clockLabel(snap, trip.Arrive), Estimate: trip.Estimate}
	var steps []string
	for _, st := range trip.Steps {
		if st.Minutes > 0 {
			steps = append(steps, fmt.Sprintf("%s %d", st.Mode, st.Minutes))
		}
	}
	tv.Steps = strings.Join(steps, " · ")
	v.Trip = tv
	return http.StatusOK
}

// planDay is the signed-in attendee's sessions of today (during the
// conference) or else of the first day they have any, and that day's name.
func (s *Server) planDay(r *http.Request, snap *conference.Snapshot) (ids []string, label string) {
	plan := s.planItems(r)
	if len(plan) == 0 {
		return nil, ""
	}
	day := snap.Day(s.clock.Now())
	if !slices.Contains(snap.Conf.Days, day) {
		day = ""
		for _, it := range plan {
			if it.SessionID != "" {
				day = snap.Day(it.Start)
				break
			}
		}
	}
	for _, it := range plan {
		if it.SessionID != "" && snap.Day(it.Start) == day {
			ids = append(ids, it.SessionID)
		}
	}
	if t, err := time.ParseInLocation(time.DateOnly, day, snap.Loc); err == nil {
		label = t.Format("Monday 2 January")
	}
	return ids, label
}
