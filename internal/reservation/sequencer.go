package reservation

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/reservation/seatstate"
)

// tickEvery is how often the sequencer looks for due work (releases,
// expired offers) when no request wakes it. Decisions never depend on it:
// each batch first processes everything due at its own instant.
const tickEvery = 250 * time.Millisecond

// commitTimeout bounds every database call the sequencer makes for one
// batch (a group commit, a reload); past it the batch is answered
// unavailable and the state reloaded.
const commitTimeout = 30 * time.Second

// sequencer decides. Only its goroutine (and load, before it starts)
// touches its fields; the seat state changes only through st's methods
// (package seatstate), which is what lets a batch be taken back.
type sequencer struct {
	e      *Engine
	st     *seatstate.State
	commit committer // singleCommit or logCommit
	broken bool      // the last reload failed: refuse until one succeeds

	batch   []*request
	ops     []Op     // the batch's writes, in order
	offered []Offer  // offers made (or auto-accepted), told after commit
	changes []Change // this node's organizer changes, told after commit
	remote  []Change // another node's organizer changes, for RemoteNotifier
}

func (q *sequencer) run() {
	e := q.e
	defer close(e.stopped)
	ticker := time.NewTicker(tickEvery)
	defer ticker.Stop()
	limit := e.cfg.MaxBatch
	for {
		q.batch = q.batch[:0]
		select {
		case <-e.stop:
			return
		case r := <-e.in:
			q.batch = append(q.batch, r)
		case <-ticker.C:
			// With several nodes a tick also looks for their commits
			// (logCommit), in case a notification was lost.
			q.batch = append(q.batch, &request{kind: kTick, done: make(chan struct{})})
		case <-e.wake:
			q.batch = append(q.batch, &request{kind: kTick, done: make(chan struct{})})
		}
		// Group commit: everything that queued while the previous batch
		// was being written is decided and committed together.
	drain:
		for len(q.batch) < limit {
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

// process runs a batch; an organizer's change is run on its own, after
// the requests before it are committed, so that a refused change (a
// newer revision, an invalid result) takes no one else's answer with it.
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
	t0 := time.Now()
	defer func() {
		q.e.stats.batches.Add(1)
		q.e.stats.requests.Add(int64(len(rs)))
		q.e.stats.busy.Add(int64(time.Since(t0)))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if q.broken {
		if err := q.load(ctx); err != nil {
			q.e.log.Error("reloading the seat state failed", "err", err)
			for _, r := range rs {
				r.err = errcode.Wrap(errcode.Unavailable, err, "the reservation service cannot reach its database; retry later")
				close(r.done)
			}
			return
		}
	}
	if err := q.commit.run(ctx, rs); err != nil {
		q.failBatch(rs, err)
		return
	}
	q.finish(rs)
}

// finish publishes a committed batch and answers its requests: a
// conference change becomes the one readers see only now, after its
// commit.
func (q *sequencer) finish(rs []*request) {
	for _, r := range rs {
		if r.live != nil {
			q.e.live.Store(r.live)
		}
	}
	q.publish()
	for _, r := range rs {
		close(r.done)
	}
}

// failBatch answers every request of a batch whose decisions could not be
// committed, and rebuilds memory from the store: nothing of the batch is
// durable, so nobody hears "reserved", and memory goes back to what the
// store holds.
func (q *sequencer) failBatch(rs []*request, err error) {
	e := q.e
	e.log.Error("committing seat decisions failed; reloading", "requests", len(rs), "err", err)
	for _, r := range rs {
		switch {
		case errcode.Is(err, errcode.Unavailable):
			r.err = err
		case errcode.Is(err, errcode.Conflict) && !IsStale(err):
			// A conference change based on a revision that is no
			// longer the newest: the caller reloads and retries.
			r.err = err
		default:
			r.err = errcode.Wrap(errcode.Unavailable, err, "the seats could not be saved; nothing was changed, retry")
		}
	}
	q.resetNotes()
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if lerr := q.load(ctx); lerr != nil {
		e.log.Error("reloading the seat state failed", "err", lerr)
		q.broken = true
	}
	for _, r := range rs {
		close(r.done)
	}
}

func (q *sequencer) resetNotes() {
	q.st.ForgetTouched()
	clear(q.offered)
	q.offered = q.offered[:0]
	clear(q.changes)
	q.changes = q.changes[:0]
	q.ops = q.ops[:0]
}

// publish makes the committed counts visible and tells the notifier.
func (q *sequencer) publish() {
	var counts []SeatCount
	q.st.Publish(func(s *seatstate.Session) { counts = append(counts, seatCount(s)) })
	q.e.sessions.Store(q.st.Index())
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

func seatCount(s *seatstate.Session) SeatCount {
	return SeatCount{SessionID: s.ID(), Capacity: s.Capacity(), Reserved: s.Reserved(), Held: s.Held(), Release: s.Release()}
}

func offerOf(o *seatstate.Offer, state State) Offer {
	return Offer{ID: o.ID(), Attendee: o.Attendee().ID(), SessionID: o.Session().ID(), Created: o.Created(),
		ExpiresAt: o.ExpiresAt(), State: state}
}

func (q *sequencer) touch(s *seatstate.Session) { q.st.Touch(s) }

func (q *sequencer) op(o Op) { q.ops = append(q.ops, o) }

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
		if a := q.st.Attendee(r.attendee); a != nil {
			r.flag = a.AutoAccept()
		}
	case kTick:
	case kUpdate:
		r.report, r.err = q.update(r, now)
	}
}

// ---- the primitives that change seats and record why ----

// addSeat gives a a seat in s, taking a off s's waitlist.
func (q *sequencer) addSeat(a *seatstate.Attendee, s *seatstate.Session, now time.Time) {
	q.st.AddSeat(a, s, now, false)
	q.op(Op{Kind: OpReserve, Attendee: a.ID(), SessionID: s.ID(), At: now})
	if a.Waits(s) {
		q.st.RemoveWaiter(s, a)
		q.op(Op{Kind: OpWaitRemove, Attendee: a.ID(), SessionID: s.ID()})
	}
}

// endSeat ends a's seat in s with state.
func (q *sequencer) endSeat(a *seatstate.Attendee, s *seatstate.Session, state State, now time.Time) {
	q.st.DropSeat(a, s)
	q.op(Op{Kind: OpEndReservation, Attendee: a.ID(), SessionID: s.ID(), State: state, At: now})
}

// takeQuota spends n of the attendee's quota tokens at the real instant
// at. Several nodes share the quota through OpQuota in the log; a single
// node's store ignores it.
func (q *sequencer) takeQuota(a *seatstate.Attendee, n int, at time.Time) (bool, time.Duration) {
	ok, wait := q.st.TakeQuota(a, n, at, q.e.cfg.QuotaPerMinute)
	if ok {
		q.op(Op{Kind: OpQuota, Attendee: a.ID(), Seq: int64(n), At: at})
	}
	return ok, wait
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
	a := q.st.AttendeeFor(r.attendee)
	real := e.quota.Now()
	if r.key != "" {
		if rec := a.Answer(r.key); rec != nil && real.Sub(rec.Created) < e.cfg.IdempotencyTTL {
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
		r.err = errcode.Wrap(errcode.RateLimited, &retryAfter{wait},
			"over the quota of %d session ids a minute; retry in %d s", e.cfg.QuotaPerMinute, int(wait.Seconds())+1)
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
		q.st.Remember(a, r.key, &seatstate.Answer{Hash: r.hash, Body: body, Created: real})
		q.op(Op{Kind: OpIdempotency, Attendee: a.ID(), Key: r.key, Hash: r.hash, Body: body, At: real})
	}
}

// reserveOne decides one session id. Reasons that are about the attendee
// (conflict, daily cap) come before full, so that nobody joins a waitlist
// for a seat they could not take anyway.
func (q *sequencer) reserveOne(a *seatstate.Attendee, id string, now time.Time) Result {
	e := q.e
	res := Result{SessionID: id}
	s := q.st.Session(id)
	switch {
	case s == nil:
		res.Status = Unknown
	case s.Conf().Cancelled:
		res.Status = Cancelled
	case !s.Reservable():
		res.Status = NotReservable
	case now.Before(e.cfg.Open):
		res.Status = NotOpen
		t := q.local(e.cfg.Open)
		res.OpensAt = &t
	case !now.Before(s.Release()):
		res.Status = Closed
	case a.Holds(s):
		res.Status = Already
	default:
		if c := a.ConflictWith(s); c != "" {
			res.Status, res.ConflictWith = Conflict, c
			break
		}
		if a.OnDay(s.Day()) >= e.cfg.DailyCap {
			res.Status = CapReached
			break
		}
		if o := a.OfferFor(s); o != nil {
			// Reserving a session one holds an offer for takes the offer.
			q.closeOffer(o, OfferAccepted)
		} else if s.Available() <= 0 {
			res.Status = Full
			break
		}
		q.addSeat(a, s, now)
		res.Status = Reserved
	}
	return res
}

// local is t in the conference's zone.
func (q *sequencer) local(t time.Time) time.Time { return q.st.Conference().Snap.Local(t) }

func (q *sequencer) cancel(attendeeID, sessionID string, now time.Time) error {
	s := q.st.Session(sessionID)
	a := q.st.Attendee(attendeeID)
	if s == nil || a == nil || !a.Holds(s) {
		return errcode.New(errcode.NotFound, "you hold no reservation for session %q", sessionID)
	}
	if !now.Before(s.Release()) {
		return errcode.New(errcode.Conflict, "the seats of session %q were released to the walk-up line at %s", sessionID, q.local(s.Release()).Format(time.RFC3339))
	}
	q.endSeat(a, s, StateCancelled, now)
	q.offerNext(s, now)
	return nil
}

// ---- waitlist and offers ----

func (q *sequencer) join(attendeeID, sessionID string, now time.Time) (int, error) {
	e := q.e
	s := q.st.Session(sessionID)
	switch {
	case s == nil:
		return 0, errcode.New(errcode.NotFound, "no session with id %q", sessionID)
	case s.Conf().Cancelled:
		return 0, unprocessable("session %q is cancelled", sessionID)
	case !s.Reservable():
		return 0, unprocessable("session %q does not take reservations", sessionID)
	case now.Before(e.cfg.Open):
		return 0, errcode.New(errcode.Conflict, "reservations open at %s", q.local(e.cfg.Open).Format(time.RFC3339))
	case !now.Before(s.Release()):
		return 0, errcode.New(errcode.Conflict, "session %q is closed: its seats went to the walk-up line at %s", sessionID, q.local(s.Release()).Format(time.RFC3339))
	}
	a := q.st.AttendeeFor(attendeeID)
	if a.Holds(s) {
		return 0, errcode.New(errcode.Conflict, "you already hold a seat in session %q", sessionID)
	}
	if a.OfferFor(s) != nil {
		return 0, errcode.New(errcode.Conflict, "a seat in session %q is on offer to you; accept it", sessionID)
	}
	if a.Waits(s) {
		return s.Position(a), nil
	}
	if n := s.Available(); n > 0 {
		return 0, errcode.New(errcode.Conflict, "session %q has %d seats available; reserve one instead of waiting", sessionID, n)
	}
	if ok, wait := q.takeQuota(a, 1, e.quota.Now()); !ok {
		return 0, errcode.Wrap(errcode.RateLimited, &retryAfter{wait}, "over the quota of %d session ids a minute", e.cfg.QuotaPerMinute)
	}
	seq := q.st.NextWaitSeq()
	q.st.InsertWaiter(s, a, seq)
	q.op(Op{Kind: OpWaitAdd, Attendee: a.ID(), SessionID: s.ID(), Seq: seq, At: now})
	return s.Waiting(), nil
}

func (q *sequencer) leave(attendeeID, sessionID string) error {
	s := q.st.Session(sessionID)
	a := q.st.Attendee(attendeeID)
	if s == nil || a == nil || !a.Waits(s) {
		return errcode.New(errcode.NotFound, "you are not on the waitlist of session %q", sessionID)
	}
	q.st.RemoveWaiter(s, a)
	q.op(Op{Kind: OpWaitRemove, Attendee: a.ID(), SessionID: s.ID()})
	return nil
}

// eligible reports whether a waiting attendee can take a seat in s: no
// overlapping reservation, under the daily cap, and able to get there in
// time from the reservation just before it (leaving when it ends).
func (q *sequencer) eligible(a *seatstate.Attendee, s *seatstate.Session) bool {
	if a.ConflictWith(s) != "" || a.OnDay(s.Day()) >= q.e.cfg.DailyCap {
		return false
	}
	prev := a.LastEndingBy(s.Day(), s.Conf().Start)
	if prev == nil || prev.Room() < 0 || s.Room() < 0 {
		return true
	}
	tm := q.st.Conference().Travel
	return tm.ArriveBy(prev.Room(), s.Room(), tm.Minute(prev.Conf().End)) <= tm.Minute(s.Conf().Start)
}

// offerNext gives free seats of s to the first eligible waiting attendees.
// Skipped attendees keep their place.
func (q *sequencer) offerNext(s *seatstate.Session, now time.Time) int {
	made := 0
	for s.Available() > 0 && s.Waiting() > 0 && s.Reservable() && now.Before(s.Release()) {
		a := s.FirstWaiter(func(a *seatstate.Attendee) bool { return q.eligible(a, s) })
		if a == nil {
			break
		}
		q.st.RemoveWaiter(s, a)
		q.op(Op{Kind: OpWaitRemove, Attendee: a.ID(), SessionID: s.ID()})
		made++
		if a.AutoAccept() {
			q.addSeat(a, s, now)
			q.offered = append(q.offered, Offer{ID: newOfferID(), Attendee: a.ID(), SessionID: s.ID(), Created: now, ExpiresAt: now, State: OfferAccepted})
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
func (q *sequencer) offerWindow(s *seatstate.Session, now time.Time) time.Time {
	cfg := q.e.cfg
	left := s.Release().Sub(now)
	w := min(cfg.OfferWindow, max(cfg.MinOfferWindow, left/2))
	exp := now.Add(w)
	if exp.After(s.Release()) {
		exp = s.Release()
	}
	return exp
}

func newOfferID() string {
	var b [12]byte
	rand.Read(b[:])
	return "o_" + hex.EncodeToString(b[:])
}

func (q *sequencer) openOffer(a *seatstate.Attendee, s *seatstate.Session, now time.Time) {
	o := q.st.OpenOffer(newOfferID(), a, s, now, q.offerWindow(s, now))
	q.op(Op{Kind: OpOfferOpen, OfferID: o.ID(), Attendee: a.ID(), SessionID: s.ID(), At: now, Expires: o.ExpiresAt()})
	q.offered = append(q.offered, offerOf(o, OfferOpen))
}

// closeOffer ends an open offer with state and records it.
func (q *sequencer) closeOffer(o *seatstate.Offer, state State) {
	q.st.ForgetOffer(o)
	q.op(Op{Kind: OpOfferEnd, OfferID: o.ID(), State: state})
}

func (q *sequencer) ownOffer(attendeeID, offerID string) (*seatstate.Offer, error) {
	o := q.st.Offer(offerID)
	if o == nil || o.Attendee().ID() != attendeeID {
		return nil, errcode.New(errcode.NotFound, "you have no open offer %q", offerID)
	}
	return o, nil
}

func (q *sequencer) accept(attendeeID, offerID string, now time.Time) (Result, error) {
	o, err := q.ownOffer(attendeeID, offerID)
	if err != nil {
		return Result{}, err
	}
	a, s := o.Attendee(), o.Session()
	if c := a.ConflictWith(s); c != "" {
		return Result{SessionID: s.ID(), Status: Conflict, ConflictWith: c}, nil
	}
	if a.OnDay(s.Day()) >= q.e.cfg.DailyCap {
		return Result{SessionID: s.ID(), Status: CapReached}, nil
	}
	q.closeOffer(o, OfferAccepted)
	q.addSeat(a, s, now)
	return Result{SessionID: s.ID(), Status: Reserved}, nil
}

func (q *sequencer) decline(attendeeID, offerID string, now time.Time) error {
	o, err := q.ownOffer(attendeeID, offerID)
	if err != nil {
		return err
	}
	q.closeOffer(o, OfferDeclined)
	q.offerNext(o.Session(), now)
	return nil
}

func (q *sequencer) setAutoAccept(attendeeID string, on bool, now time.Time) {
	a := q.st.AttendeeFor(attendeeID)
	q.st.SetAutoAccept(a, on)
	q.op(Op{Kind: OpSetAutoAccept, Attendee: a.ID(), Flag: on})
	if !on {
		return
	}
	for _, o := range a.Offers() {
		s := o.Session()
		if a.ConflictWith(s) == "" && a.OnDay(s.Day()) < q.e.cfg.DailyCap {
			q.closeOffer(o, OfferAccepted)
			q.addSeat(a, s, now)
			q.offered = append(q.offered, offerOf(o, OfferAccepted))
		}
	}
}

// ---- check-in ----

func (q *sequencer) checkIn(attendeeID, sessionID string, now time.Time) (CheckIn, error) {
	s := q.st.Session(sessionID)
	if s == nil || !s.Conf().Scheduled() {
		return CheckIn{}, errcode.New(errcode.NotFound, "no scheduled session with id %q", sessionID)
	}
	if s.Conf().Cancelled {
		return CheckIn{}, unprocessable("session %q is cancelled", sessionID)
	}
	a := q.st.AttendeeFor(attendeeID)
	held := a.Holds(s)
	if at, ok := s.CheckedIn(attendeeID); ok {
		return CheckIn{SessionID: s.ID(), AttendeeID: a.ID(), CheckedInAt: q.local(at), Reserved: held, Already: true}, nil
	}
	q.st.CheckIn(s, a.ID(), now)
	q.op(Op{Kind: OpCheckIn, Attendee: a.ID(), SessionID: s.ID(), At: now})
	return CheckIn{SessionID: s.ID(), AttendeeID: a.ID(), CheckedInAt: q.local(now), Reserved: held}, nil
}

// ---- due work: walk-up release and offer expiry ----

func (q *sequencer) due(now time.Time) {
	for _, s := range q.st.DueReleases(now) {
		q.st.MarkReleased(s)
		q.lapse(s, now)
	}
	if !q.st.ExpiryDue(now) {
		return
	}
	expired := q.st.Expired(now)
	for _, o := range expired {
		q.closeOffer(o, OfferExpired)
	}
	for _, o := range expired {
		q.offerNext(o.Session(), now)
	}
	q.st.ResetExpiry()
}

// lapse is the walk-up release: reservations not checked in lapse, offers
// expire, the waitlist closes.
func (q *sequencer) lapse(s *seatstate.Session, now time.Time) {
	q.touch(s) // the band turns to walkup
	if s.Reserved() == 0 && s.Held() == 0 && s.Waiting() == 0 {
		return
	}
	for _, a := range s.Holders() {
		if !s.HolderOf(a).CheckedIn() {
			q.endSeat(a, s, StateLapsed, now)
		}
	}
	q.st.ForgetOffers(s)
	q.st.ClearWaitlist(s)
	q.op(Op{Kind: OpLapseSession, SessionID: s.ID(), At: now})
}

// cancelSession ends every reservation, offer and waitlist place of a
// session the organizer cancelled (or that disappeared).
func (q *sequencer) cancelSession(s *seatstate.Session, now time.Time) int {
	n := s.Reserved()
	for _, a := range s.Holders() {
		q.endSeat(a, s, StateSessionCancelled, now)
	}
	q.st.ForgetOffers(s)
	q.st.ClearWaitlist(s)
	q.op(Op{Kind: OpCancelSession, SessionID: s.ID(), At: now})
	q.touch(s)
	return n
}
