package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/account"
	"venuehop/internal/calfeed"
	"venuehop/internal/errcode"
)

var _ calfeed.Store = (*Store)(nil)

// CalendarFeed returns the user's feed generation and secret hash.
func (s *Store) CalendarFeed(ctx context.Context, userID string) (int64, account.TokenHash, bool, error) {
	var gen int64
	var hash []byte
	var h account.TokenHash
	err := s.pool.QueryRow(ctx, `SELECT gen, hash FROM calendar_feeds WHERE user_id = $1`, userID).Scan(&gen, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, h, false, nil
	}
	if err != nil {
		return 0, h, false, dbErr(err, "reading a calendar feed")
	}
	copy(h[:], hash)
	return gen, h, true, nil
}

// SetCalendarFeed creates or replaces the user's feed: the old hash stops
// matching at once.
func (s *Store) SetCalendarFeed(ctx context.Context, userID string, gen int64, hash account.TokenHash, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO calendar_feeds (user_id, gen, hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET gen = EXCLUDED.gen, hash = EXCLUDED.hash, created_at = EXCLUDED.created_at`,
		userID, gen, hash[:], ts(at))
	if err != nil {
		return dbErr(err, "saving a calendar feed")
	}
	return nil
}

// CalendarFeedUser returns the user whose feed secret has the hash.
func (s *Store) CalendarFeedUser(ctx context.Context, hash account.TokenHash) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT user_id FROM calendar_feeds WHERE hash = $1`, hash[:]).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", errcode.New(errcode.NotFound, "no such calendar feed")
	}
	if err != nil {
		return "", dbErr(err, "reading a calendar feed")
	}
	return id, nil
}

var _ calfeed.KeyStore = (*Store)(nil)

// SharedKey stores candidate as the calendar feed key unless one is
// stored already, and returns the stored key: every node signs feed URLs
// alike.
func (s *Store) SharedKey(ctx context.Context, candidate []byte) ([]byte, error) {
	var key []byte
	err := s.inTx(ctx, "reading the calendar feed key", pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO calendar_key (key) VALUES ($1) ON CONFLICT DO NOTHING`, candidate); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT key FROM calendar_key`).Scan(&key)
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}
