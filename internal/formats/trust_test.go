package formats

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// readText reads a file given as text, in a format.
func readText(t *testing.T, format, text string, opt ReadOptions) (*conference.Conference, []conference.Problem, error) {
	t.Helper()
	opt.Format = format
	if opt.Name == "" {
		opt.Name = "in." + format
	}
	return Read(strings.NewReader(text), opt)
}

func mustRead(t *testing.T, format, text string, opt ReadOptions) (*conference.Conference, []conference.Problem) {
	t.Helper()
	c, w, err := readText(t, format, text, opt)
	if err != nil {
		t.Fatalf("read %s: %v", format, err)
	}
	return c, w
}

func hasWarning(ws []conference.Problem, parts ...string) bool {
	for _, w := range ws {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(w.Path+": "+w.Message, p)
		}
		if all {
			return true
		}
	}
	return false
}

// mustRefuse reads and expects an import error mentioning every part.
func mustRefuse(t *testing.T, format, text string, opt ReadOptions, parts ...string) {
	t.Helper()
	_, _, err := readText(t, format, text, opt)
	var ie *ImportError
	var ce *errcode.Error
	if err == nil || !errors.As(err, &ie) && !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a refusal", err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("the refusal does not say %q:\n%v", p, err)
		}
	}
}

// Sittings that overlap in one room are a warning in every reader, the
// native one included, so that the native export of such a schedule
// comes back.
func TestRoomOverlapIsAWarningEverywhere(t *testing.T) {
	native := strings.Replace(goodConference, `"reservable": true, "recorded": true}`,
		`"reservable": true, "recorded": true},
    {"id": "s2", "title": "Two", "type": "Chalk talk", "roomId": "r1",
     "start": "2026-11-30T09:30:00-08:00", "end": "2026-11-30T10:30:00-08:00", "reservable": true, "recorded": false}`, 1)
	csv := goodCSV + "a3,Overlapping,Chalk talk,2026-12-01,09:30,10:30,Venetian | Level 2 | Hall B,,300\n"
	frab := strings.Replace(goodFrab, "<date>2026-02-01T10:00:00+01:00</date>", "<date>2026-02-01T09:45:00+01:00</date>", 1)
	c3voc := strings.Replace(goodC3voc, `"date": "2026-12-27T12:00:00+01:00", "start": "12:00"`, `"date": "2026-12-27T11:15:00+01:00", "start": "11:15"`, 1)
	for _, tc := range []struct{ format, text string }{
		{FormatJSON, native}, {FormatCSV, csv}, {FormatFrab, frab}, {FormatC3voc, c3voc},
	} {
		t.Run(tc.format, func(t *testing.T) {
			_, ws := mustRead(t, tc.format, tc.text, ReadOptions{TimeZone: "America/Los_Angeles"})
			if !hasWarning(ws, "already holds") {
				t.Errorf("no overlap warning: %v", ws)
			}
		})
	}
}

