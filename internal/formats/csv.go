package formats

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
)

// csvColumns are the columns venuehop writes, in order; docs/formats.md
// documents each. The reader takes any subset with a title, in any order.
var csvColumns = []string{
	"id", "code", "title", "abstract", "type", "level", "topics", "speakers",
	"date", "start", "end", "timeZone", "room", "venueId", "roomId",
	"venueLat", "venueLon", "roomCapacity", "reservable", "recorded",
	"recordingUrl", "repeatGroup", "capacity", "cancelled",
}

// csvAliases maps other header names (compared without case, spaces,
// hyphens and underscores) to our columns; startTime and endTime are the
// re:Invent export's.
var csvAliases = map[string]string{
	"sessionid": "id", "guid": "id", "uid": "id",
	"sessioncode":  "code",
	"sessiontitle": "title", "name": "title",
	"description": "abstract",
	"sessiontype": "type", "format": "type",
	"topic": "topics", "track": "topics", "tracks": "topics", "tags": "topics",
	"speaker": "speakers", "persons": "speakers",
	"day":       "date",
	"starttime": "start", "from": "start",
	"endtime": "end", "to": "end",
	"tz":       "timeZone",
	"location": "room",
	"venue":    "venue",
}

func csvColumn(header string) (string, bool) {
	k := strings.ToLower(strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.TrimSpace(header)))
	for _, c := range csvColumns {
		if strings.ToLower(c) == k {
			return c, true
		}
	}
	c, ok := csvAliases[k]
	return c, ok
}

// notAvailable are cell values that mean "none" in real exports.
func notAvailable(s string) bool {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "N/A", "NA", "TBA", "TBD", "-":
		return true
	}
	return false
}

var repeatMarkRE = regexp.MustCompile(`(?i)\s*\[\s*repeat[^\]]*\]\s*`)

// stripRepeat removes a "[REPEAT]" marker from a title.
func stripRepeat(title string) string {
	return strings.TrimSpace(repeatMarkRE.ReplaceAllString(title, " "))
}

type csvRow struct {
	line   int
	fields []string
	col    map[string]int // column -> field index
	pos    [][2]int       // line and column of each field
}

func (r csvRow) get(col string) string {
	i, ok := r.col[col]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(unescapeFormula(r.fields[i]))
}

func (r csvRow) has(col string) bool { _, ok := r.col[col]; return ok }

