package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
)

var _ reservation.Store = (*Store)(nil)

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msOrNow(t time.Time) int64 {
	if t.IsZero() {
		return time.Now().UnixMilli()
	}
	return t.UnixMilli()
}

// GuardError is what Apply returns (inside an errcode.Conflict) when the
// database refused a batch because committing it would overbook a session
// (Rule "capacity") or give an attendee two overlapping seats (Rule
// "overlap"). Nothing of the batch was written. With one node this means a
// bug; with several it means the deciding engine's memory was behind
// another node's commits, and the engine must reload and decide again.
type GuardError struct {
	Rule     string // capacity | overlap
	Session  string
	Attendee string // overlap only
	Other    string // overlap only: the session already held
}

func (e *GuardError) Error() string {
	if e.Rule == "overlap" {
		return fmt.Sprintf("seat guard: attendee %s would hold overlapping sessions %s and %s", e.Attendee, e.Session, e.Other)
	}
	return fmt.Sprintf("seat guard: session %s would exceed its capacity", e.Session)
}

// Is makes the error match reservation.ErrStale: the deciding engine's
// memory was behind the store.
func (e *GuardError) Is(target error) bool { return target == reservation.ErrStale }

func guardTripped(g *GuardError) error {
	return errcode.Wrap(errcode.Conflict, g, "the seats changed meanwhile (another node committed first); nothing was saved, reload and retry")
}

// Apply writes the engine's decisions in one transaction and one round
// trip (seatwrite.go), so a batch of 500 reservations costs about what one
// does.
//
// It is defensive, so that several writers, each deciding from its own
// memory, can never overbook together: every counter increase is
// conditional (reserved + held must stay within the session's capacity,
// re-checked by PostgreSQL on the newest row version after any lock
// wait), and attendees who gain a seat are locked (seat_attendees, in
// sorted order) before an overlap check over their active reservations.
// A tripped guard fails the whole batch with a GuardError.
func (s *Store) Apply(ctx context.Context, ops []reservation.Op) error {
	if len(ops) == 0 {
		return nil
	}
	err := s.inPipeline(ctx, func(p *seatPipe) error { return queueWrite(p, ops) })
	if err != nil {
		return dbErr(seatErr(err), "saving seats")
	}
	s.crashPoint("committed")
	return nil
}

// LoadSeats reads the live seat state in one REPEATABLE READ snapshot, so
// a reload beside other nodes' commits sees each of them whole or not at
// all.
func (s *Store) LoadSeats(ctx context.Context, since time.Time) (*reservation.Stored, error) {
	out, _, err := s.loadSeats(ctx, since, false)
	return out, err
}

