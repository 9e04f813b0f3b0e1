package travel_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/errcode"
	"venuehop/internal/travel"
)

// demoConference is the demo conference (Monday 2026-11-30 to Thursday)
// with the demo's travel model; generated once, never modified.
var demoConference = sync.OnceValues(func() (*conference.Conference, error) {
	c, err := demo.Generate(demo.Options{Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return nil, err
	}
	c.Travel = demo.TravelModel(c)
	return c, nil
})

func demoModel(tb testing.TB) (*travel.Model, *conference.Snapshot) {
	tb.Helper()
	c, err := demoConference()
	if err != nil {
		tb.Fatal(err)
	}
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	m, err := travel.Compile(snap)
	if err != nil {
		tb.Fatal(err)
	}
	return m, snap
}

// at is a wall-clock time on a demo day (0 = Monday).
func at(snap *conference.Snapshot, day, hour, minute int) time.Time {
	return time.Date(2026, 11, 30+day, hour, minute, 0, 0, snap.Loc)
}

func roomsOf(snap *conference.Snapshot, venueID string) []string {
	var out []string
	for _, r := range snap.Conf.Rooms {
		if r.VenueID == venueID {
			out = append(out, r.ID)
		}
	}
	return out
}

func TestDemoRoomToRoomOffPeak(t *testing.T) {
	m, snap := demoModel(t)
	if m.Estimate() {
		t.Fatal("the demo has a travel model; got the fallback estimate")
	}
	// Monday 14:00: between the lunch and evening peaks, no keynote near.
	depart := at(snap, 0, 14, 0)
	tests := []struct {
		from, to string
		lo, hi   int
		mode     string
	}{
		{demo.VenueVenetian, demo.VenueCaesarsForum, 20, 40, travel.ModeWalk},
		{demo.VenueVenetian, demo.VenueWynn, 25, 50, travel.ModeWalk},
		{demo.VenueVenetian, demo.VenueMGMGrand, 30, 60, ""},
		{demo.VenueVenetian, demo.VenueMandalayBay, 35, 65, travel.ModeShuttle},
		{demo.VenueMGMGrand, demo.VenueMandalayBay, 20, 50, ""},
	}
	for _, tt := range tests {
		t.Run(tt.from+"-"+tt.to, func(t *testing.T) {
			for _, pair := range [][2]string{{tt.from, tt.to}, {tt.to, tt.from}} {
				for _, a := range roomsOf(snap, pair[0]) {
					for _, b := range roomsOf(snap, pair[1]) {
						trip, err := m.Leg(a, b, depart)
						if err != nil {
							t.Fatal(err)
						}
						if trip.Minutes < tt.lo || trip.Minutes > tt.hi {
							t.Fatalf("%s -> %s: %d min (%s), want %d..%d", a, b, trip.Minutes, trip.Mode, tt.lo, tt.hi)
						}
						if tt.mode != "" && trip.Mode != tt.mode {
							t.Fatalf("%s -> %s: mode %s, want %s", a, b, trip.Mode, tt.mode)
						}
					}
				}
			}
		})
	}
}

// rides returns the ride steps of a trip.
func rides(trip travel.Trip) []travel.Step {
	var out []travel.Step
	for _, s := range trip.Steps {
		if s.Mode == travel.ModeShuttle || s.Mode == travel.ModeMonorail {
			out = append(out, s)
		}
	}
	return out
}

func TestShuttleRideTimes(t *testing.T) {
	m, snap := demoModel(t)
	tests := []struct {
		name   string
		depart time.Time
		lo, hi int
	}{
		{"off-peak Monday 14:00", at(snap, 0, 14, 0), 10, 15},
		{"off-peak Tuesday 15:00", at(snap, 1, 15, 0), 10, 15},
		{"off-peak Monday 06:00", at(snap, 0, 6, 0), 10, 15},
		{"morning peak", at(snap, 0, 8, 20), 25, 50},
		{"lunch peak", at(snap, 0, 12, 20), 25, 50},
		{"evening peak", at(snap, 0, 17, 20), 25, 50},
		{"after Tuesday's keynote (ends 10:30)", at(snap, 1, 10, 30), 25, 50},
	}
	lines := m.Source().Shuttles
	if len(lines) != 8 {
		t.Fatalf("%d shuttle lines, want the 8 pairs docs/venues.md allows", len(lines))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, l := range lines {
				dep, minutes, ok := m.Ride(l.ID, tt.depart)
				if !ok {
					t.Fatalf("%s: no departure at %s", l.ID, tt.depart.Format(time.Kitchen))
				}
				if wait := dep.Sub(tt.depart); wait < 0 || wait >= time.Duration(l.HeadwayMinutes)*time.Minute {
					t.Fatalf("%s: next departure %s for %s", l.ID, dep.Format(time.Kitchen), tt.depart.Format(time.Kitchen))
				}
				if minutes < tt.lo || minutes > tt.hi {
					t.Errorf("%s at %s: %d min, want %d..%d", l.ID, dep.Format(time.Kitchen), minutes, tt.lo, tt.hi)
				}
			}
		})
	}
	// No shuttle pair docs/venues.md rules out.
	for _, l := range lines {
		for _, banned := range []string{"venetian-wynn", "wynn-venetian", "venetian-caesars-forum", "caesars-forum-venetian"} {
			if strings.HasSuffix(l.ID, banned) {
				t.Errorf("shuttle %s: docs/venues.md says there is none", l.ID)
			}
		}
	}
	// Taken shuttles show the same ride as the line.
	trip, err := m.Between(demo.VenueVenetian, demo.VenueMandalayBay, at(snap, 0, 14, 0))
	if err != nil {
		t.Fatal(err)
	}
	rs := rides(trip)
	if len(rs) != 1 || rs[0].Minutes < 10 || rs[0].Minutes > 15 {
		t.Fatalf("Venetian -> Mandalay Bay at 14:00: rides %+v, want one shuttle of 10..15 min", rs)
	}
}

