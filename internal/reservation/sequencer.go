package reservation

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
)

// tickEvery is how often the sequencer looks for due work (releases,
// expired offers) when no request wakes it. Decisions never depend on it:
// each batch first processes everything due at its own instant.
const tickEvery = 250 * time.Millisecond

// commitTimeout bounds one group commit; past it the batch is answered
// unavailable and the state reloaded.
const commitTimeout = 30 * time.Second

// sequencer owns the in-memory seat state. Only its goroutine (and load,
// before it starts) touches these fields.
type sequencer struct {
	e *Engine

	st          *live.State
	sessions    map[string]*sessionState
	attendees   map[string]*attendee
	offers      map[string]*offerState
	releases    []*sessionState // by release instant
	nextRelease int
	nextExpiry  time.Time // earliest open offer expiry; zero = none
	waitSeq     int64
	broken      bool // the last reload failed: refuse until one succeeds

	// With a SharedLog store (several nodes): head is the newest log
	// entry the state includes; needSync says other nodes may have
	// committed since; undo is the journal of the batch being decided
	// (journal.go), recorded while journaling is set.
	head     int64
	needSync bool
	// lastForeign is when another node's commit was last seen (real
	// time): while it is recent, commit under the log's lock at once.
	lastForeign time.Time
	journaling  bool
	undo        []func()
	// replaying is set while other nodes' ops are applied: the
	// primitives then record no ops of their own.
	replaying bool

	batch   []*request
	ops     []Op
	dirty   map[*sessionState]struct{}
	offered []Offer
	changes []Change
	remote  []Change // another node's organizer changes, for RemoteNotifier
}

func (q *sequencer) run() {
	e := q.e
	defer close(e.stopped)
	ticker := time.NewTicker(tickEvery)
	defer ticker.Stop()
	max := e.cfg.MaxBatch
	for {
		q.batch = q.batch[:0]
		select {
		case <-e.stop:
			return
		case r := <-e.in:
			q.batch = append(q.batch, r)
		case <-ticker.C:
			// With several nodes a tick also looks for their commits
			// (runShared), in case a notification was lost.
			q.batch = append(q.batch, &request{kind: kTick, done: make(chan struct{})})
		case <-e.wake:
			q.batch = append(q.batch, &request{kind: kTick, done: make(chan struct{})})
		}
		// Group commit: everything that queued while the previous batch
		// was being written is decided and committed together.
	drain:
		for len(q.batch) < max {
			select {
			case r := <-e.in:
				q.batch = append(q.batch, r)
			default:
				break drain
			}
		}
		q.process(q.batch)
	}
}

// process runs a batch; an organizer update is run on its own, after the
// requests before it are committed, because it commits the conference
// revision separately.
func (q *sequencer) process(batch []*request) {
	start := 0
	for i, r := range batch {
		if r.kind == kUpdate {
			q.runBatch(batch[start:i])
			q.runBatch(batch[i : i+1])
			start = i + 1
		}
	}
	q.runBatch(batch[start:])
}

func (q *sequencer) runBatch(rs []*request) {
	if len(rs) == 0 {
		return
	}
	e := q.e
	if q.broken {
		if err := q.load(context.Background()); err != nil {
			e.log.Error("reloading the seat state failed", "err", err)
			for _, r := range rs {
				r.err = errcode.Wrap(errcode.Unavailable, err, "the reservation service cannot reach its database; retry later")
				close(r.done)
			}
			return
		}
	}
	if e.shared != nil {
		q.runShared(rs)
		return
	}
	now := e.clock.Now()
	q.ops = q.ops[:0]
	q.due(now)
	for _, r := range rs {
		q.decide(r, now)
	}
	if len(q.ops) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		err := e.store.Apply(ctx, q.ops)
		cancel()
		if err != nil {
			q.failBatch(rs, err)
			return
		}
	}
	q.finish(rs)
}

// finish publishes a committed batch and answers its requests.
func (q *sequencer) finish(rs []*request) {
	q.publish()
	for _, r := range rs {
		close(r.done)
	}
}

func (q *sequencer) resetNotes() {
	clear(q.dirty)
	q.offered = q.offered[:0]
	q.changes = q.changes[:0]
	q.ops = q.ops[:0]
}

