package reservation

import (
	"context"
	"time"

	"venuehop/internal/reservation/seatstate"
)

// load (re)builds the whole state from the store and the current
// conference. Reservations, offers and waitlist places of sessions that
// are gone or cancelled are cancelled now, and free seats go to their
// waitlists (repairs for work a store written by an older venuehop may
// have left behind). With several nodes another node may commit between
// the read and the repairs (ErrStale): then it reads again.
func (q *sequencer) load(ctx context.Context) error {
	var err error
	for range maxAttempts {
		if err = q.loadOnce(ctx); !IsStale(err) {
			return err
		}
	}
	return err
}

func (q *sequencer) loadOnce(ctx context.Context) error {
	e := q.e
	conf := e.live.Load()
	now := e.clock.Now()
	cutoff := e.quota.Now().Add(-e.cfg.IdempotencyTTL)
	stored, err := q.commit.loadSeats(ctx, cutoff)
	if err != nil {
		return err
	}
	q.st.Reset()
	q.resetNotes()
	q.install(conf, now)
	orphans := q.restore(stored, now)
	q.op(Op{Kind: OpPruneIdempotency, At: cutoff})
	for _, id := range orphans {
		q.op(Op{Kind: OpCancelSession, SessionID: id, At: now})
	}
	q.st.Sessions(func(s *seatstate.Session) {
		if s.Available() > 0 && s.Waiting() > 0 {
			q.offerNext(s, now)
		}
	})
	if err := q.commit.commitLoad(ctx, q.ops); err != nil {
		q.resetNotes()
		return err
	}
	q.ops = q.ops[:0]
	q.st.PublishAll()
	e.sessions.Store(q.st.Index())
	q.broken = false
	return nil
}

// restore puts the stored rows into the fresh state. Rows of sessions
// that are gone or cancelled are not restored: their reservations end
// (ops), and the ids of those sessions are returned for OpCancelSession.
func (q *sequencer) restore(stored *Stored, now time.Time) []string {
	st := q.st
	var orphans []string
	seen := map[string]bool{}
	keep := func(id string) *seatstate.Session {
		s := st.Session(id)
		if s == nil || s.Conf().Cancelled {
			if !seen[id] {
				seen[id] = true
				orphans = append(orphans, id)
			}
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
			st.AddSeat(st.AttendeeFor(r.Attendee), s, r.Created, r.CheckedIn != nil)
		}
	}
	for _, w := range stored.Waitlist {
		st.NoteWaitSeq(w.Seq)
		if s := keep(w.SessionID); s != nil {
			st.InsertWaiter(s, st.AttendeeFor(w.Attendee), w.Seq)
		}
	}
	for _, o := range stored.Offers {
		if s := keep(o.SessionID); s != nil {
			st.OpenOffer(o.ID, st.AttendeeFor(o.Attendee), s, o.Created, o.ExpiresAt)
		}
	}
	for _, id := range stored.AutoAccept {
		st.SetAutoAccept(st.AttendeeFor(id), true)
	}
	for _, c := range stored.CheckIns {
		if s := st.Session(c.SessionID); s != nil {
			st.RestoreCheckIn(s, c.AttendeeID, c.CheckedInAt)
		}
	}
	for _, rec := range stored.Idempotency {
		st.Remember(st.AttendeeFor(rec.Attendee), rec.Key, &seatstate.Answer{Hash: rec.Hash, Body: rec.Body, Created: rec.Created})
	}
	return orphans
}
