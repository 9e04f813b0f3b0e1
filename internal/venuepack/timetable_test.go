package venuepack_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/shareddata"
	"venuehop/internal/venuepack"
)

// The official re:Invent 2024 agenda: its shuttle and monorail rows are
// read, the rest skipped; a window past midnight is split.
func TestReadAgenda2024(t *testing.T) {
	f, err := os.Open(shareddata.Path(t, "reinvent-2024-schedule/agenda.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tt, err := venuepack.ReadTimetable(f, "agenda.csv")
	if err != nil {
		t.Fatal(err)
	}
	if tt.Kind != venuepack.TimetableAgenda || len(tt.Rows) != 15 || len(tt.Rows)+tt.Skipped != 86 {
		t.Fatalf("kind %s, %d rows, %d skipped; want the agenda's 15 shuttle and monorail rows of 86", tt.Kind, len(tt.Rows), tt.Skipped)
	}
	byEvent := map[string]venuepack.TimetableRow{}
	for _, r := range tt.Rows {
		byEvent[r.Days[0]+" "+r.Event] = r
	}
	for key, want := range map[string][3]string{
		"2024-12-01 Campus shuttles":         {"09:30", "20:30", ""},
		"2024-12-05 Campus monorail service": {"07:00", "17:45", ""},
		"2024-12-04 5K Race shuttle":         {"05:15", "06:00", ""},
		"2024-12-04 re:Play shuttles":        {"19:00", "24:00", "00:30"},
		"2024-12-04 Monorail service":        {"19:00", "23:59", ""},
		"2024-12-06 Campus shuttles":         {"06:30", "13:00", ""},
	} {
		r, ok := byEvent[key]
		if !ok || r.Start != want[0] || r.End != want[1] || r.Overnight != want[2] {
			t.Errorf("%s: %+v, want %v", key, r, want)
		}
	}
}

func TestReadTimetableRejects(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"no header", "", "t.csv:1: expected a header row"},
		{"unknown columns", "a,b,c\n1,2,3\n", "t.csv:1: expected the columns"},
		{"no rows", "line,stops,days,from,to,headway\n", "no shuttle or monorail hours"},
		{"a bad day", "line,stops,days,from,to,headway\nx,,Someday,06:00,07:00,10\n", "t.csv:2: days: expected a date"},
		{"a bad range", "line,stops,days,from,to,headway\nx,,Mon-Fu,06:00,07:00,10\n", "t.csv:2: days: expected a range of weekdays"},
		{"a bad time", "line,stops,days,from,to,headway\nx,,all,6 o'clock,07:00,10\n", "t.csv:2: from/to: expected times"},
		{"an empty window", "line,stops,days,from,to,headway\nx,,all,07:00,07:00,10\n", "t.csv:2: from/to: the window 07:00–07:00 is empty"},
		{"a bad headway", "line,stops,days,from,to,headway\nx,,all,06:00,07:00,0\n", "t.csv:2: headway"},
		{"neither line nor stops", "line,stops,days,from,to,headway\n,venetian,all,06:00,07:00,10\n", "t.csv:2: line: expected"},
		{"an agenda date", "Date,Time,Event,Location,Notes\n12/01/2024,07:00 AM - 08:00 PM,Campus shuttles,All locations,\n", "t.csv:2: Date: expected a date"},
		{"an agenda span", "Date,Time,Event,Location,Notes\n2024-12-01,all day,Campus shuttles,All locations,\n", "t.csv:2: Time: expected a span"},
		{"an hour 13 PM", "Date,Time,Event,Location,Notes\n2024-12-01,13:00 PM - 08:00 PM,Campus shuttles,All locations,\n", "t.csv:2: Time: expected times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := venuepack.ReadTimetable(strings.NewReader(tt.csv), "t.csv")
			var pe *venuepack.Error
			if !errors.As(err, &pe) || !errcode.Is(err, errcode.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want a located problem %q", err, tt.want)
			}
		})
	}
}