// publish makes the committed counts visible and tells the notifier.
func (q *sequencer) publish() {
	var counts []SeatCount
	if len(q.dirty) > 0 {
		counts = make([]SeatCount, 0, len(q.dirty))
		for s := range q.dirty {
			s.publish()
			counts = append(counts, s.count())
		}
	}
	if n := q.e.notify; n != nil {
		if len(counts) > 0 {
			n.SeatsChanged(counts)
		}
		for _, o := range q.offered {
			n.OfferMade(o)
		}
		for _, c := range q.changes {
			n.SessionChanged(c.SessionID, c.Kind)
		}
		if rn, ok := n.(RemoteNotifier); ok {
			for _, c := range q.remote {
				rn.RemoteSessionChanged(c.SessionID, c.Kind)
			}
		}
	}
	clear(q.remote)
	q.remote = q.remote[:0]
	q.resetNotes()
}

func (q *sequencer) attendee(id string) *attendee {
	a := q.attendees[id]
	if a == nil {
		a = &attendee{id: id, waiting: map[*sessionState]int64{}}
		q.attendees[id] = a
	}
	return a
}

func (q *sequencer) touch(s *sessionState) { q.dirty[s] = struct{}{} }

func (q *sequencer) op(o Op) {
	if !q.replaying {
		q.ops = append(q.ops, o)
	}
}

func (q *sequencer) decide(r *request, now time.Time) {
	switch r.kind {
	case kReserve:
		q.reserve(r, now)
	case kCancel:
		r.err = q.cancel(r.attendee, r.id, now)
	case kWaitJoin:
		r.pos, r.err = q.join(r.attendee, r.id, now)
	case kWaitLeave:
		r.err = q.leave(r.attendee, r.id)
	case kAccept:
		r.result, r.err = q.accept(r.attendee, r.id, now)
	case kDecline:
		r.err = q.decline(r.attendee, r.id, now)
	case kCheckIn:
		r.checkIn, r.err = q.checkIn(r.attendee, r.id, now)
	case kSetAutoAccept:
		q.setAutoAccept(r.attendee, r.flag, now)
	case kGetAutoAccept:
		if a := q.attendees[r.attendee]; a != nil {
			r.flag = a.autoAccept
		}
	case kTick:
	case kUpdate:
		r.report, r.err = q.update(r, now)
	}
}

// ---- reservations ----

type resultsBody struct {
	Results []Result `json:"results"`
}

// encodeResults is an answer's body: its JSON and a newline.
func encodeResults(results []Result) []byte {
	body, _ := json.Marshal(resultsBody{results})
	return append(body, '\n')
}

func (q *sequencer) reserve(r *request, now time.Time) {
	e := q.e
	a := q.attendee(r.attendee)
	real := e.quota.Now()
	if r.key != "" {
		if rec := a.idem[r.key]; rec != nil && real.Sub(rec.Created) < e.cfg.IdempotencyTTL {
			if !bytes.Equal(rec.Hash, r.hash) {
				r.err = errcode.New(errcode.Conflict, "this Idempotency-Key was already used with a different request body")
				return
			}
			var body resultsBody
			_ = json.Unmarshal(rec.Body, &body)
			r.answer = Answer{Results: body.Results, Body: rec.Body, Replayed: true}
			return
		}
	}
	if ok, wait := q.takeQuota(a, len(r.ids), real); !ok {
		err := errcode.Wrap(errcode.RateLimited, &retryAfter{wait},
			"over the quota of %d session ids a minute; retry in %d s", e.cfg.QuotaPerMinute, int(wait.Seconds())+1)
		r.err = err
		return
	}
	results := make([]Result, len(r.ids))
	for i, id := range r.ids {
		results[i] = q.reserveOne(a, id, now)
	}
	r.answer = Answer{Results: results}
	if r.key != "" {
		// The answer a retry replays is stored with the seats; without a
		// key the caller encodes it, off the sequencer.
		body := encodeResults(results)
		r.answer.Body = body
		q.putIdem(a, &IdempotencyRecord{Attendee: a.id, Key: r.key, Hash: r.hash, Body: body, Created: real})
		q.op(Op{Kind: OpIdempotency, Attendee: a.id, Key: r.key, Hash: r.hash, Body: body, At: real})
	}
}

