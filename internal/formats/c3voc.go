package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
)

// c3voc schedule.json, version 1: {"schedule": {"conference": {"days":
// [{"date", "rooms": {"Room": [event, ...]}}]}}}. Real exports bend the
// schema (missing urls, odd acronyms, ids as strings), so the reader takes
// what it needs and checks only that.

// jsonObject is a decoded object that keeps its key order (the order of
// rooms in a day).
type jsonObject struct {
	keys   []string
	values map[string]json.RawMessage
}

func (o *jsonObject) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("expected an object")
	}
	o.values = map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if _, dup := o.values[key]; !dup {
			o.keys = append(o.keys, key)
		}
		o.values[key] = raw
	}
	_, err = dec.Token()
	return err
}

// jpath builds JSON paths for messages.
func jpath(base string, key any) string {
	switch k := key.(type) {
	case int:
		return fmt.Sprintf("%s[%d]", base, k)
	case string:
		if k != "" && strings.IndexFunc(k, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
		}) < 0 {
			if base == "" {
				return k
			}
			return base + "." + k
		}
		q, _ := json.Marshal(k)
		return fmt.Sprintf("%s[%s]", base, q)
	}
	return base
}

// jsonReader reads values leniently and reports wrong types by path.
type jsonReader struct{ b *builder }

func (j jsonReader) object(path string, raw json.RawMessage) (*jsonObject, bool) {
	if raw == nil || string(raw) == "null" {
		return nil, false
	}
	var o jsonObject
	if err := json.Unmarshal(raw, &o); err != nil {
		j.b.errAt(path, "expected an object, got %s", jsonKind(raw))
		return nil, false
	}
	return &o, true
}

func (j jsonReader) array(path string, raw json.RawMessage) ([]json.RawMessage, bool) {
	if raw == nil || string(raw) == "null" {
		return nil, false
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		j.b.errAt(path, "expected an array, got %s", jsonKind(raw))
		return nil, false
	}
	return a, true
}

// str reads a string; numbers are taken as their text (ids written as
// numbers or strings).
func (j jsonReader) str(path string, raw json.RawMessage) string {
	if raw == nil || string(raw) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err == nil {
		return n.String()
	}
	j.b.errAt(path, "expected a string, got %s", jsonKind(raw))
	return ""
}

func (j jsonReader) boolean(raw json.RawMessage) (val, ok bool) {
	err := json.Unmarshal(raw, &val)
	return val, err == nil && raw != nil && string(raw) != "null"
}

