package httpapi

import (
	"net/http"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/httpx"
	"venuehop/internal/travel"
)

// ShuttleHours is how many hours after the current one the shuttle board
// shows.
const ShuttleHours = 6

// shuttlesJSON is GET /api/v1/shuttles: the Shuttles page's data.
type shuttlesJSON struct {
	At       time.Time         `json:"at"`
	Day      string            `json:"day"`
	Estimate bool              `json:"estimate"`
	Lines    []shuttleLineJSON `json:"lines"`
}

type shuttleLineJSON struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	Mode           string            `json:"mode"`
	HeadwayMinutes int               `json:"headwayMinutes"`
	OffPeakMinutes int               `json:"offPeakMinutes"`
	Stops          []shuttleStopJSON `json:"stops"`
	Today          []serviceJSON     `json:"today"`
	Now            serviceNowJSON    `json:"now"`
	Hours          []serviceHourJSON `json:"hours"`
}

type shuttleStopJSON struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	VenueIDs []string   `json:"venueIds"`
	LonLat   [2]float64 `json:"lonLat"`
}

type serviceJSON struct {
	Start          string `json:"start"`
	End            string `json:"end"`
	HeadwayMinutes int    `json:"headwayMinutes"`
}

type serviceNowJSON struct {
	Running       bool       `json:"running"`
	NextDeparture *time.Time `json:"nextDeparture"`
	WaitMinutes   int        `json:"waitMinutes"`
	RideMinutes   int        `json:"rideMinutes"`
}

type serviceHourJSON struct {
	From                time.Time `json:"from"`
	Running             bool      `json:"running"`
	ExpectedWaitMinutes int       `json:"expectedWaitMinutes"`
	RideMinutes         int       `json:"rideMinutes"`
	MaxRideMinutes      int       `json:"maxRideMinutes"`
}

// newShuttlesJSON turns the travel model's board into the API's shape,
// times in the conference zone.
func newShuttlesJSON(snap *conference.Snapshot, b travel.Board) shuttlesJSON {
	out := shuttlesJSON{At: snap.Local(b.At), Day: b.Day, Estimate: b.Estimate, Lines: []shuttleLineJSON{}}
	for _, l := range b.Lines {
		lj := shuttleLineJSON{ID: l.ID, Name: l.Name, Mode: l.Mode, HeadwayMinutes: l.HeadwayMinutes, OffPeakMinutes: l.OffPeakMinutes,
			Stops: []shuttleStopJSON{}, Today: []serviceJSON{}, Hours: []serviceHourJSON{}}
		for _, s := range l.Stops {
			ids := s.VenueIDs
			if ids == nil {
				ids = []string{}
			}
			lj.Stops = append(lj.Stops, shuttleStopJSON{ID: s.ID, Name: s.Name, VenueIDs: ids, LonLat: s.LonLat})
		}
		for _, h := range l.Today {
			headway := h.HeadwayMinutes
			if headway == 0 {
				headway = l.HeadwayMinutes
			}
			lj.Today = append(lj.Today, serviceJSON{Start: h.Start, End: h.End, HeadwayMinutes: headway})
		}
		lj.Now = serviceNowJSON{Running: l.Now.Running, WaitMinutes: l.Now.Wait, RideMinutes: l.Now.NextRide}
		if !l.Now.Next.IsZero() {
			next := snap.Local(l.Now.Next)
			lj.Now.NextDeparture = &next
		}
		for _, h := range l.Hours {
			lj.Hours = append(lj.Hours, serviceHourJSON{From: snap.Local(h.From), Running: h.Running,
				ExpectedWaitMinutes: h.ExpectedWait, RideMinutes: h.Ride, MaxRideMinutes: h.MaxRide})
		}
		out.Lines = append(out.Lines, lj)
	}
	return out
}

// shuttles is GET /api/v1/shuttles?at=: every line, its hours that day, the
// wait and ride now and for the next hours.
func (a *API) shuttles(w http.ResponseWriter, r *http.Request) {
	st := a.Live.Load()
	at := a.Clock.Now()
	if v := r.URL.Query().Get("at"); v != "" {
		var err error
		if at, err = parseInstant("at", v, st.Snap.Loc); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	httpx.WriteJSON(w, http.StatusOK, newShuttlesJSON(st.Snap, st.Travel.Board(at, ShuttleHours)))
}