// reserveOne decides one session id. Reasons that are about the attendee
// (conflict, daily cap) come before full, so that nobody joins a waitlist
// for a seat they could not take anyway.
func (q *sequencer) reserveOne(a *attendee, id string, now time.Time) Result {
	e := q.e
	res := Result{SessionID: id}
	s := q.sessions[id]
	switch {
	case s == nil:
		res.Status = Unknown
	case s.se.Cancelled:
		res.Status = Cancelled
	case !s.reservable():
		res.Status = NotReservable
	case now.Before(e.cfg.Open):
		res.Status = NotOpen
		t := q.st.Snap.Local(e.cfg.Open)
		res.OpensAt = &t
	case !now.Before(s.release):
		res.Status = Closed
	case a.seatFor(s) >= 0:
		res.Status = Already
	default:
		if c := a.conflictWith(s); c != "" {
			res.Status, res.ConflictWith = Conflict, c
			break
		}
		if a.onDay(s.day) >= e.cfg.DailyCap {
			res.Status = CapReached
			break
		}
		if o := a.offerFor(s); o != nil {
			// Reserving a session one holds an offer for takes the offer.
			q.closeOffer(o, OfferAccepted)
		} else if s.available() <= 0 {
			res.Status = Full
			break
		}
		q.addSeat(a, s, now)
		res.Status = Reserved
	}
	return res
}

func (q *sequencer) cancel(attendeeID, sessionID string, now time.Time) error {
	s := q.sessions[sessionID]
	a := q.attendees[attendeeID]
	if s == nil || a == nil || a.seatFor(s) < 0 {
		return errcode.New(errcode.NotFound, "you hold no reservation for session %q", sessionID)
	}
	if !now.Before(s.release) {
		return errcode.New(errcode.Conflict, "the seats of session %q were released to the walk-up line at %s", sessionID, q.st.Snap.Local(s.release).Format(time.RFC3339))
	}
	q.dropSeat(a, s)
	q.op(Op{Kind: OpEndReservation, Attendee: a.id, SessionID: s.id, State: StateCancelled, At: now})
	q.offerNext(s, now)
	return nil
}

// ---- waitlist and offers ----

func (q *sequencer) join(attendeeID, sessionID string, now time.Time) (int, error) {
	e := q.e
	s := q.sessions[sessionID]
	switch {
	case s == nil:
		return 0, errcode.New(errcode.NotFound, "no session with id %q", sessionID)
	case s.se.Cancelled:
		return 0, unprocessable("session %q is cancelled", sessionID)
	case !s.reservable():
		return 0, unprocessable("session %q does not take reservations", sessionID)
	case now.Before(e.cfg.Open):
		return 0, errcode.New(errcode.Conflict, "reservations open at %s", q.st.Snap.Local(e.cfg.Open).Format(time.RFC3339))
	case !now.Before(s.release):
		return 0, errcode.New(errcode.Conflict, "session %q is closed: its seats went to the walk-up line at %s", sessionID, q.st.Snap.Local(s.release).Format(time.RFC3339))
	}
	a := q.attendee(attendeeID)
	if a.seatFor(s) >= 0 {
		return 0, errcode.New(errcode.Conflict, "you already hold a seat in session %q", sessionID)
	}
	if a.offerFor(s) != nil {
		return 0, errcode.New(errcode.Conflict, "a seat in session %q is on offer to you; accept it", sessionID)
	}
	if _, ok := a.waiting[s]; ok {
		return slices.Index(s.waitlist, a) + 1, nil
	}
	if n := s.available(); n > 0 {
		return 0, errcode.New(errcode.Conflict, "session %q has %d seats available; reserve one instead of waiting", sessionID, n)
	}
	if ok, wait := q.takeQuota(a, 1, e.quota.Now()); !ok {
		return 0, errcode.Wrap(errcode.RateLimited, &retryAfter{wait}, "over the quota of %d session ids a minute", e.cfg.QuotaPerMinute)
	}
	seq := q.waitSeq + 1
	q.insertWaiter(s, a, seq)
	q.op(Op{Kind: OpWaitAdd, Attendee: a.id, SessionID: s.id, Seq: seq, At: now})
	return len(s.waitlist), nil
}

