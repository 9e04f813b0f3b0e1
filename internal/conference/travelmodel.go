package conference

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// TravelModel describes how people move between and inside venues. It is
// data only; package travel compiles it into tables and answers queries.
// A nil model means "use the fallback estimate from venue coordinates".
//
// Places are entrances (a venue has one or more); rooms are reached from one
// entrance in a number of minutes; entrances are joined by walking links
// (measured street paths) and by transit lines (shuttles, monorail) that run
// between stops, each stop a short walk from one or more entrances.
type TravelModel struct {
	// WalkSpeed is the walking speed outdoors in metres per second; 0 means
	// DefaultWalkSpeed.
	WalkSpeed float64 `json:"walkSpeed,omitempty"`
	// DefaultAccessMinutes is the walk from a venue's first entrance to a
	// room that Rooms does not list; 0 means DefaultAccessMinutes.
	DefaultAccessMinutes int           `json:"defaultAccessMinutes,omitempty"`
	Entrances            []Entrance    `json:"entrances"`
	Venues               []VenueWalk   `json:"venues,omitempty"`
	Rooms                []RoomAccess  `json:"rooms,omitempty"`
	WalkLinks            []WalkLink    `json:"walkLinks,omitempty"`
	Stops                []TransitStop `json:"stops,omitempty"`
	Shuttles             []TransitLine `json:"shuttles,omitempty"`
	Monorail             []TransitLine `json:"monorail,omitempty"`
	// Pack names the venue pack the model was built from (nil: written
	// by hand, or none).
	Pack *PackRef `json:"pack,omitempty"`
	// WalkCorrections are an organizer's own door-to-door walking times
	// between two venues; each replaces whatever walk the rest of the model
	// gives for that pair (both ways). They survive re-imports and packs.
	WalkCorrections []WalkCorrection `json:"walkCorrections,omitempty"`
}

// PackRef identifies a venue pack.
type PackRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// WalkCorrection is the walk between the main entrances of two venues, as
// an organizer measured it.
type WalkCorrection struct {
	FromID  string `json:"fromId"` // venue id
	ToID    string `json:"toId"`   // venue id
	Minutes int    `json:"minutes"`
}

// Correction returns the organizer's walk between two venues (either
// order); ok is false when there is none.
func (t *TravelModel) Correction(a, b string) (WalkCorrection, bool) {
	if t == nil {
		return WalkCorrection{}, false
	}
	for _, c := range t.WalkCorrections {
		if (c.FromID == a && c.ToID == b) || (c.FromID == b && c.ToID == a) {
			return c, true
		}
	}
	return WalkCorrection{}, false
}

// Empty reports whether the model describes no place: no entrance, stop
// or line (it may still carry corrections and defaults).
func (t *TravelModel) Empty() bool {
	return t == nil || len(t.Entrances) == 0 && len(t.Stops) == 0 && len(t.Shuttles) == 0 && len(t.Monorail) == 0
}

// Defaults of the travel model.
const (
	DefaultWalkSpeed = 1.3 // m/s, an unhurried adult in a crowd
	// DefaultAccessMinutes is a building's door to one of its rooms: a
	// campus scale. A resort's long walk from the street (planners add
	// 10) comes only from a model or venue pack that says so.
	DefaultAccessMinutes      = 2
	DefaultSameLevelMinutes   = 5
	DefaultLevelChangeMinutes = 4
	DefaultKeynoteRushMinutes = 40
)

