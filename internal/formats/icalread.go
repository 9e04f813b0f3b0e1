package formats

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
)

// iCalendar import (RFC 5545): the .ics schedules that pretalx, Indico and
// Sched publish, and venuehop's own export. Each VEVENT is a session:
// UID the id, SUMMARY the title, DESCRIPTION the abstract, LOCATION the
// room, CATEGORIES the topics, DTSTART with DTEND or DURATION the time
// (UTC, TZID with an IANA zone, or floating in the conference zone),
// STATUS:CANCELLED cancelled. venuehop's export adds X-VENUEHOP-TYPE,
// X-VENUEHOP-CODE and X-VENUEHOP-ROOM ("Venue | Level | Room"), so that
// its own file comes back with the session type, code and room.

// icalLine is one unfolded content line.
type icalLine struct {
	line   int // where it starts in the file
	name   string
	params map[string]string
	value  string
}

// icalEvent is a VEVENT's properties, the first of each name.
type icalEvent struct {
	line  int
	props map[string]icalLine
}

func (e icalEvent) text(name string) string { return unescapeICalText(e.props[name].value) }

// maxICalLines bounds the content lines of one file (a 64 MB file of
// one-byte lines would otherwise make millions of tiny allocations).
const maxICalLines = 4 << 20

func readICal(b *builder, text []byte) {
	lines, ok := b.icalLines(text)
	if !ok {
		return
	}
	var (
		stack     []string
		cal       = map[string]icalLine{}
		events    []icalEvent
		cur       *icalEvent
		sawCal    bool
		foundZone string   // the first IANA TZID of an event
		badZone   icalLine // the first TZID that is none
	)
	for _, l := range lines {
		switch l.name {
		case "BEGIN":
			comp := strings.ToUpper(strings.TrimSpace(l.value))
			if len(stack) == 0 && comp != "VCALENDAR" {
				b.errAt(b.pos(l.line, 1), "expected BEGIN:VCALENDAR first, got BEGIN:%s", comp)
				return
			}
			sawCal = sawCal || comp == "VCALENDAR"
			stack = append(stack, comp)
			if comp == "VEVENT" && len(stack) == 2 {
				events = append(events, icalEvent{line: l.line, props: map[string]icalLine{}})
				cur = &events[len(events)-1]
			}
			continue
		case "END":
			comp := strings.ToUpper(strings.TrimSpace(l.value))
			if len(stack) == 0 || stack[len(stack)-1] != comp {
				b.errAt(b.pos(l.line, 1), "END:%s does not close the open component%s", comp, openComponent(stack))
				return
			}
			stack = stack[:len(stack)-1]
			if comp == "VEVENT" {
				cur = nil
			}
			continue
		}
		switch {
		case len(stack) == 1:
			if _, dup := cal[l.name]; !dup {
				cal[l.name] = l
			}
		case cur != nil && len(stack) == 2:
			if _, dup := cur.props[l.name]; !dup {
				cur.props[l.name] = l
			}
			if tz := l.params["TZID"]; foundZone == "" && tz != "" && (l.name == "DTSTART" || l.name == "DTEND") {
				if z, ok := icalZone(tz); ok {
					foundZone = z
				} else if badZone.line == 0 {
					badZone = l
				}
			}
		}
	}
	if len(stack) > 0 {
		b.errAt(b.pos(lines[len(lines)-1].line, 0), "the file ends inside %s: it is truncated (expected END:%s)", stack[len(stack)-1], stack[len(stack)-1])
		return
	}
	if !sawCal {
		b.errAt(b.pos(1, 1), "expected BEGIN:VCALENDAR")
		return
	}

	base := strings.TrimSuffix(filepath.Base(b.name), filepath.Ext(b.name))
	b.conf.Name = firstNonEmpty(unescapeICalText(cal["X-WR-CALNAME"].value), unescapeICalText(cal["NAME"].value), base)
	b.conf.ID = icalConferenceID(events, b.conf.Name)
	zoneAt := b.pos(1, 0)
	fileZone := strings.TrimSpace(cal["X-WR-TIMEZONE"].value)
	if fileZone != "" {
		zoneAt = b.pos(cal["X-WR-TIMEZONE"].line, 0)
	} else if foundZone != "" {
		fileZone = foundZone
	} else if badZone.line != 0 {
		b.errAt(b.pos(badZone.line, 0), "%s: TZID %q is not an IANA time zone (expected a name such as Europe/Berlin)", badZone.name, badZone.params["TZID"])
		return
	}
	b.setZone(fileZone, zoneAt)
	if b.loc == nil {
		return
	}
	if len(events) == 0 {
		b.errAt(b.pos(1, 1), "the calendar holds no VEVENT: an empty schedule is not imported")
		return
	}
	own := false
	for _, ev := range events {
		if _, ok := ev.props["X-VENUEHOP-TYPE"]; ok {
			own = true
			break
		}
	}
	b.carried = icalCarried(own)
	campus := ruleVenue{ID: slug(b.conf.Name), Name: b.conf.Name}
	strip := uidSuffix(events)
	seen := map[string]eventKey{}
	for _, ev := range events {
		if b.tooMany() {
			return
		}
		b.icalSession(ev, strip, campus, seen)
	}
	b.conf.Days = daysOf(b.conf, b.loc)
}