func TestFIFOEntrances(t *testing.T) {
	m, _ := demoModel(t)
	first, end := m.DaySpan()
	n := m.EntranceCount()
	for a := range n {
		for b := range n {
			prev := int32(math.MinInt32)
			// Every minute of every day, and the hours around them.
			for min := first - 120; min < end+120; min++ {
				arr := m.EntranceArrive(a, b, min)
				if arr < min {
					t.Fatalf("entrances %d -> %d at minute %d: arrives at %d, before leaving", a, b, min, arr)
				}
				if arr < prev {
					t.Fatalf("entrances %d -> %d: leaving at minute %d arrives at %d, earlier than leaving a minute before (%d)", a, b, min, arr, prev)
				}
				prev = arr
			}
		}
	}
}

func TestFIFORooms(t *testing.T) {
	m, snap := demoModel(t)
	rooms := snap.Conf.Rooms
	rng := rand.New(rand.NewPCG(7, 11))
	first, end := m.DaySpan()
	for range 300 {
		a, b := rooms[rng.IntN(len(rooms))].ID, rooms[rng.IntN(len(rooms))].ID
		ia, _ := m.RoomIndex(a)
		ib, _ := m.RoomIndex(b)
		prev := int32(math.MinInt32)
		for min := first - 60; min < end+60; min++ {
			arr := m.ArriveBy(ia, ib, min)
			if arr < prev || arr < min {
				t.Fatalf("%s -> %s: leaving at minute %d arrives at %d (a minute earlier: %d)", a, b, min, arr, prev)
			}
			prev = arr
		}
		if a == b {
			continue // TestSameRoomAndInside
		}
		// Leg agrees with the fast path, also between whole minutes.
		depart := m.Time(first + int32(rng.IntN(int(end-first)))).Add(time.Duration(rng.IntN(60)) * time.Second)
		trip, err := m.Leg(a, b, depart)
		if err != nil {
			t.Fatal(err)
		}
		if want := m.Time(m.ArriveBy(ia, ib, m.Minute(depart))); !trip.Arrive.Equal(want) {
			t.Fatalf("%s -> %s at %s: Leg arrives %s, ArriveBy %s", a, b, depart, trip.Arrive, want)
		}
		checkSteps(t, trip)
	}
}

