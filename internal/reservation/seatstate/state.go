// Package seatstate is the seat engine's memory: the sessions with their
// seats, waitlists and offers, and the attendees with their quota and
// remembered answers. It decides nothing (the reservation package does);
// it holds the state and changes it.
//
// Every field is unexported, so the only way to change the state from
// outside is through the methods of State. While a batch is being decided
// with Record on, each of those methods first records its exact inverse;
// Rollback runs the inverses newest first and restores the state from
// before the batch. That is what lets a node that lost a commit race take
// its decisions back (docs/seats.md). With Record off (one node) nothing is
// recorded and nothing is allocated for it.
//
// Readers on other goroutines see only what Publish made visible: an
// Index of sessions, replaced and never mutated, and each session's
// published counts in atomics.
package seatstate

import (
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/live"
)

// State is the whole seat memory of one engine. It is not safe for
// concurrent use: one goroutine (the sequencer) owns it.
type State struct {
	conf      *live.State
	sessions  map[string]*Session
	index     *Index // the sessions as published (Publish)
	reindex   bool   // sessions was replaced since index was made
	attendees map[string]*Attendee
	offers    map[string]*Offer

	releases    []*Session // scheduled and not released, by release instant
	nextRelease int        // releases[:nextRelease] are done
	nextExpiry  time.Time  // earliest open offer expiry; zero: none
	waitSeq     int64      // the largest waitlist sequence number seen

	touched map[*Session]struct{} // changed since the last Publish

	recording bool
	undo      []func()
}

// New returns an empty state.
func New() *State {
	st := &State{}
	st.Reset()
	return st
}

// Reset forgets everything (before a reload), the journal included.
func (st *State) Reset() {
	st.conf = nil
	st.sessions = map[string]*Session{}
	st.reindex = true
	st.attendees = map[string]*Attendee{}
	st.offers = map[string]*Offer{}
	st.releases, st.nextRelease = nil, 0
	st.nextExpiry = time.Time{}
	st.waitSeq = 0
	st.touched = map[*Session]struct{}{}
	st.recording = false
	st.Forget()
}

// ---- the journal ----

// Record makes every change from now on record its inverse.
func (st *State) Record() { st.recording = true }

// Pause stops recording; what was recorded is kept for Rollback.
func (st *State) Pause() { st.recording = false }

// Rollback takes back every recorded change, newest first, and clears the
// journal.
func (st *State) Rollback() {
	for i := len(st.undo) - 1; i >= 0; i-- {
		st.undo[i]()
	}
	st.Forget()
}

// Forget clears the journal: the recorded changes stay.
func (st *State) Forget() {
	clear(st.undo)
	st.undo = st.undo[:0]
}

// ---- reads ----

// Conference is the conference the sessions follow (nil before Configure).
func (st *State) Conference() *live.State { return st.conf }

// Session returns a session by id, or nil.
func (st *State) Session(id string) *Session { return st.sessions[id] }

// Sessions calls each for every session, in no particular order.
func (st *State) Sessions(each func(*Session)) {
	for _, s := range st.sessions {
		each(s)
	}
}

// Attendee returns a known attendee, or nil.
func (st *State) Attendee(id string) *Attendee { return st.attendees[id] }

// AttendeeFor returns the attendee, creating an empty one. An attendee
// with nothing is the same as an unknown one, so creating it is not
// recorded.
func (st *State) AttendeeFor(id string) *Attendee {
	a := st.attendees[id]
	if a == nil {
		a = &Attendee{id: id, waiting: map[*Session]int64{}}
		st.attendees[id] = a
	}
	return a
}

// Offer returns an open offer by id, or nil.
func (st *State) Offer(id string) *Offer { return st.offers[id] }

// NextWaitSeq is the sequence number a new waitlist place gets.
func (st *State) NextWaitSeq() int64 { return st.waitSeq + 1 }

// Index is the published view of the sessions; it is never mutated.
func (st *State) Index() *Index { return st.index }

