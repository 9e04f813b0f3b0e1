package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
	"venuehop/internal/store/seatcheck"
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

// applier runs the ops of one transaction. Statements prepared at Open
// (writeStmts) are bound to the transaction with StmtContext; a statement
// that is not (a rare op) is prepared in the transaction, once.
type applier struct {
	ctx   context.Context
	tx    *sql.Tx
	ws    *writeStmts
	stmts map[string]*sql.Stmt
	bound map[*sql.Stmt]*sql.Stmt // writeStmts' chunk statements bound to tx
	// seat counter changes per session: [reserved, held]
	deltas map[string]*[2]int64
	args   []any
}

func (a *applier) stmt(query string) (*sql.Stmt, error) {
	if st, ok := a.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if p := a.ws.fixed[query]; p != nil {
		st = a.tx.StmtContext(a.ctx, p)
	} else {
		var err error
		if st, err = a.tx.PrepareContext(a.ctx, query); err != nil {
			return nil, err
		}
	}
	a.stmts[query] = st
	return st, nil
}

func (a *applier) exec(query string, args ...any) (int64, error) {
	st, err := a.stmt(query)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(a.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execRows runs the multi-row statement of c over n rows whose arguments
// are in a.args (c.cols per row): in chunks of the prepared sizes, largest
// first, so a batch of any size costs a handful of statements and no SQL
// is parsed while the write lock is held.
func (a *applier) execRows(c *chunked, n int) error {
	args := a.args
	for n > 0 {
		k := len(c.sizes) - 1
		for c.sizes[k] > n {
			k--
		}
		size := c.sizes[k]
		st := a.bound[c.stmts[k]]
		if st == nil {
			st = a.tx.StmtContext(a.ctx, c.stmts[k])
			a.bound[c.stmts[k]] = st
		}
		if _, err := st.ExecContext(a.ctx, args[:size*c.cols]...); err != nil {
			return err
		}
		args = args[size*c.cols:]
		n -= size
	}
	return nil
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

// Apply writes the engine's decisions in one IMMEDIATE transaction on the
// single writer connection. With synchronous=FULL the commit is fsynced
// before Apply returns, so an answer sent afterwards survives a crash or a
// power loss.
func (s *Store) Apply(ctx context.Context, ops []reservation.Op) error {
	if len(ops) == 0 {
		return nil
	}
	var conf []byte
	if ops[0].Kind == reservation.OpConference {
		var err error
		if conf, err = store.EncodeConference(ops[0].Conference); err != nil {
			return err
		}
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "saving seats")
	}
	defer tx.Rollback()
	a := &applier{ctx: ctx, tx: tx, ws: s.ws, stmts: map[string]*sql.Stmt{}, bound: map[*sql.Stmt]*sql.Stmt{},
		deltas: map[string]*[2]int64{}}
	if conf != nil {
		// An organizer's change and its seat consequences: one commit.
		if _, err := saveConferenceTx(ctx, tx, conf, ops[0].Seq); err != nil {
			return err
		}
		s.crashPoint("conference-written")
		ops = ops[1:]
	}
	for i := 0; i < len(ops); {
		// A run of reservations (the rush) goes in multi-row inserts.
		if ops[i].Kind == reservation.OpReserve {
			j := i + 1
			for j < len(ops) && ops[j].Kind == reservation.OpReserve {
				j++
			}
			if err := a.insertReservations(ops[i:j]); err != nil {
				return dbErr(err, fmt.Sprintf("saving seats (ops %d to %d of %d)", i+1, j, len(ops)))
			}
			i = j
			continue
		}
		if err := a.apply(&ops[i]); err != nil {
			return dbErr(err, fmt.Sprintf("saving seats (op %d of %d)", i+1, len(ops)))
		}
		i++
	}
	sessions := make([]string, 0, len(a.deltas))
	for id, d := range a.deltas {
		if d[0] != 0 || d[1] != 0 {
			sessions = append(sessions, id)
		}
	}
	sort.Strings(sessions)
	// The counter rows first, then the changes: an upsert would check
	// reserved >= 0 on the values before it sees the conflict.
	a.args = a.args[:0]
	for _, id := range sessions {
		a.args = append(a.args, id)
	}
	if err := a.execRows(&s.ws.seatRows, len(sessions)); err != nil {
		return dbErr(err, "saving seat counts")
	}
	a.args = a.args[:0]
	for _, id := range sessions {
		d := a.deltas[id]
		a.args = append(a.args, id, d[0], d[1])
	}
	if err := a.execRows(&s.ws.seatAdd, len(sessions)); err != nil {
		return dbErr(err, "saving seat counts")
	}
	for _, st := range a.stmts {
		st.Close()
	}
	s.crashPoint("seats-written")
	if err := tx.Commit(); err != nil {
		return dbErr(err, "saving seats")
	}
	s.crashPoint("committed")
	return nil
}

func (a *applier) insertReservations(ops []reservation.Op) error {
	a.args = a.args[:0]
	for i := range ops {
		a.args = append(a.args, ops[i].Attendee, ops[i].SessionID, msOrNow(ops[i].At))
		a.delta(ops[i].SessionID, 1, 0)
	}
	return a.execRows(&a.ws.reserve, len(ops))
}

func (a *applier) apply(op *reservation.Op) error {
	switch op.Kind {
	case reservation.OpReserve:
		if _, err := a.exec(sqlReserve,
			op.Attendee, op.SessionID, msOrNow(op.At)); err != nil {
			return err
		}
		a.delta(op.SessionID, 1, 0)
	case reservation.OpEndReservation:
		n, err := a.exec(sqlEndReservation,
			op.State, msOrNow(op.At), op.Attendee, op.SessionID)
		if err != nil {
			return err
		}
		a.delta(op.SessionID, -n, 0)
	case reservation.OpLapseSession, reservation.OpCancelSession:
		// The engine ends the reservations one by one (it knows the
		// holders, and a by-session index would cost every insert);
		// this ends the session's offers and waitlist.
		offerState := reservation.OfferExpired
		if op.Kind == reservation.OpCancelSession {
			offerState = reservation.OfferWithdrawn
		}
		h, err := a.exec(sqlEndSessionOffers, offerState, msOrNow(op.At), op.SessionID)
		if err != nil {
			return err
		}
		if _, err := a.exec(sqlClearWaitlist, op.SessionID); err != nil {
			return err
		}
		a.delta(op.SessionID, 0, -h)
	case reservation.OpWaitAdd:
		_, err := a.exec(sqlWaitAdd, op.SessionID, op.Attendee, op.Seq, msOrNow(op.At))
		return err
	case reservation.OpWaitRemove:
		_, err := a.exec(sqlWaitRemove, op.SessionID, op.Attendee)
		return err
	case reservation.OpOfferOpen:
		if _, err := a.exec(sqlOfferOpen,
			op.OfferID, op.Attendee, op.SessionID, msOrNow(op.At), ms(op.Expires)); err != nil {
			return err
		}
		a.delta(op.SessionID, 0, 1)
	case reservation.OpOfferEnd:
		var session string
		st, err := a.stmt(sqlOfferEnd)
		if err != nil {
			return err
		}
		err = st.QueryRowContext(a.ctx, op.State, msOrNow(op.At), op.OfferID).Scan(&session)
		switch {
		case err == sql.ErrNoRows:
			return nil
		case err != nil:
			return err
		}
		a.delta(session, 0, -1)
	case reservation.OpCheckIn:
		at := msOrNow(op.At)
		if _, err := a.exec(sqlCheckIn,
			op.SessionID, op.Attendee, at); err != nil {
			return err
		}
		_, err := a.exec(sqlCheckInReservation,
			at, op.Attendee, op.SessionID)
		return err
	case reservation.OpIdempotency:
		_, err := a.exec(sqlIdempotency,
			op.Attendee, op.Key, op.Hash, op.Body, msOrNow(op.At))
		return err
	case reservation.OpSetAutoAccept:
		_, err := a.exec(sqlAutoAccept, op.Attendee, op.Flag)
		return err
	case reservation.OpPruneIdempotency:
		_, err := a.exec(sqlPruneIdempotency, ms(op.At))
		return err
	case reservation.OpQuota:
		// Only a shared log carries it (several nodes); nothing to store.
	case reservation.OpConference:
		return fmt.Errorf("a conference revision must be the first op of its batch")
	default:
		return fmt.Errorf("unknown seat operation %d", op.Kind)
	}
	return nil
}

// LoadSeats reads the live seat state for the engine's start.
func (s *Store) LoadSeats(ctx context.Context, since time.Time) (*reservation.Stored, error) {
	out := &reservation.Stored{}
	err := s.query(ctx, `SELECT attendee, session, created_at, checked_in_at FROM reservations WHERE ended = 0 ORDER BY id`,
		nil, func(rows *sql.Rows) error {
			var r reservation.Reservation
			var created int64
			var checked sql.NullInt64
			if err := rows.Scan(&r.Attendee, &r.SessionID, &created, &checked); err != nil {
				return err
			}
			r.Status, r.Created = reservation.StateActive, fromMS(created)
			if checked.Valid {
				t := fromMS(checked.Int64)
				r.CheckedIn = &t
			}
			out.Reservations = append(out.Reservations, r)
			return nil
		})
	if err == nil {
		err = s.query(ctx, `SELECT attendee, session, seq, created_at FROM waitlist ORDER BY seq`, nil, func(rows *sql.Rows) error {
			var w reservation.Wait
			var created int64
			if err := rows.Scan(&w.Attendee, &w.SessionID, &w.Seq, &created); err != nil {
				return err
			}
			w.Created = fromMS(created)
			out.Waitlist = append(out.Waitlist, w)
			return nil
		})
	}
	if err == nil {
		err = s.query(ctx, `SELECT id, attendee, session, created_at, expires_at, state FROM offers WHERE state = 'open' ORDER BY created_at`,
			nil, func(rows *sql.Rows) error {
				o, err := scanOffer(rows)
				out.Offers = append(out.Offers, o)
				return err
			})
	}
	if err == nil {
		err = s.query(ctx, `SELECT attendee FROM reservation_settings WHERE auto_accept = 1`, nil, func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			out.AutoAccept = append(out.AutoAccept, id)
			return err
		})
	}
	if err == nil {
		err = s.query(ctx, `SELECT session, attendee, at FROM checkins`, nil, func(rows *sql.Rows) error {
			var c reservation.CheckIn
			var at int64
			err := rows.Scan(&c.SessionID, &c.AttendeeID, &at)
			c.CheckedInAt = fromMS(at)
			out.CheckIns = append(out.CheckIns, c)
			return err
		})
	}
	if err == nil {
		err = s.query(ctx, `SELECT attendee, key, hash, body, created_at FROM idempotency WHERE created_at >= ?`, []any{ms(since)},
			func(rows *sql.Rows) error {
				var r reservation.IdempotencyRecord
				var created int64
				err := rows.Scan(&r.Attendee, &r.Key, &r.Hash, &r.Body, &created)
				r.Created = fromMS(created)
				out.Idempotency = append(out.Idempotency, r)
				return err
			})
	}
	if err != nil {
		return nil, dbErr(err, "loading seats")
	}
	return out, nil
}

func scanOffer(rows interface{ Scan(...any) error }) (reservation.Offer, error) {
	var o reservation.Offer
	var created, expires int64
	err := rows.Scan(&o.ID, &o.Attendee, &o.SessionID, &created, &expires, &o.State)
	o.Created, o.ExpiresAt = fromMS(created), fromMS(expires)
	return o, err
}

// query runs a read on the read pool and calls each for every row.
func (s *Store) query(ctx context.Context, q string, args []any, each func(*sql.Rows) error) error {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AttendeeReservations lists the attendee's reservations except those the
// attendee cancelled, oldest first.
func (s *Store) AttendeeReservations(ctx context.Context, attendee string) ([]reservation.Reservation, error) {
	out := []reservation.Reservation{}
	err := s.query(ctx, `SELECT session, status, created_at, checked_in_at FROM reservations
		WHERE attendee = ? AND status != 'cancelled' ORDER BY created_at, id`, []any{attendee}, func(rows *sql.Rows) error {
		r := reservation.Reservation{Attendee: attendee}
		var created int64
		var checked sql.NullInt64
		if err := rows.Scan(&r.SessionID, &r.Status, &created, &checked); err != nil {
			return err
		}
		r.Created = fromMS(created)
		if checked.Valid {
			t := fromMS(checked.Int64)
			r.CheckedIn = &t
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, dbErr(err, "listing reservations")
	}
	return out, nil
}

// AttendeeOffers lists the attendee's offers in a state, soonest expiry first.
func (s *Store) AttendeeOffers(ctx context.Context, attendee string, state reservation.State) ([]reservation.Offer, error) {
	out := []reservation.Offer{}
	err := s.query(ctx, `SELECT id, attendee, session, created_at, expires_at, state FROM offers
		WHERE attendee = ? AND state = ? ORDER BY expires_at, id`, []any{attendee, state}, func(rows *sql.Rows) error {
		o, err := scanOffer(rows)
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, dbErr(err, "listing offers")
	}
	return out, nil
}

// OfferByID returns one offer in any state.
func (s *Store) OfferByID(ctx context.Context, id string) (reservation.Offer, bool, error) {
	o, err := scanOffer(s.read.QueryRowContext(ctx,
		`SELECT id, attendee, session, created_at, expires_at, state FROM offers WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return reservation.Offer{}, false, nil
	}
	if err != nil {
		return reservation.Offer{}, false, dbErr(err, "reading an offer")
	}
	return o, true, nil
}

// AttendeeWaitlist lists the attendee's waitlist places with positions.
func (s *Store) AttendeeWaitlist(ctx context.Context, attendee string) ([]reservation.WaitPlace, error) {
	out := []reservation.WaitPlace{}
	err := s.query(ctx, `SELECT w.session, (SELECT count(*) FROM waitlist x WHERE x.session = w.session AND x.seq <= w.seq)
		FROM waitlist w WHERE w.attendee = ? ORDER BY w.seq`, []any{attendee}, func(rows *sql.Rows) error {
		var p reservation.WaitPlace
		err := rows.Scan(&p.SessionID, &p.Position)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, dbErr(err, "listing waitlist places")
	}
	return out, nil
}

// checkSeats reads the seat counters, the active reservations and the open
// offers, and checks them against the stored conference c (nil when none is
// stored) with seatcheck, the rules every backend shares: counters equal
// rows, no session over its reservable capacity, every open offer backed by
// a free seat, no attendee in two overlapping sessions, no seat in a
// session that is gone or cancelled.
func (s *Store) checkSeats(ctx context.Context, c *conference.Conference) ([]string, error) {
	in := seatcheck.Input{Conf: c, Counters: map[string]seatcheck.Counter{}, OpenOffers: map[string]int64{}}
	err := s.query(ctx, `SELECT session, reserved, held FROM session_seats`, nil, func(rows *sql.Rows) error {
		var id string
		var n seatcheck.Counter
		err := rows.Scan(&id, &n.Reserved, &n.Held)
		in.Counters[id] = n
		return err
	})
	if err == nil {
		err = s.query(ctx, `SELECT attendee, session FROM reservations WHERE ended = 0 ORDER BY attendee`, nil, func(rows *sql.Rows) error {
			var h seatcheck.Holding
			err := rows.Scan(&h.Attendee, &h.Session)
			in.Active = append(in.Active, h)
			return err
		})
	}
	if err == nil {
		err = s.query(ctx, `SELECT session, count(*) FROM offers WHERE state = 'open' GROUP BY session`, nil, func(rows *sql.Rows) error {
			var id string
			var n int64
			err := rows.Scan(&id, &n)
			in.OpenOffers[id] = n
			return err
		})
	}
	if err == nil {
		err = s.query(ctx, strayCheckInsSQL, nil, func(rows *sql.Rows) error {
			var h seatcheck.Holding
			err := rows.Scan(&h.Attendee, &h.Session)
			in.StrayCheckIns = append(in.StrayCheckIns, h)
			return err
		})
	}
	if err != nil {
		return nil, dbErr(err, "checking seats")
	}
	return seatcheck.Problems(in), nil
}

// strayCheckInsSQL finds check-ins of attendees without an account (the
// API refuses them; older stores may hold some). A store with no account
// at all is seats kept without accounts (the engine's own tests): there
// is nobody to compare with.
const strayCheckInsSQL = `SELECT attendee, session FROM checkins
	WHERE attendee NOT IN (SELECT id FROM users) AND EXISTS (SELECT 1 FROM users) ORDER BY attendee, session`
