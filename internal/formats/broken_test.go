package formats

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

	"venuehop/internal/errcode"
)

const goodCSV = `id,title,type,date,start,end,room,speakers,level
a1,Intro to queues,Breakout session,2026-12-01,09:00,10:00,Venetian | Level 2 | Hall B,Ana (Acme); Bo,200
a2,Deep dive,Chalk talk,2026-12-01,10:30,11:30,MGM | Level 1 | Room 101,,300
`

const goodFrab = `<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <conference><acronym>mini-2026</acronym><title>Mini</title><time_zone_name>Europe/Brussels</time_zone_name></conference>
  <day index="1" date="2026-02-01">
    <room name="Janson">
      <event guid="11111111-2222-4333-8444-555555555555" id="1">
        <date>2026-02-01T09:30:00+01:00</date><start>09:30</start><duration>00:30</duration><room>Janson</room>
        <title>Welcome</title><type>keynote</type><track>Keynotes</track><abstract>Hi</abstract>
      </event>
      <event guid="11111111-2222-4333-8444-555555555556" id="2">
        <date>2026-02-01T10:00:00+01:00</date><start>10:00</start><duration>00:50</duration><room>Janson</room>
        <title>Talk</title><type>talk</type><track>Keynotes</track><abstract>Hello</abstract>
      </event>
    </room>
  </day>
</schedule>
`

const goodC3voc = `{"schedule": {"version": "1", "conference": {"acronym": "mini", "title": "Mini", "time_zone_name": "Europe/Berlin",
 "days": [{"index": 1, "date": "2026-12-27", "rooms": {"Saal 1": [
  {"guid": "21111111-2222-4333-8444-555555555555", "id": 1, "date": "2026-12-27T11:00:00+01:00", "start": "11:00", "duration": "00:30",
   "room": "Saal 1", "title": "Opening", "type": "lecture", "persons": [{"public_name": "anna"}]},
  {"guid": "21111111-2222-4333-8444-555555555556", "id": 2, "date": "2026-12-27T12:00:00+01:00", "start": "12:00", "duration": "01:00",
   "room": "Saal 1", "title": "Keynote", "type": "lecture", "persons": []}
 ]}}]}}}`

func TestReadSmallGoodFiles(t *testing.T) {
	for _, tt := range []struct {
		name, text, tz string
		sessions       int
	}{
		{"s.csv", goodCSV, "America/Los_Angeles", 2},
		{"s.xml", goodFrab, "", 2},
		{"s.json", goodC3voc, "", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Read(strings.NewReader(tt.text), ReadOptions{Name: tt.name, TimeZone: tt.tz})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Sessions) != tt.sessions {
				t.Errorf("%d sessions", len(c.Sessions))
			}
		})
	}
	c, _, _ := Read(strings.NewReader(goodCSV), ReadOptions{Name: "s.csv", TimeZone: "America/Los_Angeles"})
	if s := c.Sessions[0]; len(s.Speakers) != 2 || s.Speakers[0].Company != "Acme" || s.Level != 200 || s.ID != "a1" {
		t.Errorf("session %+v", s)
	}
}

// importProblems runs Read and returns the text of the *ImportError.
func importProblems(t *testing.T, text string, opt ReadOptions) string {
	t.Helper()
	c, _, err := Read(strings.NewReader(text), opt)
	if err == nil {
		t.Fatalf("accepted a broken file: %d sessions", len(c.Sessions))
	}
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %T %v, want *ImportError", err, err)
	}
	if c != nil {
		t.Error("a conference came back with the error")
	}
	return err.Error()
}

