package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
)

// How a seat commit is written. One group commit is one transaction and,
// for ApplyAt and Apply, one round trip: BEGIN, every statement and COMMIT
// go out in one pipeline, and PostgreSQL runs them without waiting for
// the client. That is what makes a commit cheap enough for a rush: the
// time of a batch is the server's work plus one round trip and the WAL
// flush, whatever its size. It shapes the statements:
//
//   - consecutive ops of one kind are one statement over arrays (unnest);
//     OpQuota writes nothing and does not break a run, so the reservations
//     of a whole rush batch are one INSERT;
//   - a statement that changes reservations or offers moves the session
//     counters by what it really changed (its RETURNING rows), in the same
//     statement, so no count travels back to the client;
//   - a guard that trips (an increase past the capacity, an overlap, a
//     conference base that is no longer the newest) calls
//     seat_guard_fail (the seat_guard migration), whose error aborts the whole
//     transaction before its COMMIT runs.

// sqlSeatGuard is seat_guard_fail's SQLSTATE.
const sqlSeatGuard = "VHG01"

// seatPipe is one transaction's statements. Without crash hooks it is one
// pipelined batch; with them (crash tests only) it is cut at each step so
// that the process can die between two parts of the transaction.
type seatPipe struct {
	s     *Store
	parts []*pgx.Batch
	steps []string // the step reached after parts[i]
}

func (s *Store) newPipe() *seatPipe {
	return &seatPipe{s: s, parts: []*pgx.Batch{{}}}
}

// Queue queues a statement.
func (p *seatPipe) Queue(sql string, args ...any) *pgx.QueuedQuery {
	return p.parts[len(p.parts)-1].Queue(sql, args...)
}

// step marks a point of the transaction for the crash tests.
func (p *seatPipe) step(name string) {
	if p.s.crashAt == nil {
		return
	}
	p.steps = append(p.steps, name)
	p.parts = append(p.parts, &pgx.Batch{})
}

// send runs the parts on conn in order (one round trip without crash
// hooks).
func (p *seatPipe) send(ctx context.Context, conn *pgx.Conn) error {
	for i, b := range p.parts {
		if b.Len() > 0 {
			if err := conn.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
		}
		if i < len(p.steps) {
			p.s.crashPoint(p.steps[i])
		}
	}
	return nil
}

// inPipeline runs one transaction whose statements queue puts into a
// seatPipe, as one round trip: BEGIN, the statements, COMMIT. Like inTx it
// runs the transaction again after a serialization failure or a
// deadlock; queue runs again each time. The error is the server's, for
// the caller to name (seatErr, dbErr).
func (s *Store) inPipeline(ctx context.Context, queue func(p *seatPipe) error) error {
	return s.retrying(ctx, func() error {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		p := s.newPipe()
		p.Queue(`BEGIN`)
		s.queueSeatSettings(p)
		if err := queue(p); err != nil {
			return err
		}
		p.Queue(`COMMIT`)
		err = p.send(ctx, conn.Conn())
		if err != nil {
			endFailed(ctx, conn)
		}
		return err
	})
}

// endFailed rolls back what a failed pipeline left open (PostgreSQL skips
// the rest of a pipeline after an error, the COMMIT included); a
// connection that cannot is closed rather than returned to the pool.
func endFailed(ctx context.Context, conn *pgxpool.Conn) {
	if conn.Conn().PgConn().TxStatus() == 'I' {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ConnectTimeout)
	defer cancel()
	if _, err := conn.Exec(rctx, `ROLLBACK`); err != nil {
		conn.Conn().Close(rctx)
	}
}

