package formats

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
)

// frab/Pentabarf schedule.xml: <schedule> <conference/> <day><room><event>.
// The old dialect (FOSDEM until 2023) has no <version>, guid, <date> or
// time zone; the new one (frab, pretalx, c3voc hub) has all of them.

type frabConference struct {
	Acronym      string `xml:"acronym"`
	Title        string `xml:"title"`
	Venue        string `xml:"venue"`
	City         string `xml:"city"`
	Start        string `xml:"start"`
	End          string `xml:"end"`
	DayChange    string `xml:"day_change"`
	TimeZoneName string `xml:"time_zone_name"`
}

type frabEvent struct {
	GUID        string       `xml:"guid,attr"`
	ID          string       `xml:"id,attr"`
	Code        string       `xml:"code,attr"`
	Date        string       `xml:"date"`
	Start       string       `xml:"start"`
	Duration    string       `xml:"duration"`
	Room        string       `xml:"room"`
	Title       string       `xml:"title"`
	Subtitle    string       `xml:"subtitle"`
	Track       string       `xml:"track"`
	Type        string       `xml:"type"`
	Abstract    string       `xml:"abstract"`
	Description string       `xml:"description"`
	Persons     []frabPerson `xml:"persons>person"`
	Links       []frabLink   `xml:"links>link"`
	Recording   *struct {
		Optout string `xml:"optout"`
	} `xml:"recording"`
}

type frabPerson struct {
	Name string `xml:",chardata"`
}

type frabLink struct {
	Href string `xml:"href,attr"`
	Text string `xml:",chardata"`
}

// event content as a comparable value, to merge exact duplicates.
type eventKey struct{ title, room, date, start, duration, typ string }

// frabReader is the state of one pass over a frab schedule.xml.
type frabReader struct {
	b         *builder
	dec       *xml.Decoder
	conf      frabConference
	haveConf  bool
	fosdem    bool
	dayDate   string
	dayLine   int
	roomName  string
	depth     int
	rootSeen  bool
	inDay     bool
	dayDates  map[string]bool
	seenEvent map[string]eventKey
	// read counts the events in a frab layout, stray the others; top are
	// the root's children met, for a file of another shape.
	read, stray, days int
	top               []string
	seenTop           map[string]bool
}

func readFrab(b *builder, text []byte) {
	dec := xml.NewDecoder(bytes.NewReader(text))
	// The bytes are UTF-8 already (decodeText converted them).
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	r := &frabReader{b: b, dec: dec, dayDates: map[string]bool{}, seenEvent: map[string]eventKey{}, seenTop: map[string]bool{}}
	for !b.tooMany() {
		line, col := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			if !r.rootSeen {
				b.errAt(b.pos(line, col), "expected a <schedule> element: the file is empty")
			} else if r.depth > 0 {
				b.errAt(b.pos(line, col), "the XML ends inside an element: the file is truncated")
			}
			break
		}
		if err != nil {
			b.xmlError(err, line, col)
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			r.depth++
			if !r.start(t, line, col) {
				return
			}
		case xml.EndElement:
			r.depth--
			if r.depth == 1 && t.Name.Local == "day" {
				r.dayDate, r.inDay = "", false
			}
		}
	}
	r.finish()
}

// campus is the venue of rooms that name none: the conference's venue.
func (r *frabReader) campus() ruleVenue {
	name := strings.TrimSpace(r.conf.Venue)
	if name == "" {
		name = r.b.conf.Name
	}
	return ruleVenue{ID: slug(name), Name: name}
}

// start handles an opening element; false stops the reading (the error is
// reported).
func (r *frabReader) start(t xml.StartElement, line, col int) bool {
	b := r.b
	switch {
	case r.depth == 1:
		r.rootSeen = true
		if t.Name.Local != "schedule" {
			b.errAt(b.pos(line, col), "expected the root element <schedule> of a frab schedule.xml, got <%s>", t.Name.Local)
			return false
		}
	case r.depth == 2 && t.Name.Local == "conference":
		return r.conference(t, line, col)
	case r.depth == 2 && t.Name.Local == "day":
		if !r.haveConf {
			b.errAt(b.pos(line, col), "expected <conference> before the first <day>")
			return false
		}
		r.inDay = true
		r.days++
		r.dayDate, r.dayLine = attr(t, "date"), line
		if r.dayDate != "" {
			if _, err := time.Parse(time.DateOnly, r.dayDate); err != nil {
				b.errAt(b.pos(line, col), "day date: expected YYYY-MM-DD, got %q", r.dayDate)
				r.dayDate = ""
			} else {
				r.dayDates[r.dayDate] = true
			}
		}
	case r.depth == 3 && t.Name.Local == "room":
		r.roomName = strings.TrimSpace(attr(t, "name"))
	case t.Name.Local == "event" && (r.depth == 4 || r.depth == 3 && r.inDay):
		return r.event(t, line, col)
	case t.Name.Local == "event":
		r.stray++ // an event where no frab layout has one
	case r.depth == 2 && !r.seenTop[t.Name.Local]:
		r.seenTop[t.Name.Local] = true
		r.top = append(r.top, t.Name.Local)
	}
	return true
}

