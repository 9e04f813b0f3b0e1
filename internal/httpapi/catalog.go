package httpapi

import (
	"net/http"
	"time"

	"venuehop/internal/catalog"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
)

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, a.Logger, err)
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPI)
}

func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	a.fail(w, r, errcode.New(errcode.NotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
}

type conferenceJSON struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	TimeZone string         `json:"timeZone"`
	Days     []string       `json:"days"`
	Counts   map[string]int `json:"counts"`
}

func (a *API) conference(w http.ResponseWriter, r *http.Request) {
	c := a.Live.Load().Snap.Conf
	httpx.WriteJSON(w, http.StatusOK, conferenceJSON{
		ID: c.ID, Name: c.Name, TimeZone: c.TimeZone, Days: c.Days,
		Counts: map[string]int{"sessions": len(c.Sessions), "venues": len(c.Venues), "rooms": len(c.Rooms)},
	})
}

type roomJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Level    string `json:"level"`
	Capacity int    `json:"capacity"`
}

type venueJSON struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Address string     `json:"address"`
	Lat     float64    `json:"lat"`
	Lon     float64    `json:"lon"`
	Rooms   []roomJSON `json:"rooms"`
}

func (a *API) venues(w http.ResponseWriter, r *http.Request) {
	c := a.Live.Load().Snap.Conf
	out := make([]venueJSON, len(c.Venues))
	byVenue := map[string]int{}
	for i, v := range c.Venues {
		out[i] = venueJSON{ID: v.ID, Name: v.Name, Address: v.Address, Lat: v.Lat, Lon: v.Lon, Rooms: []roomJSON{}}
		byVenue[v.ID] = i
	}
	for _, rm := range c.Rooms {
		i := byVenue[rm.VenueID]
		out[i].Rooms = append(out[i].Rooms, roomJSON{rm.ID, rm.Name, rm.Level, rm.Capacity})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"venues": out})
}

type speakerJSON struct {
	Name    string `json:"name"`
	Company string `json:"company"`
}

type seatsJSON struct {
	RoomCapacity int    `json:"roomCapacity"`
	Capacity     int    `json:"capacity"`
	Reserved     int    `json:"reserved"`
	Held         int    `json:"held"`
	Available    int    `json:"available"`
	Band         string `json:"band"`
}

// SessionJSON is the API's Session shape (docs/api.md).
type SessionJSON struct {
	ID              string        `json:"id"`
	Code            string        `json:"code"`
	Title           string        `json:"title"`
	Abstract        string        `json:"abstract"`
	Type            string        `json:"type"`
	Level           int           `json:"level"`
	Topics          []string      `json:"topics"`
	Speakers        []speakerJSON `json:"speakers"`
	VenueID         string        `json:"venueId"`
	RoomID          string        `json:"roomId"`
	Start           *time.Time    `json:"start"`
	End             *time.Time    `json:"end"`
	Reservable      bool          `json:"reservable"`
	Recorded        bool          `json:"recorded"`
	RecordingURL    string        `json:"recordingUrl"`
	StreamURL       string        `json:"streamUrl,omitempty"`
	RepeatGroup     string        `json:"repeatGroup"`
	Cancelled       bool          `json:"cancelled"`
	OverflowRoomIDs []string      `json:"overflowRoomIds,omitempty"`
	Seats           seatsJSON     `json:"seats"`
}

// sessionJSON renders a session in the conference zone. Seat counts come
// from the reservation service once it exists; until then nothing is
// reserved or held.
func sessionJSON(snap *conference.Snapshot, s *conference.Session, now time.Time, counts Seats) SessionJSON {
	out := SessionJSON{
		ID: s.ID, Code: s.Code, Title: s.Title, Abstract: s.Abstract, Type: s.Type, Level: s.Level,
		Topics: s.Topics, Speakers: make([]speakerJSON, len(s.Speakers)), RoomID: s.RoomID,
		Reservable: s.Reservable, Recorded: s.Recorded, RecordingURL: s.SafeRecordingURL(), StreamURL: s.SafeStreamURL(),
		RepeatGroup: s.Group(), Cancelled: s.Cancelled, OverflowRoomIDs: s.OverflowRoomIDs,
	}
	if out.Topics == nil {
		out.Topics = []string{}
	}
	for i, sp := range s.Speakers {
		out.Speakers[i] = speakerJSON(sp)
	}
	if v, ok := snap.VenueOfRoom(s.RoomID); ok {
		out.VenueID = v.ID
	}
	if !s.Start.IsZero() {
		start, end := snap.Local(s.Start), snap.Local(s.End)
		out.Start, out.End = &start, &end
	}
	seats := seatsJSON{}
	if rm, ok := snap.Room(s.RoomID); ok {
		seats.RoomCapacity = rm.Capacity
	}
	if s.Reservable {
		seats.Capacity = snap.ReservableCapacity(s)
	}
	if counts != nil {
		seats.Reserved, seats.Held = counts.Seats(s.ID)
	}
	seats.Available = max(0, seats.Capacity-seats.Reserved-seats.Held)
	seats.Band = Band(seats.Capacity, seats.Available, s, now)
	out.Seats = seats
	return out
}

// Band summarises seats for lists: walkup after the release instant
// (10 minutes before the start), full, limited below 20% available, else
// available.
func Band(capacity, available int, s *conference.Session, now time.Time) string {
	switch {
	case !s.Start.IsZero() && !now.Before(s.Start.Add(-10*time.Minute)):
		return "walkup"
	case available <= 0:
		return "full"
	case available*5 < capacity:
		return "limited"
	}
	return "available"
}

type sessionsJSON struct {
	Sessions []SessionJSON             `json:"sessions"`
	Total    int                       `json:"total"`
	Facets   map[string]map[string]int `json:"facets"`
	Next     string                    `json:"next,omitempty"`
}

func (a *API) sessions(w http.ResponseWriter, r *http.Request) {
	st := a.Live.Load()
	ix, snap := st.Catalog, st.Snap
	q, err := catalog.ParseQuery(r.URL.Query(), snap)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := ix.Search(q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := a.Clock.Now()
	out := sessionsJSON{Sessions: make([]SessionJSON, len(res.Sessions)), Total: res.Total, Facets: res.Facets, Next: res.Next}
	for i, s := range res.Sessions {
		out.Sessions[i] = sessionJSON(snap, s, now, a.Seats)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *API) session(w http.ResponseWriter, r *http.Request) {
	snap := a.Live.Load().Snap
	s, ok := snap.Session(r.PathValue("id"))
	if !ok {
		a.fail(w, r, errcode.New(errcode.NotFound, "no session with id %q", r.PathValue("id")))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, sessionJSON(snap, s, a.Clock.Now(), a.Seats))
}
