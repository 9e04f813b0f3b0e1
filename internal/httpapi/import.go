package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/httpx"
	"venuehop/internal/importer"
)

// registerImport adds the organizer's import and the attendee's calendar
// feed (calendar.go).
func (a *API) registerImport(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/admin/import", a.importFile)
	mux.HandleFunc("GET /api/v1/me/calendar-url", a.calendarURL)
	mux.HandleFunc("DELETE /api/v1/me/calendar-url", a.rotateCalendarURL)
	mux.HandleFunc("GET /ical/{file}", a.icalFeed)
}

// importRejectedJSON is a 422: the API's error shape and, beside it, the
// summary with every problem in errors.
type importRejectedJSON struct {
	Error struct {
		Code    errcode.Code `json:"code"`
		Message string       `json:"message"`
	} `json:"error"`
	*importer.Summary
}

// importFile is POST /api/v1/admin/import?format=&timezone=&dryRun=&name=&baseRev=
// with the file as the body. The body is read through http.MaxBytesReader
// at the importer's limit (64 MB, the readers' own); a larger one is 413
// too_large, refused from its Content-Length before anything is read.
func (a *API) importFile(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireOrganizer(w, r)
	if !ok {
		return
	}
	if a.Importer == nil {
		a.fail(w, r, errcode.New(errcode.Unavailable, "imports are not available on this server"))
		return
	}
	q := r.URL.Query()
	opt := importer.Options{Format: q.Get("format"), TimeZone: q.Get("timezone"), Name: q.Get("name")}
	switch strings.ToLower(opt.Format) {
	case "", formats.FormatAuto, formats.FormatJSON, formats.FormatCSV, formats.FormatFrab, formats.FormatC3voc:
	default:
		a.fail(w, r, errcode.New(errcode.Invalid, "format: expected auto, json, csv, frab or c3voc, got %q", opt.Format))
		return
	}
	var err error
	if opt.DryRun, opt.BaseRev, err = dryRunAndBase(q); err != nil {
		a.fail(w, r, err)
		return
	}
	if opt.Travel.Pack, err = shippedPack(q); err != nil { // admintravel.go
		a.fail(w, r, err)
		return
	}
	if opt.Name == "" {
		opt.Name = "upload"
	}
	limit := a.Importer.Limit()
	if r.ContentLength > limit {
		// Refused unread; the connection cannot be reused.
		w.Header().Set("Connection", "close")
		a.fail(w, r, importer.TooLarge(limit))
		return
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	sum, err := a.Importer.Import(r.Context(), body, opt)
	var ie *formats.ImportError
	switch {
	case errors.As(err, &ie):
		out := importRejectedJSON{Summary: sum}
		out.Error.Code = errcode.Invalid
		out.Error.Message = ie.AsCoded().Message + "; nothing was changed"
		httpx.WriteJSON(w, http.StatusUnprocessableEntity, out)
		return
	case err != nil:
		if errcode.Is(err, errcode.TooLarge) {
			w.Header().Set("Connection", "close")
		}
		a.fail(w, r, err)
		return
	}
	if sum.Applied {
		a.Logger.Info("organizer: conference imported", "by", u.ID, "file", sum.File, "rev", sum.Rev,
			"added", sum.Added, "changed", sum.Changed, "removed", sum.Removed,
			"reservationsCancelled", sum.Seats.ReservationsCancelled)
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, sum)
}
