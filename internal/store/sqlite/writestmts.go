package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// The statements Apply runs. They are prepared once, at Open, on the
// writer: parsing SQL for every group commit cost a measurable share of the
// rush, and it ran while the write lock was held. (A statement cannot be
// prepared on the writer pool while a transaction holds its one connection:
// database/sql would wait for a free connection forever.)
const (
	sqlReserve            = `INSERT INTO reservations (attendee, session, created_at) VALUES (?, ?, ?)`
	sqlEndReservation     = `UPDATE reservations SET status = ?, ended = id, ended_at = ? WHERE attendee = ? AND session = ? AND ended = 0`
	sqlEndSessionOffers   = `UPDATE offers SET state = ?, ended_at = ? WHERE session = ? AND state = 'open'`
	sqlClearWaitlist      = `DELETE FROM waitlist WHERE session = ?`
	sqlWaitAdd            = `INSERT INTO waitlist (session, attendee, seq, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (session, attendee) DO UPDATE SET seq = excluded.seq`
	sqlWaitRemove         = `DELETE FROM waitlist WHERE session = ? AND attendee = ?`
	sqlOfferOpen          = `INSERT INTO offers (id, attendee, session, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`
	sqlOfferEnd           = `UPDATE offers SET state = ?, ended_at = ? WHERE id = ? AND state = 'open' RETURNING session`
	sqlCheckIn            = `INSERT INTO checkins (session, attendee, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	sqlCheckInReservation = `UPDATE reservations SET checked_in_at = ? WHERE attendee = ? AND session = ? AND ended = 0 AND checked_in_at IS NULL`
	sqlIdempotency        = `INSERT OR REPLACE INTO idempotency (attendee, key, hash, body, created_at) VALUES (?, ?, ?, ?, ?)`
	sqlAutoAccept         = `INSERT INTO reservation_settings (attendee, auto_accept) VALUES (?, ?) ON CONFLICT (attendee) DO UPDATE SET auto_accept = excluded.auto_accept`
	sqlPruneIdempotency   = `DELETE FROM idempotency WHERE created_at < ?`
)

var fixedWriteSQL = []string{
	sqlReserve, sqlEndReservation, sqlEndSessionOffers, sqlClearWaitlist, sqlWaitAdd, sqlWaitRemove,
	sqlOfferOpen, sqlOfferEnd, sqlCheckIn, sqlCheckInReservation, sqlIdempotency, sqlAutoAccept, sqlPruneIdempotency,
}

// chunkSizes are the row counts of the prepared multi-row statements:
// powers of two, so n rows take at most one statement per set bit of n
// (plus one per 256). 256 rows of 3 values stay far below SQLite's 32766
// variables.
var chunkSizes = []int{1, 2, 4, 8, 16, 32, 64, 128, 256}

// chunked is one multi-row statement prepared for every chunk size.
type chunked struct {
	cols  int         // values per row
	sizes []int       // ascending
	stmts []*sql.Stmt // stmts[i] takes sizes[i] rows
}

// writeStmts are the writer's prepared statements.
type writeStmts struct {
	fixed    map[string]*sql.Stmt
	reserve  chunked // reservation rows: attendee, session, created_at
	seatRows chunked // counter rows that may not exist yet: session
	seatAdd  chunked // counter changes: session, reserved, held
}

func prepareWriteStmts(ctx context.Context, db *sql.DB) (*writeStmts, error) {
	ws := &writeStmts{fixed: map[string]*sql.Stmt{}}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = db.PrepareContext(ctx, q)
		return st
	}
	for _, q := range fixedWriteSQL {
		if st := prep(q); st != nil {
			ws.fixed[q] = st
		}
	}
	multi := func(c *chunked, cols int, sql func(n int) string) {
		c.cols, c.sizes = cols, chunkSizes
		for _, n := range chunkSizes {
			if st := prep(sql(n)); st != nil {
				c.stmts = append(c.stmts, st)
			}
		}
	}
	multi(&ws.reserve, 3, func(n int) string {
		return `INSERT INTO reservations (attendee, session, created_at) VALUES (?, ?, ?)` + strings.Repeat(`, (?, ?, ?)`, n-1)
	})
	multi(&ws.seatRows, 1, func(n int) string {
		return `INSERT INTO session_seats (session) VALUES (?)` + strings.Repeat(`, (?)`, n-1) + ` ON CONFLICT (session) DO NOTHING`
	})
	// One UPDATE ... FROM for all the sessions of a commit instead of one
	// statement per session; the CHECKs still hold per row.
	multi(&ws.seatAdd, 3, func(n int) string {
		return `UPDATE session_seats SET reserved = reserved + v.column2, held = held + v.column3
			FROM (VALUES (?, ?, ?)` + strings.Repeat(`, (?, ?, ?)`, n-1) + `) AS v WHERE session_seats.session = v.column1`
	})
	if err != nil {
		ws.close()
		return nil, err
	}
	return ws, nil
}

func (ws *writeStmts) close() error {
	var errs []error
	for _, st := range ws.fixed {
		errs = append(errs, st.Close())
	}
	for _, c := range []*chunked{&ws.reserve, &ws.seatRows, &ws.seatAdd} {
		for _, st := range c.stmts {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}
