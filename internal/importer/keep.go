package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"venuehop/internal/conference"
	"venuehop/internal/formats"
	"venuehop/internal/travel"
)

// A re-import replaces the conference with the file's, but a CSV, frab,
// c3voc or iCalendar file has no room for much of what an organizer set
// up: the travel model, meals, the expo, overflow rooms, room capacities,
// capacity overrides, levels and reservability. keep carries all of that
// over from the stored conference for every venue, room and session that
// still exists — matched by id, then by name — and drops only what refers
// to venues or rooms the file removed, naming each dropped item.

// kept is what keep did: notes for the warnings, and the dropped items.
type kept struct {
	notes   []string
	dropped []string
}

func (k *kept) note(format string, args ...any) {
	k.notes = append(k.notes, fmt.Sprintf(format, args...))
}
func (k *kept) drop(format string, args ...any) {
	k.dropped = append(k.dropped, fmt.Sprintf(format, args...))
}

var digitsRE = regexp.MustCompile(`^[0-9]+$`)

// keep updates c, read from a file that carried what `carried` says, with
// what the stored conference old has and the file could not say.
func keep(c, old *conference.Conference, format string, carried formats.Carried) kept {
	var k kept
	if c.ID != old.ID {
		if format != formats.FormatCSV {
			k.note("the file names the conference %q; the stored id %q is kept so that links and calendar entries stay valid", c.ID, old.ID)
		}
		c.ID = old.ID
	}
	if !carried.Name {
		c.Name = old.Name
	}
	matchVenues(c, old, carried, &k)
	matchRooms(c, old, carried, &k)
	if !carried.SessionlessRooms {
		keepSessionlessRooms(c, old, &k)
	}
	keepSessionFields(c, old, carried, &k)
	if !carried.Model {
		keepModel(c, old, &k)
		// The stored order of venues and rooms (what the pages list by)
		// stays; new ones follow.
		storedOrder(c.Venues, old.Venues, func(v conference.Venue) string { return v.ID })
		storedOrder(c.Rooms, old.Rooms, func(r conference.Room) string { return r.ID })
	}
	return k
}

func storedOrder[T any](list, stored []T, id func(T) string) {
	at := make(map[string]int, len(stored))
	for i, v := range stored {
		at[id(v)] = i
	}
	rank := func(v T) int {
		if i, ok := at[id(v)]; ok {
			return i
		}
		return len(stored)
	}
	slices.SortStableFunc(list, func(a, b T) int { return rank(a) - rank(b) })
}

// matchVenues gives a file venue the stored venue's id when only the name
// matches, and the stored address and coordinates when the file has none.
func matchVenues(c, old *conference.Conference, carried formats.Carried, k *kept) {
	byID := map[string]*conference.Venue{}
	byName := map[string]*conference.Venue{}
	for i := range old.Venues {
		v := &old.Venues[i]
		byID[v.ID] = v
		byName[strings.TrimSpace(v.Name)] = v
	}
	inFile := map[string]bool{}
	for _, v := range c.Venues {
		inFile[v.ID] = true
	}
	rename := map[string]string{}
	for i := range c.Venues {
		v := &c.Venues[i]
		ov := byID[v.ID]
		if ov == nil {
			if byN := byName[strings.TrimSpace(v.Name)]; byN != nil && !inFile[byN.ID] {
				rename[v.ID], v.ID, ov = byN.ID, byN.ID, byN
				inFile[v.ID] = true
			}
		}
		if ov == nil {
			continue
		}
		if v.Address == "" && (!carried.VenueAddress || ov.Address != "") {
			v.Address = ov.Address
		}
		if v.Lat == 0 && v.Lon == 0 && (ov.Lat != 0 || ov.Lon != 0) {
			v.Lat, v.Lon = ov.Lat, ov.Lon
		}
	}
	if len(rename) > 0 {
		for i := range c.Rooms {
			if to, ok := rename[c.Rooms[i].VenueID]; ok {
				c.Rooms[i].VenueID = to
			}
		}
		k.note("%d venues matched stored ones by name: they keep the stored ids", len(rename))
	}
}

