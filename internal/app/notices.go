package app

import (
	"venuehop/internal/notify"
)

// setupNotices makes the notices service (it stores a notice, tells the
// hub for the header badge and hands it to the senders) and the triggers
// that turn the seat engine's events into notices. It runs before the
// engine starts, so that the engine's notifier can reach them.
func (a *App) setupNotices() {
	a.notices = notify.New(notify.Deps{Store: a.store.Notices, Clock: a.clock, Listener: a.hub, Logger: a.log})
	if a.push != nil { // push.go, set up before
		a.notices.AddSender(a.push)
	}
	a.notices.Start()
	a.triggers = notify.NewTriggers(notify.TriggerDeps{Live: &a.live, Notices: a.notices, Plans: a.store.Plans,
		Seats: a.store.SeatHolders, Logger: a.log})
	a.triggers.Start()
}

// closeNotices stops the triggers and the service; call it after the
// engine is closed.
func (a *App) closeNotices() {
	if a.triggers != nil {
		a.triggers.Close()
	}
	if a.notices != nil {
		a.notices.Close()
	}
}

// Notices returns the notices service: AddSender plugs a sender (Web
// Push) in.
func (a *App) Notices() *notify.Service { return a.notices }

// NoticeTriggers returns the triggers (tests wait on them).
func (a *App) NoticeTriggers() *notify.Triggers { return a.triggers }
