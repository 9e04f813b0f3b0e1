// Package venuepack reads, checks and applies venue packs: the travel model
// of a set of venues — a city's convention hotels, a university campus — as
// a file of its own, independent of any one conference. A pack names its
// venues (with the aliases schedules write), their entrances, how long it
// takes from a door to a room (by level or by room name), the walks inside
// and between venues, shuttle and monorail lines with their service hours,
// and the traffic on them by hour of day.
//
// Apply turns a pack into the travel model of one conference
// (conference.TravelModel) for the venues and rooms that conference has;
// ReadTimetable reads an organizer's shuttle timetable into service hours.
// The format is docs/venue-pack.schema.json, described in
// docs/venue-packs.md. Two packs are shipped inside the binary (Shipped).
//
// The package does no I/O of its own beyond the embedded packs.
package venuepack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// Format names the pack format this code reads.
const Format = "venuehop-pack/1"

// MaxBytes bounds a pack file.
const MaxBytes = 4 << 20

// Pack is a venue pack (the JSON tags are the file format).
type Pack struct {
	Format      string `json:"format"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// TimeZone is where the venues are (IANA); informative, and checked
	// against a conference the pack is applied to.
	TimeZone string `json:"timeZone,omitempty"`
	// WalkSpeed is outdoors, in m/s (0: conference.DefaultWalkSpeed).
	WalkSpeed float64 `json:"walkSpeed,omitempty"`
	// DefaultAccessMinutes is a door to a room no access rule covers (0:
	// conference.DefaultAccessMinutes).
	DefaultAccessMinutes int                      `json:"defaultAccessMinutes,omitempty"`
	Venues               []Venue                  `json:"venues"`
	Walks                []conference.WalkLink    `json:"walks,omitempty"`
	Stops                []conference.TransitStop `json:"stops,omitempty"`
	Profiles             []Profile                `json:"profiles,omitempty"`
	Shuttles             []Line                   `json:"shuttles,omitempty"`
	Monorail             []Line                   `json:"monorail,omitempty"`
}

// Venue is one building or resort of a pack.
type Venue struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Address string  `json:"address,omitempty"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	// Aliases are other names schedules give the venue ("MGM", "The
	// Venetian"); they match venue names in imports and timetables.
	Aliases []string `json:"aliases,omitempty"`
	// Rooms, Prefixes and Patterns put rooms in the venue by name on
	// import, as in a venue map.
	Rooms    []string `json:"rooms,omitempty"`
	Prefixes []string `json:"prefixes,omitempty"`
	Patterns []string `json:"patterns,omitempty"`
	// Entrances are the venue's doors; the first is its main door.
	Entrances []Entrance `json:"entrances"`
	Access    Access     `json:"access"`
	// Inside is the walk between two of its rooms (nil: the defaults).
	Inside *Inside `json:"inside,omitempty"`
}