// loadSeats is LoadSeats and, when withHead, LoadSeatsAt: the head is read
// in the same snapshot as the rows.
func (s *Store) loadSeats(ctx context.Context, since time.Time, withHead bool) (*reservation.Stored, int64, error) {
	var out *reservation.Stored
	var head int64
	err := s.inTx(ctx, "loading seats", pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		out = &reservation.Stored{}
		var err error
		if withHead {
			// The first statement takes the snapshot every later one reads.
			if err := tx.QueryRow(ctx, `SELECT seq FROM seat_head`).Scan(&head); err != nil {
				return err
			}
		}
		out.Reservations, err = collect(ctx, tx, `SELECT attendee, session, created_at, checked_in_at FROM reservations WHERE ended = 0 ORDER BY id`, nil,
			func(r pgx.Rows) (reservation.Reservation, error) {
				var res reservation.Reservation
				var created int64
				var checked *int64
				err := r.Scan(&res.Attendee, &res.SessionID, &created, &checked)
				res.Status, res.Created = reservation.StateActive, fromMS(created)
				if checked != nil {
					t := fromMS(*checked)
					res.CheckedIn = &t
				}
				return res, err
			})
		if err != nil {
			return err
		}
		out.Waitlist, err = collect(ctx, tx, `SELECT attendee, session, seq, created_at FROM waitlist ORDER BY seq, session, attendee`, nil,
			func(r pgx.Rows) (reservation.Wait, error) {
				var w reservation.Wait
				var created int64
				err := r.Scan(&w.Attendee, &w.SessionID, &w.Seq, &created)
				w.Created = fromMS(created)
				return w, err
			})
		if err != nil {
			return err
		}
		out.Offers, err = collect(ctx, tx, `SELECT id, attendee, session, created_at, expires_at, state FROM offers WHERE state = 'open' ORDER BY created_at, id`, nil, scanOffer)
		if err != nil {
			return err
		}
		out.AutoAccept, err = collect(ctx, tx, `SELECT attendee FROM reservation_settings WHERE auto_accept ORDER BY attendee`, nil,
			func(r pgx.Rows) (string, error) {
				var id string
				return id, r.Scan(&id)
			})
		if err != nil {
			return err
		}
		out.CheckIns, err = collect(ctx, tx, `SELECT session, attendee, at FROM checkins`, nil,
			func(r pgx.Rows) (reservation.CheckIn, error) {
				var c reservation.CheckIn
				var at int64
				err := r.Scan(&c.SessionID, &c.AttendeeID, &at)
				c.CheckedInAt = fromMS(at)
				return c, err
			})
		if err != nil {
			return err
		}
		out.Idempotency, err = collect(ctx, tx, `SELECT attendee, key, hash, body, created_at FROM idempotency WHERE created_at >= $1`, []any{ms(since)},
			func(r pgx.Rows) (reservation.IdempotencyRecord, error) {
				var rec reservation.IdempotencyRecord
				var created int64
				err := r.Scan(&rec.Attendee, &rec.Key, &rec.Hash, &rec.Body, &created)
				rec.Created = fromMS(created)
				return rec, err
			})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, head, nil
}

func scanOffer(r pgx.Rows) (reservation.Offer, error) {
	return scanOfferRow(r)
}

func scanOfferRow(row pgx.Row) (reservation.Offer, error) {
	var o reservation.Offer
	var created, expires int64
	err := row.Scan(&o.ID, &o.Attendee, &o.SessionID, &created, &expires, &o.State)
	o.Created, o.ExpiresAt = fromMS(created), fromMS(expires)
	return o, err
}

// AttendeeReservations lists the attendee's reservations except those the
// attendee cancelled, oldest first.
func (s *Store) AttendeeReservations(ctx context.Context, attendee string) ([]reservation.Reservation, error) {
	out, err := collect(ctx, s.pool, `SELECT session, status, created_at, checked_in_at FROM reservations
		WHERE attendee = $1 AND status <> 'cancelled' ORDER BY created_at, id`, []any{attendee},
		func(r pgx.Rows) (reservation.Reservation, error) {
			res := reservation.Reservation{Attendee: attendee}
			var created int64
			var checked *int64
			err := r.Scan(&res.SessionID, &res.Status, &created, &checked)
			res.Created = fromMS(created)
			if checked != nil {
				t := fromMS(*checked)
				res.CheckedIn = &t
			}
			return res, err
		})
	if err != nil {
		return nil, dbErr(err, "listing reservations")
	}
	if out == nil {
		out = []reservation.Reservation{}
	}
	return out, nil
}

// AttendeeOffers lists the attendee's offers in a state, soonest expiry first.
func (s *Store) AttendeeOffers(ctx context.Context, attendee string, state reservation.State) ([]reservation.Offer, error) {
	out, err := collect(ctx, s.pool, `SELECT id, attendee, session, created_at, expires_at, state FROM offers
		WHERE attendee = $1 AND state = $2 ORDER BY expires_at, id`, []any{attendee, state}, scanOffer)
	if err != nil {
		return nil, dbErr(err, "listing offers")
	}
	if out == nil {
		out = []reservation.Offer{}
	}
	return out, nil
}

// OfferByID returns one offer in any state.
func (s *Store) OfferByID(ctx context.Context, id string) (reservation.Offer, bool, error) {
	o, err := scanOfferRow(s.pool.QueryRow(ctx,
		`SELECT id, attendee, session, created_at, expires_at, state FROM offers WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return reservation.Offer{}, false, nil
	}
	if err != nil {
		return reservation.Offer{}, false, dbErr(err, "reading an offer")
	}
	return o, true, nil
}

// AttendeeWaitlist lists the attendee's waitlist places with positions.
func (s *Store) AttendeeWaitlist(ctx context.Context, attendee string) ([]reservation.WaitPlace, error) {
	out, err := collect(ctx, s.pool, `SELECT w.session, (SELECT count(*) FROM waitlist x WHERE x.session = w.session AND x.seq <= w.seq)
		FROM waitlist w WHERE w.attendee = $1 ORDER BY w.seq`, []any{attendee},
		func(r pgx.Rows) (reservation.WaitPlace, error) {
			var p reservation.WaitPlace
			return p, r.Scan(&p.SessionID, &p.Position)
		})
	if err != nil {
		return nil, dbErr(err, "listing waitlist places")
	}
	if out == nil {
		out = []reservation.WaitPlace{}
	}
	return out, nil
}