// checkSteps verifies that a trip's steps chain without gaps from its
// departure to its arrival, and that outdoor steps carry their geometry.
func checkSteps(t *testing.T, trip travel.Trip) {
	t.Helper()
	if len(trip.Steps) == 0 {
		if trip.Minutes != 0 {
			t.Fatalf("a %d-minute trip without steps", trip.Minutes)
		}
		return
	}
	if !trip.Steps[0].Depart.Equal(trip.Depart) || !trip.Steps[len(trip.Steps)-1].Arrive.Equal(trip.Arrive) {
		t.Fatalf("steps run %s..%s, trip %s..%s", trip.Steps[0].Depart, trip.Steps[len(trip.Steps)-1].Arrive, trip.Depart, trip.Arrive)
	}
	for i, s := range trip.Steps {
		if i > 0 {
			if p := trip.Steps[i-1]; !p.Arrive.Equal(s.Depart) || p.ToID != s.FromID {
				t.Fatalf("step %d (%s %s->%s at %s) does not continue step %d (%s->%s, arriving %s)",
					i, s.Mode, s.FromID, s.ToID, s.Depart, i-1, p.FromID, p.ToID, p.Arrive)
			}
			if got := int(s.Arrive.Sub(s.Depart) / time.Minute); got != s.Minutes {
				t.Fatalf("step %d: %d minutes between depart and arrive, says %d", i, got, s.Minutes)
			}
		}
		switch s.Mode {
		case travel.ModeWalk, travel.ModeShuttle, travel.ModeMonorail:
			if len(s.Path) < 2 || s.Meters <= 0 {
				t.Fatalf("step %d (%s %s->%s): path of %d points, %d m", i, s.Mode, s.FromID, s.ToID, len(s.Path), s.Meters)
			}
		}
	}
}

func TestServiceHours(t *testing.T) {
	m, snap := demoModel(t)
	a := roomsOf(snap, demo.VenueVenetian)[0]
	b := roomsOf(snap, demo.VenueMandalayBay)[0]
	tests := []struct {
		name     string
		depart   time.Time
		wantMode string
	}{
		{"before service, 05:00", at(snap, 1, 5, 0), travel.ModeWalk},
		{"in service, 14:00", at(snap, 1, 14, 0), travel.ModeShuttle},
		{"after service, 23:00", at(snap, 1, 23, 0), travel.ModeWalk},
		{"after service, 20:45", at(snap, 1, 20, 45), travel.ModeWalk},
		{"the day after the conference, 14:00", at(snap, 4, 14, 0), travel.ModeWalk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trip, err := m.Leg(a, b, tt.depart)
			if err != nil {
				t.Fatal(err)
			}
			if trip.Mode != tt.wantMode {
				t.Fatalf("mode %s, want %s (%d min)", trip.Mode, tt.wantMode, trip.Minutes)
			}
			for _, s := range trip.Steps {
				if tt.wantMode == travel.ModeWalk && (s.Mode == travel.ModeShuttle || s.Mode == travel.ModeWait || s.Mode == travel.ModeMonorail) {
					t.Fatalf("a %s step outside service hours", s.Mode)
				}
			}
			checkSteps(t, trip)
		})
	}
}

