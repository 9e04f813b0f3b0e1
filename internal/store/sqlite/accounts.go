package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

// Accounts implements account.Store on this database.
type Accounts struct {
	read, write *sql.DB
	tokenUser   *sql.Stmt // tokenUserSQL, prepared by Open
}

var _ account.Store = (*Accounts)(nil)

// Accounts returns the account store of this database.
func (s *Store) Accounts() account.Store {
	return &Accounts{read: s.read, write: s.write, tokenUser: s.tokenUser}
}

const tokenUserSQL = `SELECT u.id, u.email, u.name, u.role, u.created_at, t.kind, t.created_at, t.expires_at
	FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`

// timeLayout keeps stored times fixed-width UTC, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// isConstraint reports a UNIQUE/PRIMARY KEY violation.
func isConstraint(err error) bool { return primaryCode(err) == sqlite3.SQLITE_CONSTRAINT }

func (a *Accounts) CreateUser(ctx context.Context, u account.User, passwordHash string) error {
	_, err := a.write.ExecContext(ctx,
		`INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, string(u.Role), passwordHash, fmtTime(u.CreatedAt))
	if isConstraint(err) {
		return errcode.Wrap(errcode.Conflict, err, "an account with the email %s already exists", u.Email)
	}
	if err != nil {
		return dbErr(err, "creating a user")
	}
	return nil
}

const userColumns = `id, email, name, role, created_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (account.User, error) {
	var u account.User
	var role, created string
	if err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &role, &created}, extra...)...); err != nil {
		return u, err
	}
	u.Role = account.Role(role)
	u.CreatedAt, _ = parseTime(created)
	return u, nil
}

