package formats

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
)

// realFile is one of the real schedules in ../shared/data.
type realFile struct {
	name     string
	rel      string
	timeZone string // --timezone the file needs
	sessions int
	rooms    int
	venues   int
	zone     string
	days     []string
	check    func(t *testing.T, c *conference.Conference, warnings []conference.Problem)
}

var realFiles = []realFile{
	{name: "reInvent 2024 CSV", rel: "reinvent-2024-schedule/all_sessions_filtered.csv", timeZone: "America/Los_Angeles",
		sessions: 2423, rooms: 193, venues: 5, zone: "America/Los_Angeles",
		days:  []string{"2024-12-01", "2024-12-02", "2024-12-03", "2024-12-04", "2024-12-05", "2024-12-06"},
		check: checkReInvent},
	{name: "FOSDEM 2025 XML", rel: "fosdem-schedules/fosdem-2025.xml",
		sessions: 1105, rooms: 35, venues: 5, zone: "Europe/Brussels", days: []string{"2025-02-01", "2025-02-02"},
		check: checkFOSDEM2025},
	{name: "FOSDEM 2026 XML", rel: "fosdem-schedules/fosdem-2026.xml",
		sessions: 1079, rooms: 37, venues: 5, zone: "Europe/Brussels", days: []string{"2026-01-31", "2026-02-01"}},
	{name: "FOSDEM 2023 XML, old dialect", rel: "fosdem-schedules/fosdem-2023.xml", timeZone: "Europe/Brussels",
		sessions: 780, rooms: 35, venues: 7, zone: "Europe/Brussels", days: []string{"2023-02-04", "2023-02-05"},
		check: checkFOSDEM2023},
	{name: "38C3 XML", rel: "ccc-schedules/38c3-schedule.xml",
		sessions: 1007, rooms: 72, venues: 1, zone: "Europe/Berlin",
		days:  []string{"2024-12-27", "2024-12-28", "2024-12-29", "2024-12-30"},
		check: check38C3},
	{name: "33C3 JSON", rel: "ccc-schedules/33c3-schedule.json", timeZone: "Europe/Berlin",
		sessions: 150, rooms: 4, venues: 1, zone: "Europe/Berlin",
		days:  []string{"2016-12-27", "2016-12-28", "2016-12-29", "2016-12-30"},
		check: check33C3},
	{name: "Camp 2019 JSON", rel: "c3voc-schema/examples/frab-camp2019.json",
		sessions: 79, rooms: 2, venues: 1, zone: "Europe/Berlin",
		days: []string{"2019-08-21", "2019-08-22", "2019-08-23", "2019-08-24", "2019-08-25"}},
	{name: "rC3 pretalx JSON", rel: "c3voc-schema/examples/pretalx-rc3.json", timeZone: "Europe/Berlin",
		sessions: 48, rooms: 5, venues: 1, zone: "Europe/Berlin",
		days: []string{"2020-12-27", "2020-12-28", "2020-12-29", "2020-12-30"}},
	{name: "DemoCon pretalx JSON", rel: "c3voc-schema/examples/pretalx-democon.json",
		sessions: 36, rooms: 2, venues: 1, zone: "UTC", days: []string{"2020-12-14", "2020-12-15", "2020-12-16"}},
	{name: "38C3 schedule2 draft JSON", rel: "c3voc-schema/examples/hub-schedule2.json",
		sessions: 2, rooms: 2, venues: 1, zone: "Europe/Berlin",
		days: []string{"2024-12-27", "2024-12-28", "2024-12-29", "2024-12-30"}},
}

func TestReadRealFiles(t *testing.T) {
	t.Parallel()
	for _, rf := range realFiles {
		t.Run(rf.name, func(t *testing.T) {
			c, warnings, err := readShared(t, rf.rel, ReadOptions{TimeZone: rf.timeZone})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Sessions) != rf.sessions || len(c.Rooms) != rf.rooms || len(c.Venues) != rf.venues {
				t.Errorf("%d sessions, %d rooms, %d venues; want %d, %d, %d",
					len(c.Sessions), len(c.Rooms), len(c.Venues), rf.sessions, rf.rooms, rf.venues)
			}
			if c.TimeZone != rf.zone {
				t.Errorf("time zone %q, want %q", c.TimeZone, rf.zone)
			}
			if strings.Join(c.Days, " ") != strings.Join(rf.days, " ") {
				t.Errorf("days %v, want %v", c.Days, rf.days)
			}
			if probs := conference.Validate(c, conference.ValidateOptions{RoomOverlapIsWarning: true}); hasErrorProblem(probs) {
				t.Errorf("the imported conference does not validate: %v", probs)
			}
			if _, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{RoomOverlapIsWarning: true}); err != nil {
				t.Errorf("snapshot: %v", err)
			}
			for _, w := range warnings {
				if !w.Warning {
					t.Errorf("a warning is not marked as one: %v", w)
				}
			}
			if rf.check != nil {
				rf.check(t, c, warnings)
			}

			// Atomic and stable: the same file imported again gives the same ids.
			again, _, err := readShared(t, rf.rel, ReadOptions{TimeZone: rf.timeZone})
			if err != nil {
				t.Fatal(err)
			}
			for i := range c.Sessions {
				if again.Sessions[i].ID != c.Sessions[i].ID || again.Sessions[i].RepeatGroup != c.Sessions[i].RepeatGroup {
					t.Fatalf("re-import changed session %d's id %s to %s", i, c.Sessions[i].ID, again.Sessions[i].ID)
				}
			}
		})
	}
}