func TestMonorail(t *testing.T) {
	m, snap := demoModel(t)
	const line = "las-vegas-monorail"
	dep, minutes, ok := m.Ride(line, at(snap, 0, 6, 30))
	if !ok || !dep.Equal(at(snap, 0, 7, 0)) || minutes < 13 || minutes > 17 {
		t.Fatalf("monorail asked at 06:30: departs %s, %d min, ok=%v; want 07:00, about 15 min", dep.Format(time.Kitchen), minutes, ok)
	}
	if _, _, ok := m.Ride(line, at(snap, 0, 20, 45)); ok {
		t.Fatal("a monorail after 20:30")
	}
	// Caesars Forum to MGM Grand: the monorail is the fastest at some
	// minutes of the day, never before it opens.
	used := 0
	for min := 5 * 60; min < 21*60; min++ {
		trip, err := m.Between(demo.VenueCaesarsForum, demo.VenueMGMGrand, at(snap, 0, min/60, min%60))
		if err != nil {
			t.Fatal(err)
		}
		if trip.Mode != travel.ModeMonorail {
			continue
		}
		used++
		if min < 7*60-3 {
			t.Fatalf("monorail trip leaving at %02d:%02d, before the monorail opens", min/60, min%60)
		}
		rs := rides(trip)
		if len(rs) != 1 || rs[0].FromID != "monorail-harrahs-linq" || rs[0].ToID != "monorail-mgm-grand" {
			t.Fatalf("monorail trip rides %+v", rs)
		}
		checkSteps(t, trip)
	}
	if used == 0 {
		t.Fatal("the monorail is never the fastest way from Caesars Forum to MGM Grand")
	}
}

func TestPeakSlowerThanOffPeak(t *testing.T) {
	m, snap := demoModel(t)
	a := roomsOf(snap, demo.VenueVenetian)[0]
	b := roomsOf(snap, demo.VenueMandalayBay)[0]
	offPeak, err := m.Leg(a, b, at(snap, 1, 14, 0))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		depart time.Time
	}{
		{"morning peak", at(snap, 0, 8, 30)},
		{"lunch peak", at(snap, 0, 12, 30)},
		{"evening peak", at(snap, 0, 17, 30)},
		{"after Tuesday's keynote", at(snap, 1, 10, 35)},
		{"after Wednesday's afternoon keynote", at(snap, 2, 16, 35)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peak, err := m.Leg(a, b, tt.depart)
			if err != nil {
				t.Fatal(err)
			}
			if peak.Minutes <= offPeak.Minutes+5 {
				t.Fatalf("at %s: %d min, off-peak %d min; want the peak clearly slower", tt.depart.Format(time.Kitchen), peak.Minutes, offPeak.Minutes)
			}
		})
	}
}

func TestTriangle(t *testing.T) {
	m, snap := demoModel(t)
	rooms := snap.Conf.Rooms
	rng := rand.New(rand.NewPCG(3, 5))
	first, end := m.DaySpan()
	worst := int32(0)
	for range 20000 {
		a, _ := m.RoomIndex(rooms[rng.IntN(len(rooms))].ID)
		b, _ := m.RoomIndex(rooms[rng.IntN(len(rooms))].ID)
		c, _ := m.RoomIndex(rooms[rng.IntN(len(rooms))].ID)
		depart := first + int32(rng.IntN(int(end-first)))
		direct := m.ArriveBy(a, c, depart)
		via := m.ArriveBy(b, c, m.ArriveBy(a, b, depart))
		worst = max(worst, direct-via)
	}
	// Going through a third room is never much faster than going directly
	// (a room reached from another entrance of the same venue may save a
	// few minutes inside).
	if worst > 5 {
		t.Fatalf("a detour through a third room beats the direct trip by %d minutes", worst)
	}
}

