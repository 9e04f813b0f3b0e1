// Package planner plans an attendee's week: it analyses an agenda (travel
// legs, slack, lunch, walking) and finds the agenda of highest value among
// the sittings of the attendee's favourite contents, around their fixed
// items, with the real time-dependent travel model. It is pure: no I/O, no
// store, no HTTP; callers pass plain structs and get plain structs back.
//
// How Optimize is exact: each day is a DAG of candidate items ordered by
// time whose edges are the feasible transitions (travel departing at the
// end of the earlier item, from travel.Model.ArriveBy); the best day is a
// longest path, with the lunch break as a one-bit state and, when
// maxWalkMetersPerDay is set, an exact Pareto label search on the metres.
// Days are coupled only by "each content at most once": a Lagrangian
// relaxation prices that constraint (subgradient), giving an upper bound,
// and a best-first branch and bound settles one content per branch (at
// one of its sittings, or not at all). Bounds are rounded down to the
// values' common divisor. Optimal is true only when the search proved it.
// Among plans of equal value the tie-break (less travel, more slack, then
// earlier) is exact within a day and best effort across branches.
package planner

import (
	"math"
	"slices"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/travel"
)

// Priorities of a favourite.
const (
	Must  = "must"
	Want  = "want"
	Maybe = "maybe"
)

// Kinds of agenda items.
const (
	KindSession     = "session"     // a sitting the attendee plans to walk up to (or reserve)
	KindReservation = "reservation" // a sitting the attendee holds a seat for
	KindBlock       = "block"       // a personal block (meeting, call, ...)
	KindKeynote     = "keynote"     // a keynote the attendee marked
)

// Defaults of Options.
const (
	DefaultBufferMinutes       = 5
	DefaultWalkupMarginMinutes = 15
	DefaultRecordedFactor      = 0.5
	DefaultReleaseLeadMinutes  = 10
	DefaultTimeLimit           = time.Second
	// TightMinutes: a transition with less slack than this is "tight".
	TightMinutes = 5
	// LunchMinutes is the shortest lunch break, within LunchFrom–LunchTo
	// (minutes after local midnight).
	LunchMinutes = 30
	LunchFrom    = 11 * 60
	LunchTo      = 13 * 60
	// maxWeight keeps scaled values far from overflow.
	maxWeight = 10000
)

// Wish is one favourite: it names one sitting but means its content (the
// repeat group); the planner may pick any sitting of it, or none.
type Wish struct {
	SessionID string `json:"sessionId"`
	Priority  string `json:"priority"` // must | want | maybe
}