// queueSeatOps queues ops, in order, into p (see the top of this file).
// An OpConference must have been taken off first (queueConference).
func queueSeatOps(p *seatPipe, ops []reservation.Op) error {
	var gainers, newA, newS []string
	for i := range ops {
		if ops[i].Kind == reservation.OpReserve {
			gainers = append(gainers, ops[i].Attendee)
		}
	}
	// The seats the batch gives and does not take back: those the
	// overlap check is about.
	held := map[[2]string]bool{}
	for i := range ops {
		switch k := [2]string{ops[i].Attendee, ops[i].SessionID}; ops[i].Kind {
		case reservation.OpReserve:
			held[k] = true
		case reservation.OpEndReservation:
			delete(held, k)
		}
	}
	for i := range ops {
		if k := [2]string{ops[i].Attendee, ops[i].SessionID}; ops[i].Kind == reservation.OpReserve && held[k] {
			delete(held, k)
			newA, newS = append(newA, k[0]), append(newS, k[1])
		}
	}
	if len(gainers) > 0 {
		// The attendees who gain a seat are locked, in sorted order, before
		// the overlap check below: two writers (nodes deciding from their
		// own memory) cannot each add one of two overlapping seats unseen
		// by the other. The upsert locks rows another writer inserted and
		// committed meanwhile too.
		slices.Sort(gainers)
		gainers = slices.Compact(gainers)
		p.Queue(`INSERT INTO seat_attendees (attendee) SELECT unnest($1::text[]) ORDER BY 1
			ON CONFLICT (attendee) DO UPDATE SET attendee = EXCLUDED.attendee`, gainers)
	}
	for i := 0; i < len(ops); {
		kind := ops[i].Kind
		if kind == reservation.OpQuota {
			i++ // travels in the shared log only; no table keeps it
			continue
		}
		run := []*reservation.Op{&ops[i]}
		j := i + 1
		for ; j < len(ops) && batched[kind]; j++ {
			if ops[j].Kind == reservation.OpQuota {
				continue
			}
			if ops[j].Kind != kind {
				break
			}
			run = append(run, &ops[j])
		}
		if batched[kind] {
			queueRun(p, kind, run)
		} else if err := queueOne(p, run[0]); err != nil {
			return err
		}
		i = j
	}
	if len(newA) > 0 {
		// The lookups are LATERAL subqueries with LIMIT 1: PostgreSQL
		// plans each on its own (an index lookup per new seat) instead of
		// searching the join orders of five relations at every plan.
		p.Queue(`SELECT seat_guard_fail('overlap', n.session, n.attendee, o.session)
			FROM unnest($1::text[], $2::text[]) AS n (attendee, session)
			CROSS JOIN LATERAL (SELECT start_at, end_at FROM session_seats WHERE session = n.session LIMIT 1) AS s
			CROSS JOIN LATERAL (SELECT r.session FROM reservations r
				JOIN session_seats so ON so.session = r.session
				WHERE r.attendee = n.attendee AND r.ended = 0 AND r.session <> n.session
				  AND so.start_at < s.end_at AND s.start_at < so.end_at LIMIT 1) AS o
			LIMIT 1`, newA, newS)
	}
	return nil
}

// batched are the kinds written a run at a time.
var batched = map[reservation.OpKind]bool{
	reservation.OpReserve: true, reservation.OpEndReservation: true, reservation.OpOfferOpen: true,
	reservation.OpOfferEnd: true, reservation.OpWaitAdd: true, reservation.OpWaitRemove: true,
	reservation.OpIdempotency: true,
}

// Counter moves of a statement whose data-modifying part is the CTE named
// "changed" (one row per change, with its session): an increase is
// guarded (the counters may not pass the capacity: a session without a
// counter row has none), a decrease is not.
const (
	addReserved = `,
	d AS (SELECT session, count(*)::bigint AS n FROM changed GROUP BY session),
	up AS (UPDATE session_seats s SET reserved = s.reserved + d.n FROM d
	       WHERE s.session = d.session AND s.reserved + s.held + d.n <= s.capacity RETURNING s.session)
	SELECT seat_guard_fail('capacity', d.session, '', '') FROM d
	WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.session = d.session) LIMIT 1`
	addHeld = `,
	d AS (SELECT session, count(*)::bigint AS n FROM changed GROUP BY session),
	up AS (UPDATE session_seats s SET held = s.held + d.n FROM d
	       WHERE s.session = d.session AND s.reserved + s.held + d.n <= s.capacity RETURNING s.session)
	SELECT seat_guard_fail('capacity', d.session, '', '') FROM d
	WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.session = d.session) LIMIT 1`
	subReserved = `
	UPDATE session_seats s SET reserved = s.reserved - d.n
	FROM (SELECT session, count(*)::bigint AS n FROM changed GROUP BY session) d WHERE s.session = d.session`
	subHeld = `
	UPDATE session_seats s SET held = s.held - d.n
	FROM (SELECT session, count(*)::bigint AS n FROM changed GROUP BY session) d WHERE s.session = d.session`
)