func TestSameRoomAndInside(t *testing.T) {
	m, snap := demoModel(t)
	depart := at(snap, 0, 10, 0)
	room := func(id string) string {
		if _, ok := snap.Room(id); !ok {
			t.Fatalf("the demo has no room %q", id)
		}
		return id
	}
	tests := []struct {
		name     string
		from, to string
		minutes  int
		mode     string
		steps    int
	}{
		{"same room", room(demo.KeynoteHallID), room(demo.KeynoteHallID), 0, travel.ModeInside, 0},
		// Venetian: 6 min on a level, 4 more per level, at most out and in
		// through the entrance.
		{"same level", room("venetian-l2-hall-a"), room("venetian-l2-hall-c"), 6, travel.ModeInside, 1},
		{"one level up", room("venetian-l2-hall-a"), room("venetian-l3-lido-3001"), 10, travel.ModeInside, 1},
		{"three levels up", room("venetian-l2-hall-a"), room("venetian-l5-palazzo-ballroom-a"), 18, travel.ModeInside, 1},
		{"Wynn to Encore inside", room("wynn-l1-latour-1"), room("wynn-l3-encore-chopin-1"), 11, travel.ModeInside, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trip, err := m.Leg(tt.from, tt.to, depart)
			if err != nil {
				t.Fatal(err)
			}
			if trip.Minutes != tt.minutes || trip.Mode != tt.mode || len(trip.Steps) != tt.steps {
				t.Fatalf("%d min, %s, %d steps; want %d min, %s, %d steps", trip.Minutes, trip.Mode, len(trip.Steps), tt.minutes, tt.mode, tt.steps)
			}
			for _, s := range trip.Steps {
				if s.Mode != travel.ModeInside {
					t.Fatalf("a %s step inside one venue", s.Mode)
				}
			}
			checkSteps(t, trip)
		})
	}
}

func TestUnknownRoom(t *testing.T) {
	m, snap := demoModel(t)
	known := snap.Conf.Rooms[0].ID
	for _, pair := range [][2]string{{"nowhere", known}, {known, "nowhere"}} {
		_, err := m.Leg(pair[0], pair[1], at(snap, 0, 10, 0))
		if !errcode.Is(err, errcode.NotFound) || !strings.Contains(err.Error(), "nowhere") {
			t.Fatalf("Leg(%q, %q): %v, want not_found naming the room", pair[0], pair[1], err)
		}
	}
}

// fallbackConference has no travel model: three re:Invent venues known by
// name only, one unknown venue without coordinates and one with them.
func fallbackConference() *conference.Conference {
	c := &conference.Conference{
		Format: conference.FormatVersion, ID: "import", Name: "Imported", TimeZone: "America/Los_Angeles",
		Days: []string{"2026-12-01", "2026-12-02"},
		Venues: []conference.Venue{
			{ID: "v1", Name: "The Venetian"},
			{ID: "v2", Name: "Caesars Forum"},
			{ID: "mandalay-bay", Name: "MB"},
			{ID: "v4", Name: "Somewhere Hall"},
			{ID: "v5", Name: "Downtown", Lat: 36.1699, Lon: -115.1398},
		},
	}
	for _, v := range c.Venues {
		c.Rooms = append(c.Rooms, conference.Room{ID: v.ID + "-r1", VenueID: v.ID, Level: "Level 1", Name: "Room 1"},
			conference.Room{ID: v.ID + "-r2", VenueID: v.ID, Level: "Level 3", Name: "Room 2"})
	}
	return c
}