// Entrance is a door of a venue where outdoor walks and transit begin.
type Entrance struct {
	ID      string  `json:"id"`
	VenueID string  `json:"venueId"`
	Name    string  `json:"name"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
}

// VenueWalk sets the walk between two rooms of one venue: SameLevelMinutes
// plus LevelChangeMinutes per level between them, never more than going out
// to the entrances and back in. Zero fields take the defaults.
type VenueWalk struct {
	VenueID            string `json:"venueId"`
	SameLevelMinutes   int    `json:"sameLevelMinutes,omitempty"`
	LevelChangeMinutes int    `json:"levelChangeMinutes,omitempty"`
}

// RoomAccess is the walk from an entrance of the room's venue to the room.
type RoomAccess struct {
	RoomID     string `json:"roomId"`
	EntranceID string `json:"entranceId"`
	Minutes    int    `json:"minutes"`
}

// WalkLink is an outdoor walk between two entrances, usable both ways.
type WalkLink struct {
	ID     string `json:"id,omitempty"`
	FromID string `json:"fromId"` // entrance id
	ToID   string `json:"toId"`   // entrance id
	// Meters is the measured length of the walk; 0 means the length of Path.
	Meters int `json:"meters"`
	// Minutes overrides Meters at the walking speed (0: computed).
	Minutes int `json:"minutes,omitempty"`
	// Path is the route as [[lon,lat],...] from FromID to ToID.
	Path [][2]float64 `json:"path"`
	Note string       `json:"note,omitempty"` // e.g. "pedestrian bridge over Sands Ave"
}

// TransitStop is a shuttle stop or monorail station.
type TransitStop struct {
	ID   string  `json:"id"`
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
	// Access lists the entrances within walking distance and the walk;
	// empty for a station no venue is near (drawn, never boarded).
	Access []StopAccess `json:"access"`
}

// StopAccess is the walk between an entrance and a stop.
type StopAccess struct {
	EntranceID string `json:"entranceId"`
	Minutes    int    `json:"minutes"`
}

// TransitLine is a shuttle or monorail line. Vehicles leave every stop in
// both directions every HeadwayMinutes during the service hours; a ride's
// length is the off-peak minutes between its stops times the profile's
// factor at the departure time.
type TransitLine struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Stops          []LineStop     `json:"stops"`
	Service        []ServiceHours `json:"service"`
	HeadwayMinutes int            `json:"headwayMinutes"`
	Profile        RideProfile    `json:"profile"`
	// Path is the drawn route [[lon,lat],...] from the first stop to the
	// last; empty means straight lines between stops.
	Path [][2]float64 `json:"path,omitempty"`
}

// LineStop is a stop on a line and the off-peak ride from the previous stop
// (0 for the first).
type LineStop struct {
	StopID      string `json:"stopId"`
	RideMinutes int    `json:"rideMinutes"`
}

// ServiceHours is a daily service window in the conference's zone, "HH:MM"
// (End may be "24:00"). Day (YYYY-MM-DD) restricts it to one date; the
// windows of a day are those naming it, else those naming no day.
type ServiceHours struct {
	Day   string `json:"day,omitempty"`
	Start string `json:"start"`
	End   string `json:"end"`
	// HeadwayMinutes overrides the line's headway within this window.
	HeadwayMinutes int `json:"headwayMinutes,omitempty"`
}

// RideProfile is the traffic on a line by time of day.
type RideProfile struct {
	Peaks []RidePeak `json:"peaks,omitempty"`
	// KeynoteRush slows rides in the minutes after each keynote ends.
	KeynoteRush *KeynoteRush `json:"keynoteRush,omitempty"`
}

// RidePeak multiplies ride times within a daily window ("HH:MM").
type RidePeak struct {
	Name   string  `json:"name,omitempty"`
	Start  string  `json:"start"`
	End    string  `json:"end"`
	Factor float64 `json:"factor"`
}

// KeynoteRush multiplies ride times for Minutes after a keynote ends
// (0 means DefaultKeynoteRushMinutes).
type KeynoteRush struct {
	Minutes int     `json:"minutes,omitempty"`
	Factor  float64 `json:"factor"`
}

// ParseClock reads "HH:MM" (00:00..24:00) as minutes after midnight.
func ParseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, m := 0, 0
	for _, c := range s[:2] {
		if c < '0' || c > '9' {
			return 0, false
		}
		h = h*10 + int(c-'0')
	}
	for _, c := range s[3:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		m = m*10 + int(c-'0')
	}
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// DistanceMeters is the great-circle distance between two [lon,lat] points.
func DistanceMeters(a, b [2]float64) float64 {
	const earthRadius = 6371008.8
	rad := math.Pi / 180
	dLat := (b[1] - a[1]) * rad
	dLon := (b[0] - a[0]) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// PathMeters is the length of a [lon,lat] polyline.
func PathMeters(path [][2]float64) float64 {
	total := 0.0
	for i := 1; i < len(path); i++ {
		total += DistanceMeters(path[i-1], path[i])
	}
	return total
}

// maxTravelMinutes bounds every minutes field: anything longer is a typo.
const maxTravelMinutes = 600

// travel checks c.Travel; paths are rooted at "travel".
func (v *validator) travel(c *Conference) {
	t := c.Travel
	if t == nil {
		return
	}
	venues := map[string]bool{}
	for _, ve := range c.Venues {
		venues[ve.ID] = true
	}
	roomVenue := map[string]string{}
	for _, r := range c.Rooms {
		roomVenue[r.ID] = r.VenueID
	}
	days := map[string]bool{}
	for _, d := range c.Days {
		days[d] = true
	}
	minutes := func(path string, m int) {
		if m < 0 || m > maxTravelMinutes {
			v.add(path, "expected minutes between 0 and %d, got %d", maxTravelMinutes, m)
		}
	}
	if t.WalkSpeed < 0 || t.WalkSpeed > 5 || math.IsNaN(t.WalkSpeed) {
		v.add("travel.walkSpeed", "expected a walking speed between 0 and 5 metres per second (0 for the default), got %v", t.WalkSpeed)
	}
	minutes("travel.defaultAccessMinutes", t.DefaultAccessMinutes)

	entrances := map[string]Entrance{}
	entranceIDs := map[string]bool{}
	for i, e := range t.Entrances {
		p := fmt.Sprintf("travel.entrances[%d]", i)
		v.id(p+".id", e.ID, entranceIDs, "entrance")
		if !venues[e.VenueID] {
			v.add(p+".venueId", "expected the id of a venue in venues, got %q", e.VenueID)
		}
		v.coordinate(p, e.Lat, e.Lon)
		if _, dup := entrances[e.ID]; !dup {
			entrances[e.ID] = e
		}
	}
	for i, w := range t.Venues {
		p := fmt.Sprintf("travel.venues[%d]", i)
		if !venues[w.VenueID] {
			v.add(p+".venueId", "expected the id of a venue in venues, got %q", w.VenueID)
		}
		minutes(p+".sameLevelMinutes", w.SameLevelMinutes)
		minutes(p+".levelChangeMinutes", w.LevelChangeMinutes)
	}
	accessed := map[string]bool{}
	for i, a := range t.Rooms {
		p := fmt.Sprintf("travel.rooms[%d]", i)
		venue, ok := roomVenue[a.RoomID]
		switch {
		case !ok:
			v.add(p+".roomId", "expected the id of a room in rooms, got %q", a.RoomID)
		case accessed[a.RoomID]:
			v.add(p+".roomId", "duplicate access for room %q", a.RoomID)
		}
		accessed[a.RoomID] = true
		if e, ok := entrances[a.EntranceID]; !ok {
			v.add(p+".entranceId", "expected the id of an entrance in travel.entrances, got %q", a.EntranceID)
		} else if venue != "" && venues[e.VenueID] && e.VenueID != venue {
			v.add(p+".entranceId", "expected an entrance of the room's venue %q, got one of %q", venue, e.VenueID)
		}
		minutes(p+".minutes", a.Minutes)
	}
	for i, w := range t.WalkLinks {
		p := fmt.Sprintf("travel.walkLinks[%d]", i)
		from, okFrom := entrances[w.FromID]
		to, okTo := entrances[w.ToID]
		if !okFrom {
			v.add(p+".fromId", "expected the id of an entrance in travel.entrances, got %q", w.FromID)
		}
		if !okTo {
			v.add(p+".toId", "expected the id of an entrance in travel.entrances, got %q", w.ToID)
		}
		if okFrom && okTo && w.FromID == w.ToID {
			v.add(p+".toId", "expected a link between two different entrances")
		}
		pathOK := v.polyline(p+".path", w.Path, true)
		if w.Meters < 0 {
			v.add(p+".meters", "expected metres of 0 or more, got %d", w.Meters)
		} else if okFrom && okTo && w.Meters > 0 {
			// A straight line is the lower bound of any walk.
			straight := DistanceMeters([2]float64{from.Lon, from.Lat}, [2]float64{to.Lon, to.Lat})
			if float64(w.Meters) < 0.9*straight {
				v.add(p+".meters", "expected at least the straight-line distance between the entrances (%.0f m), got %d", straight, w.Meters)
			}
		}
		if w.Meters == 0 && w.Minutes == 0 && pathOK && PathMeters(w.Path) < 1 {
			v.add(p+".meters", "expected a length: metres, minutes or a path of some length")
		}
		minutes(p+".minutes", w.Minutes)
	}
	stops := map[string]bool{}
	for i, s := range t.Stops {
		p := fmt.Sprintf("travel.stops[%d]", i)
		v.id(p+".id", s.ID, stops, "stop")
		v.coordinate(p, s.Lat, s.Lon)
		for j, a := range s.Access {
			q := fmt.Sprintf("%s.access[%d]", p, j)
			if _, ok := entrances[a.EntranceID]; !ok {
				v.add(q+".entranceId", "expected the id of an entrance in travel.entrances, got %q", a.EntranceID)
			}
			minutes(q+".minutes", a.Minutes)
		}
	}
	lines := map[string]bool{}
	v.lines("travel.shuttles", t.Shuttles, stops, lines, days)
	v.lines("travel.monorail", t.Monorail, stops, lines, days)
	if t.Pack != nil && strings.TrimSpace(t.Pack.ID) == "" {
		v.add("travel.pack.id", "expected the id of the venue pack")
	}
	pairs := map[[2]string]bool{}
	for i, w := range t.WalkCorrections {
		p := fmt.Sprintf("travel.walkCorrections[%d]", i)
		if !venues[w.FromID] {
			v.add(p+".fromId", "expected the id of a venue in venues, got %q", w.FromID)
		}
		if !venues[w.ToID] {
			v.add(p+".toId", "expected the id of a venue in venues, got %q", w.ToID)
		} else if w.ToID == w.FromID {
			v.add(p+".toId", "expected two different venues")
		}
		key := [2]string{min(w.FromID, w.ToID), max(w.FromID, w.ToID)}
		if pairs[key] {
			v.add(p, "a second correction for %s–%s: expected one per pair", w.FromID, w.ToID)
		}
		pairs[key] = true
		if w.Minutes < 1 || w.Minutes > maxTravelMinutes {
			v.add(p+".minutes", "expected minutes between 1 and %d, got %d", maxTravelMinutes, w.Minutes)
		}
	}
}

func (v *validator) lines(prefix string, list []TransitLine, stops, seen, days map[string]bool) {
	for i, l := range list {
		p := fmt.Sprintf("%s[%d]", prefix, i)
		v.id(p+".id", l.ID, seen, "line")
		if len(l.Stops) < 2 {
			v.add(p+".stops", "expected at least two stops, got %d", len(l.Stops))
		}
		onLine := map[string]bool{}
		for j, s := range l.Stops {
			q := fmt.Sprintf("%s.stops[%d]", p, j)
			if !stops[s.StopID] {
				v.add(q+".stopId", "expected the id of a stop in travel.stops, got %q", s.StopID)
			} else if onLine[s.StopID] {
				v.add(q+".stopId", "stop %q is already on the line", s.StopID)
			}
			onLine[s.StopID] = true
			switch {
			case j > 0 && (s.RideMinutes <= 0 || s.RideMinutes > maxTravelMinutes):
				v.add(q+".rideMinutes", "expected a ride from the previous stop between 1 and %d minutes, got %d", maxTravelMinutes, s.RideMinutes)
			case j == 0 && s.RideMinutes != 0:
				v.add(q+".rideMinutes", "expected 0 for the first stop, got %d", s.RideMinutes)
			}
		}
		if l.HeadwayMinutes <= 0 || l.HeadwayMinutes > 240 {
			v.add(p+".headwayMinutes", "expected minutes between departures between 1 and 240, got %d", l.HeadwayMinutes)
		}
		if len(l.Service) == 0 {
			v.add(p+".service", "expected at least one service window")
		}
		for j, h := range l.Service {
			q := fmt.Sprintf("%s.service[%d]", p, j)
			if h.Day != "" && !days[h.Day] {
				v.add(q+".day", "expected one of the conference days, got %q", h.Day)
			}
			v.window(q, h.Start, h.End)
			if h.HeadwayMinutes < 0 || h.HeadwayMinutes > 240 {
				v.add(q+".headwayMinutes", "expected minutes between departures between 1 and 240 (0: the line's), got %d", h.HeadwayMinutes)
			}
		}
		for j, pk := range l.Profile.Peaks {
			q := fmt.Sprintf("%s.profile.peaks[%d]", p, j)
			v.window(q, pk.Start, pk.End)
			v.factor(q+".factor", pk.Factor)
		}
		if r := l.Profile.KeynoteRush; r != nil {
			q := p + ".profile.keynoteRush"
			if r.Minutes < 0 || r.Minutes > 240 {
				v.add(q+".minutes", "expected minutes between 0 and 240, got %d", r.Minutes)
			}
			v.factor(q+".factor", r.Factor)
		}
		if len(l.Path) > 0 {
			v.polyline(p+".path", l.Path, false)
		}
	}
}

func (v *validator) window(path, start, end string) {
	s, okS := ParseClock(start)
	e, okE := ParseClock(end)
	if !okS {
		v.add(path+".start", "expected a time of day HH:MM, got %q", start)
	}
	if !okE {
		v.add(path+".end", "expected a time of day HH:MM (up to 24:00), got %q", end)
	}
	if okS && okE && e <= s {
		v.add(path+".end", "expected the end (%s) after the start (%s)", end, start)
	}
}

func (v *validator) factor(path string, f float64) {
	if !(f >= 0.2 && f <= 10) { // also rejects NaN
		v.add(path, "expected a ride-time factor between 0.2 and 10, got %v", f)
	}
}

// coordinate checks a lat/lon pair; (0,0) is "unknown" and rejected for
// travel elements, which exist only to be placed on a map.
func (v *validator) coordinate(path string, lat, lon float64) {
	if !(lat >= -90 && lat <= 90) || (lat == 0 && lon == 0) {
		v.add(path+".lat", "expected a latitude between -90 and 90 (not 0,0), got %v", lat)
	}
	if !(lon >= -180 && lon <= 180) {
		v.add(path+".lon", "expected a longitude between -180 and 180, got %v", lon)
	}
}

// polyline checks [[lon,lat],...]; it reports whether the path is usable.
func (v *validator) polyline(path string, pts [][2]float64, required bool) bool {
	if len(pts) < 2 {
		if required || len(pts) == 1 {
			v.add(path, "expected a path of at least two [lon,lat] points, got %d", len(pts))
		}
		return false
	}
	ok := true
	for i, pt := range pts {
		if !(pt[0] >= -180 && pt[0] <= 180) || !(pt[1] >= -90 && pt[1] <= 90) || (pt[0] == 0 && pt[1] == 0) {
			v.add(fmt.Sprintf("%s[%d]", path, i), "expected [lon,lat] with lon in -180..180 and lat in -90..90, got [%v,%v]%s",
				pt[0], pt[1], swappedHint(pt))
			ok = false
		}
	}
	return ok
}

// swappedHint helps with the most common polyline mistake, [lat,lon].
func swappedHint(pt [2]float64) string {
	if pt[0] >= -90 && pt[0] <= 90 && pt[1] >= -180 && pt[1] <= 180 && math.Abs(pt[1]) > 90 {
		return " (lat and lon swapped?)"
	}
	return ""
}

// LevelNumber reads the level of a room string such as "Level 2" or "L3";
// ok is false when it holds no number.
func LevelNumber(level string) (int, bool) {
	s := strings.TrimSpace(level)
	end := len(s)
	for end > 0 && (s[end-1] < '0' || s[end-1] > '9') {
		end--
	}
	start := end
	for start > 0 && s[start-1] >= '0' && s[start-1] <= '9' {
		start--
	}
	if start == end || end-start > 4 {
		return 0, false
	}
	n := 0
	for _, c := range s[start:end] {
		n = n*10 + int(c-'0')
	}
	if start > 0 && s[start-1] == '-' {
		n = -n // basement levels, e.g. "Level -1"
	}
	return n, true
}

// ClockOn returns the instant of a time of day (minutes after midnight) on a
// civil date in loc, following the wall clock across DST changes.
func ClockOn(day string, minute int, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year(), d.Month(), d.Day(), minute/60, minute%60, 0, 0, loc), nil
}
