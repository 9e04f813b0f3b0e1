package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/httpx"
	"venuehop/internal/planner"
)

// registerWeek adds My week (the agenda with travel legs and Optimize) and
// Now (what can still be reached), both for signed-in attendees. Their
// forms are CSRF-checked by httpx.Authenticate.
func (s *Server) registerWeek(mux *http.ServeMux) {
	mux.HandleFunc("GET /me/week", s.handleWeek)
	mux.HandleFunc("POST /me/week/optimize", s.handleOptimize)
	mux.HandleFunc("POST /me/week/plans/{id}/{action}", s.handlePlanAction)
	mux.HandleFunc("GET /me/now", s.handleNow)
}

// weekView is /me/week.
type weekView struct {
	Tabs     []dayTab
	Day      string // YYYY-MM-DD
	DayLabel string
	Items    []weekItem
	Walk     string // "1.4 km"
	Shuttles int
	Travel   int // minutes
	Lunch    bool
	MapURL   string
	Warnings []string
	CSRF     string
	Planned  bool // an accepted plan is in force
	Proposal *proposalView
	Notice   string // after an action: what happened
	Error    string
}

type dayTab struct {
	Date, Label, URL string
	Current          bool
	Count            int
}

type weekItem struct {
	Kind, Title, When, Where string
	SessionID                string
	Reserved, NeedsSeat      bool
	Priority                 string
	Leg                      *legView // the trip into this item from the one before
}

type legView struct {
	Mode, Minutes, Slack, Status, Class, Distance string
}

// proposalView is a proposal shown as a diff to accept or reject.
type proposalView struct {
	ID, Origin, Heading string
	Value               string
	Optimal             bool
	Bound               string
	Added, Removed      []diffRow
	Moved               []diffRow
	Unchanged           int
	Dropped             []droppedRow
	NeedSeats           int
	Accepted            bool
	Empty               bool
	CSRF, Day           string // for its forms
}

type diffRow struct {
	SessionID, Title, When, Where string
	Was, Change                   string // for moves: where/when it was, and what changed
}

type droppedRow struct {
	SessionID, Title, Priority, Reason, Code string
}

func (s *Server) handleWeek(w http.ResponseWriter, r *http.Request) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return
	}
	back := "/me/week"
	if r.URL.RawQuery != "" {
		back += "?" + r.URL.RawQuery
	}
	u, ok := s.signedIn(w, r, back)
	if !ok {
		return
	}
	q := r.URL.Query()
	v := weekView{CSRF: httpx.CSRFToken(r), Notice: q.Get("notice")}
	status := http.StatusOK
	week, err := s.agenda.Agenda(r.Context(), u.ID)
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	v.Day = q.Get("day")
	if v.Day != "" && !slices.Contains(snap.Conf.Days, v.Day) {
		status = http.StatusBadRequest
		v.Error = fmt.Sprintf("%s is not a day of the conference; showing the first day.", v.Day)
		v.Day = ""
	}
	if v.Day == "" {
		v.Day = s.defaultDay(snap, week)
	}
	s.fillWeek(snap, week, &v)
	if id := q.Get("proposal"); id != "" {
		p, err := s.agenda.Proposal(r.Context(), u.ID, id)
		if err != nil {
			s.pageError(w, r, snap, err)
			return
		}
		v.Proposal = newProposalView(snap, p)
	} else if week.Pending != nil {
		v.Proposal = newProposalView(snap, week.Pending)
	}
	if v.Proposal != nil {
		v.Proposal.CSRF, v.Proposal.Day = v.CSRF, v.Day
	}
	s.render(w, r, status, "week", "layout", layoutView{
		Title: "My week", ConferenceName: snap.Conf.Name, Nav: "week", Main: v,
	})
}

// defaultDay is today during the conference, else the first day with
// something planned, else the first day.
func (s *Server) defaultDay(snap *conference.Snapshot, week agenda.Week) string {
	if today := snap.Day(s.agenda.Now()); slices.Contains(snap.Conf.Days, today) {
		return today
	}
	if len(week.Days) > 0 {
		return week.Days[0].Date
	}
	if len(snap.Conf.Days) > 0 {
		return snap.Conf.Days[0]
	}
	return ""
}

