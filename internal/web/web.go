// Package web serves venuehop's HTML pages: the catalog, session and venue
// pages, rendered on the server from the in-memory catalog. Templates and
// static files are embedded in the binary; static URLs carry a content hash
// so they can be cached forever. Pages work without JavaScript; a little
// plain JS adds search-as-you-type on the catalog.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/calfeed"
	"venuehop/internal/catalog"
	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/importer"
	"venuehop/internal/live"
	"venuehop/internal/notify"
	"venuehop/internal/reservation"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the pages read.
type Deps struct {
	Live   *live.Holder
	Logger *slog.Logger
	// Tiles is the map's tile URL template; "" draws no tiles (offline).
	Tiles string
	// Accounts signs people in and keeps their favourites (account.go).
	Accounts *account.Service
	// Agenda plans the attendee's week (week.go); nil: no My week / Now.
	Agenda *agenda.Service
	// Importer applies organizers' uploads (admin.go); nil: no import page.
	Importer *importer.Importer
	// Calendar issues attendees' feed URLs (calendar.go); nil: no page.
	Calendar *calfeed.Service
	// Engine is the seats (seats.go); nil: no seat counts or buttons.
	Engine *reservation.Engine
	// Clock is conference time (seat bands, offers); default the system's.
	Clock clock.Clock
	// Notices are the attendee's notices (notices.go); nil: no notices
	// page and no header badge.
	Notices *notify.Service
}

// Server renders the pages.
type Server struct {
	live   *live.Holder
	log    *slog.Logger
	tiles  string
	mapCSP string // the map page's policy: tiles are images from elsewhere
	assets *assetSet
	pages  map[string]*template.Template
	// vocab caches the filter values of the current index; it is rebuilt
	// when the index is swapped.
	vocab atomic.Pointer[vocabulary]
	// gzipWriters are reused: a fresh compressor allocates about 1 MB.
	gzipWriters sync.Pool

	// accounts may be nil (no sign-in: pages show no stars).
	accounts *account.Service
	agenda   *agenda.Service // week.go
	importer *importer.Importer
	pending  pendingUploads // admin.go
	calendar *calfeed.Service
	seats    *reservation.Engine // seats.go
	notices  *notify.Service     // notices.go
	clock    clock.Clock
	// sw and manifest are the service worker and web app manifest (pwa.go).
	sw, manifest []byte
}

// pageNames are the page templates; each one is parsed with layout.html
// and parts.html.
var pageNames = []string{"catalog", "session", "venues", "map", "error", "week", "now", "shuttles", "offline"}

