package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
)

// firstMonday is a fixed Monday so tests do not depend on the real clock.
var firstMonday = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

func generate(t testing.TB, opt Options) *conference.Conference {
	t.Helper()
	c, err := Generate(opt)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opt, err)
	}
	return c
}

func laLoc(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// ordinary returns the non-keynote sittings.
func ordinary(c *conference.Conference) []conference.Session {
	var out []conference.Session
	for _, s := range c.Sessions {
		if s.Type != conference.TypeKeynote {
			out = append(out, s)
		}
	}
	return out
}

func TestGenerateIsValid(t *testing.T) {
	tests := []struct {
		name     string
		opt      Options
		firstDay string
	}{
		{"default seed, fixed start", Options{Start: firstMonday}, "2026-11-30"},
		{"other seed", Options{Seed: 42, Start: firstMonday}, "2026-11-30"},
		{"start from now", Options{Now: time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)}, "2026-03-09"},
		{"DST week", Options{Seed: 3, Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}, "2026-11-02"},
		{"summer", Options{Seed: 9, Start: time.Date(2027, 6, 7, 0, 0, 0, 0, time.UTC)}, "2027-06-07"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := generate(t, tc.opt)
			if probs := conference.Validate(c, conference.ValidateOptions{}); len(probs) > 0 {
				t.Fatalf("%d problems, first: %v", len(probs), probs[0])
			}
			if c.Format != conference.FormatVersion || c.ID != "demo" || c.TimeZone != "America/Los_Angeles" {
				t.Errorf("format/id/zone = %q %q %q", c.Format, c.ID, c.TimeZone)
			}
			if c.Name == "" || strings.Contains(strings.ToLower(c.Name), "invent") {
				t.Errorf("name %q: want an invented name", c.Name)
			}
			if len(c.Days) != 4 || c.Days[0] != tc.firstDay {
				t.Fatalf("days = %v, want 4 from %s", c.Days, tc.firstDay)
			}
			for i, d := range c.Days {
				day, _ := time.Parse(time.DateOnly, d)
				if want := time.Monday + time.Weekday(i); day.Weekday() != want {
					t.Errorf("days[%d] = %s is a %s, want %s", i, d, day.Weekday(), want)
				}
			}
		})
	}
}

func TestVenues(t *testing.T) {
	c := generate(t, Options{Start: firstMonday})
	want := []struct {
		id, name, address string
		lat, lon          float64
	}{
		{"venetian", "The Venetian / Palazzo", "3355 Las Vegas Blvd S", 36.1217, -115.1693},
		{"wynn", "Wynn / Encore", "3131 Las Vegas Blvd S", 36.1265, -115.1657},
		{"caesars-forum", "Caesars Forum", "3911 Koval Ln", 36.1190, -115.1662},
		{"mgm-grand", "MGM Grand", "3799 Las Vegas Blvd S", 36.1028, -115.1694},
		{"mandalay-bay", "Mandalay Bay", "3950 Las Vegas Blvd S", 36.0923, -115.1758},
	}
	if len(c.Venues) != len(want) {
		t.Fatalf("%d venues, want %d", len(c.Venues), len(want))
	}
	for i, w := range want {
		v := c.Venues[i]
		if v.ID != w.id || v.Name != w.name || !strings.HasPrefix(v.Address, w.address) || v.Lat != w.lat || v.Lon != w.lon {
			t.Errorf("venues[%d] = %+v, want %+v", i, v, w)
		}
	}
}

func TestRooms(t *testing.T) {
	c := generate(t, Options{Start: firstMonday})
	if len(c.Rooms) < 150 {
		t.Errorf("%d rooms, want at least 150", len(c.Rooms))
	}
	idPattern := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	levels := map[string]bool{}
	names := map[string]bool{}
	for _, r := range c.Rooms {
		levels[r.Level] = true
		names[r.VenueID+"|"+r.Name] = true
		if !idPattern.MatchString(r.ID) || !strings.HasPrefix(r.ID, r.VenueID+"-l") {
			t.Errorf("room id %q: want venue-level-name slug", r.ID)
		}
		if !strings.HasPrefix(r.Level, "Level ") {
			t.Errorf("room %s level %q", r.ID, r.Level)
		}
		switch r.ID {
		case KeynoteHallID:
			if r.VenueID != VenueVenetian || r.Capacity < 9000 || r.Capacity > 11000 {
				t.Errorf("keynote hall %+v: want about 10,000 seats at the Venetian", r)
			}
		case ExpoHallID:
		default:
			if r.Capacity < 20 || r.Capacity > 1500 {
				t.Errorf("room %s capacity %d outside 20–1,500", r.ID, r.Capacity)
			}
		}
	}
	if len(levels) < 3 {
		t.Errorf("levels %v: want several", levels)
	}
	for _, want := range []string{"wynn|Latour 1", "wynn|Lafite 3", "wynn|Margaux 2", "wynn|Encore Chopin 1",
		"wynn|Encore Brahms 2", "caesars-forum|Forum 120", "venetian|Hall A"} {
		if !names[want] {
			t.Errorf("no room %q", want)
		}
	}
	if !slices.ContainsFunc(c.Rooms, func(r conference.Room) bool { return r.ID == "venetian-l2-hall-b" }) {
		t.Error("no room venetian-l2-hall-b")
	}
}

