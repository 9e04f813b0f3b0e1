package travel

import (
	"slices"
	"time"

	"venuehop/internal/conference"
)

// Board is every shuttle and monorail line as an attendee asks about it at
// an instant: where it goes, its hours that day, and from the compiled
// tables the wait and the ride now and hour by hour after.
type Board struct {
	At  time.Time
	Day string // the conference day At falls on ("" outside the event)
	// Estimate is true for a conference without a travel model (no lines).
	Estimate bool
	Lines    []BoardLine
}

// BoardLine is one line on a Board.
type BoardLine struct {
	ID, Name, Mode string
	HeadwayMinutes int
	// OffPeakMinutes is the ride from the first stop to the last without
	// traffic.
	OffPeakMinutes int
	Stops          []BoardStop
	// Today are the line's service windows on Day (empty: no service).
	Today []conference.ServiceHours
	// Now is the service from At to the end of its hour; Hours the service
	// in the whole hours that follow.
	Now   Service
	Hours []BoardHour
}

// BoardStop is a stop of a line and the venues a short walk from it.
type BoardStop struct {
	ID, Name string
	VenueIDs []string
	LonLat   [2]float64
}

// BoardHour is a line's service in one hour.
type BoardHour struct {
	From time.Time
	Service
}

// Board returns the lines at instant at, with the following hours (at
// most hours of them, not past the end of the conference day).
func (m *Model) Board(at time.Time, hours int) Board {
	b := Board{At: at, Estimate: m.estimate}
	start := m.Minute(at)
	di := m.dayAt(start)
	var nextHour time.Time
	if di >= 0 {
		b.Day = m.days[di].date
		local := at.In(m.snap.Loc)
		nextHour = time.Date(local.Year(), local.Month(), local.Day(), local.Hour()+1, 0, 0, 0, m.snap.Loc)
	}
	venueOf := map[string]string{}
	for _, e := range m.source.Entrances {
		venueOf[e.ID] = e.VenueID
	}
	stops := map[string]conference.TransitStop{}
	for _, s := range m.source.Stops {
		stops[s.ID] = s
	}
	groups := []struct {
		mode  string
		lines []conference.TransitLine
	}{{ModeShuttle, m.source.Shuttles}, {ModeMonorail, m.source.Monorail}}
	for _, g := range groups {
		for _, l := range g.lines {
			if !slices.ContainsFunc(m.lines, func(x line) bool { return x.id == l.ID }) {
				continue // not compiled (no headway or stops)
			}
			bl := BoardLine{ID: l.ID, Name: l.Name, Mode: g.mode, HeadwayMinutes: l.HeadwayMinutes}
			for i, ls := range l.Stops {
				if i > 0 {
					bl.OffPeakMinutes += ls.RideMinutes
				}
				s := stops[ls.StopID]
				bs := BoardStop{ID: s.ID, Name: s.Name, LonLat: [2]float64{s.Lon, s.Lat}}
				for _, a := range s.Access {
					if v := venueOf[a.EntranceID]; v != "" && !slices.Contains(bs.VenueIDs, v) {
						bs.VenueIDs = append(bs.VenueIDs, v)
					}
				}
				bl.Stops = append(bl.Stops, bs)
			}
			if b.Day != "" {
				bl.Today = WindowsOn(l, b.Day)
				bl.Now, _ = m.ServiceDuring(l.ID, at, int(max(1, nextHour.Sub(at)/time.Minute)))
				for h := nextHour; len(bl.Hours) < hours && m.dayAt(m.Minute(h)) == di; h = h.Add(time.Hour) {
					s, _ := m.ServiceDuring(l.ID, h, 60)
					bl.Hours = append(bl.Hours, BoardHour{From: h, Service: s})
				}
			}
			b.Lines = append(b.Lines, bl)
		}
	}
	return b
}
