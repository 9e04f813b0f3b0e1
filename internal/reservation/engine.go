package reservation

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/reservation/seatstate"
)

// Deps are what the engine needs.
type Deps struct {
	Store Store
	// Log, when not nil, is the shared log several nodes commit through
	// (PostgreSQL); nil for a single node (SQLite).
	Log SharedLog
	// Live is the conference the engine reads; the engine swaps in new
	// states for the organizer's edits it applies.
	Live  *live.Holder
	Clock clock.Clock // conference time: opening, release, offers
	// QuotaClock paces the per-attendee quota; it is real time even when
	// the conference clock is pinned (serve --now). Default clock.System.
	QuotaClock clock.Clock
	Notify     Notifier // may be nil
	Logger     *slog.Logger
}

// Engine is the only writer of seats. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	store  Store
	live   *live.Holder
	clock  clock.Clock
	quota  clock.Clock
	notify Notifier
	log    *slog.Logger

	in       chan *request
	stop     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once

	// sessions is replaced (never mutated) by the sequencer, so readers
	// (Seats, Occupancy) use it without locks.
	sessions atomic.Pointer[seatstate.Index]

	seq sequencer

	// wake hears the shared log's notifications (several nodes).
	wake        chan struct{}
	watchCancel context.CancelFunc
	staleRuns   atomic.Int64
	replayed    atomic.Int64
	stats       batchStats
	// seen is the newest log entry the sequencer's state includes.
	seen atomic.Int64
	// contendedFor is the constant of that name (tests lower it to drive
	// every batch through the optimistic commit and its rollback).
	contendedFor atomic.Int64
}

// StaleRetries counts the batches decided again because another node
// committed first (always 0 on a single-node store).
func (e *Engine) StaleRetries() int64 { return e.staleRuns.Load() }

// Stats are the engine's cumulative batch figures since New.
type Stats struct {
	Batches  int64         // batches run (a tick included)
	Requests int64         // requests decided in them
	Busy     time.Duration // the sequencer's time in batches
	Store    time.Duration // of which waiting for the store (commits, log reads)
}

// batchStats are Stats, kept by the sequencer, read by anyone.
type batchStats struct {
	batches, requests, busy, store atomic.Int64
}

// Stats returns the batch figures (for /metrics: where a group commit's
// time goes).
func (e *Engine) Stats() Stats {
	s := &e.stats
	return Stats{Batches: s.batches.Load(), Requests: s.requests.Load(),
		Busy: time.Duration(s.busy.Load()), Store: time.Duration(s.store.Load())}
}

// timeStore adds the time since t0 to the store's share.
func (e *Engine) timeStore(t0 time.Time) { e.stats.store.Add(int64(time.Since(t0))) }

// Replayed counts the other nodes' log entries this engine applied.
func (e *Engine) Replayed() int64 { return e.replayed.Load() }

// queueDepth bounds the requests waiting for the sequencer; beyond it
// callers wait (their context bounds how long).
const queueDepth = 8192

