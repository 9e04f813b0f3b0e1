package app

import (
	"context"
	"sync/atomic"

	"venuehop/internal/agenda"
	"venuehop/internal/notify"
	"venuehop/internal/reservation"
)

// setupPlans builds the planning service (agenda, plans, now/next) on the
// store's plan table and starts re-planning when a session changes.
func (a *App) setupPlans() error {
	a.plans = agenda.New(agenda.Deps{
		Live: &a.live, Clock: a.clock, Personal: a.accounts.Store(), Plans: a.store.Plans,
		Seats: a.seats, Notify: a.hub, Logger: a.log,
	})
	a.plans.Start()
	a.replan.Store(a.plans)
	// "Leave now" notices from the accepted plans (notify/leave.go).
	leave := notify.NewLeaveReminders(&a.live, a.store.Plans, a.plans, a.notices, a.log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); leave.Run(ctx, a.clock.Now) }()
	a.stopLeave = func() { cancel(); <-done }
	return nil
}

// closePlans stops re-planning; call it after the engine is closed (and
// the leave reminders before it: Close).
func (a *App) closePlans() {
	if a.plans != nil {
		a.plans.Close()
	}
}

// Plans returns the planning service.
func (a *App) Plans() *agenda.Service { return a.plans }

// changeNotifier passes the engine's events to the hub and also tells the
// planning service about session changes, once it exists (the engine is
// started before it).
type changeNotifier struct {
	reservation.Notifier
	plans   *atomic.Pointer[agenda.Service]
	notices *notify.Triggers
}

// OfferMade tells the attendee's pages and makes the offer notice; neither
// blocks the sequencer.
func (n changeNotifier) OfferMade(o reservation.Offer) {
	n.Notifier.OfferMade(o)
	n.notices.OfferMade(o)
}

func (n changeNotifier) SessionChanged(sessionID string, kind reservation.ChangeKind) {
	n.Notifier.SessionChanged(sessionID, kind)
	n.notices.SessionChanged(sessionID, kind)
	if p := n.plans.Load(); p != nil {
		p.SessionChanged(sessionID, kind)
	}
}

// RemoteSessionChanged tells this node's pages of a change another node
// made; that node re-plans and makes the notices.
func (n changeNotifier) RemoteSessionChanged(sessionID string, kind reservation.ChangeKind) {
	n.Notifier.SessionChanged(sessionID, kind)
}

// notifier is the engine's Notifier: the hub, plus re-planning and the
// notices.
func (a *App) notifier() reservation.Notifier {
	return changeNotifier{Notifier: a.hub, plans: &a.replan, notices: a.triggers}
}
