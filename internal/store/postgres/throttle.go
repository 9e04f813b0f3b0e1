package postgres

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/account"
)

// Throttle keeps the sign-in throttle's counters (account.ThrottleStore)
// in the signin_throttle table (migration 0003), so every node on the
// database counts the same failures. The policy stays in account; this
// only counts, atomically. Keys hold emails: they are never logged nor put
// in error messages.
type Throttle struct {
	s         *Store
	lastPrune atomic.Int64 // Unix ms of this value's latest prune
}

var (
	_ account.ThrottleStore  = (*Throttle)(nil)
	_ account.ThrottleStorer = (*Accounts)(nil) // NewService finds the counters here
)

// pruneThrottleEvery is how often (by the failures' clock) one node
// deletes the rows that are past their forget time and unlocked.
const pruneThrottleEvery = time.Minute

// ThrottleStore returns the sign-in throttle's counters on this database
// (account.ThrottleStorer: the account service finds them here).
func (a *Accounts) ThrottleStore() account.ThrottleStore { return &Throttle{s: a.s} }

// Entries returns the entries of those keys that have one.
func (t *Throttle) Entries(ctx context.Context, keys ...string) (map[string]account.ThrottleEntry, error) {
	raw := make([][]byte, len(keys))
	for i, k := range keys {
		raw[i] = []byte(k)
	}
	rows, err := t.s.pool.Query(ctx,
		`SELECT key, failures, last_ms, locked_ms FROM signin_throttle WHERE key = ANY($1::bytea[])`, raw)
	if err != nil {
		return nil, dbErr(err, "reading the sign-in throttle")
	}
	defer rows.Close()
	out := make(map[string]account.ThrottleEntry, len(keys))
	for rows.Next() {
		var (
			key            []byte
			n              int
			lastMs, lockMs int64
		)
		if err := rows.Scan(&key, &n, &lastMs, &lockMs); err != nil {
			return nil, dbErr(err, "reading the sign-in throttle")
		}
		out[string(key)] = throttleEntry(n, lastMs, lockMs)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "reading the sign-in throttle")
	}
	return out, nil
}

func throttleEntry(n int, lastMs, lockMs int64) account.ThrottleEntry {
	e := account.ThrottleEntry{Failures: n, Last: time.UnixMilli(lastMs).UTC()}
	if lockMs > 0 {
		e.Locked = time.UnixMilli(lockMs).UTC()
	}
	return e
}

// Fail counts one failure of key in one transaction. The upsert counts
// (starting over after forget) and takes the row's lock; the lock time is
// then computed in Go by the policy's lock and written under that row
// lock, so concurrent failures from any number of nodes queue on the row
// and each sees the count of the one before. Times are milliseconds.
func (t *Throttle) Fail(ctx context.Context, key string, now time.Time, forget time.Duration, lock func(int) time.Duration) (account.ThrottleEntry, error) {
	nowMs := now.UnixMilli()
	var e account.ThrottleEntry
	err := t.s.inTx(ctx, "recording a failed sign-in", pgx.TxOptions{}, func(tx pgx.Tx) error {
		var (
			n              int
			lastMs, lockMs int64
		)
		err := tx.QueryRow(ctx, `
			INSERT INTO signin_throttle AS t (key, failures, last_ms, locked_ms) VALUES ($1, 1, $2, 0)
			ON CONFLICT (key) DO UPDATE SET
				failures  = CASE WHEN $2 - t.last_ms > $3 THEN 1 ELSE t.failures + 1 END,
				locked_ms = CASE WHEN $2 - t.last_ms > $3 THEN 0 ELSE t.locked_ms END,
				last_ms   = GREATEST(t.last_ms, $2)
			RETURNING failures, last_ms, locked_ms`,
			[]byte(key), nowMs, forget.Milliseconds()).Scan(&n, &lastMs, &lockMs)
		if err != nil {
			return err
		}
		if d := lock(n); d > 0 {
			lockMs = nowMs + d.Milliseconds()
			if _, err := tx.Exec(ctx, `UPDATE signin_throttle SET locked_ms = $2 WHERE key = $1`, []byte(key), lockMs); err != nil {
				return err
			}
		}
		e = throttleEntry(n, lastMs, lockMs)
		return nil
	})
	if err != nil {
		return account.ThrottleEntry{}, err
	}
	t.maybePrune(ctx, nowMs, forget)
	return e, nil
}

// maybePrune deletes, at most every pruneThrottleEvery on this node, the
// rows whose last failure is older than forget and whose lock is over:
// the throttle would start them over anyway. It is housekeeping: an error
// is dropped (the next prune tries again), the failure being already
// counted.
func (t *Throttle) maybePrune(ctx context.Context, nowMs int64, forget time.Duration) {
	last := t.lastPrune.Load()
	if nowMs-last < pruneThrottleEvery.Milliseconds() || !t.lastPrune.CompareAndSwap(last, nowMs) {
		return
	}
	_, _ = t.s.pool.Exec(ctx, `DELETE FROM signin_throttle WHERE last_ms < $1 AND locked_ms <= $2`,
		nowMs-forget.Milliseconds(), nowMs)
}

// Forget drops key's entry; a missing one is not an error.
func (t *Throttle) Forget(ctx context.Context, key string) error {
	if _, err := t.s.pool.Exec(ctx, `DELETE FROM signin_throttle WHERE key = $1`, []byte(key)); err != nil {
		return dbErr(err, "clearing the sign-in throttle")
	}
	return nil
}
