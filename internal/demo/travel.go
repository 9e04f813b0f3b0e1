package demo

import (
	"hash/fnv"
	"strings"
	"time"

	"venuehop/internal/conference"
)

// The demo's travel model is built from the facts in docs/venues.md:
// measured street walks between entrances (OpenStreetMap foot routing),
// the pedestrian bridge between the Venetian/Palazzo and Wynn, campus
// shuttles point to point between the pairs the official guide lists (none
// Venetian–Wynn/Encore nor Venetian–Caesars Forum), the monorail from MGM
// Grand to Harrah's/The LINQ, rush hours on the one main road, and 5–15
// minute walks from the street to a room inside a resort.

// Short names for the demo's venue ids (venues.go).
const (
	venetian     = VenueVenetian
	wynn         = VenueWynn
	caesarsForum = VenueCaesarsForum
	mgmGrand     = VenueMGMGrand
	mandalayBay  = VenueMandalayBay
)

// encoreEntrance serves the Wynn's rooms that are in Encore (joined indoors).
const encoreEntrance = "encore"

// demoEntrances are the conference doors of the five venues.
var demoEntrances = []conference.Entrance{
	{ID: venetian, VenueID: venetian, Name: "Venetian main entrance (Las Vegas Blvd)", Lat: 36.1214, Lon: -115.1705},
	{ID: wynn, VenueID: wynn, Name: "Wynn convention entrance", Lat: 36.1255, Lon: -115.1660},
	{ID: encoreEntrance, VenueID: wynn, Name: "Encore convention entrance", Lat: 36.1285, Lon: -115.1640},
	{ID: caesarsForum, VenueID: caesarsForum, Name: "Caesars Forum entrance (Koval Ln)", Lat: 36.1188, Lon: -115.1672},
	{ID: mgmGrand, VenueID: mgmGrand, Name: "MGM Grand Conference Center entrance", Lat: 36.1012, Lon: -115.1665},
	{ID: mandalayBay, VenueID: mandalayBay, Name: "Mandalay Bay Convention Center entrance", Lat: 36.0912, Lon: -115.1765},
}

// demoWalks are the street walks; metres as measured (docs/venues.md), except
// MGM Grand–Mandalay Bay, estimated over the Tropicana bridges and down the
// Strip's west side (1.31 km straight).
var demoWalks = []conference.WalkLink{
	{ID: "venetian-caesars-forum", FromID: venetian, ToID: caesarsForum, Meters: 894,
		Note: "down the Strip, along the LINQ Promenade, over Koval Ln",
		Path: [][2]float64{{-115.1705, 36.1214}, {-115.1712, 36.1205}, {-115.1713, 36.1186}, {-115.1697, 36.1180}, {-115.1681, 36.1182}, {-115.1672, 36.1188}}},
	{ID: "venetian-wynn", FromID: venetian, ToID: wynn, Meters: 1582,
		Note: "up the Strip past the Palazzo, pedestrian bridge over Sands Ave, through the Wynn",
		Path: [][2]float64{{-115.1705, 36.1214}, {-115.1712, 36.1228}, {-115.1713, 36.1243}, {-115.1712, 36.1247}, {-115.1710, 36.1253}, {-115.1705, 36.1262}, {-115.1686, 36.1263}, {-115.1668, 36.1259}, {-115.1660, 36.1255}}},
	{ID: "venetian-encore", FromID: venetian, ToID: encoreEntrance, Meters: 1727,
		Note: "pedestrian bridge over Sands Ave, up the Strip to Encore",
		Path: [][2]float64{{-115.1705, 36.1214}, {-115.1712, 36.1228}, {-115.1713, 36.1243}, {-115.1712, 36.1247}, {-115.1710, 36.1253}, {-115.1705, 36.1262}, {-115.1703, 36.1276}, {-115.1688, 36.1283}, {-115.1660, 36.1286}, {-115.1640, 36.1285}}},
	{ID: "wynn-encore", FromID: wynn, ToID: encoreEntrance, Meters: 622,
		Note: "indoors through the Wynn and Encore esplanades",
		Path: [][2]float64{{-115.1660, 36.1255}, {-115.1666, 36.1264}, {-115.1656, 36.1278}, {-115.1640, 36.1285}}},
	{ID: "venetian-mgm-grand", FromID: venetian, ToID: mgmGrand, Meters: 2378,
		Note: "down the Strip's east side, bridges at Flamingo Rd and Tropicana Ave",
		Path: [][2]float64{{-115.1705, 36.1214}, {-115.1712, 36.1205}, {-115.1713, 36.1186}, {-115.1722, 36.1162}, {-115.1722, 36.1130}, {-115.1721, 36.1098}, {-115.1720, 36.1045}, {-115.1716, 36.1030}, {-115.1690, 36.1022}, {-115.1665, 36.1012}}},
	{ID: "caesars-forum-mgm-grand", FromID: caesarsForum, ToID: mgmGrand, Meters: 2010,
		Note: "down Koval Ln",
		Path: [][2]float64{{-115.1672, 36.1188}, {-115.1665, 36.1182}, {-115.1662, 36.1150}, {-115.1660, 36.1090}, {-115.1661, 36.1035}, {-115.1665, 36.1012}}},
	{ID: "wynn-caesars-forum", FromID: wynn, ToID: caesarsForum, Meters: 1731,
		Note: "across Sands Ave, down Koval Ln",
		Path: [][2]float64{{-115.1660, 36.1255}, {-115.1662, 36.1240}, {-115.1664, 36.1215}, {-115.1665, 36.1195}, {-115.1672, 36.1188}}},
	{ID: "wynn-mgm-grand", FromID: wynn, ToID: mgmGrand, Meters: 3264,
		Note: "across Sands Ave, down Koval Ln",
		Path: [][2]float64{{-115.1660, 36.1255}, {-115.1662, 36.1240}, {-115.1664, 36.1215}, {-115.1665, 36.1195}, {-115.1662, 36.1150}, {-115.1660, 36.1090}, {-115.1661, 36.1035}, {-115.1665, 36.1012}}},
	{ID: "mgm-grand-mandalay-bay", FromID: mgmGrand, ToID: mandalayBay, Meters: 1950,
		Note: "bridges over the Strip and Tropicana Ave, down the Strip's west side",
		Path: [][2]float64{{-115.1665, 36.1012}, {-115.1690, 36.1022}, {-115.1712, 36.1025}, {-115.1735, 36.1025}, {-115.1738, 36.1015}, {-115.1743, 36.0990}, {-115.1748, 36.0955}, {-115.1745, 36.0925}, {-115.1765, 36.0912}}},
}