// ---- changes of seats, waitlists and offers ----

// AddSeat gives a a seat in s, created at created (checked in already when
// loaded so). The waitlist place, if any, is the caller's to remove.
func (st *State) AddSeat(a *Attendee, s *Session, created time.Time, checkedIn bool) {
	seat := &Seat{s: s, created: created, checkedIn: checkedIn}
	a.seats = append(a.seats, seat)
	s.holders[a] = seat
	if st.recording {
		st.undo = append(st.undo, func() {
			if i := slices.Index(a.seats, seat); i >= 0 {
				a.seats = slices.Delete(a.seats, i, i+1)
			}
			delete(s.holders, a)
		})
	}
	st.Touch(s)
}

// DropSeat takes a's seat in s away.
func (st *State) DropSeat(a *Attendee, s *Session) {
	seat := s.holders[a]
	i := a.seatIndex(s)
	if i >= 0 {
		a.seats = slices.Delete(a.seats, i, i+1)
	}
	delete(s.holders, a)
	if st.recording && seat != nil {
		st.undo = append(st.undo, func() {
			if i >= 0 {
				a.seats = slices.Insert(a.seats, i, seat)
			}
			s.holders[a] = seat
		})
	}
	st.Touch(s)
}

// RemoveWaiter takes a off s's waitlist, keeping everyone else's order.
func (st *State) RemoveWaiter(s *Session, a *Attendee) {
	i := slices.Index(s.waitlist, a)
	seq, ok := a.waiting[s]
	if i >= 0 {
		s.waitlist = slices.Delete(s.waitlist, i, i+1)
	}
	delete(a.waiting, s)
	if st.recording && (i >= 0 || ok) {
		st.undo = append(st.undo, func() {
			if i >= 0 {
				s.waitlist = slices.Insert(s.waitlist, i, a)
			}
			if ok {
				a.waiting[s] = seq
			}
		})
	}
	st.Touch(s)
}

// InsertWaiter puts a on s's waitlist at the place seq gives it (seqs
// order the waitlist; new ones are the largest, so this appends).
func (st *State) InsertWaiter(s *Session, a *Attendee, seq int64) {
	i := len(s.waitlist)
	for i > 0 && s.waitlist[i-1].waiting[s] > seq {
		i--
	}
	s.waitlist = slices.Insert(s.waitlist, i, a)
	a.waiting[s] = seq
	if st.recording {
		old := st.waitSeq
		st.undo = append(st.undo, func() {
			s.waitlist = slices.Delete(s.waitlist, i, i+1)
			delete(a.waiting, s)
			st.waitSeq = old
		})
	}
	st.waitSeq = max(st.waitSeq, seq)
	st.Touch(s)
}

// ClearWaitlist empties s's waitlist.
func (st *State) ClearWaitlist(s *Session) {
	if len(s.waitlist) == 0 {
		return
	}
	old := s.waitlist
	var seqs []int64
	if st.recording {
		seqs = make([]int64, len(old))
	}
	for i, a := range old {
		if seqs != nil {
			seqs[i] = a.waiting[s]
		}
		delete(a.waiting, s)
	}
	s.waitlist = nil
	if st.recording {
		st.undo = append(st.undo, func() {
			s.waitlist = old
			for i, a := range old {
				a.waiting[s] = seqs[i]
			}
		})
	}
	st.Touch(s)
}

// OpenOffer makes an open offer holding one of s's seats for a.
func (st *State) OpenOffer(id string, a *Attendee, s *Session, created, expires time.Time) *Offer {
	o := &Offer{id: id, a: a, s: s, created: created, expires: expires}
	st.offers[id] = o
	a.offers = append(a.offers, o)
	s.held++
	if st.recording {
		next := st.nextExpiry
		st.undo = append(st.undo, func() {
			delete(st.offers, id)
			a.dropOffer(o)
			s.held--
			st.nextExpiry = next
		})
	}
	if st.nextExpiry.IsZero() || expires.Before(st.nextExpiry) {
		st.nextExpiry = expires
	}
	st.Touch(s)
	return o
}

