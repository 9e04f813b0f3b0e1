package formats

import (
	"io"

	"venuehop/internal/conference"
)

// Carried says what of a conference a file had room for, so that a
// re-import keeps from the stored conference what the file could not say
// (a CSV has no place for the travel model, a frab file none for room
// capacities) instead of erasing it.
type Carried struct {
	// Model: the travel model, meals and expo (native JSON only).
	Model bool
	// Name: the conference name (CSV has none).
	Name bool
	// Fields are the session fields the file gives, by native JSON name
	// (title, abstract, type, level, topics, speakers, code, reservable,
	// recorded, recordingUrl, repeatGroup, capacity, cancelled,
	// overflowRoomIds). TopicsFirst: only the first topic (a frab track);
	// SpeakerNames: names without companies.
	Fields       map[string]bool
	TopicsFirst  bool
	SpeakerNames bool
	// NumericIDs: the format numbers its events (frab, c3voc), so a
	// number in place of a stored catalog code is the writer's id, not a
	// new code.
	NumericIDs bool
	// RoomCapacity, RoomLevel, VenueCoords and VenueAddress: whether the
	// file gives rooms' capacities and levels and venues' places.
	RoomCapacity, RoomLevel, VenueCoords, VenueAddress bool
	// SessionlessRooms: whether rooms without sessions can be in the file
	// at all (only native JSON lists them); in the other formats a stored
	// room without sessions (an overflow room, the expo hall) is not
	// "removed" by its absence.
	SessionlessRooms bool
}

// Carries says whether the file gives a session field.
func (c Carried) Carries(field string) bool { return c.Fields[field] }

func fieldSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// everything is native JSON's: the whole conference.
func everything() Carried {
	return Carried{Model: true, Name: true, RoomCapacity: true, RoomLevel: true, VenueCoords: true, VenueAddress: true, SessionlessRooms: true,
		Fields: fieldSet("title", "abstract", "type", "level", "topics", "speakers", "code", "reservable", "recorded",
			"recordingUrl", "repeatGroup", "capacity", "cancelled", "overflowRoomIds")}
}

// scheduleCarried is what frab XML and c3voc JSON give.
func scheduleCarried() Carried {
	return Carried{Name: true, TopicsFirst: true, SpeakerNames: true, NumericIDs: true,
		Fields: fieldSet("title", "abstract", "type", "topics", "speakers", "code", "recorded", "recordingUrl")}
}

// csvCarried: the columns the file has.
func csvCarried(cols map[string]int) Carried {
	c := Carried{Fields: fieldSet("title")}
	has := func(col string) bool { _, ok := cols[col]; return ok }
	for _, f := range []string{"abstract", "type", "level", "topics", "speakers", "code", "reservable", "recorded",
		"recordingUrl", "repeatGroup", "capacity", "cancelled"} {
		if has(f) {
			c.Fields[f] = true
		}
	}
	c.RoomCapacity = has("roomCapacity")
	c.RoomLevel = has("room")
	c.VenueCoords = has("venueLat") && has("venueLon")
	return c
}

// icalCarried: a calendar gives titles, times, topics and cancellations;
// venuehop's own export also types and codes, while its description is
// written for people (type, speakers, abstract) and is no abstract.
func icalCarried(own bool) Carried {
	c := Carried{Name: true, Fields: fieldSet("title", "topics", "cancelled")}
	if own {
		c.Fields["type"], c.Fields["code"], c.RoomLevel, c.VenueCoords = true, true, true, true
	} else {
		c.Fields["abstract"] = true
	}
	return c
}

// Result is a file read: the conference, its warnings, and what the file
// had room for.
type Result struct {
	Conf     *conference.Conference
	Warnings []conference.Problem
	Carried  Carried
}

// ReadResult is Read with what the file carried.
func ReadResult(r io.Reader, opt ReadOptions) (*Result, error) {
	var carried Carried
	c, warnings, err := read(r, opt, &carried)
	if err != nil {
		return nil, err
	}
	return &Result{Conf: c, Warnings: warnings, Carried: carried}, nil
}