func readCSV(b *builder, text []byte) {
	rd := csv.NewReader(bytes.NewReader(text))
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = false
	header, err := rd.Read()
	if err != nil {
		if err == io.EOF {
			b.errAt(b.pos(1, 1), "the file is empty: expected a header row naming the columns (title, type, date, start, end, room, ...)")
		} else {
			b.csvError(err)
		}
		return
	}
	cols := map[string]int{}
	for i, h := range header {
		c, ok := csvColumn(h)
		if !ok {
			if strings.TrimSpace(h) != "" {
				b.warnAt(b.pos(1, 0), "column %q is not known and is ignored (known: %s)", h, strings.Join(csvColumns, ", "))
			}
			continue
		}
		if j, dup := cols[c]; dup {
			b.errAt(b.pos(1, 0), "columns %d and %d both give %s: expected each column once", j+1, i+1, c)
			continue
		}
		cols[c] = i
	}
	if _, ok := cols["title"]; !ok {
		b.errAt(b.pos(1, 1), "title: expected a title column in the header row, got %q", strings.Join(header, ","))
		return
	}
	b.carried = csvCarried(cols)
	base := strings.TrimSuffix(filepath.Base(b.name), filepath.Ext(b.name))
	b.conf.ID = conferenceIDFromName(b.name)
	b.conf.Name = base

	var rows []csvRow
	seen := map[string]int{} // whole record -> first line
	zones := map[string]int{}
	for !b.tooMany() {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.csvError(err)
			var pe *csv.ParseError
			if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)) {
				// The rest of the file cannot be split reliably.
				return
			}
			continue
		}
		line, _ := rd.FieldPos(0)
		if len(rec) != len(header) {
			b.errAt(b.pos(line, 0), "expected %d fields as in the header row, got %d", len(header), len(rec))
			continue
		}
		key := strings.Join(rec, "\x00")
		if first, dup := seen[key]; dup {
			b.warnAt(b.pos(line, 0), "row repeats line %d exactly: merged into it", first)
			continue
		}
		seen[key] = line
		pos := make([][2]int, len(rec))
		for i := range rec {
			pos[i][0], pos[i][1] = rd.FieldPos(i)
		}
		row := csvRow{line: line, fields: rec, col: cols, pos: pos}
		if tz := row.get("timeZone"); tz != "" {
			if _, ok := zones[tz]; !ok {
				zones[tz] = line
			}
		}
		rows = append(rows, row)
	}
	// The zone: one timeZone value in the file, else the option.
	fileZone := ""
	if len(zones) > 1 {
		var list []string
		for z, l := range zones {
			list = append(list, fmt.Sprintf("%s (line %d)", z, l))
		}
		b.errAt(b.pos(1, 0), "timeZone: expected one time zone for the whole file, got %s", strings.Join(list, ", "))
		return
	}
	for z := range zones {
		fileZone = z
	}
	if len(rows) == 0 && len(b.errs) == 0 {
		b.errAt(b.pos(2, 1), "the file has a header row and no rows below it: an empty schedule is not imported")
		return
	}
	b.setZone(fileZone, b.pos(1, 0))
	if b.loc == nil {
		return
	}
	if _, hasRoom := cols["room"]; !hasRoom {
		if _, hasVenue := cols["venue"]; hasVenue {
			b.warnAt(b.pos(1, 0), "the file has a venue column and no room column: each venue gets one room, named after it")
		}
	}

	groups := map[string]int{}
	for _, row := range rows {
		if b.tooMany() {
			break
		}
		if s, ok := b.csvSession(row); ok {
			if !row.has("repeatGroup") {
				groups[repeatKey(s)]++
			}
			b.addSession(s, b.pos(row.line, 0))
		}
	}
	if len(groups) > 0 {
		for i := range b.conf.Sessions {
			s := &b.conf.Sessions[i]
			if k := repeatKey(*s); groups[k] > 1 {
				s.RepeatGroup = "g" + hashID(k)[:12]
			}
		}
	}
}

func repeatKey(s conference.Session) string {
	return normalize(s.Type) + "|" + normalize(s.Title)
}

func (b *builder) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrQuote) {
			msg = fmt.Sprintf("a quoted field opened at line %d is not closed properly (is the file truncated?): %v", pe.StartLine, pe.Err)
		}
		b.errAt(b.pos(pe.Line, pe.Column), "%s", msg)
		return
	}
	b.errAt(b.name, "cannot read the CSV: %v", err)
}

// csvCells reads the cells of one row, reporting each bad one at its
// position; ok is false once one was bad.
type csvCells struct {
	b   *builder
	row csvRow
	ok  bool
}

func (c *csvCells) pos(col string) string {
	line, cl := c.row.line, 0
	if i, has := c.row.col[col]; has && i < len(c.row.pos) {
		line, cl = c.row.pos[i][0], c.row.pos[i][1]
	}
	return c.b.pos(line, cl)
}

func (c *csvCells) bad(col, format string, args ...any) {
	c.b.errAt(c.pos(col), col+": "+format, args...)
	c.ok = false
}

// csvSession turns a row into a session, reporting every bad cell.
func (b *builder) csvSession(row csvRow) (conference.Session, bool) {
	c := &csvCells{b: b, row: row, ok: true}
	s := conference.Session{
		ID:           row.get("id"),
		Code:         row.get("code"),
		Title:        stripRepeat(row.get("title")),
		Abstract:     row.get("abstract"),
		Type:         row.get("type"),
		RecordingURL: row.get("recordingUrl"),
		RepeatGroup:  row.get("repeatGroup"),
	}
	if s.Title == "" {
		c.bad("title", "expected a title")
	}
	if !row.has("type") {
		s.Type = "Session"
	} else if s.Type == "" {
		c.bad("type", "expected a session type such as %q", conference.TypeBreakout)
	}
	c.level(&s)
	s.Topics = splitList(row.get("topics"))
	for _, sp := range splitList(row.get("speakers")) {
		name, company := sp, ""
		if i := strings.LastIndex(sp, " ("); i > 0 && strings.HasSuffix(sp, ")") {
			name, company = strings.TrimSpace(sp[:i]), sp[i+2:len(sp)-1]
		}
		s.Speakers = append(s.Speakers, conference.Speaker{Name: name, Company: company})
	}
	dateKey, startKey := c.times(&s)
	roomS := c.room(&s)
	c.flags(&s)
	if s.ID == "" {
		if s.Code != "" {
			s.ID = s.Code
		} else {
			// No id in the file: derive one from the content, so that the
			// same row imported again matches.
			s.ID = "s" + hashID(normalize(s.Type), normalize(row.get("title")), dateKey, startKey, normalize(roomS))[:12]
		}
	}
	return s, c.ok
}

