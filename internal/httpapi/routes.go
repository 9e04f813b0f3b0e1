// Package httpapi is the JSON API. routes.go lists every route.
package httpapi

import (
	"crypto/subtle"
	_ "embed"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/calfeed"
	"venuehop/internal/clock"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/importer"
	"venuehop/internal/live"
	"venuehop/internal/notify"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
	"venuehop/internal/webpush"
)

// Deps are what the API needs from the app.
type Deps struct {
	Live     *live.Holder
	Clock    clock.Clock
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// MetricsToken also opens GET /metrics (besides an admin's token);
	// MetricsElsewhere means /metrics is on a listener of its own, and
	// this mux answers 404 for it.
	MetricsToken     string
	MetricsElsewhere bool
	// Accounts signs people in and keeps their favourites and blocks.
	Accounts *account.Service
	// Reservations is the seat engine (reservations.go, admin.go); Seats
	// gives Session.seats its counts; Events streams them (events.go);
	// Bulk creates load-test attendees.
	Reservations *reservation.Engine
	Seats        Seats
	Events       *Hub
	Bulk         BulkAccounts
	// Plans is the attendee's agenda, plans and now/next (plan.go).
	Plans *agenda.Service
	// Importer applies organizers' uploads (import.go); Calendar issues
	// and resolves attendees' feed URLs (calendar.go).
	Importer *importer.Importer
	Calendar *calfeed.Service
	// Revisions dates conference revisions (Last-Modified of the feeds
	// and exports, published.go); nil: the time they are first built.
	Revisions store.RevisionTimes
	// Push is Web Push: the VAPID key and the devices' subscriptions
	// (push.go); nil: no push routes.
	Push *webpush.Sender
	// Notices are the attendee's notices and preferences (notices.go);
	// nil: none kept.
	Notices *notify.Service
}

// API serves the JSON endpoints.
type API struct {
	Deps
	docs docCache // the conference feed and exports of the revision
	seen seenTags // personal feeds' ETags, for their Last-Modified
	// reserving counts the reservation requests in flight (reservations.go):
	// many at once is a rush, when answers go without warnings.
	reserving atomic.Int64
}

// New returns the API.
func New(d Deps) *API { return &API{Deps: d} }

//go:embed openapi.json
var openAPI []byte

// MetricsHandler is the Prometheus text format of the registry, for a
// listener of its own (--metrics-addr).
func (a *API) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{})
}

// metrics is GET /metrics on the public listener: for an admin's token or
// the metrics token, in the Authorization header; 401 without, 403 for
// anyone else; 404 when the metrics have a listener of their own.
func (a *API) metrics(w http.ResponseWriter, r *http.Request) {
	if a.MetricsElsewhere {
		a.notFound(w, r)
		return
	}
	if tok, ok := httpx.BearerToken(r); ok && a.MetricsToken != "" &&
		subtle.ConstantTimeCompare([]byte(tok), []byte(a.MetricsToken)) == 1 {
		a.MetricsHandler().ServeHTTP(w, r)
		return
	}
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	if u.Role != account.Admin {
		a.fail(w, r, errcode.New(errcode.Forbidden, "the metrics need the admin role or the metrics token"))
		return
	}
	a.MetricsHandler().ServeHTTP(w, r)
}

// Register adds every API route to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /metrics", a.metrics)
	mux.HandleFunc("GET /api/openapi.json", a.openapi)

	mux.HandleFunc("GET /api/v1/conference", a.conference)
	mux.HandleFunc("GET /api/v1/venues", a.venues)
	mux.HandleFunc("GET /api/v1/sessions", a.sessions)
	mux.HandleFunc("GET /api/v1/sessions/{id}", a.session)
	mux.HandleFunc("GET /api/v1/travel", a.travel)
	mux.HandleFunc("GET /api/v1/offline/travel", a.offlineTravel)
	mux.HandleFunc("GET /api/v1/venues.geojson", a.venuesGeoJSON)
	mux.HandleFunc("GET /api/v1/route.geojson", a.routeGeoJSON)
	mux.HandleFunc("GET /api/v1/offline/catalog", a.offlineCatalog) // offline.go

	a.registerAccounts(mux) // auth.go: sign-up/in/out, /me, favourites, blocks
	// reservations.go: seats, waitlist, offers, organizer, events
	a.registerReservations(mux)
	a.registerPlans(mux)   // plan.go: agenda, plans, now/next
	a.registerNotices(mux) // notices.go
	// import.go, calendar.go: imports, calendar feeds
	a.registerImport(mux)
	// admintravel.go, shuttles.go: the shuttle board, packs, timetables,
	// walk corrections
	a.registerTravel(mux)
	a.registerPush(mux) // push.go: the VAPID key, the devices' subscriptions

	// Anything else under /api is a JSON 404, not an HTML page.
	mux.HandleFunc("/api/", a.notFound)
}