// New parses the templates and indexes the static files once.
func New(d Deps) (*Server, error) {
	if d.Live == nil {
		return nil, errors.New("web: Deps.Live is nil")
	}
	s := &Server{live: d.Live, log: d.Logger, tiles: d.Tiles, mapCSP: mapPolicy(d.Tiles)}
	s.accounts = d.Accounts
	s.agenda = d.Agenda
	s.importer, s.calendar = d.Importer, d.Calendar
	s.seats, s.clock = d.Engine, d.Clock
	s.notices = d.Notices
	if s.clock == nil {
		s.clock = clock.System{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	if s.assets, err = loadAssets(static); err != nil {
		return nil, err
	}
	s.assets.addIcons() // pwa.go
	if s.sw, err = buildServiceWorker(static, s.assets); err != nil {
		return nil, err
	}
	s.manifest = buildManifest(s.assets, "venuehop")
	base, err := template.New("layout.html").
		Funcs(template.FuncMap{"asset": s.assets.url, "num": thousands, "add": func(a, b int) int { return a + b }}).
		ParseFS(templateFS, "templates/layout.html", "templates/parts.html", "templates/account-parts.html", "templates/seat-parts.html", "templates/travel-parts.html")
	if err != nil {
		return nil, err
	}
	s.pages = make(map[string]*template.Template, len(pageNames))
	for _, name := range slices.Concat(pageNames, accountPageNames, adminPageNames, seatPageNames, travelPageNames, noticePageNames) {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		s.pages[name] = t
	}
	return s, nil
}

// Register adds the page routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.handleCatalog)
	mux.HandleFunc("GET /sessions/{id}", s.handleSession)
	mux.HandleFunc("GET /venues", s.handleVenues)
	mux.HandleFunc("GET /map", s.handleMap)
	mux.HandleFunc("GET /shuttles", s.handleShuttles) // shuttles.go
	mux.HandleFunc("GET /static/{path...}", s.assets.serve)
	mux.HandleFunc("GET /sw.js", s.handleServiceWorker)           // pwa.go
	mux.HandleFunc("GET /manifest.webmanifest", s.handleManifest) // pwa.go
	mux.HandleFunc("GET /offline", s.handleOffline)               // pwa.go
	if s.accounts != nil {
		s.registerAccounts(mux) // account.go
		s.registerAdmin(mux)    // admin.go: organizer pages
		if s.importer != nil {
			s.registerTravelAdmin(mux) // admintravel.go
		}
		if s.calendar != nil {
			s.registerCalendar(mux) // calendar.go
		}
		if s.notices != nil {
			s.registerNotices(mux) // notices.go
		}
	}
	if s.agenda != nil && s.accounts != nil {
		s.registerWeek(mux) // week.go
	}
	if s.seats != nil && s.accounts != nil {
		s.registerSeats(mux) // seats.go
	}
}

// index returns the current catalog index, or writes a 503 page when none is
// loaded yet.
func (s *Server) index(w http.ResponseWriter, r *http.Request) (*catalog.Index, bool) {
	st := s.live.Load()
	if st == nil {
		w.Header().Set("Retry-After", "1")
		s.renderError(w, r, "", http.StatusServiceUnavailable, "The conference is still loading. Try again in a moment.")
		return nil, false
	}
	return st.Catalog, true
}

func (s *Server) vocabulary(ix *catalog.Index) *vocabulary {
	if v := s.vocab.Load(); v != nil && v.ix == ix {
		return v
	}
	v := buildVocabulary(ix)
	s.vocab.Store(v)
	return v
}

func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	ix, ok := s.index(w, r)
	if !ok {
		return
	}
	snap := ix.Snapshot()
	raw := r.URL.Query()
	vals := catalogValues(raw)
	view := catalogView{
		Q:          raw.Get("q"),
		Sort:       vals.Get("sort"),
		Reservable: vals.Get("reservable"),
		Recorded:   vals.Get("recorded"),
	}
	status := http.StatusOK
	var facets map[string]map[string]int

	now := s.clock.Now()
	q, err := catalog.ParseQuery(vals, snap)
	var res catalog.Result
	if err == nil {
		fromNow(snap, raw, vals, now, &q, &view)
		res, err = ix.Search(q)
	}
	if err != nil {
		var ce *errcode.Error
		if !errors.As(err, &ce) || ce.Code != errcode.Invalid {
			s.serverError(w, r, err)
			return
		}
		status = http.StatusBadRequest
		view.Error = ce.Message
		view.Status = "Invalid search"
	} else {
		facets = res.Facets
		view.Total = res.Total
		view.Status = resultStatus(res.Total)
		view.Results = make([]sessionItem, len(res.Sessions))
		for i, se := range res.Sessions {
			view.Results[i] = newSessionItem(snap, se)
		}
		s.addPlanHops(r, ix, res.Sessions, view.Results)
		s.addStars(r, res.Sessions, view.Results)
		view.Flash = s.addSeatBands(w, r, snap, res.Sessions, view.Results) // seats.go
		for i, se := range res.Sessions {
			s.markClock(se, now, &view.Results[i])
		}
		if res.Next != "" {
			next := maps.Clone(vals)
			next.Set("cursor", res.Next)
			view.MoreURL = "/?" + next.Encode()
		}
		if vals.Get("cursor") != "" {
			first := maps.Clone(vals)
			first.Del("cursor")
			view.FirstPageURL = "/?" + first.Encode()
		}
	}
	view.Groups, view.ActiveFilters = facetGroups(s.vocabulary(ix), vals, facets)
	if view.Reservable != "" {
		view.ActiveFilters++
	}
	if view.Recorded != "" {
		view.ActiveFilters++
	}

	if raw.Get("partial") == "1" {
		// The fragment the page script swaps in.
		s.render(w, r, status, "catalog", "partial", view)
		return
	}
	title := "Catalog"
	if view.Q != "" {
		title = view.Q + " – Catalog"
	}
	s.render(w, r, status, "catalog", "layout", layoutView{
		Title: title, ConferenceName: snap.Conf.Name, Nav: "catalog", Main: view,
	})
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	ix, ok := s.index(w, r)
	if !ok {
		return
	}
	snap := ix.Snapshot()
	se, ok := snap.Session(r.PathValue("id"))
	if !ok {
		s.renderError(w, r, snap.Conf.Name, http.StatusNotFound, "There is no session with that id. It may have been removed from the catalog.")
		return
	}
	view := newSessionView(snap, se)
	s.addSittingsMap(snap.Sittings(se.Group()), &view)
	s.addStar(r, se, &view)
	s.addSeats(w, r, snap, se, &view) // seats.go
	now := s.clock.Now()
	s.markClock(se, now, &view.sessionItem)
	plan := s.planItems(r)
	if st := s.stateOf(ix); st != nil {
		view.Hop = planHop(st, plan, se)
		s.addWatchRooms(r, st, se, plan, now, &view) // keynote.go
	}
	s.render(w, r, http.StatusOK, "session", "layout", layoutView{
		Title: se.Title, ConferenceName: snap.Conf.Name, Main: view,
	})
}

