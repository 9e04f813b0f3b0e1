package reservation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
)

// maxAttempts bounds how often a batch is decided again because other
// nodes kept committing first; past it the batch is answered unavailable
// (retry) rather than waiting without end.
const maxAttempts = 8

// contendedFor is how long after another node's last commit a batch goes
// straight to the log's lock (ApplyLocked) instead of trying ApplyAt
// first, which mostly loses while the others are busy too.
const contendedFor = time.Second

// errReload aborts an ApplyLocked whose entries cannot be replayed (the
// conference changed, or entries were pruned): sync reloads instead.
var errReload = errors.New("the seat log needs a full reload")

// runShared decides and commits a batch on a SharedLog store: catch up
// with the other nodes, decide, commit on top of the newest entry. If
// another node committed first, the decisions are taken back and the
// batch goes again through ApplyLocked, which waits for this node's turn
// on the log, so a node that lost once cannot keep losing.
func (q *sequencer) runShared(rs []*request) {
	e := q.e
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	update := len(rs) == 1 && rs[0].kind == kUpdate
	onlyTicks := true
	for _, r := range rs {
		// A tick and an organizer's change start from the newest state
		// of all nodes.
		if r.kind == kTick || r.kind == kUpdate {
			q.needSync = true
		}
		onlyTicks = onlyTicks && r.kind == kTick
	}
	// An organizer's change saves the conference before its seat
	// consequences; it cannot be taken back, so it is not journaled (a
	// lost race reloads everything instead).
	// Taking decisions back also takes back what they would announce,
	// but not what replaying other nodes' entries announces (sessions
	// marked changed stay marked: publishing a count again is harmless).
	var offered, changes int
	decided := false
	takeBack := func() {
		if !decided {
			return
		}
		decided = false
		q.rollback()
		clear(q.offered[offered:])
		q.offered = q.offered[:offered]
		clear(q.changes[changes:])
		q.changes = q.changes[:changes]
		q.ops = q.ops[:0]
	}
	decide := func() {
		decided = true
		offered, changes = len(q.offered), len(q.changes)
		now := e.clock.Now()
		q.ops = q.ops[:0]
		q.journaling = !update
		q.due(now)
		for _, r := range rs {
			r.reset()
			q.decide(r, now)
		}
		q.journaling = false
	}
	var err error
	for attempt := 1; ; attempt++ {
		if q.needSync {
			if err = q.sync(ctx); err != nil {
				break
			}
		}
		var head int64
		// While other nodes are committing too, a first optimistic try
		// would mostly lose: wait for the turn straight away.
		if update || attempt == 1 && time.Since(q.lastForeign) > time.Duration(e.contendedFor.Load()) {
			decide()
			if len(q.ops) == 0 {
				if update || onlyTicks {
					// An update's save was checked against the newest
					// revision; ticks have no answer to vouch for.
					break
				}
				// Answers that write nothing (not found, already, a
				// refusal) were still decided on this node's memory:
				// they hold only if no other node committed meanwhile.
				var fresh bool
				if fresh, err = q.stillNewest(ctx); err != nil || fresh {
					break
				}
				takeBack()
				q.needSync = true
				continue
			}
			// The notification of this commit may arrive before ApplyAt
			// returns: it is not news. (If the commit fails, sync or
			// reload follows anyway.)
			e.seen.Store(q.head + 1)
			head, err = e.shared.ApplyAt(ctx, q.head, q.ops)
		} else {
			head, err = e.shared.ApplyLocked(ctx, q.head, func(entries []LogEntry, confRev int64, complete bool) ([]Op, error) {
				takeBack() // a retried transaction calls again
				if !complete || confRev > q.st.Snap.Rev {
					return nil, errReload
				}
				q.replayEntries(entries)
				decide()
				e.seen.Store(q.head + 1)
				return q.ops, nil
			})
		}
		if err == nil {
			q.setHead(head)
			break
		}
		if errors.Is(err, errReload) && attempt < maxAttempts {
			q.needSync = true // sync reloads
			err = nil
			continue
		}
		if !IsStale(err) {
			break
		}
		e.staleRuns.Add(1)
		q.needSync = true
		q.lastForeign = time.Now()
		if update {
			// The conference is saved; a reload recomputes what it does
			// to the seats from the store, the other nodes' commits
			// included.
			q.forgetJournal()
			q.resetNotes()
			if err = q.load(ctx); err != nil {
				break
			}
			q.touchAll()
			break
		}
		if attempt == maxAttempts {
			err = errcode.Wrap(errcode.Unavailable, err, "the seats are very busy (other nodes kept committing first); nothing was changed, retry")
			break
		}
		takeBack()
	}
	q.forgetJournal()
	if err != nil {
		q.failBatch(rs, err)
		return
	}
	q.finish(rs)
}

