package importer

import (
	"context"
	"slices"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/travel"
	"venuehop/internal/venuepack"
)

// Changes to the stored conference's travel model alone — a venue pack, a
// timetable, a corrected walk — go through the same engine as an import
// (a new revision, the live state swapped), with a dry run that shows the
// door-to-door times before and after.

// TravelReport is what a travel change did, or would do.
type TravelReport struct {
	DryRun  bool  `json:"dryRun"`
	Applied bool  `json:"applied"`
	BaseRev int64 `json:"baseRev"`
	Rev     int64 `json:"rev,omitempty"`
	// Pack, Timetable and Correction: the change made (one of them).
	Pack       *PackSummary               `json:"pack,omitempty"`
	Timetable  *venuepack.TimetableResult `json:"timetable,omitempty"`
	Correction *CorrectionChange          `json:"correction,omitempty"`
	// SampleAt is when the door-to-door times below are taken: the first
	// conference day at 14:00 (or the day given).
	SampleAt time.Time `json:"sampleAt"`
	// Pairs are the venue pairs whose door-to-door trip changes, before and
	// after (at most maxPairs of them).
	Pairs    []PairChange `json:"pairs"`
	Warnings []string     `json:"warnings"`
}

// CorrectionChange is a walk correction set or removed.
type CorrectionChange struct {
	conference.WalkCorrection
	Removed bool `json:"removed,omitempty"`
	// Previous is the correction it replaced (nil: none).
	Previous *conference.WalkCorrection `json:"previous,omitempty"`
}

// PairChange is one venue pair's door-to-door trip before and after.
type PairChange struct {
	From   string   `json:"from"`
	To     string   `json:"to"`
	Before TripTime `json:"before"`
	After  TripTime `json:"after"`
}

// TripTime is a door-to-door trip in brief.
type TripTime struct {
	Minutes  int    `json:"minutes"`
	Mode     string `json:"mode"`
	Estimate bool   `json:"estimate"`
}

const maxPairs = 100

// ApplyPack builds the stored conference's travel model from a venue pack;
// the organizer's walk corrections stay.
func (im *Importer) ApplyPack(ctx context.Context, p *venuepack.Pack, dryRun bool, baseRev int64) (*TravelReport, error) {
	return im.updateTravel(ctx, dryRun, baseRev, func(c *conference.Conference, rep *TravelReport) error {
		res, err := p.Apply(c)
		if err != nil {
			return err
		}
		c.Travel, c.Venues = res.Model, res.Venues
		rep.Pack = &PackSummary{ID: p.ID, Name: p.Name, Result: res}
		rep.Warnings = append(rep.Warnings, res.Notes...)
		for _, id := range res.Unmatched {
			rep.Warnings = append(rep.Warnings, "the pack does not know venue "+id+": its trips stay estimates")
		}
		return nil
	})
}

// ApplyTimetable sets the stored conference's shuttle and monorail hours.
func (im *Importer) ApplyTimetable(ctx context.Context, tt *venuepack.Timetable, dryRun bool, baseRev int64) (*TravelReport, error) {
	return im.updateTravel(ctx, dryRun, baseRev, func(c *conference.Conference, rep *TravelReport) error {
		res, err := tt.Apply(c)
		if err != nil {
			return err
		}
		c.Travel = res.Model
		rep.Timetable = res
		for _, n := range res.Notes {
			rep.Warnings = append(rep.Warnings, n.String())
		}
		return nil
	})
}

