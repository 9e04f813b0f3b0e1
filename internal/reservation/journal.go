package reservation

import (
	"slices"
	"time"
)

// The sequencer changes its state only through the primitives in this
// file. With a SharedLog store a batch may have to be taken back (another
// node committed first): while q.journaling is set, every primitive
// records its exact inverse, and rollback runs them newest first, which
// restores the state from before the batch. With a single node nothing is
// recorded.

// rollback takes back everything recorded since the journal was last
// cleared.
func (q *sequencer) rollback() {
	for i := len(q.undo) - 1; i >= 0; i-- {
		q.undo[i]()
	}
	clear(q.undo)
	q.undo = q.undo[:0]
}

func (q *sequencer) forgetJournal() {
	clear(q.undo)
	q.undo = q.undo[:0]
}

// takeQuota spends n of the attendee's quota tokens at the real instant
// at. Several nodes share the quota through OpQuota in the log.
func (q *sequencer) takeQuota(a *attendee, n int, at time.Time) (bool, time.Duration) {
	if q.journaling {
		tokens, refilled := a.tokens, a.refilled
		q.undo = append(q.undo, func() { a.tokens, a.refilled = tokens, refilled })
	}
	ok, wait := a.take(n, at, q.e.cfg.QuotaPerMinute)
	if ok && q.e.shared != nil {
		q.op(Op{Kind: OpQuota, Attendee: a.id, Seq: int64(n), At: at})
	}
	return ok, wait
}

// putIdem remembers the first answer to an idempotency key.
func (q *sequencer) putIdem(a *attendee, rec *IdempotencyRecord) {
	if a.idem == nil {
		a.idem = map[string]*IdempotencyRecord{}
	}
	if q.journaling {
		old, had := a.idem[rec.Key]
		q.undo = append(q.undo, func() {
			if had {
				a.idem[rec.Key] = old
			} else {
				delete(a.idem, rec.Key)
			}
		})
	}
	a.idem[rec.Key] = rec
}

// addSeat gives a a seat in s (taking a off s's waitlist).
func (q *sequencer) addSeat(a *attendee, s *sessionState, now time.Time) {
	st := &seat{s: s, created: now}
	a.seats = append(a.seats, st)
	s.holders[a] = st
	if q.journaling {
		q.undo = append(q.undo, func() {
			if i := slices.Index(a.seats, st); i >= 0 {
				a.seats = slices.Delete(a.seats, i, i+1)
			}
			delete(s.holders, a)
		})
	}
	q.op(Op{Kind: OpReserve, Attendee: a.id, SessionID: s.id, At: now})
	if _, ok := a.waiting[s]; ok {
		q.removeWaiter(s, a)
		q.op(Op{Kind: OpWaitRemove, Attendee: a.id, SessionID: s.id})
	}
	q.touch(s)
}

// dropSeat takes a's seat in s away (the op saying why is the caller's).
func (q *sequencer) dropSeat(a *attendee, s *sessionState) {
	st := s.holders[a]
	i := a.seatFor(s)
	if i >= 0 {
		a.seats = slices.Delete(a.seats, i, i+1)
	}
	delete(s.holders, a)
	if q.journaling && st != nil {
		q.undo = append(q.undo, func() {
			if i >= 0 {
				a.seats = slices.Insert(a.seats, i, st)
			}
			s.holders[a] = st
		})
	}
	q.touch(s)
}

// removeWaiter takes a off s's waitlist, keeping everyone else's order.
func (q *sequencer) removeWaiter(s *sessionState, a *attendee) {
	i := slices.Index(s.waitlist, a)
	seq, ok := a.waiting[s]
	if i >= 0 {
		s.waitlist = slices.Delete(s.waitlist, i, i+1)
	}
	delete(a.waiting, s)
	if q.journaling && (i >= 0 || ok) {
		q.undo = append(q.undo, func() {
			if i >= 0 {
				s.waitlist = slices.Insert(s.waitlist, i, a)
			}
			if ok {
				a.waiting[s] = seq
			}
		})
	}
	q.touch(s)
}

