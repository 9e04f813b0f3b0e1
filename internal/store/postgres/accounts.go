package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

// Accounts implements account.Store on this database.
type Accounts struct{ s *Store }

var _ account.Store = (*Accounts)(nil)

// Accounts returns the account store of this database.
func (s *Store) Accounts() account.Store { return &Accounts{s: s} }

// ts keeps millisecond precision, as the SQLite backend does, so both
// return the same instants.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func (a *Accounts) CreateUser(ctx context.Context, u account.User, passwordHash string) error {
	_, err := a.s.pool.Exec(ctx,
		`INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		u.ID, u.Email, u.Name, string(u.Role), passwordHash, ts(u.CreatedAt))
	if isUnique(err) {
		return errcode.Wrap(errcode.Conflict, err, "an account with the email %s already exists", u.Email)
	}
	if err != nil {
		return dbErr(err, "creating a user")
	}
	return nil
}

const userColumns = `id, email, name, role, created_at`

func scanUser(row pgx.Row, extra ...any) (account.User, error) {
	var u account.User
	var role string
	if err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &role, &u.CreatedAt}, extra...)...); err != nil {
		return u, err
	}
	u.Role = account.Role(role)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}

func (a *Accounts) UserByEmail(ctx context.Context, email string) (account.User, string, error) {
	var hash string
	u, err := scanUser(a.s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, email), &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, "", errcode.New(errcode.NotFound, "no account with that email")
	}
	if err != nil {
		return u, "", dbErr(err, "reading a user")
	}
	return u, hash, nil
}

func (a *Accounts) UserByID(ctx context.Context, id string) (account.User, error) {
	u, err := scanUser(a.s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, errcode.New(errcode.NotFound, "no user %q", id)
	}
	if err != nil {
		return u, dbErr(err, "reading a user")
	}
	return u, nil
}

func (a *Accounts) SetPassword(ctx context.Context, userID, passwordHash string) error {
	tag, err := a.s.pool.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, userID)
	if err != nil {
		return dbErr(err, "setting a password")
	}
	if tag.RowsAffected() == 0 {
		return errcode.New(errcode.NotFound, "no user %q", userID)
	}
	return nil
}

func (a *Accounts) CreateToken(ctx context.Context, t account.Token) error {
	_, err := a.s.pool.Exec(ctx,
		`INSERT INTO auth_tokens (hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		t.Hash[:], t.UserID, string(t.Kind), ts(t.CreatedAt), ts(t.ExpiresAt))
	if err != nil {
		return dbErr(err, "storing a token")
	}
	return nil
}