func weekDayLabel(snap *conference.Snapshot, day string) (short, long string) {
	t, err := time.ParseInLocation(time.DateOnly, day, snap.Loc)
	if err != nil {
		return day, day
	}
	return t.Format("Mon 2 Jan"), t.Format("Monday 2 January")
}

func (s *Server) fillWeek(snap *conference.Snapshot, week agenda.Week, v *weekView) {
	counts := map[string]int{}
	for _, d := range week.Days {
		counts[d.Date] = len(d.Items)
	}
	for _, d := range snap.Conf.Days {
		short, _ := weekDayLabel(snap, d)
		v.Tabs = append(v.Tabs, dayTab{Date: d, Label: short, URL: "/me/week?day=" + d, Current: d == v.Day, Count: counts[d]})
	}
	_, v.DayLabel = weekDayLabel(snap, v.Day)
	v.Planned = week.Accepted != nil
	v.Warnings = week.Warnings
	day, err := week.Day(snap, v.Day)
	if err != nil {
		return
	}
	v.Walk = distance(day.WalkMeters)
	v.Shuttles, v.Travel, v.Lunch = day.ShuttleRides, day.TravelMinutes, day.Lunch
	var ids []string
	for i, it := range day.Items {
		wi := weekItem{Kind: it.Kind, Title: it.Title, SessionID: it.SessionID, Reserved: it.Reserved,
			When: clockRange(snap, it.Start, it.End), Where: placeName(snap, it.RoomID, it.VenueID)}
		if se, ok := snap.Session(it.SessionID); ok {
			wi.Priority = week.Priority[se.Group()]
			wi.NeedsSeat = se.Reservable && !it.Reserved
			ids = append(ids, se.ID)
		}
		if i > 0 && i-1 < len(day.Legs) {
			wi.Leg = newLegView(day.Legs[i-1])
		}
		v.Items = append(v.Items, wi)
	}
	if len(ids) > 0 {
		v.MapURL = "/map?sessions=" + url.QueryEscape(strings.Join(ids, ","))
	}
}

func newLegView(l planner.Leg) *legView {
	lv := &legView{Minutes: fmt.Sprintf("%d min", l.Minutes), Status: l.Status}
	lv.Mode = legModeLabel(l.Mode)
	lv.Mode = strings.ToUpper(lv.Mode[:1]) + lv.Mode[1:]
	if l.Meters > 0 {
		lv.Distance = distance(l.Meters)
	}
	switch l.Status {
	case planner.StatusOK:
		lv.Class, lv.Slack = "ok", fmt.Sprintf("%d min to spare", l.SlackMinutes)
	case planner.StatusTight:
		lv.Class, lv.Slack = "tight", fmt.Sprintf("tight: %d min to spare", l.SlackMinutes)
	case planner.StatusImpossible:
		lv.Class, lv.Slack = "bad", fmt.Sprintf("impossible: %d min late", -l.SlackMinutes)
	case planner.StatusSeatLost:
		lv.Class, lv.Slack = "bad", "seat lost: you arrive after the reserved seat is released"
	}
	return lv
}

func distance(m int) string {
	if m < 1000 {
		return fmt.Sprintf("%d m", m)
	}
	return fmt.Sprintf("%.1f km", float64(m)/1000)
}

func clockRange(snap *conference.Snapshot, start, end time.Time) string {
	return snap.Local(start).Format("15:04") + "–" + snap.Local(end).Format("15:04")
}

// placeName is "Venue · Room", or the venue alone.
func placeName(snap *conference.Snapshot, roomID, venueID string) string {
	if r, ok := snap.Room(roomID); ok {
		if v, ok := snap.Venue(r.VenueID); ok {
			return v.Name + " · " + r.Name
		}
		return r.Name
	}
	if v, ok := snap.Venue(venueID); ok {
		return v.Name
	}
	return ""
}

func sessionTitle(snap *conference.Snapshot, id string) string {
	if se, ok := snap.Session(id); ok {
		return se.Title
	}
	return id
}