func TestZoneAliasesAreCanonicalised(t *testing.T) {
	csv := "title,type,date,start,end,room,timeZone\nA,Talk,2026-12-01,09:00,10:00,Hall,US/Eastern\n"
	c, ws := mustRead(t, FormatCSV, csv, ReadOptions{})
	if c.TimeZone != "America/New_York" || !hasWarning(ws, "US/Eastern", "America/New_York") {
		t.Errorf("zone %q, warnings %v", c.TimeZone, ws)
	}
	c, ws = mustRead(t, FormatCSV, goodCSV, ReadOptions{TimeZone: "US/Pacific"})
	if c.TimeZone != "America/Los_Angeles" || !hasWarning(ws, "US/Pacific") {
		t.Errorf("--timezone alias: zone %q, warnings %v", c.TimeZone, ws)
	}
	native := strings.Replace(goodConference, `"timeZone": "America/Los_Angeles"`, `"timeZone": "US/Pacific"`, 1)
	c, ws = mustRead(t, FormatJSON, native, ReadOptions{})
	if c.TimeZone != "America/Los_Angeles" || !hasWarning(ws, "timeZone", "US/Pacific") {
		t.Errorf("native: zone %q, warnings %v", c.TimeZone, ws)
	}
	for alias, want := range map[string]string{"Etc/UCT": "UTC", "GMT": "UTC", "Etc/GMT0": "UTC", "Asia/Calcutta": "Asia/Kolkata",
		"EST5EDT": "America/New_York", "Europe/Kiev": "Europe/Kyiv", "Europe/Berlin": "Europe/Berlin", "UTC": "UTC"} {
		if got, err := CanonicalZone(alias); err != nil || got != want {
			t.Errorf("CanonicalZone(%q) = %q, %v; want %q", alias, got, err, want)
		}
	}
	// A pretalx export naming US/Eastern: its c3voc export validates.
	pretalx := strings.Replace(goodC3voc, `"time_zone_name": "Europe/Berlin"`, `"time_zone_name": "US/Eastern"`, 1)
	c, _ = mustRead(t, FormatC3voc, pretalx, ReadOptions{})
	var buf bytes.Buffer
	if err := Write(&buf, c, FormatC3voc, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	validateC3voc(t, buf.Bytes())
}

// Every alias the machine's tz database lists is in the table, mapped to
// the same target (UTC and GMT names to UTC).
func TestZoneAliasesCoverTzdata(t *testing.T) {
	data, err := os.ReadFile("/usr/share/zoneinfo/tzdata.zi")
	if err != nil {
		t.Skip("no /usr/share/zoneinfo/tzdata.zi on this machine")
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "L" {
			continue
		}
		target, alias := f[1], f[2]
		if target == "Etc/UTC" || target == "Etc/GMT" {
			target = "UTC"
		}
		if got, err := CanonicalZone(alias); err != nil || got != target {
			t.Errorf("%s: canonical %q (%v), tzdata says %s", alias, got, err, target)
		}
	}
}

// "Local" and other names that are not IANA zones are refused wherever a
// zone comes from.
func TestNonIANAZonesRefused(t *testing.T) {
	for _, zone := range []string{"Local", "localtime", "posix/Europe/Berlin", "right/UTC", "Factory", "Mars/Olympus"} {
		t.Run(zone, func(t *testing.T) {
			mustRefuse(t, FormatCSV, goodCSV, ReadOptions{TimeZone: zone}, "IANA")
			csv := "title,type,date,start,end,room,timeZone\nA,Talk,2026-12-01,09:00,10:00,Hall," + zone + "\n"
			mustRefuse(t, FormatCSV, csv, ReadOptions{}, "IANA")
			native := strings.Replace(goodConference, `"timeZone": "America/Los_Angeles"`, `"timeZone": "`+zone+`"`, 1)
			mustRefuse(t, FormatJSON, native, ReadOptions{}, "timeZone")
		})
	}
}

func TestDaylightSavingTimes(t *testing.T) {
	row := func(date, start, end string) string {
		return "title,type,date,start,end,room\nA,Talk," + date + "," + start + "," + end + ",Hall\n"
	}
	la := ReadOptions{TimeZone: "America/Los_Angeles"}
	tests := []struct {
		name, text string
		dst        string
		wantErr    []string
		wantStart  string // RFC 3339
		wantWarn   string
	}{
		{"ambiguous is an error", row("2026-11-01", "01:30", "02:30"), "",
			[]string{"in.csv:2:", "start: 2026-11-01 01:30 happens twice in America/Los_Angeles", "--dst earlier (01:30 PDT", "--dst later (01:30 PST"}, "", ""},
		{"ambiguous, earlier", row("2026-11-01", "01:30", "02:30"), DSTEarlier, nil, "2026-11-01T01:30:00-07:00", "taken as the earlier instant, 01:30 PDT"},
		{"ambiguous, later", row("2026-11-01", "01:30", "02:30"), DSTLater, nil, "2026-11-01T01:30:00-08:00", "taken as the later instant, 01:30 PST"},
		{"nonexistent is an error", row("2026-03-08", "02:30", "03:30"), "",
			[]string{"start: 2026-03-08 02:30 does not exist in America/Los_Angeles (clocks go forward)"}, "", ""},
		{"nonexistent, later", row("2026-03-08", "02:30", "04:00"), DSTLater, nil, "2026-03-08T03:30:00-07:00", "03:30 PDT"},
		{"nonexistent, earlier", row("2026-03-08", "02:30", "03:30"), DSTEarlier, nil, "2026-03-08T01:30:00-08:00", "01:30 PST"},
		{"unambiguous needs no choice", row("2026-11-01", "03:00", "04:00"), "", nil, "2026-11-01T03:00:00-08:00", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := la
			opt.DST = tc.dst
			if tc.wantErr != nil {
				mustRefuse(t, FormatCSV, tc.text, opt, tc.wantErr...)
				return
			}
			c, ws := mustRead(t, FormatCSV, tc.text, opt)
			if got := c.Sessions[0].Start.Format(time.RFC3339); got != tc.wantStart {
				t.Errorf("start %s, want %s", got, tc.wantStart)
			}
			if tc.wantWarn != "" && !hasWarning(ws, tc.wantWarn, "--dst "+tc.dst) {
				t.Errorf("no warning naming the choice %q: %v", tc.wantWarn, ws)
			}
		})
	}
	t.Run("native without an offset", func(t *testing.T) {
		native := strings.NewReplacer(`"days": ["2026-11-30"]`, `"days": ["2026-11-01"]`,
			`"start": "2026-11-30T09:00"`, `"start": "2026-11-01T01:30"`,
			`"end": "2026-11-30T10:00:00-08:00"`, `"end": "2026-11-01T03:00:00-08:00"`).Replace(goodConference)
		mustRefuse(t, FormatJSON, native, ReadOptions{}, "sessions[0].start", "happens twice")
		c, ws := mustRead(t, FormatJSON, native, ReadOptions{DST: DSTLater})
		if got := c.Sessions[0].Start.Format(time.RFC3339); got != "2026-11-01T01:30:00-08:00" || !hasWarning(ws, "sessions[0].start", "later") {
			t.Errorf("start %s, warnings %v", got, ws)
		}
		withOffset := strings.Replace(native, `"start": "2026-11-01T01:30"`, `"start": "2026-11-01T01:30:00-07:00"`, 1)
		if _, ws := mustRead(t, FormatJSON, withOffset, ReadOptions{}); hasWarning(ws, "happens twice") {
			t.Errorf("a time with an offset was questioned: %v", ws)
		}
	})
	t.Run("old frab local times", func(t *testing.T) {
		frab := `<schedule><conference><title>X</title><day_change>00:00</day_change></conference>
<day date="2026-10-25"><room name="A"><event id="1"><start>02:30</start><duration>00:30</duration><title>T</title></event></room></day></schedule>`
		mustRefuse(t, FormatFrab, frab, ReadOptions{TimeZone: "Europe/Brussels"}, "in.frab:2:", "happens twice in Europe/Brussels")
		c, _ := mustRead(t, FormatFrab, frab, ReadOptions{TimeZone: "Europe/Brussels", DST: DSTEarlier})
		if got := c.Sessions[0].Start.Format(time.RFC3339); got != "2026-10-25T02:30:00+02:00" {
			t.Errorf("start %s", got)
		}
	})
	if _, err := CanonicalZone("Europe/Brussels"); err != nil {
		t.Fatal(err)
	}
	mustRefuse(t, FormatCSV, goodCSV, ReadOptions{TimeZone: "UTC", DST: "sometimes"}, "dst: expected earlier or later")
}