// failBatch answers every request of a batch whose decisions could not be
// committed, and rebuilds memory from the store: nothing of the batch is
// durable, so nobody hears "reserved", and memory goes back to what the
// store holds.
func (q *sequencer) failBatch(rs []*request, err error) {
	e := q.e
	e.log.Error("committing seat decisions failed; reloading", "requests", len(rs), "err", err)
	for _, r := range rs {
		if errcode.Is(err, errcode.Unavailable) {
			r.err = err
		} else {
			r.err = errcode.Wrap(errcode.Unavailable, err, "the seats could not be saved; nothing was changed, retry")
		}
	}
	q.resetNotes()
	if lerr := q.load(context.Background()); lerr != nil {
		e.log.Error("reloading the seat state failed", "err", lerr)
		q.broken = true
	}
	for _, r := range rs {
		close(r.done)
	}
}

// sync brings the state up to the newest log entry: it replays the other
// nodes' entries, or reloads everything when the conference changed or
// entries were pruned.
func (q *sequencer) sync(ctx context.Context) error {
	e := q.e
	entries, confRev, complete, err := e.shared.Since(ctx, q.head)
	if err != nil {
		return err
	}
	if confRev > q.st.Snap.Rev {
		c, rev, err := e.shared.LoadConference(ctx)
		if err != nil {
			return err
		}
		st, err := live.Build(c, rev)
		if err != nil {
			return fmt.Errorf("conference revision %d saved by another node is invalid: %w", rev, err)
		}
		e.live.Store(st)
		complete = false
	}
	if !complete {
		before := q.st.Snap
		if err := q.load(ctx); err != nil {
			return err
		}
		q.touchAll()
		q.remote = append(q.remote, sessionChanges(before, q.st.Snap)...)
		return nil
	}
	q.replayEntries(entries)
	q.needSync = false
	return nil
}

// RemoteNotifier is implemented by notifiers that also want to hear of
// organizer changes another node made (the node that made them reported
// them through SessionChanged; this node's pages should hear them too, but
// work such as re-planning must not be done twice).
type RemoteNotifier interface {
	RemoteSessionChanged(sessionID, kind string)
}

// sessionChanges lists what changed for attendees between two revisions,
// as install reports it for this node's own changes.
func sessionChanges(before, after *conference.Snapshot) []Change {
	var out []Change
	capacity := func(snap *conference.Snapshot, se *conference.Session) int {
		if se == nil || !se.Scheduled() {
			return 0
		}
		return snap.ReservableCapacity(se)
	}
	for i := range before.Conf.Sessions {
		old := &before.Conf.Sessions[i]
		cur, ok := after.Session(old.ID)
		if !ok {
			if !old.Cancelled {
				out = append(out, Change{old.ID, "cancelled"})
			}
			continue
		}
		if kind := changeKind(old, cur, capacity(before, old), capacity(after, cur)); kind != "" {
			out = append(out, Change{old.ID, kind})
		}
	}
	return out
}

// changeKind says how a session changed for its attendees: cancelled,
// moved (room or times), capacity, or "" for nothing that matters.
func changeKind(prev, cur *conference.Session, prevCap, curCap int) string {
	switch {
	case cur.Cancelled && !prev.Cancelled:
		return "cancelled"
	case prev.RoomID != cur.RoomID || !prev.Start.Equal(cur.Start) || !prev.End.Equal(cur.End):
		return "moved"
	case prevCap != curCap:
		return "capacity"
	}
	return ""
}