func newProposalView(snap *conference.Snapshot, p *agenda.Proposal) *proposalView {
	pv := &proposalView{ID: p.ID, Origin: p.Origin, Value: trimFloat(p.Value), Optimal: p.Optimal,
		Unchanged: p.Diff.Unchanged, Accepted: p.State == agenda.StateAccepted, Empty: p.Diff.Empty()}
	switch {
	case p.Origin == agenda.OriginChange && p.Change != nil:
		verb := "moved"
		if p.Change.Kind == "cancelled" {
			verb = "was cancelled"
		}
		pv.Heading = fmt.Sprintf("“%s” %s: here is a new plan", sessionTitle(snap, p.Change.SessionID), verb)
	case p.Origin == agenda.OriginReserve:
		pv.Heading = "Your plan after reserving"
	default:
		pv.Heading = "Proposed plan"
	}
	if p.Bound != nil {
		pv.Bound = trimFloat(*p.Bound)
	}
	row := func(it planner.PlanItem) diffRow {
		return diffRow{SessionID: it.SessionID, Title: firstOf(it.Title, sessionTitle(snap, it.SessionID)),
			When: timeRange(snap, it.Start, it.End), Where: placeName(snap, it.RoomID, it.VenueID)}
	}
	for _, it := range p.Diff.Added {
		pv.Added = append(pv.Added, row(it))
	}
	for _, it := range p.Diff.Removed {
		pv.Removed = append(pv.Removed, row(it))
	}
	for _, m := range p.Diff.Moved {
		r := row(m.To)
		switch m.Change {
		case "sitting":
			r.Change = "another sitting"
			r.Was = timeRange(snap, m.From.Start, m.From.End) + " · " + placeName(snap, m.From.RoomID, m.From.VenueID)
		case "room":
			r.Change = "new room"
			r.Was = placeName(snap, m.From.RoomID, m.From.VenueID)
		default:
			r.Change = "new time"
			r.Was = timeRange(snap, m.From.Start, m.From.End)
		}
		pv.Moved = append(pv.Moved, r)
	}
	for _, d := range p.Dropped {
		pv.Dropped = append(pv.Dropped, droppedRow{SessionID: d.SessionID, Title: sessionTitle(snap, d.SessionID),
			Priority: d.Priority, Reason: d.Reason, Code: d.Code})
	}
	for _, it := range p.Plan.Items {
		if it.NeedsReservation {
			pv.NeedSeats++
		}
	}
	return pv
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// weekBack is where a My week form returns: its day, kept on this site.
func weekBack(r *http.Request) string {
	day := r.PostFormValue("day")
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return "/me/week"
	}
	return "/me/week?day=" + day
}

func withParam(base, key, value string) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + key + "=" + url.QueryEscape(value)
}

// handleOptimize makes a proposal and shows it on My week (POST, redirect,
// GET: reloading does not plan again).
func (s *Server) handleOptimize(w http.ResponseWriter, r *http.Request) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return
	}
	back := weekBack(r)
	u, ok := s.signedIn(w, r, back)
	if !ok {
		return
	}
	p, err := s.agenda.Propose(r.Context(), u.ID, agenda.PlanRequest{})
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	http.Redirect(w, r, withParam(back, "proposal", p.ID)+"#proposal", http.StatusSeeOther)
}

// handlePlanAction accepts, rejects or reserves a proposal from its form.
func (s *Server) handlePlanAction(w http.ResponseWriter, r *http.Request) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return
	}
	back := weekBack(r)
	u, ok := s.signedIn(w, r, back)
	if !ok {
		return
	}
	id := r.PathValue("id")
	switch r.PathValue("action") {
	case "accept":
		if _, err := s.agenda.Accept(r.Context(), u.ID, id); err != nil {
			s.pageError(w, r, snap, err)
			return
		}
		http.Redirect(w, r, withParam(back, "notice", "Plan accepted: your week follows it now."), http.StatusSeeOther)
	case "reject":
		if err := s.agenda.Reject(r.Context(), u.ID, id); err != nil {
			s.pageError(w, r, snap, err)
			return
		}
		http.Redirect(w, r, withParam(back, "notice", "Proposal set aside; your week is unchanged."), http.StatusSeeOther)
	case "reserve":
		out, err := s.agenda.ReservePlan(r.Context(), u.ID, id)
		if err != nil {
			s.pageError(w, r, snap, err)
			return
		}
		got, failed := 0, 0
		for _, res := range out.Results {
			if res.Status == "reserved" || res.Status == "already" {
				got++
			} else {
				failed++
			}
		}
		msg := fmt.Sprintf("Reserved %d of %d seats.", got, got+failed)
		if failed > 0 {
			msg += " The plan now goes around the ones that could not be had."
		}
		to := withParam(back, "notice", msg)
		if out.Proposal.ID != "" && out.Proposal.ID != id {
			to = withParam(to, "proposal", out.Proposal.ID)
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	default:
		s.renderError(w, r, snap.Conf.Name, http.StatusNotFound, "There is no such action on a plan.")
	}
}

