package importer

import (
	"venuehop/internal/conference"
	"venuehop/internal/formats"
	"venuehop/internal/venuepack"
)

// Venue packs and timetables in an import: the pack given (--venues PACK,
// ?pack=ID) builds the travel model of the file's venues, or, when none is
// given and the conference has no model of its own, a shipped pack that
// knows the file's venues is proposed in the summary; a timetable then sets
// the shuttle and monorail hours.

// PackSummary is what a venue pack did (or would do) to an import.
type PackSummary struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	*venuepack.Result
}

// TravelOptions are the import's venue pack and timetable.
type TravelOptions struct {
	// Pack builds the travel model of the file's venues; its venues also
	// place the file's rooms, as a venue map does.
	Pack *venuepack.Pack
	// Timetable sets the hours of the shuttle and monorail lines.
	Timetable *venuepack.Timetable
}

// TravelSummary is the import's travel part of the summary.
type TravelSummary struct {
	// Pack is the pack applied; ProposedPack a shipped one that fits,
	// offered when none was given (import again with it to apply it).
	Pack         *PackSummary               `json:"pack,omitempty"`
	ProposedPack *venuepack.Proposal        `json:"proposedPack,omitempty"`
	Timetable    *venuepack.TimetableResult `json:"timetable,omitempty"`
	// WalkCorrectionsKept counts the organizer's walk corrections carried
	// over from the stored conference.
	WalkCorrectionsKept int `json:"walkCorrectionsKept,omitempty"`
}

// venueMap returns the venue map the reader places rooms with: the one
// given, else the pack's venues.
func venueMap(opt Options) *formats.VenueMap {
	if opt.Venues != nil || opt.Travel.Pack == nil {
		return opt.Venues
	}
	m := &formats.VenueMap{}
	for _, v := range opt.Travel.Pack.Venues {
		m.Venues = append(m.Venues, formats.MappedVenue{ID: v.ID, Name: v.Name, Address: v.Address, Lat: v.Lat, Lon: v.Lon,
			Aliases: v.Aliases, Rooms: v.Rooms, Prefixes: v.Prefixes, Patterns: v.Patterns})
	}
	return m
}

// applyTravel gives the read conference c its travel model from the pack
// and timetable of opt, proposes a pack when none was given, and keeps the
// stored conference's walk corrections. It runs after the stored model was
// considered (keepStored), so a pack replaces it.
func applyTravel(sum *Summary, c, old *conference.Conference, opt Options) error {
	name := sum.File
	if p := opt.Travel.Pack; p != nil {
		res, err := p.Apply(c)
		if err != nil {
			return err
		}
		c.Travel, c.Venues = res.Model, res.Venues
		sum.Travel.Pack = &PackSummary{ID: p.ID, Name: p.Name, Result: res}
		for _, n := range res.Notes {
			sum.Warnings = append(sum.Warnings, Problem{File: name, Message: "venue pack: " + n})
		}
		if len(res.Unmatched) > 0 {
			sum.Warnings = append(sum.Warnings, Problem{File: name, Message: "venue pack " + p.ID + " does not know venue(s) " +
				joinIDs(res.Unmatched) + ": travel to and from them stays an estimate"})
		}
	} else if packs, err := venuepack.Shipped(); err == nil {
		if pr, ok := venuepack.Propose(c, packs); ok && lacksPack(c.Travel, pr) {
			sum.Travel.ProposedPack = &pr
		}
	}
	if tt := opt.Travel.Timetable; tt != nil {
		res, err := tt.Apply(c)
		if err != nil {
			return err
		}
		c.Travel = res.Model
		sum.Travel.Timetable = res
		for _, n := range res.Notes {
			sum.Warnings = append(sum.Warnings, Problem{File: tt.File, Path: n.Path, Message: n.Message})
		}
	}
	if old != nil {
		sum.Travel.WalkCorrectionsKept = keepWalkCorrections(c, old)
	}
	return nil
}

// lacksPack reports whether the conference's travel model (possibly kept
// from the stored one) would gain from the proposed pack: it has no model,
// or a model not built from that pack that leaves one of the venues the
// pack knows without an entrance.
func lacksPack(m *conference.TravelModel, pr venuepack.Proposal) bool {
	if m.Empty() {
		return true
	}
	if m.Pack != nil && m.Pack.ID == pr.ID {
		return false
	}
	placed := map[string]bool{}
	for _, e := range m.Entrances {
		placed[e.VenueID] = true
	}
	for _, v := range pr.Venues {
		if !placed[v] {
			return true
		}
	}
	return false
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += id
	}
	return out
}