func openComponent(stack []string) string {
	if len(stack) == 0 {
		return " (none is open)"
	}
	return " " + stack[len(stack)-1]
}

// icalLines unfolds and splits the content lines.
func (b *builder) icalLines(text []byte) ([]icalLine, bool) {
	var out []icalLine
	var cur []byte
	curLine, line := 0, 0
	flush := func() bool {
		if curLine == 0 {
			return true
		}
		l, err := parseICalLine(string(cur))
		if err != "" {
			b.errAt(b.pos(curLine, 1), "%s", err)
		} else {
			l.line = curLine
			out = append(out, l)
		}
		cur, curLine = cur[:0], 0
		return !b.tooMany()
	}
	for len(text) > 0 {
		line++
		raw, rest, _ := bytes.Cut(text, []byte("\n"))
		text = rest
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') {
			if curLine == 0 {
				b.errAt(b.pos(line, 1), "a folded line continues nothing: expected a property before it")
				continue
			}
			cur = append(cur, raw[1:]...)
			continue
		}
		if !flush() {
			return nil, false
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if len(out) >= maxICalLines {
			b.errAt(b.pos(line, 1), "more than %d lines: not a schedule", maxICalLines)
			return nil, false
		}
		cur, curLine = append(cur, raw...), line
	}
	flush()
	if len(b.errs) > 0 {
		return nil, false
	}
	if len(out) == 0 {
		b.errAt(b.pos(1, 1), "the file is empty: expected BEGIN:VCALENDAR")
		return nil, false
	}
	return out, true
}

// parseICalLine splits NAME;PARAM=VALUE;...:VALUE (quoted parameter
// values may hold ; : and ,).
func parseICalLine(s string) (icalLine, string) {
	l := icalLine{}
	i := strings.IndexAny(s, ";:")
	if i <= 0 {
		return l, fmt.Sprintf("expected a property NAME:VALUE, got %q", clip(s, 60))
	}
	l.name = strings.ToUpper(s[:i])
	for s[i] == ';' {
		s = s[i+1:]
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return l, fmt.Sprintf("%s: expected a parameter NAME=VALUE", l.name)
		}
		pname := strings.ToUpper(s[:eq])
		s = s[eq+1:]
		var pval string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return l, fmt.Sprintf("%s: parameter %s opens a quote it does not close", l.name, pname)
			}
			pval, s = s[1:end+1], s[end+2:]
		} else {
			end := strings.IndexAny(s, ";:")
			if end < 0 {
				return l, fmt.Sprintf("%s: expected \":\" before the value", l.name)
			}
			pval, s = s[:end], s[end:]
		}
		if l.params == nil {
			l.params = map[string]string{}
		}
		l.params[pname] = pval
		i = 0
		if len(s) == 0 {
			return l, fmt.Sprintf("%s: expected \":\" before the value", l.name)
		}
		if s[0] != ';' && s[0] != ':' {
			return l, fmt.Sprintf("%s: expected ; or : after parameter %s", l.name, pname)
		}
	}
	l.value = s[i+1:]
	return l, ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// unescapeICalText reads a TEXT value (RFC 5545 3.3.11).
func unescapeICalText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitICalList splits a TEXT list on unescaped commas (CATEGORIES).
func splitICalList(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ',':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	out = append(out, s[start:])
	var items []string
	for _, it := range out {
		if it = strings.TrimSpace(unescapeICalText(it)); it != "" {
			items = append(items, it)
		}
	}
	return items
}

