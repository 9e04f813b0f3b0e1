package venuepack

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// A timetable is an organizer's shuttle and monorail hours, in one of two
// CSV forms (docs/venue-packs.md):
//
//   - the official agenda's (Date,Time,Event,Location,Notes): its rows whose
//     event names a shuttle or the monorail are service hours; the location
//     says which lines ("All locations", "Routes serving A, B", "Service to A
//     from all locations", or a list of the venues served);
//   - a plain one: line,stops,days,from,to,headway, one row a window.
//
// Applied to a conference, the hours replace those of every line the
// timetable speaks of: on a day it names no hours for, such a line does not
// run.

// Timetable kinds.
const (
	TimetableAgenda = "agenda"
	TimetablePlain  = "plain"
)

// MaxTimetableBytes bounds a timetable file.
const MaxTimetableBytes = 1 << 20

// Timetable is a read timetable file.
type Timetable struct {
	File string
	Kind string
	Rows []TimetableRow
	// Skipped counts agenda rows that are not about shuttles or the
	// monorail (meals, keynotes, badge pick-up).
	Skipped int
}

// TimetableRow is one service window of a timetable.
type TimetableRow struct {
	At string // file:line
	// Mode is shuttle or monorail for an agenda row; "" for a plain row
	// (the line decides).
	Mode      string
	Line      string   // plain: a line's id or name, or a new line's name
	Stops     []string // plain: stop ids or venue names, in order
	Days      []string // YYYY-MM-DD dates, weekday names, or "all"
	Start     string   // HH:MM
	End       string   // HH:MM, up to 24:00
	Overnight string   // the end on the next day (HH:MM) when the window runs past midnight
	Headway   int      // minutes; 0: the line's
	Location  string   // agenda: which lines, in the agenda's words
	Event     string   // agenda: the event's name
}

// ReadTimetable reads a timetable CSV; every problem is located by
// file:line in an *Error.
func ReadTimetable(r io.Reader, name string) (*Timetable, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTimetableBytes+1))
	if err != nil {
		return nil, errcode.Wrap(errcode.Invalid, err, "cannot read the timetable %s", name)
	}
	if len(data) > MaxTimetableBytes {
		return nil, errcode.New(errcode.TooLarge, "the timetable %s is larger than %d MB", name, MaxTimetableBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, &Error{File: name, Problems: []conference.Problem{{Path: name + ":1", Message: "expected a header row (Date,Time,Event,Location,Notes or line,stops,days,from,to,headway)"}}}
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	tt := &Timetable{File: name}
	var pr problems
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := cols[n]; !ok {
				return false
			}
		}
		return true
	}
	switch {
	case has("date", "time", "event", "location"):
		tt.Kind = TimetableAgenda
	case has("line", "days", "from", "to"):
		tt.Kind = TimetablePlain
	default:
		return nil, &Error{File: name, Problems: []conference.Problem{{Path: name + ":1",
			Message: fmt.Sprintf("expected the columns Date,Time,Event,Location (an agenda) or line,stops,days,from,to,headway (a timetable), got %s", strings.Join(header, ","))}}}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		at := fmt.Sprintf("%s:%d", name, line)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				at = fmt.Sprintf("%s:%d", name, pe.Line)
			}
			pr.add(at, "not a CSV row: %v", err)
			break
		}
		get := func(col string) string {
			if i, ok := cols[col]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		if tt.Kind == TimetableAgenda {
			tt.agendaRow(&pr, at, get)
		} else {
			tt.plainRow(&pr, at, get)
		}
	}
	if err := pr.err(name); err != nil {
		return nil, err
	}
	if len(tt.Rows) == 0 {
		return nil, &Error{File: name, Problems: []conference.Problem{{Path: name, Message: "no shuttle or monorail hours in the file"}}}
	}
	return tt, nil
}