// A broken file of each format: every problem is listed, located, with the
// field and what was expected.
func TestBrokenFilesListEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		text string
		opt  ReadOptions
		want []string
	}{
		{"csv cells", `title,type,date,start,end,room,level,reservable
Good,Breakout session,2026-12-01,09:00,10:00,Venetian | Level 2 | Hall B,200,true
,Breakout session,2026-12-01,09:00,10:00,Venetian | Level 2 | Hall C,200,true
Bad date,Chalk talk,01/12/2026,9am,10:00,Venetian | Level 2 | Hall D,250,maybe
Ends early,Workshop,2026-12-01,11:00,11:00,Venetian | Level 2 | Hall E,,
Short row,Workshop
`, ReadOptions{Name: "bad.csv", TimeZone: "America/Los_Angeles"}, []string{
			"bad.csv:3:1: title: expected a title",
			`bad.csv:4:21: date: expected a date YYYY-MM-DD, got "01/12/2026"`,
			`bad.csv:4:32: start: expected a local time HH:MM, got "9am"`,
			`bad.csv:4:70: level: expected 100, 200, 300, 400 or 500, got "250"`,
			`bad.csv:4:74: reservable: expected true or false, got "maybe"`,
			"bad.csv:5: end: expected the end",
			"bad.csv:6: expected 8 fields as in the header row, got 2",
		}},
		{"csv conflicting duplicate id", "id,title\nx1,One\nx1,Other\n", ReadOptions{Name: "dup.csv", TimeZone: "UTC"},
			[]string{`dup.csv:3: id: conflicting duplicate id "x1" (first at dup.csv:2)`}},
		{"csv truncated in a quote", goodCSV + "a3,\"Unfinished title,Workshop,2026-12-01", ReadOptions{Name: "cut.csv", TimeZone: "UTC"},
			[]string{"cut.csv:4:", "is not closed properly (is the file truncated?)"}},
		{"csv without time zone", goodCSV, ReadOptions{Name: "tz.csv"},
			[]string{"names no time zone", "--timezone"}},
		{"csv without title column", "name2,room\nx,y\n", ReadOptions{Name: "t.csv", TimeZone: "UTC", Format: FormatCSV},
			[]string{"t.csv:1:1: title: expected a title column"}},
		{"frab events", strings.NewReplacer(
			`<date>2026-02-01T09:30:00+01:00</date>`, `<date>yesterday</date>`,
			`<duration>00:50</duration>`, `<duration>fifty</duration>`,
			`<title>Talk</title>`, `<title></title>`,
		).Replace(goodFrab), ReadOptions{Name: "bad.xml"}, []string{
			`bad.xml:6:7: date: expected a time like 2025-02-01T09:30:00+01:00, got "yesterday"`,
			`bad.xml:10:7: title: expected a non-empty <title>`,
			`bad.xml:10:7: duration: expected a duration HH:MM, got "fifty"`,
		}},
		{"frab conflicting duplicate guid", strings.Replace(goodFrab, "555555555556", "555555555555", 1), ReadOptions{Name: "dup.xml"},
			[]string{`dup.xml:10:7: id: conflicting duplicate id "11111111-2222-4333-8444-555555555555" (first at dup.xml:6:7)`}},
		{"frab truncated", goodFrab[:len(goodFrab)/2], ReadOptions{Name: "cut.xml"}, []string{"cut.xml:", "truncated"}},
		{"frab not a schedule", "<html><body/></html>", ReadOptions{Name: "x.xml", Format: FormatFrab}, []string{"expected the root element <schedule>"}},
		{"frab old dialect without zone", strings.Replace(goodFrab, "<time_zone_name>Europe/Brussels</time_zone_name>", "", 1), ReadOptions{Name: "old.xml"},
			[]string{"old.xml:3:3: the file names no time zone"}},
		{"c3voc events", strings.NewReplacer(
			`"start": "11:00", "duration": "00:30"`, `"start": "11:00", "duration": 30`,
			`"title": "Keynote"`, `"title": ""`,
			`"date": "2026-12-27T12:00:00+01:00"`, `"date": "noon"`,
		).Replace(goodC3voc), ReadOptions{Name: "bad.json"}, []string{
			`schedule.conference.days[0].rooms["Saal 1"][0].duration: expected a duration HH:MM, got "30"`,
			`schedule.conference.days[0].rooms["Saal 1"][1].title: expected a non-empty title`,
			`schedule.conference.days[0].rooms["Saal 1"][1].date: expected a time like`,
		}},
		{"c3voc wrong types", strings.Replace(goodC3voc, `"title": "Opening"`, `"title": ["Opening"]`, 1), ReadOptions{Name: "t.json"},
			[]string{`rooms["Saal 1"][0].title: expected a string, got an array`}},
		{"c3voc truncated", goodC3voc[:200], ReadOptions{Name: "cut.json", Format: FormatC3voc}, []string{"truncated"}},
		{"c3voc without zone", strings.Replace(goodC3voc, `"time_zone_name": "Europe/Berlin",`, "", 1), ReadOptions{Name: "z.json"},
			[]string{"schedule.conference.time_zone_name: the file names no time zone"}},
		{"native", `{"format": "venuehop/1", "id": "x"}`, ReadOptions{Name: "n.json"}, []string{"name: expected a non-empty name", "days: expected at least one day"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := importProblems(t, tt.text, tt.opt)
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems do not mention %q:\n%s", w, all)
				}
			}
		})
	}
}

