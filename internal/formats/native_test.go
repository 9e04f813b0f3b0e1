package formats

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
)

const goodConference = `{
  "format": "venuehop/1", "id": "mini", "name": "Mini Conf", "timeZone": "America/Los_Angeles",
  "days": ["2026-11-30"],
  "venues": [{"id": "v1", "name": "Hall", "lat": 36.1, "lon": -115.1}],
  "rooms": [{"id": "r1", "venueId": "v1", "level": "Level 1", "name": "Room 1", "capacity": 100}],
  "sessions": [
    {"id": "s1", "title": "One", "type": "Breakout session", "level": 300, "roomId": "r1",
     "start": "2026-11-30T09:00", "end": "2026-11-30T10:00:00-08:00", "reservable": true, "recorded": true}
  ]
}`

func TestReadNativeGood(t *testing.T) {
	c, warnings, err := ReadNative(strings.NewReader(goodConference), "mini.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings = %v", warnings)
	}
	want := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	if !c.Sessions[0].Start.Equal(want) {
		t.Errorf("offset-less start read as %v, want %v (in the conference zone)", c.Sessions[0].Start, want)
	}
	var buf bytes.Buffer
	if err := WriteNative(&buf, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"start": "2026-11-30T09:00:00-08:00"`) {
		t.Errorf("export does not show times in the conference zone:\n%s", buf.String())
	}
	again, _, err := ReadNative(&buf, "again.json")
	if err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if !again.Sessions[0].Start.Equal(c.Sessions[0].Start) || again.Sessions[0].Title != "One" {
		t.Errorf("round trip changed the session: %+v", again.Sessions[0])
	}
}

func TestReadNativeReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // each must appear among the problems
	}{
		{"truncated", goodConference[:200], []string{"truncated"}},
		{"syntax", `{"format": "venuehop/1",, }`, []string{"line 1, column"}},
		{"not an object", `[1,2]`, []string{"expected a JSON object"}},
		{"wrong types and unknown fields", strings.NewReplacer(
			`"capacity": 100`, `"capacity": "many"`,
			`"level": 300`, `"level": 300, "colour": "red"`,
			`"reservable": true`, `"reservable": "yes"`,
		).Replace(goodConference), []string{
			"rooms[0].capacity: expected an integer, got a string",
			"sessions[0].colour: unknown field",
			"sessions[0].reservable: expected true or false",
		}},
		{"domain rules", strings.NewReplacer(
			`"roomId": "r1"`, `"roomId": "nowhere"`,
			`"timeZone": "America/Los_Angeles"`, `"timeZone": "Mars/Olympus"`,
			`"venueId": "v1"`, `"venueId": "v9"`,
		).Replace(goodConference), []string{
			"timeZone: expected an IANA time zone",
			"rooms[0].venueId: expected the id of a venue",
			"sessions[0].roomId: expected the id of a room",
			"sessions[0].start: a time without a UTC offset needs a valid timeZone",
		}},
		{"ends before it starts, outside the days", strings.NewReplacer(
			`"start": "2026-11-30T09:00"`, `"start": "2026-12-03T09:00"`,
			`"end": "2026-11-30T10:00:00-08:00"`, `"end": "2026-12-03T08:00:00-08:00"`,
		).Replace(goodConference), []string{
			"sessions[0].end: expected the end (2026-12-03T08:00:00-08:00) after the start (2026-12-03T09:00:00-08:00)",
			"sessions[0].start: expected a start on one of the conference days, got 2026-12-03",
		}},
		{"duplicate id and bad level", strings.Replace(goodConference, `"id": "r1", "venueId"`, `"id": "v1 x", "venueId"`, 1),
			[]string{"rooms[0].id: expected an id"}},
		{"time zone missing for local time", strings.Replace(goodConference, `"timeZone": "America/Los_Angeles",`, ``, 1),
			[]string{"sessions[0].start: a time without a UTC offset needs a valid timeZone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := ReadNative(strings.NewReader(tt.file), "bad.json")
			if err == nil {
				t.Fatalf("accepted a broken file: %+v", c)
			}
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v, want *ImportError", err, err)
			}
			all := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems do not mention %q:\n%s", w, all)
				}
			}
			if !strings.HasPrefix(all, "bad.json:") {
				t.Errorf("message does not name the file: %s", all)
			}
		})
	}
}

func TestImportErrorCountsOnlyErrors(t *testing.T) {
	e := &ImportError{File: "f", Problems: []conference.Problem{{Path: "a", Message: "x"}, {Path: "b", Message: "y", Warning: true}}}
	if got := e.Error(); !strings.HasPrefix(got, "f: 1 problem\n") || strings.Contains(got, "b: y") {
		t.Errorf("Error() = %q", got)
	}
}
