package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
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

// applier collects one transaction's statements into pipelined batches
// and the seat counter changes their results imply.
type applier struct {
	deltas  map[string]*[2]int64 // session -> [reserved, held] change
	newIDs  []int64              // reservations inserted by this batch
	gainers []string             // attendees given a seat, sorted
}

func (a *applier) delta(session string, reserved, held int64) {
	d := a.deltas[session]
	if d == nil {
		d = new([2]int64)
		a.deltas[session] = d
	}
	d[0] += reserved
	d[1] += held
}

// Apply writes the engine's decisions in one transaction, in two
// pipelined round trips (the ops, then the counters and the guards) plus
// the commit, so a batch of 500 reservations costs about what one does.
//
// It is defensive, so that several nodes, each deciding from its own
// memory, can never overbook together: every counter increase is a
// conditional UPDATE (reserved + held must stay within the session's
// capacity, re-checked by PostgreSQL on the newest row version after any
// lock wait), and attendees who gain a seat are locked (seat_attendees,
// in sorted order) before an overlap check over their active
// reservations. A tripped guard fails the whole batch with a GuardError.
func (s *Store) Apply(ctx context.Context, ops []reservation.Op) error {
	if len(ops) == 0 {
		return nil
	}
	err := s.inTx(ctx, "saving seats", pgx.TxOptions{}, func(tx pgx.Tx) error {
		return s.applyTx(ctx, tx, ops, nil)
	})
	if err == nil {
		s.crashPoint("committed")
	}
	return err
}

// applyTx writes ops in tx. first, when not nil, queues statements at the
// head of the first pipelined batch (ApplyAt's head check and log entry).
// An OpConference (first of ops) saves its revision in the same batch,
// before the seat ops, so that the guard rows of new sessions exist when
// their counters change.
func (s *Store) applyTx(ctx context.Context, tx pgx.Tx, ops []reservation.Op, first func(*pgx.Batch)) error {
	var conf *reservation.Op
	var confBody []byte
	if len(ops) > 0 && ops[0].Kind == reservation.OpConference {
		conf, ops = &ops[0], ops[1:]
		var err error
		if confBody, err = store.EncodeConference(conf.Conference); err != nil {
			return err
		}
	}
	a := &applier{deltas: map[string]*[2]int64{}}
	for i := range ops {
		if ops[i].Kind == reservation.OpReserve {
			a.gainers = append(a.gainers, ops[i].Attendee)
		}
	}
	slices.Sort(a.gainers)
	a.gainers = slices.Compact(a.gainers)

	b := &pgx.Batch{}
	if first != nil {
		first(b)
	}
	var saved func(error) error
	if conf != nil {
		saved = queueConference(b, conf.Conference, confBody, conf.Seq)
	}
	if len(a.gainers) > 0 {
		// Two statements, not one: the SELECT's fresh snapshot sees a row
		// another node inserted and committed while this INSERT waited on
		// it, and locks it too (a CTE would share the INSERT's snapshot
		// and miss it).
		b.Queue(`INSERT INTO seat_attendees (attendee) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, a.gainers)
		b.Queue(`SELECT attendee FROM seat_attendees WHERE attendee = ANY($1::text[]) ORDER BY attendee FOR UPDATE`, a.gainers)
	}
	for i := 0; i < len(ops); {
		if ops[i].Kind == reservation.OpReserve {
			j := i + 1
			for j < len(ops) && ops[j].Kind == reservation.OpReserve {
				j++
			}
			a.queueReservations(b, ops[i:j])
			i = j
			continue
		}
		if err := a.queue(b, &ops[i]); err != nil {
			return err
		}
		i++
	}
	err := tx.SendBatch(ctx, b).Close()
	if saved != nil {
		if err = saved(err); err == nil {
			s.crashPoint("conference-written")
		}
	}
	if err != nil {
		return err
	}

	sessions := make([]string, 0, len(a.deltas))
	for id, d := range a.deltas {
		if d[0] != 0 || d[1] != 0 {
			sessions = append(sessions, id)
		}
	}
	sort.Strings(sessions)
	var tripped *GuardError
	b = &pgx.Batch{}
	if len(sessions) > 0 {
		// Counter rows of sessions no conference save wrote (unknown
		// ones) get capacity 0: releases work, increases are refused.
		b.Queue(`INSERT INTO session_seats (session) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, sessions)
	}
	// Sorted, one statement per session: every transaction locks counter
	// rows in the same order, so two nodes cannot deadlock on them.
	for _, id := range sessions {
		d := a.deltas[id]
		b.Queue(`UPDATE session_seats SET reserved = reserved + $2::bigint, held = held + $3::bigint
			WHERE session = $1 AND ($2::bigint + $3::bigint <= 0 OR reserved + held + $2::bigint + $3::bigint <= capacity)`, id, d[0], d[1]).
			Exec(func(ct pgconn.CommandTag) error {
				if ct.RowsAffected() == 0 && tripped == nil {
					tripped = &GuardError{Rule: "capacity", Session: id}
				}
				return nil
			})
	}
	if len(a.newIDs) > 0 {
		b.Queue(`SELECT r.attendee, r.session, o.session
			FROM reservations r
			JOIN session_seats s ON s.session = r.session
			JOIN reservations o ON o.attendee = r.attendee AND o.ended = 0 AND o.id <> r.id
			JOIN session_seats so ON so.session = o.session
			WHERE r.id = ANY($1::bigint[]) AND r.ended = 0
			  AND s.start_at < so.end_at AND so.start_at < s.end_at
			LIMIT 1`, a.newIDs).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					g := &GuardError{Rule: "overlap"}
					if err := rows.Scan(&g.Attendee, &g.Session, &g.Other); err != nil {
						return err
					}
					if tripped == nil {
						tripped = g
					}
				}
				return rows.Err()
			})
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
	}
	if tripped != nil {
		return guardTripped(tripped)
	}
	s.crashPoint("seats-written")
	return nil
}