// matchRooms does for rooms what matchVenues does for venues: a room
// matched by name (in the same venue) takes the stored id, and the stored
// capacity and level when the file gives none.
func matchRooms(c, old *conference.Conference, carried formats.Carried, k *kept) {
	byID := map[string]*conference.Room{}
	byName := map[string]*conference.Room{}
	for i := range old.Rooms {
		r := &old.Rooms[i]
		byID[r.ID] = r
		byName[r.VenueID+"\x00"+strings.TrimSpace(r.Name)] = r
	}
	inFile := map[string]bool{}
	for _, r := range c.Rooms {
		inFile[r.ID] = true
	}
	rename := map[string]string{}
	capacities := 0
	for i := range c.Rooms {
		r := &c.Rooms[i]
		or := byID[r.ID]
		if or == nil {
			byN := byName[r.VenueID+"\x00"+strings.TrimSpace(r.Name)]
			if byN != nil && !inFile[byN.ID] && (r.Level == "" || r.Level == byN.Level) {
				rename[r.ID], r.ID, or = byN.ID, byN.ID, byN
				inFile[r.ID] = true
			}
		}
		if or == nil {
			continue
		}
		if (!carried.RoomCapacity || r.Capacity == 0) && or.Capacity > 0 && r.Capacity != or.Capacity {
			r.Capacity = or.Capacity
			capacities++
		}
		if r.Level == "" && !carried.RoomLevel {
			r.Level = or.Level
		}
	}
	if len(rename) > 0 {
		for i := range c.Sessions {
			s := &c.Sessions[i]
			if to, ok := rename[s.RoomID]; ok {
				s.RoomID = to
			}
			for j, o := range s.OverflowRoomIDs {
				if to, ok := rename[o]; ok {
					s.OverflowRoomIDs[j] = to
				}
			}
		}
		k.note("%d rooms matched stored ones by name: they keep the stored ids", len(rename))
	}
	if capacities > 0 {
		k.note("the file gives no capacity for %d rooms: their stored capacities are kept", capacities)
	}
}

// keepSessionlessRooms keeps the stored rooms that hold no session (an
// overflow room, the expo hall): a format that lists rooms through their
// sessions cannot name them, so their absence does not remove them —
// unless their venue is gone from the file.
func keepSessionlessRooms(c, old *conference.Conference, k *kept) {
	used := map[string]bool{}
	venueUsed := map[string]bool{} // venues with a room that held sessions
	roomVenue := map[string]string{}
	for _, r := range old.Rooms {
		roomVenue[r.ID] = r.VenueID
	}
	for _, s := range old.Sessions {
		if s.Scheduled() {
			used[s.RoomID] = true
			venueUsed[roomVenue[s.RoomID]] = true
		}
	}
	rooms := map[string]bool{}
	for _, r := range c.Rooms {
		rooms[r.ID] = true
	}
	venues := map[string]bool{}
	for _, v := range c.Venues {
		venues[v.ID] = true
	}
	n := 0
	for _, r := range old.Rooms {
		// A venue that held sessions and holds none in the file is
		// removed, its session-less rooms with it.
		if used[r.ID] || rooms[r.ID] || !venues[r.VenueID] && venueUsed[r.VenueID] {
			continue
		}
		if !venues[r.VenueID] {
			for _, v := range old.Venues {
				if v.ID == r.VenueID {
					c.Venues = append(c.Venues, v)
					venues[v.ID] = true
				}
			}
		}
		c.Rooms = append(c.Rooms, r)
		rooms[r.ID] = true
		n++
	}
	if n > 0 {
		k.note("%d stored rooms without sessions (overflow rooms, the expo hall) cannot be listed in this format: they are kept", n)
	}
}