// ForgetOffer ends an open offer: its seat is free again.
func (st *State) ForgetOffer(o *Offer) {
	delete(st.offers, o.id)
	i := o.a.dropOffer(o)
	o.s.held--
	if st.recording {
		st.undo = append(st.undo, func() {
			st.offers[o.id] = o
			if i >= 0 {
				o.a.offers = slices.Insert(o.a.offers, i, o)
			}
			o.s.held++
		})
	}
	st.Touch(o.s)
}

// ForgetOffers ends every open offer of s.
func (st *State) ForgetOffers(s *Session) {
	if s.held == 0 {
		return
	}
	for _, o := range st.offers {
		if o.s == s {
			st.ForgetOffer(o)
		}
	}
}

// NewestOffer is s's most recently made open offer, or nil.
func (st *State) NewestOffer(s *Session) *Offer {
	var newest *Offer
	for _, o := range st.offers {
		if o.s == s && (newest == nil || o.created.After(newest.created)) {
			newest = o
		}
	}
	return newest
}

// SetAutoAccept sets whether a accepts offers automatically.
func (st *State) SetAutoAccept(a *Attendee, on bool) {
	if st.recording {
		old := a.autoAccept
		st.undo = append(st.undo, func() { a.autoAccept = old })
	}
	a.autoAccept = on
}

// CheckIn records that the attendee is in s; a seat they hold is marked.
func (st *State) CheckIn(s *Session, attendeeID string, at time.Time) {
	s.checkedIn[attendeeID] = at
	var seat *Seat
	var was bool
	if a := st.attendees[attendeeID]; a != nil {
		if seat = s.holders[a]; seat != nil {
			was = seat.checkedIn
			seat.checkedIn = true
		}
	}
	if st.recording {
		st.undo = append(st.undo, func() {
			delete(s.checkedIn, attendeeID)
			if seat != nil {
				seat.checkedIn = was
			}
		})
	}
	st.Touch(s)
}

// NoteWaitSeq makes sure new waitlist places number after seq (a stored
// place of a session that is gone still used it).
func (st *State) NoteWaitSeq(seq int64) {
	if seq <= st.waitSeq {
		return
	}
	if st.recording {
		old := st.waitSeq
		st.undo = append(st.undo, func() { st.waitSeq = old })
	}
	st.waitSeq = seq
}

// RestoreCheckIn records a stored check-in at load; unlike CheckIn it
// leaves the seats as stored.
func (st *State) RestoreCheckIn(s *Session, attendeeID string, at time.Time) {
	recordSet(st, s.checkedIn, attendeeID)
	s.checkedIn[attendeeID] = at
}

// MarkReleased records that s's walk-up release has happened.
func (st *State) MarkReleased(s *Session) {
	if st.recording && !s.released {
		st.undo = append(st.undo, func() { s.released = false })
	}
	s.released = true
}

// TakeQuota spends n of a's quota tokens at the instant at; when there are
// too few it reports how long until there are enough. The bucket holds
// perMinute tokens and refills continuously.
func (st *State) TakeQuota(a *Attendee, n int, at time.Time, perMinute int) (bool, time.Duration) {
	if st.recording {
		tokens, refilled := a.tokens, a.refilled
		st.undo = append(st.undo, func() { a.tokens, a.refilled = tokens, refilled })
	}
	capacity := float64(perMinute)
	if a.refilled.IsZero() {
		a.tokens = capacity
	} else if el := at.Sub(a.refilled); el > 0 {
		a.tokens = min(capacity, a.tokens+el.Minutes()*capacity)
	}
	a.refilled = at
	if a.tokens >= float64(n) {
		a.tokens -= float64(n)
		return true, 0
	}
	missing := float64(n) - a.tokens
	return false, time.Duration(missing / capacity * float64(time.Minute))
}