func (a *applier) queueReservations(b *pgx.Batch, ops []reservation.Op) {
	attendees := make([]string, len(ops))
	sessions := make([]string, len(ops))
	created := make([]int64, len(ops))
	for i := range ops {
		attendees[i], sessions[i], created[i] = ops[i].Attendee, ops[i].SessionID, msOrNow(ops[i].At)
		a.delta(ops[i].SessionID, 1, 0)
	}
	b.Queue(`INSERT INTO reservations (attendee, session, created_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) RETURNING id`, attendees, sessions, created).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				a.newIDs = append(a.newIDs, id)
			}
			return rows.Err()
		})
}

func (a *applier) queue(b *pgx.Batch, op *reservation.Op) error {
	switch op.Kind {
	case reservation.OpEndReservation:
		session := op.SessionID
		b.Queue(`UPDATE reservations SET status = $1, ended = id, ended_at = $2 WHERE attendee = $3 AND session = $4 AND ended = 0`,
			op.State, msOrNow(op.At), op.Attendee, op.SessionID).
			Exec(func(ct pgconn.CommandTag) error {
				a.delta(session, -ct.RowsAffected(), 0)
				return nil
			})
	case reservation.OpLapseSession, reservation.OpCancelSession:
		offerState := reservation.OfferExpired
		if op.Kind == reservation.OpCancelSession {
			offerState = reservation.OfferWithdrawn
		}
		session := op.SessionID
		b.Queue(`UPDATE offers SET state = $1, ended_at = $2 WHERE session = $3 AND state = 'open'`, offerState, msOrNow(op.At), op.SessionID).
			Exec(func(ct pgconn.CommandTag) error {
				a.delta(session, 0, -ct.RowsAffected())
				return nil
			})
		b.Queue(`DELETE FROM waitlist WHERE session = $1`, op.SessionID)
	case reservation.OpWaitAdd:
		b.Queue(`INSERT INTO waitlist (session, attendee, seq, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (session, attendee) DO UPDATE SET seq = EXCLUDED.seq`, op.SessionID, op.Attendee, op.Seq, msOrNow(op.At))
	case reservation.OpWaitRemove:
		b.Queue(`DELETE FROM waitlist WHERE session = $1 AND attendee = $2`, op.SessionID, op.Attendee)
	case reservation.OpOfferOpen:
		b.Queue(`INSERT INTO offers (id, attendee, session, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			op.OfferID, op.Attendee, op.SessionID, msOrNow(op.At), ms(op.Expires))
		a.delta(op.SessionID, 0, 1)
	case reservation.OpOfferEnd:
		b.Queue(`UPDATE offers SET state = $1, ended_at = $2 WHERE id = $3 AND state = 'open' RETURNING session`,
			op.State, msOrNow(op.At), op.OfferID).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var session string
					if err := rows.Scan(&session); err != nil {
						return err
					}
					a.delta(session, 0, -1)
				}
				return rows.Err()
			})
	case reservation.OpCheckIn:
		at := msOrNow(op.At)
		b.Queue(`INSERT INTO checkins (session, attendee, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, op.SessionID, op.Attendee, at)
		b.Queue(`UPDATE reservations SET checked_in_at = $1 WHERE attendee = $2 AND session = $3 AND ended = 0 AND checked_in_at IS NULL`,
			at, op.Attendee, op.SessionID)
	case reservation.OpIdempotency:
		b.Queue(`INSERT INTO idempotency (attendee, key, hash, body, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (attendee, key) DO UPDATE SET hash = EXCLUDED.hash, body = EXCLUDED.body, created_at = EXCLUDED.created_at`,
			op.Attendee, op.Key, op.Hash, op.Body, msOrNow(op.At))
	case reservation.OpSetAutoAccept:
		b.Queue(`INSERT INTO reservation_settings (attendee, auto_accept) VALUES ($1, $2)
			ON CONFLICT (attendee) DO UPDATE SET auto_accept = EXCLUDED.auto_accept`, op.Attendee, op.Flag)
	case reservation.OpPruneIdempotency:
		b.Queue(`DELETE FROM idempotency WHERE created_at < $1`, ms(op.At))
	case reservation.OpQuota:
		// Travels in the shared log only (ApplyAt); no table keeps it.
	case reservation.OpConference:
		return errcode.New(errcode.Internal, "a conference revision must be the first op of its batch")
	default:
		return errcode.New(errcode.Internal, "unknown seat operation %d", op.Kind)
	}
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
