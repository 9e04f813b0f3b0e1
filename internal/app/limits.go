package app

import (
	"venuehop/internal/fdlimit"
	"venuehop/internal/httpapi"
)

// setupLimits raises the open-file limit and shares the descriptors out
// (fdlimit.Split): the live event streams get a bounded part (the
// configured total, or the default for this limit), the listener accepts
// no more connections than the rest leaves room for. Sign-outs end their
// token's streams.
func (a *App) setupLimits() {
	limit, err := fdlimit.Raise()
	if err != nil {
		a.log.Warn("limits: cannot raise the open-file limit", "limit", limit, "err", err)
	}
	a.budget = fdlimit.Split(limit)
	l := httpapi.StreamLimits{
		Max:             a.budget.Streams,
		PerAttendee:     a.cfg.Streams.PerAttendee,
		PerAddress:      a.cfg.Streams.PerAddress,
		AnonymousMaxAge: a.cfg.Streams.AnonymousMaxAge,
	}
	if a.cfg.Streams.Max > 0 {
		l.Max = a.cfg.Streams.Max
	}
	a.hub.SetLimits(l)
	a.accounts.OnRevoke(a.hub.EndToken)
	a.log.Info("limits", "open_files", limit, "connections", a.budget.Conns, "streams", l.Max,
		"streams_per_attendee", l.PerAttendee, "streams_per_address", l.PerAddress)
}