// stripConference is a Sunday-to-Wednesday conference at the five venues
// of the 2024 campus, with the Strip pack applied.
func stripConference(t *testing.T) *conference.Conference {
	t.Helper()
	c := campus(t, []string{"2024-12-01", "2024-12-02", "2024-12-03", "2024-12-04"},
		conference.Venue{ID: "venetian", Name: "The Venetian / Palazzo"},
		conference.Venue{ID: "wynn", Name: "Wynn / Encore"},
		conference.Venue{ID: "caesars-forum", Name: "Caesars Forum"},
		conference.Venue{ID: "mgm-grand", Name: "MGM Grand"},
		conference.Venue{ID: "mandalay-bay", Name: "Mandalay Bay"})
	res, err := shipped(t, venuepack.StripID).Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	c.Venues, c.Travel = res.Venues, res.Model
	return c
}

func hoursOf(t *testing.T, res *venuepack.TimetableResult, line string) []conference.ServiceHours {
	t.Helper()
	for _, l := range res.Lines {
		if l.ID == line {
			return l.Service
		}
	}
	return nil
}

func windows(hs []conference.ServiceHours) string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Day[5:]+" "+h.Start+"-"+h.End)
	}
	return strings.Join(out, ", ")
}

// The agenda's location forms choose the lines.
func TestAgendaLocations(t *testing.T) {
	c := stripConference(t)
	csv := "Date,Time,Event,Location,Notes\n" +
		"2024-12-01,09:30 AM - 08:30 PM,Campus shuttles,\"Caesars Forum, Mandalay Bay, MGM Grand, The Venetian\",\n" +
		"2024-12-02,06:00 AM - 08:30 PM,Campus shuttles,All locations,\n" +
		"2024-12-03,06:30 AM - 01:00 PM,Campus shuttles,\"Routes serving Caesars Forum, The Venetian\",\n" +
		"2024-12-04,05:15 AM - 06:00 AM,5K Race shuttle,Service to Mandalay Bay from all locations,\n" +
		"2024-12-04,07:00 PM - 12:30 AM,re:Play shuttles,Las Vegas Festival Grounds,\n" +
		"2024-12-04,07:00 AM - 08:30 PM,Campus monorail service,MGM Grand Station and Harrah's/The LINQ Station,\n" +
		"2024-12-04,09:00 AM - 10:00 AM,Breakfast,Wynn,\n"
	tt, err := venuepack.ReadTimetable(strings.NewReader(csv), "agenda.csv")
	if err != nil {
		t.Fatal(err)
	}
	res, err := tt.Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"shuttle-venetian-mgm-grand":         "12-01 09:30-20:30, 12-02 06:00-20:30, 12-03 06:30-13:00",
		"shuttle-wynn-caesars-forum":         "12-02 06:00-20:30, 12-03 06:30-13:00", // serves Caesars Forum on the 3rd
		"shuttle-wynn-mgm-grand":             "12-02 06:00-20:30",
		"shuttle-wynn-mandalay-bay":          "12-02 06:00-20:30, 12-04 05:15-06:00",
		"shuttle-caesars-forum-mandalay-bay": "12-01 09:30-20:30, 12-02 06:00-20:30, 12-03 06:30-13:00, 12-04 05:15-06:00",
		"las-vegas-monorail":                 "12-04 07:00-20:30",
	}
	for line, w := range want {
		if got := windows(hoursOf(t, res, line)); got != w {
			t.Errorf("%s: %s\nwant %s", line, got, w)
		}
	}
	notes := ""
	for _, n := range res.Notes {
		notes += n.String() + "\n"
	}
	for _, w := range []string{"agenda.csv:6: \"re:Play shuttles\" at \"Las Vegas Festival Grounds\": no venue", "Shuttle Wynn – MGM Grand does not run on 2024-12-01"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	if c.Travel.Shuttles[0].Service[0].Start != "06:00" {
		t.Error("Apply changed the conference it was given")
	}
}