// New loads the seat state from the store and starts the sequencer.
func New(ctx context.Context, cfg Config, d Deps) (*Engine, error) {
	if d.Store == nil || d.Live == nil || d.Live.Load() == nil {
		return nil, errors.New("reservation.New: a store and a loaded conference are required")
	}
	e := &Engine{
		cfg: cfg.WithDefaults(), store: d.Store, live: d.Live, clock: d.Clock, quota: d.QuotaClock,
		notify: d.Notify, log: d.Logger,
		in: make(chan *request, queueDepth), stop: make(chan struct{}), stopped: make(chan struct{}),
	}
	e.contendedFor.Store(int64(contendedFor))
	if e.clock == nil {
		e.clock = clock.System{}
	}
	if e.quota == nil {
		e.quota = clock.System{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.seq.e = e
	e.seq.st = seatstate.New()
	e.wake = make(chan struct{}, 1)
	if d.Log != nil {
		e.seq.commit = &logCommit{q: &e.seq, log: d.Log}
		watch, cancel := context.WithCancel(context.Background())
		e.watchCancel = cancel
		go d.Log.Watch(watch, func(seq int64) {
			if seq > 0 && seq <= e.seen.Load() {
				return // this node's own commit, or one it has replayed
			}
			select {
			case e.wake <- struct{}{}:
			default:
			}
		})
	} else {
		e.seq.commit = &singleCommit{q: &e.seq, store: d.Store}
	}
	if err := e.seq.load(ctx); err != nil {
		if e.watchCancel != nil {
			e.watchCancel()
		}
		return nil, err
	}
	go e.seq.run()
	return e, nil
}

// Close stops the sequencer after the batch in progress.
func (e *Engine) Close() error {
	e.stopOnce.Do(func() {
		close(e.stop)
		if e.watchCancel != nil {
			e.watchCancel()
		}
	})
	<-e.stopped
	return nil
}

// Config returns the policy in force.
func (e *Engine) Config() Config { return e.cfg }

type reqKind uint8

const (
	kReserve reqKind = iota + 1
	kCancel
	kWaitJoin
	kWaitLeave
	kAccept
	kDecline
	kCheckIn
	kSetAutoAccept
	kGetAutoAccept
	kTick
	kUpdate
)

// request is one call into the sequencer and, once done is closed, its
// answer.
type request struct {
	kind     reqKind
	attendee string
	ids      []string
	id       string // session or offer id
	key      string
	hash     []byte
	flag     bool
	update   func(c *conference.Conference, reserved func(id string) (reserved, held int)) ([]string, error)
	baseRev  int64
	// live is an update's new conference, made current once committed.
	live *live.State

	answer  Answer
	result  Result
	pos     int
	checkIn CheckIn
	report  EditReport
	err     error
	done    chan struct{}
}

var errStopped = errcode.New(errcode.Unavailable, "the reservation service is shutting down")

// call hands r to the sequencer and waits for its answer.
func (e *Engine) call(ctx context.Context, r *request) error {
	r.done = make(chan struct{})
	select {
	case e.in <- r:
	case <-ctx.Done():
		return errcode.Wrap(errcode.Unavailable, ctx.Err(), "the request was cancelled")
	case <-e.stop:
		return errStopped
	}
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		// The decision is still made and written; the caller has gone.
		return errcode.Wrap(errcode.Unavailable, ctx.Err(), "the request was cancelled")
	case <-e.stopped:
		return errStopped
	}
}

// Reserve asks for seats in up to MaxBatch distinct sessions. idemKey, when
// not empty, makes a retry with the same ids return the first answer byte
// for byte; the same key with other ids is an errcode.Conflict error. Over
// the quota it returns an errcode.RateLimited error carrying RetryAfter.
func (e *Engine) Reserve(ctx context.Context, attendeeID string, sessionIDs []string, idemKey string) (Answer, error) {
	if err := validBatch(sessionIDs); err != nil {
		return Answer{}, err
	}
	if attendeeID == "" {
		return Answer{}, errcode.New(errcode.Unauthorized, "sign in to reserve")
	}
	if len(idemKey) > 200 {
		return Answer{}, errcode.New(errcode.Invalid, "the Idempotency-Key is longer than 200 characters")
	}
	r := &request{kind: kReserve, attendee: attendeeID, ids: sessionIDs, key: idemKey}
	if idemKey != "" {
		h := sha256.Sum256([]byte("reserve\x00" + strings.Join(sessionIDs, "\x00")))
		r.hash = h[:]
	}
	if err := e.call(ctx, r); err != nil {
		return Answer{}, err
	}
	if r.answer.Body == nil {
		r.answer.Body = encodeResults(r.answer.Results)
	}
	return r.answer, nil
}

func validBatch(ids []string) error {
	switch {
	case len(ids) == 0:
		return errcode.New(errcode.Invalid, "sessionIds must name 1 to %d sessions", MaxBatch)
	case len(ids) > MaxBatch:
		return errcode.New(errcode.Invalid, "sessionIds names %d sessions; at most %d per request", len(ids), MaxBatch)
	}
	for i, id := range ids {
		if id == "" || len(id) > 200 {
			return errcode.New(errcode.Invalid, "sessionIds[%d] is not a session id", i)
		}
		for _, prev := range ids[:i] {
			if prev == id {
				return errcode.New(errcode.Invalid, "sessionIds names %q twice; ids must be distinct", id)
			}
		}
	}
	return nil
}

// Cancel gives up the attendee's reservation; the seat goes to the
// waitlist. No reservation is errcode.NotFound.
func (e *Engine) Cancel(ctx context.Context, attendeeID, sessionID string) error {
	return e.call(ctx, &request{kind: kCancel, attendee: attendeeID, id: sessionID})
}

// JoinWaitlist puts the attendee on a full session's waitlist and returns
// the position (1 = next). Joining again returns the current position.
// When seats are available it is an errcode.Conflict error: reserve instead.
func (e *Engine) JoinWaitlist(ctx context.Context, attendeeID, sessionID string) (int, error) {
	r := &request{kind: kWaitJoin, attendee: attendeeID, id: sessionID}
	if err := e.call(ctx, r); err != nil {
		return 0, err
	}
	return r.pos, nil
}

// LeaveWaitlist takes the attendee off a waitlist (errcode.NotFound when
// not on it).
func (e *Engine) LeaveWaitlist(ctx context.Context, attendeeID, sessionID string) error {
	return e.call(ctx, &request{kind: kWaitLeave, attendee: attendeeID, id: sessionID})
}

// Accept turns an open offer into a reservation. A result other than
// reserved (conflict, cap_reached) leaves the offer open. An expired or
// declined offer is an errcode.Conflict error; someone else's is NotFound.
func (e *Engine) Accept(ctx context.Context, attendeeID, offerID string) (Result, error) {
	r := &request{kind: kAccept, attendee: attendeeID, id: offerID}
	if err := e.call(ctx, r); err != nil {
		if errcode.Is(err, errcode.NotFound) {
			return Result{}, e.endedOffer(ctx, attendeeID, offerID, err)
		}
		return Result{}, err
	}
	return r.result, nil
}

// Decline gives an open offer's seat to the next in line.
func (e *Engine) Decline(ctx context.Context, attendeeID, offerID string) error {
	err := e.call(ctx, &request{kind: kDecline, attendee: attendeeID, id: offerID})
	if errcode.Is(err, errcode.NotFound) {
		return e.endedOffer(ctx, attendeeID, offerID, err)
	}
	return err
}

// ErrOfferExpired is wrapped by Accept's and Decline's errcode.Conflict
// when the offer ran out of time.
var ErrOfferExpired = errors.New("the offer expired")

// endedOffer explains why an offer is not open: it expired, was declined,
// accepted or withdrawn (Conflict), or it is unknown or another's (the
// original NotFound).
func (e *Engine) endedOffer(ctx context.Context, attendeeID, offerID string, notFound error) error {
	o, ok, err := e.store.OfferByID(ctx, offerID)
	if err != nil || !ok || o.Attendee != attendeeID {
		return notFound
	}
	st := e.live.Load()
	switch o.State {
	case OfferExpired:
		return errcode.Wrap(errcode.Conflict, ErrOfferExpired, "the offer expired at %s", st.Snap.Local(o.ExpiresAt).Format(time.RFC3339))
	case OfferAccepted:
		return errcode.New(errcode.Conflict, "the offer was already accepted")
	case OfferOpen:
		return errcode.New(errcode.Unavailable, "the offer is being processed; retry")
	}
	return errcode.New(errcode.Conflict, "the offer is %s", string(o.State))
}

// SetAutoAccept turns automatic acceptance of offers on or off. Turning it
// on accepts the attendee's open offers that are still valid.
func (e *Engine) SetAutoAccept(ctx context.Context, attendeeID string, on bool) error {
	return e.call(ctx, &request{kind: kSetAutoAccept, attendee: attendeeID, flag: on})
}

// AutoAccept reports the attendee's setting.
func (e *Engine) AutoAccept(ctx context.Context, attendeeID string) (bool, error) {
	r := &request{kind: kGetAutoAccept, attendee: attendeeID}
	err := e.call(ctx, r)
	return r.flag, err
}

// CheckIn records that the attendee is in the session (a badge scan). It is
// idempotent: a repeated scan returns the first time with Already set.
func (e *Engine) CheckIn(ctx context.Context, sessionID, attendeeID string) (CheckIn, error) {
	if attendeeID == "" || len(attendeeID) > 200 {
		return CheckIn{}, errcode.New(errcode.Invalid, "attendeeId is required")
	}
	r := &request{kind: kCheckIn, attendee: attendeeID, id: sessionID}
	if err := e.call(ctx, r); err != nil {
		return CheckIn{}, err
	}
	return r.checkIn, nil
}

// Tick processes the work that is due now: walk-up releases and expired
// offers. The engine ticks by itself; tests with a pinned clock call it.
func (e *Engine) Tick(ctx context.Context) error {
	return e.call(ctx, &request{kind: kTick})
}

// Seats returns the committed reserved and held counts of a session.
func (e *Engine) Seats(sessionID string) (reserved, held int) {
	if s := e.sessions.Load().Session(sessionID); s != nil {
		c := s.Published()
		return c.Reserved, c.Held
	}
	return 0, 0
}

// Count returns a session's published seat numbers.
func (e *Engine) Count(sessionID string) (SeatCount, bool) {
	s := e.sessions.Load().Session(sessionID)
	if s == nil {
		return SeatCount{}, false
	}
	p := s.Published()
	c := SeatCount{SessionID: s.ID(), Capacity: p.Capacity, Reserved: p.Reserved, Held: p.Held}
	if se, ok := e.live.Load().Snap.Session(sessionID); ok && se.Scheduled() {
		c.Release = e.cfg.Release(se)
	}
	return c, true
}

// Occupancy lists the reservable sessions of a conference day (all days
// when day is empty), by start.
func (e *Engine) Occupancy(day string) []Occupancy {
	snap := e.live.Load().Snap
	sessions := e.sessions.Load()
	out := []Occupancy{}
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if !se.Reservable || !se.Scheduled() || (day != "" && snap.Day(se.Start) != day) {
			continue
		}
		s := sessions.Session(se.ID)
		if s == nil {
			continue
		}
		p := s.Published()
		out = append(out, Occupancy{SessionID: se.ID, Capacity: p.Capacity, Reserved: p.Reserved, Held: p.Held,
			CheckedIn: p.CheckedIn, Waitlist: p.Waiting})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := snap.Session(out[i].SessionID)
		b, _ := snap.Session(out[j].SessionID)
		return a.Start.Before(b.Start)
	})
	return out
}

