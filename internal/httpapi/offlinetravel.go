package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/httpx"
	"venuehop/internal/planner"
	"venuehop/internal/travel"
)

// offlineTravel is GET /api/v1/offline/travel: the travel tables and the
// sittings' places and times a device needs to compute now/next itself
// (internal/web/static/nownext.js; docs/offline.md). Built once per
// conference revision, with a strong ETag.
func (a *API) offlineTravel(w http.ResponseWriter, r *http.Request) {
	st := a.Live.Load()
	d, err := a.docs.get(r.Context(), st.Snap.Rev, "offline-travel", func() (*doc, error) {
		body, err := OfflineTravel(st.Snap, st.Travel)
		if err != nil {
			return nil, err
		}
		d := newDoc(body, a.revisionTime(r.Context(), st.Snap.Rev), "application/json")
		d.gz = httpx.Gzip(body)
		return d, nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d.serve(w, r, "public, no-cache")
}

// offlineDoc is the document of GET /api/v1/offline/travel.
type offlineDoc struct {
	Rev    int64                 `json:"rev"`
	Travel *travel.OfflineTables `json:"travel"`
	// Sittings: every scheduled session, as [id, title, type, room index,
	// start, end (seconds after travel.origin), group ("" = its id),
	// cancelled (0/1), overflow room indexes].
	Sittings [][]any `json:"sittings"`
	// Window is how far ahead now/next looks, in minutes.
	Window int `json:"window"`
	// ReleaseLead is the minutes before the start when a reserved seat
	// lapses.
	ReleaseLead int `json:"releaseLead"`
}

// OfflineTravel encodes the offline travel document of a snapshot.
func OfflineTravel(snap *conference.Snapshot, tm *travel.Model) ([]byte, error) {
	t := tm.Offline()
	origin := time.UnixMilli(t.Origin)
	out := offlineDoc{Rev: snap.Rev, Travel: t, Window: int(planner.DefaultNextWindow / time.Minute), ReleaseLead: planner.DefaultReleaseLeadMinutes}
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if !se.Scheduled() {
			continue
		}
		room, ok := tm.RoomIndex(se.RoomID)
		if !ok {
			continue
		}
		group := se.Group()
		if group == se.ID {
			group = ""
		}
		cancelled := 0
		if se.Cancelled {
			cancelled = 1
		}
		var ov []int32
		for _, id := range se.OverflowRoomIDs {
			if o, ok := tm.RoomIndex(id); ok {
				ov = append(ov, o)
			}
		}
		row := []any{se.ID, se.Title, se.Type, room, int64(se.Start.Sub(origin) / time.Second),
			int64(se.End.Sub(origin) / time.Second), group, cancelled}
		if len(ov) > 0 {
			row = append(row, ov)
		}
		out.Sittings = append(out.Sittings, row)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
