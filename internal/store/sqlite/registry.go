package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

func (a *Accounts) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := a.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errcode.New(errcode.NotFound, "the setting %s is not set", name)
	}
	if err != nil {
		return "", dbErr(err, "reading a setting")
	}
	return v, nil
}

func (a *Accounts) PutSetting(ctx context.Context, name, value string) error {
	_, err := a.write.ExecContext(ctx,
		`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return wrapErr(err, "saving a setting")
}

func (a *Accounts) InitSetting(ctx context.Context, name, value string) (string, error) {
	var v string
	err := a.write.QueryRowContext(ctx,
		`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = settings.value RETURNING value`,
		name, value).Scan(&v)
	if err != nil {
		return "", dbErr(err, "saving a setting")
	}
	return v, nil
}

func (a *Accounts) PutRegistrations(ctx context.Context, list []account.Registration) (added, updated int, err error) {
	tx, err := a.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, dbErr(err, "importing attendees")
	}
	defer tx.Rollback()
	for _, r := range list {
		var owner string
		err := tx.QueryRowContext(ctx, `SELECT badge_id FROM attendee_registry WHERE email = ?`, r.Email).Scan(&owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// New: claimed at once by an account that has the email.
			_, err = tx.ExecContext(ctx, `INSERT INTO attendee_registry (email, name, badge_id, code, user_id, created_at, claimed_at)
				SELECT ?1, ?2, ?3, CASE WHEN u.id IS NULL THEN ?4 ELSE '' END, u.id, ?5, CASE WHEN u.id IS NULL THEN NULL ELSE ?5 END
				FROM (SELECT 1) LEFT JOIN users u ON u.email = ?1`,
				r.Email, r.Name, r.BadgeID, r.Code, fmtTime(r.CreatedAt))
			added++
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE attendee_registry SET name = ?, badge_id = ? WHERE email = ?`, r.Name, r.BadgeID, r.Email)
			updated++
		}
		if isConstraint(err) {
			return 0, 0, errcode.Wrap(errcode.Conflict, err, "the badge id %q is already another attendee's", r.BadgeID)
		}
		if err != nil {
			return 0, 0, dbErr(err, "importing attendees")
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, dbErr(err, "importing attendees")
	}
	return added, updated, nil
}

func (a *Accounts) Registrations(ctx context.Context) ([]account.Registration, error) {
	rows, err := a.read.QueryContext(ctx,
		`SELECT email, name, badge_id, code, coalesce(user_id, ''), created_at, coalesce(claimed_at, '') FROM attendee_registry ORDER BY email`)
	if err != nil {
		return nil, dbErr(err, "reading the attendee list")
	}
	defer rows.Close()
	list := []account.Registration{}
	for rows.Next() {
		var r account.Registration
		var created, claimed string
		if err := rows.Scan(&r.Email, &r.Name, &r.BadgeID, &r.Code, &r.UserID, &created, &claimed); err != nil {
			return nil, dbErr(err, "reading the attendee list")
		}
		r.CreatedAt, _ = parseTime(created)
		if claimed != "" {
			r.ClaimedAt, _ = parseTime(claimed)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "reading the attendee list")
	}
	return list, nil
}

func (a *Accounts) ClaimRegistration(ctx context.Context, code string, u account.User, passwordHash string) error {
	tx, err := a.write.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "claiming a registration")
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE attendee_registry SET code = '', claimed_at = ?
		WHERE email = ? AND code = ? AND code <> '' AND user_id IS NULL`, fmtTime(u.CreatedAt), u.Email, code)
	if err != nil {
		return dbErr(err, "claiming a registration")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errNoClaim()
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO users (id, email, name, role, password_hash, created_at)
		 SELECT ?1, ?2, CASE WHEN ?3 = '' THEN name ELSE ?3 END, ?4, ?5, ?6 FROM attendee_registry WHERE email = ?2`,
		u.ID, u.Email, u.Name, string(u.Role), passwordHash, fmtTime(u.CreatedAt)); err != nil {
		if isConstraint(err) {
			return errNoClaim()
		}
		return dbErr(err, "claiming a registration")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE attendee_registry SET user_id = ? WHERE email = ?`, u.ID, u.Email); err != nil {
		return dbErr(err, "claiming a registration")
	}
	if err := tx.Commit(); err != nil {
		return dbErr(err, "claiming a registration")
	}
	return nil
}

func errNoClaim() error {
	return errcode.New(errcode.NotFound, "no open registration with that email and code")
}

// wrapErr is dbErr for a statement whose only result is its error.
func wrapErr(err error, what string) error {
	if err != nil {
		return dbErr(err, what)
	}
	return nil
}