func hasErrorProblem(probs []conference.Problem) bool {
	for _, p := range probs {
		if !p.Warning {
			return true
		}
	}
	return false
}

func sessionByTitle(t *testing.T, c *conference.Conference, title string) *conference.Session {
	t.Helper()
	for i := range c.Sessions {
		if c.Sessions[i].Title == title {
			return &c.Sessions[i]
		}
	}
	t.Fatalf("no session titled %q", title)
	return nil
}

func roomOf(c *conference.Conference, id string) conference.Room {
	for _, r := range c.Rooms {
		if r.ID == id {
			return r
		}
	}
	return conference.Room{}
}

func at(zone string, y int, m time.Month, d, h, min int) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

func checkReInvent(t *testing.T, c *conference.Conference, warnings []conference.Problem) {
	s := sessionByTitle(t, c, "5 reasons why runtime is the key to shifting both left & right (sponsored by Upwind)")
	if !s.Start.Equal(at("America/Los_Angeles", 2024, 12, 3, 16, 0)) || s.Minutes() != 60 {
		t.Errorf("start %v, %d min; want 2024-12-03 16:00 PST, 60 min", s.Start, s.Minutes())
	}
	r := roomOf(c, s.RoomID)
	if r.VenueID != "mandalay-bay" || r.Level != "Level 2 South" || r.Name != "Oceanside B" {
		t.Errorf("room %+v, want Mandalay Bay | Level 2 South | Oceanside B", r)
	}
	if s.Type != conference.TypeBreakout || !s.Reservable || !s.Recorded {
		t.Errorf("type %q reservable %v recorded %v", s.Type, s.Reservable, s.Recorded)
	}
	for _, v := range c.Venues {
		if v.Lat == 0 || v.Lon == 0 || v.Address == "" {
			t.Errorf("venue %+v has no coordinates or address", v)
		}
	}
	unscheduled, withoutRoom := 0, 0
	repeats := map[string]int{}
	for _, s := range c.Sessions {
		if s.Start.IsZero() {
			unscheduled++
		} else if s.RoomID == "" {
			withoutRoom++
		}
		if strings.Contains(s.Title, "REPEAT") {
			t.Errorf("title keeps the repeat marker: %q", s.Title)
		}
		if s.RepeatGroup != "" {
			repeats[s.RepeatGroup]++
		}
	}
	if unscheduled != 15 || withoutRoom != 1 {
		t.Errorf("%d unscheduled (want the 15 N/A rows), %d without a room (want 1: the venue-less re:Play party)", unscheduled, withoutRoom)
	}
	// [REPEAT] sittings share the repeat group of the original.
	var group []conference.Session
	for _, s := range c.Sessions {
		if s.Title == "A capability-oriented approach to defining your cloud architecture" {
			group = append(group, s)
		}
	}
	if len(group) != 2 || group[0].RepeatGroup == "" || group[0].RepeatGroup != group[1].RepeatGroup || group[0].ID == group[1].ID {
		t.Errorf("repeat sittings: %+v", group)
	}
	merged, overlaps := 0, 0
	for _, w := range warnings {
		switch {
		case strings.Contains(w.Message, "exactly: merged"):
			merged++
		case strings.Contains(w.Message, "already holds"):
			overlaps++
			if !strings.HasPrefix(w.Path, "all_sessions_filtered.csv:") {
				t.Errorf("overlap warning not located by line: %v", w)
			}
		}
	}
	if merged != 8 || overlaps == 0 {
		t.Errorf("%d duplicate rows merged (want 8), %d overlap warnings (want some)", merged, overlaps)
	}
}

