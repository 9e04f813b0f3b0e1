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

// registerImport adds the organizer's import, the attendee's calendar
// feed (calendar.go) and the conference's exports (export.go).
func (a *API) registerImport(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/admin/import", a.importFile)
	mux.HandleFunc("GET /api/v1/me/calendar-url", a.calendarURL)
	mux.HandleFunc("DELETE /api/v1/me/calendar-url", a.rotateCalendarURL)
	mux.HandleFunc("GET /ical/{file}", a.icalFeed)
	mux.HandleFunc("GET /api/v1/conference/export", a.conferenceExport) // export.go
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

// importFile is POST /api/v1/admin/import?format=&timezone=&dst=&dryRun=&name=&baseRev=&confirm=&allowRemoveAll=
// with the file as the body. The body is read through http.MaxBytesReader
// at the importer's limit (64 MB, the readers' own); a larger one is 413
// too_large, refused from its Content-Length before anything is read. An
// import whose summary needs a confirmation (consequences) is 409 with the
// summary unless confirm=true (allowRemoveAll=true when it removes every
// session).
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
	opt := importer.Options{Format: q.Get("format"), TimeZone: q.Get("timezone"), Name: q.Get("name"), DST: q.Get("dst")}
	switch strings.ToLower(opt.Format) {
	case "", formats.FormatAuto, formats.FormatJSON, formats.FormatCSV, formats.FormatFrab, formats.FormatC3voc, formats.FormatICal:
	default:
		a.fail(w, r, errcode.New(errcode.Invalid, "format: expected auto, json, csv, frab, c3voc or ical, got %q", opt.Format))
		return
	}
	switch opt.DST {
	case "", formats.DSTEarlier, formats.DSTLater:
	default:
		a.fail(w, r, errcode.New(errcode.Invalid, "dst: expected earlier or later, got %q", opt.DST))
		return
	}
	var err error
	if opt.DryRun, opt.BaseRev, err = dryRunAndBase(q); err != nil {
		a.fail(w, r, err)
		return
	}
	if opt.Confirm, err = boolParam(q, "confirm"); err != nil {
		a.fail(w, r, err)
		return
	}
	if opt.AllowRemoveAll, err = boolParam(q, "allowRemoveAll"); err != nil {
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
	case errcode.Is(err, errcode.Conflict) && sum != nil && !sum.Applied &&
		(len(sum.Consequences.NeedsConfirmation) > 0 || sum.Consequences.RemovesAll):
		// The organizer sees what needs the confirmation beside the error.
		out := importRejectedJSON{Summary: sum}
		out.Error.Code = errcode.Conflict
		var ce *errcode.Error
		errors.As(err, &ce)
		out.Error.Message = ce.Message
		httpx.WriteJSON(w, http.StatusConflict, out)
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