func (tt *Timetable) agendaRow(pr *problems, at string, get func(string) string) {
	event := get("event")
	low := strings.ToLower(event)
	mode := ""
	switch {
	case strings.Contains(low, "monorail"):
		mode = "monorail"
	case strings.Contains(low, "shuttle"):
		mode = "shuttle"
	default:
		tt.Skipped++
		return
	}
	row := TimetableRow{At: at, Mode: mode, Event: event, Location: get("location")}
	day := get("date")
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		pr.add(at, "Date: expected a date YYYY-MM-DD, got %q", day)
		return
	}
	row.Days = []string{day}
	from, to, ok := strings.Cut(get("time"), "-")
	if !ok {
		pr.add(at, "Time: expected a span like 07:00 AM - 08:30 PM, got %q", get("time"))
		return
	}
	if !row.setHours(pr, at, "Time", from, to) {
		return
	}
	tt.Rows = append(tt.Rows, row)
}

func (tt *Timetable) plainRow(pr *problems, at string, get func(string) string) {
	row := TimetableRow{At: at, Line: get("line")}
	if s := get("stops"); s != "" {
		for _, st := range strings.Split(s, ";") {
			if st = strings.TrimSpace(st); st != "" {
				row.Stops = append(row.Stops, st)
			}
		}
	}
	if row.Line == "" && len(row.Stops) < 2 {
		pr.add(at, "line: expected a line's id or name, or at least two stops")
		return
	}
	days := get("days")
	if days == "" {
		pr.add(at, "days: expected dates (YYYY-MM-DD), weekdays (Mon, Mon-Thu) or all, separated by ;")
		return
	}
	for _, d := range strings.Split(days, ";") {
		d = strings.TrimSpace(d)
		if _, err := expandDay(d); err != nil {
			pr.add(at, "days: %v", err)
			return
		}
		row.Days = append(row.Days, d)
	}
	if !row.setHours(pr, at, "from/to", get("from"), get("to")) {
		return
	}
	if h := get("headway"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 1 || n > 240 {
			pr.add(at, "headway: expected minutes between departures from 1 to 240, got %q", h)
			return
		}
		row.Headway = n
	}
	tt.Rows = append(tt.Rows, row)
}

// setHours reads a window's ends: "06:00", "6:00 AM", "11:59 PM"; an end
// before the start runs past midnight.
func (row *TimetableRow) setHours(pr *problems, at, field, from, to string) bool {
	s, okS := parseTime(from)
	e, okE := parseTime(to)
	if !okS || !okE {
		pr.add(at, "%s: expected times like 07:00 AM or 19:30, got %q to %q", field, strings.TrimSpace(from), strings.TrimSpace(to))
		return false
	}
	if e == 0 {
		e = 24 * 60 // "12:00 AM" as an end is midnight
	}
	if e == s {
		pr.add(at, "%s: the window %s–%s is empty", field, strings.TrimSpace(from), strings.TrimSpace(to))
		return false
	}
	row.Start = clock(s)
	if e < s {
		row.End, row.Overnight = "24:00", clock(e)
	} else {
		row.End = clock(e)
	}
	return true
}

var timeRE = regexp.MustCompile(`^(\d{1,2}):(\d{2})\s*([AaPp][Mm])?$`)

// parseTime reads "HH:MM" (24 h) or "H:MM AM/PM" as minutes after midnight.
func parseTime(s string) (int, bool) {
	m := timeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if mi > 59 {
		return 0, false
	}
	switch strings.ToLower(m[3]) {
	case "":
		if h > 24 || h == 24 && mi > 0 {
			return 0, false
		}
	case "am", "pm":
		if h < 1 || h > 12 {
			return 0, false
		}
		h %= 12
		if strings.EqualFold(m[3], "pm") {
			h += 12
		}
	}
	return h*60 + mi, true
}

func clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// expandDay checks one days entry; it returns the weekdays it names (nil for
// a date or "all").
func expandDay(d string) ([]time.Weekday, error) {
	low := strings.ToLower(d)
	switch low {
	case "all", "*", "daily", "every day":
		return nil, nil
	}
	if _, err := time.Parse(time.DateOnly, d); err == nil {
		return nil, nil
	}
	from, to, isRange := strings.Cut(low, "-")
	a, okA := weekdayPrefix(from)
	if !isRange {
		if !okA {
			return nil, fmt.Errorf("expected a date YYYY-MM-DD, a weekday (Mon) or all, got %q", d)
		}
		return []time.Weekday{a}, nil
	}
	b, okB := weekdayPrefix(to)
	if !okA || !okB {
		return nil, fmt.Errorf("expected a range of weekdays such as Mon-Thu, got %q", d)
	}
	var out []time.Weekday
	for w := a; ; w = (w + 1) % 7 {
		out = append(out, w)
		if w == b {
			return out, nil
		}
	}
}