// keepSessionFields copies, for every session the file still has, the
// stored value of each field the file does not carry.
func keepSessionFields(c, old *conference.Conference, carried formats.Carried, k *kept) {
	prev := make(map[string]*conference.Session, len(old.Sessions))
	for i := range old.Sessions {
		prev[old.Sessions[i].ID] = &old.Sessions[i]
	}
	rooms := make(map[string]bool, len(c.Rooms))
	for _, r := range c.Rooms {
		rooms[r.ID] = true
	}
	copied := map[string]int{}
	set := func(field string, apply func()) {
		apply()
		copied[field]++
	}
	for i := range c.Sessions {
		s := &c.Sessions[i]
		p := prev[s.ID]
		if p == nil {
			continue
		}
		if !carried.Carries("abstract") && s.Abstract != p.Abstract {
			set("abstract", func() { s.Abstract = p.Abstract })
		}
		if !carried.Carries("type") && s.Type != p.Type {
			set("type", func() { s.Type = p.Type })
		}
		if !carried.Carries("level") && s.Level != p.Level {
			set("level", func() { s.Level = p.Level })
		}
		if !carried.Carries("reservable") && s.Reservable != p.Reservable {
			set("reservable", func() { s.Reservable = p.Reservable })
		}
		if !carried.Carries("capacity") && p.Capacity != nil {
			set("capacity", func() { s.Capacity = p.Capacity })
		}
		if !carried.Carries("repeatGroup") && s.RepeatGroup != p.RepeatGroup && p.RepeatGroup != "" {
			set("repeatGroup", func() { s.RepeatGroup = p.RepeatGroup })
		}
		if !carried.Carries("cancelled") && s.Cancelled != p.Cancelled {
			set("cancelled", func() { s.Cancelled = p.Cancelled })
		}
		if !carried.Carries("recorded") && s.Recorded != p.Recorded {
			set("recorded", func() { s.Recorded = p.Recorded })
		}
		if !carried.Carries("recordingUrl") && s.RecordingURL != p.RecordingURL {
			set("recordingUrl", func() { s.RecordingURL = p.RecordingURL })
		}
		switch {
		case !carried.Carries("topics") && !slices.Equal(s.Topics, p.Topics),
			carried.TopicsFirst && len(p.Topics) > 1 && len(s.Topics) == 1 && s.Topics[0] == p.Topics[0]:
			set("topics", func() { s.Topics = p.Topics })
		}
		if !carried.Carries("speakers") && !slices.Equal(s.Speakers, p.Speakers) ||
			carried.SpeakerNames && sameNames(s.Speakers, p.Speakers) && !slices.Equal(s.Speakers, p.Speakers) {
			set("speakers", func() { s.Speakers = p.Speakers })
		}
		if s.Code != p.Code && p.Code != "" && (!carried.Carries("code") || s.Code == "" ||
			carried.NumericIDs && digitsRE.MatchString(s.Code) && !digitsRE.MatchString(p.Code)) {
			set("code", func() { s.Code = p.Code })
		}
		if !carried.Carries("overflowRoomIds") && len(p.OverflowRoomIDs) > 0 {
			var keep []string
			for _, o := range p.OverflowRoomIDs {
				if rooms[o] {
					keep = append(keep, o)
				} else {
					k.drop("session %s (%s): overflow room %s is not in the file", s.ID, s.Title, o)
				}
			}
			set("overflowRoomIds", func() { s.OverflowRoomIDs = keep })
		}
	}
	if len(copied) > 0 {
		var parts []string
		for _, f := range []string{"abstract", "type", "level", "reservable", "capacity", "repeatGroup", "cancelled",
			"recorded", "recordingUrl", "topics", "speakers", "code", "overflowRoomIds"} {
			if n := copied[f]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s (%d)", f, n))
			}
		}
		k.note("the file does not give these session fields; the stored values are kept: %s", strings.Join(parts, ", "))
	}
}

func sameNames(a, b []conference.Speaker) bool {
	return slices.EqualFunc(a, b, func(x, y conference.Speaker) bool { return x.Name == y.Name })
}