// queueRun queues a run of ops of one batched kind as one statement.
func queueRun(p *seatPipe, kind reservation.OpKind, run []*reservation.Op) {
	strs := func(f func(*reservation.Op) string) []string { return column(run, f) }
	ints := func(f func(*reservation.Op) int64) []int64 { return column(run, f) }
	attendee := func(op *reservation.Op) string { return op.Attendee }
	session := func(op *reservation.Op) string { return op.SessionID }
	at := func(op *reservation.Op) int64 { return msOrNow(op.At) }
	state := func(op *reservation.Op) string { return string(op.State) }
	switch kind {
	case reservation.OpReserve:
		p.Queue(`WITH changed AS (INSERT INTO reservations (attendee, session, created_at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) RETURNING session)`+addReserved,
			strs(attendee), strs(session), ints(at))
	case reservation.OpEndReservation:
		p.Queue(`WITH changed AS (UPDATE reservations r SET status = x.status, ended = r.id, ended_at = x.at
			FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS x (attendee, session, status, at)
			WHERE r.attendee = x.attendee AND r.session = x.session AND r.ended = 0 RETURNING r.session)`+subReserved,
			strs(attendee), strs(session), strs(state), ints(at))
	case reservation.OpOfferOpen:
		p.Queue(`WITH changed AS (INSERT INTO offers (id, attendee, session, created_at, expires_at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) RETURNING session)`+addHeld,
			strs(func(op *reservation.Op) string { return op.OfferID }), strs(attendee), strs(session), ints(at),
			ints(func(op *reservation.Op) int64 { return ms(op.Expires) }))
	case reservation.OpOfferEnd:
		p.Queue(`WITH changed AS (UPDATE offers o SET state = x.state, ended_at = x.at
			FROM unnest($1::text[], $2::text[], $3::bigint[]) AS x (id, state, at)
			WHERE o.id = x.id AND o.state = 'open' RETURNING o.session)`+subHeld,
			strs(func(op *reservation.Op) string { return op.OfferID }), strs(state), ints(at))
	case reservation.OpWaitAdd:
		run = lastPerKey(run, func(op *reservation.Op) string { return op.SessionID + "\x00" + op.Attendee })
		p.Queue(`INSERT INTO waitlist (session, attendee, seq, created_at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
			ON CONFLICT (session, attendee) DO UPDATE SET seq = EXCLUDED.seq`,
			strs(session), strs(attendee), ints(func(op *reservation.Op) int64 { return op.Seq }), ints(at))
	case reservation.OpWaitRemove:
		p.Queue(`DELETE FROM waitlist w USING unnest($1::text[], $2::text[]) AS x (session, attendee)
			WHERE w.session = x.session AND w.attendee = x.attendee`, strs(session), strs(attendee))
	case reservation.OpIdempotency:
		run = lastPerKey(run, func(op *reservation.Op) string { return op.Attendee + "\x00" + op.Key })
		hashes, bodies := make([][]byte, len(run)), make([][]byte, len(run))
		for i, op := range run {
			hashes[i], bodies[i] = op.Hash, op.Body
		}
		p.Queue(`INSERT INTO idempotency (attendee, key, hash, body, created_at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bigint[])
			ON CONFLICT (attendee, key) DO UPDATE SET hash = EXCLUDED.hash, body = EXCLUDED.body, created_at = EXCLUDED.created_at`,
			strs(attendee), strs(func(op *reservation.Op) string { return op.Key }), hashes, bodies, ints(at))
	}
}

// column is one field of every op of a run, as an array parameter.
func column[T any](run []*reservation.Op, f func(*reservation.Op) T) []T {
	out := make([]T, len(run))
	for i, op := range run {
		out[i] = f(op)
	}
	return out
}

// lastPerKey keeps, of ops with the same key, the last one (in place of
// the first, so the order of the others stays): an upsert may touch a
// row only once per statement, and sequentially the last one wins.
func lastPerKey(run []*reservation.Op, key func(*reservation.Op) string) []*reservation.Op {
	last := make(map[string]int, len(run))
	for i, op := range run {
		last[key(op)] = i
	}
	if len(last) == len(run) {
		return run
	}
	out := make([]*reservation.Op, 0, len(last))
	for i, op := range run {
		if last[key(op)] == i {
			out = append(out, op)
		}
	}
	return out
}

