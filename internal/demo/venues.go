package demo

import (
	"fmt"
	"strings"

	"venuehop/internal/conference"
)

// Venue ids of the demo; other packages (travel, tests) may rely on them.
const (
	VenueVenetian     = "venetian"
	VenueWynn         = "wynn"
	VenueCaesarsForum = "caesars-forum"
	VenueMGMGrand     = "mgm-grand"
	VenueMandalayBay  = "mandalay-bay"
)

// Room ids with a special role.
const (
	KeynoteHallID = "venetian-l2-hall-d"
	ExpoHallID    = "venetian-l2-hall-b"
)

// venues are the five re:Invent campus venues with the addresses and resort
// centroids of docs/venues.md (Wynn/Encore is one venue at Wynn's centroid).
var venues = []conference.Venue{
	{ID: VenueVenetian, Name: "The Venetian / Palazzo", Address: "3355 Las Vegas Blvd S, Las Vegas, NV", Lat: 36.1217, Lon: -115.1693},
	{ID: VenueWynn, Name: "Wynn / Encore", Address: "3131 Las Vegas Blvd S, Las Vegas, NV", Lat: 36.1265, Lon: -115.1657},
	{ID: VenueCaesarsForum, Name: "Caesars Forum", Address: "3911 Koval Ln, Las Vegas, NV", Lat: 36.1190, Lon: -115.1662},
	{ID: VenueMGMGrand, Name: "MGM Grand", Address: "3799 Las Vegas Blvd S, Las Vegas, NV", Lat: 36.1028, Lon: -115.1694},
	{ID: VenueMandalayBay, Name: "Mandalay Bay", Address: "3950 Las Vegas Blvd S, Las Vegas, NV", Lat: 36.0923, Lon: -115.1758},
}

// roomKind says what a room is used for; the scheduler only fills rooms of
// the kinds a session type asks for.
type roomKind int

const (
	kindLarge    roomKind = iota // ballrooms and halls: breakouts, innovation talks
	kindMedium                   // meeting rooms: breakouts, chalk and code talks
	kindSmall                    // boardrooms: builders' sessions, small chalk talks
	kindWorkshop                 // classroom set-up, 120-minute formats
	kindTheater                  // open theaters for 20-minute lightning talks
	kindKeynote                  // the keynote hall
	kindOverflow                 // keynote overflow viewing, never holds sessions
	kindExpo                     // the expo hall, never holds sessions
)

// numSchedulable counts the kinds that hold ordinary sittings (those before kindKeynote).
const numSchedulable = int(kindKeynote)

// roomSeries is a run of similar rooms on one level of one venue.
type roomSeries struct {
	venue string
	level int
	kind  roomKind
	capLo int // capacities are spread deterministically over [capLo, capHi]
	capHi int
	names []string
}

func numbered(prefix string, from, to int) []string {
	out := make([]string, 0, to-from+1)
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%s %d", prefix, i))
	}
	return out
}

func lettered(prefix, letters string) []string {
	out := make([]string, 0, len(letters))
	for _, l := range letters {
		out = append(out, prefix+" "+string(l))
	}
	return out
}

