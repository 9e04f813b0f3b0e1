package web

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/httpx"
	"venuehop/internal/importer"
)

// adminPageNames are the organizer pages and the attendee's calendar page
// (calendar.go), parsed like pageNames.
var adminPageNames = []string{"admin", "import", "calendar", "attendees"}

// The import page's flow, without JavaScript: the organizer uploads a file
// (multipart, POST /admin/import/upload); the server checks it as a dry
// run, shows the report, and keeps the file in memory under a random
// one-time token bound to that organizer; "Apply" (POST
// /admin/import/apply with the token) imports exactly that file, and only
// if the conference is still at the revision the report was made against.
// Files are kept pendingTTL at most, and pendingMax of them.
const (
	pendingTTL = 15 * time.Minute
	pendingMax = 4
)

type pendingUpload struct {
	user    string
	data    []byte
	opt     importer.Options
	expires time.Time
}

// pendingUploads are the checked files waiting for "Apply".
type pendingUploads struct {
	mu sync.Mutex
	m  map[string]*pendingUpload
}

func (p *pendingUploads) put(u *pendingUpload, now time.Time) string {
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]*pendingUpload{}
	}
	for k, v := range p.m {
		if now.After(v.expires) || v.user == u.user {
			delete(p.m, k) // expired, or the same organizer's previous check
		}
	}
	for len(p.m) >= pendingMax {
		oldest := ""
		for k, v := range p.m {
			if oldest == "" || v.expires.Before(p.m[oldest].expires) {
				oldest = k
			}
		}
		delete(p.m, oldest)
	}
	p.m[token] = u
	return token
}

// take removes and returns the upload under token if it belongs to user
// and has not expired.
func (p *pendingUploads) take(token, user string, now time.Time) (*pendingUpload, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.m[token]
	if !ok || u.user != user {
		return nil, false
	}
	delete(p.m, token)
	return u, now.Before(u.expires)
}

func (s *Server) registerAdmin(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin", s.handleAdmin)
	mux.HandleFunc("GET /admin/import", s.handleImportForm)
	mux.HandleFunc("POST /admin/import"+httpx.UploadSuffix, s.handleImportUpload)
	mux.HandleFunc("POST /admin/import/apply", s.handleImportApply)
	s.registerAttendees(mux) // attendees.go
}

// organizer returns the signed-in organizer or admin; anyone else is sent
// to sign in or gets a 403 page.
func (s *Server) organizer(w http.ResponseWriter, r *http.Request, back string) (*account.User, bool) {
	u, ok := s.signedIn(w, r, back)
	if !ok {
		return nil, false
	}
	if !u.Role.CanOrganize() {
		name := ""
		if st := s.live.Load(); st != nil {
			name = st.Snap.Conf.Name
		}
		s.renderError(w, r, name, http.StatusForbidden, "This page is for organizers. Sign in with an organizer account.")
		return nil, false
	}
	return u, true
}

type adminView struct {
	Sessions, Venues, Rooms int
	Rev                     int64
	Days                    []string
}

func (s *Server) handleAdmin(w http.ResponseWriter, r *http.Request) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return
	}
	if _, ok := s.organizer(w, r, "/admin"); !ok {
		return
	}
	c := snap.Conf
	s.render(w, r, http.StatusOK, "admin", "layout", layoutView{Title: "Organizer", ConferenceName: c.Name, Nav: "admin",
		Main: adminView{Sessions: len(c.Sessions), Venues: len(c.Venues), Rooms: len(c.Rooms), Rev: snap.Rev, Days: c.Days}})
}

// importView is the import page: the form, and a report when a file was
// checked or applied.
type importView struct {
	CSRF     string
	Limit    string
	Format   string
	TimeZone string
	DST      string
	Zones    []string
	Formats  []string
	Rev      int64

	Report *importer.Summary
	// Token is the one-time token of the checked file ("" when it cannot
	// be applied: errors, or already applied).
	Token   string
	Expires string
	// Error is a problem with the request itself (too large, conflict).
	Error string
}