// weekdayPrefix reads Mon, Monday, mon.
func weekdayPrefix(s string) (time.Weekday, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 3 {
		return 0, false
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.HasPrefix(strings.ToLower(d.String()), strings.ToLower(s)) {
			return d, true
		}
	}
	return 0, false
}

// TimetableResult is a timetable applied to one conference.
type TimetableResult struct {
	Model *conference.TravelModel `json:"-"`
	// Lines are the lines whose hours the timetable set, with those hours.
	Lines []LineHours `json:"lines"`
	// Created are the ids of lines the timetable added.
	Created []string `json:"created"`
	// Notes are rows not applied and lines left without service on a
	// conference day, each located.
	Notes []conference.Problem `json:"notes"`
}

// LineHours is a line and its service windows after a timetable.
type LineHours struct {
	ID      string                    `json:"id"`
	Name    string                    `json:"name"`
	Mode    string                    `json:"mode"`
	Service []conference.ServiceHours `json:"service"`
}

// Apply sets the hours of the conference's lines from the timetable. c is
// not modified. It fails (errcode.Invalid, unprocessable) when nothing in
// the timetable fits the conference, or when the result does not validate.
func (tt *Timetable) Apply(c *conference.Conference) (*TimetableResult, error) {
	days, err := conferenceDays(c)
	if err != nil {
		return nil, err
	}
	t := cloneModel(c.Travel)
	ap := timetableApply{c: c, t: t, days: days, res: &TimetableResult{Lines: []LineHours{}, Created: []string{}, Notes: []conference.Problem{}}}
	ap.aliases = packAliases(c)
	windows := map[string][]conference.ServiceHours{} // line id -> new windows
	touched := map[string]bool{}
	for _, row := range tt.Rows {
		lines := ap.linesFor(row, tt.Kind)
		if tt.Kind == TimetableAgenda {
			for _, l := range ap.all(row.Mode) {
				touched[l.ID] = true // the agenda speaks for every line of its kind
			}
		}
		if len(lines) == 0 {
			continue
		}
		for _, day := range ap.daysOf(row) {
			for _, id := range lines {
				touched[id] = true
				windows[id] = append(windows[id], conference.ServiceHours{Day: day, Start: row.Start, End: row.End, HeadwayMinutes: row.Headway})
				if next, ok := ap.nextDay(day); ok && row.Overnight != "" {
					windows[id] = append(windows[id], conference.ServiceHours{Day: next, Start: "00:00", End: row.Overnight, HeadwayMinutes: row.Headway})
				}
			}
		}
	}
	for _, id := range ap.res.Created {
		touched[id] = true // a new line without hours on any conference day goes again
	}
	if len(touched) == 0 {
		e := errcode.New(errcode.Invalid, "the timetable %s sets the hours of no line of this conference%s", tt.File, ap.why())
		e.Unprocessable = true
		e.Details = ap.res.Notes
		return nil, e
	}
	sortedDays := slices.Sorted(maps.Keys(days))
	for _, group := range []*[]conference.TransitLine{&t.Shuttles, &t.Monorail} {
		mode := "shuttle"
		if group == &t.Monorail {
			mode = "monorail"
		}
		for i := range *group {
			l := &(*group)[i]
			if !touched[l.ID] {
				continue
			}
			ws := windows[l.ID]
			slices.SortStableFunc(ws, func(a, b conference.ServiceHours) int {
				return strings.Compare(a.Day+a.Start, b.Day+b.Start)
			})
			l.Service = ws
			if len(ws) > 0 && l.HeadwayMinutes == 0 {
				l.HeadwayMinutes = ws[0].HeadwayMinutes
			}
			for _, d := range sortedDays {
				if !slices.ContainsFunc(ws, func(h conference.ServiceHours) bool { return h.Day == d }) {
					ap.note(tt.File, "%s does not run on %s (the timetable gives it no hours that day)", l.Name, d)
				}
			}
			if len(ws) == 0 {
				ap.note(tt.File, "%s does not run at all: the timetable gives it no hours on a conference day", l.Name)
				// A line needs one window to be valid: an empty one-minute
				// window on the first day would lie, so the line goes.
			}
			ap.res.Lines = append(ap.res.Lines, LineHours{ID: l.ID, Name: l.Name, Mode: mode, Service: ws})
		}
		*group = slices.DeleteFunc(*group, func(l conference.TransitLine) bool { return touched[l.ID] && len(l.Service) == 0 })
	}
	ap.res.Created = slices.DeleteFunc(ap.res.Created, func(id string) bool {
		return !slices.ContainsFunc(t.Shuttles, func(l conference.TransitLine) bool { return l.ID == id })
	})
	check := *c
	check.Travel = t
	for _, p := range conference.Validate(&check, conference.ValidateOptions{RoomOverlapIsWarning: true}) {
		if !p.Warning {
			e := errcode.New(errcode.Invalid, "the timetable %s does not fit the conference: %s", tt.File, p)
			e.Unprocessable = true
			return nil, e
		}
	}
	ap.res.Model = t
	return ap.res, nil
}