// roomTable is the campus at Scale 1. Wynn's rooms are named after wines,
// Encore's after composers (both in venue "wynn"), Caesars Forum's by number.
var roomTable = []roomSeries{
	// The Venetian / Palazzo
	{venue: VenueVenetian, level: 2, kind: kindKeynote, capLo: 10000, capHi: 10000, names: []string{"Hall D"}},
	{venue: VenueVenetian, level: 2, kind: kindExpo, names: []string{"Hall B"}},
	{venue: VenueVenetian, level: 2, kind: kindLarge, capLo: 1200, capHi: 1500, names: []string{"Hall A", "Hall C"}},
	{venue: VenueVenetian, level: 2, kind: kindTheater, capLo: 150, capHi: 150, names: []string{"Expo Lightning Theater"}},
	{venue: VenueVenetian, level: 3, kind: kindMedium, capLo: 120, capHi: 280, names: numbered("Lido", 3001, 3010)},
	{venue: VenueVenetian, level: 3, kind: kindWorkshop, capLo: 80, capHi: 160, names: numbered("Murano", 3201, 3206)},
	{venue: VenueVenetian, level: 4, kind: kindSmall, capLo: 20, capHi: 60, names: numbered("Delfino", 4001, 4008)},
	{venue: VenueVenetian, level: 4, kind: kindMedium, capLo: 100, capHi: 220, names: numbered("Delfino", 4101, 4106)},
	{venue: VenueVenetian, level: 4, kind: kindWorkshop, capLo: 80, capHi: 140, names: numbered("Titian", 4201, 4204)},
	{venue: VenueVenetian, level: 5, kind: kindLarge, capLo: 400, capHi: 1000, names: lettered("Palazzo Ballroom", "ABCDEF")},
	{venue: VenueVenetian, level: 5, kind: kindOverflow, capLo: 1200, capHi: 1500, names: lettered("Palazzo Ballroom", "GH")},

	// Wynn (wines) and Encore (composers)
	{venue: VenueWynn, level: 1, kind: kindMedium, capLo: 100, capHi: 250, names: numbered("Latour", 1, 6)},
	{venue: VenueWynn, level: 1, kind: kindSmall, capLo: 24, capHi: 60, names: numbered("Lafite", 1, 6)},
	{venue: VenueWynn, level: 1, kind: kindWorkshop, capLo: 80, capHi: 160, names: numbered("Margaux", 1, 4)},
	{venue: VenueWynn, level: 1, kind: kindWorkshop, capLo: 90, capHi: 150, names: numbered("Montrachet", 1, 3)},
	{venue: VenueWynn, level: 1, kind: kindMedium, capLo: 150, capHi: 300, names: numbered("Mouton", 1, 2)},
	{venue: VenueWynn, level: 1, kind: kindLarge, capLo: 900, capHi: 900, names: []string{"Haut-Brion Ballroom"}},
	{venue: VenueWynn, level: 1, kind: kindTheater, capLo: 120, capHi: 120, names: []string{"Sauternes Theater"}},
	{venue: VenueWynn, level: 1, kind: kindOverflow, capLo: 1000, capHi: 1000, names: []string{"Cheval Blanc Ballroom"}},
	{venue: VenueWynn, level: 3, kind: kindMedium, capLo: 120, capHi: 240, names: numbered("Encore Chopin", 1, 4)},
	{venue: VenueWynn, level: 3, kind: kindWorkshop, capLo: 80, capHi: 140, names: numbered("Encore Brahms", 1, 4)},
	{venue: VenueWynn, level: 3, kind: kindSmall, capLo: 30, capHi: 60, names: numbered("Encore Debussy", 1, 3)},
	{venue: VenueWynn, level: 3, kind: kindLarge, capLo: 600, capHi: 800, names: lettered("Encore Vivaldi Ballroom", "AB")},
	{venue: VenueWynn, level: 3, kind: kindMedium, capLo: 100, capHi: 180, names: numbered("Encore Ravel", 1, 2)},
	{venue: VenueWynn, level: 3, kind: kindOverflow, capLo: 800, capHi: 800, names: []string{"Encore Mozart Ballroom"}},

	// Caesars Forum
	{venue: VenueCaesarsForum, level: 1, kind: kindMedium, capLo: 120, capHi: 300, names: numbered("Forum", 101, 112)},
	{venue: VenueCaesarsForum, level: 1, kind: kindSmall, capLo: 20, capHi: 60, names: numbered("Forum", 113, 120)},
	{venue: VenueCaesarsForum, level: 1, kind: kindWorkshop, capLo: 80, capHi: 160, names: numbered("Forum", 121, 128)},
	{venue: VenueCaesarsForum, level: 1, kind: kindLarge, capLo: 1400, capHi: 1500, names: lettered("Forum Ballroom", "AB")},
	{venue: VenueCaesarsForum, level: 1, kind: kindTheater, capLo: 180, capHi: 180, names: []string{"Forum Lightning Theater"}},
	{venue: VenueCaesarsForum, level: 2, kind: kindMedium, capLo: 100, capHi: 240, names: numbered("Forum", 201, 208)},
	{venue: VenueCaesarsForum, level: 2, kind: kindOverflow, capLo: 1200, capHi: 1200, names: []string{"Forum Ballroom C"}},

	// MGM Grand
	{venue: VenueMGMGrand, level: 1, kind: kindMedium, capLo: 150, capHi: 300, names: numbered("Grand", 111, 118)},
	{venue: VenueMGMGrand, level: 1, kind: kindLarge, capLo: 500, capHi: 1200, names: lettered("Grand Ballroom", "ABC")},
	{venue: VenueMGMGrand, level: 1, kind: kindSmall, capLo: 20, capHi: 50, names: numbered("Studio", 101, 106)},
	{venue: VenueMGMGrand, level: 1, kind: kindTheater, capLo: 140, capHi: 140, names: []string{"Grand Lightning Theater"}},
	{venue: VenueMGMGrand, level: 1, kind: kindOverflow, capLo: 1100, capHi: 1100, names: []string{"Marquee Ballroom"}},
	{venue: VenueMGMGrand, level: 3, kind: kindWorkshop, capLo: 80, capHi: 160, names: numbered("Premier", 301, 308)},
	{venue: VenueMGMGrand, level: 3, kind: kindMedium, capLo: 100, capHi: 200, names: numbered("Premier", 311, 314)},

	// Mandalay Bay
	{venue: VenueMandalayBay, level: 2, kind: kindLarge, capLo: 600, capHi: 1400, names: lettered("Bayside Ballroom", "ABCD")},
	{venue: VenueMandalayBay, level: 2, kind: kindMedium, capLo: 120, capHi: 260, names: lettered("Lagoon", "ABCDEFGH")},
	{venue: VenueMandalayBay, level: 2, kind: kindSmall, capLo: 24, capHi: 60, names: lettered("Reef", "ABCD")},
	{venue: VenueMandalayBay, level: 2, kind: kindTheater, capLo: 120, capHi: 120, names: []string{"Shoreline Theater"}},
	{venue: VenueMandalayBay, level: 3, kind: kindWorkshop, capLo: 80, capHi: 150, names: lettered("Surf", "ABCDEF")},
	{venue: VenueMandalayBay, level: 3, kind: kindMedium, capLo: 100, capHi: 200, names: lettered("Islander", "ABCD")},
	{venue: VenueMandalayBay, level: 3, kind: kindOverflow, capLo: 1500, capHi: 1500, names: []string{"Oceanside Ballroom"}},
}

