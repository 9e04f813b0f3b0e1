package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"venuehop/internal/conference"
	"venuehop/internal/httpx"
)

// The offline catalog is what a device keeps to search, filter and show
// sessions with no network (docs/offline.md): the sessions with a short
// abstract and the fields the catalog filters read, and the names of the
// rooms and venues. It is built once per conference revision, its ETag is
// that revision, and it is sent gzip-compressed to clients that take it.

// offlineAbstract is the most of an abstract the snapshot keeps (runes).
const offlineAbstract = 160

type offlineCatalogJSON struct {
	Revision int64                `json:"revision"`
	Name     string               `json:"name"`
	TimeZone string               `json:"timeZone"`
	Days     []string             `json:"days"`
	Sessions []offlineSessionJSON `json:"sessions"`
	Rooms    []offlineRoomJSON    `json:"rooms"`
	Venues   []offlineVenueJSON   `json:"venues"`
}

type offlineSessionJSON struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Abstract   string     `json:"abstract,omitempty"`
	Type       string     `json:"type"`
	Level      int        `json:"level,omitempty"`
	Topics     []string   `json:"topics,omitempty"`
	Speakers   []string   `json:"speakers,omitempty"`
	RoomID     string     `json:"roomId,omitempty"`
	VenueID    string     `json:"venueId,omitempty"`
	Start      *time.Time `json:"start,omitempty"`
	End        *time.Time `json:"end,omitempty"`
	Reservable bool       `json:"reservable,omitempty"`
	Recorded   bool       `json:"recorded,omitempty"`
	Cancelled  bool       `json:"cancelled,omitempty"`
}

type offlineRoomJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	VenueID string `json:"venueId"`
}

type offlineVenueJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// offlineETag is the snapshot's validator: the conference revision.
func offlineETag(rev int64) string { return `"rev-` + strconv.FormatInt(rev, 10) + `"` }

// shortAbstract cuts s to at most offlineAbstract runes at a word
// boundary, with an ellipsis when cut.
func shortAbstract(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= offlineAbstract {
		return s
	}
	cut := 0
	for i := range s {
		if utf8.RuneCountInString(s[:i]) > offlineAbstract-1 {
			break
		}
		if s[i] == ' ' {
			cut = i
		}
	}
	if cut == 0 {
		cut = len(string([]rune(s)[:offlineAbstract-1]))
	}
	return strings.TrimRight(s[:cut], " ,.;:") + "…"
}

// buildOfflineCatalog is the snapshot of conf at revision rev.
func buildOfflineCatalog(conf *conference.Conference, rev int64) offlineCatalogJSON {
	roomVenue := make(map[string]string, len(conf.Rooms))
	out := offlineCatalogJSON{Revision: rev, Name: conf.Name, TimeZone: conf.TimeZone, Days: conf.Days,
		Sessions: make([]offlineSessionJSON, 0, len(conf.Sessions)),
		Rooms:    make([]offlineRoomJSON, 0, len(conf.Rooms)),
		Venues:   make([]offlineVenueJSON, 0, len(conf.Venues))}
	for _, v := range conf.Venues {
		out.Venues = append(out.Venues, offlineVenueJSON{ID: v.ID, Name: v.Name})
	}
	for _, rm := range conf.Rooms {
		roomVenue[rm.ID] = rm.VenueID
		out.Rooms = append(out.Rooms, offlineRoomJSON{ID: rm.ID, Name: rm.Name, VenueID: rm.VenueID})
	}
	for i := range conf.Sessions {
		s := &conf.Sessions[i]
		o := offlineSessionJSON{ID: s.ID, Title: s.Title, Abstract: shortAbstract(s.Abstract),
			Type: s.Type, Level: s.Level, Topics: s.Topics, RoomID: s.RoomID, VenueID: roomVenue[s.RoomID],
			Reservable: s.Reservable, Recorded: s.Recorded, Cancelled: s.Cancelled}
		for _, sp := range s.Speakers {
			o.Speakers = append(o.Speakers, sp.Name)
		}
		if !s.Start.IsZero() {
			start, end := s.Start.UTC(), s.End.UTC()
			o.Start, o.End = &start, &end
		}
		out.Sessions = append(out.Sessions, o)
	}
	return out
}

// offlineCatalog is GET /api/v1/offline/catalog: public, like the catalog.
// Revalidated on every use: a 304 is cheap, and a new revision must reach
// devices as soon as they are online.
func (a *API) offlineCatalog(w http.ResponseWriter, r *http.Request) {
	snap := a.Live.Load().Snap
	d, err := a.docs.get(r.Context(), snap.Rev, "offline-catalog", func() (*doc, error) {
		body, err := json.Marshal(buildOfflineCatalog(snap.Conf, snap.Rev))
		if err != nil {
			return nil, err
		}
		d := newDoc(body, a.revisionTime(r.Context(), snap.Rev), "application/json; charset=utf-8")
		d.etag, d.gz = offlineETag(snap.Rev), httpx.Gzip(body)
		return d, nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d.serve(w, r, "public, no-cache")
}