func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func readC3voc(b *builder, text []byte) {
	var root jsonObject
	if err := json.Unmarshal(text, &root); err != nil {
		p := syntaxProblem(text, err)
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimRight(text, " \t\r\n"))) {
			p.Message += ": the JSON ends early, the file is truncated"
		}
		if _, isObj := err.(*json.SyntaxError); !isObj && len(bytes.TrimSpace(text)) > 0 && bytes.TrimSpace(text)[0] != '{' {
			p.Message = "expected a JSON object with a \"schedule\" at the top level"
		}
		b.errAt(b.name, "%s", p.Message)
		return
	}
	j := jsonReader{b}
	sched, ok := j.object("schedule", root.values["schedule"])
	if !ok {
		b.errAt("schedule", "expected the c3voc \"schedule\" object (conference, days, rooms, events)")
		return
	}
	conf, ok := j.object("schedule.conference", sched.values["conference"])
	if !ok {
		b.errAt("schedule.conference", "expected an object with the conference title, acronym and days")
		return
	}
	title := strings.TrimSpace(j.str("schedule.conference.title", conf.values["title"]))
	acronym := strings.TrimSpace(j.str("schedule.conference.acronym", conf.values["acronym"]))
	b.conf.Name = firstNonEmpty(title, acronym, conferenceIDFromName(b.name))
	b.conf.ID = slug(firstNonEmpty(acronym, title, conferenceIDFromName(b.name)))
	if acronym != "" && !strings.ContainsAny(acronym, " /?#%,\t\n") && len(acronym) <= 128 {
		b.conf.ID = acronym
	}
	b.setZone(j.str("schedule.conference.time_zone_name", conf.values["time_zone_name"]), "schedule.conference.time_zone_name")
	if b.loc == nil {
		return
	}
	fosdem := strings.Contains(strings.ToLower(title+acronym), "fosdem")
	campus := ruleVenue{ID: slug(b.conf.Name), Name: b.conf.Name}

	dayDates := map[string]bool{}
	seen := map[string]eventKey{}
	days, _ := j.array("schedule.conference.days", conf.values["days"])
	for di, rawDay := range days {
		dp := jpath("schedule.conference.days", di)
		day, ok := j.object(dp, rawDay)
		if !ok {
			continue
		}
		date := j.str(jpath(dp, "date"), day.values["date"])
		if date != "" {
			if _, err := time.Parse(time.DateOnly, date); err != nil {
				b.errAt(jpath(dp, "date"), "expected a date YYYY-MM-DD, got %q", date)
				date = ""
			} else {
				dayDates[date] = true
			}
		}
		rooms, ok := j.object(jpath(dp, "rooms"), day.values["rooms"])
		if !ok {
			continue
		}
		for _, roomName := range rooms.keys {
			rp := jpath(jpath(dp, "rooms"), roomName)
			events, _ := j.array(rp, rooms.values[roomName])
			for ei, rawEv := range events {
				if b.tooMany() {
					return
				}
				b.c3vocEvent(j, jpath(rp, ei), rawEv, roomName, date, fosdem, campus, seen)
			}
		}
	}
	// schedule2 drafts list events flat.
	events, _ := j.array("schedule.events", sched.values["events"])
	for ei, rawEv := range events {
		if b.tooMany() {
			return
		}
		b.c3vocEvent(j, jpath("schedule.events", ei), rawEv, "", "", fosdem, campus, seen)
	}
	for _, d := range daysOf(b.conf, b.loc) {
		dayDates[d] = true
	}
	b.conf.Days = sortedSet(dayDates)
	if len(b.errs) == 0 && len(b.conf.Sessions) == 0 {
		if len(days) == 0 && len(events) == 0 {
			b.errAt("schedule.conference.days", "expected days with rooms and events (or a schedule2 \"events\" list), got none: an empty schedule is not imported")
		} else {
			b.errAt("schedule.conference.days", "the %d days hold no event in their rooms: an empty schedule is not imported", len(days))
		}
	}
}