func TestFallbackEstimate(t *testing.T) {
	c := fallbackConference()
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := travel.Compile(snap)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Estimate() {
		t.Fatal("Estimate() = false for a conference without a travel model")
	}
	walk := func(a, b [2]float64) int { // straight line × detour at walking speed, plus both inside walks
		meters := conference.DistanceMeters(a, b) * travel.DetourFactor
		return int(math.Ceil(meters/conference.DefaultWalkSpeed/60)) + 2*conference.DefaultAccessMinutes
	}
	venetian, forum := [2]float64{-115.1693, 36.1217}, [2]float64{-115.1662, 36.1190}
	mandalay, downtown := [2]float64{-115.1758, 36.0923}, [2]float64{-115.1398, 36.1699}
	tests := []struct {
		from, to string
		minutes  int
	}{
		{"v1-r1", "v2-r1", walk(venetian, forum)},
		{"v1-r2", "mandalay-bay-r1", walk(venetian, mandalay)},
		{"v5-r1", "v2-r2", walk(downtown, forum)},
		{"v4-r1", "v1-r1", travel.UnlocatedMinutes + 2*conference.DefaultAccessMinutes},
		{"v5-r1", "v4-r2", travel.UnlocatedMinutes + 2*conference.DefaultAccessMinutes},
		// Two levels apart, or out through the door and back in if shorter.
		{"v1-r1", "v1-r2", min(conference.DefaultSameLevelMinutes+2*conference.DefaultLevelChangeMinutes, 2*conference.DefaultAccessMinutes)},
		{"v1-r1", "v1-r1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.from+"-"+tt.to, func(t *testing.T) {
			for _, depart := range []time.Time{
				time.Date(2026, 12, 1, 17, 30, 0, 0, snap.Loc), time.Date(2026, 12, 5, 3, 0, 0, 0, snap.Loc),
			} {
				trip, err := m.Leg(tt.from, tt.to, depart)
				if err != nil {
					t.Fatal(err)
				}
				if trip.Minutes != tt.minutes || !trip.Estimate {
					t.Fatalf("%d min, estimate=%v; want %d min, estimate", trip.Minutes, trip.Estimate, tt.minutes)
				}
				checkStepsNoGeometry(t, trip)
			}
		})
	}
}

// checkStepsNoGeometry is checkSteps for the fallback, whose walks to a
// venue without coordinates have no path.
func checkStepsNoGeometry(t *testing.T, trip travel.Trip) {
	t.Helper()
	for i := 1; i < len(trip.Steps); i++ {
		if !trip.Steps[i-1].Arrive.Equal(trip.Steps[i].Depart) {
			t.Fatalf("step %d does not continue step %d", i, i-1)
		}
	}
}

// TestPartialModel: a venue the model leaves out is reached by an estimate;
// trips among modelled venues stay exact.
func TestPartialModel(t *testing.T) {
	base, err := demoConference()
	if err != nil {
		t.Fatal(err)
	}
	c := *base
	c.Venues = append(slices.Clone(base.Venues), conference.Venue{ID: "linq", Name: "The LINQ", Lat: 36.1178, Lon: -115.1706})
	c.Rooms = append(slices.Clone(base.Rooms), conference.Room{ID: "linq-l1-a", VenueID: "linq", Level: "Level 1", Name: "A"})
	snap, err := conference.NewSnapshot(&c, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := travel.Compile(snap)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, to string
		estimate bool
	}{
		{"venetian-l2-hall-a", "linq-l1-a", true},
		{"linq-l1-a", "mgm-grand-l1-grand-111", true},
		{"venetian-l2-hall-a", "mgm-grand-l1-grand-111", false},
	}
	for _, tt := range tests {
		for _, hour := range []int{3, 14} {
			trip, err := m.Leg(tt.from, tt.to, at(snap, 0, hour, 0))
			if err != nil {
				t.Fatal(err)
			}
			if trip.Estimate != tt.estimate || trip.Minutes <= 0 || trip.Minutes > 120 {
				t.Fatalf("%s -> %s at %02d:00: %d min, estimate=%v; want estimate=%v", tt.from, tt.to, hour, trip.Minutes, trip.Estimate, tt.estimate)
			}
			checkSteps(t, trip)
		}
	}
}