// Reservations lists the attendee's reservations (active, lapsed and those
// of sessions the organizer cancelled).
func (e *Engine) Reservations(ctx context.Context, attendeeID string) ([]Reservation, error) {
	return e.store.AttendeeReservations(ctx, attendeeID)
}

// Offers lists the attendee's open offers.
func (e *Engine) Offers(ctx context.Context, attendeeID string) ([]Offer, error) {
	list, err := e.store.AttendeeOffers(ctx, attendeeID, OfferOpen)
	if err != nil {
		return nil, err
	}
	now := e.clock.Now()
	out := list[:0]
	for _, o := range list {
		if now.Before(o.ExpiresAt) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Waitlist lists the attendee's waitlist places.
func (e *Engine) Waitlist(ctx context.Context, attendeeID string) ([]WaitPlace, error) {
	return e.store.AttendeeWaitlist(ctx, attendeeID)
}

// retryAfter rides inside a RateLimited error.
type retryAfter struct{ d time.Duration }

func (r *retryAfter) Error() string { return fmt.Sprintf("retry after %s", r.d) }

// RetryAfter returns how long a rate-limited caller should wait.
func RetryAfter(err error) (time.Duration, bool) {
	var r *retryAfter
	if errors.As(err, &r) {
		return r.d, true
	}
	return 0, false
}

// reset clears a request's answer before it is decided (again).
func (r *request) reset() {
	r.answer, r.result, r.pos, r.checkIn, r.report, r.err, r.live = Answer{}, Result{}, 0, CheckIn{}, EditReport{}, nil, nil
	if r.kind == kGetAutoAccept {
		r.flag = false
	}
}
