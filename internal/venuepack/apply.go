package venuepack

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// Result is a pack applied to one conference.
type Result struct {
	// Model is the conference's new travel model: the pack's places for
	// the venues the conference has, and the conference's own walk
	// corrections for venues that still exist.
	Model *conference.TravelModel `json:"-"`
	// Venues are the conference's venues, given the pack's coordinates
	// and address where they had none.
	Venues []conference.Venue `json:"-"`
	// Matched pairs conference venues with pack venues; Unmatched lists
	// the conference venues the pack does not know (their trips stay
	// estimated).
	Matched   []VenueMatch `json:"matched"`
	Unmatched []string     `json:"unmatched"`
	// Rooms is how many rooms got their walk from the door from the pack.
	Rooms     int `json:"rooms"`
	Entrances int `json:"entrances"`
	Walks     int `json:"walks"`
	Shuttles  int `json:"shuttles"`
	Monorail  int `json:"monorail"`
	// Corrections is how many of the organizer's walk corrections were
	// kept.
	Corrections int `json:"corrections"`
	// Notes say what was left out and why.
	Notes []string `json:"notes"`
}

// VenueMatch is a conference venue and the pack venue it was matched to.
type VenueMatch struct {
	VenueID     string `json:"venueId"`
	PackVenueID string `json:"packVenueId"`
	Name        string `json:"name"`
}

// Apply builds the travel model of c from the pack. Conference venues are
// matched to pack venues by id, name or alias; rooms of matched venues get
// their walk from the door from the pack's access rules. c is not modified.
// It fails (errcode.Invalid) when no venue matches, or when the model it
// builds does not validate against c.
func (p *Pack) Apply(c *conference.Conference) (*Result, error) {
	res := &Result{Matched: []VenueMatch{}, Unmatched: []string{}, Notes: []string{}}
	byPack := p.matchVenues(c, res)
	if len(res.Matched) == 0 {
		e := errcode.New(errcode.Invalid, "venue pack %q knows none of the conference's venues (%s)", p.ID, strings.Join(venueNames(c), ", "))
		e.Unprocessable = true
		return nil, e
	}
	t := &conference.TravelModel{
		WalkSpeed: p.WalkSpeed, DefaultAccessMinutes: p.DefaultAccessMinutes,
		Pack: &conference.PackRef{ID: p.ID, Name: p.Name},
	}
	entranceVenue := map[string]string{} // entrance id -> conference venue id
	rules := map[string]*compiledAccess{}
	for _, v := range p.Venues {
		cv, ok := byPack[v.ID]
		if !ok {
			continue
		}
		for _, e := range v.Entrances {
			t.Entrances = append(t.Entrances, conference.Entrance{ID: e.ID, VenueID: cv, Name: e.Name, Lat: e.Lat, Lon: e.Lon})
			entranceVenue[e.ID] = cv
		}
		if v.Inside != nil {
			t.Venues = append(t.Venues, conference.VenueWalk{VenueID: cv, SameLevelMinutes: v.Inside.SameLevelMinutes, LevelChangeMinutes: v.Inside.LevelChangeMinutes})
		}
		rules[cv] = compileAccess(v)
	}
	for _, r := range c.Rooms {
		a, ok := rules[r.VenueID]
		if !ok {
			continue
		}
		entrance, minutes := a.room(r)
		t.Rooms = append(t.Rooms, conference.RoomAccess{RoomID: r.ID, EntranceID: entrance, Minutes: minutes})
	}
	for _, w := range p.Walks {
		if entranceVenue[w.FromID] != "" && entranceVenue[w.ToID] != "" {
			t.WalkLinks = append(t.WalkLinks, w)
		}
	}
	days, err := conferenceDays(c)
	if err != nil {
		return nil, err
	}
	served := map[string]bool{} // stops with a door of a conference venue nearby
	for _, s := range p.Stops {
		for _, a := range s.Access {
			served[s.ID] = served[s.ID] || entranceVenue[a.EntranceID] != ""
		}
	}
	onLine := map[string]bool{}
	t.Shuttles = p.lines(p.Shuttles, served, onLine, days, res)
	t.Monorail = p.lines(p.Monorail, served, onLine, days, res)
	for _, s := range p.Stops {
		if !served[s.ID] && !onLine[s.ID] {
			continue
		}
		s.Access = slices.DeleteFunc(slices.Clone(s.Access), func(a conference.StopAccess) bool { return entranceVenue[a.EntranceID] == "" })
		if len(s.Access) == 0 {
			s.Access = nil // a station no venue is near: drawn, never boarded
		}
		t.Stops = append(t.Stops, s)
	}
	res.Corrections = CarryCorrections(t, c.Travel, c.Venues)
	res.Venues = slices.Clone(c.Venues)
	for i := range res.Venues {
		v := &res.Venues[i]
		pv, ok := p.venue(byVenue(res.Matched, v.ID))
		if !ok {
			continue
		}
		if v.Lat == 0 && v.Lon == 0 {
			v.Lat, v.Lon = pv.Lat, pv.Lon
		}
		if v.Address == "" {
			v.Address = pv.Address
		}
	}
	res.Model = t
	res.Rooms, res.Entrances, res.Walks = len(t.Rooms), len(t.Entrances), len(t.WalkLinks)
	res.Shuttles, res.Monorail = len(t.Shuttles), len(t.Monorail)

	check := *c
	check.Venues, check.Travel = res.Venues, t
	if probs := conference.Validate(&check, conference.ValidateOptions{RoomOverlapIsWarning: true}); hasErrors(probs) {
		for _, pr := range probs {
			if !pr.Warning {
				e := errcode.New(errcode.Invalid, "venue pack %q does not fit the conference: %s", p.ID, pr)
				e.Unprocessable = true
				return nil, e
			}
		}
	}
	return res, nil
}