func (b *builder) c3vocEvent(j jsonReader, path string, raw json.RawMessage, roomName, dayDate string, fosdem bool, campus ruleVenue, seen map[string]eventKey) {
	ev, ok := j.object(path, raw)
	if !ok {
		b.errAt(path, "expected an event object")
		return
	}
	// Each field is read once, so a wrong type is reported once.
	fields := map[string]string{}
	get := func(field string) string {
		v, done := fields[field]
		if !done {
			if (field == "room" || field == "track") && jsonKind(ev.values[field]) == "an object" {
				// schedule2 writes {"name", "slug", "guid"} objects.
				o, _ := j.objectQuiet(ev.values[field])
				v = firstNonEmpty(j.str(jpath(jpath(path, field), "name"), o.values["name"]), j.str(jpath(jpath(path, field), "slug"), o.values["slug"]))
			} else {
				v = strings.TrimSpace(j.str(jpath(path, field), ev.values[field]))
			}
			fields[field] = v
		}
		return v
	}
	guid, numID := get("guid"), get("id")
	room := firstNonEmpty(get("room"), roomName)
	id := firstNonEmpty(idFromGUID(guid), numID)
	key := eventKey{get("title"), room, get("date"), get("start"), get("duration"), get("type")}
	if prev, dup := seen[id]; dup && prev == key && id != "" {
		b.warnAt(path, "event %q appears twice with the same content: merged", id)
		return
	}
	seen[id] = key

	okAll := true
	bad := func(field, format string, args ...any) {
		b.errAt(jpath(path, field), format, args...)
		okAll = false
	}
	s := conference.Session{
		ID:       id,
		Code:     firstNonEmpty(get("code"), numID),
		Title:    get("title"),
		Type:     firstNonEmpty(get("type"), "Talk"),
		Abstract: joinText(get("abstract"), get("description")),
	}
	if sub := get("subtitle"); sub != "" && s.Title != "" {
		s.Title += ": " + sub
	}
	if s.ID == "" {
		bad("guid", "expected a guid (or an id) for the event")
	}
	if s.Title == "" {
		bad("title", "expected a non-empty title")
	}
	if t := get("track"); t != "" {
		s.Topics = []string{t}
	}
	personsField := "persons"
	if _, has := ev.values["persons"]; !has {
		personsField = "participants" // schedule2
	}
	if persons, ok := j.array(jpath(path, personsField), ev.values[personsField]); ok {
		for pi, rawP := range persons {
			pp := jpath(jpath(path, personsField), pi)
			if jsonKind(rawP) == "a string" {
				if name := strings.TrimSpace(j.str(pp, rawP)); name != "" {
					s.Speakers = append(s.Speakers, conference.Speaker{Name: name})
				}
				continue
			}
			p, ok := j.object(pp, rawP)
			if !ok {
				continue
			}
			name := firstNonEmpty(j.str(jpath(pp, "public_name"), p.values["public_name"]), j.str(jpath(pp, "name"), p.values["name"]))
			if name == "" {
				b.errAt(pp, "expected a person with a public_name or name")
				continue
			}
			s.Speakers = append(s.Speakers, conference.Speaker{Name: name})
		}
	}
	var links []frabLink
	if list, ok := j.array(jpath(path, "links"), ev.values["links"]); ok {
		for li, rawL := range list {
			lp := jpath(jpath(path, "links"), li)
			if jsonKind(rawL) == "a string" {
				links = append(links, frabLink{Href: j.str(lp, rawL)})
				continue
			}
			if l, ok := j.object(lp, rawL); ok {
				text := j.str(jpath(lp, "title"), l.values["title"])
				if j.str("", l.values["type"]) == "media" {
					text += " video"
				}
				links = append(links, frabLink{Href: j.str(jpath(lp, "url"), l.values["url"]), Text: text})
			}
		}
	}
	s.RecordingURL = recordingLink(links)
	if v, ok := j.boolean(ev.values["do_not_record"]); ok {
		s.Recorded = !v
	} else {
		s.Recorded = s.RecordingURL != ""
	}

	date, clock := get("date"), get("start")
	if date == "" && len(clock) > 5 {
		date, clock = clock, "" // schedule2: start is a timestamp
	}
	start, okStart := b.eventStart(date, clock, dayDate, "", path, func(field, format string, args ...any) { bad(field, format, args...) })
	if okStart {
		if end := get("end"); end != "" {
			t, err := time.Parse(time.RFC3339, end)
			if err != nil {
				bad("end", "expected a time like 2020-12-14T10:00:00+01:00, got %q", end)
			} else {
				s.Start, s.End = start, t
			}
		} else {
			dur, err := parseDuration(get("duration"))
			if err != nil {
				bad("duration", "expected a duration HH:MM, got %q", get("duration"))
			} else {
				s.Start, s.End = start, start.Add(dur)
			}
		}
	}
	if room == "" {
		bad("room", "expected the event's room")
	}
	if !okAll {
		return
	}
	rule := campus
	if parts := strings.Split(room, "|"); len(parts) >= 2 {
		rule = ruleVenue{Name: strings.TrimSpace(parts[0])}
	} else if fosdem {
		rule = fosdemBuilding(room, campus)
	}
	s.RoomID = b.roomFor("name:"+normalize(room), "", roomFromName(room), rule, path)
	b.addSession(s, path)
}