// TestDaylightSavingDay: on the day the clocks go back (25 hours) service
// hours follow the wall clock and the tables stay FIFO.
func TestDaylightSavingDay(t *testing.T) {
	base, err := demoConference()
	if err != nil {
		t.Fatal(err)
	}
	c := *base
	c.Days = []string{"2026-10-31", "2026-11-01", "2026-11-02"}
	c.Sessions, c.Meals, c.Expo = nil, nil, nil
	c.Travel = demo.TravelModel(&c)
	snap, err := conference.NewSnapshot(&c, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := travel.Compile(snap)
	if err != nil {
		t.Fatal(err)
	}
	for day := 31; day <= 33; day++ {
		ask := time.Date(2026, 10, day, 5, 55, 0, 0, snap.Loc)
		dep, _, ok := m.Ride("shuttle-venetian-mgm-grand", ask)
		want := time.Date(2026, 10, day, 6, 0, 0, 0, snap.Loc)
		if want.Weekday() == time.Sunday { // 2026-11-01: shuttles from 09:30 on the Sunday
			want = time.Date(2026, 10, day, 9, 30, 0, 0, snap.Loc)
		}
		if !ok || !dep.Equal(want) {
			t.Fatalf("first shuttle on %s: %s, ok=%v; want %s", ask.Format(time.DateOnly), dep, ok, want)
		}
	}
	first, end := m.DaySpan()
	if end-first != 3*1440+60 {
		t.Fatalf("the three days span %d minutes, want %d", end-first, 3*1440+60)
	}
	for a := range m.EntranceCount() {
		for b := range m.EntranceCount() {
			prev := int32(math.MinInt32)
			for min := first; min < end; min++ {
				arr := m.EntranceArrive(a, b, min)
				if arr < prev || arr < min {
					t.Fatalf("entrances %d -> %d: not FIFO at minute %d", a, b, min)
				}
				prev = arr
			}
		}
	}
}

func TestValidateTravelModel(t *testing.T) {
	base, err := demoConference()
	if err != nil {
		t.Fatal(err)
	}
	if probs := conference.Validate(base, conference.ValidateOptions{}); len(probs) > 0 {
		t.Fatalf("the demo's model has problems: %v", probs)
	}
	tests := []struct {
		name   string
		break_ func(tm *conference.TravelModel)
		path   string
	}{
		{"unknown venue", func(tm *conference.TravelModel) { tm.Entrances[1].VenueID = "bellagio" }, "travel.entrances[1].venueId"},
		{"bad coordinate in a path", func(tm *conference.TravelModel) { tm.WalkLinks[3].Path[2] = [2]float64{-215.17, 36.12} }, "travel.walkLinks[3].path[2]"},
		{"lat and lon swapped", func(tm *conference.TravelModel) { tm.WalkLinks[0].Path[1] = [2]float64{36.12, -115.17} }, "travel.walkLinks[0].path[1]"},
		{"path of one point", func(tm *conference.TravelModel) { tm.WalkLinks[2].Path = tm.WalkLinks[2].Path[:1] }, "travel.walkLinks[2].path"},
		{"walk shorter than the straight line", func(tm *conference.TravelModel) { tm.WalkLinks[4].Meters = 300 }, "travel.walkLinks[4].meters"},
		{"unknown entrance in a link", func(tm *conference.TravelModel) { tm.WalkLinks[1].ToID = "nowhere" }, "travel.walkLinks[1].toId"},
		{"shuttle hours ending before they start", func(tm *conference.TravelModel) { tm.Shuttles[2].Service[0].End = "05:30" }, "travel.shuttles[2].service[0].end"},
		{"service hour not a time", func(tm *conference.TravelModel) { tm.Monorail[0].Service[0].Start = "7am" }, "travel.monorail[0].service[0].start"},
		{"negative room minutes", func(tm *conference.TravelModel) { tm.Rooms[5].Minutes = -4 }, "travel.rooms[5].minutes"},
		{"room entrance of another venue", func(tm *conference.TravelModel) { tm.Rooms[0].EntranceID = "mandalay-bay" }, "travel.rooms[0].entranceId"},
		{"negative stop access", func(tm *conference.TravelModel) { tm.Stops[0].Access[0].Minutes = -1 }, "travel.stops[0].access[0].minutes"},
		{"negative ride", func(tm *conference.TravelModel) { tm.Shuttles[1].Stops[1].RideMinutes = -10 }, "travel.shuttles[1].stops[1].rideMinutes"},
		{"no headway", func(tm *conference.TravelModel) { tm.Shuttles[0].HeadwayMinutes = 0 }, "travel.shuttles[0].headwayMinutes"},
		{"unknown stop", func(tm *conference.TravelModel) { tm.Monorail[0].Stops[2].StopID = "monorail-sahara" }, "travel.monorail[0].stops[2].stopId"},
		{"zero peak factor", func(tm *conference.TravelModel) { tm.Shuttles[0].Profile.Peaks[0].Factor = 0 }, "travel.shuttles[0].profile.peaks[0].factor"},
		{"negative walking speed", func(tm *conference.TravelModel) { tm.WalkSpeed = -1 }, "travel.walkSpeed"},
		{"duplicate entrance", func(tm *conference.TravelModel) {
			tm.Entrances = append(tm.Entrances, tm.Entrances[0])
		}, "travel.entrances[6].id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := *base
			c.Travel = cloneModel(t, base.Travel)
			tt.break_(c.Travel)
			_, err := conference.NewSnapshot(&c, 1, conference.ValidateOptions{})
			var verr *conference.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("NewSnapshot: %v, want a validation error", err)
			}
			found := false
			for _, p := range verr.Problems {
				if p.Path == tt.path && !p.Warning {
					found = true
				} else if !p.Warning {
					t.Errorf("another problem: %s", p)
				}
			}
			if !found {
				t.Fatalf("no problem at %s; got %v", tt.path, verr.Problems)
			}
		})
	}
}

