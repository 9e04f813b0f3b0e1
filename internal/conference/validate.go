package conference

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Problem is one thing wrong with a conference, located by its JSON path in
// the native file (e.g. "sessions[12].roomId").
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	// Warning problems are reported but do not stop an import.
	Warning bool `json:"warning,omitempty"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ValidationError carries every problem found; it is returned when at least
// one of them is not a warning.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	var errs []string
	for _, p := range e.Problems {
		if !p.Warning {
			errs = append(errs, p.String())
		}
	}
	if len(errs) == 1 {
		return "invalid conference: " + errs[0]
	}
	return fmt.Sprintf("invalid conference: %d problems, first: %s", len(errs), errs[0])
}

// ValidateOptions relaxes rules that real-world sources break.
type ValidateOptions struct {
	// RoomOverlapIsWarning reports two sittings in one room at once as a
	// warning instead of an error (real schedules do this).
	RoomOverlapIsWarning bool
	// BadRecordingURLIsWarning reports a recordingUrl that is not http(s)
	// as a warning: for a conference stored before that was refused, which
	// must still load (it is never served: Session.SafeRecordingURL).
	BadRecordingURLIsWarning bool
}

const maxProblems = 100

// Validate checks the conference and returns every problem found (up to
// 100), warnings included. It never modifies c.
func Validate(c *Conference, opt ValidateOptions) []Problem {
	v := validator{}
	v.conference(c, opt)
	return v.problems
}

type validator struct{ problems []Problem }

func (v *validator) add(path, format string, args ...any) {
	if len(v.problems) < maxProblems {
		v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
}

func (v *validator) warn(path, format string, args ...any) {
	if len(v.problems) < maxProblems {
		v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...), Warning: true})
	}
}

func (v *validator) conference(c *Conference, opt ValidateOptions) {
	loc, days := v.header(c)
	venues, rooms := v.places(c)
	byRoom := v.sessions(c, opt, loc, days, rooms)
	v.roomOverlaps(c, opt, byRoom)
	v.mealsAndExpo(c, venues, rooms)
	v.travel(c)
}

// header checks the format, id, name, zone and days; it returns the zone
// (nil when it is not valid) and the set of days.
func (v *validator) header(c *Conference) (*time.Location, map[string]bool) {
	if c.Format != FormatVersion {
		v.add("format", "expected %q, got %q", FormatVersion, c.Format)
	}
	if strings.TrimSpace(c.ID) == "" {
		v.add("id", "expected a non-empty id")
	}
	if strings.TrimSpace(c.Name) == "" {
		v.add("name", "expected a non-empty name")
	}
	loc, err := LoadZone(c.TimeZone)
	if err != nil {
		v.add("timeZone", "expected an IANA time zone such as America/Los_Angeles, got %q", c.TimeZone)
		loc = nil
	}
	days := map[string]bool{}
	if len(c.Days) == 0 {
		v.add("days", "expected at least one day")
	}
	prev := ""
	for i, d := range c.Days {
		p := fmt.Sprintf("days[%d]", i)
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			v.add(p, "expected a date YYYY-MM-DD, got %q", d)
			continue
		}
		if d <= prev {
			v.add(p, "expected days in ascending order without repeats, got %s after %s", d, prev)
		}
		prev = d
		days[d] = true
	}
	return loc, days
}

// places checks venues and rooms and returns the sets of their ids.
func (v *validator) places(c *Conference) (venues, rooms map[string]bool) {
	venues = map[string]bool{}
	for i, ve := range c.Venues {
		p := fmt.Sprintf("venues[%d]", i)
		v.id(p+".id", ve.ID, venues, "venue")
		if strings.TrimSpace(ve.Name) == "" {
			v.add(p+".name", "expected a non-empty name")
		}
		if ve.Lat < -90 || ve.Lat > 90 {
			v.add(p+".lat", "expected a latitude between -90 and 90, got %v", ve.Lat)
		}
		if ve.Lon < -180 || ve.Lon > 180 {
			v.add(p+".lon", "expected a longitude between -180 and 180, got %v", ve.Lon)
		}
		if ve.AccessMinutes < 0 || ve.AccessMinutes > 60 {
			v.add(p+".accessMinutes", "expected minutes between 0 and 60 from the door to a room, got %d", ve.AccessMinutes)
		}
	}
	rooms = map[string]bool{}
	for i, r := range c.Rooms {
		p := fmt.Sprintf("rooms[%d]", i)
		v.id(p+".id", r.ID, rooms, "room")
		if !venues[r.VenueID] {
			v.add(p+".venueId", "expected the id of a venue in venues, got %q", r.VenueID)
		}
		if strings.TrimSpace(r.Name) == "" {
			v.add(p+".name", "expected a non-empty name")
		}
		if r.Capacity < 0 {
			v.add(p+".capacity", "expected a capacity of 0 or more, got %d", r.Capacity)
		}
	}
	return venues, rooms
}

// sitting is a scheduled, not cancelled session in a room: sessions[i].
type sitting struct {
	i          int
	start, end time.Time
}

// sessions checks every session and returns the sittings of each room.
func (v *validator) sessions(c *Conference, opt ValidateOptions, loc *time.Location, days, rooms map[string]bool) map[string][]sitting {
	byRoom := map[string][]sitting{}
	sessions := map[string]bool{}
	for i := range c.Sessions {
		s := &c.Sessions[i]
		p := fmt.Sprintf("sessions[%d]", i)
		v.id(p+".id", s.ID, sessions, "session")
		if strings.TrimSpace(s.Title) == "" {
			v.add(p+".title", "expected a non-empty title")
		}
		if strings.TrimSpace(s.Type) == "" {
			v.add(p+".type", "expected a session type such as %q", TypeBreakout)
		}
		if s.Level != 0 && (s.Level < 100 || s.Level > 500 || s.Level%100 != 0) {
			v.add(p+".level", "expected 100, 200, 300, 400 or 500, got %d", s.Level)
		}
		if s.RoomID != "" && !rooms[s.RoomID] {
			v.add(p+".roomId", "expected the id of a room in rooms, got %q", s.RoomID)
		}
		if !ValidRecordingURL(s.RecordingURL) {
			add := v.add
			if opt.BadRecordingURLIsWarning {
				add = v.warn
			}
			add(p+".recordingUrl", "expected an http:// or https:// address of at most %d characters, got %.80q", MaxURLLen, s.RecordingURL)
		}
		if !ValidRecordingURL(s.StreamURL) {
			v.add(p+".streamUrl", "expected an http:// or https:// address of at most %d characters, got %.80q", MaxURLLen, s.StreamURL)
		}
		if s.Start.IsZero() != s.End.IsZero() {
			v.add(p+".end", "expected start and end together, or neither for an unscheduled session")
		} else if !s.Start.IsZero() {
			if !s.End.After(s.Start) {
				v.add(p+".end", "expected the end (%s) after the start (%s)", s.End.Format(time.RFC3339), s.Start.Format(time.RFC3339))
			} else if s.End.Sub(s.Start) > 24*time.Hour {
				v.add(p+".end", "expected a session shorter than 24 hours")
			}
			if loc != nil && len(days) > 0 {
				if d := s.Start.In(loc).Format(time.DateOnly); !days[d] {
					v.add(p+".start", "expected a start on one of the conference days, got %s", d)
				}
			}
			if s.RoomID != "" && !s.Cancelled && s.End.After(s.Start) {
				byRoom[s.RoomID] = append(byRoom[s.RoomID], sitting{i, s.Start, s.End})
			}
		}
		if s.Capacity != nil && *s.Capacity < 0 {
			v.add(p+".capacity", "expected a capacity of 0 or more, got %d", *s.Capacity)
		}
		for j, r := range s.OverflowRoomIDs {
			if !rooms[r] {
				v.add(fmt.Sprintf("%s.overflowRoomIds[%d]", p, j), "expected the id of a room in rooms, got %q", r)
			}
		}
		for j, sp := range s.Speakers {
			if strings.TrimSpace(sp.Name) == "" {
				v.add(fmt.Sprintf("%s.speakers[%d].name", p, j), "expected a non-empty name")
			}
		}
	}
	return byRoom
}

// roomOverlaps reports sittings that overlap in one room: an error, or a
// warning when the options say so.
func (v *validator) roomOverlaps(c *Conference, opt ValidateOptions, byRoom map[string][]sitting) {
	roomIDs := make([]string, 0, len(byRoom))
	for id := range byRoom {
		roomIDs = append(roomIDs, id)
	}
	sort.Strings(roomIDs)
	for _, id := range roomIDs {
		list := byRoom[id]
		sort.Slice(list, func(a, b int) bool { return list[a].start.Before(list[b].start) })
		for k := 1; k < len(list); k++ {
			a, b := list[k-1], list[k]
			if b.start.Before(a.end) {
				p := fmt.Sprintf("sessions[%d].start", b.i)
				msg := "room %q already holds sessions[%d] (%s) until %s"
				args := []any{id, a.i, c.Sessions[a.i].ID, a.end.Format(time.RFC3339)}
				if opt.RoomOverlapIsWarning {
					v.warn(p, msg, args...)
				} else {
					v.add(p, msg, args...)
				}
				if a.end.After(b.end) {
					list[k] = a // keep the longer one as the reference for the next
				}
			}
		}
	}
}

// mealsAndExpo checks the meals and the expo against the venues and rooms.
func (v *validator) mealsAndExpo(c *Conference, venues, rooms map[string]bool) {
	for i, m := range c.Meals {
		p := fmt.Sprintf("meals[%d]", i)
		if !venues[m.VenueID] {
			v.add(p+".venueId", "expected the id of a venue in venues, got %q", m.VenueID)
		}
		if !m.End.After(m.Start) {
			v.add(p+".end", "expected the end after the start")
		}
	}
	if c.Expo != nil {
		if !venues[c.Expo.VenueID] {
			v.add("expo.venueId", "expected the id of a venue in venues, got %q", c.Expo.VenueID)
		}
		if c.Expo.RoomID != "" && !rooms[c.Expo.RoomID] {
			v.add("expo.roomId", "expected the id of a room in rooms, got %q", c.Expo.RoomID)
		}
		for i, h := range c.Expo.Hours {
			if !h.End.After(h.Start) {
				v.add(fmt.Sprintf("expo.hours[%d].end", i), "expected the end after the start")
			}
		}
	}
}

func (v *validator) id(path, id string, seen map[string]bool, what string) {
	switch {
	case strings.TrimSpace(id) == "":
		v.add(path, "expected a non-empty %s id", what)
	case len(id) > 128 || strings.ContainsAny(id, "/?#%, \t\n"):
		v.add(path, "expected an id of at most 128 characters without spaces, commas or any of / ? # %%, got %q", id)
	case seen[id]:
		v.add(path, "duplicate %s id %q", what, id)
	}
	seen[id] = true
}

// MaxURLLen bounds a recording URL.
const MaxURLLen = 2000

// ValidRecordingURL reports whether u is empty or an absolute http(s) URL
// with a host and no credentials, of at most MaxURLLen characters: what a
// page may link to. javascript:, data: and the like are not.
func ValidRecordingURL(u string) bool {
	if u == "" {
		return true
	}
	if len(u) > MaxURLLen || strings.TrimSpace(u) != u {
		return false
	}
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" || parsed.User != nil {
		return false
	}
	return parsed.Scheme == "https" || parsed.Scheme == "http"
}

// SafeRecordingURL is the recording URL to serve: "" unless it is valid
// (ValidRecordingURL), so that nothing else stored before it was checked
// reaches a page or a client.
func (s *Session) SafeRecordingURL() string {
	if ValidRecordingURL(s.RecordingURL) {
		return s.RecordingURL
	}
	return ""
}

// SafeStreamURL is the live stream's address when it is a valid http(s)
// one (the same rule as recordings), else "".
func (s *Session) SafeStreamURL() string {
	if ValidRecordingURL(s.StreamURL) {
		return s.StreamURL
	}
	return ""
}
