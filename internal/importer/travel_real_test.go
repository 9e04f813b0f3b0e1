package importer

import (
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/live"
	"venuehop/internal/shareddata"
	"venuehop/internal/store/sqlite"
	"venuehop/internal/travel"
	"venuehop/internal/venuepack"
)

// importShared imports a shared data file into a fresh SQLite store
// through the importer, as `venuehop import` does, and returns the live
// state.
func importShared(t *testing.T, rel, zone string, travelOpt TravelOptions) (*live.State, *Summary) {
	t.Helper()
	path := shareddata.Path(t, rel)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	im, closeIm, err := Open(ctx, st.Stores(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer closeIm()
	sum, err := im.Import(ctx, f, Options{TimeZone: zone, Name: rel, Travel: travelOpt})
	if err != nil {
		t.Fatal(err)
	}
	return im.Live.Load(), sum
}

func pack(t *testing.T, id string) *venuepack.Pack {
	t.Helper()
	p, err := venuepack.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func timetable(t *testing.T, rel string) *venuepack.Timetable {
	t.Helper()
	f, err := os.Open(shareddata.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tt, err := venuepack.ReadTimetable(f, "agenda.csv")
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

const (
	reinvent2024 = "reinvent-2024-schedule/all_sessions_filtered.csv"
	agenda2024   = "reinvent-2024-schedule/agenda.csv"
	fosdem2025   = "fosdem-schedules/fosdem-2025.xml"
)

// firstRoomOf returns the first room of a venue.
func firstRoomOf(t *testing.T, snap *conference.Snapshot, venue string) string {
	t.Helper()
	for _, r := range snap.Conf.Rooms {
		if r.VenueID == venue {
			return r.ID
		}
	}
	t.Fatalf("no room in venue %s", venue)
	return ""
}

func at(t *testing.T, snap *conference.Snapshot, day string, minute int) time.Time {
	t.Helper()
	tm, err := conference.ClockOn(day, minute, snap.Loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

var fiveVenues = []string{"venetian", "wynn", "caesars-forum", "mgm-grand", "mandalay-bay"}

// The real re:Invent 2024 catalog imported with the Strip pack: the
// shuttle carries people between Mandalay Bay and Wynn at 14:00 every day,
// and no trip between the five venues is an estimate, at any hour.
func TestReInvent2024WithStripPack(t *testing.T) {
	st, sum := importShared(t, reinvent2024, "America/Los_Angeles", TravelOptions{Pack: pack(t, venuepack.StripID)})
	if sum.Travel.Pack == nil || len(sum.Travel.Pack.Matched) != 5 || len(sum.Travel.Pack.Unmatched) != 0 {
		t.Fatalf("pack summary %+v", sum.Travel.Pack)
	}
	snap, m := st.Snap, st.Travel
	if m.Estimate() || snap.Conf.Travel.Pack.ID != venuepack.StripID {
		t.Fatal("the import with the Strip pack has no model of its own")
	}
	mandalay, wynn := firstRoomOf(t, snap, "mandalay-bay"), firstRoomOf(t, snap, "wynn")
	for _, day := range snap.Conf.Days {
		for _, pair := range [][2]string{{"mandalay-bay", "wynn"}, {"wynn", "mandalay-bay"}} {
			trip, err := m.Between(pair[0], pair[1], at(t, snap, day, 14*60))
			if err != nil {
				t.Fatal(err)
			}
			if trip.Mode != travel.ModeShuttle || trip.Estimate {
				t.Errorf("%s 14:00 %s → %s: %d min by %s (estimate %v), want the shuttle", day, pair[0], pair[1], trip.Minutes, trip.Mode, trip.Estimate)
			}
		}
		leg, err := m.Leg(mandalay, wynn, at(t, snap, day, 14*60))
		if err != nil {
			t.Fatal(err)
		}
		if leg.Mode != travel.ModeShuttle || !hasStep(leg, travel.ModeShuttle) {
			t.Errorf("%s 14:00 room %s → %s: %s, want a shuttle leg", day, mandalay, wynn, leg.Mode)
		}
		for _, minute := range []int{3 * 60, 7 * 60, 8*60 + 30, 12 * 60, 14 * 60, 17*60 + 30, 22 * 60} {
			for _, a := range fiveVenues {
				for _, b := range fiveVenues {
					if a == b {
						continue
					}
					trip, err := m.Between(a, b, at(t, snap, day, minute))
					if err != nil {
						t.Fatal(err)
					}
					if trip.Estimate {
						t.Errorf("%s %02d:%02d %s → %s is an estimate (%d min %s)", day, minute/60, minute%60, a, b, trip.Minutes, trip.Mode)
					}
				}
			}
		}
	}
}

func hasStep(trip travel.Trip, mode string) bool {
	for _, s := range trip.Steps {
		if s.Mode == mode {
			return true
		}
	}
	return false
}

// agendaHours reads the shuttle or monorail windows of agenda.csv, by day,
// independently of the reader under test: the rows whose event names the
// mode, "HH:MM AM - HH:MM PM".
func agendaHours(t *testing.T, mode string) map[string][][2]int {
	t.Helper()
	f, err := os.Open(shareddata.Path(t, agenda2024))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1 // the last row lacks its empty Notes cell
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][2]int{}
	for _, r := range rows[1:] {
		if !strings.Contains(strings.ToLower(r[2]), mode) {
			continue
		}
		var h1, m1, h2, m2 int
		var p1, p2 string
		if _, err := fmt.Sscanf(r[1], "%d:%d %s - %d:%d %s", &h1, &m1, &p1, &h2, &m2, &p2); err != nil {
			t.Fatalf("agenda time %q: %v", r[1], err)
		}
		conv := func(h, m int, p string) int {
			h %= 12
			if p == "PM" {
				h += 12
			}
			return h*60 + m
		}
		s, e := conv(h1, m1, p1), conv(h2, m2, p2)
		if e <= s {
			e = 24 * 60 // past midnight: to the end of the day here
		}
		out[r[0]] = append(out[r[0]], [2]int{s, e})
	}
	return out
}

// The same catalog with the official agenda's shuttle and monorail hours:
// no trip between the five venues rides a shuttle or the monorail outside
// the hours the agenda lists for that day, while within them it does.
func TestReInvent2024AgendaHours(t *testing.T) {
	st, sum := importShared(t, reinvent2024, "America/Los_Angeles",
		TravelOptions{Pack: pack(t, venuepack.StripID), Timetable: timetable(t, agenda2024)})
	if sum.Travel.Timetable == nil || len(sum.Travel.Timetable.Lines) != 9 {
		t.Fatalf("timetable summary %+v", sum.Travel.Timetable)
	}
	snap, m := st.Snap, st.Travel
	hours := map[string]map[string][][2]int{travel.ModeShuttle: agendaHours(t, "shuttle"), travel.ModeMonorail: agendaHours(t, "monorail")}
	inside := func(mode, day string, minute int) bool {
		for _, w := range hours[mode][day] {
			if minute >= w[0] && minute < w[1] {
				return true
			}
		}
		return false
	}
	rides := map[string]int{}
	for _, day := range snap.Conf.Days {
		midnight := at(t, snap, day, 0)
		for minute := 0; minute < 24*60; minute += 5 {
			for _, a := range fiveVenues {
				for _, b := range fiveVenues {
					if a == b {
						continue
					}
					trip, err := m.Between(a, b, at(t, snap, day, minute))
					if err != nil {
						t.Fatal(err)
					}
					for _, s := range trip.Steps {
						if s.Mode != travel.ModeShuttle && s.Mode != travel.ModeMonorail {
							continue
						}
						dep := int(s.Depart.Sub(midnight) / time.Minute)
						if snap.Day(s.Depart) != day || !inside(s.Mode, day, dep) {
							t.Errorf("%s %02d:%02d %s → %s rides the %s at %s, outside the agenda's hours %v", day, minute/60, minute%60,
								a, b, s.Mode, snap.Local(s.Depart).Format("Jan 2 15:04"), hours[s.Mode][day])
						}
						rides[s.Mode]++
					}
				}
			}
		}
	}
	if rides[travel.ModeShuttle] == 0 {
		t.Error("no trip rides a shuttle at all: the check above proves nothing")
	}
	t.Logf("legs checked: %v", rides)
	// Friday: only the routes serving Caesars Forum and the Venetian run;
	// Wynn → Mandalay Bay changes at Caesars Forum.
	fri := "2024-12-06"
	for minute := 6 * 60; minute < 14*60; minute += 10 {
		for _, a := range fiveVenues {
			for _, b := range fiveVenues {
				trip, _ := m.Between(a, b, at(t, snap, fri, minute))
				for _, s := range trip.Steps {
					if s.Mode == travel.ModeShuttle && !strings.Contains(s.FromID+s.ToID, "caesars-forum") && !strings.Contains(s.FromID+s.ToID, "venetian") {
						t.Errorf("Friday %02d:%02d %s → %s rides %s → %s, a route serving neither Caesars Forum nor the Venetian", minute/60, minute%60, a, b, s.FromID, s.ToID)
					}
				}
			}
		}
	}
	trip, _ := m.Between("venetian", "mandalay-bay", at(t, snap, fri, 10*60))
	if trip.Mode != travel.ModeShuttle {
		t.Errorf("Friday 10:00 Venetian → Mandalay Bay: %s, want the shuttle (a route serving the Venetian)", trip.Mode)
	}
	// The Shuttles page's board says the same.
	for _, l := range m.Board(at(t, snap, fri, 10*60), 6).Lines {
		switch l.ID {
		case "shuttle-wynn-mgm-grand":
			if len(l.Today) != 0 || !l.Now.Next.IsZero() {
				t.Errorf("Friday: %s shows hours %v, next %v; the agenda runs it not at all", l.ID, l.Today, l.Now.Next)
			}
		case "shuttle-venetian-mgm-grand":
			if len(l.Today) != 1 || l.Today[0].Start != "06:30" || l.Today[0].End != "13:00" || !l.Now.Running {
				t.Errorf("Friday: %s today %v, running %v; want 06:30–13:00", l.ID, l.Today, l.Now.Running)
			}
		}
	}
}

// FOSDEM 2025 with the campus pack: building K to building H, room to
// room, in at most 8 minutes (about 320 m between the doors).
func TestFOSDEM2025WithCampusPack(t *testing.T) {
	st, sum := importShared(t, fosdem2025, "", TravelOptions{Pack: pack(t, venuepack.ULBID)})
	if p := sum.Travel.Pack; p == nil || len(p.Matched) != 5 {
		t.Fatalf("pack summary %+v", sum.Travel.Pack)
	}
	snap, m := st.Snap, st.Travel
	room := func(name string) string {
		for _, r := range snap.Conf.Rooms {
			if strings.HasPrefix(r.Name, name) {
				return r.ID
			}
		}
		t.Fatalf("no room %s", name)
		return ""
	}
	sat := at(t, snap, snap.Conf.Days[0], 11*60)
	for _, pair := range [][2]string{{"K.1.105", "H.1301"}, {"H.1301", "K.1.105"}, {"K.1.105", "H.2215"}, {"H.1308", "K.1.105"}} {
		leg, err := m.Leg(room(pair[0]), room(pair[1]), sat)
		if err != nil {
			t.Fatal(err)
		}
		if leg.Minutes > 8 || leg.Estimate || leg.Mode != travel.ModeWalk {
			t.Errorf("%s → %s: %d min %s (estimate %v), want a walk of at most 8 minutes", pair[0], pair[1], leg.Minutes, leg.Mode, leg.Estimate)
		}
	}
	door, err := m.Between("k", "h", sat)
	if err != nil {
		t.Fatal(err)
	}
	if door.Minutes < 3 || door.Minutes > 5 {
		t.Errorf("door K → door H: %d min, want 4 (about 320 m)", door.Minutes)
	}
	worst := 0
	for _, a := range snap.Conf.Rooms {
		for _, b := range snap.Conf.Rooms {
			if a.VenueID == "k" && b.VenueID == "h" {
				leg, _ := m.Leg(a.ID, b.ID, sat)
				worst = max(worst, leg.Minutes)
			}
		}
	}
	if worst > 10 {
		t.Errorf("the longest K → H room-to-room walk is %d min", worst)
	}
	t.Logf("door to door K → H %d min; the longest room to room (upper floors) %d min", door.Minutes, worst)
}