func TestMix(t *testing.T) {
	c := generate(t, Options{Start: firstMonday})
	sittings := ordinary(c)
	if len(c.Sessions) < 2200 {
		t.Fatalf("%d sittings, want at least 2,200", len(c.Sessions))
	}
	byType := map[string]int{}
	byLevel := map[int]int{}
	for _, s := range sittings {
		byType[s.Type]++
		byLevel[s.Level]++
	}
	n := float64(len(sittings))
	share := func(k int) float64 { return float64(k) / n * 100 }

	typeTests := []struct {
		typ            string
		percent, delta float64
		minutes        []int
	}{
		{conference.TypeBreakout, 28, 2, []int{60}},
		{conference.TypeChalkTalk, 26, 2, []int{60}},
		{conference.TypeWorkshop, 12, 2, []int{120}},
		{conference.TypeBuildersSession, 9, 2, []int{60}},
		{conference.TypeLightningTalk, 9, 2, []int{20}},
		{conference.TypeCodeTalk, 7, 3, []int{60}},
		{conference.TypeGamifiedLearning, 4, 3, []int{120}},
		{conference.TypeInnovationTalk, 3, 3, []int{60}},
		{conference.TypeBootcamp, 1, 1, []int{120}},
	}
	for _, tc := range typeTests {
		t.Run(tc.typ, func(t *testing.T) {
			if got := share(byType[tc.typ]); math.Abs(got-tc.percent) > tc.delta {
				t.Errorf("share %.1f%%, want %.0f%% ± %.0f", got, tc.percent, tc.delta)
			}
			for _, s := range sittings {
				if s.Type == tc.typ && !slices.Contains(tc.minutes, s.Minutes()) {
					t.Fatalf("%s lasts %d min, want %v", s.ID, s.Minutes(), tc.minutes)
				}
			}
		})
	}
	if share(byLevel[300]) < 30 {
		t.Errorf("level 300 share %.1f%%, want most", share(byLevel[300]))
	}
	order := []int{300, 200, 400, 100, 500}
	for i := 1; i < len(order); i++ {
		if byLevel[order[i-1]] <= byLevel[order[i]] {
			t.Errorf("levels %v: want %d more frequent than %d", byLevel, order[i-1], order[i])
		}
	}
	if byLevel[500] == 0 || share(byLevel[500]) > 8 {
		t.Errorf("level 500 share %.1f%%, want a few", share(byLevel[500]))
	}
	if byLevel[0] != 0 {
		t.Errorf("%d sittings without a level", byLevel[0])
	}
}

func TestNoRoomDoubleBooked(t *testing.T) {
	for _, scale := range []int{1, 3} {
		t.Run(fmt.Sprint("scale ", scale), func(t *testing.T) {
			c := generate(t, Options{Start: firstMonday, Scale: scale})
			byRoom := map[string][]conference.Session{}
			for _, s := range c.Sessions {
				byRoom[s.RoomID] = append(byRoom[s.RoomID], s)
			}
			for room, list := range byRoom {
				slices.SortFunc(list, func(a, b conference.Session) int { return a.Start.Compare(b.Start) })
				for i := 1; i < len(list); i++ {
					if gap := list[i].Start.Sub(list[i-1].End); gap < 0 {
						t.Errorf("room %s: %s overlaps %s", room, list[i].ID, list[i-1].ID)
					}
				}
			}
			if len(byRoom[ExpoHallID]) != 0 {
				t.Errorf("the expo hall holds %d sessions", len(byRoom[ExpoHallID]))
			}
		})
	}
}

