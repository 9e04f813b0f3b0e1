package web

import (
	"fmt"
	"net/http"
	"strings"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/travel"
)

// shuttleHours is how many hours after the current one the page shows.
const shuttleHours = 6

// shuttlesView is the Shuttles page: every line, today's hours, the wait
// and ride now and hour by hour.
type shuttlesView struct {
	When     string // "Tue 3 Dec, 14:05"
	At       string // the datetime-local value of the form
	Pinned   bool   // the page shows another time than now
	Day      string
	Estimate bool
	Lines    []shuttleLineView
	Error    string
}

type shuttleLineView struct {
	ID, Name, Mode string
	Stops          []shuttleStopView
	Today          string // "06:00–20:30, every 10 min"; "" when it does not run
	OffPeak        int
	Now            shuttleNowView
	Hours          []shuttleHourView
}

type shuttleStopView struct {
	Name   string
	Venues string // "near The Venetian / Palazzo"
}

// shuttleNowView is the next departure; Next is "" when none is left today.
type shuttleNowView struct {
	Next string // "14:10"
	Wait int
	Ride int
	Slow bool // traffic: the ride is half as long again as off-peak
}

type shuttleHourView struct {
	Hour     string
	Running  bool
	Wait     int
	RideText string // "12" or "12–28"
	Slow     bool
}

func (s *Server) handleShuttles(w http.ResponseWriter, r *http.Request) {
	st := s.live.Load()
	if st == nil {
		w.Header().Set("Retry-After", "1")
		s.renderError(w, r, "", http.StatusServiceUnavailable, "The conference is still loading. Try again in a moment.")
		return
	}
	snap := st.Snap
	at := s.clock.Now()
	view := shuttlesView{}
	status := http.StatusOK
	if v := strings.TrimSpace(r.URL.Query().Get("at")); v != "" {
		t, err := account.ParseLocalTime(v, snap.Loc)
		if err != nil {
			status, view.Error = http.StatusBadRequest, "Another time: "+err.Error()+"."
		} else {
			at, view.Pinned = t, true
		}
	}
	b := st.Travel.Board(at, shuttleHours)
	view.When = snap.Local(at).Format("Mon 2 Jan, 15:04")
	view.At = snap.Local(at).Format("2006-01-02T15:04")
	view.Day, view.Estimate = b.Day, b.Estimate
	names := map[string]string{}
	for _, v := range snap.Conf.Venues {
		names[v.ID] = v.Name
	}
	for _, l := range b.Lines {
		view.Lines = append(view.Lines, newShuttleLineView(snap, l, names))
	}
	s.render(w, r, status, "shuttles", "layout", layoutView{Title: "Shuttles", ConferenceName: snap.Conf.Name, Nav: "shuttles", Main: view})
}

func newShuttleLineView(snap *conference.Snapshot, l travel.BoardLine, venueNames map[string]string) shuttleLineView {
	v := shuttleLineView{ID: l.ID, Name: l.Name, Mode: l.Mode, OffPeak: l.OffPeakMinutes}
	for _, st := range l.Stops {
		sv := shuttleStopView{Name: st.Name}
		var near []string
		for _, id := range st.VenueIDs {
			near = append(near, venueNames[id])
		}
		if len(near) > 0 {
			sv.Venues = "near " + strings.Join(near, ", ")
		}
		v.Stops = append(v.Stops, sv)
	}
	var windows []string
	for _, h := range l.Today {
		headway := h.HeadwayMinutes
		if headway == 0 {
			headway = l.HeadwayMinutes
		}
		windows = append(windows, fmt.Sprintf("%s–%s, every %d min", h.Start, h.End, headway))
	}
	v.Today = strings.Join(windows, "; ")
	slow := func(ride int) bool { return l.OffPeakMinutes > 0 && ride*2 >= l.OffPeakMinutes*3 }
	if n := l.Now; !n.Next.IsZero() {
		v.Now = shuttleNowView{Next: snap.Local(n.Next).Format("15:04"), Wait: n.Wait, Ride: n.NextRide, Slow: slow(n.NextRide)}
	}
	for _, h := range l.Hours {
		hv := shuttleHourView{Hour: snap.Local(h.From).Format("15:04"), Running: h.Running, Wait: h.ExpectedWait, Slow: slow(h.MaxRide)}
		hv.RideText = fmt.Sprint(h.Ride)
		if h.MaxRide != h.Ride {
			hv.RideText = fmt.Sprintf("%d–%d", h.Ride, h.MaxRide)
		}
		v.Hours = append(v.Hours, hv)
	}
	// After the last departure one "no service" row says it.
	for len(v.Hours) > 1 && !v.Hours[len(v.Hours)-1].Running && !v.Hours[len(v.Hours)-2].Running {
		v.Hours = v.Hours[:len(v.Hours)-1]
	}
	return v
}
