package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/webpush"
)

var _ webpush.Store = (*Store)(nil)

// PutPushSubscription inserts or replaces the device's subscription
// (webpush.Store); the first subscription's created_at stays.
func (s *Store) PutPushSubscription(ctx context.Context, sub webpush.Subscription) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO push_subscriptions (endpoint, attendee, p256dh, auth, categories, user_agent, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (endpoint) DO UPDATE SET attendee = EXCLUDED.attendee, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
			categories = EXCLUDED.categories, user_agent = EXCLUDED.user_agent`,
		sub.Endpoint, sub.AttendeeID, sub.P256dh, sub.Auth, webpush.EncodeCategories(sub.Categories), sub.Label, ts(sub.Created))
	if err != nil {
		return dbErr(err, "saving a push subscription")
	}
	return nil
}

// DeletePushSubscription deletes the attendee's subscription with the
// endpoint and reports whether there was one.
func (s *Store) DeletePushSubscription(ctx context.Context, attendeeID, endpoint string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM push_subscriptions WHERE attendee = $1 AND endpoint = $2`, attendeeID, endpoint)
	if err != nil {
		return false, dbErr(err, "deleting a push subscription")
	}
	return tag.RowsAffected() > 0, nil
}

// PushSubscriptions lists the attendee's subscriptions, oldest first.
func (s *Store) PushSubscriptions(ctx context.Context, attendeeID string) ([]webpush.Subscription, error) {
	out, err := collect(ctx, s.pool, `SELECT endpoint, p256dh, auth, categories, user_agent, created_at
		FROM push_subscriptions WHERE attendee = $1 ORDER BY created_at, endpoint`, []any{attendeeID},
		func(r pgx.Rows) (webpush.Subscription, error) {
			sub := webpush.Subscription{AttendeeID: attendeeID}
			var cats string
			err := r.Scan(&sub.Endpoint, &sub.P256dh, &sub.Auth, &cats, &sub.Label, &sub.Created)
			sub.Categories = webpush.DecodeCategories(cats)
			sub.Created = sub.Created.UTC()
			return sub, err
		})
	if err != nil {
		return nil, dbErr(err, "reading push subscriptions")
	}
	if out == nil {
		out = []webpush.Subscription{}
	}
	return out, nil
}

// SharedVAPIDKeys stores candidate unless a key pair is stored already,
// and returns the stored pair: two nodes starting at once both read the
// one that was stored first.
func (s *Store) SharedVAPIDKeys(ctx context.Context, candidate webpush.Keys, at time.Time) (webpush.Keys, error) {
	var k webpush.Keys
	err := s.inTx(ctx, "reading the VAPID keys", pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO vapid_keys (one, public_key, private_key, created_at) VALUES (true, $1, $2, $3)
			ON CONFLICT DO NOTHING`, candidate.Public, candidate.Private, ts(at)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT public_key, private_key FROM vapid_keys`).Scan(&k.Public, &k.Private)
	})
	if err != nil {
		return webpush.Keys{}, err
	}
	return k, nil
}
