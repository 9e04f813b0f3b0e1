package app

import (
	"context"

	"venuehop/internal/calfeed"
	"venuehop/internal/errcode"
	"venuehop/internal/importer"
	"venuehop/internal/reservation"
)

// setupImports makes the organizer's importer (it applies through the
// seat engine, so it runs after setupReservations) and the attendees'
// calendar feeds (their key lives in the data directory, outside the
// database).
func (a *App) setupImports(ctx context.Context) error {
	a.importer = &importer.Importer{Live: &a.live, Engine: a.seats, Store: a.store}
	if seats, ok := a.store.(reservation.Store); ok {
		a.importer.Seats = seats
	}
	feeds, ok := a.store.(calfeed.Store)
	if !ok {
		return errcode.New(errcode.Unavailable, "this storage backend keeps no calendar feeds")
	}
	key, err := calfeed.LoadKey(a.cfg.DataDir)
	if err != nil {
		return err
	}
	if ks, ok := a.store.(calfeed.KeyStore); ok {
		// Several nodes: the first one's key is everyone's.
		if key, err = ks.SharedKey(ctx, key); err != nil {
			return err
		}
	}
	a.calendar, err = calfeed.New(feeds, key)
	return err
}

// Importer is the organizer's importer (tests lower its size limit).
func (a *App) Importer() *importer.Importer { return a.importer }
