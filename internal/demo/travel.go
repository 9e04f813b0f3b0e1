package demo

import (
	"fmt"

	"venuehop/internal/conference"
	"venuehop/internal/venuepack"
)

// The demo's venues and travel model come from the shipped Las Vegas Strip
// venue pack (internal/venuepack/packs/las-vegas-strip.json), the same pack
// an organizer applies to a real re:Invent import: entrances, measured
// street walks, the pedestrian bridge between the Venetian/Palazzo and
// Wynn, campus shuttles point to point, the monorail, rush hours on the
// one main road and the 5–15 minute walk from the street to a room.

// stripPack is the shipped Strip pack; the demo cannot be built without it.
func stripPack() (*venuepack.Pack, error) {
	p, err := venuepack.Get(venuepack.StripID)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return p, nil
}

// demoVenues are the five demo venues as the pack describes them, in the
// order of venueIDs.
func demoVenues(p *venuepack.Pack) ([]conference.Venue, error) {
	out := make([]conference.Venue, 0, len(venueIDs))
	for _, id := range venueIDs {
		i := -1
		for j, v := range p.Venues {
			if v.ID == id {
				i = j
			}
		}
		if i < 0 {
			return nil, fmt.Errorf("demo: the Strip venue pack has no venue %q", id)
		}
		v := p.Venues[i]
		out = append(out, conference.Venue{ID: v.ID, Name: v.Name, Address: v.Address, Lat: v.Lat, Lon: v.Lon})
	}
	return out, nil
}

// TravelModel returns the demo's travel model for the venues, rooms and
// days of c: the Strip pack applied to c. Venues of c the pack does not
// know get no entrance (the compiled model estimates them from
// coordinates); nil when the pack knows none of them.
func TravelModel(c *conference.Conference) *conference.TravelModel {
	p, err := stripPack()
	if err != nil {
		return nil
	}
	res, err := p.Apply(c)
	if err != nil {
		return nil
	}
	return res.Model
}