func (q *sequencer) leave(attendeeID, sessionID string) error {
	s := q.sessions[sessionID]
	a := q.attendees[attendeeID]
	if s == nil || a == nil {
		return errcode.New(errcode.NotFound, "you are not on the waitlist of session %q", sessionID)
	}
	if _, ok := a.waiting[s]; !ok {
		return errcode.New(errcode.NotFound, "you are not on the waitlist of session %q", sessionID)
	}
	q.removeWaiter(s, a)
	q.op(Op{Kind: OpWaitRemove, Attendee: a.id, SessionID: s.id})
	return nil
}

// eligible reports whether a waiting attendee can take a seat in s: no
// overlapping reservation, under the daily cap, and able to get there in
// time from the reservation just before it (leaving when it ends).
func (q *sequencer) eligible(a *attendee, s *sessionState) bool {
	if a.conflictWith(s) != "" || a.onDay(s.day) >= q.e.cfg.DailyCap {
		return false
	}
	var prev *sessionState
	for _, st := range a.seats {
		p := st.s
		if p.day == s.day && !p.se.End.After(s.se.Start) && (prev == nil || p.se.End.After(prev.se.End)) {
			prev = p
		}
	}
	if prev == nil || prev.room < 0 || s.room < 0 {
		return true
	}
	tm := q.st.Travel
	return tm.ArriveBy(prev.room, s.room, tm.Minute(prev.se.End)) <= tm.Minute(s.se.Start)
}

// offerNext gives free seats of s to the first eligible waiting attendees.
// Skipped attendees keep their place.
func (q *sequencer) offerNext(s *sessionState, now time.Time) int {
	made := 0
	for s.available() > 0 && len(s.waitlist) > 0 && s.reservable() && now.Before(s.release) {
		i := slices.IndexFunc(s.waitlist, func(a *attendee) bool { return q.eligible(a, s) })
		if i < 0 {
			break
		}
		a := s.waitlist[i]
		q.removeWaiter(s, a)
		q.op(Op{Kind: OpWaitRemove, Attendee: a.id, SessionID: s.id})
		made++
		if a.autoAccept {
			q.addSeat(a, s, now)
			q.offered = append(q.offered, Offer{ID: newOfferID(), Attendee: a.id, SessionID: s.id, Created: now, ExpiresAt: now, State: OfferAccepted})
			continue
		}
		q.openOffer(a, s, now)
	}
	q.touch(s)
	return made
}

// offerWindow is how long an offer made now holds its seat: the full
// window when the session is far away, half the time left before the
// release when it is close (at least the minimum), never past the release.
func (q *sequencer) offerWindow(s *sessionState, now time.Time) time.Time {
	cfg := q.e.cfg
	left := s.release.Sub(now)
	w := min(cfg.OfferWindow, max(cfg.MinOfferWindow, left/2))
	exp := now.Add(w)
	if exp.After(s.release) {
		exp = s.release
	}
	return exp
}

func newOfferID() string {
	var b [12]byte
	rand.Read(b[:])
	return "o_" + hex.EncodeToString(b[:])
}

func (q *sequencer) openOffer(a *attendee, s *sessionState, now time.Time) {
	o := &offerState{Offer: Offer{ID: newOfferID(), Attendee: a.id, SessionID: s.id, Created: now,
		ExpiresAt: q.offerWindow(s, now), State: OfferOpen}, a: a, s: s}
	q.registerOffer(o)
	q.op(Op{Kind: OpOfferOpen, OfferID: o.ID, Attendee: a.id, SessionID: s.id, At: now, Expires: o.ExpiresAt})
	q.offered = append(q.offered, o.Offer)
}

// closeOffer ends an open offer with state and records it.
func (q *sequencer) closeOffer(o *offerState, state string) {
	q.forgetOffer(o)
	q.op(Op{Kind: OpOfferEnd, OfferID: o.ID, State: state})
}

func (q *sequencer) ownOffer(attendeeID, offerID string) (*offerState, error) {
	o := q.offers[offerID]
	if o == nil || o.a.id != attendeeID {
		return nil, errcode.New(errcode.NotFound, "you have no open offer %q", offerID)
	}
	return o, nil
}

