package travel

import (
	"strings"

	"venuehop/internal/conference"
)

// knownVenues are the coordinates of re:Invent's venues (resort centroids
// from docs/venues.md), used when an imported venue has none. The first
// match wins, so the more specific names come first.
var knownVenues = []struct {
	name     string
	lat, lon float64
}{
	{"venetian expo", 36.1218, -115.1646},
	{"venetian", 36.1217, -115.1693},
	{"palazzo", 36.1217, -115.1693},
	{"encore", 36.1289, -115.1627},
	{"wynn", 36.1265, -115.1657},
	{"caesars forum", 36.1190, -115.1662},
	{"mgm grand", 36.1028, -115.1694},
	{"mandalay bay", 36.0923, -115.1758},
}

// venueLonLat returns a venue's coordinates, or those of a known venue of
// the same name; located is false when neither is known.
func venueLonLat(v conference.Venue) (lonLat [2]float64, located bool) {
	if v.Lat != 0 || v.Lon != 0 {
		return [2]float64{v.Lon, v.Lat}, true
	}
	names := []string{
		strings.ToLower(v.Name),
		strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(v.ID)),
	}
	for _, k := range knownVenues {
		for _, n := range names {
			if strings.Contains(n, k.name) {
				return [2]float64{k.lon, k.lat}, true
			}
		}
	}
	return [2]float64{}, false
}

// fallbackModel is the travel model of a conference that has none: one
// entrance per venue at its coordinates and a walk between every pair, the
// straight line times DetourFactor (UnlocatedMinutes when a venue has no
// coordinates); rooms get the default walk from the entrance. No transit.
func fallbackModel(c *conference.Conference) *conference.TravelModel {
	t := &conference.TravelModel{}
	located := make([]bool, len(c.Venues))
	for i, v := range c.Venues {
		lonLat, ok := venueLonLat(v)
		located[i] = ok
		t.Entrances = append(t.Entrances, conference.Entrance{
			ID: v.ID, VenueID: v.ID, Name: v.Name, Lat: lonLat[1], Lon: lonLat[0],
		})
	}
	for i := range c.Venues {
		for j := i + 1; j < len(c.Venues); j++ {
			a, b := t.Entrances[i], t.Entrances[j]
			link := conference.WalkLink{FromID: a.ID, ToID: b.ID}
			if located[i] && located[j] {
				link.Path = [][2]float64{{a.Lon, a.Lat}, {b.Lon, b.Lat}}
				link.Meters = int(conference.DistanceMeters(link.Path[0], link.Path[1])*DetourFactor + 0.5)
				if link.Meters == 0 {
					link.Minutes = 1 // two venues at one address
				}
			} else {
				link.Minutes = UnlocatedMinutes
			}
			t.WalkLinks = append(t.WalkLinks, link)
		}
	}
	return t
}