// Entrance is a door of a pack venue.
type Entrance struct {
	ID   string  `json:"id"`
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// Access is the walk from a venue's door to each of its rooms: the first
// rule whose patterns match the room decides; else the room's level by
// name (Levels), else by number: Minutes on level 1 or below plus
// PerLevelMinutes for each level above, UnknownLevelMinutes when the level
// has no number; plus up to SpreadMinutes more, stable per room (rooms far
// down a corridor); never more than MaxMinutes.
type Access struct {
	Minutes             int           `json:"minutes"`
	PerLevelMinutes     int           `json:"perLevelMinutes,omitempty"`
	UnknownLevelMinutes int           `json:"unknownLevelMinutes,omitempty"`
	SpreadMinutes       int           `json:"spreadMinutes,omitempty"`
	MaxMinutes          int           `json:"maxMinutes,omitempty"`
	Levels              []LevelAccess `json:"levels,omitempty"`
	Rules               []AccessRule  `json:"rules,omitempty"`
}

// LevelAccess is the walk to the rooms of one named level ("Lower Level
// North"), matched without regard to case.
type LevelAccess struct {
	Level   string `json:"level"`
	Minutes int    `json:"minutes"`
}

// AccessRule picks the entrance and/or the minutes for the rooms whose name
// (and level, when given) match its RE2 patterns.
type AccessRule struct {
	Name  string `json:"name,omitempty"`
	Level string `json:"level,omitempty"`
	// EntranceID is the door the rooms are reached from ("": the main one).
	EntranceID string `json:"entranceId,omitempty"`
	// Minutes fixes the walk (0: by level, as for the venue's other rooms).
	Minutes int    `json:"minutes,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Inside is the walk between two rooms of one venue.
type Inside struct {
	SameLevelMinutes   int `json:"sameLevelMinutes,omitempty"`
	LevelChangeMinutes int `json:"levelChangeMinutes,omitempty"`
}

// Profile is a named traffic profile (hour-of-day peaks, keynote rush).
type Profile struct {
	ID          string                  `json:"id"`
	Peaks       []conference.RidePeak   `json:"peaks,omitempty"`
	KeynoteRush *conference.KeynoteRush `json:"keynoteRush,omitempty"`
}

// Line is a shuttle or monorail line of a pack.
type Line struct {
	ID             string                `json:"id"`
	Name           string                `json:"name"`
	Stops          []conference.LineStop `json:"stops"`
	Service        []Service             `json:"service"`
	HeadwayMinutes int                   `json:"headwayMinutes"`
	// Profile is the id of one of the pack's profiles ("": no traffic).
	Profile string       `json:"profile,omitempty"`
	Path    [][2]float64 `json:"path,omitempty"`
}

// Service is a daily service window ("HH:MM"): every day, on one Weekday
// (English name) or on one Day (YYYY-MM-DD). On a day, the windows naming
// that day or its weekday apply, else the plain ones.
type Service struct {
	Day            string `json:"day,omitempty"`
	Weekday        string `json:"weekday,omitempty"`
	Start          string `json:"start"`
	End            string `json:"end"`
	HeadwayMinutes int    `json:"headwayMinutes,omitempty"`
}

// Error lists every problem of a pack or timetable file, located by JSON
// path or file:line. It is an errcode.Invalid (422) error.
type Error struct {
	File     string
	Problems []conference.Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem", e.File, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap gives the HTTP edge its code and the problems as details.
func (e *Error) Unwrap() error {
	msg := fmt.Sprintf("%s has %d problems", e.File, len(e.Problems))
	if len(e.Problems) > 0 {
		msg += "; first: " + e.Problems[0].String()
	}
	return &errcode.Error{Code: errcode.Invalid, Unprocessable: true, Message: msg, Details: e.Problems}
}

// problems collects located problems, up to a bound.
type problems struct{ list []conference.Problem }

const maxProblems = 100

func (p *problems) add(path, format string, args ...any) {
	if len(p.list) < maxProblems {
		p.list = append(p.list, conference.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
}

func (p *problems) err(file string) error {
	if len(p.list) == 0 {
		return nil
	}
	return &Error{File: file, Problems: p.list}
}

// Read reads and checks a pack; every problem comes back in an *Error.
func Read(r io.Reader, name string) (*Pack, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, errcode.Wrap(errcode.Invalid, err, "cannot read the venue pack %s", name)
	}
	if len(data) > MaxBytes {
		return nil, errcode.New(errcode.TooLarge, "the venue pack %s is larger than %d MB", name, MaxBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	var p Pack
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, &Error{File: name, Problems: []conference.Problem{syntaxProblem(data, err)}}
	}
	if dec.More() {
		return nil, &Error{File: name, Problems: []conference.Problem{{Message: "expected one JSON document, found more data after it"}}}
	}
	if err := p.Check(name); err != nil {
		return nil, err
	}
	return &p, nil
}

// IsPack reports whether a JSON file looks like a venue pack rather than a
// venue map (both are given with --venues): it names the pack format.
func IsPack(data []byte) bool {
	var head struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(data, &head) == nil && strings.HasPrefix(head.Format, "venuehop-pack/")
}

// syntaxProblem locates a JSON decoding error by line and column.
func syntaxProblem(data []byte, err error) conference.Problem {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		msg = fmt.Sprintf("%s: expected %s, got a JSON %s", te.Field, te.Type, te.Value)
	}
	if off < 0 {
		return conference.Problem{Message: strings.TrimPrefix(msg, "json: ")}
	}
	line, col := 1, 1
	for _, c := range data[:min(int(off), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return conference.Problem{Path: fmt.Sprintf("line %d, column %d", line, col), Message: strings.TrimPrefix(msg, "json: ")}
}

var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

const maxMinutes = 600

// Check validates a pack: every problem, located by JSON path, in an
// *Error naming file.
func (p *Pack) Check(file string) error {
	var pr problems
	if p.Format != Format {
		pr.add("format", "expected %q, got %q", Format, p.Format)
	}
	if !idRE.MatchString(p.ID) {
		pr.add("id", "expected an id of lower-case letters, digits and single hyphens, got %q", p.ID)
	}
	if strings.TrimSpace(p.Name) == "" {
		pr.add("name", "expected a non-empty name")
	}
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil {
			pr.add("timeZone", "expected an IANA time zone such as America/Los_Angeles, got %q", p.TimeZone)
		}
	}
	if !(p.WalkSpeed >= 0 && p.WalkSpeed <= 5) {
		pr.add("walkSpeed", "expected a walking speed between 0 and 5 metres per second (0 for the default), got %v", p.WalkSpeed)
	}
	pr.minutes("defaultAccessMinutes", p.DefaultAccessMinutes)
	if len(p.Venues) == 0 {
		pr.add("venues", "expected at least one venue")
	}
	venueIDs := map[string]bool{}
	entrances := map[string]Entrance{}
	for i, v := range p.Venues {
		at := fmt.Sprintf("venues[%d]", i)
		pr.place(at, "venue", v.ID, v.Name, v.Lat, v.Lon, venueIDs)
		for j, a := range v.Aliases {
			if normalize(a) == "" {
				pr.add(fmt.Sprintf("%s.aliases[%d]", at, j), "expected a name with letters or digits, got %q", a)
			}
		}
		for j, pat := range v.Patterns {
			if _, err := regexp.Compile(pat); err != nil {
				pr.add(fmt.Sprintf("%s.patterns[%d]", at, j), "expected a Go (RE2) regular expression: %v", err)
			}
		}
		if len(v.Entrances) == 0 {
			pr.add(at+".entrances", "expected at least one entrance (the first is the main door)")
		}
		own := map[string]bool{}
		for j, e := range v.Entrances {
			q := fmt.Sprintf("%s.entrances[%d]", at, j)
			if _, dup := entrances[e.ID]; dup {
				pr.add(q+".id", "duplicate entrance id %q", e.ID)
			} else if !idRE.MatchString(e.ID) {
				pr.add(q+".id", "expected an id of lower-case letters, digits and single hyphens, got %q", e.ID)
			}
			entrances[e.ID] = e
			own[e.ID] = true
			if strings.TrimSpace(e.Name) == "" {
				pr.add(q+".name", "expected a non-empty name")
			}
			pr.coordinate(q, e.Lat, e.Lon)
		}
		pr.access(at+".access", v.Access, own)
		if v.Inside != nil {
			pr.minutes(at+".inside.sameLevelMinutes", v.Inside.SameLevelMinutes)
			pr.minutes(at+".inside.levelChangeMinutes", v.Inside.LevelChangeMinutes)
		}
	}
	for i, w := range p.Walks {
		at := fmt.Sprintf("walks[%d]", i)
		from, okF := entrances[w.FromID]
		to, okT := entrances[w.ToID]
		if !okF {
			pr.add(at+".fromId", "expected the id of an entrance, got %q", w.FromID)
		}
		if !okT {
			pr.add(at+".toId", "expected the id of an entrance, got %q", w.ToID)
		}
		if okF && okT && w.FromID == w.ToID {
			pr.add(at+".toId", "expected a walk between two different entrances")
		}
		pr.polyline(at+".path", w.Path, true)
		switch {
		case w.Meters < 0:
			pr.add(at+".meters", "expected metres of 0 or more, got %d", w.Meters)
		case okF && okT && w.Meters > 0:
			straight := conference.DistanceMeters([2]float64{from.Lon, from.Lat}, [2]float64{to.Lon, to.Lat})
			if float64(w.Meters) < 0.9*straight {
				pr.add(at+".meters", "expected at least the straight line between the entrances (%.0f m), got %d", straight, w.Meters)
			}
		}
		pr.minutes(at+".minutes", w.Minutes)
	}
	stops := map[string]bool{}
	for i, s := range p.Stops {
		at := fmt.Sprintf("stops[%d]", i)
		pr.place(at, "stop", s.ID, s.Name, s.Lat, s.Lon, stops)
		for j, a := range s.Access {
			if _, ok := entrances[a.EntranceID]; !ok {
				pr.add(fmt.Sprintf("%s.access[%d].entranceId", at, j), "expected the id of an entrance, got %q", a.EntranceID)
			}
			pr.minutes(fmt.Sprintf("%s.access[%d].minutes", at, j), a.Minutes)
		}
	}
	profiles := map[string]bool{}
	for i, pf := range p.Profiles {
		at := fmt.Sprintf("profiles[%d]", i)
		pr.id(at+".id", pf.ID, profiles, "profile")
		for j, pk := range pf.Peaks {
			q := fmt.Sprintf("%s.peaks[%d]", at, j)
			pr.window(q, pk.Start, pk.End)
			pr.factor(q+".factor", pk.Factor)
		}
		if r := pf.KeynoteRush; r != nil {
			if r.Minutes < 0 || r.Minutes > 240 {
				pr.add(at+".keynoteRush.minutes", "expected minutes between 0 and 240, got %d", r.Minutes)
			}
			pr.factor(at+".keynoteRush.factor", r.Factor)
		}
	}
	lines := map[string]bool{}
	pr.lines("shuttles", p.Shuttles, stops, profiles, lines)
	pr.lines("monorail", p.Monorail, stops, profiles, lines)
	return pr.err(file)
}

func (pr *problems) id(path, id string, seen map[string]bool, what string) {
	switch {
	case !idRE.MatchString(id):
		pr.add(path, "expected an id of lower-case letters, digits and single hyphens, got %q", id)
	case seen[id]:
		pr.add(path, "duplicate %s id %q", what, id)
	}
	seen[id] = true
}

// place checks what every venue and stop has: an id, a name, a position.
func (pr *problems) place(at, what, id, name string, lat, lon float64, seen map[string]bool) {
	pr.id(at+".id", id, seen, what)
	if strings.TrimSpace(name) == "" {
		pr.add(at+".name", "expected a non-empty name")
	}
	pr.coordinate(at, lat, lon)
}

func (pr *problems) minutes(path string, m int) {
	if m < 0 || m > maxMinutes {
		pr.add(path, "expected minutes between 0 and %d, got %d", maxMinutes, m)
	}
}

func (pr *problems) coordinate(path string, lat, lon float64) {
	if !(lat >= -90 && lat <= 90) || (lat == 0 && lon == 0) {
		pr.add(path+".lat", "expected a latitude between -90 and 90 (not 0,0), got %v", lat)
	}
	if !(lon >= -180 && lon <= 180) {
		pr.add(path+".lon", "expected a longitude between -180 and 180, got %v", lon)
	}
}

func (pr *problems) polyline(path string, pts [][2]float64, required bool) {
	if len(pts) < 2 {
		if required || len(pts) == 1 {
			pr.add(path, "expected a path of at least two [lon,lat] points, got %d", len(pts))
		}
		return
	}
	for i, pt := range pts {
		if !(pt[0] >= -180 && pt[0] <= 180) || !(pt[1] >= -90 && pt[1] <= 90) || (pt[0] == 0 && pt[1] == 0) {
			pr.add(fmt.Sprintf("%s[%d]", path, i), "expected [lon,lat] with lon in -180..180 and lat in -90..90, got [%v,%v]", pt[0], pt[1])
		}
	}
}

func (pr *problems) window(path, start, end string) {
	s, okS := conference.ParseClock(start)
	e, okE := conference.ParseClock(end)
	if !okS {
		pr.add(path+".start", "expected a time of day HH:MM, got %q", start)
	}
	if !okE {
		pr.add(path+".end", "expected a time of day HH:MM (up to 24:00), got %q", end)
	}
	if okS && okE && e <= s {
		pr.add(path+".end", "expected the end (%s) after the start (%s)", end, start)
	}
}

func (pr *problems) factor(path string, f float64) {
	if !(f >= 0.2 && f <= 10) {
		pr.add(path, "expected a ride-time factor between 0.2 and 10, got %v", f)
	}
}

func (pr *problems) access(at string, a Access, entrances map[string]bool) {
	pr.minutes(at+".minutes", a.Minutes)
	pr.minutes(at+".perLevelMinutes", a.PerLevelMinutes)
	pr.minutes(at+".unknownLevelMinutes", a.UnknownLevelMinutes)
	pr.minutes(at+".maxMinutes", a.MaxMinutes)
	if a.SpreadMinutes < 0 || a.SpreadMinutes > 10 {
		pr.add(at+".spreadMinutes", "expected minutes between 0 and 10, got %d", a.SpreadMinutes)
	}
	for i, l := range a.Levels {
		q := fmt.Sprintf("%s.levels[%d]", at, i)
		if strings.TrimSpace(l.Level) == "" {
			pr.add(q+".level", "expected the name of a level")
		}
		pr.minutes(q+".minutes", l.Minutes)
	}
	for i, r := range a.Rules {
		q := fmt.Sprintf("%s.rules[%d]", at, i)
		if r.Name == "" && r.Level == "" {
			pr.add(q, "expected a name or level pattern")
		}
		for field, pat := range map[string]string{"name": r.Name, "level": r.Level} {
			if _, err := regexp.Compile(pat); err != nil {
				pr.add(q+"."+field, "expected a Go (RE2) regular expression: %v", err)
			}
		}
		if r.EntranceID != "" && !entrances[r.EntranceID] {
			pr.add(q+".entranceId", "expected the id of one of this venue's entrances, got %q", r.EntranceID)
		}
		pr.minutes(q+".minutes", r.Minutes)
	}
}

// parseWeekday reads an English weekday name, in any case.
func parseWeekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(s, d.String()) {
			return d, true
		}
	}
	return 0, false
}

func (pr *problems) lines(prefix string, list []Line, stops, profiles, seen map[string]bool) {
	for i, l := range list {
		at := fmt.Sprintf("%s[%d]", prefix, i)
		pr.id(at+".id", l.ID, seen, "line")
		if strings.TrimSpace(l.Name) == "" {
			pr.add(at+".name", "expected a non-empty name")
		}
		if len(l.Stops) < 2 {
			pr.add(at+".stops", "expected at least two stops, got %d", len(l.Stops))
		}
		on := map[string]bool{}
		for j, s := range l.Stops {
			q := fmt.Sprintf("%s.stops[%d]", at, j)
			switch {
			case !stops[s.StopID]:
				pr.add(q+".stopId", "expected the id of a stop in stops, got %q", s.StopID)
			case on[s.StopID]:
				pr.add(q+".stopId", "stop %q is already on the line", s.StopID)
			}
			on[s.StopID] = true
			switch {
			case j == 0 && s.RideMinutes != 0:
				pr.add(q+".rideMinutes", "expected 0 for the first stop, got %d", s.RideMinutes)
			case j > 0 && (s.RideMinutes < 1 || s.RideMinutes > maxMinutes):
				pr.add(q+".rideMinutes", "expected a ride from the previous stop between 1 and %d minutes, got %d", maxMinutes, s.RideMinutes)
			}
		}
		if l.HeadwayMinutes < 1 || l.HeadwayMinutes > 240 {
			pr.add(at+".headwayMinutes", "expected minutes between departures between 1 and 240, got %d", l.HeadwayMinutes)
		}
		if len(l.Service) == 0 {
			pr.add(at+".service", "expected at least one service window")
		}
		for j, s := range l.Service {
			q := fmt.Sprintf("%s.service[%d]", at, j)
			pr.window(q, s.Start, s.End)
			if s.Day != "" && s.Weekday != "" {
				pr.add(q, "expected a day or a weekday, not both")
			}
			if _, err := time.Parse(time.DateOnly, s.Day); s.Day != "" && err != nil {
				pr.add(q+".day", "expected a date YYYY-MM-DD, got %q", s.Day)
			}
			if _, ok := parseWeekday(s.Weekday); s.Weekday != "" && !ok {
				pr.add(q+".weekday", "expected a weekday such as Sunday, got %q", s.Weekday)
			}
			if s.HeadwayMinutes < 0 || s.HeadwayMinutes > 240 {
				pr.add(q+".headwayMinutes", "expected minutes between 1 and 240 (0: the line's), got %d", s.HeadwayMinutes)
			}
		}
		if l.Profile != "" && !profiles[l.Profile] {
			pr.add(at+".profile", "expected the id of a profile in profiles, got %q", l.Profile)
		}
		if len(l.Path) > 0 {
			pr.polyline(at+".path", l.Path, false)
		}
	}
}

// normalize folds a venue name for matching: lower case, runs of anything
// but letters and digits as one space, without a leading "the".
func normalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return strings.TrimPrefix(b.String(), "the ")
}