func TestProblemsAreCappedAt100(t *testing.T) {
	var b strings.Builder
	b.WriteString("title,level\n")
	for range 300 {
		fmt.Fprintf(&b, "x%d,7\n", b.Len())
	}
	c, _, err := Read(strings.NewReader(b.String()), ReadOptions{Name: "many.csv", TimeZone: "UTC"})
	var ie *ImportError
	if !errors.As(err, &ie) || c != nil {
		t.Fatalf("err %v", err)
	}
	if len(ie.Problems) != maxProblems {
		t.Errorf("%d problems, want %d", len(ie.Problems), maxProblems)
	}
}

func TestEncodings(t *testing.T) {
	utf16le := func(s string, bigEndian bool) []byte {
		units := utf16.Encode([]rune(s))
		out := []byte{0xFF, 0xFE}
		if bigEndian {
			out = []byte{0xFE, 0xFF}
		}
		for _, u := range units {
			if bigEndian {
				out = append(out, byte(u>>8), byte(u))
			} else {
				out = append(out, byte(u), byte(u>>8))
			}
		}
		return out
	}
	withAccent := strings.Replace(goodCSV, "Deep dive", "Café dive", 1)
	t.Run("UTF-8 BOM stripped", func(t *testing.T) {
		c, _, err := Read(bytes.NewReader(append([]byte{0xEF, 0xBB, 0xBF}, withAccent...)), ReadOptions{Name: "bom.csv", TimeZone: "UTC"})
		if err != nil || c.Sessions[0].ID != "a1" {
			t.Fatalf("err %v", err)
		}
	})
	for _, big := range []bool{false, true} {
		t.Run("UTF-16 converted", func(t *testing.T) {
			c, warnings, err := Read(bytes.NewReader(utf16le(withAccent, big)), ReadOptions{Name: "u16.csv", TimeZone: "UTC"})
			if err != nil {
				t.Fatal(err)
			}
			if c.Sessions[1].Title != "Café dive" {
				t.Errorf("title %q", c.Sessions[1].Title)
			}
			if len(warnings) == 0 || !strings.Contains(warnings[0].Message, "converted from UTF-16") {
				t.Errorf("no conversion note: %v", warnings)
			}
		})
	}
	t.Run("Latin-1 CSV rejected, line named", func(t *testing.T) {
		latin1 := strings.Replace(goodCSV, "Deep dive", "Caf\xe9 dive", 1)
		all := importProblems(t, latin1, ReadOptions{Name: "l1.csv", TimeZone: "UTC"})
		if !strings.Contains(all, "l1.csv:3:7: invalid UTF-8 (byte 0xE9)") || !strings.Contains(all, "save it as UTF-8") {
			t.Errorf("%s", all)
		}
	})
	t.Run("declared ISO-8859-1 XML converted", func(t *testing.T) {
		x := strings.Replace(strings.Replace(goodFrab, "UTF-8", "ISO-8859-1", 1), "<title>Talk</title>", "<title>Caf\xe9</title>", 1)
		c, _, err := Read(strings.NewReader(x), ReadOptions{Name: "l1.xml"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Sessions[1].Title != "Café" {
			t.Errorf("title %q", c.Sessions[1].Title)
		}
	})
	t.Run("unknown XML encoding rejected", func(t *testing.T) {
		all := importProblems(t, strings.Replace(goodFrab, "UTF-8", "EBCDIC", 1), ReadOptions{Name: "e.xml"})
		if !strings.Contains(all, `encoding "ebcdic" is not supported`) {
			t.Errorf("%s", all)
		}
	})
}

// oversized streams a file just over the limit without holding it.
type oversized struct{ n int64 }

func (o *oversized) Read(p []byte) (int, error) {
	if o.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), o.n)
	for i := range p[:k] {
		p[i] = 'a'
	}
	o.n -= k
	return int(k), nil
}

func TestTooLarge(t *testing.T) {
	_, _, err := Read(&oversized{n: MaxFileBytes + 1}, ReadOptions{Name: "huge.csv", Format: FormatCSV})
	if !errcode.Is(err, errcode.TooLarge) || !strings.Contains(err.Error(), "huge.csv is larger than the limit of 64 MB") {
		t.Errorf("err = %v", err)
	}
}

func TestDetectFormat(t *testing.T) {
	for _, tt := range []struct{ head, want string }{
		{goodCSV, FormatCSV},
		{"\uFEFF" + goodCSV, FormatCSV},
		{goodFrab, FormatFrab},
		{goodC3voc, FormatC3voc},
		{goodConference, FormatJSON},
		{"type,title,abstract,date,startTime,endTime,room\n", FormatCSV},
		{"hello world", ""},
		{"<html/>", ""},
		{"", ""},
	} {
		if got := DetectFormat([]byte(tt.head)); got != tt.want {
			t.Errorf("DetectFormat(%.30q) = %q, want %q", tt.head, got, tt.want)
		}
	}
	if _, _, err := Read(strings.NewReader("hello"), ReadOptions{Name: "x"}); err == nil || !strings.Contains(err.Error(), "cannot tell the format") {
		t.Errorf("err = %v", err)
	}
}

