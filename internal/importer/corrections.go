package importer

import (
	"venuehop/internal/conference"
	"venuehop/internal/venuepack"
)

// keepWalkCorrections carries the organizer's walk corrections of the
// stored conference old into the imported c, for the pairs of venues c
// still has and does not correct itself: a re-import, whatever model it
// brings (none, the stored one, a pack's, its own), never loses them. It
// returns how many it carried. Kept apart from keepStored on purpose: that
// one decides which model the import gets, this one only adds the
// organizer's word to it.
func keepWalkCorrections(c, old *conference.Conference) int {
	if old.Travel == nil || len(old.Travel.WalkCorrections) == 0 {
		return 0
	}
	if c.Travel == nil {
		c.Travel = &conference.TravelModel{}
	} else if c.Travel == old.Travel {
		return 0 // the stored model itself, corrections and all
	} else {
		t := *c.Travel // never write into a model another conference shares
		c.Travel = &t
	}
	n := venuepack.CarryCorrections(c.Travel, old.Travel, c.Venues)
	if n == 0 && c.Travel.Empty() && len(c.Travel.WalkCorrections) == 0 && c.Travel.Pack == nil {
		c.Travel = nil // nothing to hold: stay without a model
	}
	return n
}