func TestRepeatsShareContent(t *testing.T) {
	c := generate(t, Options{Start: firstMonday})
	codePattern := regexp.MustCompile(`^([A-Z]{3})([1-5])\d\d(-R[12])?$`)
	prefixOf := map[string]string{}
	for _, tp := range topics {
		prefixOf[tp.name] = tp.prefix
	}
	groups := map[string][]conference.Session{}
	ids := map[string]bool{}
	for _, s := range ordinary(c) {
		groups[s.Group()] = append(groups[s.Group()], s)
		if ids[s.ID] {
			t.Errorf("duplicate id %s", s.ID)
		}
		ids[s.ID] = true
		m := codePattern.FindStringSubmatch(s.Code)
		if m == nil {
			t.Errorf("code %q: want e.g. ARC301 or ARC301-R1", s.Code)
			continue
		}
		if s.ID != strings.ToLower(s.Code) {
			t.Errorf("id %q, want lowercase code %q", s.ID, s.Code)
		}
		if m[1] != prefixOf[s.Topics[0]] || m[2] != fmt.Sprint(s.Level/100) {
			t.Errorf("code %s for topic %s level %d", s.Code, s.Topics[0], s.Level)
		}
	}
	repeated, otherVenue := 0, 0
	rooms := map[string]string{}
	for _, r := range c.Rooms {
		rooms[r.ID] = r.VenueID
	}
	for g, list := range groups {
		if len(list) > 3 {
			t.Errorf("group %s has %d sittings, want at most 3", g, len(list))
		}
		if len(list) == 1 {
			if list[0].RepeatGroup != "" {
				t.Errorf("%s: single sitting with repeat group %q", list[0].ID, list[0].RepeatGroup)
			}
			continue
		}
		repeated++
		slices.SortFunc(list, func(a, b conference.Session) int { return a.Start.Compare(b.Start) })
		first := list[0]
		if first.ID != g || first.RepeatGroup != g {
			t.Errorf("group %s: earliest sitting %s, want the plain code first", g, first.ID)
		}
		days, venues := map[string]bool{}, map[string]bool{}
		for k, s := range list {
			if k > 0 && s.Code != fmt.Sprintf("%s-R%d", first.Code, k) {
				t.Errorf("group %s: sitting %d has code %s", g, k, s.Code)
			}
			if s.Title != first.Title || s.Abstract != first.Abstract || s.Type != first.Type ||
				s.Level != first.Level || !slices.Equal(s.Topics, first.Topics) || !slices.Equal(s.Speakers, first.Speakers) ||
				s.Minutes() != first.Minutes() {
				t.Errorf("group %s: %s differs from %s", g, s.ID, first.ID)
			}
			days[s.Start.Format(time.DateOnly)] = true
			venues[rooms[s.RoomID]] = true
		}
		if len(days) != len(list) {
			t.Errorf("group %s: sittings share a day", g)
		}
		if len(venues) > 1 {
			otherVenue++
		}
	}
	if f := float64(repeated) / float64(len(groups)); f < 0.25 || f > 0.42 {
		t.Errorf("%.2f of the contents repeated, want about a third", f)
	}
	if f := float64(otherVenue) / float64(repeated); f < 0.5 {
		t.Errorf("%.2f of repeated contents use another venue, want most", f)
	}
}

func TestSittingsInsideDaysAndHours(t *testing.T) {
	c := generate(t, Options{Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}) // the week DST ends
	loc := laLoc(t)
	for _, s := range ordinary(c) {
		start, end := s.Start.In(loc), s.End.In(loc)
		if !slices.Contains(c.Days, start.Format(time.DateOnly)) || start.Format(time.DateOnly) != end.Format(time.DateOnly) {
			t.Fatalf("%s runs %v–%v, outside the days %v", s.ID, start, end, c.Days)
		}
		if hm := start.Format("15:04"); hm < "08:00" {
			t.Errorf("%s starts at %s, before 08:00", s.ID, hm)
		}
		if hm := end.Format("15:04"); hm > "19:30" {
			t.Errorf("%s ends at %s, after 19:30", s.ID, hm)
		}
		if start.Minute()%30 != 0 {
			t.Errorf("%s starts at %s, want on the hour or half hour", s.ID, start.Format("15:04"))
		}
	}
}

