package notify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
)

// PlanAttendees finds the attendees whose accepted plan holds a session
// (agenda.PlanStore is one).
type PlanAttendees interface {
	PlanAttendees(ctx context.Context, sessionID string) ([]string, error)
}

// SeatHolders finds the attendees holding a seat for a session, or whose
// seat the session's cancellation ended, and those scanned into it (both
// backends).
type SeatHolders interface {
	SeatHolders(ctx context.Context, sessionID string) ([]string, error)
	CheckedIn(ctx context.Context, sessionID string) ([]string, error)
}

// triggerWork bounds the handling of one change or one look for
// recordings: a session moved may notify tens of thousands of attendees.
const triggerWork = 10 * time.Minute

// recordingsEvery is how often the triggers look for newly published
// recordings (a pointer comparison unless the conference changed).
const recordingsEvery = 15 * time.Second

// Triggers turns the seat engine's events into notices: an offer for its
// attendee, a moved or cancelled session for everyone who planned or
// reserved it. Its methods have the signatures of reservation.Notifier's
// and never block: lookups are done on its own goroutine.
type Triggers struct {
	live    *live.Holder
	notices *Service
	plans   PlanAttendees
	seats   SeatHolders
	log     *slog.Logger

	changes chan reservation.Change
	// seen is the conference state the recordings were last compared in.
	seenMu sync.Mutex
	seen   *live.State
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	// busy counts changes queued or in hand (Wait).
	mu   sync.Mutex
	busy int
	cond *sync.Cond
}

// TriggerDeps are what the triggers need; Plans and Seats may be nil (no
// change notices for that source).
type TriggerDeps struct {
	Live    *live.Holder
	Notices *Service
	Plans   PlanAttendees
	Seats   SeatHolders
	Logger  *slog.Logger
}

// NewTriggers returns the triggers; Start runs them.
func NewTriggers(d TriggerDeps) *Triggers {
	t := &Triggers{live: d.Live, notices: d.Notices, plans: d.Plans, seats: d.Seats, log: d.Logger,
		changes: make(chan reservation.Change, queueLen), stop: make(chan struct{}), done: make(chan struct{})}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// Start handles changes in the background until Close, and looks for
// newly published recordings every little while.
func (t *Triggers) Start() {
	t.seenMu.Lock()
	t.seen = t.live.Load()
	t.seenMu.Unlock()
	tick := time.NewTicker(recordingsEvery)
	// Closing ends the work in hand too (a fan-out to a whole audience
	// waits for room in the notices queue).
	base, stop := context.WithCancel(context.Background())
	go func() {
		<-t.stop
		stop()
	}()
	go func() {
		defer close(t.done)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-tick.C:
				ctx, cancel := context.WithTimeout(base, triggerWork)
				t.Recordings(ctx)
				cancel()
			case c := <-t.changes:
				ctx, cancel := context.WithTimeout(base, triggerWork)
				t.change(ctx, c)
				cancel()
				t.finish()
			}
		}
	}()
}

// Close stops the triggers (after the change in hand).
func (t *Triggers) Close() {
	t.once.Do(func() { close(t.stop) })
	<-t.done
}

// Wait returns once the changes queued so far are turned into notices
// (queued with the Service); for tests.
func (t *Triggers) Wait() {
	t.mu.Lock()
	for t.busy > 0 {
		t.cond.Wait()
	}
	t.mu.Unlock()
}

func (t *Triggers) finish() {
	t.mu.Lock()
	if t.busy--; t.busy == 0 {
		t.cond.Broadcast()
	}
	t.mu.Unlock()
}

// OfferMade makes the offer notice of an open offer: urgent, expiring
// with the offer, one per offer (an accepted one needs no action).
func (t *Triggers) OfferMade(o reservation.Offer) {
	if o.State != reservation.OfferOpen {
		return
	}
	title, body := "A seat is held for you", "Accept it before the hold ends."
	snap := t.live.Load().Snap
	if se, ok := snap.Session(o.SessionID); ok {
		title = "A seat is held for you: " + se.Title
		body = fmt.Sprintf("Accept it by %s or it goes to the next in line.", snap.Local(o.ExpiresAt).Format("15:04"))
	}
	t.notices.Notify(Notice{AttendeeID: o.Attendee, Category: CategoryOffer, Title: title, Body: body,
		URL: "/me/reservations#offer-" + o.ID, SessionID: o.SessionID, OfferID: o.ID, Topic: "offer-" + o.ID,
		Urgency: UrgencyHigh, Expires: o.ExpiresAt})
}

// SeatsChanged implements reservation.Notifier (no notice).
func (t *Triggers) SeatsChanged([]reservation.SeatCount) {}