// CarryCorrections copies into t the walk corrections of old whose two
// venues are among venues (and that t does not have already); it returns
// how many it copied. A correction is the organizer's word: a pack, a
// timetable or a re-import keeps it.
func CarryCorrections(t, old *conference.TravelModel, venues []conference.Venue) int {
	if old == nil || t == nil {
		return 0
	}
	has := map[string]bool{}
	for _, v := range venues {
		has[v.ID] = true
	}
	n := 0
	for _, w := range old.WalkCorrections {
		if _, dup := t.Correction(w.FromID, w.ToID); dup || !has[w.FromID] || !has[w.ToID] {
			continue
		}
		t.WalkCorrections = append(t.WalkCorrections, w)
		n++
	}
	return n
}

func hasErrors(probs []conference.Problem) bool {
	return slices.ContainsFunc(probs, func(p conference.Problem) bool { return !p.Warning })
}

func byVenue(m []VenueMatch, venueID string) string {
	for _, x := range m {
		if x.VenueID == venueID {
			return x.PackVenueID
		}
	}
	return ""
}

func (p *Pack) venue(id string) (Venue, bool) {
	for _, v := range p.Venues {
		if v.ID == id {
			return v, true
		}
	}
	return Venue{}, false
}

func venueNames(c *conference.Conference) []string {
	out := make([]string, 0, len(c.Venues))
	for _, v := range c.Venues {
		out = append(out, v.Name)
	}
	return out
}

// conferenceDays returns the conference's days with their weekdays.
func conferenceDays(c *conference.Conference) (map[string]time.Weekday, error) {
	out := map[string]time.Weekday{}
	for _, d := range c.Days {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return nil, errcode.New(errcode.Invalid, "bad conference day %q", d)
		}
		out[d] = t.Weekday()
	}
	return out, nil
}