func (j jsonReader) objectQuiet(raw json.RawMessage) (*jsonObject, bool) {
	if jsonKind(raw) != "an object" {
		return nil, false
	}
	var o jsonObject
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, false
	}
	return &o, true
}

// The writer's shapes follow c3voc's schema.json (draft-06).

type cSchedule struct {
	Schema    string     `json:"$schema"`
	Generator cGenerator `json:"generator"`
	Schedule  cBody      `json:"schedule"`
}

type cGenerator struct {
	Name string `json:"name"`
}

type cBody struct {
	Version    string      `json:"version"`
	BaseURL    string      `json:"base_url,omitempty"`
	Conference cConference `json:"conference"`
}

type cConference struct {
	Acronym      string   `json:"acronym"`
	Title        string   `json:"title"`
	Start        string   `json:"start"`
	End          string   `json:"end"`
	DaysCount    int      `json:"daysCount"`
	Timeslot     string   `json:"timeslot_duration"`
	TimeZoneName string   `json:"time_zone_name"`
	Rooms        []cRoom  `json:"rooms"`
	Tracks       []cTrack `json:"tracks,omitempty"`
	Days         []cDay   `json:"days"`
}

type cRoom struct {
	Name string `json:"name"`
	GUID string `json:"guid"`
}

type cTrack struct {
	Name string `json:"name"`
	Slug string `json:"slug,omitempty"`
}

type cDay struct {
	Index    int         `json:"index"`
	Date     string      `json:"date"`
	DayStart string      `json:"day_start"`
	DayEnd   string      `json:"day_end"`
	Rooms    cOrderedMap `json:"rooms"`
}

// cOrderedMap writes the rooms of a day in conference order.
type cOrderedMap struct {
	keys   []string
	values map[string][]cEvent
}

func (m cOrderedMap) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := json.Marshal(m.values[k])
		if err != nil {
			return nil, err
		}
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

type cEvent struct {
	ID               int       `json:"id"`
	GUID             string    `json:"guid"`
	Code             string    `json:"code,omitempty"`
	Date             string    `json:"date"`
	Start            string    `json:"start"`
	End              string    `json:"end"`
	Duration         string    `json:"duration"`
	Room             string    `json:"room"`
	Slug             string    `json:"slug"`
	URL              string    `json:"url"`
	Title            string    `json:"title"`
	Subtitle         string    `json:"subtitle"`
	Track            *string   `json:"track"`
	Type             string    `json:"type"`
	Language         *string   `json:"language"`
	Abstract         string    `json:"abstract"`
	Description      string    `json:"description"`
	RecordingLicense string    `json:"recording_license"`
	DoNotRecord      bool      `json:"do_not_record"`
	Persons          []cPerson `json:"persons"`
	Links            []cLink   `json:"links"`
	Attachments      []cLink   `json:"attachments"`
}

// cPerson has name (pretalx) and public_name (frab) so that readers of
// either generation find it; without an id it matches only the pretalx
// branch of the schema's oneOf.
type cPerson struct {
	Name       string `json:"name"`
	PublicName string `json:"public_name"`
}

type cLink struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	Type  string `json:"type,omitempty"`
}

var c3vocCodeRE = pretalxCodeRE

