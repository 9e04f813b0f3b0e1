package app

import (
	"context"

	"venuehop/internal/calfeed"
	"venuehop/internal/importer"
)

// setupImports makes the organizer's importer (it applies through the
// seat engine, so it runs after setupReservations) and the attendees'
// calendar feeds (their key lives in the data directory, outside the
// database).
func (a *App) setupImports(ctx context.Context) error {
	a.importer = &importer.Importer{Live: &a.live, Engine: a.seats, Store: a.store, Seats: a.store.Seats}
	key, err := calfeed.LoadKey(a.cfg.DataDir)
	if err != nil {
		return err
	}
	if ks := a.store.CalendarKey; ks != nil {
		// Several nodes: the first one's key is everyone's.
		if key, err = ks.SharedKey(ctx, key); err != nil {
			return err
		}
	}
	a.calendar, err = calfeed.New(a.store.Calendar, key)
	return err
}

// Importer is the organizer's importer (tests lower its size limit).
func (a *App) Importer() *importer.Importer { return a.importer }
