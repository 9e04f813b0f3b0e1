package planner_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/travel"
)

// The small test campus: venues a and b 800 m apart (walk), c far from
// both and linked to b by a shuttle (8 min off-peak, 3× from 16:00 to
// 18:00). Lunch is served at a and b only.
const (
	smallZone = "America/Los_Angeles"
	day1      = "2026-12-01"
	day2      = "2026-12-02"
)

func smallCampus() *conference.Conference {
	c := &conference.Conference{
		Format: conference.FormatVersion, ID: "small", Name: "Small", TimeZone: smallZone,
		Days: []string{day1, day2},
		Venues: []conference.Venue{
			{ID: "a", Name: "A", Lat: 36.1200, Lon: -115.1700},
			{ID: "b", Name: "B", Lat: 36.1272, Lon: -115.1700},
			{ID: "c", Name: "C", Lat: 36.1500, Lon: -115.1700},
		},
	}
	for _, v := range c.Venues {
		for i := 1; i <= 3; i++ {
			c.Rooms = append(c.Rooms, conference.Room{ID: fmt.Sprintf("%s%d", v.ID, i), VenueID: v.ID,
				Level: fmt.Sprintf("Level %d", i), Name: fmt.Sprintf("Room %d", i), Capacity: 100})
		}
	}
	loc, _ := time.LoadLocation(smallZone)
	for _, d := range c.Days {
		for _, v := range []string{"a", "b"} {
			c.Meals = append(c.Meals, conference.Meal{VenueID: v, Kind: "lunch", Start: clock(loc, d, "11:00"), End: clock(loc, d, "13:00")})
		}
	}
	c.Travel = &conference.TravelModel{
		DefaultAccessMinutes: 3,
		Entrances: []conference.Entrance{
			{ID: "a-main", VenueID: "a", Name: "A", Lat: 36.1200, Lon: -115.1700},
			{ID: "b-main", VenueID: "b", Name: "B", Lat: 36.1272, Lon: -115.1700},
			{ID: "c-main", VenueID: "c", Name: "C", Lat: 36.1500, Lon: -115.1700},
		},
		WalkLinks: []conference.WalkLink{
			{FromID: "a-main", ToID: "b-main", Meters: 800, Path: [][2]float64{{-115.17, 36.12}, {-115.17, 36.1272}}},
			{FromID: "b-main", ToID: "c-main", Meters: 3000, Path: [][2]float64{{-115.17, 36.1272}, {-115.17, 36.15}}},
		},
		Stops: []conference.TransitStop{
			{ID: "stop-b", Name: "B stop", Lat: 36.1272, Lon: -115.1701, Access: []conference.StopAccess{{EntranceID: "b-main", Minutes: 1}}},
			{ID: "stop-c", Name: "C stop", Lat: 36.1500, Lon: -115.1701, Access: []conference.StopAccess{{EntranceID: "c-main", Minutes: 1}}},
		},
		Shuttles: []conference.TransitLine{{
			ID: "shuttle-b-c", Name: "Shuttle B – C",
			Stops:          []conference.LineStop{{StopID: "stop-b"}, {StopID: "stop-c", RideMinutes: 8}},
			Service:        []conference.ServiceHours{{Start: "07:00", End: "20:00"}},
			HeadwayMinutes: 5,
			Profile:        conference.RideProfile{Peaks: []conference.RidePeak{{Name: "evening", Start: "16:00", End: "18:00", Factor: 3}}},
		}},
	}
	return c
}

func clock(loc *time.Location, day, hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, loc)
	if err != nil {
		panic(err)
	}
	return t
}

type world struct {
	snap *conference.Snapshot
	tm   *travel.Model
}

func compile(tb testing.TB, c *conference.Conference) world {
	tb.Helper()
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{RoomOverlapIsWarning: true})
	if err != nil {
		tb.Fatal(err)
	}
	tm, err := travel.Compile(snap)
	if err != nil {
		tb.Fatal(err)
	}
	return world{snap, tm}
}

func (w world) at(day, hhmm string) time.Time { return clock(w.snap.Loc, day, hhmm) }

// session adds a sitting to a conference under construction.
func session(c *conference.Conference, id, group, room, day, start string, minutes int) *conference.Session {
	loc, _ := time.LoadLocation(c.TimeZone)
	s := conference.Session{ID: id, Title: "Talk " + id, Type: conference.TypeBreakout, RoomID: room,
		Start: clock(loc, day, start), RepeatGroup: group, Reservable: true}
	s.End = s.Start.Add(time.Duration(minutes) * time.Minute)
	c.Sessions = append(c.Sessions, s)
	return &c.Sessions[len(c.Sessions)-1]
}

// demoWorld is the demo conference (Monday 2026-11-30 to Thursday), built
// once and never modified.
var demoWorld = sync.OnceValues(func() (world, error) {
	c, err := demo.Generate(demo.Options{Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return world{}, err
	}
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{RoomOverlapIsWarning: true})
	if err != nil {
		return world{}, err
	}
	tm, err := travel.Compile(snap)
	if err != nil {
		return world{}, err
	}
	return world{snap, tm}, nil
})

func demoW(tb testing.TB) world {
	tb.Helper()
	w, err := demoWorld()
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// demoGroups lists the demo's contents (not keynotes) with at least min
// sittings, in a stable order.
func demoGroups(w world, min int) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range w.snap.Conf.Sessions {
		g := s.Group()
		if seen[g] || s.Type == conference.TypeKeynote {
			continue
		}
		seen[g] = true
		if len(w.snap.Sittings(g)) >= min {
			out = append(out, g)
		}
	}
	return out
}

var priorities = []string{"must", "want", "maybe"}

// randomWishes picks n distinct contents from groups.
func randomWishes(rng *rand.Rand, w world, groups []string, n int) []wishT {
	perm := rng.Perm(len(groups))
	out := make([]wishT, 0, n)
	for _, i := range perm[:min(n, len(groups))] {
		sits := w.snap.Sittings(groups[i])
		out = append(out, wishT{SessionID: sits[rng.IntN(len(sits))].ID, Priority: priorities[rng.IntN(3)]})
	}
	return out
}