// uidSuffix is the "@domain" every UID shares (pretalx's
// "@pretalx.example", venuehop's "@conference-id"), removed from the ids;
// "" when they do not all share one.
func uidSuffix(events []icalEvent) string {
	suffix := ""
	for i, ev := range events {
		uid := strings.TrimSpace(ev.text("UID"))
		at := strings.LastIndexByte(uid, '@')
		if at <= 0 || at == len(uid)-1 {
			return ""
		}
		if i == 0 {
			suffix = uid[at:]
		} else if uid[at:] != suffix {
			return ""
		}
	}
	return suffix
}

// icalConferenceID: a UID suffix that is an id (venuehop writes its
// conference id there) rather than a host name, else one from the name.
func icalConferenceID(events []icalEvent, name string) string {
	if s := uidSuffix(events); s != "" && !strings.Contains(s, ".") && slug(s[1:]) == s[1:] {
		return s[1:]
	}
	return slug(name)
}

// icalZone reads a TZID as an IANA zone: its canonical name, also from
// the tails of a prefixed TZID ("/mozilla.org/20050126_1/Europe/Berlin").
func icalZone(tzid string) (string, bool) {
	tzid = strings.Trim(strings.TrimSpace(tzid), `"`)
	if z, err := CanonicalZone(tzid); err == nil {
		return z, true
	}
	parts := strings.Split(tzid, "/")
	for i := 1; i < len(parts)-1; i++ {
		if z, err := CanonicalZone(strings.Join(parts[i:], "/")); err == nil {
			return z, true
		}
	}
	return "", false
}

// icalTime reads a DTSTART or DTEND: UTC ("...Z"), TZID local, or
// floating (the conference zone). A TZID time that happens twice or never
// follows RFC 5545 3.3.5 (the first occurrence; the offset before the
// gap), with a warning; a floating one follows the readers' DST rule.
func (b *builder) icalTime(p icalLine) (t time.Time, allDay bool, ok bool) {
	at := b.pos(p.line, 0)
	v := strings.TrimSpace(p.value)
	if strings.EqualFold(p.params["VALUE"], "DATE") || len(v) == 8 {
		if _, err := time.Parse("20060102", v); err != nil {
			b.errAt(at, "%s: expected a date YYYYMMDD, got %q", p.name, v)
			return time.Time{}, false, false
		}
		return time.Time{}, true, true
	}
	if u, err := time.Parse("20060102T150405Z", v); err == nil {
		return u, false, true
	}
	wall, err := time.Parse("20060102T150405", v)
	if err != nil {
		b.errAt(at, "%s: expected a date-time like 20261201T100000 or 20261201T180000Z, got %q", p.name, v)
		return time.Time{}, false, false
	}
	tzid, hasZone := p.params["TZID"]
	if !hasZone {
		out, ok := b.wallInstant(wall, at, p.name)
		return out, false, ok
	}
	zone, found := icalZone(tzid)
	if !found {
		b.errAt(at, "%s: TZID %q is not an IANA time zone (expected a name such as Europe/Berlin)", p.name, tzid)
		return time.Time{}, false, false
	}
	loc, _ := conference.LoadZone(zone)
	earlier, later, kind := resolveWall(loc, wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second())
	switch kind {
	case wallAmbiguous:
		b.warnAt(at, "%s: %s happens twice in %s: taken as the first, as RFC 5545 says", p.name, wall.Format("2006-01-02 15:04"), zone)
		return earlier, false, true
	case wallGap:
		b.warnAt(at, "%s: %s does not exist in %s: read with the offset before the change, as RFC 5545 says", p.name, wall.Format("2006-01-02 15:04"), zone)
		return later, false, true
	}
	return earlier, false, true
}

// parseICalDuration reads an RFC 5545 duration (P1DT2H30M, PT45M, P1W).
func parseICalDuration(s string) (time.Duration, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, false
	}
	var d time.Duration
	inTime := false
	num := ""
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
			continue
		case r == 'T':
			if inTime || num != "" {
				return 0, false
			}
			inTime = true
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n > 100000 {
			return 0, false
		}
		num = ""
		unit := map[rune]time.Duration{'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour}
		if inTime {
			unit = map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}
		}
		u, ok := unit[r]
		if !ok {
			return 0, false
		}
		d += time.Duration(n) * u
	}
	return d, num == ""
}