// SessionChanged queues a moved or cancelled session for the attendees
// who planned or reserved it; when the queue is full the change is logged
// and dropped.
func (t *Triggers) SessionChanged(sessionID string, kind reservation.ChangeKind) {
	if kind != reservation.ChangeMoved && kind != reservation.ChangeCancelled {
		return
	}
	t.mu.Lock()
	t.busy++
	t.mu.Unlock()
	select {
	case t.changes <- reservation.Change{SessionID: sessionID, Kind: kind}:
	default:
		t.finish()
		t.log.Warn("notify: change queue full; no notices", "session", sessionID, "kind", kind)
	}
}

// change notifies everyone who planned or reserved a changed session, once
// each.
func (t *Triggers) change(ctx context.Context, c reservation.Change) {
	who := t.audience(ctx, c.SessionID)
	if len(who) == 0 {
		return
	}
	n := t.changeNotice(c)
	for _, a := range sortedKeys(who) {
		n.AttendeeID = a
		t.notices.Queue(ctx, n)
	}
}

// changeNotice says what changed, in the conference's zone.
func (t *Triggers) changeNotice(c reservation.Change) Notice {
	snap := t.live.Load().Snap
	now := t.notices.d.Clock.Now()
	n := Notice{Category: CategoryChange, SessionID: c.SessionID, URL: "/sessions/" + c.SessionID,
		Topic: "change-" + c.SessionID, Urgency: UrgencyNormal, Expires: now.Add(24 * time.Hour)}
	se, ok := snap.Session(c.SessionID)
	name := "A session in your plan"
	if ok {
		name = se.Title
		if se.End.After(n.Expires) {
			n.Expires = se.End
		}
	}
	if c.Kind == reservation.ChangeCancelled || !ok || se.Cancelled || !se.Scheduled() {
		n.Title = "Cancelled: " + name
		n.Body = "This session was cancelled. Your plan and seats are updated; check your week for a new proposal."
		n.URL = "/me/week"
		return n
	}
	n.Title = "Moved: " + name
	n.Body = "Now " + when(snap, se) + "."
	return n
}

func when(snap *conference.Snapshot, se *conference.Session) string {
	s := snap.Local(se.Start).Format("Mon 2 Jan 15:04") + "–" + snap.Local(se.End).Format("15:04")
	if r, ok := snap.Room(se.RoomID); ok {
		s += " in " + r.Name
	}
	return s
}

// Recordings compares the conference with the one it saw last and makes a
// recording notice for every session whose recording appeared since, for
// those who planned or reserved it and were not scanned in. Start calls
// it periodically; tests call it directly.
func (t *Triggers) Recordings(ctx context.Context) {
	t.seenMu.Lock()
	defer t.seenMu.Unlock()
	cur := t.live.Load()
	prev := t.seen
	if cur == nil || prev == cur {
		return
	}
	t.seen = cur
	if prev == nil {
		return
	}
	snap := cur.Snap
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if se.SafeRecordingURL() == "" || se.Cancelled {
			continue
		}
		if old, ok := prev.Snap.Session(se.ID); ok && old.SafeRecordingURL() != "" {
			continue
		}
		t.recording(ctx, snap, se)
	}
}

func (t *Triggers) recording(ctx context.Context, snap *conference.Snapshot, se *conference.Session) {
	who := t.audience(ctx, se.ID)
	if len(who) == 0 {
		return
	}
	if t.seats != nil {
		in, err := t.seats.CheckedIn(ctx, se.ID)
		if err != nil {
			t.log.Error("notify: finding the check-ins of a recorded session", "session", se.ID, "err", err)
			return
		}
		for _, a := range in {
			delete(who, a)
		}
	}
	n := Notice{Category: CategoryRecording, Title: "Recording: " + se.Title,
		Body: "You missed it (" + when(snap, se) + "); the recording is out.",
		URL:  "/sessions/" + se.ID, SessionID: se.ID, Topic: "recording-" + se.ID, Urgency: UrgencyLow,
		Expires: t.notices.d.Clock.Now().Add(14 * 24 * time.Hour)}
	for _, a := range sortedKeys(who) {
		n.AttendeeID = a
		t.notices.Queue(ctx, n)
	}
}

// audience is everyone who planned or reserved the session.
func (t *Triggers) audience(ctx context.Context, sessionID string) map[string]bool {
	who := map[string]bool{}
	add := func(list []string, err error, what string) {
		if err != nil {
			t.log.Error("notify: finding "+what+" of a session", "session", sessionID, "err", err)
			return
		}
		for _, a := range list {
			who[a] = true
		}
	}
	if t.plans != nil {
		l, err := t.plans.PlanAttendees(ctx, sessionID)
		add(l, err, "the plans")
	}
	if t.seats != nil {
		l, err := t.seats.SeatHolders(ctx, sessionID)
		add(l, err, "the seat holders")
	}
	return who
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