// A plain timetable: weekday ranges, every day, one date, a window's own
// headway, past midnight; a line made from its stops; rows that fit
// nothing are noted, not fatal.
func TestPlainTimetable(t *testing.T) {
	c := stripConference(t)
	csv := "line,stops,days,from,to,headway\n" +
		"shuttle-venetian-mgm-grand,,Mon-Tue,06:00,09:00,5\n" +
		"Shuttle Venetian – MGM Grand,,Mon-Tue,16:00,19:00,\n" +
		"las-vegas-monorail,,all,07:00,23:00,8\n" +
		"shuttle-wynn-mandalay-bay,,2024-12-03;2024-12-09,21:00,01:00,30\n" +
		"Night owl,The Venetian;Caesars Forum;wynn,Wed,20:00,23:00,20\n" +
		"Phantom line,,all,06:00,07:00,10\n" +
		"Ghost loop,venetian;wynn,2024-12-25,06:00,07:00,10\n"
	tt, err := venuepack.ReadTimetable(strings.NewReader(csv), "hours.csv")
	if err != nil {
		t.Fatal(err)
	}
	res, err := tt.Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := windows(hoursOf(t, res, "shuttle-venetian-mgm-grand")); got != "12-02 06:00-09:00, 12-02 16:00-19:00, 12-03 06:00-09:00, 12-03 16:00-19:00" {
		t.Errorf("Venetian – MGM Grand: %s", got)
	}
	if hs := hoursOf(t, res, "shuttle-venetian-mgm-grand"); hs[0].HeadwayMinutes != 5 || hs[1].HeadwayMinutes != 0 {
		t.Errorf("headways %+v: want 5 in the morning, the line's own later", hs)
	}
	if got := windows(hoursOf(t, res, "shuttle-wynn-mandalay-bay")); got != "12-03 21:00-24:00, 12-04 00:00-01:00" {
		t.Errorf("past midnight: %s", got)
	}
	if len(res.Created) != 1 || res.Created[0] != "night-owl" {
		t.Fatalf("created %v", res.Created)
	}
	var owl conference.TransitLine
	for _, l := range res.Model.Shuttles {
		if l.ID == "night-owl" {
			owl = l
		}
	}
	if len(owl.Stops) != 3 || owl.Stops[0].StopID != "shuttle-venetian" || owl.Stops[2].StopID != "shuttle-wynn" || owl.Stops[1].RideMinutes < 2 || owl.HeadwayMinutes != 20 {
		t.Errorf("the new line %+v", owl)
	}
	notes := ""
	for _, n := range res.Notes {
		notes += n.String() + "\n"
	}
	for _, w := range []string{"2024-12-09 is not a day of the conference", `no line "Phantom line"`, "new line Night owl",
		"Ghost loop does not run at all"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	// Untouched lines keep the pack's hours.
	for _, l := range res.Model.Shuttles {
		if l.ID == "shuttle-wynn-mgm-grand" && (len(l.Service) != 2 || l.Service[0].Day != "") {
			t.Errorf("an untouched line's hours changed: %+v", l.Service)
		}
	}
	snap := c
	snap.Travel = res.Model
	if _, err := conference.NewSnapshot(snap, 1, conference.ValidateOptions{}); err != nil {
		t.Fatalf("the timetabled model does not validate: %v", err)
	}
}

// Nothing to set the hours of: an error that says why.
func TestTimetableWithoutLines(t *testing.T) {
	c := campus(t, []string{"2026-12-01"}, conference.Venue{ID: "a", Name: "A"})
	tt, err := venuepack.ReadTimetable(strings.NewReader("Date,Time,Event,Location,Notes\n2026-12-01,07:00 AM - 08:00 PM,Campus shuttles,All locations,\n"), "agenda.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tt.Apply(c)
	if !errcode.Is(err, errcode.Invalid) || !strings.Contains(err.Error(), "apply a venue pack first") {
		t.Errorf("got %v", err)
	}
	if !slices.Contains([]string{venuepack.TimetableAgenda}, tt.Kind) {
		t.Errorf("kind %q", tt.Kind)
	}
}
