package formats

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// WriteOptions tune the exports.
type WriteOptions struct {
	// BaseURL is the public address of the venuehop server (e.g.
	// https://plan.example.org); session links point to BaseURL/sessions/ID.
	// Without it, frab XML has no event URLs and c3voc JSON uses urn: URIs.
	BaseURL string
	// Version is the schedule version written to frab and c3voc files;
	// default "1".
	Version string
	// Now is the DTSTAMP of iCalendar exports; default time.Now().
	Now time.Time
}

// Write exports the conference in a format: json, csv, frab, c3voc,
// geojson or ical (the whole conference; WriteICal writes one attendee's
// agenda).
func Write(w io.Writer, c *conference.Conference, format string, opt WriteOptions) error {
	switch strings.ToLower(format) {
	case FormatJSON:
		return WriteNative(w, c)
	case FormatCSV:
		return writeCSV(w, c)
	case FormatFrab:
		return writeFrab(w, c, opt)
	case FormatC3voc:
		return writeC3voc(w, c, opt)
	case FormatGeoJSON:
		return writeGeoJSON(w, c)
	case FormatICal:
		snap, err := conference.NewSnapshot(c, 0, conference.ValidateOptions{RoomOverlapIsWarning: true})
		if err != nil {
			return err
		}
		return WriteICal(w, snap, nil, ICalOptions{Now: opt.Now, BaseURL: opt.BaseURL})
	}
	return errcode.New(errcode.Invalid, "unknown export format %q: expected json, csv, frab, c3voc, geojson or ical", format)
}

// exportPlan is what the frab and c3voc writers share: the scheduled
// sessions by day and room, and the identifiers those formats demand.
type exportPlan struct {
	c       *conference.Conference
	loc     *time.Location
	days    []exportDay
	rooms   map[string]*conference.Room
	venues  map[string]*conference.Venue
	numID   map[string]int    // session id -> positive integer id
	slugs   map[string]string // session id -> unique slug
	roomStr map[string]string // room id -> name written in the file
	acronym string
	tracks  []string
}

type exportDay struct {
	date       string
	start, end time.Time
	rooms      []exportRoom
}

type exportRoom struct {
	room     *conference.Room
	sessions []*conference.Session
}

var numericRE = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)

