package web

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"venuehop/internal/calfeed"
	"venuehop/internal/httpx"
)

// calendarView is /me/calendar: the attendee's feed URL to subscribe to.
type calendarView struct {
	URL, CSRF string
	// Webcal is the feed as a webcal: link, which calendar apps open as a
	// subscription. html/template rejects the scheme in an href (it would
	// write #ZgotmplZ), so it is marked safe here, deliberately: it is our
	// own feed's address, made by calendarPage from the request's host and
	// the feed path, never from input.
	Webcal template.URL
	// Google adds the feed to Google Calendar.
	Google string
	// Favorites: the feed also lists the favourites outside the plan.
	Favorites bool
	Rotated   bool
}

func (s *Server) registerCalendar(mux *http.ServeMux) {
	mux.HandleFunc("GET /me/calendar", s.handleCalendar)
	mux.HandleFunc("POST /me/calendar/rotate", s.handleCalendarRotate)
}

func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) {
	s.calendarPage(w, r, false)
}

// handleCalendarRotate revokes the feed URL and shows the new one.
func (s *Server) handleCalendarRotate(w http.ResponseWriter, r *http.Request) {
	s.calendarPage(w, r, true)
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, rotate bool) {
	snap, u, ok := s.signedInPage(w, r, "/me/calendar")
	if !ok {
		return
	}
	secret, err := s.calendar.Secret(r.Context(), u.ID, rotate, time.Now())
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	host := r.Host
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	path := calfeed.Path(secret)
	v := calendarView{CSRF: httpx.CSRFToken(r), Rotated: rotate, Favorites: r.URL.Query().Get("favorites") == "1"}
	if v.Favorites {
		path += "?favorites=1"
	}
	v.URL = scheme + host + path
	v.Webcal = template.URL("webcal://" + host + path)
	v.Google = "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape("webcal://"+host+path)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "calendar", "layout", layoutView{
		Title: "Subscribe in your calendar", ConferenceName: snap.Conf.Name, Nav: "week", Main: v,
	})
}
