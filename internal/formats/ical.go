package formats

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"venuehop/internal/conference"
)

// ICalOptions tune an iCalendar (RFC 5545) export.
type ICalOptions struct {
	// Name is the calendar's name (X-WR-CALNAME); default the conference name.
	Name string
	// Now is the DTSTAMP of every event; default time.Now().
	Now time.Time
	// BaseURL, when set, gives each event the URL of its session page.
	BaseURL string
}

// ICalEvent is one entry of an attendee's agenda.
type ICalEvent struct {
	SessionID string
	// ReleaseAt, when set, is when the attendee's reserved seat is released
	// to the walk-up line if unclaimed; the description says so.
	ReleaseAt time.Time
	// Travel, when set, is the trip to this session, written as its own
	// event ("Walk to MGM Grand, 35 min").
	Travel *ICalTravel
	// Note, when set, starts the description (e.g. "Favourite (must)").
	Note string
	// Block, when set, is a personal appointment written as its own
	// event; SessionID and the fields above are then ignored.
	Block *ICalBlock
}

// ICalBlock is an attendee's personal appointment (a meeting, a call).
type ICalBlock struct {
	// ID makes the UID ("block-" ID "@" conference id).
	ID         string
	Title      string
	Start, End time.Time
	// VenueID, when set, gives LOCATION and GEO.
	VenueID string
}

// ICalTravel is a trip before a session.
type ICalTravel struct {
	// Mode is walk, shuttle, monorail or inside (travel.Mode*).
	Mode string
	// FromRoomID is where the trip starts (for the description); optional.
	FromRoomID     string
	Depart, Arrive time.Time
	// Alarm adds a reminder at Depart ("leave now"); LeaveBy, when set,
	// is said in the description (Depart is then the latest departure).
	Alarm   bool
	LeaveBy bool
}

// WriteICal writes a calendar. With events nil it holds every scheduled
// session of the conference; otherwise the given agenda (unknown or
// unscheduled sessions are skipped). UIDs are stable (session id "@"
// conference id; travel legs add "-travel"), so a subscribed feed updates
// events in place. Times are local with a VTIMEZONE built from the Go zone's
// transitions around the conference years.
func WriteICal(w io.Writer, snap *conference.Snapshot, events []ICalEvent, opt ICalOptions) error {
	c := snap.Conf
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	iw := &icalWriter{w: bufio.NewWriterSize(w, 32<<10), loc: snap.Loc, tzid: c.TimeZone,
		stamp: now.UTC().Format("20060102T150405Z"), snap: snap, opt: opt}
	iw.line("BEGIN:VCALENDAR")
	iw.line("VERSION:2.0")
	iw.line("PRODID:-//venuehop//venuehop//EN")
	iw.line("CALSCALE:GREGORIAN")
	iw.line("METHOD:PUBLISH")
	iw.prop("X-WR-CALNAME", "", escapeText(firstNonEmpty(opt.Name, c.Name)))
	iw.prop("X-WR-TIMEZONE", "", c.TimeZone)

	var list []ICalEvent
	if events == nil {
		for i := range c.Sessions {
			if c.Sessions[i].Scheduled() {
				list = append(list, ICalEvent{SessionID: c.Sessions[i].ID})
			}
		}
	} else {
		list = events
	}
	minYear, maxYear := 0, 0
	for _, d := range c.Days {
		if y, err := strconv.Atoi(d[:min(4, len(d))]); err == nil {
			if minYear == 0 || y < minYear {
				minYear = y
			}
			maxYear = max(maxYear, y)
		}
	}
	if minYear == 0 {
		minYear, maxYear = now.Year(), now.Year()
	}
	iw.vtimezone(minYear, maxYear)
	for _, e := range list {
		if e.Block != nil {
			if e.Block.End.After(e.Block.Start) {
				iw.block(e.Block)
			}
			continue
		}
		s, ok := snap.Session(e.SessionID)
		if !ok || !s.Scheduled() {
			continue
		}
		if e.Travel != nil && e.Travel.Arrive.After(e.Travel.Depart) {
			iw.travel(s, e.Travel)
		}
		iw.session(s, e)
	}
	iw.line("END:VCALENDAR")
	if iw.err != nil {
		return iw.err
	}
	return iw.w.Flush()
}