// insertWaiter puts a on s's waitlist at the place seq gives it (seqs
// order the waitlist; new ones are the largest, so this appends).
func (q *sequencer) insertWaiter(s *sessionState, a *attendee, seq int64) {
	i := len(s.waitlist)
	for i > 0 && s.waitlist[i-1].waiting[s] > seq {
		i--
	}
	s.waitlist = slices.Insert(s.waitlist, i, a)
	a.waiting[s] = seq
	if q.journaling {
		old := q.waitSeq
		q.undo = append(q.undo, func() {
			s.waitlist = slices.Delete(s.waitlist, i, i+1)
			delete(a.waiting, s)
			q.waitSeq = old
		})
	}
	q.waitSeq = max(q.waitSeq, seq)
	q.touch(s)
}

// registerOffer makes o an open offer holding a seat.
func (q *sequencer) registerOffer(o *offerState) {
	q.offers[o.ID] = o
	o.a.offers = append(o.a.offers, o)
	o.s.held++
	if q.journaling {
		next := q.nextExpiry
		q.undo = append(q.undo, func() {
			delete(q.offers, o.ID)
			o.a.dropOffer(o)
			o.s.held--
			q.nextExpiry = next
		})
	}
	if q.nextExpiry.IsZero() || o.ExpiresAt.Before(q.nextExpiry) {
		q.nextExpiry = o.ExpiresAt
	}
	q.touch(o.s)
}

// forgetOffer removes an offer from memory only.
func (q *sequencer) forgetOffer(o *offerState) {
	delete(q.offers, o.ID)
	i := o.a.dropOffer(o)
	o.s.held--
	if q.journaling {
		q.undo = append(q.undo, func() {
			q.offers[o.ID] = o
			if i >= 0 {
				o.a.offers = slices.Insert(o.a.offers, i, o)
			}
			o.s.held++
		})
	}
	q.touch(o.s)
}

func (q *sequencer) setAuto(a *attendee, on bool) {
	if q.journaling {
		old := a.autoAccept
		q.undo = append(q.undo, func() { a.autoAccept = old })
	}
	a.autoAccept = on
}

// markCheckedIn records attendance; st is the attendee's seat, if any.
func (q *sequencer) markCheckedIn(s *sessionState, attendeeID string, st *seat, at time.Time) {
	s.checkedIn[attendeeID] = at
	var was bool
	if st != nil {
		was = st.checkedIn
		st.checkedIn = true
	}
	if q.journaling {
		q.undo = append(q.undo, func() {
			delete(s.checkedIn, attendeeID)
			if st != nil {
				st.checkedIn = was
			}
		})
	}
	q.touch(s)
}

// markReleased records that s's walk-up release has happened.
func (q *sequencer) markReleased(s *sessionState) {
	if q.journaling && !s.released {
		q.undo = append(q.undo, func() { s.released = false })
	}
	s.released = true
}

// saveDue lets rollback restore the due-work cursors.
func (q *sequencer) saveDue() {
	if q.journaling {
		next, expiry := q.nextRelease, q.nextExpiry
		q.undo = append(q.undo, func() { q.nextRelease, q.nextExpiry = next, expiry })
	}
}

// clearWaitlist empties s's waitlist.
func (q *sequencer) clearWaitlist(s *sessionState) {
	if len(s.waitlist) == 0 {
		return
	}
	old := s.waitlist
	var seqs []int64
	if q.journaling {
		seqs = make([]int64, len(old))
	}
	for i, a := range old {
		if seqs != nil {
			seqs[i] = a.waiting[s]
		}
		delete(a.waiting, s)
	}
	s.waitlist = nil
	if q.journaling {
		q.undo = append(q.undo, func() {
			s.waitlist = old
			for i, a := range old {
				a.waiting[s] = seqs[i]
			}
		})
	}
	q.touch(s)
}
