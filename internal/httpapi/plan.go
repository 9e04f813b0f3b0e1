package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/planner"
)

// maxPlanBody bounds a plan request (options and, at most, a few hundred
// wishes).
const maxPlanBody = 64 << 10

// registerPlans adds the agenda, planning and now/next endpoints.
func (a *API) registerPlans(mux *http.ServeMux) {
	if a.Plans == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/me/agenda", a.myAgenda)
	mux.HandleFunc("POST /api/v1/me/plan", a.plan)
	mux.HandleFunc("GET /api/v1/me/plan/{id}", a.getPlan)
	mux.HandleFunc("POST /api/v1/me/plan/{id}/accept", a.acceptPlan)
	mux.HandleFunc("POST /api/v1/me/plan/{id}/reject", a.rejectPlan)
	mux.HandleFunc("POST /api/v1/me/plan/{id}/reserve", a.reservePlan)
	mux.HandleFunc("GET /api/v1/me/next", a.next)
	mux.HandleFunc("GET /api/v1/me/locks", a.locks)
	mux.HandleFunc("PUT /api/v1/me/locks/{item}", a.setLock)
	mux.HandleFunc("DELETE /api/v1/me/locks/{item}", a.setLock)
}

// PlanChanged implements agenda.Notifier: a change event to one attendee
// naming the new proposal.
func (h *Hub) PlanChanged(attendeeID string, n agenda.ChangeNotice) {
	var buf bytes.Buffer
	writeEvent(&buf, "change", n)
	h.send(buf.Bytes(), attendeeID)
}

var _ agenda.Notifier = (*Hub)(nil)

// AgendaItem is one item of the agenda as the API writes it.
type AgendaItem struct {
	Day              string    `json:"day"`
	Kind             string    `json:"kind"`
	SessionID        string    `json:"sessionId,omitempty"`
	Title            string    `json:"title"`
	Start            time.Time `json:"start"`
	End              time.Time `json:"end"`
	RoomID           string    `json:"roomId,omitempty"`
	VenueID          string    `json:"venueId,omitempty"`
	Reserved         bool      `json:"reserved,omitempty"`
	NeedsReservation bool      `json:"needsReservation,omitempty"`
	Priority         string    `json:"priority,omitempty"`
}

// AgendaLeg is the trip between two consecutive items of a day.
type AgendaLeg struct {
	Day          string    `json:"day"`
	From         string    `json:"from"`
	To           string    `json:"to"`
	Depart       time.Time `json:"depart"`
	Arrive       time.Time `json:"arrive"`
	Mode         string    `json:"mode"`
	Minutes      int       `json:"minutes"`
	Meters       int       `json:"meters"`
	SlackMinutes int       `json:"slackMinutes"`
	Status       string    `json:"status"`
	Estimate     bool      `json:"estimate,omitempty"`
	// LeaveBy is the latest departure that makes the next start, and
	// LeaveByArrive when it arrives (absent when it cannot be made).
	LeaveBy       *time.Time `json:"leaveBy,omitempty"`
	LeaveByArrive *time.Time `json:"leaveByArrive,omitempty"`
}

// AgendaDay is a day's totals.
type AgendaDay struct {
	Date          string `json:"date"`
	Items         int    `json:"items"`
	WalkMeters    int    `json:"walkMeters"`
	ShuttleRides  int    `json:"shuttleRides"`
	TravelMinutes int    `json:"travelMinutes"`
	Lunch         bool   `json:"lunch"`
}

func agendaItems(snap *conference.Snapshot, d planner.DayAgenda, prio map[string]string) []AgendaItem {
	out := make([]AgendaItem, 0, len(d.Items))
	for _, it := range d.Items {
		ai := AgendaItem{Day: d.Date, Kind: it.Kind, SessionID: it.SessionID, Title: it.Title,
			Start: snap.Local(it.Start), End: snap.Local(it.End), RoomID: it.RoomID, VenueID: it.VenueID, Reserved: it.Reserved}
		if se, ok := snap.Session(it.SessionID); ok {
			ai.Priority = prio[se.Group()]
			ai.NeedsReservation = se.Reservable && !it.Reserved
		}
		out = append(out, ai)
	}
	return out
}

func agendaLegs(snap *conference.Snapshot, d planner.DayAgenda) []AgendaLeg {
	out := make([]AgendaLeg, 0, len(d.Legs))
	for _, l := range d.Legs {
		leg := AgendaLeg{Day: d.Date, From: l.From, To: l.To, Depart: snap.Local(l.Depart), Arrive: snap.Local(l.Arrive),
			Mode: l.Mode, Minutes: l.Minutes, Meters: l.Meters, SlackMinutes: l.SlackMinutes, Status: l.Status, Estimate: l.Estimate}
		if !l.LeaveBy.IsZero() {
			lb, la := snap.Local(l.LeaveBy), snap.Local(l.LeaveByArrive)
			leg.LeaveBy, leg.LeaveByArrive = &lb, &la
		}
		out = append(out, leg)
	}
	return out
}