func (q *sequencer) accept(attendeeID, offerID string, now time.Time) (Result, error) {
	o, err := q.ownOffer(attendeeID, offerID)
	if err != nil {
		return Result{}, err
	}
	a, s := o.a, o.s
	if c := a.conflictWith(s); c != "" {
		return Result{SessionID: s.id, Status: Conflict, ConflictWith: c}, nil
	}
	if a.onDay(s.day) >= q.e.cfg.DailyCap {
		return Result{SessionID: s.id, Status: CapReached}, nil
	}
	q.closeOffer(o, OfferAccepted)
	q.addSeat(a, s, now)
	return Result{SessionID: s.id, Status: Reserved}, nil
}

func (q *sequencer) decline(attendeeID, offerID string, now time.Time) error {
	o, err := q.ownOffer(attendeeID, offerID)
	if err != nil {
		return err
	}
	q.closeOffer(o, OfferDeclined)
	q.offerNext(o.s, now)
	return nil
}

func (q *sequencer) setAutoAccept(attendeeID string, on bool, now time.Time) {
	a := q.attendee(attendeeID)
	q.setAuto(a, on)
	q.op(Op{Kind: OpSetAutoAccept, Attendee: a.id, Flag: on})
	if !on {
		return
	}
	for _, o := range slices.Clone(a.offers) {
		if a.conflictWith(o.s) == "" && a.onDay(o.s.day) < q.e.cfg.DailyCap {
			q.closeOffer(o, OfferAccepted)
			q.addSeat(a, o.s, now)
			acc := o.Offer
			acc.State = OfferAccepted
			q.offered = append(q.offered, acc)
		}
	}
}

// ---- check-in ----

func (q *sequencer) checkIn(attendeeID, sessionID string, now time.Time) (CheckIn, error) {
	s := q.sessions[sessionID]
	if s == nil || !s.se.Scheduled() {
		return CheckIn{}, errcode.New(errcode.NotFound, "no scheduled session with id %q", sessionID)
	}
	if s.se.Cancelled {
		return CheckIn{}, unprocessable("session %q is cancelled", sessionID)
	}
	a := q.attendee(attendeeID)
	held := a.seatFor(s)
	if at, ok := s.checkedIn[attendeeID]; ok {
		return CheckIn{SessionID: s.id, AttendeeID: a.id, CheckedInAt: q.st.Snap.Local(at), Reserved: held >= 0, Already: true}, nil
	}
	var st *seat
	if held >= 0 {
		st = a.seats[held]
	}
	q.markCheckedIn(s, a.id, st, now)
	q.op(Op{Kind: OpCheckIn, Attendee: a.id, SessionID: s.id, At: now})
	return CheckIn{SessionID: s.id, AttendeeID: a.id, CheckedInAt: q.st.Snap.Local(now), Reserved: held >= 0}, nil
}

// ---- due work: walk-up release and offer expiry ----

func (q *sequencer) due(now time.Time) {
	q.saveDue()
	for q.nextRelease < len(q.releases) && !now.Before(q.releases[q.nextRelease].release) {
		s := q.releases[q.nextRelease]
		q.nextRelease++
		if s.released || now.Before(s.release) {
			continue
		}
		q.markReleased(s)
		q.lapse(s, now)
	}
	if q.nextExpiry.IsZero() || now.Before(q.nextExpiry) {
		return
	}
	var expired []*offerState
	for _, o := range q.offers {
		if !now.Before(o.ExpiresAt) {
			expired = append(expired, o)
		}
	}
	sort.Slice(expired, func(i, j int) bool {
		if !expired[i].ExpiresAt.Equal(expired[j].ExpiresAt) {
			return expired[i].ExpiresAt.Before(expired[j].ExpiresAt)
		}
		return expired[i].ID < expired[j].ID
	})
	for _, o := range expired {
		q.closeOffer(o, OfferExpired)
	}
	for _, o := range expired {
		q.offerNext(o.s, now)
	}
	q.nextExpiry = time.Time{}
	for _, o := range q.offers {
		if q.nextExpiry.IsZero() || o.ExpiresAt.Before(q.nextExpiry) {
			q.nextExpiry = o.ExpiresAt
		}
	}
}