// conference reads the <conference> element: name, id and zone.
func (r *frabReader) conference(t xml.StartElement, line, col int) bool {
	b := r.b
	if err := r.dec.DecodeElement(&r.conf, &t); err != nil {
		b.xmlError(err, line, col)
		return false
	}
	r.depth--
	r.haveConf = true
	conf := &r.conf
	b.conf.Name = strings.TrimSpace(conf.Title)
	b.conf.ID = slug(firstNonEmpty(conf.Acronym, conf.Title, conferenceIDFromName(b.name)))
	if strings.TrimSpace(conf.Acronym) != "" && !strings.ContainsAny(conf.Acronym, " /?#%,") {
		b.conf.ID = strings.TrimSpace(conf.Acronym)
	}
	if b.conf.Name == "" {
		b.conf.Name = b.conf.ID
	}
	r.fosdem = strings.Contains(strings.ToLower(conf.Title+conf.Acronym), "fosdem")
	b.setZone(conf.TimeZoneName, b.pos(line, col))
	return true
}

// event reads one <event>: <day><room><event>, or the oldest Pentabarf
// layout (FOSDEM 2007–2012): <day><event> with a <room> element.
func (r *frabReader) event(t xml.StartElement, line, col int) bool {
	b := r.b
	if r.depth == 3 {
		r.roomName = ""
	}
	r.read++
	var ev frabEvent
	if err := r.dec.DecodeElement(&ev, &t); err != nil {
		b.xmlError(err, line, col)
		return false
	}
	r.depth--
	if b.loc == nil {
		return true // the missing zone is reported once
	}
	at := b.pos(line, col)
	room := firstNonEmpty(r.roomName, strings.TrimSpace(ev.Room))
	key := eventKey{ev.Title, room, ev.Date, ev.Start, ev.Duration, ev.Type}
	id := firstNonEmpty(idFromGUID(strings.TrimSpace(ev.GUID)), strings.TrimSpace(ev.ID))
	if prev, dup := r.seenEvent[id]; dup && prev == key {
		b.warnAt(at, "event %q appears twice with the same content: merged", id)
		return true
	}
	r.seenEvent[id] = key
	if s, ok := b.frabSession(ev, room, r.dayDate, r.dayLine, r.conf.DayChange, at, r.fosdem, r.campus); ok {
		b.addSession(s, at)
	}
	return true
}

// finish reports a file that yielded nothing and sets the days.
func (r *frabReader) finish() {
	b := r.b
	if len(b.errs) == 0 && len(b.conf.Sessions) == 0 && r.read == 0 && r.rootSeen {
		switch {
		case r.stray > 0:
			b.errAt(b.name, "the file holds %d <event> elements, none where a frab schedule has them (<day><room><event>, or <day><event> in the oldest Pentabarf layout): nothing was imported", r.stray)
		case len(r.top) > 0 && r.days == 0:
			b.errAt(b.name, "an XML file whose root is <schedule> but with %s elements: not frab (expected <conference> and <day> elements holding <room><event>)", elementList(r.top))
		default:
			b.errAt(b.name, "the schedule holds no <event>: expected <day><room><event> elements; an empty schedule is not imported")
		}
	}
	if !r.haveConf && len(b.errs) == 0 {
		b.errAt(b.name, "expected a <conference> element with the title and time zone")
	}
	if b.loc != nil {
		for _, d := range daysOf(b.conf, b.loc) {
			r.dayDates[d] = true
		}
		b.conf.Days = sortedSet(r.dayDates)
	}
}