// level reads the level column ("300", "300 – Advanced").
func (c *csvCells) level(s *conference.Session) {
	if v := c.row.get("level"); v != "" && !notAvailable(v) {
		digits := v
		if i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
			digits = v[:i]
		}
		n, err := strconv.Atoi(digits)
		if err != nil || n < 100 || n > 500 || n%100 != 0 {
			c.bad("level", "expected 100, 200, 300, 400 or 500, got %q", v)
		}
		s.Level = n
	}
}

// times reads the date with a start and an end, or none of them (an
// unscheduled session); it returns the date and start as written, for
// the derived id.
func (c *csvCells) times(s *conference.Session) (dateKey, startKey string) {
	dateS, startS, endS := c.row.get("date"), c.row.get("start"), c.row.get("end")
	if notAvailable(dateS) && notAvailable(startS) && notAvailable(endS) {
		// unscheduled
	} else {
		day, err := time.Parse(time.DateOnly, dateS)
		if err != nil {
			c.bad("date", "expected a date YYYY-MM-DD, got %q", dateS)
		}
		start, errS := parseClock(startS)
		if errS != nil {
			c.bad("start", "expected a local time HH:MM, got %q", startS)
		}
		end, errE := parseClock(endS)
		if errE != nil {
			c.bad("end", "expected a local time HH:MM, got %q", endS)
		}
		if err == nil && errS == nil && errE == nil {
			endDay := day
			if end < start {
				endDay = day.AddDate(0, 0, 1) // runs past midnight
			}
			var okS, okE bool
			s.Start, okS = c.b.wallTime(day, int(start/time.Minute), c.pos("start"), "start")
			s.End, okE = c.b.wallTime(endDay, int(end/time.Minute), c.pos("end"), "end")
			if !okS || !okE {
				c.ok = false
			}
			dateKey, startKey = day.Format(time.DateOnly), fmt.Sprintf("%02d:%02d", int(start.Hours()), int(start.Minutes())%60)
		}
	}
	return dateKey, startKey
}

// room reads "Venue | Level | Room", or a room with a venue column; a
// venue column alone gives each venue one room of its name. It returns
// the room cell as written.
func (c *csvCells) room(s *conference.Session) string {
	roomS := c.row.get("room")
	if !c.row.has("room") {
		roomS = c.row.get("venue")
	}
	venueName, level, name, hasRoom := splitRoom(roomS)
	if hasRoom && venueName == "" {
		venueName = c.row.get("venue")
		if !c.row.has("room") {
			venueName = name
		}
		if venueName == "" && c.row.get("venueId") == "" && strings.Contains(roomS, "|") {
			// "| Level | Somewhere": the room names no venue. Rather than
			// invent one, the row keeps its time and gets no room.
			c.b.warnAt(c.b.pos(c.row.line, 0), "room %q names no venue: the session is kept without a room", roomS)
			hasRoom = false
		}
	}
	if hasRoom {
		rule := ruleVenue{ID: c.row.get("venueId"), Name: venueName}
		if rule.Name == "" && rule.ID == "" {
			rule = ruleVenue{ID: slug(c.b.conf.ID), Name: c.b.conf.Name}
		}
		if v := c.row.get("venueLat"); v != "" {
			lat, err := strconv.ParseFloat(v, 64)
			if err != nil || lat < -90 || lat > 90 {
				c.bad("venueLat", "expected a latitude between -90 and 90, got %q", v)
			}
			rule.Lat = lat
		}
		if v := c.row.get("venueLon"); v != "" {
			lon, err := strconv.ParseFloat(v, 64)
			if err != nil || lon < -180 || lon > 180 {
				c.bad("venueLon", "expected a longitude between -180 and 180, got %q", v)
			}
			rule.Lon = lon
		}
		room := conference.Room{Level: level, Name: name}
		if v := c.row.get("roomCapacity"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				c.bad("roomCapacity", "expected a whole number of seats, got %q", v)
			}
			room.Capacity = n
		}
		if name == "" {
			c.bad("room", "expected a room name (e.g. \"Venetian | Level 2 | Hall B\"), got %q", roomS)
		} else if c.ok {
			roomID := c.row.get("roomId")
			// Names are matched with their case kept: "HALL 1" and
			// "Hall 1" are two rooms, each with its own capacity.
			key := "name:" + strings.Join(strings.Fields(rule.ID+"|"+venueName+"|"+level+"|"+name), " ")
			if roomID != "" {
				key = "id:" + roomID
			}
			s.RoomID = c.b.csvRoom(key, roomID, room, rule, c.row)
		}
	}
	return roomS
}

