package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
)

// The shared seat log (reservation.SharedLog): several nodes on one
// database decide as one sequencer would. Every ApplyAt is one entry of
// seat_log, numbered by the one-row seat_head; PostgreSQL's row lock on
// seat_head orders the commits of all nodes. Other nodes hear of a commit
// through NOTIFY on notifyChannel and read the entries they missed with
// Since.

var _ reservation.SharedLog = (*Store)(nil)

const (
	// notifyChannel carries "<schema>:<seq>" after a seat commit and
	// "<schema>:conf" after a conference save. NOTIFY is database-wide;
	// the schema prefix keeps venuehops in other schemas of the same
	// database from waking each other.
	notifyChannel = "venuehop_seats"

	// Pruning: every pruneEvery entries, ApplyAt deletes the entries that
	// are both more than keepEntries behind and older than keepFor. A node
	// further behind than that reloads (Since reports incomplete).
	pruneEvery  = 1000
	keepEntries = 10_000
	keepFor     = 10 * time.Minute

	// watchIdle is how long Watch waits for a notification before it
	// checks that its connection is still alive (a silent network
	// partition is otherwise noticed only by TCP keepalive, minutes later).
	watchIdle = 15 * time.Second
	// watchPing bounds that check.
	watchPing = 5 * time.Second
)

// StaleError is what ApplyAt returns (inside an errcode.Conflict) when the
// head it was given is no longer the newest entry: another node committed
// first. Nothing was written. It matches reservation.ErrStale.
type StaleError struct {
	Head int64 // the head the caller believed newest
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("seat log: entry %d is no longer the newest (another node committed first)", e.Head)
}

// Is makes the error match reservation.ErrStale.
func (e *StaleError) Is(target error) bool { return target == reservation.ErrStale }

func staleHead(head int64) error {
	return errcode.Wrap(errcode.Conflict, &StaleError{Head: head}, "the seats changed meanwhile (another node committed first); nothing was saved, reload and retry")
}

// isStaleHead recognises the head UPDATE's refusal (migration 0002).
func isStaleHead(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.ConstraintName == "seat_head_newest"
}

// ApplyAt writes ops as entry head+1 of the log, in one transaction and
// one round trip with Apply's statements (seatwrite.go): the head UPDATE
// comes first, then the log entry, its NOTIFY (delivered at commit) and
// the ops. The head UPDATE writes -1 instead of head+1 when the row it
// finds (after waiting for the lock another node's commit holds) is not
// head; the seat_head_newest constraint then aborts the transaction, and
// PostgreSQL skips the rest of the pipeline, so a stale batch costs one
// row-lock wait and writes nothing. The error satisfies
// reservation.IsStale. OpQuota ops are kept in the entry and written to
// no table. Empty ops still make an entry.
func (s *Store) ApplyAt(ctx context.Context, head int64, ops []reservation.Op) (int64, error) {
	body, err := encodeOps(ops)
	if err != nil {
		return 0, err
	}
	next := head + 1
	var headRows int64
	err = s.inPipeline(ctx, func(p *seatPipe) error {
		headRows = -1
		p.Queue(`UPDATE seat_head SET seq = CASE WHEN seq = $1 THEN seq + 1 ELSE -1 END`, head).
			Exec(func(ct pgconn.CommandTag) error {
				headRows = ct.RowsAffected()
				return nil
			})
		queueEntry(p, next, body)
		return queueWrite(p, ops)
	})
	switch {
	case isStaleHead(err):
		return 0, staleHead(head)
	case err != nil:
		return 0, dbErr(seatErr(err), "saving seats")
	case headRows != 1:
		return 0, errcode.New(errcode.Internal, "%s: the seat_head table has %d rows, want 1 (migration 0002)", s.where, headRows)
	}
	s.crashPoint("committed")
	return next, nil
}

// ApplyLocked is the commit that cannot be stale, for a node that just
// lost a race: in one transaction it takes seat_head's row lock (waiting
// for the commit in progress, in PostgreSQL's lock queue order, so every
// node gets its turn), reads the entries after head and the newest
// conference revision in a snapshot taken after the lock, lets decide
// turn them and the node's requests into ops, and writes those as the
// next entry. Two round trips: the lock with the read, then the writes
// with the COMMIT. With no ops nothing is written and the newest head is
// returned. decide runs again if the transaction is retried (a
// serialization failure); an error from it rolls everything back.
func (s *Store) ApplyLocked(ctx context.Context, head int64, decide func(entries []reservation.LogEntry, confRev int64, complete bool) ([]reservation.Op, error)) (int64, error) {
	var newHead int64
	err := s.retrying(ctx, func() error {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		var cur int64
		var read logRead
		b := &pgx.Batch{}
		b.Queue(`BEGIN`)
		s.queueSeatSettings(b)
		b.Queue(`SELECT seq FROM seat_head FOR UPDATE`).QueryRow(func(row pgx.Row) error { return row.Scan(&cur) })
		b.Queue(sinceSQL, head).Query(func(rows pgx.Rows) error { return read.scan(rows, s.where) })
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			endFailed(ctx, conn)
			return err
		}
		ops, err := decide(read.entries, read.confRev, read.complete(head))
		if err == nil && len(ops) == 0 {
			newHead = cur
			_, err = conn.Exec(ctx, `COMMIT`)
		} else if err == nil {
			err = s.writeLocked(ctx, conn.Conn(), cur+1, ops)
			newHead = cur + 1
		}
		if err != nil {
			endFailed(ctx, conn)
		}
		return err
	})
	if err != nil {
		return 0, dbErr(seatErr(err), "saving seats")
	}
	s.crashPoint("committed")
	return newHead, nil
}