// lines keeps the pack lines that serve at least two stops near the
// conference's venues, with their service expanded to its days.
func (p *Pack) lines(list []Line, served, onLine map[string]bool, days map[string]time.Weekday, res *Result) []conference.TransitLine {
	var out []conference.TransitLine
	for _, l := range list {
		n := 0
		for _, s := range l.Stops {
			if served[s.StopID] {
				n++
			}
		}
		if n < 2 {
			continue
		}
		service := expandService(l.Service, days)
		if len(service) == 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("line %s runs on none of the conference's days: left out", l.ID))
			continue
		}
		tl := conference.TransitLine{ID: l.ID, Name: l.Name, Stops: slices.Clone(l.Stops), Service: service,
			HeadwayMinutes: l.HeadwayMinutes, Path: l.Path}
		for _, pf := range p.Profiles {
			if pf.ID == l.Profile {
				tl.Profile = conference.RideProfile{Peaks: pf.Peaks, KeynoteRush: pf.KeynoteRush}
			}
		}
		for _, s := range l.Stops {
			onLine[s.StopID] = true
		}
		out = append(out, tl)
	}
	return out
}

// expandService turns a pack line's windows into the conference model's:
// plain windows stay, a weekday's become day windows on each conference
// day of that weekday, a dated one stays when it is a conference day (a
// line with dated windows only runs on those days alone).
func expandService(list []Service, days map[string]time.Weekday) []conference.ServiceHours {
	var out []conference.ServiceHours
	sorted := make([]string, 0, len(days))
	for d := range days {
		sorted = append(sorted, d)
	}
	slices.Sort(sorted)
	for _, s := range list {
		h := conference.ServiceHours{Start: s.Start, End: s.End, HeadwayMinutes: s.HeadwayMinutes}
		switch {
		case s.Day != "":
			if _, ok := days[s.Day]; ok {
				h.Day = s.Day
				out = append(out, h)
			}
		case s.Weekday != "":
			wd, _ := parseWeekday(s.Weekday)
			for _, d := range sorted {
				if days[d] == wd {
					h.Day = d
					out = append(out, h)
				}
			}
		default:
			out = append(out, h)
		}
	}
	return out
}

// compiledAccess is a venue's access rules, ready for rooms.
type compiledAccess struct {
	a     Access
	main  string
	rules []compiledRule
}

type compiledRule struct {
	name, level *regexp.Regexp
	AccessRule
}

func compileAccess(v Venue) *compiledAccess {
	ca := &compiledAccess{a: v.Access, main: v.Entrances[0].ID}
	for _, r := range v.Access.Rules {
		cr := compiledRule{AccessRule: r}
		if r.Name != "" {
			cr.name = regexp.MustCompile(r.Name) // Check compiled it
		}
		if r.Level != "" {
			cr.level = regexp.MustCompile(r.Level)
		}
		ca.rules = append(ca.rules, cr)
	}
	return ca
}

// room returns the entrance and minutes for one room.
func (ca *compiledAccess) room(r conference.Room) (entrance string, minutes int) {
	entrance = ca.main
	fixed := 0
	for _, rule := range ca.rules {
		if (rule.name == nil || rule.name.MatchString(r.Name)) && (rule.level == nil || rule.level.MatchString(r.Level)) {
			if rule.EntranceID != "" {
				entrance = rule.EntranceID
			}
			fixed = rule.Minutes
			break
		}
	}
	if fixed > 0 {
		return entrance, fixed
	}
	a := ca.a
	minutes = -1
	for _, l := range a.Levels {
		if strings.EqualFold(strings.TrimSpace(l.Level), strings.TrimSpace(r.Level)) {
			minutes = l.Minutes
		}
	}
	if minutes < 0 {
		if level, ok := conference.LevelNumber(r.Level); ok {
			minutes = a.Minutes + max(0, level-1)*a.PerLevelMinutes
		} else if a.UnknownLevelMinutes > 0 {
			minutes = a.UnknownLevelMinutes
		} else {
			minutes = a.Minutes
		}
	}
	if a.SpreadMinutes > 0 {
		h := fnv.New32a()
		h.Write([]byte(r.ID))
		minutes += int(h.Sum32() % uint32(a.SpreadMinutes+1))
	}
	if a.MaxMinutes > 0 {
		minutes = min(minutes, a.MaxMinutes)
	}
	return entrance, minutes
}