// flags reads reservable, recorded, cancelled and capacity.
func (c *csvCells) flags(s *conference.Session) {
	typeDefaults := defaultReservable(s.Type)
	s.Reservable = typeDefaults && s.Scheduled()
	s.Recorded = defaultRecorded(s.Type)
	for _, f := range []struct {
		col string
		dst *bool
	}{{"reservable", &s.Reservable}, {"recorded", &s.Recorded}, {"cancelled", &s.Cancelled}} {
		if v := c.row.get(f.col); v != "" {
			val, err := parseBool(v)
			if err != nil {
				c.bad(f.col, "expected true or false, got %q", v)
			}
			*f.dst = val
		}
	}
	if v := c.row.get("capacity"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.bad("capacity", "expected a whole number of seats, got %q", v)
		}
		s.Capacity = &n
	}
}

// csvRoom is roomFor for a row: a room met again keeps the largest
// capacity any of its rows gives (a warning names both), and rooms whose
// names differ only in case are reported, since they may be one room
// written two ways.
func (b *builder) csvRoom(key, roomID string, room conference.Room, rule ruleVenue, row csvRow) string {
	at := b.pos(row.line, 0)
	i, known := b.roomByKey[key]
	if !known {
		id := b.roomFor(key, roomID, room, rule, at)
		folded := strings.ToLower(key)
		if first, ok := b.roomFolded[folded]; ok {
			r := b.conf.Rooms[first]
			b.warnAt(at, "room %q and room %q (%s) differ only in case: they are kept as two rooms", room.Name, r.Name, b.roomAt[first])
		} else {
			b.roomFolded[folded] = b.roomByKey[key]
		}
		return id
	}
	r := &b.conf.Rooms[i]
	if row.get("roomCapacity") != "" && room.Capacity != r.Capacity {
		if r.Capacity != 0 {
			b.warnAt(at, "roomCapacity: room %q has %d seats here and %d at %s: the larger is kept", r.Name, room.Capacity, r.Capacity, b.roomAt[i])
		}
		r.Capacity = max(r.Capacity, room.Capacity)
	}
	return r.ID
}

// splitRoom reads "Venue | Level | Room [| more]", "Venue | Room" or a
// bare room name; ok is false for an empty or N/A cell.
func splitRoom(s string) (venue, level, name string, ok bool) {
	if notAvailable(s) {
		return "", "", "", false
	}
	parts := strings.Split(s, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch len(parts) {
	case 1:
		return "", "", parts[0], true
	case 2:
		return parts[0], "", parts[1], true
	}
	return parts[0], parts[1], strings.Join(parts[2:], " | "), true
}

// splitList splits a "; "-separated cell; "\;" and "\\" escape a
// semicolon or backslash inside an item.
func splitList(s string) []string {
	if notAvailable(s) {
		return nil
	}
	var out []string
	var cur strings.Builder
	flush := func() {
		if p := strings.TrimSpace(cur.String()); p != "" {
			out = append(out, p)
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == ';' || s[i+1] == '\\'):
			cur.WriteByte(s[i+1])
			i++
		case s[i] == ';':
			flush()
		default:
			cur.WriteByte(s[i])
		}
	}
	flush()
	return out
}