// lapse is the walk-up release: reservations not checked in lapse, offers
// expire, the waitlist closes.
func (q *sequencer) lapse(s *sessionState, now time.Time) {
	q.touch(s) // the band turns to walkup
	if len(s.holders) == 0 && s.held == 0 && len(s.waitlist) == 0 {
		return
	}
	for a, st := range s.holders {
		if !st.checkedIn {
			q.dropSeat(a, s)
			q.op(Op{Kind: OpEndReservation, Attendee: a.id, SessionID: s.id, State: StateLapsed, At: now})
		}
	}
	q.clearOffersAndWaitlist(s)
	q.op(Op{Kind: OpLapseSession, SessionID: s.id, At: now})
}

func (q *sequencer) clearOffersAndWaitlist(s *sessionState) {
	if s.held > 0 {
		for _, o := range q.offers {
			if o.s == s {
				q.forgetOffer(o)
			}
		}
	}
	q.clearWaitlist(s)
}

// cancelSession ends every reservation, offer and waitlist place of a
// session the organizer cancelled (or that disappeared).
func (q *sequencer) cancelSession(s *sessionState, now time.Time) int {
	n := len(s.holders)
	for a := range s.holders {
		q.dropSeat(a, s)
		q.op(Op{Kind: OpEndReservation, Attendee: a.id, SessionID: s.id, State: StateSessionCancelled, At: now})
	}
	q.clearOffersAndWaitlist(s)
	q.op(Op{Kind: OpCancelSession, SessionID: s.id, At: now})
	q.touch(s)
	return n
}

// ---- conference changes ----

func (q *sequencer) update(r *request, now time.Time) (EditReport, error) {
	e := q.e
	cur := e.live.Load()
	base := cur.Snap.Rev
	if r.baseRev >= 0 && r.baseRev != base {
		return EditReport{}, errcode.New(errcode.Conflict, "the conference changed meanwhile: newest revision is %d, this change was based on %d; reload and retry", base, r.baseRev)
	}
	c := *cur.Snap.Conf
	c.Sessions = slices.Clone(c.Sessions)
	c.Rooms = slices.Clone(c.Rooms)
	warnings, err := r.update(&c, func(id string) (int, int) {
		if s := q.sessions[id]; s != nil {
			return len(s.holders), s.held
		}
		return 0, 0
	})
	if err != nil {
		return EditReport{}, err
	}
	warnings = append(warnings, q.keepConfirmedSeats(&c)...)
	st, err := live.Build(&c, base+1)
	if err != nil {
		return EditReport{}, errcode.Wrap(errcode.Invalid, err, "the change makes the conference invalid: %v", err)
	}
	rev, err := e.store.SaveConference(context.Background(), &c, base)
	if err != nil {
		return EditReport{}, err
	}
	st.Snap.Rev = rev
	e.live.Store(st)
	rep := q.install(st, now)
	rep.Rev = rev
	rep.Warnings = append(warnings, rep.Warnings...)
	if rep.Warnings == nil {
		rep.Warnings = []string{}
	}
	return rep, nil
}

// keepConfirmedSeats raises the capacity of every session whose new
// reservable capacity is below its reservations to exactly what is
// reserved: an organizer's change never takes a confirmed seat away.
func (q *sequencer) keepConfirmedSeats(c *conference.Conference) []string {
	rooms := make(map[string]int, len(c.Rooms))
	for _, rm := range c.Rooms {
		rooms[rm.ID] = rm.Capacity
	}
	var warnings []string
	for i := range c.Sessions {
		se := &c.Sessions[i]
		s := q.sessions[se.ID]
		if s == nil || se.Cancelled || len(s.holders) == 0 {
			continue
		}
		capacity := 0
		if se.Capacity != nil {
			capacity = *se.Capacity
		} else if rc, ok := rooms[se.RoomID]; ok {
			capacity = rc - rc*conference.WalkupPercent(se.Type)/100
		}
		if n := len(s.holders); capacity < n {
			se.Capacity = &n
			warnings = append(warnings, fmt.Sprintf("session %s: the new capacity %d is below the %d seats reserved; capacity kept at %d so that no confirmed seat is lost", se.ID, capacity, n, n))
		}
	}
	return warnings
}

