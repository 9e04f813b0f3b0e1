// Package httpapi is the JSON API. routes.go lists every route.
package httpapi

import (
	_ "embed"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"venuehop/internal/clock"
	"venuehop/internal/live"
)

// Deps are what the API needs from the app.
type Deps struct {
	Live     *live.Holder
	Clock    clock.Clock
	Logger   *slog.Logger
	Registry *prometheus.Registry
}

// API serves the JSON endpoints.
type API struct{ Deps }

// New returns the API.
func New(d Deps) *API { return &API{d} }

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

	// Anything else under /api is a JSON 404, not an HTML page.
	mux.HandleFunc("/api/", a.notFound)
}