// writeLocked writes ops as entry next and commits, under seat_head's
// lock.
func (s *Store) writeLocked(ctx context.Context, conn *pgx.Conn, next int64, ops []reservation.Op) error {
	body, err := encodeOps(ops)
	if err != nil {
		return err
	}
	p := s.newPipe()
	p.Queue(`UPDATE seat_head SET seq = $1`, next)
	queueEntry(p, next, body)
	if err := queueWrite(p, ops); err != nil {
		return err
	}
	p.Queue(`COMMIT`)
	return p.send(ctx, conn)
}

// queuer is a pgx.Batch or a seatPipe.
type queuer interface {
	Queue(sql string, args ...any) *pgx.QueuedQuery
}

// queueSeatSettings sets a seat transaction's two settings (SET LOCAL):
//
//   - idle_in_transaction_session_timeout: PostgreSQL ends the session if
//     it sits idle longer than logIdle while holding seat_head's lock — a
//     node frozen mid-commit (a paused VM, a stopped process) would
//     otherwise stop every node's commits until its TCP connection died.
//     Nothing of it is committed; that node reloads when it wakes.
//   - plan_cache_mode = force_custom_plan: the seat tables start empty
//     and grow by the hundred thousand in a rush, and PostgreSQL keeps a
//     prepared statement's generic plan once it has one; a plan made on
//     the empty reservations table (a scan of every active reservation)
//     cost the overlap check of every later commit 8 ms. A custom plan is
//     made with the tables' real sizes and the batch's real arrays; the
//     statements are written to plan in microseconds.
func (s *Store) queueSeatSettings(b queuer) {
	b.Queue(`SELECT set_config('idle_in_transaction_session_timeout', $1, true), set_config('plan_cache_mode', 'force_custom_plan', true)`,
		strconv.FormatInt(s.logIdle.Milliseconds(), 10))
}

// queueEntry writes log entry seq, announces it (NOTIFY is delivered at
// commit) and now and then prunes old entries.
func queueEntry(b queuer, seq int64, body []byte) {
	b.Queue(`INSERT INTO seat_log (seq, ops) VALUES ($1, $2)`, seq, body)
	b.Queue(`SELECT pg_notify('`+notifyChannel+`', current_schema() || ':' || $1::bigint::text)`, seq)
	if seq%pruneEvery == 0 {
		queuePrune(b, seq-keepEntries, keepFor)
	}
}

func queuePrune(b queuer, upTo int64, olderThan time.Duration) {
	b.Queue(`DELETE FROM seat_log WHERE seq <= $1 AND committed_at < now() - $2::bigint * interval '1 millisecond'`,
		upTo, olderThan.Milliseconds())
}

// pruneLog deletes the entries numbered up to upTo that were committed
// more than olderThan ago, as ApplyAt does now and then (for tests).
func (s *Store) pruneLog(ctx context.Context, upTo int64, olderThan time.Duration) error {
	return s.inTx(ctx, "pruning the seat log", pgx.TxOptions{}, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		queuePrune(b, upTo, olderThan)
		return tx.SendBatch(ctx, b).Close()
	})
}

// LoadSeatsAt is LoadSeats plus the head the rows include, read in the
// same REPEATABLE READ snapshot.
func (s *Store) LoadSeatsAt(ctx context.Context, since time.Time) (*reservation.Stored, int64, error) {
	return s.loadSeats(ctx, since, true)
}

// Since returns the entries after head in order, the newest conference
// revision (0 when none) and whether the entries are complete: false when
// some were pruned, or when head is beyond the database's head (a
// restored backup), so the caller must reload. It is one statement, hence
// one snapshot and one round trip.
func (s *Store) Since(ctx context.Context, head int64) ([]reservation.LogEntry, int64, bool, error) {
	return s.since(ctx, s.pool, head)
}

func (s *Store) since(ctx context.Context, db interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, head int64) ([]reservation.LogEntry, int64, bool, error) {
	rows, err := db.Query(ctx, sinceSQL, head)
	if err != nil {
		return nil, 0, false, dbErr(err, "reading the seat log")
	}
	var read logRead
	if err := read.scan(rows, s.where); err != nil {
		return nil, 0, false, err
	}
	return read.entries, read.confRev, read.complete(head), nil
}