func (a *Accounts) TokenUser(ctx context.Context, hash account.TokenHash) (account.User, account.Token, error) {
	var kind string
	t := account.Token{Hash: hash}
	u, err := scanUser(a.s.pool.QueryRow(ctx,
		`SELECT u.id, u.email, u.name, u.role, u.created_at, t.kind, t.created_at, t.expires_at
		 FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, hash[:]),
		&kind, &t.CreatedAt, &t.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, account.Token{}, errcode.New(errcode.NotFound, "no such token")
	}
	if err != nil {
		return u, account.Token{}, dbErr(err, "reading a token")
	}
	t.UserID, t.Kind = u.ID, account.TokenKind(kind)
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	return u, t, nil
}

func (a *Accounts) DeleteToken(ctx context.Context, hash account.TokenHash) error {
	if _, err := a.s.pool.Exec(ctx, `DELETE FROM auth_tokens WHERE hash = $1`, hash[:]); err != nil {
		return dbErr(err, "deleting a token")
	}
	return nil
}

func (a *Accounts) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	tag, err := a.s.pool.Exec(ctx, `DELETE FROM auth_tokens WHERE expires_at <= $1`, ts(now))
	if err != nil {
		return 0, dbErr(err, "deleting expired tokens")
	}
	return tag.RowsAffected(), nil
}

func (a *Accounts) PutFavorite(ctx context.Context, f account.Favorite) error {
	_, err := a.ApplyFavoriteChanges(ctx, f.UserID, []account.FavoriteChange{{
		RepeatGroup: f.RepeatGroup, SessionID: f.SessionID, Starred: true, Priority: f.Priority, At: f.UpdatedAt,
	}}, 0)
	return err
}

// DeleteFavorite records a tombstone (sync tells the user's other devices);
// its time is now, the favourite having none.
func (a *Accounts) DeleteFavorite(ctx context.Context, userID, repeatGroup string) error {
	var sessionID string
	err := a.s.pool.QueryRow(ctx, `SELECT session_id FROM favorite_changes WHERE user_id = $1 AND repeat_group = $2`,
		userID, repeatGroup).Scan(&sessionID)
	if errors.Is(err, pgx.ErrNoRows) {
		sessionID = repeatGroup
	} else if err != nil {
		return dbErr(err, "deleting a favourite")
	}
	_, err = a.ApplyFavoriteChanges(ctx, userID, []account.FavoriteChange{{
		RepeatGroup: repeatGroup, SessionID: sessionID, At: time.Now(),
	}}, 0)
	return err
}

// ApplyFavoriteChanges holds the user's row lock from before it takes the
// first seq until it commits: the user's writes commit in seq order, so a
// device that read up to seq N never misses a later-committed lower one.
func (a *Accounts) ApplyFavoriteChanges(ctx context.Context, userID string, changes []account.FavoriteChange, limit int) ([]account.FavoriteChange, error) {
	var out []account.FavoriteChange
	err := a.s.inTx(ctx, "saving favourites", pgx.TxOptions{}, func(tx pgx.Tx) error {
		out = make([]account.FavoriteChange, 0, len(changes))
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, userID); err != nil {
			return err
		}
		for _, c := range changes {
			if !c.Starred {
				c.Priority = ""
			}
			c.At = ts(c.At)
			if err := tx.QueryRow(ctx,
				`INSERT INTO favorite_changes (user_id, repeat_group, session_id, starred, priority, at, seq)
				 VALUES ($1, $2, $3, $4, $5, $6, nextval('favorite_change_seq'))
				 ON CONFLICT (user_id, repeat_group) DO UPDATE SET session_id = EXCLUDED.session_id, starred = EXCLUDED.starred,
				   priority = EXCLUDED.priority, at = EXCLUDED.at, seq = EXCLUDED.seq
				 RETURNING seq`,
				userID, c.RepeatGroup, c.SessionID, c.Starred, string(c.Priority), c.At).Scan(&c.Seq); err != nil {
				return err
			}
			var err error
			if c.Starred {
				_, err = tx.Exec(ctx,
					`INSERT INTO favorites (user_id, repeat_group, session_id, priority, updated_at) VALUES ($1, $2, $3, $4, $5)
					 ON CONFLICT (user_id, repeat_group) DO UPDATE SET session_id = EXCLUDED.session_id,
					   priority = EXCLUDED.priority, updated_at = EXCLUDED.updated_at`,
					userID, c.RepeatGroup, c.SessionID, string(c.Priority), c.At)
			} else {
				_, err = tx.Exec(ctx, `DELETE FROM favorites WHERE user_id = $1 AND repeat_group = $2`, userID, c.RepeatGroup)
			}
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		if limit > 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM favorite_changes WHERE user_id = $1`, userID).Scan(&n); err != nil {
				return err
			}
			if n > limit {
				return account.FavoriteLimitError(limit)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (a *Accounts) FavoriteChanges(ctx context.Context, userID string, since int64) ([]account.FavoriteChange, int64, error) {
	var list []account.FavoriteChange
	var high int64
	// One snapshot: the list and the highest seq agree.
	err := a.s.inTx(ctx, "reading favourite changes", pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM favorite_changes WHERE user_id = $1`, userID).Scan(&high); err != nil {
			return err
		}
		var err error
		list, err = collect(ctx, tx,
			`SELECT repeat_group, session_id, starred, priority, at, seq FROM favorite_changes WHERE user_id = $1 AND seq > $2 ORDER BY seq`,
			[]any{userID, since},
			func(r pgx.Rows) (account.FavoriteChange, error) {
				var c account.FavoriteChange
				var prio string
				err := r.Scan(&c.RepeatGroup, &c.SessionID, &c.Starred, &prio, &c.At, &c.Seq)
				c.Priority, c.At = account.Priority(prio), c.At.UTC()
				return c, err
			})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if list == nil {
		list = []account.FavoriteChange{}
	}
	return list, high, nil
}

func (a *Accounts) Favorites(ctx context.Context, userID string) ([]account.Favorite, error) {
	list, err := collect(ctx, a.s.pool,
		`SELECT repeat_group, session_id, priority, updated_at FROM favorites WHERE user_id = $1 ORDER BY repeat_group`, []any{userID},
		func(r pgx.Rows) (account.Favorite, error) {
			f := account.Favorite{UserID: userID}
			var prio string
			err := r.Scan(&f.RepeatGroup, &f.SessionID, &prio, &f.UpdatedAt)
			f.Priority, f.UpdatedAt = account.Priority(prio), f.UpdatedAt.UTC()
			return f, err
		})
	if err != nil {
		return nil, dbErr(err, "reading favourites")
	}
	if list == nil {
		list = []account.Favorite{}
	}
	return list, nil
}

func (a *Accounts) AddBlock(ctx context.Context, b account.Block, limit int) error {
	return a.s.inTx(ctx, "adding a block", pgx.TxOptions{}, func(tx pgx.Tx) error {
		// The user's row lock serialises this user's AddBlocks (count,
		// then insert) so the limit holds exactly; NO KEY UPDATE leaves
		// the foreign-key checks of other inserts unblocked.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, b.UserID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM blocks WHERE user_id = $1`, b.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			e := errcode.New(errcode.Invalid, "you already have %d blocks, the most allowed; delete one first", limit)
			e.Unprocessable = true
			return e
		}
		_, err := tx.Exec(ctx,
			`INSERT INTO blocks (id, user_id, title, start_at, end_at, venue_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			b.ID, b.UserID, b.Title, ts(b.Start), ts(b.End), b.VenueID, ts(b.CreatedAt))
		return err
	})
}

func (a *Accounts) Blocks(ctx context.Context, userID string) ([]account.Block, error) {
	list, err := collect(ctx, a.s.pool,
		`SELECT id, title, start_at, end_at, venue_id, created_at FROM blocks WHERE user_id = $1 ORDER BY start_at, id`, []any{userID},
		func(r pgx.Rows) (account.Block, error) {
			b := account.Block{UserID: userID}
			err := r.Scan(&b.ID, &b.Title, &b.Start, &b.End, &b.VenueID, &b.CreatedAt)
			b.Start, b.End, b.CreatedAt = b.Start.UTC(), b.End.UTC(), b.CreatedAt.UTC()
			return b, err
		})
	if err != nil {
		return nil, dbErr(err, "reading blocks")
	}
	if list == nil {
		list = []account.Block{}
	}
	return list, nil
}

func (a *Accounts) DeleteBlock(ctx context.Context, userID, blockID string) error {
	tag, err := a.s.pool.Exec(ctx, `DELETE FROM blocks WHERE id = $1 AND user_id = $2`, blockID, userID)
	if err != nil {
		return dbErr(err, "deleting a block")
	}
	if tag.RowsAffected() == 0 {
		return errcode.New(errcode.NotFound, "there is no block %q", blockID)
	}
	return nil
}

// BulkAttendees stores password-less users and their tokens in one
// transaction with COPY (the load test's 60,000 attendees). An email in
// use fails the whole batch.
func (s *Store) BulkAttendees(ctx context.Context, users []account.User, tokens []account.Token) error {
	return s.inTx(ctx, "creating attendees", pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "email", "name", "role", "password_hash", "created_at"},
			pgx.CopyFromSlice(len(users), func(i int) ([]any, error) {
				u := users[i]
				return []any{u.ID, u.Email, u.Name, string(u.Role), "", ts(u.CreatedAt)}, nil
			})); err != nil {
			if isUnique(err) {
				return errcode.Wrap(errcode.Conflict, err, "an email of the batch is already in use")
			}
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"auth_tokens"}, []string{"hash", "user_id", "kind", "created_at", "expires_at"},
			pgx.CopyFromSlice(len(tokens), func(i int) ([]any, error) {
				t := tokens[i]
				return []any{t.Hash[:], t.UserID, string(t.Kind), ts(t.CreatedAt), ts(t.ExpiresAt)}, nil
			}))
		return err
	})
}