func (b *builder) icalSession(ev icalEvent, strip string, campus ruleVenue, seen map[string]eventKey) {
	at := b.pos(ev.line, 0)
	okAll := true
	bad := func(name, format string, args ...any) {
		where := at
		if p, has := ev.props[name]; has {
			where = b.pos(p.line, 0)
		}
		b.errAt(where, name+": "+format, args...)
		okAll = false
	}
	uid := strings.TrimSpace(ev.text("UID"))
	id := strings.TrimSuffix(uid, strip)
	code := strings.TrimSpace(ev.text("X-VENUEHOP-CODE"))
	title := strings.TrimSpace(ev.text("SUMMARY"))
	if code != "" {
		title = strings.TrimPrefix(title, code+": ")
	}
	if _, recurs := ev.props["RRULE"]; recurs {
		b.warnAt(at, "event %q repeats (RRULE): only its first sitting is imported", firstNonEmpty(uid, title))
	}
	if _, moved := ev.props["RECURRENCE-ID"]; moved {
		b.warnAt(at, "event %q changes one sitting of a repeating event (RECURRENCE-ID): it is skipped", firstNonEmpty(uid, title))
		return
	}
	var start time.Time
	var allDay, okStart bool
	if p, has := ev.props["DTSTART"]; has {
		start, allDay, okStart = b.icalTime(p)
	} else {
		bad("DTSTART", "expected the event's start")
	}
	if okStart && allDay {
		b.warnAt(at, "event %q lasts whole days (a DATE, not a time): it is not a session and is skipped", firstNonEmpty(title, uid))
		return
	}
	var end time.Time
	if p, has := ev.props["DTEND"]; has {
		var okEnd, endAllDay bool
		if end, endAllDay, okEnd = b.icalTime(p); okEnd && endAllDay {
			bad("DTEND", "expected a date-time like DTSTART, got a date")
		} else if !okEnd {
			okAll = false
		}
	} else if p, has := ev.props["DURATION"]; has {
		d, ok := parseICalDuration(p.value)
		if !ok {
			bad("DURATION", "expected a duration like PT45M or PT1H30M, got %q", p.value)
		}
		end = start.Add(d)
	} else {
		bad("DTEND", "expected DTEND or DURATION: a session needs an end")
	}
	if uid == "" {
		bad("UID", "expected a UID: it is the session's id")
	}
	if title == "" {
		bad("SUMMARY", "expected a SUMMARY: it is the session's title")
	}
	room := strings.TrimSpace(ev.text("X-VENUEHOP-ROOM"))
	if room == "" {
		room = strings.TrimSpace(ev.text("LOCATION"))
	}
	key := eventKey{title, room, ev.props["DTSTART"].value, ev.props["DTEND"].value, ev.props["DURATION"].value, ""}
	if prev, dup := seen[id]; dup && prev == key && id != "" {
		b.warnAt(at, "event %q appears twice with the same content: merged", id)
		return
	}
	seen[id] = key
	if !okAll || !okStart {
		return
	}
	s := conference.Session{
		ID:        id,
		Code:      code,
		Title:     title,
		Abstract:  strings.TrimSpace(ev.text("DESCRIPTION")),
		Type:      firstNonEmpty(ev.text("X-VENUEHOP-TYPE"), "Session"),
		Start:     start,
		End:       end,
		Cancelled: strings.EqualFold(strings.TrimSpace(ev.props["STATUS"].value), "CANCELLED"),
	}
	for _, c := range splitICalList(ev.props["CATEGORIES"].value) {
		if c != s.Type || ev.props["X-VENUEHOP-TYPE"].value == "" {
			s.Topics = append(s.Topics, c)
		}
	}
	if room != "" {
		rule := campus
		venue, level, name, _ := splitRoom(room)
		if venue != "" {
			rule = ruleVenue{Name: venue}
		}
		if lat, lon, ok := icalGeo(ev.props["GEO"].value); ok {
			rule.Lat, rule.Lon = lat, lon
		}
		key := "name:" + strings.Join(strings.Fields(room), " ")
		s.RoomID = b.roomFor(key, "", conference.Room{Level: level, Name: name}, rule, at)
	}
	b.addSession(s, at)
}

// icalGeo reads GEO:lat;lon.
func icalGeo(v string) (lat, lon float64, ok bool) {
	a, c, found := strings.Cut(strings.TrimSpace(v), ";")
	if !found {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(a, 64)
	lon, err2 := strconv.ParseFloat(c, 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}
