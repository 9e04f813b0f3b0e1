package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/planner"
)

// registerWeek adds My week (the agenda with travel legs, Optimize and its
// options, locks) and Now (what can still be reached), both for signed-in
// attendees. Their forms are CSRF-checked by httpx.Authenticate.
func (s *Server) registerWeek(mux *http.ServeMux) {
	mux.HandleFunc("GET /me/week", s.handleWeek)
	mux.HandleFunc("POST /me/week/optimize", s.handleOptimize)
	mux.HandleFunc("POST /me/week/plans/{id}/{action}", s.handlePlanAction)
	mux.HandleFunc("POST /me/week/locks", s.handleLock)
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
	Options  optionsView
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
	Walkup                   bool // no reservations: the walk-up line
	Priority                 string
	Leg                      *legView // the trip into this item from the one before
	// LockKey is the item's key for the lock form (fixed items only).
	LockKey string
	Locked  bool
}

type legView struct {
	Mode, Minutes, Slack, Status, Class, Distance string
	// LeaveBy: "leave by 13:48, arrive 13:58", one departure.
	LeaveBy string
}

func (s *Server) handleWeek(w http.ResponseWriter, r *http.Request) {
	back := r.URL.RequestURI()
	snap, u, ok := s.signedInPage(w, r, back)
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
	locks, err := s.agenda.Locks(r.Context(), u.ID)
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	s.fillWeek(snap, week, locks, &v)
	v.Options = newOptionsView(snap, week.Options)
	if id := q.Get("proposal"); id != "" {
		p, err := s.agenda.Proposal(r.Context(), u.ID, id)
		if err != nil {
			s.pageError(w, r, snap, err)
			return
		}
		v.Proposal = newProposalView(snap, p)
		v.Options = newOptionsView(snap, p.Options)
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

func (s *Server) fillWeek(snap *conference.Snapshot, week agenda.Week, locks []string, v *weekView) {
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
	for _, w := range week.Warnings {
		v.Warnings = append(v.Warnings, capitalize(w)+".")
	}
	day, err := week.Day(snap, v.Day)
	if err != nil {
		return
	}
	v.Walk = distance(day.WalkMeters)
	v.Shuttles, v.Travel, v.Lunch = day.ShuttleRides, day.TravelMinutes, day.Lunch
	for i, it := range day.Items {
		wi := weekItem{Kind: it.Kind, Title: it.Title, SessionID: it.SessionID, Reserved: it.Reserved,
			When: clockRange(snap, it.Start, it.End), Where: placeName(snap, it.RoomID, it.VenueID)}
		if se, ok := snap.Session(it.SessionID); ok {
			wi.Priority = week.Priority[se.Group()]
			wi.NeedsSeat = se.Reservable && !it.Reserved
			wi.Walkup = !se.Reservable
		}
		if it.Kind != planner.KindSession {
			wi.LockKey = agenda.LockKey(it)
			wi.Locked = slices.Contains(locks, wi.LockKey)
		}
		if i > 0 && i-1 < len(day.Legs) {
			wi.Leg = newLegView(snap, day.Legs[i-1])
		}
		v.Items = append(v.Items, wi)
	}
	v.MapURL = dayMapURL(day)
}

// dayMapURL is the map of a day's sessions, or "" without any.
func dayMapURL(day planner.DayAgenda) string {
	var ids []string
	for _, it := range day.Items {
		if it.SessionID != "" {
			ids = append(ids, it.SessionID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return "/map?sessions=" + url.QueryEscape(strings.Join(ids, ","))
}

func newLegView(snap *conference.Snapshot, l planner.Leg) *legView {
	lv := &legView{Minutes: fmt.Sprintf("%d min", l.Minutes), Status: l.Status}
	lv.Mode = legModeLabel(l.Mode)
	lv.Mode = strings.ToUpper(lv.Mode[:1]) + lv.Mode[1:]
	if l.Meters > 0 {
		lv.Distance = distance(l.Meters)
	}
	if !l.LeaveBy.IsZero() && l.Mode != "" && l.Minutes > 0 {
		lv.LeaveBy = "leave by " + snap.Local(l.LeaveBy).Format("15:04") + ", arrive " + snap.Local(l.LeaveByArrive).Format("15:04")
	}
	switch l.Status {
	case planner.StatusOK:
		lv.Class, lv.Slack = "ok", fmt.Sprintf("%d min to spare", l.SlackMinutes)
	case planner.StatusTight:
		lv.Class, lv.Slack = "tight", fmt.Sprintf("tight: %d min to spare", l.SlackMinutes)
	case planner.StatusOverlap:
		lv.Class, lv.Slack = "bad", "overlap: the next one starts before this one ends"
		lv.Minutes, lv.Mode, lv.Distance = "", "Overlap", ""
	case planner.StatusImpossible:
		lv.Class, lv.Slack = "bad", fmt.Sprintf("impossible: %d min late", -l.SlackMinutes)
	case planner.StatusSeatLost:
		lv.Class, lv.Slack = "bad", "seat lost: you arrive after your seat is released"
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

// optionsView is the Optimize form: the planner's options, as the last plan
// (or the defaults) had them.
type optionsView struct {
	Pace         string // the walk factor, as the select's value
	Paces        []vocabValue
	Buffer       int
	Buffers      []int
	Lunch        bool
	AvoidShuttle bool
	Swap         bool
	Venues       []optionCheck
	Days         []optionCheck
}

type optionCheck struct {
	Value, Label string
	Checked      bool
}

// paces are the choices of pace: the walk factor and its name.
var paces = []vocabValue{{"0.8", "Brisk"}, {"1", "Usual"}, {"1.25", "Relaxed"}, {"1.5", "Slow"}}

var buffers = []int{0, 5, 10, 15, 20, 30}

func newOptionsView(snap *conference.Snapshot, o planner.Options) optionsView {
	v := optionsView{Pace: "1", Paces: paces, Buffer: o.BufferMinutes, Buffers: buffers, Lunch: o.Lunch,
		AvoidShuttle: o.AvoidShuttle, Swap: o.AllowSwapReservations}
	if o.WalkFactor != 0 {
		v.Pace = strconv.FormatFloat(o.WalkFactor, 'f', -1, 64)
	}
	for _, ve := range snap.Conf.Venues {
		v.Venues = append(v.Venues, optionCheck{ve.ID, ve.Name, slices.Contains(o.AvoidVenues, ve.ID)})
	}
	for _, d := range snap.Conf.Days {
		short, _ := weekDayLabel(snap, d)
		v.Days = append(v.Days, optionCheck{d, short, len(o.Days) == 0 || slices.Contains(o.Days, d)})
	}
	return v
}

// planOptions reads the Optimize form into the planner's options JSON
// (absent fields keep their defaults). A form without the options fields
// (the plain button) plans with the defaults.
func planOptions(r *http.Request, snap *conference.Snapshot) (json.RawMessage, error) {
	if r.PostFormValue("options") != "1" {
		return nil, nil
	}
	o := map[string]any{
		"lunch":                 r.PostFormValue("lunch") == "on",
		"avoidShuttle":          r.PostFormValue("avoidShuttle") == "on",
		"allowSwapReservations": r.PostFormValue("swap") == "on",
	}
	if p := r.PostFormValue("pace"); p != "" {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, errcode.New(errcode.Invalid, "pace: expected a number such as 1, got %q", p)
		}
		o["walkFactor"] = f
	}
	if b := r.PostFormValue("buffer"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil {
			return nil, errcode.New(errcode.Invalid, "buffer: expected whole minutes, got %q", b)
		}
		o["bufferMinutes"] = n
	}
	if avoid := r.PostForm["avoid"]; len(avoid) > 0 {
		o["avoidVenues"] = avoid
	}
	days := r.PostForm["days"]
	if len(days) == 0 {
		return nil, errcode.New(errcode.Invalid, "days: choose at least one day to plan")
	}
	if len(days) < len(snap.Conf.Days) {
		o["days"] = days
	}
	return json.Marshal(o)
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

// handleOptimize makes a proposal with the form's options and shows it on
// My week (POST, redirect, GET: reloading does not plan again).
func (s *Server) handleOptimize(w http.ResponseWriter, r *http.Request) {
	back := weekBack(r)
	snap, u, ok := s.signedInPage(w, r, back)
	if !ok {
		return
	}
	raw, err := planOptions(r, snap)
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	p, err := s.agenda.Propose(r.Context(), u.ID, agenda.PlanRequest{Options: raw})
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	http.Redirect(w, r, withParam(back, "proposal", p.ID)+"#proposal", http.StatusSeeOther)
}

// handleLock locks or unlocks one fixed item from its form.
func (s *Server) handleLock(w http.ResponseWriter, r *http.Request) {
	back := weekBack(r)
	snap, u, ok := s.signedInPage(w, r, back)
	if !ok {
		return
	}
	lock := r.PostFormValue("lock") == "1"
	if err := s.agenda.SetLock(r.Context(), u.ID, r.PostFormValue("item"), lock); err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	msg := "Unlocked: Optimize may move or drop it when it collides."
	if lock {
		msg = "Locked: Optimize keeps it no matter what."
	}
	http.Redirect(w, r, withParam(back, "notice", msg), http.StatusSeeOther)
}

// handlePlanAction accepts, rejects or reserves a proposal from its form.
func (s *Server) handlePlanAction(w http.ResponseWriter, r *http.Request) {
	back := weekBack(r)
	snap, u, ok := s.signedInPage(w, r, back)
	if !ok {
		return
	}
	id := r.PathValue("id")
	switch r.PathValue("action") {
	case "accept":
		out, err := s.agenda.Accept(r.Context(), u.ID, id)
		if err != nil {
			s.pageError(w, r, snap, err)
			return
		}
		to := withParam(back, "notice", acceptWords(snap, out))
		if out.Replan != nil {
			to = withParam(to, "proposal", out.Replan.ID) + "#proposal"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
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

// acceptWords says what accepting did, seats included, in words.
func acceptWords(snap *conference.Snapshot, out agenda.AcceptOutcome) string {
	sitting := func(id string) string {
		if se, ok := snap.Session(id); ok {
			return "“" + se.Title + "” at " + snap.Local(se.Start).Format("Mon 15:04")
		}
		return "that sitting"
	}
	var parts []string
	if out.Replan == nil {
		parts = append(parts, "Plan accepted: your week follows it now.")
	}
	for _, m := range out.Moved {
		parts = append(parts, "Your seat moved to "+sitting(m.To)+".")
	}
	for _, id := range out.Released {
		parts = append(parts, "You gave up your seat in "+sitting(id)+".")
	}
	for _, m := range out.Failed {
		parts = append(parts, fmt.Sprintf("Your seat could not move to %s (%s); you keep your seat in %s.",
			sitting(m.To), statusWords(string(m.Status)), sitting(m.From)))
	}
	if out.Replan != nil {
		parts = append(parts, "Here is the plan made again around the seats you hold now; accept it to make it yours.")
	}
	return strings.Join(parts, " ")
}

// statusWords is a reservation status for people.
func statusWords(st string) string {
	switch st {
	case "full":
		return "it filled up"
	case "closed":
		return "its reservations closed"
	case "conflict":
		return "it clashes with another seat of yours"
	case "cap_reached":
		return "you hold the most seats a day allows"
	case "not_open":
		return "reservations are not open yet"
	}
	return strings.ReplaceAll(st, "_", " ")
}