// Item is one entry of an agenda. For a session (kinds session,
// reservation, keynote) SessionID is enough: empty Start, End and RoomID
// are taken from the conference. A block has times and, optionally, a
// venue (VenueID) or a room; a block without either happens "where you
// are": it takes the place of the item before it.
type Item struct {
	Kind      string    `json:"kind"`
	SessionID string    `json:"sessionId,omitempty"`
	Title     string    `json:"title,omitempty"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	RoomID    string    `json:"roomId,omitempty"`
	VenueID   string    `json:"venueId,omitempty"`
	// Reserved: the attendee holds a seat (no walk-up margin; the seat
	// lapses at the release instant). Implied by KindReservation.
	Reserved bool `json:"reserved,omitempty"`
	// Locked (fixed items): "keep this no matter what". The plan never
	// moves or drops a locked item; the others it repairs when they
	// collide (a reservation moves to another sitting with a seat, or the
	// item of lower value is dropped).
	Locked bool `json:"locked,omitempty"`
	// Importance (fixed items): must, want or maybe, how much the attendee
	// cares when two fixed items collide. Empty: the priority of the
	// item's content if it is a favourite, else want (a block: above
	// must).
	Importance string `json:"importance,omitempty"`
	// BlockID is a personal block's id, so a plan's items can be matched
	// to the attendee's blocks (and locks).
	BlockID string `json:"blockId,omitempty"`
}

// Fixed is an item the optimizer plans around: a reservation, a personal
// block or a marked keynote. Unless Locked, the plan may repair it when it
// collides with another.
type Fixed = Item

// Options tune the optimizer. Decode JSON into DefaultOptions() so that
// absent fields keep their defaults.
type Options struct {
	BufferMinutes       int  `json:"bufferMinutes"`
	WalkupMarginMinutes int  `json:"walkupMarginMinutes"`
	Lunch               bool `json:"lunch"`
	// MaxWalkMetersPerDay limits the outdoor walking per day; 0: no limit.
	MaxWalkMetersPerDay int `json:"maxWalkMetersPerDay,omitempty"`
	// AvoidShuttle: where the fastest trip rides a shuttle, the attendee
	// walks the whole way instead (the walk may be too slow to fit).
	AvoidShuttle bool     `json:"avoidShuttle,omitempty"`
	AvoidVenues  []string `json:"avoidVenues,omitempty"`
	// RecordedFactor multiplies the weight of a recorded session, in [0,1].
	RecordedFactor float64 `json:"recordedFactor"`
	// Days limits the days where sittings may be added (YYYY-MM-DD);
	// empty: every day. Fixed items stay on every day.
	Days []string `json:"days,omitempty"`
	// Weights override the priority weights (keys must, want, maybe).
	Weights map[string]float64 `json:"weights,omitempty"`
	// AllowSwapReservations lets the optimizer move a reservation to
	// another sitting of the same content (reported in Plan.Swaps).
	AllowSwapReservations bool `json:"allowSwapReservations,omitempty"`
	// WalkFactor is the attendee's pace: every walk takes this many times
	// the travel model's minutes (0 or 1: the usual pace; 0.5 to 2.5).
	WalkFactor float64 `json:"walkFactor,omitempty"`
	// ReleaseLeadMinutes: a reserved seat lapses this long before the start.
	ReleaseLeadMinutes int `json:"releaseLeadMinutes"`
	// TimeLimit bounds the exact search; 0 means DefaultTimeLimit. When it
	// cuts the search the plan says Optimal false and gives its Bound.
	TimeLimit time.Duration `json:"-"`
	// Unavailable are sittings the plan must not choose (no seat could be
	// reserved), each with the reason to give; set by callers, not by JSON.
	Unavailable map[string]string `json:"-"`
	// NoSeats are reservable sittings without a free seat (full, or their
	// reservations closed): a reservation cannot move there. Set by
	// callers.
	NoSeats map[string]bool `json:"-"`
}

// DefaultOptions: buffer 5, walk-up margin 15, lunch, recorded factor 0.5,
// weights must 100 / want 30 / maybe 10, release lead 10.
func DefaultOptions() Options {
	return Options{
		BufferMinutes:       DefaultBufferMinutes,
		WalkupMarginMinutes: DefaultWalkupMarginMinutes,
		Lunch:               true,
		RecordedFactor:      DefaultRecordedFactor,
		ReleaseLeadMinutes:  DefaultReleaseLeadMinutes,
	}
}

// Weight returns the weight of a priority under the options (0 if unknown).
func (o Options) Weight(priority string) float64 {
	i := priorityRank(priority)
	if i < 0 {
		return 0
	}
	if w, ok := o.Weights[priority]; ok {
		return w
	}
	return [3]float64{100, 30, 10}[i] // the default weights, by rank
}

func priorityRank(p string) int {
	switch p {
	case Must:
		return 0
	case Want:
		return 1
	case Maybe:
		return 2
	}
	return -1
}

func invalid(format string, args ...any) error {
	return errcode.New(errcode.Invalid, format, args...)
}

// Validate checks the options against a conference: one errcode.Invalid
// error naming the first bad option.
func (o Options) Validate(snap *conference.Snapshot) error {
	switch {
	case o.WalkFactor != 0 && (o.WalkFactor < travel.MinWalkFactor || o.WalkFactor > travel.MaxWalkFactor):
		return invalid("walkFactor must be from %.1f to %.1f (1 = the usual pace), got %v", travel.MinWalkFactor, travel.MaxWalkFactor, o.WalkFactor)
	case o.BufferMinutes < 0:
		return invalid("bufferMinutes must not be negative (got %d)", o.BufferMinutes)
	case o.BufferMinutes > 240:
		return invalid("bufferMinutes must be at most 240 (got %d)", o.BufferMinutes)
	case o.WalkupMarginMinutes < 0:
		return invalid("walkupMarginMinutes must not be negative (got %d)", o.WalkupMarginMinutes)
	case o.WalkupMarginMinutes > 240:
		return invalid("walkupMarginMinutes must be at most 240 (got %d)", o.WalkupMarginMinutes)
	case o.MaxWalkMetersPerDay < 0:
		return invalid("maxWalkMetersPerDay must not be negative (got %d); 0 means no limit", o.MaxWalkMetersPerDay)
	case o.ReleaseLeadMinutes < 0:
		return invalid("releaseLeadMinutes must not be negative (got %d)", o.ReleaseLeadMinutes)
	case math.IsNaN(o.RecordedFactor) || o.RecordedFactor < 0 || o.RecordedFactor > 1:
		return invalid("recordedFactor must be between 0 and 1 (got %v)", o.RecordedFactor)
	case o.TimeLimit < 0:
		return invalid("the time limit must not be negative")
	}
	for k, w := range o.Weights {
		if priorityRank(k) < 0 {
			return invalid("weights: unknown priority %q (use must, want or maybe)", k)
		}
		if math.IsNaN(w) || w < 0 || w > maxWeight {
			return invalid("weights.%s must be between 0 and %d (got %v)", k, maxWeight, w)
		}
	}
	// Priorities are an order: a heavier weight for a lesser priority would
	// make "maybe" beat "must", which no attendee means.
	if o.Weight(Must) < o.Weight(Want) || o.Weight(Want) < o.Weight(Maybe) {
		return invalid("weights contradict the priorities: need must (%v) ≥ want (%v) ≥ maybe (%v)",
			o.Weight(Must), o.Weight(Want), o.Weight(Maybe))
	}
	if snap != nil {
		for _, d := range o.Days {
			if !slices.Contains(snap.Conf.Days, d) {
				return invalid("days: %q is not a day of the conference (%s to %s)", d,
					snap.Conf.Days[0], snap.Conf.Days[len(snap.Conf.Days)-1])
			}
		}
		for _, v := range o.AvoidVenues {
			if _, ok := snap.Venue(v); !ok {
				return invalid("avoidVenues: unknown venue %q", v)
			}
		}
		if len(o.AvoidVenues) > 0 {
			all := true
			for _, v := range snap.Conf.Venues {
				if !slices.Contains(o.AvoidVenues, v.ID) {
					all = false
					break
				}
			}
			if all {
				return invalid("avoidVenues avoids every venue of the conference, so nothing can be planned")
			}
		}
	}
	return nil
}
