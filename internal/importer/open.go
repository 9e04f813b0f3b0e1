package importer

import (
	"context"
	"fmt"
	"log/slog"

	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
)

// Open prepares an import into a store no server is running on (the
// command line): it loads the stored conference, if any, and starts a
// reservation engine on the store so that a re-import's seat consequences
// go through the same code as on the server. close stops the engine.
func Open(ctx context.Context, st store.Stores, log *slog.Logger) (im *Importer, close func(), err error) {
	im = &Importer{Live: &live.Holder{}, Store: st}
	close = func() {}
	c, rev, err := st.LoadConference(ctx)
	if errcode.Is(err, errcode.NotFound) {
		return im, close, nil // a first import: nothing to compare with
	}
	if err != nil {
		return nil, nil, err
	}
	state, err := live.Build(c, rev)
	if err != nil {
		return nil, nil, fmt.Errorf("the stored conference is invalid (run venuehop check): %w", err)
	}
	im.Live.Store(state)
	eng, err := reservation.New(ctx, reservation.Config{}, reservation.Deps{Store: st.Seats, Log: st.SeatLog, Live: im.Live, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	im.Engine, im.Seats = eng, st.Seats
	return im, func() { eng.Close() }, nil
}

// OpenForCheck prepares a dry run on a store opened read-only: the stored
// conference and seats are read, no engine is started and nothing is
// written. st.Store may be nil (no store yet): the file is then checked
// as a first import.
func OpenForCheck(ctx context.Context, st store.Stores) (*Importer, error) {
	im := &Importer{Live: &live.Holder{}}
	if st.Store == nil {
		return im, nil
	}
	im.Store = st
	c, rev, err := st.LoadConference(ctx)
	if errcode.Is(err, errcode.NotFound) {
		return im, nil
	}
	if err != nil {
		return nil, err
	}
	state, err := live.Build(c, rev)
	if err != nil {
		return nil, fmt.Errorf("the stored conference is invalid (run venuehop check): %w", err)
	}
	im.Live.Store(state)
	if st.Seats != nil {
		im.Seats = st.Seats
	}
	return im, nil
}
