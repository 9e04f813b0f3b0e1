package app

import (
	"context"

	"venuehop/internal/webpush"
)

// setupPush loads the VAPID key pair (made and stored by the first node
// to start) and makes the Web Push sender, a.push: the notices hand it
// every notice (notify.Sender).
func (a *App) setupPush(ctx context.Context) error {
	keys, err := webpush.LoadKeys(ctx, a.store.Push, a.clock.Now())
	if err != nil {
		return err
	}
	a.push, err = webpush.New(webpush.Options{Store: a.store.Push, Keys: keys, Clock: a.clock, Contact: a.cfg.PushContact,
		Logger: a.log.With("component", "webpush")})
	return err
}

// Push is the Web Push sender (notify.Sender) and the devices'
// subscriptions.
func (a *App) Push() *webpush.Sender { return a.push }
