package formats

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"venuehop/internal/conference"
)

// A strict, independent RFC 5545 reader for the tests: it checks the
// physical form (CRLF, lines of at most 75 octets, valid UTF-8), unfolds,
// parses every content line and parameter, nests components and unescapes
// TEXT, failing on anything RFC 5545 does not allow.

type icalProp struct {
	name   string
	params map[string]string
	value  string
}

type icalComp struct {
	name     string
	props    []icalProp
	children []*icalComp
}

func (c *icalComp) all(name string) []icalProp {
	var out []icalProp
	for _, p := range c.props {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

func (c *icalComp) one(t *testing.T, name string) icalProp {
	t.Helper()
	ps := c.all(name)
	if len(ps) != 1 {
		t.Fatalf("%s has %d %s properties, want exactly 1", c.name, len(ps), name)
	}
	return ps[0]
}

var (
	icalNameRE  = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	icalUTCRE   = regexp.MustCompile(`^\d{8}T\d{6}Z$`)
	icalLocalRE = regexp.MustCompile(`^\d{8}T\d{6}$`)
	icalOffRE   = regexp.MustCompile(`^[+-]\d{4}(\d{2})?$`)
)

func parseICal(t *testing.T, data []byte) *icalComp {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatal("not UTF-8")
	}
	s := string(data)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("the last line does not end with CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var logical []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d has %d octets (max 75): %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d splits a UTF-8 sequence: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(logical) == 0 {
				t.Fatal("the first line is a continuation")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	root := &icalComp{name: "ROOT"}
	stack := []*icalComp{root}
	for i, l := range logical {
		p := parseContentLine(t, i+1, l)
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			c := &icalComp{name: p.value}
			top.children = append(top.children, c)
			stack = append(stack, c)
		case "END":
			if top.name != p.value || len(stack) == 1 {
				t.Fatalf("line %d: END:%s closes %s", i+1, p.value, top.name)
			}
			stack = stack[:len(stack)-1]
		default:
			if top == root {
				t.Fatalf("line %d: property %s outside any component", i+1, p.name)
			}
			top.props = append(top.props, p)
		}
	}
	if len(stack) != 1 || len(root.children) != 1 || root.children[0].name != "VCALENDAR" {
		t.Fatalf("expected exactly one closed VCALENDAR")
	}
	return root.children[0]
}

func parseContentLine(t *testing.T, n int, l string) icalProp {
	t.Helper()
	// name *(";" param) ":" value; parameter values may be quoted.
	i := strings.IndexAny(l, ";:")
	if i <= 0 || !icalNameRE.MatchString(l[:i]) {
		t.Fatalf("line %d: bad property name: %q", n, l)
	}
	p := icalProp{name: strings.ToUpper(l[:i]), params: map[string]string{}}
	rest := l[i:]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || !icalNameRE.MatchString(rest[:eq]) {
			t.Fatalf("line %d: bad parameter in %q", n, l)
		}
		name := strings.ToUpper(rest[:eq])
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				t.Fatalf("line %d: unterminated quoted parameter", n)
			}
			val, rest = rest[1:end+1], rest[end+2:]
		} else {
			end := strings.IndexAny(rest, ";:,\"")
			if end < 0 {
				t.Fatalf("line %d: parameter without value end", n)
			}
			val, rest = rest[:end], rest[end:]
		}
		p.params[name] = val
	}
	if !strings.HasPrefix(rest, ":") {
		t.Fatalf("line %d: expected ':' in %q", n, l)
	}
	p.value = rest[1:]
	for _, r := range p.value {
		if r < 0x20 && r != '\t' || r == 0x7f {
			t.Fatalf("line %d: control character %U in the value", n, r)
		}
	}
	return p
}

