package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/errcode"
)

// Tables are venuehop's tables in an order that respects foreign keys
// (parents first), for copying and counting.
var Tables = []string{
	"conference_revisions", "users", "auth_tokens", "favorites", "favorite_changes", "blocks",
	"reservations", "session_seats", "seat_attendees", "waitlist", "offers", "checkins",
	"idempotency", "reservation_settings", "plans", "plan_sessions", "plan_locks", "calendar_feeds",
	"settings", "attendee_registry", "push_subscriptions", "vapid_keys", "notices", "notice_prefs",
}

// Load fills an empty schema in one transaction: fill copies the rows in
// (venuehop migrate copies the SQLite store), then Load derives what only
// this backend keeps — the seat guard's capacities and times from the
// newest conference revision, the attendee lock rows — and moves the
// identity sequences past the copied ids. A schema holding any row is
// refused (errcode.Conflict) and nothing is written; so is a fill error.
func (s *Store) Load(ctx context.Context, fill func(ctx context.Context, tx pgx.Tx) error) error {
	return s.inTx(ctx, "loading the database", pgx.TxOptions{}, func(tx pgx.Tx) error {
		for _, t := range Tables {
			// The lock keeps a node that starts meanwhile from writing
			// into the half-filled schema; it waits for the commit.
			if _, err := tx.Exec(ctx, `LOCK TABLE `+t+` IN EXCLUSIVE MODE`); err != nil {
				return err
			}
			var hasRows bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&hasRows); err != nil {
				return err
			}
			if hasRows {
				return errcode.New(errcode.Conflict, "%s is not empty (table %s has rows); migrate only into an empty schema", s.where, t)
			}
		}
		// The seat log stays empty and its head at 0: the loaded rows are
		// the state at entry 0. A head that moved means nodes already
		// commit here (their memory would not include the load).
		var head int64
		if _, err := tx.Exec(ctx, `LOCK TABLE seat_head, seat_log IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT (SELECT seq FROM seat_head) + (SELECT count(*) FROM seat_log)`).Scan(&head); err != nil {
			return err
		}
		if head != 0 {
			return errcode.New(errcode.Conflict, "%s is not empty (nodes have committed seats there); stop them and migrate only into an empty schema", s.where)
		}
		if err := fill(ctx, tx); err != nil {
			return err
		}
		var body []byte
		var rev int64
		err := tx.QueryRow(ctx, `SELECT rev, body FROM conference_revisions ORDER BY rev DESC LIMIT 1`).Scan(&rev, &body)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			c, err := decodeConference(rev, body)
			if err != nil {
				return err
			}
			b := &pgx.Batch{}
			queueSessions(b, c)
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("writing session capacities: %w", err)
			}
		}
		for _, q := range []string{
			`INSERT INTO seat_attendees (attendee) SELECT DISTINCT attendee FROM reservations ON CONFLICT DO NOTHING`,
			`SELECT setval(pg_get_serial_sequence('reservations', 'id'), COALESCE((SELECT MAX(id) FROM reservations), 0) + 1, false)`,
			`SELECT setval(pg_get_serial_sequence('plans', 'seq'), COALESCE((SELECT MAX(seq) FROM plans), 0) + 1, false)`,
			`SELECT setval('favorite_change_seq', COALESCE((SELECT MAX(seq) FROM favorite_changes), 0) + 1, false)`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
}

// Counts returns the number of rows of each of Tables, read in one
// snapshot, plus the seat counter sums ("seats.reserved", "seats.held").
func (s *Store) Counts(ctx context.Context) (map[string]int64, error) {
	var out map[string]int64
	err := s.inTx(ctx, "counting rows", pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		out, err = CountRows(ctx, tx)
		return err
	})
	return out, err
}

// CountRows is Counts inside a transaction (Load's fill compares before
// it commits).
func CountRows(ctx context.Context, tx pgx.Tx) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range Tables {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	var r, h int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(reserved), 0), COALESCE(SUM(held), 0) FROM session_seats`).Scan(&r, &h); err != nil {
		return nil, err
	}
	out["seats.reserved"], out["seats.held"] = r, h
	return out, nil
}
