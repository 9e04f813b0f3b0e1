// Package app wires venuehop together: config -> store -> snapshot ->
// HTTP surfaces. It holds no business logic.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/calfeed"
	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/demo"
	"venuehop/internal/errcode"
	"venuehop/internal/fdlimit"
	"venuehop/internal/httpapi"
	"venuehop/internal/httpx"
	"venuehop/internal/importer"
	"venuehop/internal/live"
	"venuehop/internal/notify"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
	"venuehop/internal/store/postgres"
	"venuehop/internal/web"
	"venuehop/internal/webpush"
)

// App is one running venuehop node.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	clock   clock.Clock
	store   store.Stores
	live    live.Holder
	handler http.Handler
	// DemoLoaded is true when this start put the demo into an empty store.
	DemoLoaded bool
	// DemoAccounts are the demo's sign-ins (accounts.go), for serve to print.
	DemoAccounts []DemoAccount
	accounts     *account.Service
	seats        *reservation.Engine // reservations.go
	hub          *httpapi.Hub
	plans        *agenda.Service // plans.go
	// replan is plans, for the engine's notifier started before it.
	replan   atomic.Pointer[agenda.Service]
	notices  *notify.Service  // notices.go
	triggers *notify.Triggers // the engine's events as notices
	// stopLeave ends the "leave now" reminders (plans.go).
	stopLeave func()

	importer *importer.Importer // imports.go
	calendar *calfeed.Service
	push     *webpush.Sender // push.go: Web Push to the attendees' devices

	budget  fdlimit.Budget // limits.go
	metrics http.Handler   // served on cfg.MetricsAddr, when set
	ln      net.Listener
	srv     *http.Server
	mln     net.Listener // the metrics listener
}

// OpenStore opens the backend the configuration selects, for writing, and
// returns all its stores. An SQLite store is opened as its one writer: the
// data directory's lock is taken first and held until Close, and a store
// another process holds is refused at once (storeopen.go). PostgreSQL
// takes no lock: several nodes share it by design.
func OpenStore(ctx context.Context, cfg config.Config) (store.Stores, error) {
	if cfg.DB != "" {
		st, err := postgres.Open(ctx, cfg.DB)
		if err != nil {
			return store.Stores{}, err
		}
		return st.Stores(), nil
	}
	return openLocked(ctx, cfg.DataDir)
}

// Clock returns the clock the configuration asks for.
func Clock(cfg config.Config) clock.Clock {
	if !cfg.Now.IsZero() {
		return clock.Fixed(cfg.Now)
	}
	return clock.System{}
}

// New opens the store, loads the conference (the demo into an empty store
// when cfg.Demo) and builds the HTTP handler. It does not listen yet.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, errcode.Wrap(errcode.Invalid, err, "%s", err.Error())
	}
	a := &App{cfg: cfg, log: log, clock: Clock(cfg)}
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.store = st
	if cfg.DB != "" {
		// On PostgreSQL the data directory still keeps this node's files
		// (the calendar feed key, the demo sign-ins); SQLite made it.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			st.Close()
			return nil, errcode.Wrap(errcode.Unavailable, err, "cannot create data directory %s", cfg.DataDir)
		}
	}
	if err := a.loadConference(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := a.setupAccounts(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := a.setupPush(ctx); err != nil { // push.go
		st.Close()
		return nil, err
	}
	if err := a.setupReservations(ctx); err != nil {
		st.Close()
		return nil, err
	}
	a.setupLimits() // limits.go
	if err := a.setupPlans(); err != nil {
		a.closeReservations()
		st.Close()
		return nil, err
	}
	if err := a.setupImports(ctx); err != nil { // imports.go
		a.closeReservations()
		st.Close()
		return nil, err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "venuehop_seat_batches_redecided_total",
			Help: "Seat batches decided again because another node committed first."},
			func() float64 { return float64(a.seats.StaleRetries()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "venuehop_seat_log_replayed_total",
			Help: "Other nodes' committed seat batches this node replayed."},
			func() float64 { return float64(a.seats.Replayed()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "venuehop_seat_batches_total",
			Help: "Seat batches decided and committed (group commits, ticks included)."},
			func() float64 { return float64(a.seats.Stats().Batches) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "venuehop_seat_batch_requests_total",
			Help: "Requests decided in those batches."},
			func() float64 { return float64(a.seats.Stats().Requests) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "venuehop_seat_busy_seconds_total",
			Help: "Time the seat sequencer spent on batches."},
			func() float64 { return a.seats.Stats().Busy.Seconds() }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "venuehop_seat_store_seconds_total",
			Help: "Of that, time waiting for the store (commits, seat log reads)."},
			func() float64 { return a.seats.Stats().Store.Seconds() }))
	mux := http.NewServeMux()
	api := httpapi.New(httpapi.Deps{Live: &a.live, Clock: a.clock, Logger: log, Registry: reg, Accounts: a.accounts,
		Reservations: a.seats, Seats: a.seats, Events: a.hub, Bulk: a.store.Bulk, Plans: a.plans,
		Importer: a.importer, Calendar: a.calendar, Revisions: a.store.Revisions, Push: a.push, Notices: a.notices,
		MetricsToken: cfg.MetricsToken, MetricsElsewhere: cfg.MetricsAddr != ""})
	api.Register(mux)
	a.metrics = api.MetricsHandler() // limits.go: its own listener, when asked
	pages, err := web.New(web.Deps{Live: &a.live, Logger: log, Tiles: cfg.Tiles, Accounts: a.accounts, Agenda: a.plans,
		Importer: a.importer, Calendar: a.calendar, Engine: a.seats, Clock: a.clock, Notices: a.notices})
	if err != nil {
		st.Close()
		return nil, err
	}
	pages.Register(mux)
	a.handler = securityHeaders(httpx.Observe(httpx.Authenticate(a.limitAnonymous(mux), a.accounts, log), log, httpx.NewMetrics(reg)))
	return a, nil
}