// nowView is /me/now: what can still be reached from here.
type nowView struct {
	At, AtValue string
	From        string
	FromGuess   bool
	FromLabel   string
	Venues      []venueOption
	Items       []nowItem
	Error       string
	More        int    // sessions not shown
	AllURL      string // shows them
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
	LeaveBy, LeaveIn                     string
	Minutes                              int
	Mode                                 string
	Seats, SeatsClass                    string
	Overflow                             string
	Urgent                               bool
}

func (s *Server) handleNow(w http.ResponseWriter, r *http.Request) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return
	}
	back := "/me/now"
	if r.URL.RawQuery != "" {
		back += "?" + r.URL.RawQuery
	}
	u, ok := s.signedIn(w, r, back)
	if !ok {
		return
	}
	q := r.URL.Query()
	status := http.StatusOK
	var v nowView
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
		status, v.Error = http.StatusBadRequest, "That place is not a room or venue; showing where you were."
		res, err = s.agenda.Next(r.Context(), u.ID, "", at)
	}
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	v.At = res.At.Format("Mon 2 Jan, 15:04")
	v.AtValue = res.At.Format("2006-01-02T15:04")
	v.From, v.FromGuess, v.FromLabel = res.From, res.FromGuess, placeName(snap, res.From, res.From)
	for _, ve := range snap.Conf.Venues {
		vo := venueOption{ID: ve.ID, Name: ve.Name}
		for _, rm := range snap.Conf.Rooms {
			if rm.VenueID == ve.ID {
				vo.Rooms = append(vo.Rooms, vocabValue{rm.ID, rm.Name})
			}
		}
		v.Venues = append(v.Venues, vo)
	}
	// A phone shows the favourites and the next few others; ?all=1 the rest.
	others := 0
	for _, it := range res.Reachable {
		if it.Session.Priority == "" {
			if others++; others > nowOthers && q.Get("all") != "1" {
				v.More++
				continue
			}
		}
		ni := nowItem{SessionID: it.Session.SessionID, Title: it.Session.Title, Type: it.Session.Type,
			Start: snap.Local(it.Session.Start).Format("15:04"), Where: placeName(snap, it.Session.RoomID, it.Session.VenueID),
			Priority: it.Session.Priority, Minutes: it.LegMinutes, Mode: legModeLabel(it.Mode)}
		if it.LeaveBy != nil {
			ni.LeaveBy = it.LeaveBy.Format("15:04")
			mins := int(it.LeaveBy.Sub(res.At).Minutes())
			switch {
			case mins <= 0:
				ni.LeaveIn, ni.Urgent = "leave now", true
			case mins < 10:
				ni.LeaveIn, ni.Urgent = fmt.Sprintf("leave in %d min", mins), true
			default:
				ni.LeaveIn = fmt.Sprintf("leave in %d min", mins)
			}
		}
		ni.Seats, ni.SeatsClass = seatsLabel(it.Seats)
		if it.UseOverflow && it.Overflow != nil {
			ni.Overflow = "Hall full: watch live in " + placeName(snap, it.Overflow.RoomID, it.Overflow.VenueID)
		}
		v.Items = append(v.Items, ni)
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
		return "your seat is reserved", "ok"
	case agenda.SeatAvailable:
		return fmt.Sprintf("%d seats to reserve", si.Available), "ok"
	case agenda.SeatLimited:
		return fmt.Sprintf("only %d seats left", si.Available), "tight"
	case agenda.SeatFull:
		return "full: walk-up line only", "bad"
	}
	return "walk-up: good chance", "ok"
}