// sinceSQL reads the head, the newest conference revision and the
// entries after $1. Scalar subqueries and a LATERAL range scan: the plan
// stays an index scan from head on, whatever the (often missing)
// statistics say.
const sinceSQL = `SELECT (SELECT seq FROM seat_head), (SELECT COALESCE(MAX(rev), 0) FROM conference_revisions), l.seq, l.ops
	FROM (VALUES (1)) AS one (x)
	LEFT JOIN LATERAL (SELECT seq, ops FROM seat_log WHERE seq > $1 ORDER BY seq) l ON true
	ORDER BY l.seq`

// logRead is what sinceSQL returned.
type logRead struct {
	entries         []reservation.LogEntry
	newest, confRev int64
}

func (r *logRead) scan(rows pgx.Rows, where string) error {
	defer rows.Close()
	for rows.Next() {
		var seq *int64
		var body []byte
		if err := rows.Scan(&r.newest, &r.confRev, &seq, &body); err != nil {
			return dbErr(err, "reading the seat log")
		}
		if seq == nil {
			continue // no entry after head: the LEFT JOIN's one row
		}
		ops, err := decodeOps(body)
		if err != nil {
			return errcode.Wrap(errcode.Internal, err, "%s: seat log entry %d does not decode", where, *seq)
		}
		r.entries = append(r.entries, reservation.LogEntry{Seq: *seq, Ops: ops})
	}
	if err := rows.Err(); err != nil {
		return dbErr(err, "reading the seat log")
	}
	return nil
}

// complete reports whether the entries are all those after head:
// entries are numbered without gaps and pruned from the oldest, so the
// count tells whether the first ones are missing (or head is beyond the
// database's, a restored backup).
func (r *logRead) complete(head int64) bool {
	return head <= r.newest && int64(len(r.entries)) == r.newest-head
}

// Watch calls wake after every seat commit or conference save of this
// schema (any node's, this one's included) until ctx ends, and returns
// then. wake hears the new log entry's number, or 0 when it is not known
// (a conference save, a new connection). It listens on a connection of its own, outside the pool. It also
// calls wake once each time it starts listening (commits made before may
// not have been seen) and when the connection fails (something may be
// missed while it reconnects, with backoff from 100 ms to 2 s). It logs
// nothing.
func (s *Store) Watch(ctx context.Context, wake func(seq int64)) {
	s.watch(ctx, wake, watchIdle, nil)
}

// watch is Watch with the idle time before a liveness check; listening,
// when not nil, hears the backend process id of each new listening
// connection (for tests).
func (s *Store) watch(ctx context.Context, wake func(seq int64), idle time.Duration, listening func(pid uint32)) {
	const first, most = 100 * time.Millisecond, 2 * time.Second
	delay := first
	for {
		conn, schema, err := s.listen(ctx)
		if err == nil {
			delay = first
			if listening != nil {
				listening(conn.PgConn().PID())
			}
			wake(0)
			// relay ends only when the connection does (or ctx): why
			// does not matter, the loop reconnects either way.
			_ = relay(ctx, conn, schema+":", wake, idle)
			closeQuietly(conn)
			if ctx.Err() != nil {
				return
			}
			wake(0)
		}
		if ctx.Err() != nil {
			return
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, most)
	}
}

// listen opens a connection configured like the pool's and listens on
// notifyChannel; it returns the connection's schema too.
func (s *Store) listen(ctx context.Context) (*pgx.Conn, string, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, "", err
	}
	var schema *string
	if _, err = conn.Exec(ctx, `LISTEN `+notifyChannel); err == nil {
		err = conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema)
	}
	if err != nil {
		closeQuietly(conn)
		return nil, "", err
	}
	if schema == nil {
		// No schema to write to, so no commit to hear of; Open refuses
		// such a search_path anyway.
		return conn, "", nil
	}
	return conn, *schema, nil
}

// relay calls wake for each notification whose payload starts with prefix
// until the connection fails or ctx ends. After idle without one it pings
// the server.
func relay(ctx context.Context, conn *pgx.Conn, prefix string, wake func(seq int64), idle time.Duration) error {
	for {
		wait, cancel := context.WithTimeout(ctx, idle)
		n, err := conn.WaitForNotification(wait)
		quiet := wait.Err() != nil && ctx.Err() == nil
		cancel()
		if n != nil && strings.HasPrefix(n.Payload, prefix) {
			seq, _ := strconv.ParseInt(n.Payload[len(prefix):], 10, 64) // "conf": 0
			wake(seq)
		}
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case quiet && !conn.IsClosed():
			// Nothing heard for a while: is the server still there?
			ping, cancel := context.WithTimeout(ctx, watchPing)
			err = conn.Ping(ping)
			cancel()
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

func closeQuietly(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn.Close(ctx)
}
