package app

import (
	"sync/atomic"

	"venuehop/internal/agenda"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
	"venuehop/internal/store/sqlite"
)

// setupPlans builds the planning service (agenda, plans, now/next) on the
// store's plan table and starts re-planning when a session changes.
func (a *App) setupPlans() error {
	plans, ok := PlanStore(a.store)
	if !ok {
		return nil // no plan storage: the planning endpoints are off
	}
	a.plans = agenda.New(agenda.Deps{
		Live: &a.live, Clock: a.clock, Personal: a.accounts.Store(), Plans: plans,
		Seats: a.seats, Notify: a.hub, Logger: a.log,
	})
	a.plans.Start()
	a.replan.Store(a.plans)
	return nil
}

// PlanStore returns the backend's plan store (false: it keeps none).
// SQLite's Plans returns its concrete type, so it is named here; other
// backends return the interface.
func PlanStore(st store.Store) (agenda.PlanStore, bool) {
	if l, ok := st.(*lockedStore); ok {
		st = l.Store
	}
	switch s := st.(type) {
	case interface{ Plans() agenda.PlanStore }:
		return s.Plans(), true
	case *sqlite.Store:
		return s.Plans(), true
	}
	return nil, false
}

// closePlans stops re-planning; call it after the engine is closed.
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
	plans *atomic.Pointer[agenda.Service]
}

func (n changeNotifier) SessionChanged(sessionID, kind string) {
	n.Notifier.SessionChanged(sessionID, kind)
	if p := n.plans.Load(); p != nil {
		p.SessionChanged(sessionID, kind)
	}
}

// RemoteSessionChanged tells this node's pages of a change another node
// made; that node re-plans.
func (n changeNotifier) RemoteSessionChanged(sessionID, kind string) {
	n.Notifier.SessionChanged(sessionID, kind)
}

// notifier is the engine's Notifier: the hub, plus re-planning.
func (a *App) notifier() reservation.Notifier {
	return changeNotifier{Notifier: a.hub, plans: &a.replan}
}