func (b *builder) xmlError(err error, line, col int) {
	var se *xml.SyntaxError
	switch {
	case errors.As(err, &se):
		msg := se.Msg
		if strings.Contains(msg, "unexpected EOF") {
			msg = "the XML ends early: the file is truncated (" + msg + ")"
		}
		b.errAt(b.pos(se.Line, 0), "invalid XML: %s", msg)
	case errors.Is(err, io.ErrUnexpectedEOF):
		b.errAt(b.pos(line, col), "the XML ends early: the file is truncated")
	default:
		b.errAt(b.pos(line, col), "invalid XML: %v", err)
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// frabSession turns an event into a session; problems name the field.
func (b *builder) frabSession(ev frabEvent, room, dayDate string, dayLine int, dayChange, at string, fosdem bool, campus func() ruleVenue) (conference.Session, bool) {
	ok := true
	bad := func(field, format string, args ...any) {
		b.errAt(at, field+": "+format, args...)
		ok = false
	}
	s := conference.Session{
		ID:       firstNonEmpty(idFromGUID(strings.TrimSpace(ev.GUID)), ev.ID),
		Code:     firstNonEmpty(ev.Code, ev.ID),
		Title:    strings.TrimSpace(ev.Title),
		Type:     strings.TrimSpace(ev.Type),
		Abstract: joinText(ev.Abstract, ev.Description),
	}
	if sub := strings.TrimSpace(ev.Subtitle); sub != "" && s.Title != "" {
		s.Title += ": " + sub
	}
	if s.ID == "" {
		bad("guid", "expected a guid or id attribute on <event>")
	}
	if s.Title == "" {
		bad("title", "expected a non-empty <title>")
	}
	if s.Type == "" {
		s.Type = "Talk"
	}
	if t := strings.TrimSpace(ev.Track); t != "" {
		s.Topics = []string{t}
	}
	for _, p := range ev.Persons {
		if n := strings.TrimSpace(p.Name); n != "" {
			s.Speakers = append(s.Speakers, conference.Speaker{Name: n})
		}
	}
	s.RecordingURL = recordingLink(ev.Links)
	if ev.Recording != nil {
		s.Recorded = strings.TrimSpace(ev.Recording.Optout) != "true"
	} else {
		s.Recorded = s.RecordingURL != ""
	}

	start, okStart := b.eventStart(ev.Date, ev.Start, dayDate, dayChange, at, bad)
	dur, err := parseDuration(ev.Duration)
	if err != nil {
		bad("duration", "expected a duration HH:MM, got %q", ev.Duration)
	}
	if okStart && err == nil {
		s.Start, s.End = start, start.Add(dur)
	}
	if room == "" {
		bad("room", "expected the event's room (the name of the enclosing <room> or <room> in the event)")
	} else if ok {
		rule := campus()
		if parts := strings.Split(room, "|"); len(parts) >= 2 {
			rule = ruleVenue{Name: strings.TrimSpace(parts[0])}
		} else if fosdem {
			rule = fosdemBuilding(room, rule)
		}
		r := roomFromName(room)
		s.RoomID = b.roomFor("name:"+normalize(room), "", r, rule, at)
	}
	return s, ok
}

// roomFromName splits "Venue | Level | Room" (how venuehop writes rooms of
// conferences with several venues); any other name is the room name.
func roomFromName(name string) conference.Room {
	_, level, room, _ := splitRoom(name)
	return conference.Room{Level: level, Name: room}
}

// eventStart reads <date> (a full timestamp with offset, new dialect) or
// the day's date with <start> (old dialect; before day_change it is the
// next calendar day).
func (b *builder) eventStart(date, start, dayDate, dayChange, at string, bad func(field, format string, args ...any)) (time.Time, bool) {
	if date = strings.TrimSpace(date); date != "" {
		if t, err := time.Parse(time.RFC3339, date); err == nil {
			return t, true
		}
		for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
			if t, err := time.Parse(layout, date); err == nil {
				return b.wallInstant(t, at, "date")
			}
		}
		bad("date", "expected a time like 2025-02-01T09:30:00+01:00, got %q", date)
		return time.Time{}, false
	}
	clock, err := parseClock(start)
	if err != nil {
		bad("start", "expected a time HH:MM, got %q", start)
		return time.Time{}, false
	}
	day, err := time.Parse(time.DateOnly, dayDate)
	if err != nil {
		bad("date", "expected a <date> in the event or a date attribute on its <day>")
		return time.Time{}, false
	}
	if change, err := parseClock(dayChange); err == nil && clock < change {
		day = day.AddDate(0, 0, 1)
	}
	return b.wallTime(day, int(clock/time.Minute), at, "start")
}

// parseDuration reads HH:MM or HH:MM:SS (hours may exceed 24 in files; the
// validator bounds sessions to 24 hours).
func parseDuration(s string) (time.Duration, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	var d time.Duration
	units := []time.Duration{time.Hour, time.Minute, time.Second}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 9999 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		d += time.Duration(n) * units[i]
	}
	return d, nil
}

// recordingLink picks a video recording among an event's links: an MP4
// first, else any link that says it is a video or recording.
func recordingLink(links []frabLink) string {
	var any string
	for _, l := range links {
		href := strings.TrimSpace(l.Href)
		low := strings.ToLower(href)
		text := strings.ToLower(l.Text)
		isVideo := strings.HasSuffix(low, ".mp4") || strings.HasSuffix(low, ".webm") ||
			strings.Contains(text, "video") || strings.Contains(text, "recording")
		if !isVideo || !strings.HasPrefix(low, "http") || strings.HasSuffix(low, ".vtt") {
			continue
		}
		if strings.HasSuffix(low, ".mp4") {
			return href
		}
		if any == "" {
			any = href
		}
	}
	return any
}