// CorrectWalk sets the walk between the main doors of two venues to
// minutes (both ways), or removes the correction when minutes is 0. It is
// applied at once (no dry run: the change is the organizer's own number).
func (im *Importer) CorrectWalk(ctx context.Context, from, to string, minutes int) (*TravelReport, error) {
	return im.updateTravel(ctx, false, 0, func(c *conference.Conference, rep *TravelReport) error {
		for _, id := range []string{from, to} {
			if !slices.ContainsFunc(c.Venues, func(v conference.Venue) bool { return v.ID == id }) {
				e := errcode.New(errcode.NotFound, "no venue with id %q (venuehop travel lists them)", id)
				return e
			}
		}
		if from == to {
			e := errcode.New(errcode.Invalid, "a walk correction joins two different venues, got %q twice", from)
			e.Unprocessable = true
			return e
		}
		if minutes < 0 || minutes > 600 {
			e := errcode.New(errcode.Invalid, "minutes: expected 1 to 600 (0 removes the correction), got %d", minutes)
			e.Unprocessable = true
			return e
		}
		t := &conference.TravelModel{}
		if c.Travel != nil {
			cp := *c.Travel
			t = &cp
		}
		ch := &CorrectionChange{WalkCorrection: conference.WalkCorrection{FromID: from, ToID: to, Minutes: minutes}, Removed: minutes == 0}
		if prev, ok := t.Correction(from, to); ok {
			ch.Previous = &prev
		} else if minutes == 0 {
			return errcode.New(errcode.NotFound, "there is no walk correction between %s and %s", from, to)
		}
		t.WalkCorrections = slices.DeleteFunc(slices.Clone(t.WalkCorrections), func(w conference.WalkCorrection) bool {
			return w.FromID == from && w.ToID == to || w.FromID == to && w.ToID == from
		})
		if minutes > 0 {
			t.WalkCorrections = append(t.WalkCorrections, ch.WalkCorrection)
		}
		if t.Empty() && len(t.WalkCorrections) == 0 && t.Pack == nil && t.WalkSpeed == 0 && t.DefaultAccessMinutes == 0 {
			t = nil
		}
		c.Travel = t
		rep.Correction = ch
		return nil
	})
}

// updateTravel runs change on a copy of the stored conference, compiles the
// result, compares door-to-door trips and, unless dryRun, stores it as a
// new revision through the engine.
func (im *Importer) updateTravel(ctx context.Context, dryRun bool, baseRev int64, change func(*conference.Conference, *TravelReport) error) (*TravelReport, error) {
	cur := im.Live.Load()
	if cur == nil {
		return nil, errcode.New(errcode.NotFound, "no conference is stored yet: import one first")
	}
	rep := &TravelReport{DryRun: dryRun, BaseRev: cur.Snap.Rev, Pairs: []PairChange{}, Warnings: []string{}}
	if baseRev > 0 && baseRev != cur.Snap.Rev {
		return rep, errcode.New(errcode.Conflict, "the conference changed since this was checked (revision %d, now %d): nothing was applied; check again", baseRev, cur.Snap.Rev)
	}
	c := *cur.Snap.Conf
	c.Venues = slices.Clone(c.Venues)
	c.Rooms = slices.Clone(c.Rooms)
	c.Sessions = slices.Clone(c.Sessions)
	if err := change(&c, rep); err != nil {
		return rep, err
	}
	next, err := live.Build(&c, cur.Snap.Rev+1)
	if err != nil {
		e := errcode.Wrap(errcode.Invalid, err, "the change makes the conference invalid: %v", err)
		e.Unprocessable = true
		return rep, e
	}
	rep.SampleAt = sampleTime(cur.Snap)
	rep.Pairs = comparePairs(cur.Snap.Conf.Venues, cur.Travel, next.Travel, rep.SampleAt)
	if dryRun {
		return rep, nil
	}
	if im.Engine == nil {
		return rep, errcode.New(errcode.Unavailable, "the reservation engine is not running; nothing was applied")
	}
	out, err := im.Engine.ApplyConference(ctx, &c, cur.Snap.Rev)
	if err != nil {
		return rep, err
	}
	rep.Applied, rep.Rev = true, out.Rev
	return rep, nil
}

// sampleTime is 14:00 on the first conference day: a time shuttles run
// and traffic is ordinary.
func sampleTime(snap *conference.Snapshot) time.Time {
	t, err := conference.ClockOn(snap.Conf.Days[0], 14*60, snap.Loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// comparePairs lists the venue pairs whose trip at differs between two
// compiled models.
func comparePairs(venues []conference.Venue, before, after *travel.Model, at time.Time) []PairChange {
	out := []PairChange{}
	brief := func(m *travel.Model, a, b string) TripTime {
		tr, err := m.Between(a, b, at)
		if err != nil {
			return TripTime{}
		}
		return TripTime{Minutes: tr.Minutes, Mode: tr.Mode, Estimate: tr.Estimate}
	}
	for i, a := range venues {
		for _, b := range venues[i+1:] {
			x, y := brief(before, a.ID, b.ID), brief(after, a.ID, b.ID)
			if x != y && len(out) < maxPairs {
				out = append(out, PairChange{From: a.ID, To: b.ID, Before: x, After: y})
			}
		}
	}
	return out
}