// install makes st the engine's conference: session states are created or
// updated and seats follow the changes (when q.st is set; at load there is
// nothing to compare with).
func (q *sequencer) install(st *live.State, now time.Time) EditReport {
	rep := EditReport{Changes: []Change{}}
	snap := st.Snap
	old := q.sessions
	next := make(map[string]*sessionState, len(snap.Conf.Sessions))
	type changed struct {
		s         *sessionState
		kind      string // changeKind's
		increased bool
	}
	var list []changed
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		s := old[se.ID]
		if s == nil {
			s = &sessionState{id: se.ID, holders: map[*attendee]*seat{}, checkedIn: map[string]time.Time{}}
		}
		prev, prevCap := s.se, s.capacity
		s.se = se
		s.room = -1
		s.day, s.release = "", time.Time{}
		if se.Scheduled() {
			s.day = snap.Day(se.Start)
			s.release = q.e.cfg.Release(se)
			if ri, ok := st.Travel.RoomIndex(se.RoomID); ok {
				s.room = ri
			}
		}
		if now.Before(s.release) {
			s.released = false
		}
		s.capacity = 0
		if se.Scheduled() {
			s.capacity = snap.ReservableCapacity(se)
		}
		next[se.ID] = s
		if prev != nil && q.st != nil {
			if kind := changeKind(prev, se, prevCap, s.capacity); kind != "" {
				list = append(list, changed{s: s, kind: kind, increased: s.capacity > prevCap})
				q.touch(s)
			}
		}
	}
	for id, s := range old {
		if next[id] == nil && q.st != nil {
			rep.ReservationsCancelled += q.cancelSession(s, now)
			rep.Changes = append(rep.Changes, Change{id, "cancelled"})
		}
	}
	q.sessions = next
	q.e.sessions.Store(&next)
	q.st = st

	for _, c := range list {
		s := c.s
		rep.Changes = append(rep.Changes, Change{s.id, c.kind})
		switch c.kind {
		case "cancelled":
			rep.ReservationsCancelled += q.cancelSession(s, now)
			continue
		case "moved":
			for a := range s.holders {
				if a.conflictWith(s) != "" {
					rep.Overlaps++
				}
			}
		}
		// Offers beyond the new capacity are withdrawn, newest first, and
		// their attendees go back to the head of the waitlist.
		for s.available() < 0 && s.held > 0 {
			var newest *offerState
			for _, o := range q.offers {
				if o.s == s && (newest == nil || o.Created.After(newest.Created)) {
					newest = o
				}
			}
			q.closeOffer(newest, OfferWithdrawn)
			seq := q.firstSeq(s) - 1
			q.insertWaiter(s, newest.a, seq)
			q.op(Op{Kind: OpWaitAdd, Attendee: newest.a.id, SessionID: s.id, Seq: seq, At: now})
		}
		if c.increased || c.kind == "moved" {
			rep.OffersMade += q.offerNext(s, now)
		}
	}
	q.changes = append(q.changes, rep.Changes...)
	q.rebuildReleases(now)
	return rep
}

// firstSeq is the sequence number of the head of s's waitlist (seqs only
// order, so the head can go below every other).
func (q *sequencer) firstSeq(s *sessionState) int64 {
	first := q.waitSeq
	for _, a := range s.waitlist {
		first = min(first, a.waiting[s])
	}
	return first
}

func (q *sequencer) rebuildReleases(now time.Time) {
	q.releases = q.releases[:0]
	for _, s := range q.sessions {
		if s.se.Scheduled() && !s.released {
			q.releases = append(q.releases, s)
		}
	}
	sort.Slice(q.releases, func(i, j int) bool {
		if !q.releases[i].release.Equal(q.releases[j].release) {
			return q.releases[i].release.Before(q.releases[j].release)
		}
		return q.releases[i].id < q.releases[j].id
	})
	q.nextRelease = 0
}

