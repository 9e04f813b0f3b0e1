package reservation

import (
	"slices"
	"sync/atomic"
	"time"

	"venuehop/internal/conference"
)

// sessionState is the engine's view of one session's seats. Everything but
// pub is touched only by the sequencer; pub is what readers see, updated
// after each commit.
type sessionState struct {
	id       string
	se       *conference.Session // in the engine's current snapshot
	day      string              // conference-zone date of the start
	room     int32               // travel room index, -1 if none
	capacity int
	release  time.Time
	released bool

	holders   map[*attendee]*seat
	held      int // open offers
	waitlist  []*attendee
	checkedIn map[string]time.Time

	// pub is what lock-free readers see. reserved and held share one word
	// so that a reader never sees one from before a commit and the other
	// from after it.
	pub struct {
		seats                        atomic.Uint64 // reserved<<32 | held
		capacity, checkedIn, waiting atomic.Int32
	}
}

func (s *sessionState) available() int { return s.capacity - len(s.holders) - s.held }

// reservable reports whether the session takes reservations at all.
func (s *sessionState) reservable() bool {
	return s.se != nil && s.se.Reservable && s.se.Scheduled() && !s.se.Cancelled
}

func (s *sessionState) publish() {
	s.pub.capacity.Store(int32(s.capacity))
	s.pub.seats.Store(uint64(len(s.holders))<<32 | uint64(uint32(s.held)))
	s.pub.checkedIn.Store(int32(len(s.checkedIn)))
	s.pub.waiting.Store(int32(len(s.waitlist)))
}

// seats returns the published reserved and held counts.
func (s *sessionState) seats() (reserved, held int) {
	v := s.pub.seats.Load()
	return int(v >> 32), int(uint32(v))
}

func (s *sessionState) count() SeatCount {
	return SeatCount{SessionID: s.id, Capacity: s.capacity, Reserved: len(s.holders), Held: s.held, Release: s.release}
}

// seat is one active reservation.
type seat struct {
	s         *sessionState
	created   time.Time
	checkedIn bool
}

// attendee is one attendee's reservations, waitlist places, offers, quota
// and remembered idempotency keys.
type attendee struct {
	id         string
	seats      []*seat
	waiting    map[*sessionState]int64 // waitlist seq by session
	offers     []*offerState
	autoAccept bool

	tokens   float64
	refilled time.Time

	idem map[string]*IdempotencyRecord
}

func (a *attendee) seatFor(s *sessionState) int {
	for i, st := range a.seats {
		if st.s == s {
			return i
		}
	}
	return -1
}

func (a *attendee) offerFor(s *sessionState) *offerState {
	for _, o := range a.offers {
		if o.s == s {
			return o
		}
	}
	return nil
}

// dropOffer removes o from a's offers and returns where it was (-1 if
// absent).
func (a *attendee) dropOffer(o *offerState) int {
	i := slices.Index(a.offers, o)
	if i >= 0 {
		a.offers = slices.Delete(a.offers, i, i+1)
	}
	return i
}

// conflictWith returns the id of a held session overlapping s, or "".
func (a *attendee) conflictWith(s *sessionState) string {
	for _, st := range a.seats {
		if st.s != s && conference.Overlaps(st.s.se.Start, st.s.se.End, s.se.Start, s.se.End) {
			return st.s.id
		}
	}
	return ""
}

// onDay counts the reservations held on a conference day.
func (a *attendee) onDay(day string) int {
	n := 0
	for _, st := range a.seats {
		if st.s.day == day {
			n++
		}
	}
	return n
}

// take spends n quota tokens; when there are too few it reports how long
// until there are enough. The bucket holds one minute's worth and refills
// continuously.
func (a *attendee) take(n int, now time.Time, perMinute int) (bool, time.Duration) {
	capacity := float64(perMinute)
	if a.refilled.IsZero() {
		a.tokens = capacity
	} else if el := now.Sub(a.refilled); el > 0 {
		a.tokens = min(capacity, a.tokens+el.Minutes()*capacity)
	}
	a.refilled = now
	if a.tokens >= float64(n) {
		a.tokens -= float64(n)
		return true, 0
	}
	missing := float64(n) - a.tokens
	return false, time.Duration(missing / capacity * float64(time.Minute))
}

type offerState struct {
	Offer
	a *attendee
	s *sessionState
}
