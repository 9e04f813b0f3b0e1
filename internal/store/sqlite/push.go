package sqlite

import (
	"context"
	"time"

	"venuehop/internal/webpush"
)

var _ webpush.Store = (*Store)(nil)

// PutPushSubscription inserts or replaces the device's subscription
// (webpush.Store); the first subscription's created_at stays.
func (s *Store) PutPushSubscription(ctx context.Context, sub webpush.Subscription) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO push_subscriptions (endpoint, attendee, p256dh, auth, categories, user_agent, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (endpoint) DO UPDATE SET attendee = excluded.attendee, p256dh = excluded.p256dh, auth = excluded.auth,
			categories = excluded.categories, user_agent = excluded.user_agent`,
		sub.Endpoint, sub.AttendeeID, sub.P256dh, sub.Auth, webpush.EncodeCategories(sub.Categories), sub.Label, fmtTime(sub.Created))
	if err != nil {
		return dbErr(err, "saving a push subscription")
	}
	return nil
}

// DeletePushSubscription deletes the attendee's subscription with the
// endpoint and reports whether there was one.
func (s *Store) DeletePushSubscription(ctx context.Context, attendeeID, endpoint string) (bool, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE attendee = ? AND endpoint = ?`, attendeeID, endpoint)
	if err != nil {
		return false, dbErr(err, "deleting a push subscription")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, dbErr(err, "deleting a push subscription")
	}
	return n > 0, nil
}

// PushSubscriptions lists the attendee's subscriptions, oldest first.
func (s *Store) PushSubscriptions(ctx context.Context, attendeeID string) ([]webpush.Subscription, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT endpoint, p256dh, auth, categories, user_agent, created_at
		FROM push_subscriptions WHERE attendee = ? ORDER BY created_at, endpoint`, attendeeID)
	if err != nil {
		return nil, dbErr(err, "reading push subscriptions")
	}
	defer rows.Close()
	out := []webpush.Subscription{}
	for rows.Next() {
		sub := webpush.Subscription{AttendeeID: attendeeID}
		var cats, created string
		if err := rows.Scan(&sub.Endpoint, &sub.P256dh, &sub.Auth, &cats, &sub.Label, &created); err != nil {
			return nil, dbErr(err, "reading push subscriptions")
		}
		sub.Categories = webpush.DecodeCategories(cats)
		if sub.Created, err = parseTime(created); err != nil {
			return nil, dbErr(err, "reading push subscriptions")
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "reading push subscriptions")
	}
	return out, nil
}

// SharedVAPIDKeys stores candidate unless a key pair is stored, and
// returns the stored pair.
func (s *Store) SharedVAPIDKeys(ctx context.Context, candidate webpush.Keys, at time.Time) (webpush.Keys, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return webpush.Keys{}, dbErr(err, "reading the VAPID keys")
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO vapid_keys (one, public_key, private_key, created_at) VALUES (1, ?, ?, ?)
		ON CONFLICT DO NOTHING`, candidate.Public, candidate.Private, fmtTime(at)); err != nil {
		return webpush.Keys{}, dbErr(err, "saving the VAPID keys")
	}
	var k webpush.Keys
	if err := tx.QueryRowContext(ctx, `SELECT public_key, private_key FROM vapid_keys`).Scan(&k.Public, &k.Private); err != nil {
		return webpush.Keys{}, dbErr(err, "reading the VAPID keys")
	}
	if err := tx.Commit(); err != nil {
		return webpush.Keys{}, dbErr(err, "saving the VAPID keys")
	}
	return k, nil
}
