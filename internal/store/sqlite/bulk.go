package sqlite

import (
	"context"

	"venuehop/internal/account"
)

// BulkAttendees stores password-less users and their tokens in one
// transaction: one fsync for thousands of accounts, which is what lets the
// load test prepare 60,000 attendees in seconds. An email in use fails the
// whole batch.
func (s *Store) BulkAttendees(ctx context.Context, users []account.User, tokens []account.Token) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "creating attendees")
	}
	defer tx.Rollback()
	insUser, err := tx.PrepareContext(ctx, `INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, '', ?)`)
	if err != nil {
		return dbErr(err, "creating attendees")
	}
	defer insUser.Close()
	insToken, err := tx.PrepareContext(ctx, `INSERT INTO auth_tokens (hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return dbErr(err, "creating attendees")
	}
	defer insToken.Close()
	for _, u := range users {
		if _, err := insUser.ExecContext(ctx, u.ID, u.Email, u.Name, string(u.Role), fmtTime(u.CreatedAt)); err != nil {
			return dbErr(err, "creating attendees")
		}
	}
	for _, t := range tokens {
		if _, err := insToken.ExecContext(ctx, t.Hash[:], t.UserID, string(t.Kind), fmtTime(t.CreatedAt), fmtTime(t.ExpiresAt)); err != nil {
			return dbErr(err, "creating attendees")
		}
	}
	if err := tx.Commit(); err != nil {
		return dbErr(err, "creating attendees")
	}
	return nil
}