func TestKeynotes(t *testing.T) {
	c := generate(t, Options{Start: firstMonday})
	loc := laLoc(t)
	want := []struct{ day, start, end string }{
		{"2026-11-30", "19:30", "21:00"},
		{"2026-12-01", "08:00", "10:30"},
		{"2026-12-02", "08:30", "10:30"},
		{"2026-12-02", "15:00", "16:30"},
		{"2026-12-03", "08:30", "10:30"},
	}
	var got []conference.Session
	for _, s := range c.Sessions {
		if s.Type == conference.TypeKeynote {
			got = append(got, s)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d keynotes, want %d", len(got), len(want))
	}
	roomVenue := map[string]string{}
	for _, r := range c.Rooms {
		roomVenue[r.ID] = r.VenueID
	}
	for i, w := range want {
		k := got[i]
		t.Run(k.ID, func(t *testing.T) {
			start, end := k.Start.In(loc), k.End.In(loc)
			if start.Format(time.DateOnly) != w.day || start.Format("15:04") != w.start || end.Format("15:04") != w.end {
				t.Errorf("runs %v–%v, want %s %s–%s", start, end, w.day, w.start, w.end)
			}
			if k.RoomID != KeynoteHallID || k.Reservable || !k.Recorded {
				t.Errorf("room %s reservable %v recorded %v", k.RoomID, k.Reservable, k.Recorded)
			}
			venues := map[string]bool{}
			for _, o := range k.OverflowRoomIDs {
				venues[roomVenue[o]] = true
				for _, s := range c.Sessions {
					if s.RoomID == o && conference.Overlaps(s.Start, s.End, k.Start, k.End) {
						t.Errorf("overflow room %s holds %s during the keynote", o, s.ID)
					}
				}
			}
			if len(k.OverflowRoomIDs) < 5 || len(venues) < 3 {
				t.Errorf("overflow %v in %d venues, want at least 5 rooms in several venues", k.OverflowRoomIDs, len(venues))
			}
		})
	}
}

func TestRecordedAndReservable(t *testing.T) {
	c := generate(t, Options{Start: firstMonday})
	recorded := map[string]bool{
		conference.TypeKeynote: true, conference.TypeBreakout: true,
		conference.TypeChalkTalk: false, conference.TypeWorkshop: false, conference.TypeBuildersSession: false,
	}
	reservable := 0
	sittings := ordinary(c)
	for _, s := range c.Sessions {
		if want, ok := recorded[s.Type]; ok && s.Recorded != want {
			t.Errorf("%s (%s) recorded = %v, want %v", s.ID, s.Type, s.Recorded, want)
		}
		if s.Type != conference.TypeKeynote && s.Reservable {
			reservable++
		}
	}
	if f := float64(reservable) / float64(len(sittings)); f < 0.8 {
		t.Errorf("%.2f of the sessions reservable, want most", f)
	}
}

func TestMealsAndExpo(t *testing.T) {
	c := generate(t, Options{Start: firstMonday})
	loc := laLoc(t)
	type key struct{ venue, day, kind string }
	meals := map[key]string{}
	for _, m := range c.Meals {
		meals[key{m.VenueID, m.Start.In(loc).Format(time.DateOnly), m.Kind}] =
			m.Start.In(loc).Format("15:04") + "-" + m.End.In(loc).Format("15:04")
	}
	for _, v := range c.Venues {
		for _, d := range c.Days {
			if got := meals[key{v.ID, d, "breakfast"}]; got != "07:00-09:00" {
				t.Errorf("breakfast at %s on %s: %q", v.ID, d, got)
			}
			if got := meals[key{v.ID, d, "lunch"}]; got != "11:00-13:00" {
				t.Errorf("lunch at %s on %s: %q", v.ID, d, got)
			}
		}
	}
	if c.Expo == nil || c.Expo.VenueID != VenueVenetian || c.Expo.RoomID != ExpoHallID || len(c.Expo.Hours) != len(c.Days) {
		t.Fatalf("expo = %+v, want the Venetian hall open every day", c.Expo)
	}
	for i, h := range c.Expo.Hours {
		if d := h.Start.In(loc).Format(time.DateOnly); d != c.Days[i] || !h.End.After(h.Start) {
			t.Errorf("expo hours[%d] = %v–%v", i, h.Start, h.End)
		}
	}
}

func TestText(t *testing.T) {
	c := generate(t, Options{Start: firstMonday})
	titles := map[string]string{}
	for _, s := range ordinary(c) {
		if other, ok := titles[s.Title]; ok && other != s.Group() {
			t.Errorf("title %q used by %s and %s", s.Title, other, s.Group())
		}
		titles[s.Title] = s.Group()
		if strings.Contains(s.Title+s.Abstract, "{") {
			t.Errorf("%s: unfilled placeholder in %q / %q", s.ID, s.Title, s.Abstract)
		}
		if n := strings.Count(s.Abstract, ". ") + 1; n < 2 || n > 4 || !strings.HasSuffix(s.Abstract, ".") {
			t.Errorf("%s: abstract of %d sentences: %q", s.ID, n, s.Abstract)
		}
		if n := len(s.Speakers); n < 1 || n > 3 {
			t.Errorf("%s: %d speakers", s.ID, n)
		}
		for _, sp := range s.Speakers {
			if len(strings.Fields(sp.Name)) != 2 || sp.Company == "" {
				t.Errorf("%s: speaker %+v", s.ID, sp)
			}
		}
		if len(s.Topics) == 0 || len(s.Topics) > 2 {
			t.Errorf("%s: topics %v", s.ID, s.Topics)
		}
	}
}

func TestDeterministicBySeed(t *testing.T) {
	marshal := func(opt Options) []byte {
		b, err := json.Marshal(generate(t, opt))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := Options{Seed: 5, Start: firstMonday}
	a, b := marshal(base), marshal(base)
	if !bytes.Equal(a, b) {
		t.Fatal("same options gave different JSON")
	}
	tests := []struct {
		name string
		opt  Options
		same bool
	}{
		{"same seed via Now", Options{Seed: 5, Now: firstMonday.AddDate(0, 0, -3)}, true},
		{"zero seed is seed 1", Options{Seed: 0, Start: firstMonday}, false},
		{"other seed", Options{Seed: 6, Start: firstMonday}, false},
		{"other week", Options{Seed: 5, Start: firstMonday.AddDate(0, 0, 7)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bytes.Equal(a, marshal(tc.opt)); got != tc.same {
				t.Errorf("equal = %v, want %v", got, tc.same)
			}
		})
	}
	if !bytes.Equal(marshal(Options{Start: firstMonday}), marshal(Options{Seed: 1, Start: firstMonday})) {
		t.Error("seed 0 should mean seed 1")
	}
}

func TestNextMonday(t *testing.T) {
	loc := laLoc(t)
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"sunday", time.Date(2026, 11, 29, 23, 59, 0, 0, loc), "2026-11-30"},
		{"monday", time.Date(2026, 11, 30, 0, 0, 0, 0, loc), "2026-12-07"},
		{"tuesday", time.Date(2026, 12, 1, 12, 0, 0, 0, loc), "2026-12-07"},
		{"saturday", time.Date(2026, 12, 5, 8, 0, 0, 0, loc), "2026-12-07"},
		{"before DST ends", time.Date(2026, 10, 31, 10, 0, 0, 0, loc), "2026-11-02"},
		{"DST-end sunday", time.Date(2026, 11, 1, 1, 30, 0, 0, loc), "2026-11-02"},
		{"DST-start week", time.Date(2026, 3, 8, 3, 0, 0, 0, loc), "2026-03-09"},
		{"UTC already Monday, LA still Sunday", time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), "2026-11-30"},
		{"year end", time.Date(2026, 12, 30, 9, 0, 0, 0, loc), "2027-01-04"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NextMonday(tc.now, loc)
			if got.Format(time.DateOnly) != tc.want || got.Weekday() != time.Monday || got.Hour() != 0 || got.Location() != loc {
				t.Errorf("NextMonday(%v) = %v, want %s 00:00 in %s", tc.now, got, tc.want, loc)
			}
		})
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"start not a Monday", Options{Start: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}, "Wednesday"},
		{"no start and no now", Options{}, "start date"},
		{"negative scale", Options{Start: firstMonday, Scale: -1}, "scale"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Generate(tc.opt)
			if err == nil || c != nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Generate = %v, %v; want an error mentioning %q", c != nil, err, tc.want)
			}
		})
	}
}

func TestScale10(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 24,000 sittings")
	}
	c := generate(t, Options{Start: firstMonday, Scale: 10})
	if len(c.Sessions) < 22000 {
		t.Errorf("%d sittings, want at least 22,000", len(c.Sessions))
	}
	if len(c.Rooms) < 1500 {
		t.Errorf("%d rooms, want the campus times ten", len(c.Rooms))
	}
	if probs := conference.Validate(c, conference.ValidateOptions{}); len(probs) > 0 {
		t.Fatalf("%d problems, first: %v", len(probs), probs[0])
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, scale := range []int{1, 10} {
		b.Run(fmt.Sprint("scale=", scale), func(b *testing.B) {
			for b.Loop() {
				if _, err := Generate(Options{Start: firstMonday, Scale: scale}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