func TestCSVVenueColumnWithoutRoom(t *testing.T) {
	csv := "title,type,date,start,end,venue\nA,Talk,2026-12-01,09:00,10:00,Wynn\nB,Talk,2026-12-01,09:00,10:00,Caesars Forum\nC,Talk,2026-12-01,11:00,12:00,Wynn\n"
	c, ws := mustRead(t, FormatCSV, csv, ReadOptions{TimeZone: "America/Los_Angeles"})
	if len(c.Venues) != 2 || len(c.Rooms) != 2 {
		t.Fatalf("%d venues, %d rooms: %+v %+v", len(c.Venues), len(c.Rooms), c.Venues, c.Rooms)
	}
	for _, s := range c.Sessions {
		if s.RoomID == "" {
			t.Errorf("session %q lost its venue", s.Title)
		}
	}
	if !hasWarning(ws, "venue column and no room column") {
		t.Errorf("warnings %v", ws)
	}
}

// Room names keep their case: "HALL 1" and "Hall 1" are two rooms with
// their capacities; one room written with two capacities keeps the larger.
func TestCSVRoomCaseAndCapacities(t *testing.T) {
	csv := "title,type,date,start,end,room,roomCapacity\n" +
		"A,Talk,2026-12-01,09:00,10:00,Hub | | Hall 1,120\n" +
		"B,Talk,2026-12-01,09:00,10:00,Hub | | HALL 1,40\n" +
		"C,Talk,2026-12-01,11:00,12:00,Hub | | Hall 1,150\n"
	c, ws := mustRead(t, FormatCSV, csv, ReadOptions{TimeZone: "America/Los_Angeles"})
	if len(c.Rooms) != 2 {
		t.Fatalf("rooms %+v: want Hall 1 and HALL 1", c.Rooms)
	}
	caps := map[string]int{}
	for _, r := range c.Rooms {
		caps[r.Name] = r.Capacity
	}
	if caps["Hall 1"] != 150 || caps["HALL 1"] != 40 {
		t.Errorf("capacities %v, want Hall 1: 150, HALL 1: 40", caps)
	}
	if !hasWarning(ws, "differ only in case") || !hasWarning(ws, "in.csv:4", "the larger is kept") {
		t.Errorf("warnings %v", ws)
	}
}

