package venuepack

import (
	"strings"

	"venuehop/internal/conference"
)

// names returns the normalized names a pack venue answers to.
func (v Venue) names() []string {
	out := []string{normalize(v.ID), normalize(v.Name)}
	for _, a := range v.Aliases {
		out = append(out, normalize(a))
	}
	return out
}

// Matches reports whether a venue name (as a schedule or timetable writes
// it) names this pack venue.
func (v Venue) Matches(name string) bool {
	n := normalize(name)
	if n == "" {
		return false
	}
	for _, k := range v.names() {
		if k == n {
			return true
		}
	}
	return false
}

// find returns the pack venue a conference venue is, by id, then name.
func (p *Pack) find(cv conference.Venue) (Venue, bool) {
	for _, key := range []string{cv.ID, cv.Name} {
		for _, v := range p.Venues {
			if v.Matches(key) {
				return v, true
			}
		}
	}
	return Venue{}, false
}

// matchVenues pairs conference venues with pack venues (each pack venue
// with one conference venue at most: the first) and records the result.
func (p *Pack) matchVenues(c *conference.Conference, res *Result) map[string]string {
	byPack := map[string]string{}
	for _, cv := range c.Venues {
		pv, ok := p.find(cv)
		switch {
		case !ok:
			res.Unmatched = append(res.Unmatched, cv.ID)
		case byPack[pv.ID] != "":
			res.Unmatched = append(res.Unmatched, cv.ID)
			res.Notes = append(res.Notes, "venue "+cv.ID+" is also the pack's "+pv.ID+", already given to venue "+byPack[pv.ID])
		default:
			byPack[pv.ID] = cv.ID
			res.Matched = append(res.Matched, VenueMatch{VenueID: cv.ID, PackVenueID: pv.ID, Name: cv.Name})
		}
	}
	return byPack
}

// Proposal is a shipped pack that fits an import.
type Proposal struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Venues are the conference venues it knows; Unknown those it does not.
	Venues  []string `json:"venues"`
	Unknown []string `json:"unknown"`
}

// Propose returns the pack among packs that knows the most of c's venues,
// if it knows more than half of those with a place (online venues do not
// count); ok is false when none does.
func Propose(c *conference.Conference, packs []*Pack) (Proposal, bool) {
	var best Proposal
	bestN, places := 0, 0
	for _, v := range c.Venues {
		if !online(v) {
			places++
		}
	}
	for _, p := range packs {
		var pr Proposal
		pr.ID, pr.Name = p.ID, p.Name
		used := map[string]bool{}
		for _, v := range c.Venues {
			if online(v) {
				continue
			}
			if pv, ok := p.find(v); ok && !used[pv.ID] {
				used[pv.ID] = true
				pr.Venues = append(pr.Venues, v.ID)
			} else {
				pr.Unknown = append(pr.Unknown, v.ID)
			}
		}
		if len(pr.Venues) > bestN {
			best, bestN = pr, len(pr.Venues)
		}
	}
	if bestN == 0 || 2*bestN <= places {
		return Proposal{}, false
	}
	if best.Unknown == nil {
		best.Unknown = []string{}
	}
	return best, true
}

func online(v conference.Venue) bool {
	return v.Lat == 0 && v.Lon == 0 && strings.EqualFold(strings.TrimSpace(v.Name), "online")
}