// Remember keeps the first answer to one of a's idempotency keys.
func (st *State) Remember(a *Attendee, key string, ans *Answer) {
	if a.answers == nil {
		a.answers = map[string]*Answer{}
	}
	recordSet(st, a.answers, key)
	a.answers[key] = ans
}

// recordSet records the inverse of setting m[k], about to happen.
func recordSet[K comparable, V any](st *State, m map[K]V, k K) {
	if !st.recording {
		return
	}
	old, had := m[k]
	st.undo = append(st.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// ---- due work ----

// DueReleases returns the sessions whose walk-up release is due at now and
// has not happened, by release instant; they are the caller's to release
// (MarkReleased).
func (st *State) DueReleases(now time.Time) []*Session {
	if st.recording {
		next := st.nextRelease
		st.undo = append(st.undo, func() { st.nextRelease = next })
	}
	var due []*Session
	for st.nextRelease < len(st.releases) && !now.Before(st.releases[st.nextRelease].release) {
		s := st.releases[st.nextRelease]
		st.nextRelease++
		if !s.released {
			due = append(due, s)
		}
	}
	return due
}

// ExpiryDue reports whether an open offer may have expired at now.
func (st *State) ExpiryDue(now time.Time) bool {
	return !st.nextExpiry.IsZero() && !now.Before(st.nextExpiry)
}

// Expired lists the open offers expired at now, soonest (then by id)
// first.
func (st *State) Expired(now time.Time) []*Offer {
	var expired []*Offer
	for _, o := range st.offers {
		if !now.Before(o.expires) {
			expired = append(expired, o)
		}
	}
	sort.Slice(expired, func(i, j int) bool {
		if !expired[i].expires.Equal(expired[j].expires) {
			return expired[i].expires.Before(expired[j].expires)
		}
		return expired[i].id < expired[j].id
	})
	return expired
}

// ResetExpiry recomputes the earliest expiry of the open offers.
func (st *State) ResetExpiry() {
	if st.recording {
		old := st.nextExpiry
		st.undo = append(st.undo, func() { st.nextExpiry = old })
	}
	st.nextExpiry = time.Time{}
	for _, o := range st.offers {
		if st.nextExpiry.IsZero() || o.expires.Before(st.nextExpiry) {
			st.nextExpiry = o.expires
		}
	}
}

// ---- publishing ----

// Touch marks s changed, so that the next Publish shows its counts.
// Touching is not recorded: publishing a count again is harmless.
func (st *State) Touch(s *Session) { st.touched[s] = struct{}{} }

// TouchAll marks every reservable session changed.
func (st *State) TouchAll() {
	for _, s := range st.sessions {
		if s.Reservable() {
			st.Touch(s)
		}
	}
}

// Publish makes the touched sessions' counts and the current sessions
// visible to readers, and calls each (when not nil) for every touched
// session.
func (st *State) Publish(each func(*Session)) {
	for s := range st.touched {
		s.publish()
		if each != nil {
			each(s)
		}
	}
	clear(st.touched)
	if st.index == nil || st.reindex {
		st.index = &Index{sessions: st.sessions}
		st.reindex = false
	}
}

// PublishAll publishes every session (after a load).
func (st *State) PublishAll() {
	for _, s := range st.sessions {
		st.Touch(s)
	}
	st.Publish(nil)
}

// ForgetTouched drops the marks without publishing (a failed batch).
func (st *State) ForgetTouched() { clear(st.touched) }

// Index is a published, never mutated, set of sessions for readers on
// other goroutines.
type Index struct {
	sessions map[string]*Session
}

// Session returns the published session, or nil.
func (ix *Index) Session(id string) *Session {
	if ix == nil {
		return nil
	}
	return ix.sessions[id]
}

// published is what readers see of a session. reserved and held share one
// word so that a reader never sees one from before a commit and the other
// from after it.
type published struct {
	seats                        atomic.Uint64 // reserved<<32 | held
	capacity, checkedIn, waiting atomic.Int32
}

// Counts are a session's published numbers.
type Counts struct {
	Capacity, Reserved, Held, CheckedIn, Waiting int
}

// ---- sessions ----

// Session is the engine's view of one session's seats.
type Session struct {
	id       string
	conf     *conference.Session // in the state's current conference
	day      string              // conference-zone date of the start
	room     int32               // travel room index, -1 if none
	capacity int
	release  time.Time
	released bool

	holders   map[*Attendee]*Seat
	held      int // open offers
	waitlist  []*Attendee
	checkedIn map[string]time.Time

	pub published
}

func newSession(id string) *Session {
	return &Session{id: id, room: -1, holders: map[*Attendee]*Seat{}, checkedIn: map[string]time.Time{}}
}

func (s *Session) ID() string                 { return s.id }
func (s *Session) Conf() *conference.Session  { return s.conf }
func (s *Session) Day() string                { return s.day }
func (s *Session) Room() int32                { return s.room }
func (s *Session) Capacity() int              { return s.capacity }
func (s *Session) Release() time.Time         { return s.release }
func (s *Session) Released() bool             { return s.released }
func (s *Session) Reserved() int              { return len(s.holders) }
func (s *Session) Held() int                  { return s.held }
func (s *Session) Waiting() int               { return len(s.waitlist) }
func (s *Session) HolderOf(a *Attendee) *Seat { return s.holders[a] }

// Available is capacity minus reserved minus held (negative when an
// organizer lowered the capacity below them).
func (s *Session) Available() int { return s.capacity - len(s.holders) - s.held }

// Reservable reports whether the session takes reservations at all.
func (s *Session) Reservable() bool {
	return s.conf != nil && s.conf.Reservable && s.conf.Scheduled() && !s.conf.Cancelled
}

// Holders lists the attendees holding a seat, in no particular order.
func (s *Session) Holders() []*Attendee {
	out := make([]*Attendee, 0, len(s.holders))
	for a := range s.holders {
		out = append(out, a)
	}
	return out
}

// FirstWaiter is the first attendee on the waitlist for whom ok holds,
// or nil.
func (s *Session) FirstWaiter(ok func(*Attendee) bool) *Attendee {
	for _, a := range s.waitlist {
		if ok(a) {
			return a
		}
	}
	return nil
}

// Position is a's place on the waitlist (1 = next), 0 when not on it.
func (s *Session) Position(a *Attendee) int { return slices.Index(s.waitlist, a) + 1 }

// FirstSeq is the smallest sequence number on the waitlist, or ifEmpty.
func (s *Session) FirstSeq(ifEmpty int64) int64 {
	first := ifEmpty
	for _, a := range s.waitlist {
		first = min(first, a.waiting[s])
	}
	return first
}

// CheckedIn returns when the attendee checked in, if they did.
func (s *Session) CheckedIn(attendeeID string) (time.Time, bool) {
	at, ok := s.checkedIn[attendeeID]
	return at, ok
}

func (s *Session) publish() {
	s.pub.capacity.Store(int32(s.capacity))
	s.pub.seats.Store(uint64(len(s.holders))<<32 | uint64(uint32(s.held)))
	s.pub.checkedIn.Store(int32(len(s.checkedIn)))
	s.pub.waiting.Store(int32(len(s.waitlist)))
}

// Published returns the counts as of the last Publish; safe from any
// goroutine.
func (s *Session) Published() Counts {
	v := s.pub.seats.Load()
	return Counts{Capacity: int(s.pub.capacity.Load()), Reserved: int(v >> 32), Held: int(uint32(v)),
		CheckedIn: int(s.pub.checkedIn.Load()), Waiting: int(s.pub.waiting.Load())}
}

// Seat is one active reservation.
type Seat struct {
	s         *Session
	created   time.Time
	checkedIn bool
}

func (seat *Seat) Session() *Session  { return seat.s }
func (seat *Seat) Created() time.Time { return seat.created }
func (seat *Seat) CheckedIn() bool    { return seat.checkedIn }

// Offer is a seat held for one waitlisted attendee until it expires.
type Offer struct {
	id      string
	a       *Attendee
	s       *Session
	created time.Time
	expires time.Time
}

func (o *Offer) ID() string           { return o.id }
func (o *Offer) Attendee() *Attendee  { return o.a }
func (o *Offer) Session() *Session    { return o.s }
func (o *Offer) Created() time.Time   { return o.created }
func (o *Offer) ExpiresAt() time.Time { return o.expires }

// Answer is the first answer to an idempotency key.
type Answer struct {
	Hash    []byte
	Body    []byte
	Created time.Time
}

// ---- attendees ----

// Attendee is one attendee's seats, waitlist places, offers, quota and
// remembered answers.
type Attendee struct {
	id         string
	seats      []*Seat
	waiting    map[*Session]int64 // waitlist seq by session
	offers     []*Offer
	autoAccept bool

	tokens   float64
	refilled time.Time

	answers map[string]*Answer
}

func (a *Attendee) ID() string       { return a.id }
func (a *Attendee) AutoAccept() bool { return a.autoAccept }

// Holds reports whether a holds a seat in s.
func (a *Attendee) Holds(s *Session) bool { return a.seatIndex(s) >= 0 }

// Seats lists a's seats, in the order they were taken.
func (a *Attendee) Seats() []*Seat { return slices.Clone(a.seats) }

func (a *Attendee) seatIndex(s *Session) int {
	for i, seat := range a.seats {
		if seat.s == s {
			return i
		}
	}
	return -1
}

// HeldSession returns the session with that id in which a holds a seat,
// or nil.
func (a *Attendee) HeldSession(id string) *Session {
	for _, seat := range a.seats {
		if seat.s.id == id {
			return seat.s
		}
	}
	return nil
}

// LastEndingBy is the session a holds on day that ends latest at or before
// t, or nil: where a comes from to a session starting at t.
func (a *Attendee) LastEndingBy(day string, t time.Time) *Session {
	var prev *Session
	for _, seat := range a.seats {
		p := seat.s
		if p.day == day && !p.conf.End.After(t) && (prev == nil || p.conf.End.After(prev.conf.End)) {
			prev = p
		}
	}
	return prev
}

// Waits reports whether a is on s's waitlist.
func (a *Attendee) Waits(s *Session) bool {
	_, ok := a.waiting[s]
	return ok
}

// OfferFor returns a's open offer for s, or nil.
func (a *Attendee) OfferFor(s *Session) *Offer {
	for _, o := range a.offers {
		if o.s == s {
			return o
		}
	}
	return nil
}

// Offers lists a's open offers, oldest first.
func (a *Attendee) Offers() []*Offer { return slices.Clone(a.offers) }

// Answer returns the remembered answer to key, or nil.
func (a *Attendee) Answer(key string) *Answer { return a.answers[key] }

// dropOffer removes o from a's offers and returns where it was (-1 if
// absent).
func (a *Attendee) dropOffer(o *Offer) int {
	i := slices.Index(a.offers, o)
	if i >= 0 {
		a.offers = slices.Delete(a.offers, i, i+1)
	}
	return i
}

// ConflictWith returns the id of a held session overlapping s, or "".
func (a *Attendee) ConflictWith(s *Session) string {
	for _, seat := range a.seats {
		if seat.s != s && conference.Overlaps(seat.s.conf.Start, seat.s.conf.End, s.conf.Start, s.conf.End) {
			return seat.s.id
		}
	}
	return ""
}

// OnDay counts the seats a holds on a conference day.
func (a *Attendee) OnDay(day string) int {
	n := 0
	for _, seat := range a.seats {
		if seat.s.day == day {
			n++
		}
	}
	return n
}
