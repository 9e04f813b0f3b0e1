package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

func (a *Accounts) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := a.s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", errcode.New(errcode.NotFound, "the setting %s is not set", name)
	}
	if err != nil {
		return "", dbErr(err, "reading a setting")
	}
	return v, nil
}

func (a *Accounts) PutSetting(ctx context.Context, name, value string) error {
	if _, err := a.s.pool.Exec(ctx,
		`INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, name, value); err != nil {
		return dbErr(err, "saving a setting")
	}
	return nil
}

func (a *Accounts) InitSetting(ctx context.Context, name, value string) (string, error) {
	var v string
	// The no-op update makes RETURNING give the stored row on a conflict.
	err := a.s.pool.QueryRow(ctx,
		`INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = settings.value RETURNING value`,
		name, value).Scan(&v)
	if err != nil {
		return "", dbErr(err, "saving a setting")
	}
	return v, nil
}

func (a *Accounts) PutRegistrations(ctx context.Context, list []account.Registration) (added, updated int, err error) {
	err = a.s.inTx(ctx, "importing attendees", pgx.TxOptions{}, func(tx pgx.Tx) error {
		added, updated = 0, 0
		for _, r := range list {
			tag, err := tx.Exec(ctx, `UPDATE attendee_registry SET name = $2, badge_id = $3 WHERE email = $1`, r.Email, r.Name, r.BadgeID)
			if err == nil && tag.RowsAffected() == 1 {
				updated++
				continue
			}
			if err == nil {
				// New: claimed at once by an account that has the email.
				_, err = tx.Exec(ctx, `INSERT INTO attendee_registry (email, name, badge_id, code, user_id, created_at, claimed_at)
					SELECT $1, $2, $3, CASE WHEN u.id IS NULL THEN $4 ELSE '' END, u.id, $5, CASE WHEN u.id IS NULL THEN NULL ELSE $5::timestamptz END
					FROM (SELECT 1) one LEFT JOIN users u ON u.email = $1`,
					r.Email, r.Name, r.BadgeID, r.Code, ts(r.CreatedAt))
				added++
			}
			if isUnique(err) {
				return errcode.Wrap(errcode.Conflict, err, "the badge id %q is already another attendee's", r.BadgeID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return added, updated, nil
}

func (a *Accounts) Registrations(ctx context.Context) ([]account.Registration, error) {
	rows, err := a.s.pool.Query(ctx,
		`SELECT email, name, badge_id, code, coalesce(user_id, ''), created_at, claimed_at FROM attendee_registry ORDER BY email`)
	if err != nil {
		return nil, dbErr(err, "reading the attendee list")
	}
	defer rows.Close()
	list := []account.Registration{}
	for rows.Next() {
		var r account.Registration
		var claimed *time.Time
		if err := rows.Scan(&r.Email, &r.Name, &r.BadgeID, &r.Code, &r.UserID, &r.CreatedAt, &claimed); err != nil {
			return nil, dbErr(err, "reading the attendee list")
		}
		r.CreatedAt = r.CreatedAt.UTC()
		if claimed != nil {
			r.ClaimedAt = claimed.UTC()
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "reading the attendee list")
	}
	return list, nil
}

var errNoClaim = errors.New("no open registration with that email and code")

func (a *Accounts) ClaimRegistration(ctx context.Context, code string, u account.User, passwordHash string) error {
	err := a.s.inTx(ctx, "claiming a registration", pgx.TxOptions{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE attendee_registry SET code = '', claimed_at = $3
			WHERE email = $1 AND code = $2 AND code <> '' AND user_id IS NULL`, u.Email, code, ts(u.CreatedAt))
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return errNoClaim
		}
		if _, err := tx.Exec(ctx,
			`INSERT INTO users (id, email, name, role, password_hash, created_at)
			 SELECT $1, $2, CASE WHEN $3 = '' THEN name ELSE $3 END, $4, $5, $6 FROM attendee_registry WHERE email = $2`,
			u.ID, u.Email, u.Name, string(u.Role), passwordHash, ts(u.CreatedAt)); err != nil {
			if isUnique(err) {
				return errNoClaim
			}
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE attendee_registry SET user_id = $2 WHERE email = $1`, u.Email, u.ID)
		return err
	})
	if errors.Is(err, errNoClaim) {
		return errcode.New(errcode.NotFound, "%s", errNoClaim.Error())
	}
	return err
}
