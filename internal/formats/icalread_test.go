package formats

import (
	"bytes"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"venuehop/internal/conference"
)

// An invented schedule in the shape pretalx publishes: a VTIMEZONE, TZID
// times, UIDs sharing one host, a folded line, escapes.
const pretalxICS = "BEGIN:VCALENDAR\r\n" +
	"VERSION:2.0\r\n" +
	"PRODID:-//pretalx//demo//EN\r\n" +
	"X-WR-CALNAME:DemoCon 2026\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:democon-ABCDEF@pretalx.example\r\n" +
	"DTSTAMP:20260101T000000Z\r\n" +
	"DTSTART;TZID=Europe/Berlin:20261201T100000\r\n" +
	"DTEND;TZID=Europe/Berlin:20261201T104500\r\n" +
	"SUMMARY:Opening\\, with coffee\r\n" +
	"DESCRIPTION:Line one\\nline two\\; and a very long line that is folded by the\r\n" +
	"  generator at seventy-five octets\r\n" +
	"LOCATION:Saal 1\r\n" +
	"CATEGORIES:Keynotes,Community\r\n" +
	"END:VEVENT\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:democon-GHIJKL@pretalx.example\r\n" +
	"DTSTART:20261201T100000Z\r\n" +
	"DURATION:PT1H30M\r\n" +
	"SUMMARY:Workshop\r\n" +
	"LOCATION:Room B\r\n" +
	"STATUS:CANCELLED\r\n" +
	"END:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestReadICal(t *testing.T) {
	if DetectFormat([]byte(pretalxICS)) != FormatICal {
		t.Fatalf("detected as %q", DetectFormat([]byte(pretalxICS)))
	}
	c, _, err := Read(strings.NewReader(pretalxICS), ReadOptions{Name: "democon.ics"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "DemoCon 2026" || c.TimeZone != "Europe/Berlin" || len(c.Sessions) != 2 || len(c.Rooms) != 2 {
		t.Fatalf("conference %q %q, %d sessions, %d rooms", c.Name, c.TimeZone, len(c.Sessions), len(c.Rooms))
	}
	s := c.Sessions[0]
	if s.ID != "democon-ABCDEF" || s.Title != "Opening, with coffee" || s.Minutes() != 45 ||
		!s.Start.Equal(at("Europe/Berlin", 2026, 12, 1, 10, 0)) {
		t.Errorf("session %+v", s)
	}
	if s.Abstract != "Line one\nline two; and a very long line that is folded by the generator at seventy-five octets" {
		t.Errorf("abstract %q", s.Abstract)
	}
	if strings.Join(s.Topics, "|") != "Keynotes|Community" || roomOf(c, s.RoomID).Name != "Saal 1" {
		t.Errorf("topics %v room %+v", s.Topics, roomOf(c, s.RoomID))
	}
	w := c.Sessions[1]
	if !w.Start.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) || w.Minutes() != 90 || !w.Cancelled {
		t.Errorf("workshop %+v", w)
	}
}

func TestReadICalProblemsLocated(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"no end", strings.Replace(pretalxICS, "DURATION:PT1H30M\r\n", "", 1), []string{"x.ics:24: DTEND: expected DTEND or DURATION"}},
		{"zone not IANA", strings.Replace(pretalxICS, "DTSTART;TZID=Europe/Berlin:", "DTSTART;TZID=W. Europe Standard Time:", 1),
			[]string{"x.ics:16: DTSTART: TZID \"W. Europe Standard Time\" is not an IANA time zone"}},
		{"bad time", strings.Replace(pretalxICS, "DTSTART:20261201T100000Z", "DTSTART:2026-12-01", 1), []string{"x.ics:26: DTSTART: expected a date-time"}},
		{"truncated", pretalxICS[:strings.Index(pretalxICS, "END:VCALENDAR")], []string{"ends inside VCALENDAR: it is truncated"}},
		{"no summary", strings.Replace(pretalxICS, "SUMMARY:Workshop\r\n", "", 1), []string{"SUMMARY: expected a SUMMARY"}},
		{"bad line", strings.Replace(pretalxICS, "LOCATION:Room B", "no colon here", 1), []string{"x.ics:29:1: expected a property NAME:VALUE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustRefuse(t, FormatICal, tc.text, ReadOptions{Name: "x.ics"}, tc.want...)
		})
	}
	// Floating times follow the readers' DST rule.
	floating := "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261025T023000\r\nDTEND:20261025T040000\r\nSUMMARY:T\r\nLOCATION:R\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	mustRefuse(t, FormatICal, floating, ReadOptions{Name: "x.ics"}, "x.ics:5: DTSTART: 2026-10-25 02:30 happens twice in Europe/Berlin")
	if c, _ := mustRead(t, FormatICal, floating, ReadOptions{DST: DSTLater}); !c.Sessions[0].Start.Equal(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("--dst later: %v", c.Sessions[0].Start)
	}
}

