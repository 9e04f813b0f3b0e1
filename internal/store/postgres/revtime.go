package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/errcode"
)

// ConferenceSavedAt is when revision rev was saved (store.RevisionTimes):
// the Last-Modified of what is built from it, the same on every node.
func (s *Store) ConferenceSavedAt(ctx context.Context, rev int64) (time.Time, error) {
	var at time.Time
	err := s.pool.QueryRow(ctx, `SELECT saved_at FROM conference_revisions WHERE rev = $1`, rev).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, errcode.New(errcode.NotFound, "no conference revision %d", rev)
	}
	if err != nil {
		return time.Time{}, dbErr(err, "reading a revision's time")
	}
	return at, nil
}