func (a *App) loadConference(ctx context.Context) error {
	c, rev, err := a.store.LoadConference(ctx)
	if errcode.Is(err, errcode.NotFound) {
		if !a.cfg.Demo {
			where := a.cfg.DataDir
			if a.cfg.DB != "" {
				where = postgres.Redact(a.cfg.DB)
			}
			return errcode.New(errcode.NotFound, "the store in %s holds no conference; import one (venuehop import FILE) or start with --demo", where)
		}
		c, err = demo.Generate(demo.Options{Seed: a.cfg.DemoSeed, Start: a.cfg.DemoStart, Now: a.clock.Now()})
		if err != nil {
			return fmt.Errorf("generating the demo: %w", err)
		}
		rev, err = a.store.SaveConference(ctx, c, 0)
		switch {
		case errcode.Is(err, errcode.Conflict):
			// Another node on the same database stored one first: use it.
			if c, rev, err = a.store.LoadConference(ctx); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			a.DemoLoaded = true
		}
	} else if err != nil {
		return err
	}
	st, err := live.Build(c, rev)
	if err != nil {
		return fmt.Errorf("the stored conference is invalid (run venuehop check): %w", err)
	}
	a.live.Store(st)
	return nil
}

// Handler is the whole HTTP surface, for tests that bring their own server.
func (a *App) Handler() http.Handler { return a.handler }

// Snapshot returns the current conference snapshot.
func (a *App) Snapshot() *conference.Snapshot { return a.live.Load().Snap }

// Listen binds the configured address (":0" picks a free port).
func (a *App) Listen() error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return errcode.Wrap(errcode.Unavailable, err, "cannot listen on %s: %v", a.cfg.Addr, err)
	}
	a.ln = fdlimit.Listener(ln, a.budget.Conns)
	if a.cfg.MetricsAddr != "" {
		if a.mln, err = net.Listen("tcp", a.cfg.MetricsAddr); err != nil {
			ln.Close()
			return errcode.Wrap(errcode.Unavailable, err, "cannot listen on %s for the metrics: %v", a.cfg.MetricsAddr, err)
		}
	}
	return nil
}

// URL is the address to open in a browser, once listening.
func (a *App) URL() string {
	addr := a.ln.Addr().(*net.TCPAddr)
	host := "localhost"
	if !addr.IP.IsUnspecified() && !addr.IP.IsLoopback() {
		host = addr.IP.String()
	}
	return fmt.Sprintf("http://%s:%d/", host, addr.Port)
}

// Serve answers requests until ctx is cancelled, then shuts down gracefully.
func (a *App) Serve(ctx context.Context) error {
	if a.ln == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	a.srv = &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	go func() { errc <- a.srv.Serve(a.ln) }()
	if a.mln != nil {
		msrv := &http.Server{Handler: a.metricsMux(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: a.srv.ErrorLog}
		go func() { errc <- msrv.Serve(a.mln) }()
		defer msrv.Close()
	}
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return a.srv.Shutdown(shutdown)
	}
}

// Close releases the store.
func (a *App) Close() error {
	if a.stopLeave != nil { // it sends notices: first
		a.stopLeave()
		a.stopLeave = nil
	}
	a.closeReservations()
	a.closePlans()
	return a.store.Close()
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
