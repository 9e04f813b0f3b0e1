package reservation

import "venuehop/internal/reservation/seatstate"

// replay applies another node's committed ops to memory. It decides
// nothing and writes nothing: the ops are already in the store.
func (q *sequencer) replay(ops []Op) {
	st := q.st
	for i := range ops {
		op := &ops[i]
		s := st.Session(op.SessionID)
		switch op.Kind {
		case OpReserve:
			a := st.AttendeeFor(op.Attendee)
			if s != nil && !a.Holds(s) {
				st.AddSeat(a, s, op.At, false)
				if a.Waits(s) {
					st.RemoveWaiter(s, a)
				}
			}
		case OpEndReservation:
			if a := st.Attendee(op.Attendee); a != nil {
				if held := a.HeldSession(op.SessionID); held != nil {
					st.DropSeat(a, held)
				}
			}
		case OpLapseSession:
			if s != nil {
				st.MarkReleased(s)
				st.ForgetOffers(s)
				st.ClearWaitlist(s)
			}
		case OpCancelSession:
			if s != nil {
				st.ForgetOffers(s)
				st.ClearWaitlist(s)
			}
		case OpWaitAdd:
			a := st.AttendeeFor(op.Attendee)
			if s != nil {
				if a.Waits(s) {
					st.RemoveWaiter(s, a)
				}
				st.InsertWaiter(s, a, op.Seq)
			}
		case OpWaitRemove:
			if a := st.Attendee(op.Attendee); a != nil && s != nil {
				st.RemoveWaiter(s, a)
			}
		case OpOfferOpen:
			if s != nil && st.Offer(op.OfferID) == nil {
				o := st.OpenOffer(op.OfferID, st.AttendeeFor(op.Attendee), s, op.At, op.Expires)
				q.offered = append(q.offered, offerOf(o, OfferOpen))
			}
		case OpOfferEnd:
			if o := st.Offer(op.OfferID); o != nil {
				st.ForgetOffer(o)
			}
		case OpCheckIn:
			if s != nil {
				if _, ok := s.CheckedIn(op.Attendee); !ok {
					st.CheckIn(s, op.Attendee, op.At)
				}
			}
		case OpIdempotency:
			st.Remember(st.AttendeeFor(op.Attendee), op.Key, &seatstate.Answer{Hash: op.Hash, Body: op.Body, Created: op.At})
		case OpSetAutoAccept:
			st.SetAutoAccept(st.AttendeeFor(op.Attendee), op.Flag)
		case OpQuota:
			st.TakeQuota(st.AttendeeFor(op.Attendee), int(op.Seq), op.At, q.e.cfg.QuotaPerMinute)
		case OpPruneIdempotency:
			// Memory forgets old keys at the next load; replaying a key
			// past its time is harmless (its age is checked on use).
		case OpConference:
			// A new revision: the conference revision in the log is newer
			// than this node's, and sync reloads before it replays.
		}
	}
}
