package web

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/planner"
)

// nowView is /me/now: what can still be reached from here, around the
// attendee's own items.
type nowView struct {
	At, AtValue string
	// NowISO is the instant the page was made for and LeaveBy times are
	// counted from: now.js counts "leave in" down from it.
	NowISO    string
	From      string
	FromGuess bool
	FromLabel string
	Venues    []venueOption
	Next      string // the attendee's next item, in words
	Items     []nowItem
	Missing   []nowItem // would make the attendee miss one of their items
	Error     string
	More      int    // sessions not shown
	AllURL    string // shows them
	// Before the conference: when it starts, and a pinned time to try
	// the page as it will be.
	Starts, TryURL, TryLabel string
	Flash                    *flashView
}

// nowOthers is how many sessions that are not favourites Now lists.
const nowOthers = 12

type venueOption struct {
	ID, Name string
	Rooms    []vocabValue
}

type nowItem struct {
	SessionID, Title, Type, Start, Where string
	Priority                             string
	InPlan                               bool
	LeaveBy, LeaveByISO, LeaveIn         string
	Minutes                              int
	Mode                                 string
	After                                string // "after “Lunch with Bo”": the trip starts there
	Seats, SeatsClass                    string
	Overflow                             string
	Misses                               string // "You would miss “X” at 14:30"
	Urgent                               bool
	Box                                  *seatBox // reserve / waitlist (seats.go)
	Keynote                              *keynoteRooms
}

func (s *Server) handleNow(w http.ResponseWriter, r *http.Request) {
	back := r.URL.RequestURI()
	snap, u, ok := s.signedInPage(w, r, back)
	if !ok {
		return
	}
	q := r.URL.Query()
	status := http.StatusOK
	v := nowView{Flash: s.takeFlash(w, r, snap)}
	var at time.Time
	if raw := q.Get("at"); raw != "" {
		t, err := account.ParseLocalTime(raw, snap.Loc)
		if err != nil {
			status, v.Error = http.StatusBadRequest, "That time could not be read; showing now."
		} else {
			at = t
		}
	}
	res, err := s.agenda.Next(r.Context(), u.ID, q.Get("from"), at)
	if err != nil && q.Get("from") != "" {
		status, v.Error = http.StatusBadRequest, "That place is not a room or venue; showing where your plan puts you."
		res, err = s.agenda.Next(r.Context(), u.ID, "", at)
	}
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	v.At = res.At.Format("Mon 2 Jan, 15:04")
	v.AtValue = res.At.Format("2006-01-02T15:04")
	v.NowISO = res.At.Format(time.RFC3339)
	v.From, v.FromGuess, v.FromLabel = res.From, res.FromGuess, placeName(snap, res.From, res.From)
	if n := res.Next; n != nil {
		v.Next = fmt.Sprintf("Next in your plan: “%s” at %s", n.Title, n.Start.Format("15:04"))
		if where := placeName(snap, n.RoomID, n.VenueID); where != "" {
			v.Next += ", " + where
		}
	}
	s.beforeEvent(snap, res.At, &v)
	v.Venues = venueOptions(snap)
	box := s.seatBoxes(r, snap, back, v.Flash)
	// A phone shows the favourites and the next few others; ?all=1 the rest.
	others := 0
	for _, it := range res.Reachable {
		ni := s.newNowItem(snap, res, it)
		if se, ok := snap.Session(it.Session.SessionID); ok && box != nil {
			if ni.Box = box(se); ni.Box != nil {
				ni.Box.View = "card"
			}
		}
		if it.Misses != nil {
			v.Missing = append(v.Missing, ni)
			continue
		}
		if it.Session.Priority == "" && !it.Session.InPlan {
			if others++; others > nowOthers && q.Get("all") != "1" {
				v.More++
				continue
			}
		}
		v.Items = append(v.Items, ni)
	}
	if v.Flash != nil && v.Flash.Shown {
		v.Flash = nil
	}
	if v.More > 0 {
		all := r.URL.Query()
		all.Set("all", "1")
		all.Set("from", v.From)
		all.Set("at", v.AtValue)
		v.AllURL = "/me/now?" + all.Encode()
	}
	s.render(w, r, status, "now", "layout", layoutView{
		Title: "Now", ConferenceName: snap.Conf.Name, Nav: "now", Main: v,
	})
}

