package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/notify"
)

var _ notify.Store = (*Store)(nil)

// PutNotice stores n, replacing the attendee's notice of the same topic,
// and keeps only the attendee's newest keep notices.
func (s *Store) PutNotice(ctx context.Context, n notify.Notice, keep int) error {
	return s.inTx(ctx, "storing a notice", pgx.TxOptions{}, func(tx pgx.Tx) error {
		if n.Topic != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM notices WHERE user_id = $1 AND topic = $2`, n.AttendeeID, n.Topic); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notices (id, user_id, category, title, body, url, session_id, offer_id, topic, urgency, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			n.ID, n.AttendeeID, string(n.Category), n.Title, n.Body, n.URL, n.SessionID, n.OfferID, n.Topic, string(n.Urgency),
			ts(n.Expires), ts(n.Created)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM notices WHERE user_id = $1 AND id NOT IN
			(SELECT id FROM notices WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)`, n.AttendeeID, keep)
		return err
	})
}

// Notices lists the attendee's live notices, newest first, and the unread
// count among them.
func (s *Store) Notices(ctx context.Context, attendeeID string, now time.Time, limit int) ([]notify.Kept, int, error) {
	const what = "reading notices"
	var unread int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM notices WHERE user_id = $1 AND expires_at > $2 AND read_at IS NULL`,
		attendeeID, ts(now)).Scan(&unread); err != nil {
		return nil, 0, dbErr(err, what)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, category, title, body, url, session_id, offer_id, topic, urgency, expires_at, created_at, read_at
		FROM notices WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id DESC LIMIT $3`, attendeeID, ts(now), limit)
	if err != nil {
		return nil, 0, dbErr(err, what)
	}
	defer rows.Close()
	var out []notify.Kept
	for rows.Next() {
		k := notify.Kept{Notice: notify.Notice{AttendeeID: attendeeID}}
		var cat, urg string
		var read *time.Time
		if err := rows.Scan(&k.ID, &cat, &k.Title, &k.Body, &k.URL, &k.SessionID, &k.OfferID, &k.Topic, &urg, &k.Expires, &k.Created, &read); err != nil {
			return nil, 0, dbErr(err, what)
		}
		k.Category, k.Urgency = notify.Category(cat), notify.Urgency(urg)
		k.Expires, k.Created = k.Expires.UTC(), k.Created.UTC()
		if read != nil {
			k.ReadAt = read.UTC()
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, dbErr(err, what)
	}
	return out, unread, nil
}

// MarkNoticesRead marks the listed notices of the attendee read (all when
// ids is empty).
func (s *Store) MarkNoticesRead(ctx context.Context, attendeeID string, ids []string, at time.Time) (int, error) {
	q := `UPDATE notices SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`
	args := []any{ts(at), attendeeID}
	if len(ids) > 0 {
		q += ` AND id = ANY($3)`
		args = append(args, ids)
	}
	tag, err := s.pool.Exec(ctx, q, args...)
	if err != nil {
		return 0, dbErr(err, "marking notices read")
	}
	return int(tag.RowsAffected()), nil
}

// SweepNotices deletes the notices expired before now.
func (s *Store) SweepNotices(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM notices WHERE expires_at <= $1`, ts(now))
	if err != nil {
		return 0, dbErr(err, "sweeping notices")
	}
	return int(tag.RowsAffected()), nil
}

// NoticesOff lists the categories the attendee turned off.
func (s *Store) NoticesOff(ctx context.Context, attendeeID string) ([]notify.Category, error) {
	rows, err := s.pool.Query(ctx, `SELECT category FROM notice_prefs WHERE user_id = $1 ORDER BY category`, attendeeID)
	if err != nil {
		return nil, dbErr(err, "reading notice preferences")
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, dbErr(err, "reading notice preferences")
	}
	var out []notify.Category
	for _, c := range list {
		out = append(out, notify.Category(c))
	}
	return out, nil
}

// SetNoticesOff replaces the categories the attendee turned off.
func (s *Store) SetNoticesOff(ctx context.Context, attendeeID string, off []notify.Category) error {
	return s.inTx(ctx, "saving notice preferences", pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM notice_prefs WHERE user_id = $1`, attendeeID); err != nil {
			return err
		}
		for _, c := range off {
			if _, err := tx.Exec(ctx, `INSERT INTO notice_prefs (user_id, category) VALUES ($1, $2) ON CONFLICT DO NOTHING`, attendeeID, string(c)); err != nil {
				return err
			}
		}
		return nil
	})
}

// SeatHolders lists the attendees holding a seat for the session, or whose
// seat the session's cancellation ended.
func (s *Store) SeatHolders(ctx context.Context, sessionID string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT attendee FROM reservations
		WHERE session = $1 AND status IN ('active', 'session_cancelled') ORDER BY attendee`, sessionID)
	if err != nil {
		return nil, dbErr(err, "listing a session's seat holders")
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, dbErr(err, "listing a session's seat holders")
	}
	return list, nil
}

// CheckedIn lists the attendees scanned into the session.
func (s *Store) CheckedIn(ctx context.Context, sessionID string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT attendee FROM checkins WHERE session = $1 ORDER BY attendee`, sessionID)
	if err != nil {
		return nil, dbErr(err, "listing a session's check-ins")
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, dbErr(err, "listing a session's check-ins")
	}
	return list, nil
}