// planExport groups the scheduled, not cancelled sessions (the formats
// have no place for others) by conference day and room.
func planExport(c *conference.Conference) (*exportPlan, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("conference time zone %q: %w", c.TimeZone, err)
	}
	p := &exportPlan{c: c, loc: loc, rooms: map[string]*conference.Room{}, venues: map[string]*conference.Venue{},
		numID: map[string]int{}, slugs: map[string]string{}, roomStr: map[string]string{}}
	for i := range c.Venues {
		p.venues[c.Venues[i].ID] = &c.Venues[i]
	}
	roomOrder := map[string]int{}
	names := map[string]int{}
	for i := range c.Rooms {
		r := &c.Rooms[i]
		p.rooms[r.ID] = r
		roomOrder[r.ID] = i
		names[normalize(r.Name)]++
	}
	// Room names must identify rooms and, read back, give their venue: a
	// plain name when it is unique and the readers' rule (one venue, or
	// FOSDEM's building letter) finds the venue again; otherwise
	// "Venue | Level | Room" as the CSV writes it.
	fosdem := strings.Contains(strings.ToLower(c.ID+c.Name), "fosdem")
	for _, r := range p.rooms {
		p.roomStr[r.ID] = r.Name
		recovered := len(c.Venues) == 1 || fosdem && fosdemBuilding(r.Name, ruleVenue{}).ID == r.VenueID
		if names[normalize(r.Name)] > 1 || strings.Contains(r.Name, "|") || !recovered {
			vn := r.VenueID
			if v := p.venues[r.VenueID]; v != nil {
				vn = v.Name
			}
			p.roomStr[r.ID] = vn + " | " + r.Level + " | " + r.Name
		}
	}

	byDay := map[string]map[string][]*conference.Session{}
	trackSeen := map[string]bool{}
	for i := range c.Sessions {
		s := &c.Sessions[i]
		if !s.Scheduled() || s.Cancelled || p.rooms[s.RoomID] == nil {
			continue
		}
		d := s.Start.In(loc).Format(time.DateOnly)
		if byDay[d] == nil {
			byDay[d] = map[string][]*conference.Session{}
		}
		byDay[d][s.RoomID] = append(byDay[d][s.RoomID], s)
		if len(s.Topics) > 0 && !trackSeen[s.Topics[0]] {
			trackSeen[s.Topics[0]] = true
			p.tracks = append(p.tracks, s.Topics[0])
		}
	}
	dates := append([]string(nil), c.Days...)
	for d := range byDay {
		if !contains(dates, d) {
			dates = append(dates, d)
		}
	}
	sort.Strings(dates)
	for _, d := range dates {
		day, _ := time.ParseInLocation(time.DateOnly, d, loc)
		ed := exportDay{date: d, start: day, end: day.AddDate(0, 0, 1).Add(-time.Minute)}
		first := true
		for roomID, list := range byDay[d] {
			sort.SliceStable(list, func(a, b int) bool { return list[a].Start.Before(list[b].Start) })
			ed.rooms = append(ed.rooms, exportRoom{room: p.rooms[roomID], sessions: list})
			for _, s := range list {
				if first || s.Start.Before(ed.start) {
					ed.start = s.Start
				}
				if first || s.End.After(ed.end) {
					ed.end = s.End
				}
				first = false
			}
		}
		sort.Slice(ed.rooms, func(a, b int) bool { return roomOrder[ed.rooms[a].room.ID] < roomOrder[ed.rooms[b].room.ID] })
		p.days = append(p.days, ed)
	}

	// Integer ids: the session code when it is one (frab ids come back as
	// codes), else the next free number.
	used := map[int]bool{}
	next := 1
	for i := range c.Sessions {
		s := &c.Sessions[i]
		if numericRE.MatchString(s.Code) {
			if n, err := strconv.Atoi(s.Code); err == nil && !used[n] {
				used[n] = true
				p.numID[s.ID] = n
			}
		}
	}
	for i := range c.Sessions {
		s := &c.Sessions[i]
		if _, ok := p.numID[s.ID]; ok {
			continue
		}
		for used[next] {
			next++
		}
		used[next] = true
		p.numID[s.ID] = next
	}

	p.acronym = acronymFor(c.ID)
	taken := map[string]bool{}
	head := strings.ReplaceAll(p.acronym, "-", "_")
	for i := range c.Sessions {
		s := &c.Sessions[i]
		part := strings.Trim(slugChars(strings.ToLower(s.ID), "abcdefghijklmnopqrstuvwxyz0123456789-_", '-'), "-_")
		for len(part) < 4 {
			part = "0" + part
		}
		sl := head + "-" + part
		for n := 2; taken[sl]; n++ {
			sl = fmt.Sprintf("%s-%s-%d", head, part, n)
		}
		taken[sl] = true
		p.slugs[s.ID] = sl
	}
	return p, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// slugChars keeps the allowed characters and replaces others by repl,
// without runs of repl.
func slugChars(s, allowed string, repl byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(allowed, c) >= 0 {
			b.WriteByte(c)
		} else if b.Len() > 0 && b.String()[b.Len()-1] != repl {
			b.WriteByte(repl)
		}
	}
	return b.String()
}

// acronymFor makes an acronym both schemas accept: lower-case letters,
// digits and underscores, at least 4 characters (the frab XSD also allows
// hyphens; the c3voc JSON schema does not, so they become underscores).
func acronymFor(id string) string {
	a := slugChars(strings.ToLower(id), "abcdefghijklmnopqrstuvwxyz0123456789_", '_')
	for len(a) < 4 {
		a += "_"
	}
	return a
}

// sessionURL is the session's page on the venuehop server, or "".
func sessionURL(base, id string) string {
	base = strings.TrimRight(base, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return ""
	}
	return base + "/sessions/" + url.PathEscape(id)
}

func formatDuration(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}
