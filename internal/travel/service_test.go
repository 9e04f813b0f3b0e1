package travel_test

import (
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/errcode"
	"venuehop/internal/travel"
)

func compileConf(t *testing.T, c *conference.Conference) *travel.Model {
	t.Helper()
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := travel.Compile(snap)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A walk correction replaces the model's walk between two venues, both
// ways, and is no estimate; a shuttle can still be faster.
func TestWalkCorrection(t *testing.T) {
	c := demoConf(t)
	tm := *c.Travel
	tm.WalkCorrections = []conference.WalkCorrection{{FromID: demo.VenueWynn, ToID: demo.VenueVenetian, Minutes: 16}, {FromID: demo.VenueMGMGrand, ToID: demo.VenueMandalayBay, Minutes: 90}}
	c.Travel = &tm
	m := compileConf(t, c)
	night := time.Date(2026, 12, 1, 3, 0, 0, 0, mustLoc(t))
	for _, pair := range [][2]string{{demo.VenueVenetian, demo.VenueWynn}, {demo.VenueWynn, demo.VenueVenetian}} {
		trip, err := m.Between(pair[0], pair[1], night)
		if err != nil {
			t.Fatal(err)
		}
		if trip.Minutes != 16 || trip.Mode != travel.ModeWalk || trip.Estimate {
			t.Errorf("%s → %s: %d min %s (estimate %v), want the corrected 16-minute walk", pair[0], pair[1], trip.Minutes, trip.Mode, trip.Estimate)
		}
	}
	// MGM → Mandalay at 14:00: the shuttle beats a 90-minute walk.
	trip, _ := m.Between(demo.VenueMGMGrand, demo.VenueMandalayBay, time.Date(2026, 12, 1, 14, 0, 0, 0, mustLoc(t)))
	if trip.Mode != travel.ModeShuttle {
		t.Errorf("MGM → Mandalay Bay at 14:00: %s, want the shuttle", trip.Mode)
	}
	trip, _ = m.Between(demo.VenueMGMGrand, demo.VenueMandalayBay, night)
	if trip.Minutes != 90 {
		t.Errorf("MGM → Mandalay Bay at night: %d min, want the corrected walk", trip.Minutes)
	}
}

// Without a model, a correction replaces the straight-line guess; the
// venue's accessMinutes sets the walk from the door to its rooms.
func TestCorrectionAndAccessWithoutModel(t *testing.T) {
	c := fallbackConference()
	c.Venues[0].AccessMinutes = 7
	c.Travel = &conference.TravelModel{WalkCorrections: []conference.WalkCorrection{{FromID: "v1", ToID: "v2", Minutes: 11}}}
	m := compileConf(t, c)
	if !m.Estimate() {
		t.Error("a model of corrections only is still the estimate")
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, mustLoc(t))
	door, err := m.Between("v1", "v2", at)
	if err != nil || door.Minutes != 11 {
		t.Fatalf("v1 → v2 door to door: %d min (%v), want 11", door.Minutes, err)
	}
	leg, err := m.Leg("v1-r1", "v2-r1", at)
	if err != nil {
		t.Fatal(err)
	}
	if want := 7 + 11 + conference.DefaultAccessMinutes; leg.Minutes != want {
		t.Errorf("room to room: %d min, want %d (7 to the door, 11, 2 to the room)", leg.Minutes, want)
	}
}

// A service window's own headway overrides the line's.
func TestWindowHeadway(t *testing.T) {
	c := demoConf(t)
	tm := *c.Travel
	tm.Shuttles = append([]conference.TransitLine(nil), tm.Shuttles...)
	l := &tm.Shuttles[0]
	l.Service = []conference.ServiceHours{{Start: "06:00", End: "12:00", HeadwayMinutes: 30}, {Start: "12:00", End: "20:30"}}
	c.Travel = &tm
	m := compileConf(t, c)
	loc := mustLoc(t)
	for _, tt := range []struct {
		at   time.Time
		wait int
	}{
		{time.Date(2026, 12, 1, 6, 1, 0, 0, loc), 29},
		{time.Date(2026, 12, 1, 12, 1, 0, 0, loc), 9},
	} {
		s, ok := m.ServiceDuring(l.ID, tt.at, 1)
		if !ok || s.Wait != tt.wait || s.NextRide < 1 {
			t.Errorf("%s at %s: %+v, want a wait of %d", l.ID, tt.at.Format("15:04"), s, tt.wait)
		}
	}
}

// The board: lines, the day's hours, the next departure and the hours
// after, nothing outside the conference.
func TestBoard(t *testing.T) {
	m := compileConf(t, demoConf(t))
	loc := mustLoc(t)
	b := m.Board(time.Date(2026, 12, 1, 14, 5, 0, 0, loc), 6)
	if b.Day != "2026-12-01" || len(b.Lines) != 9 {
		t.Fatalf("day %q, %d lines", b.Day, len(b.Lines))
	}
	for _, l := range b.Lines {
		if len(l.Today) != 1 || !l.Now.Running || l.Now.Next.IsZero() || len(l.Hours) != 6 || l.OffPeakMinutes < 10 {
			t.Errorf("%s: %+v", l.ID, l)
		}
		if l.Mode == travel.ModeShuttle && len(l.Stops) == 2 && len(l.Stops[0].VenueIDs) == 0 {
			t.Errorf("%s: the first stop has no venue", l.ID)
		}
		if h := l.Hours[2]; l.Mode == travel.ModeShuttle && h.MaxRide < 2*l.OffPeakMinutes { // 17:00: the evening rush
			t.Errorf("%s at 17:00: longest ride %d, off-peak %d: no rush", l.ID, h.MaxRide, l.OffPeakMinutes)
		}
	}
	late := m.Board(time.Date(2026, 12, 1, 23, 0, 0, 0, loc), 6)
	for _, l := range late.Lines {
		if l.Now.Running || !l.Now.Next.IsZero() || len(l.Hours) != 0 {
			t.Errorf("%s at 23:00: %+v", l.ID, l)
		}
	}
	out := m.Board(time.Date(2026, 12, 20, 12, 0, 0, 0, loc), 6)
	if out.Day != "" || len(out.Lines) != 9 || out.Lines[0].Now.Running || out.Lines[0].Today != nil {
		t.Errorf("outside the conference: %+v", out.Lines[0])
	}
}

func TestBetweenEntrances(t *testing.T) {
	m := compileConf(t, demoConf(t))
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, mustLoc(t))
	trip, err := m.BetweenEntrances(demo.VenueWynn, "encore", at)
	if err != nil || trip.Minutes != 8 || trip.Mode != travel.ModeWalk {
		t.Errorf("Wynn → Encore door to door: %+v %v, want the 8-minute walk", trip, err)
	}
	if _, err := m.BetweenEntrances("encore", "atlantis", at); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("an unknown entrance: %v", err)
	}
}

func mustLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// demoConf is a shallow copy of the demo, for a test to change its model.
func demoConf(t *testing.T) *conference.Conference {
	t.Helper()
	c, err := demoConference()
	if err != nil {
		t.Fatal(err)
	}
	cp := *c
	return &cp
}
