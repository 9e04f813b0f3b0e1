package notify

import (
	"container/heap"
	"context"
	"fmt"
	"log/slog"
	"time"

	"venuehop/internal/live"
)

// Departure is the trip into one of an attendee's planned sessions, from
// the item before it: when to leave, how long it takes.
type Departure struct {
	SessionID string
	Title     string
	Start     time.Time
	LeaveBy   time.Time // the latest departure that arrives in time
	Minutes   int
	Mode      string // walk, shuttle, …
	Where     string // room, level and venue
	// Until is when the notice is no use: the reserved seat's release, or
	// the start.
	Until time.Time
}

// DepartureFinder tells when an attendee should leave for one of their
// planned sessions (agenda.Service is one); ok is false when the session
// is not in their plan today or nothing comes before it.
type DepartureFinder interface {
	Departure(ctx context.Context, attendeeID, sessionID string) (d Departure, ok bool, err error)
}

// Leave timings.
const (
	// LeaveHorizon is how far ahead sessions are looked at: beyond any
	// trip between two rooms of one event.
	LeaveHorizon = 90 * time.Minute
	// LeaveLead is how long before the leave-by instant the notice goes:
	// time to pack up and read it.
	LeaveLead = 2 * time.Minute
	// leaveLate is how long after the leave-by instant a notice still
	// goes (a pass that ran late); later, it would only mislead.
	leaveLate = 5 * time.Minute
)

// LeaveReminders makes the "leave now for X" notices: for every session
// in an accepted plan, at its leave-by instant (less LeaveLead), a notice
// with the trip, one topic per session so that an update replaces it, and
// no use after the seat's release. A pass (Pass) schedules the sessions
// coming within LeaveHorizon once and sends what is due, checking the
// departure again at that moment (the plan or the conference may have
// changed meanwhile). It is not safe for concurrent passes.
type LeaveReminders struct {
	live    *live.Holder
	plans   PlanAttendees
	find    DepartureFinder
	notices *Service
	log     *slog.Logger

	// scheduled is, by session, the start it was scheduled for; a moved
	// session is scheduled again.
	scheduled map[string]time.Time
	due       dueHeap
}

// NewLeaveReminders returns the reminders over the accepted plans.
func NewLeaveReminders(l *live.Holder, plans PlanAttendees, find DepartureFinder, notices *Service, log *slog.Logger) *LeaveReminders {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LeaveReminders{live: l, plans: plans, find: find, notices: notices, log: log, scheduled: map[string]time.Time{}}
}

// Pass schedules the sessions starting within LeaveHorizon after now and
// sends the notices due at now. It returns how many it sent.
func (r *LeaveReminders) Pass(ctx context.Context, now time.Time) int {
	st := r.live.Load()
	if st == nil {
		return 0
	}
	snap := st.Snap
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if se.Cancelled || !se.Scheduled() || !se.Start.After(now) || se.Start.Sub(now) > LeaveHorizon {
			continue
		}
		if at, ok := r.scheduled[se.ID]; ok && at.Equal(se.Start) {
			continue
		}
		r.scheduled[se.ID] = se.Start
		r.schedule(ctx, se.ID, now)
	}
	for id, start := range r.scheduled {
		if !start.After(now) {
			delete(r.scheduled, id)
		}
	}
	sent := 0
	for len(r.due) > 0 && !r.due[0].at.After(now) {
		e := heap.Pop(&r.due).(dueLeave)
		if r.fire(ctx, e, now) {
			sent++
		}
	}
	return sent
}

// schedule looks up the departure of everyone planning the session.
func (r *LeaveReminders) schedule(ctx context.Context, sessionID string, now time.Time) {
	attendees, err := r.plans.PlanAttendees(ctx, sessionID)
	if err != nil {
		r.log.Error("notify: who plans a session", "session", sessionID, "err", err)
		return
	}
	for _, a := range attendees {
		d, ok, err := r.find.Departure(ctx, a, sessionID)
		if err != nil {
			r.log.Error("notify: a departure", "attendee", a, "session", sessionID, "err", err)
			continue
		}
		if ok && now.Before(d.LeaveBy.Add(leaveLate)) {
			heap.Push(&r.due, dueLeave{at: d.LeaveBy.Add(-LeaveLead), attendee: a, session: sessionID, start: d.Start})
		}
	}
}

// fire checks the departure again and sends its notice when it is due.
func (r *LeaveReminders) fire(ctx context.Context, e dueLeave, now time.Time) bool {
	d, ok, err := r.find.Departure(ctx, e.attendee, e.session)
	switch {
	case err != nil:
		r.log.Error("notify: a departure", "attendee", e.attendee, "session", e.session, "err", err)
		return false
	case !ok || !d.Start.Equal(e.start) || !now.Before(d.LeaveBy.Add(leaveLate)) || !now.Before(d.Until):
		return false // no longer planned, moved (scheduled again), or too late
	case d.LeaveBy.Add(-LeaveLead).After(now):
		e.at = d.LeaveBy.Add(-LeaveLead) // the trip got shorter
		heap.Push(&r.due, e)
		return false
	}
	return r.notices.Queue(ctx, LeaveNotice(e.attendee, d, now))
}

// LeaveNotice is the notice of one departure, made at now.
func LeaveNotice(attendeeID string, d Departure, now time.Time) Notice {
	title := "Leave now for " + d.Title
	if m := int(d.LeaveBy.Sub(now).Round(time.Minute).Minutes()); m > 0 {
		title = fmt.Sprintf("Leave in %d min for %s", m, d.Title)
	}
	body := fmt.Sprintf("%d min", d.Minutes)
	if d.Mode != "" {
		body += " (" + d.Mode + ")"
	}
	if d.Where != "" {
		body += " to " + d.Where
	}
	return Notice{AttendeeID: attendeeID, Category: CategoryLeave, Title: title, Body: body + "; it starts at " + d.Start.Format("15:04") + ".",
		URL: "/me/now", SessionID: d.SessionID, Topic: "leave-" + d.SessionID, Urgency: UrgencyHigh, Expires: d.Until}
}

// dueLeave is one attendee's departure for one session, due at at.
type dueLeave struct {
	at                time.Time
	attendee, session string
	start             time.Time
}

type dueHeap []dueLeave

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueLeave)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// LeaveEvery is how often Run makes a pass.
const LeaveEvery = 30 * time.Second

// Run makes a pass every LeaveEvery until ctx ends, at the instant now
// tells (the app's clock).
func (r *LeaveReminders) Run(ctx context.Context, now func() time.Time) {
	tick := time.NewTicker(LeaveEvery)
	defer tick.Stop()
	for {
		pass, cancel := context.WithTimeout(ctx, LeaveEvery)
		r.Pass(pass, now())
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