// Shuttle stops (the campus bus loops) and monorail stations.
var demoStops = []conference.TransitStop{
	{ID: "shuttle-venetian", Name: "Venetian shuttle loop", Lat: 36.1225, Lon: -115.1680,
		Access: []conference.StopAccess{{EntranceID: venetian, Minutes: 5}}},
	{ID: "shuttle-wynn", Name: "Wynn shuttle loop", Lat: 36.1250, Lon: -115.1655,
		Access: []conference.StopAccess{{EntranceID: wynn, Minutes: 3}, {EntranceID: encoreEntrance, Minutes: 8}}},
	{ID: "shuttle-caesars-forum", Name: "Caesars Forum shuttle loop", Lat: 36.1183, Lon: -115.1660,
		Access: []conference.StopAccess{{EntranceID: caesarsForum, Minutes: 3}}},
	{ID: "shuttle-mgm-grand", Name: "MGM Grand shuttle loop", Lat: 36.1010, Lon: -115.1662,
		Access: []conference.StopAccess{{EntranceID: mgmGrand, Minutes: 3}}},
	{ID: "shuttle-mandalay-bay", Name: "Mandalay Bay shuttle loop", Lat: 36.0915, Lon: -115.1775,
		Access: []conference.StopAccess{{EntranceID: mandalayBay, Minutes: 3}}},
	{ID: "monorail-mgm-grand", Name: "MGM Grand monorail station", Lat: 36.1022, Lon: -115.1652,
		Access: []conference.StopAccess{{EntranceID: mgmGrand, Minutes: 3}}},
	{ID: "monorail-horseshoe-paris", Name: "Horseshoe/Paris monorail station", Lat: 36.1124, Lon: -115.1667},
	{ID: "monorail-flamingo", Name: "Flamingo/Caesars Palace monorail station", Lat: 36.1165, Lon: -115.1668},
	{ID: "monorail-harrahs-linq", Name: "Harrah's/The LINQ monorail station", Lat: 36.1195, Lon: -115.1680,
		Access: []conference.StopAccess{{EntranceID: caesarsForum, Minutes: 3}, {EntranceID: venetian, Minutes: 10}}},
}

// roadSpine is the shuttles' road from Wynn to Mandalay Bay (Koval Ln,
// Tropicana Ave, Las Vegas Blvd), north to south, as [lon,lat]; a line's
// path is the stretch between its stops.
var roadSpine = [][2]float64{
	{-115.1662, 36.1240}, {-115.1665, 36.1200}, {-115.1662, 36.1150}, {-115.1660, 36.1090},
	{-115.1661, 36.1035}, {-115.1700, 36.1022}, {-115.1735, 36.1000}, {-115.1745, 36.0940},
}