func checkFOSDEM2025(t *testing.T, c *conference.Conference, _ []conference.Problem) {
	s := sessionByTitle(t, c, "Welcome to FOSDEM 2025")
	if s.ID != "fdbc5919-f702-524c-9331-3a2c670f6ff3" || s.Code != "6712" {
		t.Errorf("id %q code %q: want the guid and the frab id", s.ID, s.Code)
	}
	if !s.Start.Equal(at("Europe/Brussels", 2025, 2, 1, 9, 30)) || s.Minutes() != 20 {
		t.Errorf("start %v, %d min", s.Start, s.Minutes())
	}
	if r := roomOf(c, s.RoomID); r.Name != "Janson" || r.VenueID != "j" {
		t.Errorf("room %+v, want Janson in building J", r)
	}
	if len(s.Speakers) != 2 || s.Speakers[1].Name != `Richard "RichiH" Hartmann` || len(s.Topics) != 1 || s.Topics[0] != "Keynotes" || s.Type != "keynote" {
		t.Errorf("speakers %v topics %v type %q", s.Speakers, s.Topics, s.Type)
	}
	if strings.Contains(s.Abstract, "<p>") || !strings.Contains(s.Abstract, "FOSDEM welcome and opening talk.") {
		t.Errorf("abstract not turned into text: %q", s.Abstract)
	}
	if !s.Recorded || !strings.HasSuffix(s.RecordingURL, ".mp4") {
		t.Errorf("recording %v %q", s.Recorded, s.RecordingURL)
	}
	venues := map[string]int{}
	for _, r := range c.Rooms {
		venues[r.VenueID]++
	}
	if venues["j"] != 1 || venues["k"] != 7 || venues["h"] != 9 || venues["aw"] != 3 || venues["u"] != 15 {
		t.Errorf("rooms per building: %v", venues)
	}
}

func checkFOSDEM2023(t *testing.T, c *conference.Conference, _ []conference.Problem) {
	s := sessionByTitle(t, c, "Welcome to FOSDEM 2023")
	if s.ID != "15059" || !s.Start.Equal(at("Europe/Brussels", 2023, 2, 4, 9, 30)) || s.Minutes() != 25 {
		t.Errorf("id %q start %v %d min", s.ID, s.Start, s.Minutes())
	}
	test := sessionByTitle(t, c, "Test talk number 1")
	if r := roomOf(c, test.RoomID); r.Name != "D.test" || r.VenueID != "online" {
		t.Errorf("D.test room %+v, want the online venue", r)
	}
	for _, v := range c.Venues {
		if v.ID == "online" && (v.Lat != 0 || v.Lon != 0) {
			t.Errorf("online venue has coordinates: %+v", v)
		}
	}
}

func check38C3(t *testing.T, c *conference.Conference, _ []conference.Problem) {
	s := sessionByTitle(t, c, "38C3: Opening Ceremony")
	if s.ID != "270fa44c-821a-577f-8ca3-33e8d4a8c2a7" || !s.Start.Equal(at("Europe/Berlin", 2024, 12, 27, 10, 30)) || s.Minutes() != 30 {
		t.Errorf("id %q start %v %d min", s.ID, s.Start, s.Minutes())
	}
	if r := roomOf(c, s.RoomID); r.Name != "Saal 1" {
		t.Errorf("room %+v", r)
	}
	if len(s.Speakers) != 3 || s.Type != "Ceremony" {
		t.Errorf("speakers %v type %q", s.Speakers, s.Type)
	}
}

func check33C3(t *testing.T, c *conference.Conference, _ []conference.Problem) {
	s := sessionByTitle(t, c, "33C3 Opening Ceremony")
	if s.ID != "b8e0eb47-4832-4726-bc9b-9015bd96becf" || s.Code != "8429" {
		t.Errorf("id %q code %q", s.ID, s.Code)
	}
	if !s.Start.Equal(at("Europe/Berlin", 2016, 12, 27, 11, 0)) || s.Minutes() != 30 || !s.Recorded {
		t.Errorf("start %v %d min recorded %v", s.Start, s.Minutes(), s.Recorded)
	}
	if len(s.Speakers) != 2 || s.Speakers[0].Name != "anna" {
		t.Errorf("speakers %v", s.Speakers)
	}
}

// Files that name no time zone need one; the error says how to give it.
func TestRealFilesWithoutZone(t *testing.T) {
	for _, rel := range []string{
		"reinvent-2024-schedule/all_sessions_filtered.csv",
		"fosdem-schedules/fosdem-2023.xml",
		"ccc-schedules/33c3-schedule.json",
	} {
		t.Run(rel, func(t *testing.T) {
			_, _, err := readShared(t, rel, ReadOptions{})
			var ie *ImportError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), "names no time zone") || !strings.Contains(err.Error(), "--timezone") {
				t.Fatalf("err = %v, want an import error asking for --timezone", err)
			}
		})
	}
}

// The documented FOSDEM venue map places every building.
func TestFOSDEMVenueMap(t *testing.T) {
	f, err := os.Open("../../docs/fosdem-venues.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vm, err := ReadVenueMap(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"fosdem-schedules/fosdem-2025.xml", "fosdem-schedules/fosdem-2026.xml"} {
		c, warnings, err := readShared(t, rel, ReadOptions{TimeZone: "Europe/Brussels", Venues: vm})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range warnings {
			if strings.Contains(w.Message, "no coordinates") {
				t.Errorf("%s: %v", rel, w)
			}
		}
		for _, v := range c.Venues {
			if v.ID == "online" {
				if v.Lat != 0 || v.Lon != 0 {
					t.Errorf("online venue placed: %+v", v)
				}
				continue
			}
			if v.Lat < 50.81 || v.Lat > 50.82 || v.Lon < 4.37 || v.Lon > 4.39 {
				t.Errorf("%s: venue %+v is not on the ULB Solbosch campus", rel, v)
			}
		}
	}
}