// queueOne queues an op of a kind that is rare in a batch.
func queueOne(p *seatPipe, op *reservation.Op) error {
	switch op.Kind {
	case reservation.OpLapseSession, reservation.OpCancelSession:
		offerState := reservation.OfferExpired
		if op.Kind == reservation.OpCancelSession {
			offerState = reservation.OfferWithdrawn
		}
		p.Queue(`WITH changed AS (UPDATE offers SET state = $1, ended_at = $2 WHERE session = $3 AND state = 'open' RETURNING session)`+subHeld,
			string(offerState), msOrNow(op.At), op.SessionID)
		p.Queue(`DELETE FROM waitlist WHERE session = $1`, op.SessionID)
	case reservation.OpCheckIn:
		at := msOrNow(op.At)
		p.Queue(`INSERT INTO checkins (session, attendee, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, op.SessionID, op.Attendee, at)
		p.Queue(`UPDATE reservations SET checked_in_at = $1 WHERE attendee = $2 AND session = $3 AND ended = 0 AND checked_in_at IS NULL`,
			at, op.Attendee, op.SessionID)
	case reservation.OpSetAutoAccept:
		p.Queue(`INSERT INTO reservation_settings (attendee, auto_accept) VALUES ($1, $2)
			ON CONFLICT (attendee) DO UPDATE SET auto_accept = EXCLUDED.auto_accept`, op.Attendee, op.Flag)
	case reservation.OpPruneIdempotency:
		p.Queue(`DELETE FROM idempotency WHERE created_at < $1`, ms(op.At))
	case reservation.OpConference:
		return errcode.New(errcode.Internal, "a conference revision must be the first op of its batch")
	default:
		return errcode.New(errcode.Internal, "unknown seat operation %d", op.Kind)
	}
	return nil
}

// queueConference queues the save of c (body encoded) as the revision
// after baseRev, its announcement (other nodes' Watch hears it at commit)
// and the seat guard's capacities and times. When baseRev is no longer
// the newest revision the guard aborts the transaction (seatErr makes it
// an errcode.Conflict).
func queueConference(p *seatPipe, c *reservation.Op, body []byte) {
	p.Queue(`WITH saved AS (INSERT INTO conference_revisions (rev, body)
			SELECT $1, $2 WHERE (SELECT COALESCE(MAX(rev), 0) FROM conference_revisions) = $3 RETURNING rev)
		SELECT seat_guard_fail('conference', '', '', '') WHERE NOT EXISTS (SELECT 1 FROM saved)`, c.Seq+1, body, c.Seq)
	p.Queue(`DELETE FROM conference_revisions WHERE rev <= $1`, c.Seq+1-keepRevisions)
	p.Queue(`SELECT pg_notify('` + notifyChannel + `', current_schema() || ':conf')`)
	queueSessions(p.parts[len(p.parts)-1], c.Conference)
}

// splitConference takes a leading OpConference off ops and encodes its
// document.
func splitConference(ops []reservation.Op) (*reservation.Op, []byte, []reservation.Op, error) {
	if len(ops) == 0 || ops[0].Kind != reservation.OpConference {
		return nil, nil, ops, nil
	}
	body, err := store.EncodeConference(ops[0].Conference)
	if err != nil {
		return nil, nil, nil, err
	}
	return &ops[0], body, ops[1:], nil
}

// queueWrite queues a whole seat commit: the conference first (its guard
// rows must exist before the counters of its new sessions move), then the
// seat ops.
func queueWrite(p *seatPipe, ops []reservation.Op) error {
	conf, body, ops, err := splitConference(ops)
	if err != nil {
		return err
	}
	if conf != nil {
		queueConference(p, conf, body)
		p.step("conference-written")
	}
	if err := queueSeatOps(p, ops); err != nil {
		return err
	}
	p.step("seats-written")
	return nil
}

// guardDetail is seat_guard_fail's detail.
type guardDetail struct {
	Rule, Session, Attendee, Other string
}

// seatErr names a failed seat commit for the engine: a tripped guard is a
// GuardError (stale: the deciding memory was behind), a conference base
// that moved is errcode.Conflict.
func seatErr(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch {
	case pgErr.ConstraintName == "conference_revisions_pkey":
		return conferenceConflict()
	case pgErr.Code != sqlSeatGuard:
		return err
	}
	var d guardDetail
	if json.Unmarshal([]byte(pgErr.Detail), &d) != nil {
		return err
	}
	if d.Rule == "conference" {
		return conferenceConflict()
	}
	return guardTripped(&GuardError{Rule: d.Rule, Session: d.Session, Attendee: d.Attendee, Other: d.Other})
}

func conferenceConflict() error {
	return errcode.New(errcode.Conflict, "the conference changed meanwhile: the revision this change was based on is no longer the newest; reload and retry")
}

// retrying runs fn until it succeeds, fails for good, or has failed
// retryably (a serialization failure, a deadlock) maxAttempts times; it
// returns fn's last error as it is.
func (s *Store) retrying(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		s.retries.Add(1)
		t := time.NewTimer(backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
