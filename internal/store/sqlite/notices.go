package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"venuehop/internal/notify"
)

var _ notify.Store = (*Store)(nil)

// PutNotice stores n, replacing the attendee's notice of the same topic,
// and keeps only the attendee's newest keep notices.
func (s *Store) PutNotice(ctx context.Context, n notify.Notice, keep int) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "storing a notice")
	}
	defer tx.Rollback()
	if n.Topic != "" {
		if _, err := tx.ExecContext(ctx, `DELETE FROM notices WHERE user_id = ? AND topic = ?`, n.AttendeeID, n.Topic); err != nil {
			return dbErr(err, "storing a notice")
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notices (id, user_id, category, title, body, url, session_id, offer_id, topic, urgency, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.AttendeeID, string(n.Category), n.Title, n.Body, n.URL, n.SessionID, n.OfferID, n.Topic, string(n.Urgency),
		fmtTime(n.Expires), fmtTime(n.Created)); err != nil {
		return dbErr(err, "storing a notice")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM notices WHERE user_id = ? AND id NOT IN
		(SELECT id FROM notices WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)`, n.AttendeeID, n.AttendeeID, keep); err != nil {
		return dbErr(err, "storing a notice")
	}
	return dbErr2(tx.Commit(), "storing a notice")
}

func dbErr2(err error, what string) error {
	if err == nil {
		return nil
	}
	return dbErr(err, what)
}

// Notices lists the attendee's live notices, newest first, and the unread
// count among them.
func (s *Store) Notices(ctx context.Context, attendeeID string, now time.Time, limit int) ([]notify.Kept, int, error) {
	const what = "reading notices"
	var unread int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM notices WHERE user_id = ? AND expires_at > ? AND read_at IS NULL`,
		attendeeID, fmtTime(now)).Scan(&unread); err != nil {
		return nil, 0, dbErr(err, what)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, category, title, body, url, session_id, offer_id, topic, urgency, expires_at, created_at, read_at
		FROM notices WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id DESC LIMIT ?`, attendeeID, fmtTime(now), limit)
	if err != nil {
		return nil, 0, dbErr(err, what)
	}
	defer rows.Close()
	var out []notify.Kept
	for rows.Next() {
		k := notify.Kept{Notice: notify.Notice{AttendeeID: attendeeID}}
		var cat, urg, exp, created string
		var read sql.NullString
		if err := rows.Scan(&k.ID, &cat, &k.Title, &k.Body, &k.URL, &k.SessionID, &k.OfferID, &k.Topic, &urg, &exp, &created, &read); err != nil {
			return nil, 0, dbErr(err, what)
		}
		k.Category, k.Urgency = notify.Category(cat), notify.Urgency(urg)
		if k.Expires, err = parseTime(exp); err == nil {
			if k.Created, err = parseTime(created); err == nil && read.Valid {
				k.ReadAt, err = parseTime(read.String)
			}
		}
		if err != nil {
			return nil, 0, dbErr(err, what)
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
	q := `UPDATE notices SET read_at = ? WHERE user_id = ? AND read_at IS NULL`
	args := []any{fmtTime(at), attendeeID}
	if len(ids) > 0 {
		q += ` AND id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	res, err := s.write.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, dbErr(err, "marking notices read")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SweepNotices deletes the notices expired before now.
func (s *Store) SweepNotices(ctx context.Context, now time.Time) (int, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM notices WHERE expires_at <= ?`, fmtTime(now))
	if err != nil {
		return 0, dbErr(err, "sweeping notices")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// NoticesOff lists the categories the attendee turned off.
func (s *Store) NoticesOff(ctx context.Context, attendeeID string) ([]notify.Category, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT category FROM notice_prefs WHERE user_id = ? ORDER BY category`, attendeeID)
	if err != nil {
		return nil, dbErr(err, "reading notice preferences")
	}
	defer rows.Close()
	var out []notify.Category
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, dbErr(err, "reading notice preferences")
		}
		out = append(out, notify.Category(c))
	}
	return out, dbErr2(rows.Err(), "reading notice preferences")
}

// SetNoticesOff replaces the categories the attendee turned off.
func (s *Store) SetNoticesOff(ctx context.Context, attendeeID string, off []notify.Category) error {
	const what = "saving notice preferences"
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, what)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM notice_prefs WHERE user_id = ?`, attendeeID); err != nil {
		return dbErr(err, what)
	}
	for _, c := range off {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_prefs (user_id, category) VALUES (?, ?) ON CONFLICT DO NOTHING`, attendeeID, string(c)); err != nil {
			return dbErr(err, what)
		}
	}
	return dbErr2(tx.Commit(), what)
}

// SeatHolders lists the attendees holding a seat for the session, or whose
// seat the session's cancellation ended.
func (s *Store) SeatHolders(ctx context.Context, sessionID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT attendee FROM reservations
		WHERE session = ? AND status IN ('active', 'session_cancelled') ORDER BY attendee`, sessionID)
	if err != nil {
		return nil, dbErr(err, "listing a session's seat holders")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, dbErr(err, "listing a session's seat holders")
		}
		out = append(out, a)
	}
	return out, dbErr2(rows.Err(), "listing a session's seat holders")
}

// CheckedIn lists the attendees scanned into the session.
func (s *Store) CheckedIn(ctx context.Context, sessionID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT attendee FROM checkins WHERE session = ? ORDER BY attendee`, sessionID)
	if err != nil {
		return nil, dbErr(err, "listing a session's check-ins")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, dbErr(err, "listing a session's check-ins")
		}
		out = append(out, a)
	}
	return out, dbErr2(rows.Err(), "listing a session's check-ins")
}
