package storetest

import (
	"time"

	"venuehop/internal/conference"
)

// Sample returns a small conference that sets every field of the model
// (times in the conference zone, capacity overrides including 0, overflow
// rooms, meals, expo, travel), so a round trip through a store shows any
// field it drops. name tells revisions apart.
func Sample(name string) *conference.Conference {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		panic("storetest: time zone data missing: " + err.Error())
	}
	at := func(day, hour, minute int) time.Time {
		return time.Date(2026, time.December, day, hour, minute, 0, 0, la)
	}
	hundred, zero := 100, 0
	return &conference.Conference{
		Format:   conference.FormatVersion,
		ID:       "sample-2026",
		Name:     name,
		TimeZone: "America/Los_Angeles",
		Days:     []string{"2026-12-01", "2026-12-02"},
		Venues: []conference.Venue{
			{ID: "venetian", Name: "Venetian", Address: "3355 S Las Vegas Blvd, Las Vegas, NV 89109", Lat: 36.1212, Lon: -115.1697},
			{ID: "mgm", Name: "MGM Grand", Lat: 36.1025, Lon: -115.1698},
		},
		Rooms: []conference.Room{
			{ID: "v-hall", VenueID: "venetian", Level: "Level 1", Name: "Keynote Hall", Capacity: 10000},
			{ID: "v-201", VenueID: "venetian", Level: "Level 2", Name: "Titian 2201", Capacity: 120},
			{ID: "m-101", VenueID: "mgm", Level: "Level 1", Name: "Room 101 — Café", Capacity: 60},
		},
		Sessions: []conference.Session{
			{
				ID: "KEY001", Code: "KEY001", Title: "Opening keynote", Abstract: "Where the cloud goes next <b>&</b> why.",
				Type: conference.TypeKeynote, Topics: []string{"Architecture"},
				Speakers: []conference.Speaker{{Name: "Ada Lovelace", Company: "Analytical"}},
				RoomID:   "v-hall", Start: at(1, 8, 0), End: at(1, 10, 30),
				Recorded: true, RecordingURL: "https://example.com/key001",
				OverflowRoomIDs: []string{"v-201", "m-101"},
			},
			{
				ID: "ARC301", Code: "ARC301", Title: "Résumé-driven architecture 🚀", Abstract: "Accents, emoji and\nnewlines survive.",
				Type: conference.TypeBreakout, Level: 300, Topics: []string{"Architecture", "Serverless Compute"},
				Speakers: []conference.Speaker{{Name: "José Núñez"}, {Name: "Grace Hopper", Company: "Navy"}},
				RoomID:   "v-201", Start: at(1, 11, 0), End: at(1, 12, 0),
				Reservable: true, Recorded: true, RepeatGroup: "ARC301", Capacity: &hundred,
			},
			{
				ID: "ARC301-R", Code: "ARC301-R", Title: "Résumé-driven architecture 🚀",
				Type: conference.TypeBreakout, Level: 300, RoomID: "m-101",
				Start: at(2, 14, 0), End: at(2, 15, 0),
				Reservable: true, RepeatGroup: "ARC301", Capacity: &zero, Cancelled: true,
			},
			{ID: "TBD1", Title: "Unscheduled chalk talk", Type: conference.TypeChalkTalk, Level: 200},
		},
		Meals: []conference.Meal{
			{VenueID: "venetian", Kind: "breakfast", Start: at(1, 7, 0), End: at(1, 9, 0)},
			{VenueID: "mgm", Kind: "lunch", Start: at(2, 11, 0), End: at(2, 13, 0)},
		},
		Expo: &conference.Expo{
			VenueID: "venetian", RoomID: "v-hall",
			Hours: []conference.Interval{{Start: at(2, 16, 0), End: at(2, 19, 0)}},
		},
		Travel: &conference.TravelModel{},
	}
}
