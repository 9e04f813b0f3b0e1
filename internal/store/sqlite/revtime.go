package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"venuehop/internal/errcode"
)

// ConferenceSavedAt is when revision rev was saved (store.RevisionTimes):
// the Last-Modified of what is built from it.
func (s *Store) ConferenceSavedAt(ctx context.Context, rev int64) (time.Time, error) {
	var at string
	err := s.read.QueryRowContext(ctx, `SELECT saved_at FROM conference_revisions WHERE rev = ?`, rev).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, errcode.New(errcode.NotFound, "no conference revision %d", rev)
	}
	if err != nil {
		return time.Time{}, dbErr(err, "reading a revision's time")
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, errcode.Wrap(errcode.Internal, err, "revision %d has a malformed saved_at %q", rev, at)
	}
	return t, nil
}
