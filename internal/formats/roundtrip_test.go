package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
)

// carried is what a format keeps of a session, for round-trip checks.
type carried struct {
	ID, Title, Abstract, Type, Code string
	Topics, Speakers                []string
	Start, End                      string
	Room, Level, VenueID            string
	RoomCapacity                    int
	VenueLat, VenueLon              float64
	Recorded                        bool
	RecordingURL                    string
	// CSV only:
	Reservable, Cancelled bool
	Level100              int
	RepeatGroup, RoomID   string
	Capacity              string
}

func carriedBy(c *conference.Conference, s *conference.Session, format string) carried {
	loc, _ := time.LoadLocation(c.TimeZone)
	out := carried{ID: s.ID, Title: s.Title, Abstract: s.Abstract, Type: s.Type, Recorded: s.Recorded, RecordingURL: s.RecordingURL}
	if !s.Start.IsZero() {
		out.Start, out.End = s.Start.In(loc).Format(time.RFC3339), s.End.In(loc).Format(time.RFC3339)
	}
	for _, r := range c.Rooms {
		if r.ID == s.RoomID {
			out.Room, out.Level, out.VenueID = r.Name, r.Level, r.VenueID
			if format == FormatCSV {
				out.RoomCapacity = r.Capacity
				for _, v := range c.Venues {
					if v.ID == r.VenueID {
						out.VenueLat, out.VenueLon = v.Lat, v.Lon
					}
				}
			}
		}
	}
	for _, sp := range s.Speakers {
		name := sp.Name
		if format == FormatCSV && sp.Company != "" {
			name += " (" + sp.Company + ")"
		}
		out.Speakers = append(out.Speakers, name)
	}
	switch format {
	case FormatICal:
		// iCalendar: the SUMMARY, the times, the categories and, through
		// venuehop's own X- properties, the type, code and room; the
		// description is composed for people (type, speakers, abstract),
		// recording and seat fields have no place.
		out.Abstract, out.Speakers, out.Recorded, out.RecordingURL = "", nil, false, ""
		out.Topics, out.Code, out.Cancelled = s.Topics, s.Code, s.Cancelled
		for _, r := range c.Rooms {
			if r.ID == s.RoomID {
				out.VenueID = venueName(c, r.VenueID)
			}
		}
	case FormatCSV:
		out.Topics = s.Topics
		out.Code = s.Code
		out.Reservable, out.Cancelled, out.Level100 = s.Reservable, s.Cancelled, s.Level
		out.RepeatGroup, out.RoomID = s.RepeatGroup, s.RoomID
		if s.Capacity != nil {
			out.Capacity = fmt.Sprint(*s.Capacity)
		}
	default:
		// frab and c3voc: one track; the code only when it is a frab id
		// or a pretalx code.
		if len(s.Topics) > 0 {
			out.Topics = s.Topics[:1]
		}
		if numericRE.MatchString(s.Code) || pretalxCodeRE.MatchString(s.Code) {
			out.Code = s.Code
		}
	}
	return out
}

func venueName(c *conference.Conference, id string) string {
	for _, v := range c.Venues {
		if v.ID == id {
			return v.Name
		}
	}
	return id
}

// inFormat reports whether the format holds the session at all: frab and
// c3voc have no place for unscheduled or cancelled sessions, iCalendar
// none for unscheduled ones.
func inFormat(s *conference.Session, format string) bool {
	switch format {
	case FormatCSV:
		return true
	case FormatICal:
		return s.Scheduled()
	}
	return s.Scheduled() && !s.Cancelled
}

func roundTrip(t *testing.T, c *conference.Conference, format string) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, c, format, WriteOptions{}); err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	again, _, err := Read(bytes.NewReader(buf.Bytes()), ReadOptions{Format: format, Name: "export." + format})
	if err != nil {
		t.Fatalf("re-import of the %s export: %v", format, err)
	}
	if again.TimeZone != c.TimeZone || again.Name != c.Name && format != FormatCSV {
		t.Errorf("conference %q %q became %q %q", c.Name, c.TimeZone, again.Name, again.TimeZone)
	}
	byID := map[string]*conference.Session{}
	for i := range again.Sessions {
		byID[again.Sessions[i].ID] = &again.Sessions[i]
	}
	want := 0
	diffs := 0
	for i := range c.Sessions {
		s := &c.Sessions[i]
		if !inFormat(s, format) {
			continue
		}
		want++
		got, ok := byID[s.ID]
		if !ok {
			diffs++
			if diffs < 5 {
				t.Errorf("session %s (%q) is missing after the round trip", s.ID, s.Title)
			}
			continue
		}
		a, b := carriedBy(c, s, format), carriedBy(again, got, format)
		if a.Code == "" {
			b.Code = "" // the formats need an id; a new one is not a change
		}
		if !reflect.DeepEqual(a, b) {
			diffs++
			if diffs < 5 {
				t.Errorf("session %s changed: %s", s.ID, fieldDiff(a, b))
			}
		}
	}
	if len(again.Sessions) != want {
		t.Errorf("%d sessions after the round trip, want %d", len(again.Sessions), want)
	}
	if diffs > 0 {
		t.Errorf("%d of %d sessions changed", diffs, want)
	}
}