// unescapeText decodes a TEXT value, rejecting escapes RFC 5545 lacks and
// unescaped commas or semicolons.
func unescapeText(t *testing.T, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\':
			if i+1 == len(v) {
				t.Fatalf("dangling backslash in %q", v)
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				t.Fatalf("bad escape \\%c in %q", v[i], v)
			}
		case c == ';' || c == ',':
			t.Fatalf("unescaped %c in TEXT %q", c, v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// zoneResolver maps a local DATE-TIME with TZID to an instant using only
// the VTIMEZONE observances (not Go's zone data).
type observance struct {
	onset        time.Time // instant
	from, to     int
	onsetLocalTS string
}

func resolver(t *testing.T, cal *icalComp) map[string][]observance {
	t.Helper()
	zones := map[string][]observance{}
	for _, tz := range cal.children {
		if tz.name != "VTIMEZONE" {
			continue
		}
		id := tz.one(t, "TZID").value
		for _, o := range tz.children {
			if o.name != "STANDARD" && o.name != "DAYLIGHT" {
				t.Fatalf("unexpected %s in VTIMEZONE", o.name)
			}
			start := o.one(t, "DTSTART").value
			from, to := o.one(t, "TZOFFSETFROM").value, o.one(t, "TZOFFSETTO").value
			if !icalLocalRE.MatchString(start) || !icalOffRE.MatchString(from) || !icalOffRE.MatchString(to) {
				t.Fatalf("bad observance %s %s %s", start, from, to)
			}
			local, _ := time.Parse("20060102T150405", start)
			fo, tOff := parseOffset(from), parseOffset(to)
			zones[id] = append(zones[id], observance{onset: local.Add(-time.Duration(fo) * time.Second), from: fo, to: tOff, onsetLocalTS: start})
		}
		sort.Slice(zones[id], func(a, b int) bool { return zones[id][a].onset.Before(zones[id][b].onset) })
	}
	return zones
}

func parseOffset(s string) int {
	var h, m, sec int
	fmt.Sscanf(s[1:3], "%d", &h)
	fmt.Sscanf(s[3:5], "%d", &m)
	if len(s) == 7 {
		fmt.Sscanf(s[5:7], "%d", &sec)
	}
	v := h*3600 + m*60 + sec
	if s[0] == '-' {
		v = -v
	}
	return v
}

func resolve(t *testing.T, zones map[string][]observance, p icalProp) time.Time {
	t.Helper()
	tzid, ok := p.params["TZID"]
	if !ok {
		if !icalUTCRE.MatchString(p.value) {
			t.Fatalf("%s %q is neither UTC nor has a TZID", p.name, p.value)
		}
		u, _ := time.Parse("20060102T150405Z", p.value)
		return u
	}
	obs, ok := zones[tzid]
	if !ok || len(obs) == 0 {
		t.Fatalf("TZID %q has no VTIMEZONE", tzid)
	}
	if !icalLocalRE.MatchString(p.value) {
		t.Fatalf("bad local time %q", p.value)
	}
	local, _ := time.Parse("20060102T150405", p.value)
	var best *observance
	for i := range obs {
		o := &obs[i]
		if !o.onset.After(local.Add(-time.Duration(o.to) * time.Second)) {
			best = o
		}
	}
	if best == nil {
		t.Fatalf("%s %s is before every observance of %s", p.name, p.value, tzid)
	}
	return local.Add(-time.Duration(best.to) * time.Second)
}

func writeICalString(t *testing.T, snap *conference.Snapshot, events []ICalEvent, opt ICalOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteICal(&buf, snap, events, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func snapshotOf(t testing.TB, c *conference.Conference) *conference.Snapshot {
	t.Helper()
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{RoomOverlapIsWarning: true})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

var fixedNow = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func TestICalWholeConference(t *testing.T) {
	c := demoConference(t)
	snap := snapshotOf(t, c)
	cal := parseICal(t, writeICalString(t, snap, nil, ICalOptions{Now: fixedNow, BaseURL: "https://plan.example.org"}))
	if cal.one(t, "VERSION").value != "2.0" || cal.one(t, "PRODID").value == "" {
		t.Error("VERSION or PRODID missing")
	}
	zones := resolver(t, cal)
	uids := map[string]bool{}
	events := 0
	for _, ev := range cal.children {
		if ev.name != "VEVENT" {
			continue
		}
		events++
		uid := ev.one(t, "UID").value
		if uids[uid] {
			t.Fatalf("duplicate UID %s", uid)
		}
		uids[uid] = true
		id, ok := strings.CutSuffix(uid, "@"+c.ID)
		if !ok {
			t.Fatalf("UID %q is not session id @ conference id", uid)
		}
		s, ok := snap.Session(id)
		if !ok {
			t.Fatalf("UID %q names no session", uid)
		}
		if stamp := ev.one(t, "DTSTAMP").value; stamp != "20261120T080000Z" {
			t.Errorf("DTSTAMP %q", stamp)
		}
		if start := resolve(t, zones, ev.one(t, "DTSTART")); !start.Equal(s.Start) {
			t.Fatalf("%s: DTSTART resolves to %v, want %v", id, start, s.Start)
		}
		if end := resolve(t, zones, ev.one(t, "DTEND")); !end.Equal(s.End) {
			t.Fatalf("%s: DTEND resolves to %v, want %v", id, end, s.End)
		}
		summary := unescapeText(t, ev.one(t, "SUMMARY").value)
		if !strings.HasSuffix(summary, s.Title) {
			t.Errorf("SUMMARY %q, title %q", summary, s.Title)
		}
		room, _ := snap.Room(s.RoomID)
		venue, _ := snap.Venue(room.VenueID)
		loc := unescapeText(t, ev.one(t, "LOCATION").value)
		if !strings.Contains(loc, room.Name) || !strings.Contains(loc, venue.Name) {
			t.Errorf("LOCATION %q lacks room %q or venue %q", loc, room.Name, venue.Name)
		}
		if geo := ev.one(t, "GEO").value; geo != fmt.Sprintf("%.6f;%.6f", venue.Lat, venue.Lon) {
			t.Errorf("GEO %q for %+v", geo, venue)
		}
		unescapeText(t, ev.one(t, "DESCRIPTION").value)
		if u := ev.one(t, "URL").value; u != "https://plan.example.org/sessions/"+id {
			t.Errorf("URL %q", u)
		}
	}
	scheduled := 0
	for _, s := range c.Sessions {
		if s.Scheduled() {
			scheduled++
		}
	}
	if events != scheduled {
		t.Errorf("%d events, want %d scheduled sessions", events, scheduled)
	}
}

// An attendee's agenda: sessions, a walk between venues as its own event,
// and the reservation's release time in the description.
func TestICalAgendaWithTravelAndRelease(t *testing.T) {
	c := demoConference(t)
	snap := snapshotOf(t, c)
	var first, second *conference.Session
	for i := range c.Sessions {
		s := &c.Sessions[i]
		v, _ := snap.VenueOfRoom(s.RoomID)
		switch {
		case !s.Scheduled():
		case first == nil && v.ID == "venetian":
			first = s
		case first != nil && second == nil && v.ID == "mgm-grand" && s.Start.After(first.End.Add(40*time.Minute)):
			second = s
		}
	}
	if first == nil || second == nil {
		t.Fatal("the demo has no Venetian then MGM Grand pair")
	}
	depart := first.End
	release := second.Start.Add(-10 * time.Minute)
	agenda := []ICalEvent{
		{SessionID: first.ID},
		{SessionID: second.ID, ReleaseAt: release, Travel: &ICalTravel{Mode: "walk", FromRoomID: first.RoomID, Depart: depart, Arrive: depart.Add(35 * time.Minute)}},
		{SessionID: "no-such-session"},
	}
	cal := parseICal(t, writeICalString(t, snap, agenda, ICalOptions{Now: fixedNow, Name: "My re:Invent"}))
	if name := unescapeText(t, cal.one(t, "X-WR-CALNAME").value); name != "My re:Invent" {
		t.Errorf("calendar name %q", name)
	}
	zones := resolver(t, cal)
	byUID := map[string]*icalComp{}
	for _, ev := range cal.children {
		if ev.name == "VEVENT" {
			byUID[ev.one(t, "UID").value] = ev
		}
	}
	if len(byUID) != 3 {
		t.Fatalf("%d events, want 2 sessions and 1 walk", len(byUID))
	}
	walk := byUID[second.ID+"-travel@"+c.ID]
	if walk == nil {
		t.Fatalf("no travel event; UIDs %v", byUID)
	}
	if got := unescapeText(t, walk.one(t, "SUMMARY").value); got != "Walk to MGM Grand, 35 min" {
		t.Errorf("travel SUMMARY %q", got)
	}
	if s := resolve(t, zones, walk.one(t, "DTSTART")); !s.Equal(depart) {
		t.Errorf("walk starts %v, want %v", s, depart)
	}
	ev := byUID[second.ID+"@"+c.ID]
	desc := unescapeText(t, ev.one(t, "DESCRIPTION").value)
	if want := "held until " + release.In(snap.Loc).Format("15:04"); !strings.Contains(desc, want) {
		t.Errorf("description lacks %q: %q", want, desc)
	}
	if strings.Contains(unescapeText(t, byUID[first.ID+"@"+c.ID].one(t, "DESCRIPTION").value), "held until") {
		t.Error("a session without a reservation mentions a release")
	}
}

// Folding never splits a UTF-8 character, escaping round-trips, and the
// VTIMEZONE gives the right offset on both sides of each DST change.
func TestICalFoldingEscapingAndZones(t *testing.T) {
	c := miniConference(t)
	c.Days = []string{"2026-03-07", "2026-03-08", "2026-10-31", "2026-11-01"}
	long := strings.Repeat("Ünïcödé, ", 20) + "semi;colon\\back\nslash — ☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃"
	base := c.Sessions[0]
	c.Sessions = nil
	for i, day := range c.Days {
		s := base
		s.ID = fmt.Sprintf("s%d", i)
		s.Title = long
		d, _ := time.Parse(time.DateOnly, day)
		loc, _ := time.LoadLocation(c.TimeZone)
		s.Start = time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, loc)
		s.End = s.Start.Add(time.Hour)
		c.Sessions = append(c.Sessions, s)
	}
	snap := snapshotOf(t, c)
	cal := parseICal(t, writeICalString(t, snap, nil, ICalOptions{Now: fixedNow}))
	zones := resolver(t, cal)
	n := 0
	for _, ev := range cal.children {
		if ev.name != "VEVENT" {
			continue
		}
		s, _ := snap.Session(strings.TrimSuffix(ev.one(t, "UID").value, "@"+c.ID))
		if got := unescapeText(t, ev.one(t, "SUMMARY").value); got != long {
			t.Errorf("SUMMARY came back as %q", got)
		}
		if got := resolve(t, zones, ev.one(t, "DTSTART")); !got.Equal(s.Start) {
			t.Errorf("%s: DTSTART resolves to %v, want %v", s.ID, got, s.Start)
		}
		n++
	}
	if n != 4 {
		t.Errorf("%d events", n)
	}

	// A zone without DST gets one fixed observance.
	c.TimeZone = "Asia/Tokyo"
	tokyo, _ := time.LoadLocation(c.TimeZone)
	for i := range c.Sessions {
		l := c.Sessions[i].Start
		c.Sessions[i].Start = time.Date(l.Year(), l.Month(), l.Day(), 9, 0, 0, 0, tokyo)
		c.Sessions[i].End = c.Sessions[i].Start.Add(time.Hour)
	}
	cal = parseICal(t, writeICalString(t, snapshotOf(t, c), nil, ICalOptions{Now: fixedNow}))
	tz := cal.children[0]
	if tz.name != "VTIMEZONE" || len(tz.children) != 1 || tz.children[0].one(t, "TZOFFSETTO").value != "+0900" {
		t.Errorf("Tokyo VTIMEZONE: %+v", tz)
	}
}