func (a *Accounts) UserByEmail(ctx context.Context, email string) (account.User, string, error) {
	var hash string
	u, err := scanUser(a.read.QueryRowContext(ctx,
		`SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", errcode.New(errcode.NotFound, "no account with that email")
	}
	if err != nil {
		return u, "", dbErr(err, "reading a user")
	}
	return u, hash, nil
}

func (a *Accounts) UserByID(ctx context.Context, id string) (account.User, error) {
	u, err := scanUser(a.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errcode.New(errcode.NotFound, "no user %q", id)
	}
	if err != nil {
		return u, dbErr(err, "reading a user")
	}
	return u, nil
}

func (a *Accounts) SetPassword(ctx context.Context, userID, passwordHash string) error {
	res, err := a.write.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
	if err != nil {
		return dbErr(err, "setting a password")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errcode.New(errcode.NotFound, "no user %q", userID)
	}
	return nil
}

func (a *Accounts) CreateToken(ctx context.Context, t account.Token) error {
	_, err := a.write.ExecContext(ctx,
		`INSERT INTO auth_tokens (hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.Hash[:], t.UserID, string(t.Kind), fmtTime(t.CreatedAt), fmtTime(t.ExpiresAt))
	if err != nil {
		return dbErr(err, "storing a token")
	}
	return nil
}

func (a *Accounts) TokenUser(ctx context.Context, hash account.TokenHash) (account.User, account.Token, error) {
	var kind, created, expires string
	u, err := scanUser(a.tokenUser.QueryRowContext(ctx, hash[:]),
		&kind, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return u, account.Token{}, errcode.New(errcode.NotFound, "no such token")
	}
	if err != nil {
		return u, account.Token{}, dbErr(err, "reading a token")
	}
	t := account.Token{Hash: hash, UserID: u.ID, Kind: account.TokenKind(kind)}
	t.CreatedAt, _ = parseTime(created)
	if t.ExpiresAt, err = parseTime(expires); err != nil {
		return u, t, errcode.Wrap(errcode.Internal, err, "a stored token has a bad expiry")
	}
	return u, t, nil
}

func (a *Accounts) DeleteToken(ctx context.Context, hash account.TokenHash) error {
	if _, err := a.write.ExecContext(ctx, `DELETE FROM auth_tokens WHERE hash = ?`, hash[:]); err != nil {
		return dbErr(err, "deleting a token")
	}
	return nil
}

func (a *Accounts) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	res, err := a.write.ExecContext(ctx, `DELETE FROM auth_tokens WHERE expires_at <= ?`, fmtTime(now))
	if err != nil {
		return 0, dbErr(err, "deleting expired tokens")
	}
	n, _ := res.RowsAffected()
	return n, nil
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
	err := a.read.QueryRowContext(ctx, `SELECT session_id FROM favorite_changes WHERE user_id = ? AND repeat_group = ?`,
		userID, repeatGroup).Scan(&sessionID)
	if errors.Is(err, sql.ErrNoRows) {
		sessionID = repeatGroup
	} else if err != nil {
		return dbErr(err, "deleting a favourite")
	}
	_, err = a.ApplyFavoriteChanges(ctx, userID, []account.FavoriteChange{{
		RepeatGroup: repeatGroup, SessionID: sessionID, At: time.Now(),
	}}, 0)
	return err
}

// ApplyFavoriteChanges writes in one IMMEDIATE transaction: the store's
// only writer, so seq = max + 1 is taken and committed in order.
func (a *Accounts) ApplyFavoriteChanges(ctx context.Context, userID string, changes []account.FavoriteChange, limit int) ([]account.FavoriteChange, error) {
	tx, err := a.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, dbErr(err, "saving favourites")
	}
	defer tx.Rollback()
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM favorite_changes`).Scan(&seq); err != nil {
		return nil, dbErr(err, "saving favourites")
	}
	out := make([]account.FavoriteChange, 0, len(changes))
	for _, c := range changes {
		seq++
		c.Seq = seq
		starred := 0
		if c.Starred {
			starred = 1
		} else {
			c.Priority = ""
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO favorite_changes (user_id, repeat_group, session_id, starred, priority, at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (user_id, repeat_group) DO UPDATE SET session_id = excluded.session_id, starred = excluded.starred,
			   priority = excluded.priority, at = excluded.at, seq = excluded.seq`,
			userID, c.RepeatGroup, c.SessionID, starred, string(c.Priority), fmtTime(c.At), c.Seq); err != nil {
			return nil, dbErr(err, "saving favourites")
		}
		if c.Starred {
			_, err = tx.ExecContext(ctx,
				`INSERT INTO favorites (user_id, repeat_group, session_id, priority, updated_at) VALUES (?, ?, ?, ?, ?)
				 ON CONFLICT (user_id, repeat_group) DO UPDATE SET session_id = excluded.session_id,
				   priority = excluded.priority, updated_at = excluded.updated_at`,
				userID, c.RepeatGroup, c.SessionID, string(c.Priority), fmtTime(c.At))
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM favorites WHERE user_id = ? AND repeat_group = ?`, userID, c.RepeatGroup)
		}
		if err != nil {
			return nil, dbErr(err, "saving favourites")
		}
		c.At, _ = parseTime(fmtTime(c.At))
		out = append(out, c)
	}
	if limit > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM favorite_changes WHERE user_id = ?`, userID).Scan(&n); err != nil {
			return nil, dbErr(err, "saving favourites")
		}
		if n > limit {
			return nil, account.FavoriteLimitError(limit)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, dbErr(err, "saving favourites")
	}
	return out, nil
}