// suggestedZones are offered in the time zone field (any IANA name works).
var suggestedZones = []string{"America/Los_Angeles", "America/New_York", "Europe/Brussels", "Europe/Berlin", "Europe/London", "UTC"}

func (s *Server) importView(r *http.Request) importView {
	v := importView{CSRF: httpx.CSRFToken(r), Zones: suggestedZones, Format: "auto",
		Formats: []string{formats.FormatAuto, formats.FormatJSON, formats.FormatCSV, formats.FormatFrab, formats.FormatC3voc, formats.FormatICal}}
	if s.importer != nil {
		v.Limit = importer.FormatBytes(s.importer.Limit())
	}
	if st := s.live.Load(); st != nil {
		v.Rev = st.Snap.Rev
		v.TimeZone = st.Snap.Conf.TimeZone
	}
	return v
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, v importView) {
	name := ""
	if st := s.live.Load(); st != nil {
		name = st.Snap.Conf.Name
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "import", "layout", layoutView{Title: "Import a schedule", ConferenceName: name, Nav: "admin", Main: v})
}

func (s *Server) handleImportForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.organizer(w, r, "/admin/import"); !ok {
		return
	}
	s.renderImport(w, r, http.StatusOK, s.importView(r))
}

// handleImportUpload checks an uploaded file as a dry run and shows the
// report with an Apply button.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request) {
	u, ok := s.organizer(w, r, "/admin/import")
	if !ok {
		return
	}
	v := s.importView(r)
	if s.importer == nil {
		v.Error = "Imports are not available on this server."
		s.renderImport(w, r, http.StatusServiceUnavailable, v)
		return
	}
	limit := s.importer.Limit()
	tooLarge := func() {
		w.Header().Set("Connection", "close")
		v.Error = "The file is larger than the import limit of " + v.Limit + ". Nothing was changed."
		s.renderImport(w, r, http.StatusRequestEntityTooLarge, v)
	}
	// The form's own fields need a few KB beyond the file.
	const formOverhead = 64 << 10
	if r.ContentLength > limit+formOverhead {
		tooLarge()
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+formOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		v.Error = "The upload could not be read: send the form with a file."
		s.renderImport(w, r, http.StatusBadRequest, v)
		return
	}
	var data []byte
	name, got := "", false
	opt := importer.Options{DryRun: true}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
			return
		}
		if err != nil {
			v.Error = "The upload was cut short or is not a form; try again."
			s.renderImport(w, r, http.StatusBadRequest, v)
			return
		}
		switch p.FormName() {
		case "file":
			data, err = io.ReadAll(io.LimitReader(p, limit+1))
			if errors.As(err, &mbe) || int64(len(data)) > limit {
				tooLarge()
				return
			}
			if err != nil {
				v.Error = "The upload was cut short; try again."
				s.renderImport(w, r, http.StatusBadRequest, v)
				return
			}
			name, got = filepath.Base(strings.ReplaceAll(p.FileName(), `\`, "/")), true
		case "format", "timezone", "dst":
			b, _ := io.ReadAll(io.LimitReader(p, 200))
			switch val := strings.TrimSpace(string(b)); p.FormName() {
			case "format":
				opt.Format = val
			case "timezone":
				opt.TimeZone = val
			default:
				opt.DST = val
			}
		}
	}
	v.Format, v.TimeZone, v.DST = firstNonEmpty(opt.Format, "auto"), opt.TimeZone, opt.DST
	if !got || len(data) == 0 {
		v.Error = "Choose a file to import."
		s.renderImport(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	switch strings.ToLower(opt.Format) {
	case "", formats.FormatAuto, formats.FormatJSON, formats.FormatCSV, formats.FormatFrab, formats.FormatC3voc, formats.FormatICal:
	default:
		v.Error = "Choose a format: auto, json, csv, frab, c3voc or ical."
		s.renderImport(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	switch opt.DST {
	case "", formats.DSTEarlier, formats.DSTLater:
	default:
		v.Error = "Choose how to read times that happen twice or never: report them, earlier or later."
		s.renderImport(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	opt.Name = name
	sum, err := s.importer.Import(r.Context(), bytes.NewReader(data), opt)
	v.Report = sum
	if status, ok := s.importFailed(w, r, err, &v); !ok {
		s.renderImport(w, r, status, v)
		return
	}
	now := time.Now()
	opt.BaseRev = sum.BaseRev
	v.Token = s.pending.put(&pendingUpload{user: u.ID, data: data, opt: opt, expires: now.Add(pendingTTL)}, now)
	v.Expires = now.Add(pendingTTL).In(s.zone()).Format("15:04")
	s.renderImport(w, r, http.StatusOK, v)
}

// handleImportApply imports the file a dry run checked.
func (s *Server) handleImportApply(w http.ResponseWriter, r *http.Request) {
	u, ok := s.organizer(w, r, "/admin/import")
	if !ok {
		return
	}
	v := s.importView(r)
	up, ok := s.pending.take(r.PostFormValue("token"), u.ID, time.Now())
	if !ok || s.importer == nil {
		v.Error = "That checked file is no longer here (it is kept for 15 minutes and applied once). Upload it again."
		s.renderImport(w, r, http.StatusGone, v)
		return
	}
	opt := up.opt
	opt.DryRun = false
	if err := withProposedPack(&opt, r.PostFormValue("pack")); err != nil { // admintravel.go
		v.Error = err.Error()
		s.renderImport(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	opt.Confirm = r.PostFormValue("confirm") == "1"
	opt.AllowRemoveAll = r.PostFormValue("allowRemoveAll") == "1"
	sum, err := s.importer.Import(r.Context(), bytes.NewReader(up.data), opt)
	v.Report = sum
	v.Format, v.TimeZone, v.DST = firstNonEmpty(opt.Format, "auto"), opt.TimeZone, opt.DST
	if errcode.Is(err, errcode.Conflict) && sum != nil && !sum.Applied &&
		(len(sum.Consequences.NeedsConfirmation) > 0 || sum.Consequences.RemovesAll) {
		// Not confirmed: the same checked file waits again, under a new
		// token, with the boxes to tick.
		now := time.Now()
		v.Token = s.pending.put(&pendingUpload{user: u.ID, data: up.data, opt: up.opt, expires: now.Add(pendingTTL)}, now)
		v.Expires = now.Add(pendingTTL).In(s.zone()).Format("15:04")
		v.Error = "Nothing was applied: tick the confirmation below to apply this import."
		s.renderImport(w, r, http.StatusConflict, v)
		return
	}
	if status, ok := s.importFailed(w, r, err, &v); !ok {
		s.renderImport(w, r, status, v)
		return
	}
	s.log.Info("organizer: conference imported", "by", u.ID, "file", sum.File, "rev", sum.Rev,
		"added", sum.Added, "changed", sum.Changed, "removed", sum.Removed)
	v.Rev = sum.Rev
	s.renderImport(w, r, http.StatusOK, v)
}

// importFailed turns an import error into the page's message and status;
// ok is true when there was none.
func (s *Server) importFailed(w http.ResponseWriter, r *http.Request, err error, v *importView) (int, bool) {
	if err == nil {
		return http.StatusOK, true
	}
	var ie *formats.ImportError
	if errors.As(err, &ie) {
		return http.StatusUnprocessableEntity, false // the report lists the errors
	}
	var ce *errcode.Error
	if !errors.As(err, &ce) || ce.Code == errcode.Internal {
		s.log.Error("web: import", "err", err)
		v.Error = "Something went wrong on our side; nothing was changed. Please try again."
		return http.StatusInternalServerError, false
	}
	if ce.Code == errcode.TooLarge {
		w.Header().Set("Connection", "close")
	}
	v.Error = strings.ToUpper(ce.Message[:1]) + ce.Message[1:] + "."
	return httpx.Status(err), false
}

func (s *Server) zone() *time.Location {
	if st := s.live.Load(); st != nil {
		return st.Snap.Loc
	}
	return time.UTC
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