// myAgenda is GET /api/v1/me/agenda?day=: the attendee's items, the legs
// between them and warnings; without day, the whole week.
func (a *API) myAgenda(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	snap := a.Live.Load().Snap
	day := r.URL.Query().Get("day")
	if day != "" {
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			a.fail(w, r, errcode.New(errcode.Invalid, "day: expected YYYY-MM-DD, got %q", day))
			return
		}
	}
	week, err := a.Plans.Agenda(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	days := week.Days
	if day != "" {
		d, err := week.Day(snap, day)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		days = []planner.DayAgenda{d}
	}
	out := struct {
		Day      string       `json:"day,omitempty"`
		Items    []AgendaItem `json:"items"`
		Legs     []AgendaLeg  `json:"legs"`
		Warnings []string     `json:"warnings"`
		Days     []AgendaDay  `json:"days"`
		PlanID   string       `json:"planId,omitempty"`
		Pending  string       `json:"pendingPlanId,omitempty"`
	}{Day: day, Items: []AgendaItem{}, Legs: []AgendaLeg{}, Warnings: week.Warnings, Days: []AgendaDay{}}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	for _, d := range days {
		out.Items = append(out.Items, agendaItems(snap, d, week.Priority)...)
		out.Legs = append(out.Legs, agendaLegs(snap, d)...)
		out.Days = append(out.Days, AgendaDay{Date: d.Date, Items: len(d.Items), WalkMeters: d.WalkMeters,
			ShuttleRides: d.ShuttleRides, TravelMinutes: d.TravelMinutes, Lunch: d.Lunch})
	}
	if week.Accepted != nil {
		out.PlanID = week.Accepted.ID
	}
	if week.Pending != nil {
		out.Pending = week.Pending.ID
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, out)
}

// decodePlanRequest reads an optional JSON body: empty means defaults.
func decodePlanRequest(w http.ResponseWriter, r *http.Request) (agenda.PlanRequest, error) {
	var req agenda.PlanRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPlanBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return req, errcode.New(errcode.TooLarge, "the request body is larger than %d bytes", maxPlanBody)
	}
	if err != nil {
		return req, errcode.Wrap(errcode.Invalid, err, "reading the request body failed")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return req, errcode.New(errcode.Invalid, "field %q: expected %s, got %s", te.Field, te.Type, te.Value)
		}
		return req, errcode.New(errcode.Invalid, "malformed JSON body: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return req, errcode.New(errcode.Invalid, "the body must hold one JSON value")
	}
	return req, nil
}

// plan is POST /api/v1/me/plan {options?, wishes?}: a new proposal, stored.
func (a *API) plan(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	req, err := decodePlanRequest(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Plans.Propose(r.Context(), u.ID, req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/me/plan/"+p.ID)
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (a *API) getPlan(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	p, err := a.Plans.Proposal(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, p)
}

// acceptPlan makes a proposal the attendee's plan; another attendee's id
// is 404.
func (a *API) acceptPlan(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	out, err := a.Plans.Accept(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		a.failSeats(w, r, err)
		return
	}
	body := struct {
		ID    string `json:"id"`
		State string `json:"state"`
		agenda.AcceptOutcome
	}{out.Proposal.ID, out.Proposal.State, out}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, body)
}

// locks is GET /api/v1/me/locks: the fixed items the attendee locked.
func (a *API) locks(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	list, err := a.Plans.Locks(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"locks": list})
}

// setLock is PUT (lock) and DELETE (unlock) /api/v1/me/locks/{item}, item
// being session:ID or block:ID.
func (a *API) setLock(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	item := r.PathValue("item")
	if err := a.Plans.SetLock(r.Context(), u.ID, item, r.Method == http.MethodPut); err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"item": item, "locked": r.Method == http.MethodPut})
}

func (a *API) rejectPlan(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	if err := a.Plans.Reject(r.Context(), u.ID, r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// reservePlan is "reserve this plan": every sitting that needs a seat in
// batches, then a new plan around those that failed.
func (a *API) reservePlan(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	out, err := a.Plans.ReservePlan(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		a.failSeats(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, out)
}

// next is GET /api/v1/me/next?at=&from=: what the attendee can still reach.
func (a *API) next(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	snap := a.Live.Load().Snap
	q := r.URL.Query()
	var at time.Time
	if s := q.Get("at"); s != "" {
		t, err := account.ParseLocalTime(s, snap.Loc)
		if err != nil {
			a.fail(w, r, errcode.New(errcode.Invalid, "at: %s", err.Error()))
			return
		}
		at = t
	}
	v, err := a.Plans.Next(r.Context(), u.ID, q.Get("from"), at)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, v)
}