// dstConference has sittings at both 02:30s of the night clocks go back,
// just before the gap and after it.
func dstConference(t *testing.T) *conference.Conference {
	t.Helper()
	c := miniConference(t)
	c.TimeZone = "Europe/Berlin"
	loc, _ := time.LoadLocation("Europe/Berlin")
	c.Days = []string{"2026-03-29", "2026-10-25"}
	first := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)  // 02:30 CEST
	second := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC) // 02:30 CET
	starts := []time.Time{first, second, time.Date(2026, 3, 29, 1, 45, 0, 0, loc), time.Date(2026, 3, 29, 3, 0, 0, 0, loc)}
	base := c.Sessions[0]
	c.Sessions = nil
	for i, st := range starts {
		s := base
		s.ID = "dst" + string(rune('a'+i))
		s.Title = "Sitting " + s.ID
		s.Start, s.End = st, st.Add(20*time.Minute)
		c.Sessions = append(c.Sessions, s)
	}
	if probs := conference.Validate(c, conference.ValidateOptions{RoomOverlapIsWarning: true}); hasErrorProblem(probs) {
		t.Fatal(probs)
	}
	return c
}

// The iCalendar export's times mean the same instants to venuehop's
// reader and to an independent parser (github.com/emersion/go-ical, which
// takes TZID zones from Go's tz data), the night clocks go back included.
func TestICalTimesThroughTwoParsers(t *testing.T) {
	sources := map[string]*conference.Conference{"dst": dstConference(t), "demo": demoConference(t)}
	if testing.Short() {
		delete(sources, "demo")
	}
	for name, c := range sources {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, c, FormatICal, WriteOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
				t.Fatal(err)
			}
			want := map[string][2]time.Time{}
			for _, s := range c.Sessions {
				if s.Scheduled() {
					want[s.ID+"@"+c.ID] = [2]time.Time{s.Start, s.End}
				}
			}
			cal, err := goical.NewDecoder(bytes.NewReader(buf.Bytes())).Decode()
			if err != nil {
				t.Fatalf("go-ical cannot read the export: %v", err)
			}
			events := cal.Events()
			if len(events) != len(want) {
				t.Fatalf("go-ical reads %d events, want %d", len(events), len(want))
			}
			for _, ev := range events {
				uid, _ := ev.Props.Text(goical.PropUID)
				start, err1 := ev.DateTimeStart(nil)
				end, err2 := ev.DateTimeEnd(nil)
				w, ok := want[uid]
				if !ok || err1 != nil || err2 != nil || !start.Equal(w[0]) || !end.Equal(w[1]) {
					t.Fatalf("go-ical: %s at %v–%v (%v %v), want %v–%v", uid, start, end, err1, err2, w[0], w[1])
				}
			}
			again, _, err := Read(bytes.NewReader(buf.Bytes()), ReadOptions{Format: FormatICal, Name: "export.ics"})
			if err != nil {
				t.Fatalf("venuehop cannot read its own export: %v", err)
			}
			for _, s := range again.Sessions {
				w := want[s.ID+"@"+c.ID]
				if !s.Start.Equal(w[0]) || !s.End.Equal(w[1]) {
					t.Fatalf("venuehop: %s at %v–%v, want %v–%v", s.ID, s.Start, s.End, w[0], w[1])
				}
			}
		})
	}
	// The second 02:30 is written in UTC: a TZID would read as the first.
	var buf bytes.Buffer
	Write(&buf, dstConference(t), FormatICal, WriteOptions{})
	if !strings.Contains(buf.String(), "DTSTART:20261025T013000Z") || !strings.Contains(buf.String(), "DTSTART;TZID=Europe/Berlin:20260329T030000") {
		t.Errorf("ambiguous times are not in UTC, or unambiguous ones not local:\n%.2000s", buf.String())
	}
}