func (a *Accounts) FavoriteChanges(ctx context.Context, userID string, since int64) ([]account.FavoriteChange, int64, error) {
	// One read transaction: the list and the highest seq agree.
	tx, err := a.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, dbErr(err, "reading favourite changes")
	}
	defer tx.Rollback()
	var high int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM favorite_changes WHERE user_id = ?`, userID).Scan(&high); err != nil {
		return nil, 0, dbErr(err, "reading favourite changes")
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT repeat_group, session_id, starred, priority, at, seq FROM favorite_changes WHERE user_id = ? AND seq > ? ORDER BY seq`, userID, since)
	if err != nil {
		return nil, 0, dbErr(err, "reading favourite changes")
	}
	defer rows.Close()
	list := []account.FavoriteChange{}
	for rows.Next() {
		var c account.FavoriteChange
		var starred int
		var prio, at string
		if err := rows.Scan(&c.RepeatGroup, &c.SessionID, &starred, &prio, &at, &c.Seq); err != nil {
			return nil, 0, dbErr(err, "reading favourite changes")
		}
		c.Starred, c.Priority = starred == 1, account.Priority(prio)
		c.At, _ = parseTime(at)
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, dbErr(err, "reading favourite changes")
	}
	return list, high, nil
}

func (a *Accounts) Favorites(ctx context.Context, userID string) ([]account.Favorite, error) {
	rows, err := a.read.QueryContext(ctx,
		`SELECT repeat_group, session_id, priority, updated_at FROM favorites WHERE user_id = ? ORDER BY repeat_group`, userID)
	if err != nil {
		return nil, dbErr(err, "reading favourites")
	}
	defer rows.Close()
	list := []account.Favorite{}
	for rows.Next() {
		f := account.Favorite{UserID: userID}
		var prio, updated string
		if err := rows.Scan(&f.RepeatGroup, &f.SessionID, &prio, &updated); err != nil {
			return nil, dbErr(err, "reading favourites")
		}
		f.Priority = account.Priority(prio)
		f.UpdatedAt, _ = parseTime(updated)
		list = append(list, f)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "reading favourites")
	}
	return list, nil
}

func (a *Accounts) AddBlock(ctx context.Context, b account.Block, limit int) error {
	// One IMMEDIATE transaction: count and insert cannot interleave with
	// another request of the same user, so the limit holds exactly.
	tx, err := a.write.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "adding a block")
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM blocks WHERE user_id = ?`, b.UserID).Scan(&n); err != nil {
		return dbErr(err, "adding a block")
	}
	if n >= limit {
		e := errcode.New(errcode.Invalid, "you already have %d blocks, the most allowed; delete one first", limit)
		e.Unprocessable = true
		return e
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO blocks (id, user_id, title, start_at, end_at, venue_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.UserID, b.Title, fmtTime(b.Start), fmtTime(b.End), b.VenueID, fmtTime(b.CreatedAt)); err != nil {
		return dbErr(err, "adding a block")
	}
	if err := tx.Commit(); err != nil {
		return dbErr(err, "adding a block")
	}
	return nil
}

func (a *Accounts) Blocks(ctx context.Context, userID string) ([]account.Block, error) {
	rows, err := a.read.QueryContext(ctx,
		`SELECT id, title, start_at, end_at, venue_id, created_at FROM blocks WHERE user_id = ? ORDER BY start_at, id`, userID)
	if err != nil {
		return nil, dbErr(err, "reading blocks")
	}
	defer rows.Close()
	list := []account.Block{}
	for rows.Next() {
		b := account.Block{UserID: userID}
		var start, end, created string
		if err := rows.Scan(&b.ID, &b.Title, &start, &end, &b.VenueID, &created); err != nil {
			return nil, dbErr(err, "reading blocks")
		}
		b.Start, _ = parseTime(start)
		b.End, _ = parseTime(end)
		b.CreatedAt, _ = parseTime(created)
		list = append(list, b)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "reading blocks")
	}
	return list, nil
}

func (a *Accounts) DeleteBlock(ctx context.Context, userID, blockID string) error {
	res, err := a.write.ExecContext(ctx, `DELETE FROM blocks WHERE id = ? AND user_id = ?`, blockID, userID)
	if err != nil {
		return dbErr(err, "deleting a block")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errcode.New(errcode.NotFound, "there is no block %q", blockID)
	}
	return nil
}
