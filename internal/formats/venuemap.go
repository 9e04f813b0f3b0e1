package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// VenueMap assigns rooms to venues with coordinates (the --venues FILE). It
// is documented in docs/formats.md; docs/fosdem-venues.json is an example.
// A room is matched by its exact name first, then by a pattern, then by the
// longest prefix; a venue chosen by a format's own rule (the CSV "Venue |"
// part, FOSDEM's building letter) takes the coordinates of the map's venue
// with the same id, name or alias.
type VenueMap struct {
	Venues []MappedVenue `json:"venues"`
}

// MappedVenue is one venue of a VenueMap and the rooms it holds.
type MappedVenue struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Address string  `json:"address,omitempty"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	// Online marks a venue without a place (lat and lon stay 0).
	Online bool `json:"online,omitempty"`
	// Aliases are other names of the venue as files write them.
	Aliases []string `json:"aliases,omitempty"`
	// Rooms are exact room names (case and surrounding space ignored).
	Rooms []string `json:"rooms,omitempty"`
	// Prefixes match the start of a room name (case ignored).
	Prefixes []string `json:"prefixes,omitempty"`
	// Patterns are Go (RE2) regular expressions matched against room names.
	Patterns []string `json:"patterns,omitempty"`
	// AccessMinutes is the walk from the venue's door to any of its rooms
	// (0: the default, 2 minutes: a campus building).
	AccessMinutes int `json:"accessMinutes,omitempty"`

	compiled []*regexp.Regexp
}

func (m MappedVenue) venue() conference.Venue {
	return conference.Venue{ID: m.ID, Name: m.Name, Address: m.Address, Lat: m.Lat, Lon: m.Lon, AccessMinutes: m.AccessMinutes}
}

// ReadVenueMap reads and checks a venue map; every problem is listed in an
// *ImportError with its JSON path.
func ReadVenueMap(r io.Reader) (*VenueMap, error) {
	const name = "venue map"
	data, err := io.ReadAll(io.LimitReader(r, 4<<20+1))
	if err != nil {
		return nil, errcode.Wrap(errcode.Invalid, err, "cannot read the venue map")
	}
	if len(data) > 4<<20 {
		return nil, errcode.New(errcode.TooLarge, "the venue map is larger than 4 MB")
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	var m VenueMap
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, &ImportError{File: name, Problems: []conference.Problem{syntaxProblem(data, err)}}
	}
	var probs []conference.Problem
	add := func(path, format string, args ...any) {
		probs = appendProblem(probs, conference.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if len(m.Venues) == 0 {
		add("venues", "expected at least one venue")
	}
	ids := map[string]bool{}
	for i := range m.Venues {
		v := &m.Venues[i]
		p := fmt.Sprintf("venues[%d]", i)
		switch {
		case v.ID == "" || v.ID != slug(v.ID):
			add(p+".id", "expected an id of lower-case letters, digits and hyphens, got %q", v.ID)
		case ids[v.ID]:
			add(p+".id", "duplicate venue id %q", v.ID)
		}
		ids[v.ID] = true
		if strings.TrimSpace(v.Name) == "" {
			add(p+".name", "expected a non-empty name")
		}
		if v.Lat < -90 || v.Lat > 90 {
			add(p+".lat", "expected a latitude between -90 and 90, got %v", v.Lat)
		}
		if v.Lon < -180 || v.Lon > 180 {
			add(p+".lon", "expected a longitude between -180 and 180, got %v", v.Lon)
		}
		if v.AccessMinutes < 0 || v.AccessMinutes > 60 {
			add(p+".accessMinutes", "expected minutes from the door to a room between 0 and 60, got %d", v.AccessMinutes)
		}
		if v.Online && (v.Lat != 0 || v.Lon != 0) {
			add(p+".online", "an online venue has no coordinates: expected lat and lon 0")
		}
		for j, pat := range v.Patterns {
			re, err := regexp.Compile(pat)
			if err != nil {
				add(fmt.Sprintf("%s.patterns[%d]", p, j), "expected a Go regular expression: %v", err)
				continue
			}
			v.compiled = append(v.compiled, re)
		}
	}
	if len(probs) > 0 {
		return nil, &ImportError{File: name, Problems: probs}
	}
	return &m, nil
}

// lookup finds the venue of a room: by the room name (exact, pattern,
// longest prefix), then by the rule's venue id, name or alias.
func (m *VenueMap) lookup(room, ruleID, ruleName string) (conference.Venue, bool) {
	if m == nil {
		return conference.Venue{}, false
	}
	key := normalize(room)
	for _, v := range m.Venues {
		for _, r := range v.Rooms {
			if normalize(r) == key {
				return v.venue(), true
			}
		}
	}
	for _, v := range m.Venues {
		compiled := v.compiled
		if len(compiled) != len(v.Patterns) {
			// A map built in code rather than read: compile here.
			compiled = nil
			for _, p := range v.Patterns {
				if re, err := regexp.Compile(p); err == nil {
					compiled = append(compiled, re)
				}
			}
		}
		for _, re := range compiled {
			if re.MatchString(room) {
				return v.venue(), true
			}
		}
	}
	best, bestLen := -1, 0
	for i, v := range m.Venues {
		for _, p := range v.Prefixes {
			if len(p) > bestLen && strings.HasPrefix(strings.ToLower(room), strings.ToLower(p)) {
				best, bestLen = i, len(p)
			}
		}
	}
	if best >= 0 {
		return m.Venues[best].venue(), true
	}
	name := normalize(ruleName)
	for _, v := range m.Venues {
		if ruleID != "" && v.ID == ruleID {
			return v.venue(), true
		}
		if name == "" {
			continue
		}
		if normalize(v.Name) == name {
			return v.venue(), true
		}
		for _, a := range v.Aliases {
			if normalize(a) == name {
				return v.venue(), true
			}
		}
	}
	return conference.Venue{}, false
}

// ruleVenue is the venue a format's own rule gives a room.
type ruleVenue struct {
	ID, Name, Address string
	Lat, Lon          float64
	Online            bool
}

// knownVenues are the re:Invent venues (docs/venues.md: addresses and
// resort centroids), matched by the names catalogs write. Their ids and
// names are the demo's, so imported and demo conferences agree.
var knownVenues = []struct {
	aliases []string
	venue   conference.Venue
}{
	{[]string{"venetian", "the venetian", "palazzo", "the venetian / palazzo", "venetian / palazzo", "venetian expo"},
		conference.Venue{ID: "venetian", Name: "The Venetian / Palazzo", Address: "3355 Las Vegas Blvd S, Las Vegas, NV", Lat: 36.1217, Lon: -115.1693}},
	{[]string{"wynn", "encore", "wynn / encore", "wynn/encore"},
		conference.Venue{ID: "wynn", Name: "Wynn / Encore", Address: "3131 Las Vegas Blvd S, Las Vegas, NV", Lat: 36.1265, Lon: -115.1657}},
	{[]string{"caesars forum"},
		conference.Venue{ID: "caesars-forum", Name: "Caesars Forum", Address: "3911 Koval Ln, Las Vegas, NV", Lat: 36.1190, Lon: -115.1662}},
	{[]string{"mgm", "mgm grand"},
		conference.Venue{ID: "mgm-grand", Name: "MGM Grand", Address: "3799 Las Vegas Blvd S, Las Vegas, NV", Lat: 36.1028, Lon: -115.1694}},
	{[]string{"mandalay bay", "mandalay"},
		conference.Venue{ID: "mandalay-bay", Name: "Mandalay Bay", Address: "3950 Las Vegas Blvd S, Las Vegas, NV", Lat: 36.0923, Lon: -115.1758}},
}

func knownVenue(name string) (conference.Venue, bool) {
	n := normalize(name)
	for _, k := range knownVenues {
		for _, a := range k.aliases {
			if a == n {
				return k.venue, true
			}
		}
	}
	return conference.Venue{}, false
}

var fosdemLetters = regexp.MustCompile(`^([A-Z]{1,2})[.0-9]`)

// fosdemBuilding is FOSDEM's rule: the building is the room name's letter
// (Janson is J; K.3.201 is K; UA2.114, UB…, UD… are U; AW1.120 is AW); D.*
// rooms are online. Other rooms go to the campus venue.
func fosdemBuilding(room string, campus ruleVenue) ruleVenue {
	r := strings.TrimSpace(room)
	if strings.HasPrefix(strings.ToLower(r), "janson") {
		return ruleVenue{ID: "j", Name: "Building J (Janson)"}
	}
	if strings.HasPrefix(r, "D.") {
		return ruleVenue{ID: "online", Name: "Online", Online: true}
	}
	m := fosdemLetters.FindStringSubmatch(r)
	if m == nil {
		return campus
	}
	letter := m[1]
	if letter[0] == 'U' {
		letter = "U"
	}
	return ruleVenue{ID: strings.ToLower(letter), Name: "Building " + letter}
}
