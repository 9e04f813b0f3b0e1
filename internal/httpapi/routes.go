// Package httpapi is the JSON API. routes.go lists every route.
package httpapi

import (
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
	"venuehop/internal/importer"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
)

// Deps are what the API needs from the app.
type Deps struct {
	Live     *live.Holder
	Clock    clock.Clock
	Logger   *slog.Logger
	Registry *prometheus.Registry
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
}

// API serves the JSON endpoints.
type API struct {
	Deps
	// reserving counts the reservation requests in flight (reservations.go):
	// many at once is a rush, when answers go without warnings.
	reserving atomic.Int64
}

// New returns the API.
func New(d Deps) *API { return &API{Deps: d} }

//go:embed openapi.json
var openAPI []byte

// Register adds every API route to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/openapi.json", a.openapi)

	mux.HandleFunc("GET /api/v1/conference", a.conference)
	mux.HandleFunc("GET /api/v1/venues", a.venues)
	mux.HandleFunc("GET /api/v1/sessions", a.sessions)
	mux.HandleFunc("GET /api/v1/sessions/{id}", a.session)
	mux.HandleFunc("GET /api/v1/travel", a.travel)
	mux.HandleFunc("GET /api/v1/venues.geojson", a.venuesGeoJSON)
	mux.HandleFunc("GET /api/v1/route.geojson", a.routeGeoJSON)

	a.registerAccounts(mux) // auth.go: sign-up/in/out, /me, favourites, blocks
	// reservations.go: seats, waitlist, offers, organizer, events
	a.registerReservations(mux)
	a.registerPlans(mux) // plan.go: agenda, plans, now/next
	// import.go, calendar.go: imports, calendar feeds
	a.registerImport(mux)

	// Anything else under /api is a JSON 404, not an HTML page.
	mux.HandleFunc("/api/", a.notFound)
}
