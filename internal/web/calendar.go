package web

import (
	"net/http"
	"time"

	"venuehop/internal/calfeed"
	"venuehop/internal/httpx"
)

// calendarView is /me/calendar: the attendee's feed URL to subscribe to.
type calendarView struct {
	URL, Webcal, CSRF string
	Rotated           bool
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
	v := calendarView{URL: scheme + host + calfeed.Path(secret), Webcal: "webcal://" + host + calfeed.Path(secret),
		CSRF: httpx.CSRFToken(r), Rotated: rotate}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "calendar", "layout", layoutView{
		Title: "Subscribe in your calendar", ConferenceName: snap.Conf.Name, Nav: "favorites", Main: v,
	})
}