// demoShuttle is a point-to-point line and its off-peak ride (10–15 min).
type demoShuttle struct {
	from, to string // venue ids
	minutes  int
}

var demoShuttles = []demoShuttle{
	{venetian, mgmGrand, 12}, {venetian, mandalayBay, 15},
	{wynn, caesarsForum, 10}, {wynn, mgmGrand, 14}, {wynn, mandalayBay, 15},
	{caesarsForum, mgmGrand, 11}, {caesarsForum, mandalayBay, 14},
	{mgmGrand, mandalayBay, 10},
}

// Traffic on Las Vegas Blvd: rides 2.5–3.2 times longer at the peaks (a
// 10–15 minute ride takes 25–50), worst right after a keynote.
var shuttleProfile = conference.RideProfile{
	Peaks: []conference.RidePeak{
		{Name: "morning", Start: "07:30", End: "09:30", Factor: 2.6},
		{Name: "lunch", Start: "11:30", End: "13:30", Factor: 2.5},
		{Name: "evening", Start: "16:30", End: "18:30", Factor: 3.0},
	},
	KeynoteRush: &conference.KeynoteRush{Minutes: 40, Factor: 3.2},
}

// The monorail has no traffic, only slower boarding at the rushes.
var monorailProfile = conference.RideProfile{
	Peaks: []conference.RidePeak{
		{Name: "morning", Start: "07:30", End: "09:30", Factor: 1.15},
		{Name: "evening", Start: "16:30", End: "18:30", Factor: 1.15},
	},
	KeynoteRush: &conference.KeynoteRush{Minutes: 40, Factor: 1.3},
}

// accessRule is the walk from a venue's entrance to its rooms: Base on the
// first level, PerLevel more for each level up, at most Max.
type accessRule struct{ base, perLevel, max int }

var demoAccess = map[string]accessRule{
	venetian:     {6, 2, 14},
	wynn:         {6, 2, 10},
	caesarsForum: {5, 2, 9},
	mgmGrand:     {8, 2, 12},
	mandalayBay:  {8, 2, 12},
}

var demoInside = []conference.VenueWalk{
	{VenueID: venetian, SameLevelMinutes: 6, LevelChangeMinutes: 4},
	{VenueID: wynn, SameLevelMinutes: 5, LevelChangeMinutes: 3},
	{VenueID: caesarsForum, SameLevelMinutes: 4, LevelChangeMinutes: 3},
	{VenueID: mgmGrand, SameLevelMinutes: 5, LevelChangeMinutes: 3},
	{VenueID: mandalayBay, SameLevelMinutes: 6, LevelChangeMinutes: 3},
}

// composers name Encore's meeting rooms; a Wynn room so named is in Encore.
var composers = []string{"encore", "bach", "beethoven", "brahms", "chopin", "debussy", "dvorak", "elgar",
	"grieg", "handel", "haydn", "liszt", "mahler", "mozart", "puccini", "ravel", "schubert", "schumann",
	"sibelius", "strauss", "tchaikovsky", "verdi", "vivaldi", "wagner"}