// joinList is splitList's inverse.
func joinList(items []string) string {
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`)
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = esc.Replace(it)
	}
	return strings.Join(out, "; ")
}

// parseClock reads a local time of day: 15:04, 15:04:05, 3:04 PM.
func parseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"15:04", "15:04:05", "3:04 PM", "3:04PM", "3:04 pm", "3:04pm"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
		}
	}
	return 0, fmt.Errorf("not a time: %q", s)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "x":
		return true, nil
	case "false", "no", "n", "0":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}

// defaultReservable: without a reservable column, the catalog's session
// types take reservations and services (meals, activities) do not.
func defaultReservable(sessionType string) bool {
	switch normalize(sessionType) {
	case "breakout session", "chalk talk", "workshop", "builders' session", "lightning talk",
		"code talk", "gamified learning", "innovation talk", "innovation talks", "bootcamp",
		"interactive training", "dev chat", "keynote":
		return true
	}
	return false
}

// defaultRecorded: breakouts, keynotes and innovation talks are recorded
// (docs/venues.md); hands-on formats are not.
func defaultRecorded(sessionType string) bool {
	switch normalize(sessionType) {
	case "breakout session", "keynote", "innovation talk", "innovation talks":
		return true
	}
	return false
}

// formulaStart are the characters that make a spreadsheet evaluate a cell.
const formulaStart = "=+-@\t\r"

// escapeFormula prefixes an apostrophe to a cell a spreadsheet would run
// as a formula. Cells already starting with apostrophes before such a
// character get one more, so unescapeFormula restores every value exactly.
func escapeFormula(s string) string {
	t := strings.TrimLeft(s, "'")
	if t != "" && strings.ContainsRune(formulaStart, rune(t[0])) {
		return "'" + s
	}
	return s
}

func unescapeFormula(s string) string {
	t := strings.TrimLeft(s, "'")
	if len(t) < len(s) && t != "" && strings.ContainsRune(formulaStart, rune(t[0])) {
		return s[1:]
	}
	return s
}

// writeCSV writes one row per session with every column of csvColumns;
// times are local to the conference zone.
func writeCSV(w io.Writer, c *conference.Conference) error {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return fmt.Errorf("conference time zone %q: %w", c.TimeZone, err)
	}
	venues := map[string]*conference.Venue{}
	for i := range c.Venues {
		venues[c.Venues[i].ID] = &c.Venues[i]
	}
	rooms := map[string]*conference.Room{}
	for i := range c.Rooms {
		rooms[c.Rooms[i].ID] = &c.Rooms[i]
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	text := func(s string) string { return escapeFormula(normalizeNewlines(s)) }
	for _, s := range c.Sessions {
		var date, start, end, roomS, venueID, lat, lon, roomCap string
		if !s.Start.IsZero() {
			st, en := s.Start.In(loc), s.End.In(loc)
			date, start, end = st.Format(time.DateOnly), st.Format("15:04"), en.Format("15:04")
		}
		if r, ok := rooms[s.RoomID]; ok {
			v := venues[r.VenueID]
			venueName := r.VenueID
			if v != nil {
				venueName = v.Name
				if v.Lat != 0 || v.Lon != 0 {
					lat, lon = strconv.FormatFloat(v.Lat, 'f', -1, 64), strconv.FormatFloat(v.Lon, 'f', -1, 64)
				}
			}
			roomS = venueName + " | " + r.Level + " | " + r.Name
			venueID = r.VenueID
			roomCap = strconv.Itoa(r.Capacity)
		}
		level := ""
		if s.Level != 0 {
			level = strconv.Itoa(s.Level)
		}
		var speakers []string
		for _, sp := range s.Speakers {
			switch {
			case sp.Company != "":
				speakers = append(speakers, sp.Name+" ("+sp.Company+")")
			case strings.HasSuffix(sp.Name, ")"):
				// "tommi (he/they)" is a name, not a company: an empty
				// company keeps it whole.
				speakers = append(speakers, sp.Name+" ()")
			default:
				speakers = append(speakers, sp.Name)
			}
		}
		capacity := ""
		if s.Capacity != nil {
			capacity = strconv.Itoa(*s.Capacity)
		}
		zone := c.TimeZone
		rec := []string{
			text(s.ID), text(s.Code), text(s.Title), text(s.Abstract), text(s.Type), level,
			text(joinList(s.Topics)), text(joinList(speakers)),
			date, start, end, zone, text(roomS), text(venueID), text(s.RoomID),
			lat, lon, roomCap, strconv.FormatBool(s.Reservable), strconv.FormatBool(s.Recorded),
			text(s.RecordingURL), text(s.RepeatGroup), capacity, strconv.FormatBool(s.Cancelled),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
