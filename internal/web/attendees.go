package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
)

// maxListBytes bounds an uploaded attendee list (200,000 lines fit).
const maxListBytes = 16 << 20

// The attendees page: who may sign up (open, or registered attendees
// only), the attendee list with its one-time codes for printing or
// sending, its import (CSV) and export.
func (s *Server) registerAttendees(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/attendees", s.handleAttendees)
	mux.HandleFunc("GET /admin/attendees.csv", s.handleAttendeesCSV)
	mux.HandleFunc("POST /admin/attendees"+httpx.UploadSuffix, s.handleAttendeesUpload)
	mux.HandleFunc("POST /admin/signup-mode", s.handleSignupMode)
}

type attendeesView struct {
	CSRF       string
	Registered bool
	List       []account.Registration
	Claimed    int
	Notice     string
	Error      string
}

func (s *Server) renderAttendees(w http.ResponseWriter, r *http.Request, status int, v attendeesView) {
	mode, err := s.accounts.SignupMode(r.Context())
	if err == nil {
		v.List, err = s.accounts.Registrations(r.Context())
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Registered = mode == account.RegisteredOnly
	for _, reg := range v.List {
		if reg.UserID != "" {
			v.Claimed++
		}
	}
	v.CSRF = httpx.CSRFToken(r)
	name := ""
	if st := s.live.Load(); st != nil {
		name = st.Snap.Conf.Name
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "attendees", "layout", layoutView{Title: "Attendees and sign-up", ConferenceName: name, Nav: "admin", Main: v})
}

func (s *Server) handleAttendees(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.organizer(w, r, "/admin/attendees"); !ok {
		return
	}
	s.renderAttendees(w, r, http.StatusOK, attendeesView{Notice: noticeOf(r.URL.Query().Get("notice"))})
}

// noticeOf keeps the page's own notices only: the query cannot make the
// page say anything else.
func noticeOf(key string) string {
	return map[string]string{
		"open":       "Sign-up is open: anyone can create an attendee account.",
		"registered": "Sign-up is for registered attendees only: each claims their account once, with their code.",
	}[key]
}

func (s *Server) handleSignupMode(w http.ResponseWriter, r *http.Request) {
	u, ok := s.organizer(w, r, "/admin/attendees")
	if !ok {
		return
	}
	mode, err := account.ParseSignupMode(r.PostFormValue("mode"))
	if err == nil {
		err = s.accounts.SetSignupMode(r.Context(), mode)
	}
	if err != nil {
		s.attendeesFailed(w, r, err)
		return
	}
	s.log.Info("organizer: sign-up mode", "by", u.ID, "mode", mode)
	http.Redirect(w, r, "/admin/attendees?notice="+string(mode), http.StatusSeeOther)
}

func (s *Server) handleAttendeesUpload(w http.ResponseWriter, r *http.Request) {
	u, ok := s.organizer(w, r, "/admin/attendees")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxListBytes+64<<10)
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		msg := "Choose a CSV file of attendees (email, name, badge id) to import."
		status := http.StatusUnprocessableEntity
		if errors.As(err, &mbe) {
			w.Header().Set("Connection", "close")
			msg, status = "The file is larger than 16 MB. Nothing was changed.", http.StatusRequestEntityTooLarge
		}
		s.renderAttendees(w, r, status, attendeesView{Error: msg})
		return
	}
	defer f.Close()
	rep, err := s.accounts.ImportRegistrations(r.Context(), io.LimitReader(f, maxListBytes))
	if err != nil {
		s.attendeesFailed(w, r, err)
		return
	}
	s.log.Info("organizer: attendee list imported", "by", u.ID, "added", rep.Added, "updated", rep.Updated)
	s.renderAttendees(w, r, http.StatusOK, attendeesView{Notice: plural(rep.Added, "attendee") + " added, " + plural(rep.Updated, "attendee") + " updated. New attendees have their codes below."})
}

// attendeesFailed shows a coded error on the page (a 5xx on the error page).
func (s *Server) attendeesFailed(w http.ResponseWriter, r *http.Request, err error) {
	var ce *errcode.Error
	if !errors.As(err, &ce) || ce.Code == errcode.Internal || ce.Code == errcode.Unavailable {
		s.serverError(w, r, err)
		return
	}
	s.renderAttendees(w, r, httpx.Status(err), attendeesView{Error: strings.ToUpper(ce.Message[:1]) + ce.Message[1:] + ". Nothing was changed."})
}

func (s *Server) handleAttendeesCSV(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.organizer(w, r, "/admin/attendees"); !ok {
		return
	}
	list, err := s.accounts.Registrations(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := account.WriteRegistrationsCSV(&buf, list); err != nil {
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="attendees.csv"`)
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return thousands(n) + " " + word + "s"
}
