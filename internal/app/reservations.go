package app

import (
	"context"

	"venuehop/internal/httpapi"
	"venuehop/internal/reservation"
)

// setupReservations starts the seat engine on the store and the event hub
// that streams its changes.
func (a *App) setupReservations(ctx context.Context) error {
	cfg := reservation.Config{Open: a.cfg.ReservationsOpen}
	if a.cfg.Commit == "per-request" {
		cfg.MaxBatch = 1
	}
	a.hub = httpapi.NewHub(&a.live, a.clock, a.log)
	a.setupNotices() // notices.go
	eng, err := reservation.New(ctx, cfg, reservation.Deps{Store: a.store.Seats, Log: a.store.SeatLog, Live: &a.live,
		Clock: a.clock, Notify: a.notifier(), Logger: a.log})
	if err != nil {
		a.closeNotices()
		a.hub.Close()
		return err
	}
	a.seats = eng
	return nil
}

// Seats returns the reservation engine.
func (a *App) Seats() *reservation.Engine { return a.seats }

// closeReservations stops the engine (after its batch in flight) and ends
// the event streams.
func (a *App) closeReservations() {
	if a.seats != nil {
		a.seats.Close()
	}
	a.closeNotices() // notices.go: after the engine that feeds them
	if a.hub != nil {
		a.hub.Close()
	}
}
