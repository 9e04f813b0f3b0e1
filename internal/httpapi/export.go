package httpapi

import (
	"bytes"
	"net/http"
	"strings"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
)

// exportTypes are the exports served over HTTP: content type and file
// name suffix, by format.
var exportTypes = map[string]struct{ contentType, file string }{
	formats.FormatJSON:    {"application/json", ".json"},
	formats.FormatCSV:     {"text/csv; charset=utf-8", ".csv"},
	formats.FormatFrab:    {"application/xml", "-schedule.xml"},
	formats.FormatC3voc:   {"application/json", "-schedule.json"},
	formats.FormatICal:    {icalType, ".ics"},
	formats.FormatGeoJSON: {"application/geo+json", ".geojson"},
}

// conferenceExport is GET /api/v1/conference/export?format=json|csv|frab|c3voc|ical|geojson:
// the conference in a format, public like the catalog, built once per
// revision with a strong ETag.
func (a *API) conferenceExport(w http.ResponseWriter, r *http.Request) {
	format := strings.ToLower(r.URL.Query().Get("format"))
	if _, ok := exportTypes[format]; !ok {
		a.fail(w, r, errcode.New(errcode.Invalid, "format: expected json, csv, frab, c3voc, ical or geojson, got %q", format))
		return
	}
	d, err := a.export(r, a.Live.Load().Snap, format)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d.serve(w, r, "public, max-age=300")
}

// export is the conference of snap in a format, from the cache. Session
// links in frab, c3voc and iCalendar point to the host the request came
// to, so those are kept per host.
func (a *API) export(r *http.Request, snap *conference.Snapshot, format string) (*doc, error) {
	key, base := format, ""
	if format == formats.FormatFrab || format == formats.FormatC3voc || format == formats.FormatICal {
		base = a.baseURL(r)
		key += " " + base
	}
	return a.docs.get(r.Context(), snap.Rev, key, func() (*doc, error) {
		at := a.revisionTime(r.Context(), snap.Rev)
		var buf bytes.Buffer
		buf.Grow(1 << 20)
		var err error
		if format == formats.FormatICal {
			err = formats.WriteICal(&buf, snap, nil, formats.ICalOptions{Now: at, BaseURL: base})
		} else {
			err = formats.Write(&buf, snap.Conf, format, formats.WriteOptions{BaseURL: base, Now: at})
		}
		if err != nil {
			return nil, err
		}
		t := exportTypes[format]
		d := newDoc(buf.Bytes(), at, t.contentType)
		if format != formats.FormatICal {
			d.disposition = `attachment; filename="` + fileSafe(snap.Conf.ID) + t.file + `"`
		}
		return d, nil
	})
}

// fileSafe keeps the characters a download name may have.
func fileSafe(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "conference"
	}
	return b.String()
}