// nativeRoundTrip: the native export reads back to the same conference
// and exports to the same bytes.
func nativeRoundTrip(t *testing.T, c *conference.Conference) {
	t.Helper()
	var first, second bytes.Buffer
	if err := WriteNative(&first, c); err != nil {
		t.Fatal(err)
	}
	again, _, err := Read(bytes.NewReader(first.Bytes()), ReadOptions{Name: "export.json"})
	if err != nil {
		t.Fatalf("re-import of the native export: %v", err)
	}
	if err := WriteNative(&second, again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		a, b := first.String(), second.String()
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		t.Fatalf("the native export changed on the way back, at byte %d:\n%.300s\n---\n%.300s", i, a[max(0, i-100):], b[max(0, i-100):])
	}
	if !reflect.DeepEqual(normalized(c), normalized(again)) {
		t.Error("the native round trip changed the conference")
	}
}

// normalized is c with times in UTC and empty lists as nil, for DeepEqual.
func normalized(c *conference.Conference) *conference.Conference {
	var buf bytes.Buffer
	WriteNative(&buf, c)
	var out conference.Conference
	json.Unmarshal(buf.Bytes(), &out)
	for i := range out.Sessions {
		s := &out.Sessions[i]
		s.Start, s.End = s.Start.UTC(), s.End.UTC()
	}
	return &out
}

// roundTripFormats are the formats venuehop both writes and reads (GeoJSON
// is a map of venues, written only).
var roundTripFormats = []string{FormatJSON, FormatCSV, FormatFrab, FormatC3voc, FormatICal}

// TestRoundTrips: the demo and every real schedule, imported, exported in
// every format and imported again: native identical, the others equal in
// everything their format carries (docs/formats.md, "What each format
// keeps").
func TestRoundTrips(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, c *conference.Conference) {
		for _, f := range roundTripFormats {
			t.Run(f, func(t *testing.T) {
				if f == FormatJSON {
					nativeRoundTrip(t, c)
					return
				}
				roundTrip(t, c, f)
			})
		}
	}
	t.Run("demo", func(t *testing.T) { run(t, demoConference(t)) })
	for _, rf := range realFiles {
		t.Run(rf.name, func(t *testing.T) {
			c, _, err := readShared(t, rf.rel, ReadOptions{TimeZone: rf.timeZone})
			if err != nil {
				t.Fatal(err)
			}
			run(t, c)
		})
	}
}

func demoConference(t testing.TB) *conference.Conference {
	t.Helper()
	c, err := demoConferenceOrErr()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func demoConferenceOrErr() (*conference.Conference, error) {
	return demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
}

// A CSV export cannot be turned into a formula by a spreadsheet, and
// reads back to the same text.
func TestCSVFormulaInjectionEscaped(t *testing.T) {
	c := miniConference(t)
	evil := []string{"=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "'=already", "''+two", "plain", "'quoted"}
	for i, title := range evil {
		s := c.Sessions[0]
		s.ID = fmt.Sprintf("e%d", i)
		s.Title = title
		s.Abstract = title
		s.Start, s.End, s.RoomID = time.Time{}, time.Time{}, ""
		c.Sessions = append(c.Sessions, s)
	}
	var buf bytes.Buffer
	if err := Write(&buf, c, FormatCSV, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\r\n") {
		for _, cell := range strings.Split(line, ",") {
			cell = strings.TrimPrefix(cell, `"`)
			if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
	again, _, err := Read(&buf, ReadOptions{Format: FormatCSV, Name: "evil.csv"})
	if err != nil {
		t.Fatal(err)
	}
	for i, title := range evil {
		if got := again.Sessions[i+1].Title; got != strings.TrimSpace(title) {
			t.Errorf("title %q came back as %q", title, got)
		}
	}
}

func miniConference(t testing.TB) *conference.Conference {
	t.Helper()
	c, _, err := ReadNative(strings.NewReader(goodConference), "mini.json")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fieldDiff names the fields that differ, with both values.
func fieldDiff(a, b carried) string {
	var out []string
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, fmt.Sprintf("%s: %q -> %q", va.Type().Field(i).Name, fmt.Sprint(va.Field(i).Interface()), fmt.Sprint(vb.Field(i).Interface())))
		}
	}
	return strings.Join(out, "; ")
}