// stillNewest reports whether the log has no entry beyond this node's
// state (and the conference is the same), so that answers decided on it
// are as if decided now.
func (q *sequencer) stillNewest(ctx context.Context) (bool, error) {
	entries, confRev, complete, err := q.e.shared.Since(ctx, q.head)
	if err != nil {
		return false, err
	}
	return complete && len(entries) == 0 && confRev <= q.st.Snap.Rev, nil
}

// replayEntries applies the other nodes' entries this state does not
// include yet (a retried ApplyLocked hands the same ones again).
func (q *sequencer) replayEntries(entries []LogEntry) {
	for _, en := range entries {
		q.lastForeign = time.Now()
		if en.Seq > q.head {
			q.replay(en.Ops)
			q.setHead(en.Seq)
			q.e.replayed.Add(1)
		}
	}
}

func (q *sequencer) setHead(h int64) {
	q.head = h
	q.e.seen.Store(h)
}

// touchAll marks every session changed, so that pages hear the counts
// after a reload.
func (q *sequencer) touchAll() {
	for _, s := range q.sessions {
		if s.reservable() {
			q.touch(s)
		}
	}
}

// reset clears a request's answer before it is decided (again).
func (r *request) reset() {
	r.answer, r.result, r.pos, r.checkIn, r.report, r.err = Answer{}, Result{}, 0, CheckIn{}, EditReport{}, nil
	if r.kind == kGetAutoAccept {
		r.flag = false
	}
}

// replay applies another node's committed ops to memory. It decides
// nothing and writes nothing: the ops are already in the store.
func (q *sequencer) replay(ops []Op) {
	q.replaying = true
	defer func() { q.replaying = false }()
	for i := range ops {
		op := &ops[i]
		s := q.sessions[op.SessionID]
		switch op.Kind {
		case OpReserve:
			a := q.attendee(op.Attendee)
			if s != nil && a.seatFor(s) < 0 {
				q.addSeat(a, s, op.At)
			}
		case OpEndReservation:
			a := q.attendees[op.Attendee]
			if a == nil {
				continue
			}
			for _, st := range a.seats {
				if st.s.id == op.SessionID {
					q.dropSeat(a, st.s)
					break
				}
			}
		case OpLapseSession:
			if s != nil {
				q.markReleased(s)
				q.clearOffersAndWaitlist(s)
			}
		case OpCancelSession:
			if s != nil {
				q.clearOffersAndWaitlist(s)
			}
		case OpWaitAdd:
			a := q.attendee(op.Attendee)
			if s != nil {
				if _, ok := a.waiting[s]; ok {
					q.removeWaiter(s, a)
				}
				q.insertWaiter(s, a, op.Seq)
			}
		case OpWaitRemove:
			if a := q.attendees[op.Attendee]; a != nil && s != nil {
				q.removeWaiter(s, a)
			}
		case OpOfferOpen:
			a := q.attendee(op.Attendee)
			if s != nil && q.offers[op.OfferID] == nil {
				o := &offerState{Offer: Offer{ID: op.OfferID, Attendee: a.id, SessionID: s.id, Created: op.At,
					ExpiresAt: op.Expires, State: OfferOpen}, a: a, s: s}
				q.registerOffer(o)
				q.offered = append(q.offered, o.Offer)
			}
		case OpOfferEnd:
			if o := q.offers[op.OfferID]; o != nil {
				q.forgetOffer(o)
			}
		case OpCheckIn:
			if s != nil {
				if _, ok := s.checkedIn[op.Attendee]; !ok {
					var st *seat
					if a := q.attendees[op.Attendee]; a != nil {
						if i := a.seatFor(s); i >= 0 {
							st = a.seats[i]
						}
					}
					q.markCheckedIn(s, op.Attendee, st, op.At)
				}
			}
		case OpIdempotency:
			a := q.attendee(op.Attendee)
			q.putIdem(a, &IdempotencyRecord{Attendee: a.id, Key: op.Key, Hash: op.Hash, Body: op.Body, Created: op.At})
		case OpSetAutoAccept:
			q.setAuto(q.attendee(op.Attendee), op.Flag)
		case OpQuota:
			q.attendee(op.Attendee).take(int(op.Seq), op.At, q.e.cfg.QuotaPerMinute)
		case OpPruneIdempotency:
			// Memory forgets old keys at the next load; replaying a key
			// past its time is harmless (its age is checked on use).
		}
	}
}