// writeC3voc writes schedule.json (version 1 layout). As in frab XML,
// sessions without a time or room and cancelled ones are left out.
func writeC3voc(w io.Writer, c *conference.Conference, opt WriteOptions) error {
	p, err := planExport(c)
	if err != nil {
		return err
	}
	doc := cSchedule{
		Schema:    "https://c3voc.de/schedule/schema.json",
		Generator: cGenerator{Name: "venuehop"},
		Schedule: cBody{
			Version: firstNonEmpty(opt.Version, "1"),
			Conference: cConference{
				Acronym:      p.acronym,
				Title:        c.Name,
				DaysCount:    len(p.days),
				Timeslot:     "00:05",
				TimeZoneName: c.TimeZone,
				Rooms:        []cRoom{},
				Days:         []cDay{},
			},
		},
	}
	if sessionURL(opt.BaseURL, "x") != "" {
		doc.Schedule.BaseURL = strings.TrimRight(opt.BaseURL, "/") + "/"
	}
	if len(p.days) > 0 {
		doc.Schedule.Conference.Start, doc.Schedule.Conference.End = p.days[0].date, p.days[len(p.days)-1].date
	}
	for _, t := range p.tracks {
		tr := cTrack{Name: t}
		if s := slug(t); xsdTrackSlugRE.MatchString(s) {
			tr.Slug = s
		}
		doc.Schedule.Conference.Tracks = append(doc.Schedule.Conference.Tracks, tr)
	}
	used := map[string]bool{}
	for _, d := range p.days {
		for _, r := range d.rooms {
			if !used[r.room.ID] {
				used[r.room.ID] = true
			}
		}
	}
	for _, r := range c.Rooms {
		if used[r.ID] {
			doc.Schedule.Conference.Rooms = append(doc.Schedule.Conference.Rooms, cRoom{Name: p.roomStr[r.ID], GUID: stableUUID(c.ID, "room:"+r.ID)})
		}
	}
	for i, d := range p.days {
		cd := cDay{Index: i + 1, Date: d.date, DayStart: d.start.In(p.loc).Format(time.RFC3339), DayEnd: d.end.In(p.loc).Format(time.RFC3339),
			Rooms: cOrderedMap{values: map[string][]cEvent{}}}
		for _, r := range d.rooms {
			name := p.roomStr[r.room.ID]
			cd.Rooms.keys = append(cd.Rooms.keys, name)
			for _, s := range r.sessions {
				cd.Rooms.values[name] = append(cd.Rooms.values[name], p.c3vocEvent(s, opt))
			}
		}
		doc.Schedule.Conference.Days = append(doc.Schedule.Conference.Days, cd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

func (p *exportPlan) c3vocEvent(s *conference.Session, opt WriteOptions) cEvent {
	start := s.Start.In(p.loc)
	ev := cEvent{
		ID:          p.numID[s.ID],
		GUID:        stableUUID(p.c.ID, s.ID),
		Date:        start.Format(time.RFC3339),
		Start:       start.Format("15:04"),
		End:         s.End.In(p.loc).Format(time.RFC3339),
		Duration:    formatDuration(s.End.Sub(s.Start)),
		Room:        p.roomStr[s.RoomID],
		Slug:        p.slugs[s.ID],
		URL:         sessionURL(opt.BaseURL, s.ID),
		Title:       s.Title,
		Type:        s.Type,
		Abstract:    s.Abstract,
		DoNotRecord: !s.Recorded,
		Persons:     []cPerson{},
		Links:       []cLink{},
		Attachments: []cLink{},
	}
	if ev.URL == "" {
		ev.URL = "urn:venuehop:" + p.acronym + ":session:" + urlEscapeOpaque(s.ID)
	}
	if c3vocCodeRE.MatchString(s.Code) && !numericRE.MatchString(s.Code) {
		ev.Code = s.Code
	}
	if len(s.Topics) > 0 {
		t := s.Topics[0]
		ev.Track = &t
	}
	for _, sp := range s.Speakers {
		ev.Persons = append(ev.Persons, cPerson{Name: sp.Name, PublicName: sp.Name})
	}
	if s.RecordingURL != "" {
		ev.Links = append(ev.Links, cLink{URL: s.RecordingURL, Title: "Video recording", Type: "media"})
	}
	return ev
}

// urlEscapeOpaque keeps an id usable inside a urn.
func urlEscapeOpaque(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
		}
	}
	return b.String()
}