// slug turns a room name into the readable tail of its id.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// campusRoom is a room together with what the generator needs to know of it.
type campusRoom struct {
	room  conference.Room
	kind  roomKind
	venue int // index in venues
}

// buildRooms lays out the campus; at scale > 1 every session room is cloned
// (scale-1) times with a " (n)" suffix so sittings multiply without
// double-booking, while the keynote hall, expo hall and overflow rooms stay single.
func buildRooms(scale int) []campusRoom {
	venueIndex := map[string]int{}
	for i, v := range venues {
		venueIndex[v.ID] = i
	}
	var out []campusRoom
	for copyN := 1; copyN <= scale; copyN++ {
		for _, s := range roomTable {
			if copyN > 1 && int(s.kind) >= numSchedulable {
				continue
			}
			for i, name := range s.names {
				capacity := s.capLo
				if n := len(s.names); n > 1 && s.capHi > s.capLo {
					// Spread capacities over the range in a fixed, non-monotonic order, rounded to 10.
					step := (i * 7) % n
					capacity = s.capLo + (s.capHi-s.capLo)*step/(n-1)
					capacity = capacity / 10 * 10
				}
				id := fmt.Sprintf("%s-l%d-%s", s.venue, s.level, slug(name))
				if copyN > 1 {
					id = fmt.Sprintf("%s-%d", id, copyN)
					name = fmt.Sprintf("%s (%d)", name, copyN)
				}
				out = append(out, campusRoom{
					room: conference.Room{
						ID:       id,
						VenueID:  s.venue,
						Level:    fmt.Sprintf("Level %d", s.level),
						Name:     name,
						Capacity: capacity,
					},
					kind:  s.kind,
					venue: venueIndex[s.venue],
				})
			}
		}
	}
	return out
}