type icalWriter struct {
	w     *bufio.Writer
	err   error
	loc   *time.Location
	tzid  string
	stamp string
	snap  *conference.Snapshot
	opt   ICalOptions
}

// line writes one content line folded at 75 octets (RFC 5545 3.1), never
// inside a UTF-8 sequence, with CRLF.
func (iw *icalWriter) line(s string) {
	if iw.err != nil {
		return
	}
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		iw.w.WriteString(s[:cut])
		iw.w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	iw.w.WriteString(s)
	_, iw.err = iw.w.WriteString("\r\n")
}

func (iw *icalWriter) prop(name, params, value string) {
	iw.line(name + params + ":" + value)
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			if c < 0x20 && c != '\t' || c == 0x7f {
				continue // control characters are not allowed in TEXT
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (iw *icalWriter) local(t time.Time) string { return t.In(iw.loc).Format("20060102T150405") }

// times writes DTSTART and DTEND local with the TZID, except a local time
// that happens twice (when clocks go back): RFC 5545 reads such a TZID
// time as the first occurrence, and parsers that take the zone from their
// own tz data may pick either, so it is written in UTC, which every
// parser reads as the one instant it is.
func (iw *icalWriter) times(start, end time.Time) {
	iw.time("DTSTART", start)
	iw.time("DTEND", end)
}

func (iw *icalWriter) time(name string, t time.Time) {
	l := t.In(iw.loc)
	if _, _, kind := resolveWall(iw.loc, l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second()); kind != wallUnique {
		iw.prop(name, "", t.UTC().Format("20060102T150405Z"))
		return
	}
	iw.prop(name, ";TZID="+iw.tzid, iw.local(t))
}

func (iw *icalWriter) uid(id string) string {
	return escapeText(id + "@" + iw.snap.Conf.ID)
}

// place is the room, level and venue of a room id, and the venue.
func (iw *icalWriter) place(roomID string) (string, *conference.Venue) {
	r, ok := iw.snap.Room(roomID)
	if !ok {
		return "", nil
	}
	parts := []string{r.Name}
	if r.Level != "" {
		parts = append(parts, r.Level)
	}
	v, _ := iw.snap.Venue(r.VenueID)
	if v != nil {
		parts = append(parts, v.Name)
	}
	return strings.Join(parts, ", "), v
}

func (iw *icalWriter) geo(v *conference.Venue) {
	if v != nil && (v.Lat != 0 || v.Lon != 0) {
		iw.prop("GEO", "", strconv.FormatFloat(v.Lat, 'f', 6, 64)+";"+strconv.FormatFloat(v.Lon, 'f', 6, 64))
	}
}

func (iw *icalWriter) session(s *conference.Session, e ICalEvent) {
	iw.line("BEGIN:VEVENT")
	iw.prop("UID", "", iw.uid(s.ID))
	iw.prop("DTSTAMP", "", iw.stamp)
	iw.times(s.Start, s.End)
	title := s.Title
	if s.Code != "" && !numericRE.MatchString(s.Code) {
		title = s.Code + ": " + title
	}
	iw.prop("SUMMARY", "", escapeText(title))
	loc, venue := iw.place(s.RoomID)
	if loc != "" {
		iw.prop("LOCATION", "", escapeText(loc))
	}
	iw.geo(venue)
	// What a calendar app ignores and venuehop's reader takes back: the
	// type, the code (SUMMARY starts with it) and the room as the CSV
	// writes it.
	iw.prop("X-VENUEHOP-TYPE", "", escapeText(s.Type))
	if s.Code != "" {
		iw.prop("X-VENUEHOP-CODE", "", escapeText(s.Code))
	}
	if r, ok := iw.snap.Room(s.RoomID); ok {
		vn := r.VenueID
		if venue != nil {
			vn = venue.Name
		}
		iw.prop("X-VENUEHOP-ROOM", "", escapeText(vn+" | "+r.Level+" | "+r.Name))
	}
	var desc []string
	if e.Note != "" {
		desc = append(desc, e.Note)
	}
	if !e.ReleaseAt.IsZero() {
		desc = append(desc, fmt.Sprintf("Reserved seat: held until %s; if you have not arrived by then it is released to the walk-up line.",
			e.ReleaseAt.In(iw.loc).Format("15:04")))
	}
	meta := s.Type
	if s.Level != 0 {
		meta += fmt.Sprintf(" · level %d", s.Level)
	}
	desc = append(desc, meta)
	if len(s.Speakers) > 0 {
		var names []string
		for _, sp := range s.Speakers {
			if sp.Company != "" {
				names = append(names, sp.Name+" ("+sp.Company+")")
			} else {
				names = append(names, sp.Name)
			}
		}
		desc = append(desc, "Speakers: "+strings.Join(names, ", "))
	}
	if s.Abstract != "" {
		desc = append(desc, s.Abstract)
	}
	iw.prop("DESCRIPTION", "", escapeText(strings.Join(desc, "\n\n")))
	cats := []string{escapeText(s.Type)}
	for _, t := range s.Topics {
		cats = append(cats, escapeText(t))
	}
	iw.prop("CATEGORIES", "", strings.Join(cats, ","))
	if u := sessionURL(iw.opt.BaseURL, s.ID); u != "" {
		iw.prop("URL", "", u)
	}
	if s.Cancelled {
		iw.prop("STATUS", "", "CANCELLED")
	} else {
		iw.prop("STATUS", "", "CONFIRMED")
	}
	iw.prop("TRANSP", "", "OPAQUE")
	iw.line("END:VEVENT")
}

func (iw *icalWriter) block(b *ICalBlock) {
	iw.line("BEGIN:VEVENT")
	iw.prop("UID", "", iw.uid("block-"+b.ID))
	iw.prop("DTSTAMP", "", iw.stamp)
	iw.times(b.Start, b.End)
	iw.prop("SUMMARY", "", escapeText(b.Title))
	if v, ok := iw.snap.Venue(b.VenueID); ok {
		iw.prop("LOCATION", "", escapeText(v.Name))
		iw.geo(v)
	}
	iw.prop("DESCRIPTION", "", "Personal block")
	iw.prop("CATEGORIES", "", "Personal")
	iw.prop("CLASS", "", "PRIVATE")
	iw.prop("TRANSP", "", "OPAQUE")
	iw.line("END:VEVENT")
}

var modeVerb = map[string]string{"walk": "Walk", "inside": "Walk", "shuttle": "Shuttle", "monorail": "Monorail", "wait": "Wait"}

func (iw *icalWriter) travel(s *conference.Session, t *ICalTravel) {
	_, venue := iw.place(s.RoomID)
	to := ""
	if venue != nil {
		to = venue.Name
	}
	if fromVenue := iw.venueOf(t.FromRoomID); fromVenue != nil && venue != nil && fromVenue.ID == venue.ID {
		if r, ok := iw.snap.Room(s.RoomID); ok {
			to = r.Name
		}
	}
	verb := modeVerb[strings.ToLower(t.Mode)]
	if verb == "" {
		verb = "Travel"
	}
	minutes := int((t.Arrive.Sub(t.Depart) + time.Minute - 1) / time.Minute)
	iw.line("BEGIN:VEVENT")
	iw.prop("UID", "", iw.uid(s.ID+"-travel"))
	iw.prop("DTSTAMP", "", iw.stamp)
	iw.times(t.Depart, t.Arrive)
	iw.prop("SUMMARY", "", escapeText(fmt.Sprintf("%s to %s, %d min", verb, to, minutes)))
	desc := "On the way to " + s.Title
	if from, _ := iw.place(t.FromRoomID); from != "" {
		desc = "From " + from + " to " + s.Title
	}
	if t.LeaveBy {
		desc += fmt.Sprintf(". %s, %d min: leave by %s to arrive %s.", verb, minutes,
			t.Depart.In(iw.loc).Format("15:04"), t.Arrive.In(iw.loc).Format("15:04"))
	}
	iw.prop("DESCRIPTION", "", escapeText(desc))
	if loc, _ := iw.place(s.RoomID); loc != "" {
		iw.prop("LOCATION", "", escapeText(loc))
	}
	iw.geo(venue)
	iw.prop("CATEGORIES", "", "Travel")
	iw.prop("TRANSP", "", "OPAQUE")
	if t.Alarm {
		iw.line("BEGIN:VALARM")
		iw.prop("ACTION", "", "DISPLAY")
		iw.prop("DESCRIPTION", "", escapeText(fmt.Sprintf("Leave now: %s to %s, %d min", strings.ToLower(verb), to, minutes)))
		iw.prop("TRIGGER", "", "PT0M")
		iw.line("END:VALARM")
	}
	iw.line("END:VEVENT")
}

func (iw *icalWriter) venueOf(roomID string) *conference.Venue {
	if roomID == "" {
		return nil
	}
	v, _ := iw.snap.VenueOfRoom(roomID)
	return v
}

// zoneTransition is one change of UTC offset.
type zoneTransition struct {
	at       time.Time
	from, to int // seconds east of UTC
	name     string
	dst      bool
}

// transitions finds the offset changes of loc in [from, to) by scanning day
// by day and bisecting to the second.
func transitions(loc *time.Location, from, to time.Time) []zoneTransition {
	var out []zoneTransition
	offset := func(t time.Time) int { _, o := t.In(loc).Zone(); return o }
	prev := offset(from)
	for t := from; t.Before(to); {
		next := t.Add(24 * time.Hour)
		if o := offset(next); o != prev {
			lo, hi := t.Unix(), next.Unix() // offset(lo) == prev, offset(hi) != prev
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if offset(time.Unix(mid, 0)) == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			at := time.Unix(hi, 0).In(loc)
			name, o := at.Zone()
			out = append(out, zoneTransition{at: at, from: prev, to: o, name: name, dst: at.IsDST()})
			prev = o
		}
		t = next
	}
	return out
}

func formatOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	s := fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// vtimezone writes the zone's observances from the year before the
// conference to the year after, one per transition (no RRULE: exact for
// whatever rules the Go zone data holds).
func (iw *icalWriter) vtimezone(minYear, maxYear int) {
	from := time.Date(minYear-1, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(maxYear+2, 1, 1, 0, 0, 0, 0, time.UTC)
	iw.line("BEGIN:VTIMEZONE")
	iw.prop("TZID", "", iw.tzid)
	trs := transitions(iw.loc, from, to)
	if len(trs) == 0 {
		name, o := from.In(iw.loc).Zone()
		iw.line("BEGIN:STANDARD")
		iw.prop("DTSTART", "", "19700101T000000")
		iw.prop("TZOFFSETFROM", "", formatOffset(o))
		iw.prop("TZOFFSETTO", "", formatOffset(o))
		iw.prop("TZNAME", "", escapeText(name))
		iw.line("END:STANDARD")
	}
	for _, tr := range trs {
		kind := "STANDARD"
		if tr.dst {
			kind = "DAYLIGHT"
		}
		iw.line("BEGIN:" + kind)
		// DTSTART is the onset in the local time before the change.
		onset := tr.at.UTC().Add(time.Duration(tr.from) * time.Second)
		iw.prop("DTSTART", "", onset.Format("20060102T150405"))
		iw.prop("TZOFFSETFROM", "", formatOffset(tr.from))
		iw.prop("TZOFFSETTO", "", formatOffset(tr.to))
		iw.prop("TZNAME", "", escapeText(tr.name))
		iw.line("END:" + kind)
	}
	iw.line("END:VTIMEZONE")
}
