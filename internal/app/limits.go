package app

import (
	"crypto/subtle"
	"net/http"
	"runtime"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/fdlimit"
	"venuehop/internal/httpapi"
	"venuehop/internal/httpx"
	"venuehop/internal/ratelimit"
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

// metricsMux is the metrics listener's: /metrics (for the metrics token
// when one is set; the listener itself is meant to be private) and
// /healthz.
func (a *App) metricsMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := a.cfg.MetricsToken; tok != "" {
			got, _ := httpx.BearerToken(r)
			if subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="venuehop metrics"`)
				httpx.WriteError(w, r, a.log, errcode.New(errcode.Unauthorized, "send the metrics token: Authorization: Bearer TOKEN"))
				return
			}
		}
		a.metrics.ServeHTTP(w, r)
	}))
	return mux
}

// MetricsURL is the metrics listener's /metrics, once listening ("" when
// the metrics are on the main listener).
func (a *App) MetricsURL() string {
	if a.mln == nil {
		return ""
	}
	return "http://" + a.mln.Addr().String() + "/metrics"
}

// limitAnonymous bounds the costly reads of visitors not signed in
// (httpx.LimitAnonymous): --anonymous-rate per address, and at once no
// more than half the cores (one at least), so that reservations keep the
// rest; a refusal is held a second, on at most 64 requests an address.
func (a *App) limitAnonymous(next http.Handler) http.Handler {
	if a.cfg.AnonymousRate <= 0 {
		return next
	}
	return httpx.LimitAnonymous(next, httpx.AnonymousLimits{
		Rate:           ratelimit.PerSecond(a.cfg.AnonymousRate, a.cfg.AnonymousBurst),
		Concurrent:     max(1, runtime.GOMAXPROCS(0)/2),
		QueueWait:      250 * time.Millisecond,
		Hold:           time.Second,
		HeldPerAddress: 64,
	}, a.log, nil)
}