type timetableApply struct {
	c       *conference.Conference
	t       *conference.TravelModel
	days    map[string]time.Weekday
	aliases map[string][]string // venue id -> other names (from its pack)
	res     *TimetableResult
}

func (ap *timetableApply) note(at, format string, args ...any) {
	ap.res.Notes = append(ap.res.Notes, conference.Problem{Path: at, Message: fmt.Sprintf(format, args...), Warning: true})
}

func (ap *timetableApply) why() string {
	if len(ap.t.Shuttles)+len(ap.t.Monorail) == 0 {
		return ": it has no shuttle or monorail lines (apply a venue pack first, or name the stops of a new line)"
	}
	return ""
}

// daysOf expands a row's days to conference days.
func (ap *timetableApply) daysOf(row TimetableRow) []string {
	var out []string
	for _, d := range row.Days {
		wds, _ := expandDay(d)
		switch {
		case wds != nil:
			for day, wd := range ap.days {
				if slices.Contains(wds, wd) {
					out = append(out, day)
				}
			}
		case strings.Count(d, "-") == 2:
			if _, ok := ap.days[d]; ok {
				out = append(out, d)
			} else {
				ap.note(row.At, "%s is not a day of the conference: the row is left out", d)
			}
		default: // all
			for day := range ap.days {
				out = append(out, day)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (ap *timetableApply) nextDay(day string) (string, bool) {
	t, _ := time.Parse(time.DateOnly, day)
	next := t.AddDate(0, 0, 1).Format(time.DateOnly)
	_, ok := ap.days[next]
	return next, ok
}

func (ap *timetableApply) all(mode string) []conference.TransitLine {
	if mode == "monorail" {
		return ap.t.Monorail
	}
	return ap.t.Shuttles
}

// served returns the venue ids a line's stops are near.
func (ap *timetableApply) served(l conference.TransitLine) map[string]bool {
	venueOf := map[string]string{}
	for _, e := range ap.t.Entrances {
		venueOf[e.ID] = e.VenueID
	}
	out := map[string]bool{}
	for _, ls := range l.Stops {
		for _, s := range ap.t.Stops {
			if s.ID != ls.StopID {
				continue
			}
			for _, a := range s.Access {
				if v := venueOf[a.EntranceID]; v != "" {
					out[v] = true
				}
			}
		}
	}
	return out
}

// venueNamed finds the conference venue a name means: its id, its name, a
// part of a name written "A / B", or an alias from its pack.
func (ap *timetableApply) venueNamed(name string) (string, bool) {
	n := normalize(name)
	if n == "" {
		return "", false
	}
	for _, v := range ap.c.Venues {
		keys := []string{normalize(v.ID), normalize(v.Name)}
		for _, part := range strings.Split(v.Name, "/") {
			keys = append(keys, normalize(part))
		}
		for _, a := range ap.aliases[v.ID] {
			keys = append(keys, normalize(a))
		}
		if slices.Contains(keys, n) {
			return v.ID, true
		}
	}
	return "", false
}

var (
	routesServingRE = regexp.MustCompile(`(?i)^routes?\s+serving\s+(.+)$`)
	serviceToRE     = regexp.MustCompile(`(?i)^service\s+to\s+(.+?)\s+from\s+all\s+locations$`)
	listSplitRE     = regexp.MustCompile(`\s*(?:,|\||\band\b)\s*`)
)

// linesFor returns the ids of the lines a row sets the hours of.
func (ap *timetableApply) linesFor(row TimetableRow, kind string) []string {
	if kind == TimetablePlain {
		return ap.plainLines(row)
	}
	lines := ap.all(row.Mode)
	if len(lines) == 0 {
		ap.note(row.At, "%q: the conference has no %s line", row.Event, row.Mode)
		return nil
	}
	if row.Mode == "monorail" {
		return lineIDs(lines, func(conference.TransitLine) bool { return true })
	}
	loc := strings.TrimSpace(row.Location)
	if strings.EqualFold(loc, "all locations") {
		return lineIDs(lines, func(conference.TransitLine) bool { return true })
	}
	any := false
	if m := routesServingRE.FindStringSubmatch(loc); m != nil {
		loc, any = m[1], true
	} else if m := serviceToRE.FindStringSubmatch(loc); m != nil {
		loc, any = m[1], true
	}
	named := map[string]bool{}
	for _, part := range listSplitRE.Split(loc, -1) {
		if v, ok := ap.venueNamed(part); ok {
			named[v] = true
		}
	}
	if len(named) == 0 {
		ap.note(row.At, "%q at %q: no venue of the conference is named there; the row is left out", row.Event, row.Location)
		return nil
	}
	return lineIDs(lines, func(l conference.TransitLine) bool {
		s := ap.served(l)
		in, out := 0, 0
		for v := range s {
			if named[v] {
				in++
			} else {
				out++
			}
		}
		if any {
			return in > 0
		}
		return in > 0 && out == 0
	})
}

func lineIDs(lines []conference.TransitLine, keep func(conference.TransitLine) bool) []string {
	var out []string
	for _, l := range lines {
		if keep(l) {
			out = append(out, l.ID)
		}
	}
	return out
}

// plainLines finds a plain row's line by id or name, else by its stops;
// when there is none and the row names stops, it adds a new shuttle line.
func (ap *timetableApply) plainLines(row TimetableRow) []string {
	all := slices.Concat(ap.t.Shuttles, ap.t.Monorail)
	if row.Line != "" {
		for _, l := range all {
			if l.ID == row.Line || strings.EqualFold(l.Name, row.Line) {
				return []string{l.ID}
			}
		}
	}
	stops, ok := ap.resolveStops(row)
	if !ok {
		return nil
	}
	for _, l := range all {
		if len(l.Stops) == len(stops) && slices.EqualFunc(l.Stops, stops, func(a conference.LineStop, b string) bool { return a.StopID == b }) {
			return []string{l.ID}
		}
	}
	return []string{ap.addLine(row, stops)}
}

// resolveStops turns a row's stops into stop ids: a stop's id or name, or a
// venue (its stop, or a new one at its main door).
func (ap *timetableApply) resolveStops(row TimetableRow) ([]string, bool) {
	if len(row.Stops) < 2 {
		ap.note(row.At, "no line %q in the conference, and no stops to make one: the row is left out", row.Line)
		return nil, false
	}
	var out []string
	for _, name := range row.Stops {
		id, ok := ap.stopNamed(name)
		if !ok {
			ap.note(row.At, "stop %q is neither a stop nor a venue of the conference: the row is left out", name)
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}

func (ap *timetableApply) stopNamed(name string) (string, bool) {
	for _, s := range ap.t.Stops {
		if s.ID == name || strings.EqualFold(s.Name, name) {
			return s.ID, true
		}
	}
	v, ok := ap.venueNamed(name)
	if !ok {
		return "", false
	}
	main := ""
	for _, e := range ap.t.Entrances {
		if e.VenueID == v {
			main = e.ID
			break
		}
	}
	for _, s := range ap.t.Stops { // a stop near the venue's main door
		for _, a := range s.Access {
			if main != "" && a.EntranceID == main {
				return s.ID, true
			}
		}
	}
	var venue conference.Venue
	for _, cv := range ap.c.Venues {
		if cv.ID == v {
			venue = cv
		}
	}
	if venue.Lat == 0 && venue.Lon == 0 {
		return "", false // nowhere to put a stop
	}
	if main == "" {
		main = v
		ap.t.Entrances = append(ap.t.Entrances, conference.Entrance{ID: v, VenueID: v, Name: venue.Name, Lat: venue.Lat, Lon: venue.Lon})
	}
	id := "stop-" + v
	for i := 2; slices.ContainsFunc(ap.t.Stops, func(s conference.TransitStop) bool { return s.ID == id }); i++ {
		id = fmt.Sprintf("stop-%s-%d", v, i)
	}
	ap.t.Stops = append(ap.t.Stops, conference.TransitStop{ID: id, Name: venue.Name + " stop", Lat: venue.Lat, Lon: venue.Lon,
		Access: []conference.StopAccess{{EntranceID: main, Minutes: 1}}})
	return id, true
}

// newLineSpeed is the road speed a new line's rides are estimated at, in
// metres a minute (20 km/h through town), over the straight line times the
// walking detour (roads are not straight either).
const (
	newLineSpeed  = 20000.0 / 60
	newLineDetour = 1.4
)

func (ap *timetableApply) addLine(row TimetableRow, stops []string) string {
	name := row.Line
	if name == "" {
		name = "Shuttle " + strings.Join(row.Stops, " – ")
	}
	id := slugify(name)
	for i := 2; slices.ContainsFunc(slices.Concat(ap.t.Shuttles, ap.t.Monorail), func(l conference.TransitLine) bool { return l.ID == id }); i++ {
		id = fmt.Sprintf("%s-%d", slugify(name), i)
	}
	pos := map[string][2]float64{}
	for _, s := range ap.t.Stops {
		pos[s.ID] = [2]float64{s.Lon, s.Lat}
	}
	l := conference.TransitLine{ID: id, Name: name, HeadwayMinutes: row.Headway}
	if l.HeadwayMinutes == 0 {
		l.HeadwayMinutes = 15
	}
	for i, s := range stops {
		ls := conference.LineStop{StopID: s}
		if i > 0 {
			d := conference.DistanceMeters(pos[stops[i-1]], pos[s]) * newLineDetour
			ls.RideMinutes = max(2, int(math.Ceil(d/newLineSpeed)))
		}
		l.Stops = append(l.Stops, ls)
	}
	ap.t.Shuttles = append(ap.t.Shuttles, l)
	ap.res.Created = append(ap.res.Created, id)
	ap.note(row.At, "new line %s: rides estimated from the distance (20 km/h on the road)", name)
	return id
}

func slugify(s string) string {
	out := strings.ReplaceAll(normalize(s), " ", "-")
	if out == "" {
		return "line"
	}
	return out
}

// cloneModel copies a travel model deeply enough to change its lines,
// stops and entrances (nil: an empty model).
func cloneModel(t *conference.TravelModel) *conference.TravelModel {
	if t == nil {
		return &conference.TravelModel{}
	}
	out := *t
	out.Entrances = slices.Clone(t.Entrances)
	out.Stops = slices.Clone(t.Stops)
	out.Shuttles = slices.Clone(t.Shuttles)
	out.Monorail = slices.Clone(t.Monorail)
	out.WalkCorrections = slices.Clone(t.WalkCorrections)
	return &out
}

// packAliases returns the aliases of the conference's venues from the
// shipped pack its model was built from, if any.
func packAliases(c *conference.Conference) map[string][]string {
	out := map[string][]string{}
	if c.Travel == nil || c.Travel.Pack == nil {
		return out
	}
	p, err := Get(c.Travel.Pack.ID)
	if err != nil {
		return out
	}
	for _, v := range c.Venues {
		if pv, ok := p.find(v); ok {
			out[v.ID] = pv.names()
		}
	}
	return out
}