// A file that yields no session while it holds events or rows is an
// error that says why; files of another shape are named for what they are.
func TestNeverSilentlyEmpty(t *testing.T) {
	tests := []struct {
		name, format, text string
		want               []string
	}{
		{"csv header only", FormatCSV, "title,type,date,start,end,room\n", []string{"no rows below it"}},
		{"frab without events", FormatFrab, `<schedule><conference><title>X</title><time_zone_name>UTC</time_zone_name></conference><day date="2026-01-01"></day></schedule>`,
			[]string{"holds no <event>"}},
		{"frab events in the wrong place", FormatFrab, `<schedule><conference><title>X</title><time_zone_name>UTC</time_zone_name></conference><day date="2026-01-01"><track><room><event id="1"><start>10:00</start><duration>01:00</duration><title>T</title></event></room></track></day></schedule>`,
			[]string{"holds 1 <event> elements, none where a frab schedule has them"}},
		{"schedule with entries", FormatFrab, `<schedule><conference><title>X</title><time_zone_name>UTC</time_zone_name></conference><entry/><entry/></schedule>`,
			[]string{"an XML file whose root is <schedule> but with <entry> elements: not frab"}},
		{"c3voc without events", FormatC3voc, `{"schedule":{"conference":{"title":"x","time_zone_name":"UTC","days":[{"date":"2020-01-01","rooms":{"a":[]}}]}}}`,
			[]string{"the 1 days hold no event"}},
		{"ical without events", FormatICal, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:UTC\r\nEND:VCALENDAR\r\n", []string{"holds no VEVENT"}},
		{"unknown XML", FormatAuto, `<feed><entry><title>x</title></entry></feed>`, []string{"an XML file whose root is <feed> with <entry>, <title> elements"}},
		{"a JSON array", FormatAuto, `[{"title":"x"}]`, []string{"a JSON array"}},
		{"text", FormatAuto, "hello world\nsecond line\n", []string{`a text file whose first line is "hello world"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustRefuse(t, tc.format, tc.text, ReadOptions{TimeZone: "UTC"}, tc.want...)
		})
	}
}

func TestOldestPentabarfLayout(t *testing.T) {
	data, err := os.ReadFile("testdata/pentabarf-oldest.xml")
	if err != nil {
		t.Fatal(err)
	}
	if DetectFormat(data) != FormatFrab {
		t.Fatalf("detected as %q", DetectFormat(data))
	}
	c, _, err := Read(bytes.NewReader(data), ReadOptions{Name: "fosdem-2009.xml", TimeZone: "Europe/Brussels"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sessions) != 3 || len(c.Rooms) != 2 {
		t.Fatalf("%d sessions, %d rooms; want 3 and 2", len(c.Sessions), len(c.Rooms))
	}
	s := sessionByTitle(t, c, "Schedulers for everyone")
	if s.ID != "702" || !s.Start.Equal(at("Europe/Brussels", 2009, 2, 7, 10, 0)) || s.Minutes() != 60 || len(s.Speakers) != 2 {
		t.Errorf("session %+v", s)
	}
	if r := roomOf(c, s.RoomID); r.Name != "H.1301" {
		t.Errorf("room %+v", r)
	}
	// Before day_change it is the next calendar day.
	late := sessionByTitle(t, c, "After midnight")
	if !late.Start.Equal(at("Europe/Brussels", 2009, 2, 9, 2, 0)) {
		t.Errorf("after midnight starts %v", late.Start)
	}
}

// validateC3voc checks a c3voc export against c3voc's schema.json.
func validateC3voc(t *testing.T, data []byte) {
	t.Helper()
	schema := compileSchema(t, sharedData(t, "c3voc-schema/schema.json"))
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("the c3voc export fails schema.json: %v", err)
	}
}

// An exact duplicate is merged with a warning by every reader.
func TestExactDuplicatesMergedEverywhere(t *testing.T) {
	native := strings.Replace(goodConference, `"reservable": true, "recorded": true}`,
		`"reservable": true, "recorded": true},
    {"id": "s1", "title": "One", "type": "Breakout session", "level": 300, "roomId": "r1",
     "start": "2026-11-30T09:00:00-08:00", "end": "2026-11-30T10:00:00-08:00", "reservable": true, "recorded": true}`, 1)
	c, ws := mustRead(t, FormatJSON, native, ReadOptions{})
	if len(c.Sessions) != 1 || !hasWarning(ws, "sessions[1]", "merged") {
		t.Errorf("native: %d sessions, warnings %v", len(c.Sessions), ws)
	}
	lines := strings.Split(goodCSV, "\n")
	csv := goodCSV + lines[1] + "\n"
	if c, ws := mustRead(t, FormatCSV, csv, ReadOptions{TimeZone: "America/Los_Angeles"}); len(c.Sessions) != 2 || !hasWarning(ws, "merged") {
		t.Errorf("csv: %d sessions, warnings %v", len(c.Sessions), ws)
	}
}