func TestVenueMap(t *testing.T) {
	vm, err := ReadVenueMap(strings.NewReader(`{"venues": [
		{"id": "hall", "name": "Main hall", "lat": 50.1, "lon": 4.2, "rooms": ["Auditorium"], "prefixes": ["A."]},
		{"id": "annex", "name": "Annex", "lat": 50.2, "lon": 4.3, "patterns": ["^B[0-9]"], "prefixes": ["A.9"]},
		{"id": "web", "name": "Online", "lat": 0, "lon": 0, "online": true, "aliases": ["stream"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ room, ruleName, want string }{
		{"auditorium", "", "hall"},
		{"A.101", "", "hall"},
		{"A.901", "", "annex"}, // the longest prefix wins
		{"B2", "", "annex"},
		{"Room 7", "Stream", "web"},
		{"Room 7", "", ""},
	} {
		v, ok := vm.lookup(tt.room, "", tt.ruleName)
		if v.ID != tt.want || ok != (tt.want != "") {
			t.Errorf("lookup(%q, %q) = %q, want %q", tt.room, tt.ruleName, v.ID, tt.want)
		}
	}
	_, err = ReadVenueMap(strings.NewReader(`{"venues": [{"id": "Bad Id", "name": "", "lat": 91, "lon": 0, "patterns": ["("]},
		{"id": "x", "name": "X", "lat": 1, "lon": 1, "colour": "red"}]}`))
	if err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("unknown field accepted: %v", err)
	}
	_, err = ReadVenueMap(strings.NewReader(`{"venues": [{"id": "Bad Id", "name": "", "lat": 91, "lon": 0, "patterns": ["("]}]}`))
	for _, want := range []string{"venues[0].id: expected an id", "venues[0].name: expected a non-empty name", "venues[0].lat: expected a latitude", "venues[0].patterns[0]: expected a Go regular expression"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("venue map error lacks %q: %v", want, err)
		}
	}
}

// Content-derived ids stay the same when unrelated rows change, so a
// re-import of an edited spreadsheet matches the unchanged sessions.
func TestCSVDerivedIDsAreStable(t *testing.T) {
	const base = "type,title,date,startTime,endTime,room\nBreakout session,One [REPEAT],2026-12-01,09:00,10:00,MGM | Level 1 | R1\nBreakout session,One,2026-12-02,09:00,10:00,MGM | Level 1 | R1\n"
	a, _, err := Read(strings.NewReader(base), ReadOptions{Name: "a.csv", TimeZone: "America/Los_Angeles"})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := Read(strings.NewReader(base+"Workshop,Two,2026-12-03,09:00,10:00,Wynn | Level 2 | R2\n"), ReadOptions{Name: "a.csv", TimeZone: "America/Los_Angeles"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Sessions[0].ID != b.Sessions[0].ID || a.Sessions[1].ID != b.Sessions[1].ID || a.Sessions[0].ID == a.Sessions[1].ID {
		t.Errorf("ids %s %s / %s %s", a.Sessions[0].ID, a.Sessions[1].ID, b.Sessions[0].ID, b.Sessions[1].ID)
	}
	if a.Sessions[0].RepeatGroup == "" || a.Sessions[0].RepeatGroup != a.Sessions[1].RepeatGroup || a.Sessions[0].Title != "One" {
		t.Errorf("repeat group %+v", a.Sessions)
	}
}

func TestGUIDCarriesShortIDs(t *testing.T) {
	for _, id := range []string{"15059", "s446497a80934", "ANT336-r1", "x", "~!@$^&*()_+{}|"} {
		u := stableUUID("conf", id)
		if !uuidRE.MatchString(u) || u[14] != '8' {
			t.Errorf("%q: %q is not a version 8 UUID", id, u)
		}
		if got := idFromGUID(u); got != id {
			t.Errorf("%q came back as %q", id, got)
		}
	}
	long := "a-very-long-session-identifier-123"
	if u := stableUUID("conf", long); idFromGUID(u) != u || stableUUID("conf", long) != u {
		t.Errorf("a long id must get a stable opaque guid: %q", u)
	}
	if real := "fdbc5919-f702-524c-9331-3a2c670f6ff3"; idFromGUID(real) != real || stableUUID("c", real) != real {
		t.Error("a real UUID must be kept")
	}
}