func (s *Server) newNowItem(snap *conference.Snapshot, res agenda.NextView, it agenda.NextItem) nowItem {
	ni := nowItem{SessionID: it.Session.SessionID, Title: it.Session.Title, Type: it.Session.Type,
		Start: snap.Local(it.Session.Start).Format("15:04"), Where: placeName(snap, it.Session.RoomID, it.Session.VenueID),
		Priority: it.Session.Priority, InPlan: it.Session.InPlan, Minutes: it.LegMinutes, Mode: legModeLabel(it.Mode)}
	if a := it.Session.After; a != nil {
		ni.After = "after “" + firstOf(a.Title, sessionTitle(snap, a.SessionID)) + "”"
	}
	if it.LeaveBy != nil {
		ni.LeaveBy = it.LeaveBy.Format("15:04")
		ni.LeaveByISO = it.LeaveBy.Format(time.RFC3339)
		ni.LeaveIn, ni.Urgent = leaveIn(int(it.LeaveBy.Sub(res.At).Minutes()))
	}
	ni.Seats, ni.SeatsClass = seatsLabel(it.Seats)
	if it.UseOverflow && it.Overflow != nil {
		ni.Overflow = "Hall full: watch live in " + placeName(snap, it.Overflow.RoomID, it.Overflow.VenueID)
	}
	if m := it.Misses; m != nil {
		title := firstOf(m.Title, sessionTitle(snap, m.SessionID))
		start := m.Start
		if se, ok := snap.Session(m.SessionID); ok {
			start = se.Start
		}
		ni.Misses = fmt.Sprintf("You would miss “%s” at %s", title, snap.Local(start).Format("15:04"))
	}
	if it.Hall != nil {
		ni.Keynote = newKeynoteRooms(snap, it.Session.SessionID, it.Session.FromRoomID, res.At, *it.Hall, it.Session.Overflows, it.Overflows)
		if lb := it.Session.LeaveBy; !lb.IsZero() {
			h := &ni.Keynote.Hall
			h.InTime, h.LeaveBy, h.Minutes, h.Mode = true, snap.Local(lb).Format("15:04"), it.Session.LegMinutes, legModeLabel(it.Session.Mode)
		}
	}
	return ni
}

// leaveIn says how long until the latest departure.
func leaveIn(mins int) (text string, urgent bool) {
	switch {
	case mins <= 0:
		return "leave now", true
	case mins < 10:
		return fmt.Sprintf("leave in %d min", mins), true
	}
	return fmt.Sprintf("leave in %d min", mins), false
}

// beforeEvent fills, before the conference's first day, when it starts and
// a pinned time to try the page as it will be (the first morning).
func (s *Server) beforeEvent(snap *conference.Snapshot, at time.Time, v *nowView) {
	first := firstStart(snap)
	if first.IsZero() || !at.Before(first.Add(-12*time.Hour)) {
		return
	}
	v.Starts = "The conference starts " + snap.Local(first).Format("Monday 2 January at 15:04") + "."
	try := snap.Local(first).Add(90 * time.Minute)
	v.TryURL = "/me/now?at=" + url.QueryEscape(try.Format("2006-01-02T15:04"))
	v.TryLabel = "Try Now as it will be on " + try.Format("Monday at 15:04")
}

// firstStart is the start of the conference's first session.
func firstStart(snap *conference.Snapshot) time.Time {
	var first time.Time
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if se.Scheduled() && !se.Cancelled && (first.IsZero() || se.Start.Before(first)) {
			first = se.Start
		}
	}
	return first
}

func legModeLabel(mode string) string {
	switch mode {
	case "inside":
		return "walk inside"
	case "":
		return "travel"
	}
	return mode
}

func seatsLabel(si agenda.SeatInfo) (label, class string) {
	switch si.Status {
	case agenda.SeatReserved:
		return "your seat", "ok"
	case agenda.SeatAvailable:
		return fmt.Sprintf("needs a reservation: %d seats left", si.Available), "ok"
	case agenda.SeatLimited:
		return fmt.Sprintf("needs a reservation: only %d seats left", si.Available), "tight"
	case agenda.SeatFull:
		return "full: walk-up line only", "bad"
	}
	return "walk-up", "ok"
}

// keynoteRooms is where a keynote can be watched: the hall and the overflow
// rooms by travel time, each with its fill and a route link.
type keynoteRooms struct {
	Hall      roomStatus
	Overflows []roomStatus
	From      string // where the times are counted from, in words
}

type roomStatus struct {
	Name, Status, StatusClass string
	Minutes                   int
	Mode, LeaveBy             string
	InTime                    bool
	RouteURL                  string
}

var fillWords = map[string]string{agenda.FillOpen: "seats free", agenda.FillFilling: "filling up", agenda.FillFull: "full"}
var fillClass = map[string]string{agenda.FillOpen: "ok", agenda.FillFilling: "tight", agenda.FillFull: "bad"}

func newKeynoteRooms(snap *conference.Snapshot, sessionID, fromRoom string, at time.Time, hall agenda.RoomFill,
	rooms []planner.OverflowRoom, fills []agenda.RoomFill) *keynoteRooms {
	route := func(to string) string {
		return "/map?" + url.Values{"from": {fromRoom}, "to": {to}, "at": {snap.Local(at).Format("2006-01-02T15:04")}}.Encode()
	}
	k := &keynoteRooms{From: placeName(snap, fromRoom, "")}
	se, _ := snap.Session(sessionID)
	k.Hall = roomStatus{Name: placeName(snap, se.RoomID, ""), Status: fillWords[hall.Status], StatusClass: fillClass[hall.Status],
		RouteURL: route(se.RoomID)}
	for i, o := range rooms {
		rs := roomStatus{Name: placeName(snap, o.RoomID, o.VenueID), Minutes: o.LegMinutes, Mode: legModeLabel(o.Mode),
			InTime: o.InTime, RouteURL: route(o.RoomID)}
		if o.InTime {
			rs.LeaveBy = snap.Local(o.LeaveBy).Format("15:04")
		}
		if i < len(fills) {
			rs.Status, rs.StatusClass = fillWords[fills[i].Status], fillClass[fills[i].Status]
		}
		k.Overflows = append(k.Overflows, rs)
	}
	return k
}