// TravelModel returns the demo's travel model for the rooms and days of c.
// Venues of c that are not among the five demo venues get no entrance (the
// compiled model estimates them from coordinates).
func TravelModel(c *conference.Conference) *conference.TravelModel {
	has := map[string]bool{}
	for _, v := range c.Venues {
		has[v.ID] = true
	}
	t := &conference.TravelModel{WalkSpeed: conference.DefaultWalkSpeed}
	entranceVenue := map[string]string{}
	for _, e := range demoEntrances {
		if has[e.VenueID] {
			t.Entrances = append(t.Entrances, e)
			entranceVenue[e.ID] = e.VenueID
		}
	}
	for _, w := range demoInside {
		if has[w.VenueID] {
			t.Venues = append(t.Venues, w)
		}
	}
	for _, r := range c.Rooms {
		rule, ok := demoAccess[r.VenueID]
		if !ok {
			continue
		}
		entrance := r.VenueID
		if r.VenueID == wynn && isEncore(r) {
			entrance = encoreEntrance
		}
		t.Rooms = append(t.Rooms, conference.RoomAccess{RoomID: r.ID, EntranceID: entrance, Minutes: accessMinutes(rule, r)})
	}
	for _, w := range demoWalks {
		if entranceVenue[w.FromID] != "" && entranceVenue[w.ToID] != "" {
			t.WalkLinks = append(t.WalkLinks, w)
		}
	}
	stopUsed := map[string]bool{}
	for _, s := range demoStops {
		ok := true
		for _, a := range s.Access {
			ok = ok && entranceVenue[a.EntranceID] != ""
		}
		if !ok {
			continue
		}
		t.Stops = append(t.Stops, s)
		stopUsed[s.ID] = true
	}
	service := serviceHours(c.Days, "06:00", "09:30", "20:30")
	for _, sh := range demoShuttles {
		a, b := "shuttle-"+sh.from, "shuttle-"+sh.to
		if !stopUsed[a] || !stopUsed[b] {
			continue
		}
		t.Shuttles = append(t.Shuttles, conference.TransitLine{
			ID:   "shuttle-" + sh.from + "-" + sh.to,
			Name: "Shuttle " + venueTitle(sh.from) + " – " + venueTitle(sh.to),
			Stops: []conference.LineStop{
				{StopID: a}, {StopID: b, RideMinutes: sh.minutes},
			},
			Service:        service,
			HeadwayMinutes: 10,
			Profile:        shuttleProfile,
			Path:           shuttlePath(stopLonLat(a), stopLonLat(b)),
		})
	}
	monorail := []string{"monorail-mgm-grand", "monorail-horseshoe-paris", "monorail-flamingo", "monorail-harrahs-linq"}
	if stopUsed[monorail[0]] && stopUsed[monorail[3]] {
		t.Monorail = append(t.Monorail, conference.TransitLine{
			ID:   "las-vegas-monorail",
			Name: "Las Vegas Monorail (MGM Grand – Harrah's/The LINQ)",
			Stops: []conference.LineStop{
				{StopID: monorail[0]}, {StopID: monorail[1], RideMinutes: 6},
				{StopID: monorail[2], RideMinutes: 5}, {StopID: monorail[3], RideMinutes: 4},
			},
			Service:        []conference.ServiceHours{{Start: "07:00", End: "20:30"}},
			HeadwayMinutes: 6,
			Profile:        monorailProfile,
		})
	}
	return t
}

// serviceHours is the campus shuttles' day: from open on session days, from
// sundayOpen on the Sunday before (badge pick-up day).
func serviceHours(days []string, open, sundayOpen, close string) []conference.ServiceHours {
	out := []conference.ServiceHours{{Start: open, End: close}}
	for _, d := range days {
		if t, err := time.Parse(time.DateOnly, d); err == nil && t.Weekday() == time.Sunday {
			out = append(out, conference.ServiceHours{Day: d, Start: sundayOpen, End: close})
		}
	}
	return out
}

func accessMinutes(rule accessRule, r conference.Room) int {
	level, ok := conference.LevelNumber(r.Level)
	minutes := rule.base + 2 // unknown level: the middle of the range
	if ok {
		minutes = rule.base + max(0, level-1)*rule.perLevel
	}
	// Rooms far down a corridor take a minute longer; stable per room.
	h := fnv.New32a()
	h.Write([]byte(r.ID))
	minutes += int(h.Sum32() % 2)
	return min(minutes, rule.max)
}

func isEncore(r conference.Room) bool {
	name := strings.ToLower(r.Name + " " + r.Level)
	for _, c := range composers {
		if strings.Contains(name, c) {
			return true
		}
	}
	return false
}

func stopLonLat(id string) [2]float64 {
	for _, s := range demoStops {
		if s.ID == id {
			return [2]float64{s.Lon, s.Lat}
		}
	}
	return [2]float64{}
}

// shuttlePath follows the road spine between two stops.
func shuttlePath(a, b [2]float64) [][2]float64 {
	path := [][2]float64{a}
	north, south := a[1], b[1]
	if north < south {
		north, south = south, north
	}
	var via [][2]float64
	for _, p := range roadSpine {
		if p[1] < north && p[1] > south {
			via = append(via, p)
		}
	}
	if a[1] < b[1] { // going north: walk the spine backwards
		for i, j := 0, len(via)-1; i < j; i, j = i+1, j-1 {
			via[i], via[j] = via[j], via[i]
		}
	}
	path = append(path, via...)
	return append(path, b)
}

func venueTitle(id string) string {
	switch id {
	case venetian:
		return "Venetian"
	case wynn:
		return "Wynn"
	case caesarsForum:
		return "Caesars Forum"
	case mgmGrand:
		return "MGM Grand"
	case mandalayBay:
		return "Mandalay Bay"
	}
	return id
}
