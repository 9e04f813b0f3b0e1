package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/importer"
	"venuehop/internal/venuepack"
)

// registerTravel adds the shuttle board and the organizer's travel changes:
// a venue pack, a timetable, walk corrections (docs/venue-packs.md).
func (a *API) registerTravel(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/shuttles", a.shuttles)
	mux.HandleFunc("POST /api/v1/admin/travel/pack", a.applyPack)
	mux.HandleFunc("POST /api/v1/admin/travel/timetable", a.applyTimetable)
	mux.HandleFunc("GET /api/v1/admin/travel/walks", a.walkCorrections)
	mux.HandleFunc("PUT /api/v1/admin/travel/walks/{from}/{to}", a.putWalkCorrection)
	mux.HandleFunc("DELETE /api/v1/admin/travel/walks/{from}/{to}", a.deleteWalkCorrection)
}

// dryRunAndBase reads the dryRun and baseRev parameters of an organizer's
// change.
func dryRunAndBase(q url.Values) (dryRun bool, baseRev int64, err error) {
	if dryRun, err = boolParam(q, "dryRun"); err != nil {
		return false, 0, err
	}
	if v := q.Get("baseRev"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return false, 0, errcode.New(errcode.Invalid, "baseRev: expected a revision number, got %q", v)
		}
		baseRev = n
	}
	return dryRun, baseRev, nil
}

// boolParam reads a true/false query parameter (absent: false).
func boolParam(q url.Values, name string) (bool, error) {
	switch v := strings.ToLower(q.Get(name)); v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	default:
		return false, errcode.New(errcode.Invalid, "%s: expected true or false, got %q", name, v)
	}
}

// shippedPack reads the pack=ID parameter: a shipped pack, or nil.
func shippedPack(q url.Values) (*venuepack.Pack, error) {
	id := strings.TrimSpace(q.Get("pack"))
	if id == "" {
		return nil, nil
	}
	p, err := venuepack.Get(id)
	if err != nil {
		return nil, errcode.New(errcode.Invalid, "pack: no shipped venue pack %q (there are %s)", id, strings.Join(venuepack.ShippedIDs(), ", "))
	}
	return p, nil
}

// travelChange is the common part of the organizer's travel changes: the
// organizer, the importer, dryRun and baseRev; do runs the change.
func (a *API) travelChange(w http.ResponseWriter, r *http.Request, do func(dryRun bool, baseRev int64) (*importer.TravelReport, error)) {
	u, ok := a.requireOrganizer(w, r)
	if !ok {
		return
	}
	if a.Importer == nil {
		a.fail(w, r, errcode.New(errcode.Unavailable, "travel changes are not available on this server"))
		return
	}
	dryRun, baseRev, err := dryRunAndBase(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rep, err := do(dryRun, baseRev)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if rep.Applied {
		a.Logger.Info("organizer: travel model changed", "by", u.ID, "path", r.URL.Path, "rev", rep.Rev)
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, rep)
}

// readBody reads an organizer's file body up to limit.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, what string) ([]byte, error) {
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return nil, errcode.New(errcode.TooLarge, "the %s is larger than %s", what, importer.FormatBytes(limit))
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			w.Header().Set("Connection", "close")
			return nil, errcode.New(errcode.TooLarge, "the %s is larger than %s", what, importer.FormatBytes(limit))
		}
		return nil, errcode.Wrap(errcode.Invalid, err, "cannot read the %s", what)
	}
	return data, nil
}

// applyPack is POST /api/v1/admin/travel/pack?pack=ID&dryRun=&baseRev=,
// or with a pack file as the body instead of pack=ID.
func (a *API) applyPack(w http.ResponseWriter, r *http.Request) {
	a.travelChange(w, r, func(dryRun bool, baseRev int64) (*importer.TravelReport, error) {
		p, err := shippedPack(r.URL.Query())
		if err != nil {
			return nil, err
		}
		if p == nil {
			data, err := readBody(w, r, venuepack.MaxBytes, "venue pack")
			if err != nil {
				return nil, err
			}
			if len(bytes.TrimSpace(data)) == 0 {
				return nil, errcode.New(errcode.Invalid, "expected pack=ID (one of %s) or a venue pack file as the body", strings.Join(venuepack.ShippedIDs(), ", "))
			}
			if p, err = venuepack.Read(bytes.NewReader(data), "the pack"); err != nil {
				return nil, err
			}
		}
		return a.Importer.ApplyPack(r.Context(), p, dryRun, baseRev)
	})
}

// applyTimetable is POST /api/v1/admin/travel/timetable?dryRun=&baseRev=
// with the CSV as the body.
func (a *API) applyTimetable(w http.ResponseWriter, r *http.Request) {
	a.travelChange(w, r, func(dryRun bool, baseRev int64) (*importer.TravelReport, error) {
		data, err := readBody(w, r, venuepack.MaxTimetableBytes, "timetable")
		if err != nil {
			return nil, err
		}
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "timetable.csv"
		}
		tt, err := venuepack.ReadTimetable(bytes.NewReader(data), name)
		if err != nil {
			return nil, err
		}
		return a.Importer.ApplyTimetable(r.Context(), tt, dryRun, baseRev)
	})
}

func (a *API) walkCorrections(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.requireOrganizer(w, r); !ok {
		return
	}
	list := []conference.WalkCorrection{}
	if t := a.Live.Load().Snap.Conf.Travel; t != nil {
		list = append(list, t.WalkCorrections...)
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"walkCorrections": list})
}

func (a *API) putWalkCorrection(w http.ResponseWriter, r *http.Request) {
	a.travelChange(w, r, func(bool, int64) (*importer.TravelReport, error) {
		var in struct {
			Minutes int `json:"minutes"`
		}
		if err := httpx.DecodeJSON(w, r, maxAdminBody, &in); err != nil {
			return nil, err
		}
		if in.Minutes < 1 || in.Minutes > 600 {
			e := errcode.New(errcode.Invalid, "minutes: expected a walk of 1 to 600 minutes, got %d", in.Minutes)
			e.Unprocessable = true
			return nil, e
		}
		return a.Importer.CorrectWalk(r.Context(), r.PathValue("from"), r.PathValue("to"), in.Minutes)
	})
}

func (a *API) deleteWalkCorrection(w http.ResponseWriter, r *http.Request) {
	a.travelChange(w, r, func(bool, int64) (*importer.TravelReport, error) {
		return a.Importer.CorrectWalk(r.Context(), r.PathValue("from"), r.PathValue("to"), 0)
	})
}