// cloneModel deep-copies a model through its JSON form (which also checks
// the native file's field names).
func cloneModel(t *testing.T, tm *conference.TravelModel) *conference.TravelModel {
	t.Helper()
	b, err := json.Marshal(tm)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"walkLinks"`, `"entranceId"`, `"headwayMinutes"`, `"keynoteRush"`, `"rideMinutes"`} {
		if !strings.Contains(string(b), key) {
			t.Fatalf("the JSON form lacks %s", key)
		}
	}
	var out conference.TravelModel
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func BenchmarkLeg(b *testing.B) {
	m, snap := demoModel(b)
	rooms := snap.Conf.Rooms
	rng := rand.New(rand.NewPCG(1, 2))
	type query struct {
		from, to string
		at       time.Time
	}
	qs := make([]query, 1024)
	for i := range qs {
		qs[i] = query{rooms[rng.IntN(len(rooms))].ID, rooms[rng.IntN(len(rooms))].ID,
			at(snap, rng.IntN(4), 7+rng.IntN(12), rng.IntN(60))}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := &qs[i&1023]
		if _, err := m.Leg(q.from, q.to, q.at); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkArriveBy(b *testing.B) {
	m, snap := demoModel(b)
	n := int32(len(snap.Conf.Rooms))
	first, end := m.DaySpan()
	rng := rand.New(rand.NewPCG(1, 2))
	qs := make([][3]int32, 1024)
	for i := range qs {
		qs[i] = [3]int32{rng.Int32N(n), rng.Int32N(n), first + rng.Int32N(end-first)}
	}
	b.ReportAllocs()
	i, sink := 0, int32(0)
	for b.Loop() {
		q := &qs[i&1023]
		sink += m.ArriveBy(q[0], q[1], q[2])
		i++
	}
	_ = sink
}

func BenchmarkCompile(b *testing.B) {
	_, snap := demoModel(b) // the demo: 4 days
	b.ReportAllocs()
	for b.Loop() {
		if _, err := travel.Compile(snap); err != nil {
			b.Fatal(err)
		}
	}
}