// keepModel keeps the stored travel model, meals and expo the file has
// none of, without the parts that refer to venues or rooms it removed.
func keepModel(c, old *conference.Conference, k *kept) {
	venues := map[string]bool{}
	for _, v := range c.Venues {
		venues[v.ID] = true
	}
	rooms := map[string]bool{}
	for _, r := range c.Rooms {
		rooms[r.ID] = true
	}
	var parts []string
	if c.Travel == nil && old.Travel != nil {
		c.Travel = filterTravel(old.Travel, venues, rooms, k)
		parts = append(parts, "travel model")
	}
	if len(c.Meals) == 0 && len(old.Meals) > 0 {
		for _, m := range old.Meals {
			if venues[m.VenueID] {
				c.Meals = append(c.Meals, m)
			} else {
				k.drop("meal: %s at venue %s on %s (the venue is not in the file)", m.Kind, m.VenueID, m.Start.Format("2006-01-02"))
			}
		}
		parts = append(parts, "meals")
	}
	if c.Expo == nil && old.Expo != nil {
		switch e := *old.Expo; {
		case !venues[e.VenueID]:
			k.drop("expo: its venue %s is not in the file", e.VenueID)
		default:
			if e.RoomID != "" && !rooms[e.RoomID] {
				k.drop("expo: its room %s is not in the file (the expo stays at venue %s)", e.RoomID, e.VenueID)
				e.RoomID = ""
			}
			c.Expo = &e
			parts = append(parts, "expo")
		}
	}
	// What is left must still make a valid conference and travel model;
	// a part that does not is dropped whole, and said so.
	fits := func() error {
		snap, err := conference.NewSnapshot(c, 0, conference.ValidateOptions{RoomOverlapIsWarning: true})
		if err == nil && c.Travel != nil {
			_, err = travel.Compile(snap)
		}
		return err
	}
	if err := fits(); err != nil {
		for _, p := range []struct {
			what  string
			unset func()
		}{{"expo", func() { c.Expo = nil }}, {"meals", func() { c.Meals = nil }}, {"travel model", func() { c.Travel = nil }}} {
			if !slices.Contains(parts, p.what) {
				continue
			}
			p.unset()
			parts = slices.DeleteFunc(parts, func(s string) bool { return s == p.what })
			k.drop("the stored %s: it no longer fits the file's venues and rooms (%v)", p.what, firstLine(err))
			if err = fits(); err == nil {
				break
			}
		}
	}
	if len(parts) > 0 {
		k.note("the file has no %s: the stored ones are kept", strings.Join(parts, ", "))
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// filterTravel copies the model without what refers to removed venues or
// rooms: their entrances, walks between venues and rooms, access walks,
// and stops' walks to those entrances.
func filterTravel(m *conference.TravelModel, venues, rooms map[string]bool, k *kept) *conference.TravelModel {
	out := *m
	out.Entrances, out.Venues, out.Rooms, out.WalkLinks, out.Stops = nil, nil, nil, nil, nil
	entrances := map[string]bool{}
	for _, e := range m.Entrances {
		if venues[e.VenueID] {
			out.Entrances = append(out.Entrances, e)
			entrances[e.ID] = true
		} else {
			k.drop("travel model: entrance %s of venue %s (the venue is not in the file)", e.ID, e.VenueID)
		}
	}
	for _, v := range m.Venues {
		if venues[v.VenueID] {
			out.Venues = append(out.Venues, v)
		} else {
			k.drop("travel model: walks inside venue %s (the venue is not in the file)", v.VenueID)
		}
	}
	for _, r := range m.Rooms {
		switch {
		case !rooms[r.RoomID]:
			k.drop("travel model: the walk to room %s (the room is not in the file)", r.RoomID)
		case !entrances[r.EntranceID]:
			k.drop("travel model: the walk to room %s from entrance %s (the entrance is gone)", r.RoomID, r.EntranceID)
		default:
			out.Rooms = append(out.Rooms, r)
		}
	}
	for _, w := range m.WalkLinks {
		if entrances[w.FromID] && entrances[w.ToID] {
			out.WalkLinks = append(out.WalkLinks, w)
		} else {
			k.drop("travel model: the walk %s–%s (an entrance is gone)", w.FromID, w.ToID)
		}
	}
	for _, st := range m.Stops {
		access := st.Access
		st.Access = nil
		for _, a := range access {
			if entrances[a.EntranceID] {
				st.Access = append(st.Access, a)
			} else {
				k.drop("travel model: the walk from stop %s to entrance %s (the entrance is gone)", st.ID, a.EntranceID)
			}
		}
		out.Stops = append(out.Stops, st)
	}
	return &out
}
