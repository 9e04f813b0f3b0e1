package postgres

// The PostgreSQL-specific pieces of this backend, in one place:
//   - error classes (SQLSTATE) and what they mean for callers: retry the
//     transaction, report unavailable, or report a conflict;
//   - the one transaction helper, which retries serialization failures
//     and deadlocks with jittered backoff, so the same code also runs on
//     PostgreSQL-compatible databases that abort more transactions
//     (CockroachDB, YugabyteDB run SERIALIZABLE and ask clients to retry);
//   - arrays ($1::text[] with unnest) for multi-row statements, where
//     SQLite builds "VALUES (?, ?), (?, ?)" strings;
//   - row locks (FOR UPDATE, FOR NO KEY UPDATE) where SQLite relies on its
//     single writer, and LOCK TABLE for the migration (migrate.go);
//   - for several nodes (log.go, the shared seat log, which SQLite does not
//     need): LISTEN/NOTIFY to wake the other nodes (a compatible database
//     without it still works: the nodes also look every 250 ms), a named
//     CHECK constraint to abort a stale commit, and
//     idle_in_transaction_session_timeout (set_config) against a frozen
//     lock holder;
//   - connection settings: jit off (postgres.go).

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"venuehop/internal/errcode"
	"venuehop/internal/store"
)

// SQLSTATE codes this backend acts on.
const (
	sqlSerializationFailure = "40001"
	sqlDeadlockDetected     = "40P01"
	sqlUniqueViolation      = "23505"
	sqlUndefinedTable       = "42P01"
)

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// retryable reports a transaction the server aborted only because of
// concurrency: running it again from the start is correct.
func retryable(err error) bool {
	switch sqlState(err) {
	case sqlSerializationFailure, sqlDeadlockDetected:
		return true
	}
	return false
}

func isUnique(err error) bool { return sqlState(err) == sqlUniqueViolation }

// unavailable reports errors that say "the database is not there right
// now" rather than "this request is wrong": connection failures, a server
// shutting down or out of connections, a timeout. Callers answer them with
// 503 and Retry-After; the pool reconnects by itself when the server is
// back.
func unavailable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	code := sqlState(err)
	switch {
	case code == "":
		// pgx reports a connection that died mid-query as a plain error
		// about the connection; treat any non-server error that the
		// pool's connection state explains the same way.
		return errors.Is(err, pgx.ErrTxClosed) || isConnClosed(err)
	case code[:2] == "08", // connection exception
		code == "57P01", code == "57P02", code == "57P03", // shutdown, crash, cannot connect now
		code[:2] == "53",                                             // insufficient resources: too many connections, disk full
		code == sqlSerializationFailure, code == sqlDeadlockDetected: // still failing after the retries
		return true
	}
	return false
}

func isConnClosed(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return false
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"conn closed", "connection reset", "broken pipe", "unexpected eof", "failed to deallocate", "conn busy"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// dbErr codes a failed database operation: coded errors pass through, an
// unreachable database is Unavailable (503, Retry-After), anything else is
// Internal.
func dbErr(err error, what string) error {
	var coded *errcode.Error
	switch {
	case errors.As(err, &coded):
		return err
	case store.NoSpace(err, what) != nil:
		return store.NoSpace(err, what)
	case unavailable(err):
		return errcode.Wrap(errcode.Unavailable, err, "%s: the database is unavailable; retry shortly", what)
	}
	return errcode.Wrap(errcode.Internal, err, "%s", what)
}

// maxAttempts bounds how often one transaction runs before its retryable
// failure is reported (as unavailable).
const maxAttempts = 8

// backoff is the pause before attempt n+1: exponential from 2 ms, capped at
// 200 ms, with full jitter so that transactions that collided once do not
// collide again in lockstep.
func backoff(n int) time.Duration {
	d := min(2*time.Millisecond<<(n-1), 200*time.Millisecond)
	return d/2 + rand.N(d/2+1)
}

// inTx runs fn in a transaction and commits it, running it again from the
// start when the server aborts it for a serialization failure or a
// deadlock. fn must not have effects outside the transaction (it may run
// several times). It is the only place that begins transactions.
func (s *Store) inTx(ctx context.Context, what string, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginTxFunc(ctx, s.pool, opts, fn)
		if err == nil {
			return nil
		}
		if !retryable(err) || attempt == maxAttempts {
			return dbErr(err, what)
		}
		s.retries.Add(1)
		t := time.NewTimer(backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return dbErr(err, what)
		case <-t.C:
		}
	}
}