// markClock marks a listed session by the conference clock: ended (no
// seat band), or its reservations closed (walk-up now).
func (s *Server) markClock(se *conference.Session, now time.Time, it *sessionItem) {
	if !se.Scheduled() {
		return
	}
	if !se.End.After(now) {
		it.Ended, it.Seats = true, nil // no seat to be had
		return
	}
	release := reservation.Config{}.WithDefaults().Release(se)
	if s.seats != nil {
		release = s.seats.Config().Release(se)
	}
	it.Closed = se.Reservable && !now.Before(release)
}

func (s *Server) handleVenues(w http.ResponseWriter, r *http.Request) {
	ix, ok := s.index(w, r)
	if !ok {
		return
	}
	snap := ix.Snapshot()
	s.render(w, r, http.StatusOK, "venues", "layout", layoutView{
		Title: "Venues", ConferenceName: snap.Conf.Name, Nav: "venues", Main: newVenuesView(snap),
	})
}

// serverError answers a failure that is not the visitor's: a store that
// cannot take a write just now (a full disk, a busy or unreachable
// database) is a 503 page saying so, with Retry-After, and nothing lost;
// anything else a logged 500.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if errcode.Is(err, errcode.Unavailable) {
		setRetryAfter(w, err)
		s.log.Warn("web: unavailable", "path", r.URL.Path, "err", err)
		s.renderError(w, r, "", http.StatusServiceUnavailable,
			"The server cannot save or load this right now, so nothing was changed. Please try again in a minute.")
		return
	}
	s.log.Error("web: page failed", "path", r.URL.Path, "err", err)
	s.renderError(w, r, "", http.StatusInternalServerError, "Something went wrong on our side. Please try again.")
}

// setRetryAfter sets Retry-After from a coded error that says how long to
// wait (one second for an unavailable one that does not).
func setRetryAfter(w http.ResponseWriter, err error) {
	var e *errcode.Error
	if !errors.As(err, &e) || (e.Code != errcode.Unavailable && e.Code != errcode.RateLimited) {
		return
	}
	secs := 1
	if ra, ok := e.Details.(interface{ RetryAfterSeconds() int }); ok {
		secs = ra.RetryAfterSeconds()
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, confName string, status int, message string) {
	heading := http.StatusText(status)
	if status == http.StatusNotFound {
		heading = "Page not found"
	}
	s.render(w, r, status, "error", "layout", layoutView{
		Title: heading, ConferenceName: confName,
		Main: errorView{Status: status, Heading: heading, Message: message},
	})
}

// render executes a template into memory first, so a template error becomes
// a clean 500 rather than half a page, then writes it, gzipped when the
// client accepts it.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, tmpl string, data any) {
	if lv, ok := data.(layoutView); ok {
		s.withAccount(w, r, &lv)
		data = lv
	}
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, tmpl, data); err != nil {
		s.log.Error("web: render", "page", page, "path", r.URL.Path, "err", err)
		setPageHeaders(w.Header())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	setPageHeaders(h)
	if page == "map" {
		h.Set("Content-Security-Policy", s.mapCSP)
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	body := buf.Bytes()
	if len(body) > 1024 && httpx.AcceptsGzip(r) {
		var zbuf bytes.Buffer
		zbuf.Grow(len(body) / 4)
		zw, _ := s.gzipWriters.Get().(*gzip.Writer)
		if zw == nil {
			// BestSpeed: pages are made per request; it still shrinks a
			// catalog page about fivefold.
			zw, _ = gzip.NewWriterLevel(&zbuf, gzip.BestSpeed)
		} else {
			zw.Reset(&zbuf)
		}
		zw.Write(body)
		zw.Close()
		s.gzipWriters.Put(zw)
		h.Set("Content-Encoding", "gzip")
		body = zbuf.Bytes()
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// contentSecurityPolicy allows only the app's own scripts and styles: no
// inline script or style anywhere, so injected markup cannot run.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	// Pages follow the live catalog; browsers must revalidate.
	h.Set("Cache-Control", "no-cache")
}

// thousands formats n with thousands separators: 10000 -> "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