// load (re)builds the whole state from the store and the current
// conference. Reservations, offers and waitlist places of sessions that
// are gone or cancelled are cancelled now, and free seats go to their
// waitlists (a crash between an organizer's save and the seat changes
// leaves such work behind).
func (q *sequencer) load(ctx context.Context) error {
	if q.e.shared == nil {
		return q.loadOnce(ctx)
	}
	// Another node may commit between the read and the repairs; then
	// read again.
	var err error
	for range 8 {
		if err = q.loadOnce(ctx); !IsStale(err) {
			return err
		}
	}
	return err
}

func (q *sequencer) loadOnce(ctx context.Context) error {
	e := q.e
	st := e.live.Load()
	now := e.clock.Now()
	cutoff := e.quota.Now().Add(-e.cfg.IdempotencyTTL)
	var stored *Stored
	var head int64
	var err error
	if e.shared != nil {
		stored, head, err = e.shared.LoadSeatsAt(ctx, cutoff)
	} else {
		stored, err = e.store.LoadSeats(ctx, cutoff)
	}
	if err != nil {
		return err
	}
	q.journaling = false
	q.forgetJournal()
	q.sessions = nil
	q.st = nil
	q.attendees = map[string]*attendee{}
	q.offers = map[string]*offerState{}
	q.dirty = map[*sessionState]struct{}{}
	q.nextExpiry = time.Time{}
	q.waitSeq = 0
	q.resetNotes()
	q.install(st, now)

	orphans := map[string]bool{}
	keep := func(id string) *sessionState {
		s := q.sessions[id]
		if s == nil || s.se.Cancelled {
			orphans[id] = true
			return nil
		}
		return s
	}
	for _, r := range stored.Reservations {
		if keep(r.SessionID) == nil {
			q.op(Op{Kind: OpEndReservation, Attendee: r.Attendee, SessionID: r.SessionID, State: StateSessionCancelled, At: now})
		}
	}
	for _, r := range stored.Reservations {
		if s := keep(r.SessionID); s != nil {
			a := q.attendee(r.Attendee)
			held := &seat{s: s, created: r.Created, checkedIn: r.CheckedIn != nil}
			a.seats = append(a.seats, held)
			s.holders[a] = held
		}
	}
	for _, w := range stored.Waitlist {
		q.waitSeq = max(q.waitSeq, w.Seq)
		if s := keep(w.SessionID); s != nil {
			a := q.attendee(w.Attendee)
			a.waiting[s] = w.Seq
			s.waitlist = append(s.waitlist, a)
		}
	}
	for _, o := range stored.Offers {
		if s := keep(o.SessionID); s != nil {
			a := q.attendee(o.Attendee)
			os := &offerState{Offer: o, a: a, s: s}
			q.offers[o.ID] = os
			a.offers = append(a.offers, os)
			s.held++
			if q.nextExpiry.IsZero() || o.ExpiresAt.Before(q.nextExpiry) {
				q.nextExpiry = o.ExpiresAt
			}
		}
	}
	for _, id := range stored.AutoAccept {
		q.attendee(id).autoAccept = true
	}
	for _, c := range stored.CheckIns {
		if s := q.sessions[c.SessionID]; s != nil {
			s.checkedIn[c.AttendeeID] = c.CheckedInAt
		}
	}
	for i := range stored.Idempotency {
		rec := &stored.Idempotency[i]
		a := q.attendee(rec.Attendee)
		if a.idem == nil {
			a.idem = map[string]*IdempotencyRecord{}
		}
		a.idem[rec.Key] = rec
	}
	q.op(Op{Kind: OpPruneIdempotency, At: cutoff})
	for id := range orphans {
		q.op(Op{Kind: OpCancelSession, SessionID: id, At: now})
	}
	for _, s := range q.sessions {
		if s.available() > 0 && len(s.waitlist) > 0 {
			q.offerNext(s, now)
		}
	}
	if e.shared != nil {
		if head, err = e.shared.ApplyAt(ctx, head, q.ops); err != nil {
			q.resetNotes()
			return err
		}
		q.setHead(head)
		q.needSync = false
	} else if err := e.store.Apply(ctx, q.ops); err != nil {
		q.resetNotes()
		return err
	}
	q.ops = q.ops[:0]
	for _, s := range q.sessions {
		s.publish()
	}
	clear(q.dirty)
	q.broken = false
	return nil
}
