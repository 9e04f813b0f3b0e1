// Package reservation owns the seats: reservations, waitlists, timed
// offers, walk-up release and check-in. The Engine is the only writer of
// seats. Its state lives in memory, mutated by one sequencer goroutine; every
// decision is made against that state and written to the Store in one
// transaction per batch of concurrent requests (group commit) before anyone
// hears the answer. The package does no I/O of its own; the store backends
// implement Store.
package reservation

import (
	"context"
	"time"

	"venuehop/internal/conference"
)

// Status is the outcome for one session id of a reservation request. The
// values are part of the API (API.md).
type Status string

const (
	Reserved      Status = "reserved"
	Already       Status = "already"
	Full          Status = "full"
	Conflict      Status = "conflict"
	CapReached    Status = "cap_reached"
	NotOpen       Status = "not_open"
	Closed        Status = "closed"
	NotReservable Status = "not_reservable"
	Cancelled     Status = "cancelled"
	Unknown       Status = "unknown"
)

// Result is the outcome for one session id.
type Result struct {
	SessionID    string     `json:"sessionId"`
	Status       Status     `json:"status"`
	ConflictWith string     `json:"conflictWith,omitempty"`
	OpensAt      *time.Time `json:"opensAt,omitempty"`
}

// Answer is the reply to a reservation batch. Body is its exact JSON
// encoding ({"results":[...]} and a newline): the bytes an Idempotency-Key
// replays.
type Answer struct {
	Results []Result `json:"results"`
	Body    []byte   `json:"-"`
	// Replayed is true when Body is the stored answer of an earlier request
	// with the same Idempotency-Key.
	Replayed bool `json:"-"`
}

// MaxBatch is the most session ids one reservation request may carry.
const MaxBatch = 10

// Config is the reservation policy.
type Config struct {
	// Open is the instant reservations open; zero means they are open.
	Open time.Time
	// ReleaseLead is how long before the start unclaimed reservations lapse
	// to the walk-up line (default 10 min).
	ReleaseLead time.Duration
	// DailyCap is the most reservations an attendee may hold per conference
	// day (default 12).
	DailyCap int
	// QuotaPerMinute is how many session ids an attendee may send a minute
	// (default 30); the bucket holds one minute's worth.
	QuotaPerMinute int
	// OfferWindow is how long a waitlist offer holds its seat when the
	// session is far away (default 60 min); closer to the start the window
	// shrinks (half the time left to the release, at least MinOfferWindow)
	// and never outlasts the release instant.
	OfferWindow    time.Duration
	MinOfferWindow time.Duration
	// MaxBatch is the most requests decided and committed together (group
	// commit); 1 commits every request on its own (--commit per-request).
	MaxBatch int
	// IdempotencyTTL is how long an Idempotency-Key is remembered (24 h).
	IdempotencyTTL time.Duration
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.ReleaseLead <= 0 {
		c.ReleaseLead = 10 * time.Minute
	}
	if c.DailyCap <= 0 {
		c.DailyCap = 12
	}
	if c.QuotaPerMinute <= 0 {
		c.QuotaPerMinute = 30
	}
	if c.OfferWindow <= 0 {
		c.OfferWindow = 60 * time.Minute
	}
	if c.MinOfferWindow <= 0 {
		c.MinOfferWindow = 2 * time.Minute
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 512
	}
	if c.IdempotencyTTL <= 0 {
		c.IdempotencyTTL = 24 * time.Hour
	}
	return c
}

// Release is the instant a session's unclaimed reservations lapse: start
// minus the lead. A reservation is valid before it; at it, it has lapsed.
func (c Config) Release(s *conference.Session) time.Time {
	return s.Start.Add(-c.ReleaseLead)
}

// Band summarises seats for lists: walkup from the release instant on,
// full, limited below 20% available, else available.
func Band(capacity, available int, release, now time.Time) string {
	switch {
	case !release.IsZero() && !now.Before(release):
		return "walkup"
	case available <= 0:
		return "full"
	case available*5 < capacity:
		return "limited"
	}
	return "available"
}

// Reservation is one attendee's reservation as stored.
type Reservation struct {
	Attendee  string     `json:"-"`
	SessionID string     `json:"sessionId"`
	Status    string     `json:"status"` // active | lapsed | session_cancelled
	Created   time.Time  `json:"createdAt"`
	CheckedIn *time.Time `json:"checkedInAt,omitempty"`
}

// Offer is a seat held for one waitlisted attendee until ExpiresAt.
type Offer struct {
	ID        string    `json:"id"`
	Attendee  string    `json:"-"`
	SessionID string    `json:"sessionId"`
	Created   time.Time `json:"-"`
	ExpiresAt time.Time `json:"expiresAt"`
	State     string    `json:"state"` // open | accepted | declined | expired | withdrawn
}

// Offer states.
const (
	OfferOpen      = "open"
	OfferAccepted  = "accepted"
	OfferDeclined  = "declined"
	OfferExpired   = "expired"
	OfferWithdrawn = "withdrawn"
)

// Reservation states in the store.
const (
	StateActive           = "active"
	StateCancelled        = "cancelled"         // by the attendee
	StateLapsed           = "lapsed"            // not checked in at the release instant
	StateSessionCancelled = "session_cancelled" // the organizer cancelled the session
)

// WaitPlace is an attendee's place on a session's waitlist (1 = next).
type WaitPlace struct {
	SessionID string `json:"sessionId"`
	Position  int    `json:"position"`
}

// CheckIn is the answer to a badge scan.
type CheckIn struct {
	SessionID   string    `json:"sessionId"`
	AttendeeID  string    `json:"attendeeId"`
	CheckedInAt time.Time `json:"checkedInAt"`
	// Reserved is true when the attendee held a reservation; false for a
	// walk-up.
	Reserved bool `json:"reserved"`
	// Already is true when this scan repeated an earlier one.
	Already bool `json:"already"`
}

// Occupancy is one session's seat picture for organizers.
type Occupancy struct {
	SessionID string `json:"sessionId"`
	Capacity  int    `json:"capacity"`
	Reserved  int    `json:"reserved"`
	Held      int    `json:"held"`
	CheckedIn int    `json:"checkedIn"`
	Waitlist  int    `json:"waitlist"`
}

// SeatCount is a session's published seat numbers.
type SeatCount struct {
	SessionID string
	Capacity  int
	Reserved  int
	Held      int
	Release   time.Time
}

// Available is capacity minus reserved minus held (never negative).
func (c SeatCount) Available() int { return max(0, c.Capacity-c.Reserved-c.Held) }

// Notifier hears about changes after they are committed. It is called from
// the sequencer and must not block.
type Notifier interface {
	// SeatsChanged reports new seat counts.
	SeatsChanged(counts []SeatCount)
	// OfferMade tells one attendee about an offer (State open), or that an
	// offer was accepted for them automatically (State accepted).
	OfferMade(o Offer)
	// SessionChanged reports an organizer change: kind is moved,
	// cancelled or capacity.
	SessionChanged(sessionID, kind string)
}

// Store is what the engine needs from a backend. Apply must be atomic and
// durable when it returns nil (the answer is sent after it).
type Store interface {
	// LoadSeats returns the live state: active reservations, the
	// waitlist, open offers, settings, check-ins and the idempotency
	// records created at or after since.
	LoadSeats(ctx context.Context, since time.Time) (*Stored, error)
	// Apply writes ops in order, in one transaction.
	Apply(ctx context.Context, ops []Op) error
	// AttendeeReservations lists an attendee's reservations that are not
	// cancelled by the attendee, by creation.
	AttendeeReservations(ctx context.Context, attendee string) ([]Reservation, error)
	// AttendeeOffers lists an attendee's offers in the given state.
	AttendeeOffers(ctx context.Context, attendee, state string) ([]Offer, error)
	// OfferByID returns one offer in any state.
	OfferByID(ctx context.Context, id string) (Offer, bool, error)
	// AttendeeWaitlist lists the attendee's waitlist places.
	AttendeeWaitlist(ctx context.Context, attendee string) ([]WaitPlace, error)
	// SaveConference stores a new conference revision (store.ConferenceStore).
	SaveConference(ctx context.Context, c *conference.Conference, baseRev int64) (int64, error)
}

// Stored is the state LoadSeats returns.
type Stored struct {
	Reservations []Reservation // active only
	Waitlist     []Wait        // by Seq
	Offers       []Offer       // open only
	AutoAccept   []string      // attendees who accept offers automatically
	CheckIns     []CheckIn
	Idempotency  []IdempotencyRecord
}

// Wait is one waitlist entry. Seq orders the waitlist (lower first).
type Wait struct {
	Attendee  string
	SessionID string
	Seq       int64
	Created   time.Time
}

// IdempotencyRecord is the first answer to a request with a key.
type IdempotencyRecord struct {
	Attendee string
	Key      string
	Hash     []byte
	Body     []byte
	Created  time.Time
}

// OpKind says what an Op writes.
type OpKind uint8

const (
	// OpReserve inserts an active reservation (Attendee, SessionID, At).
	OpReserve OpKind = iota + 1
	// OpEndReservation ends the attendee's active reservation for the
	// session with State (cancelled, lapsed).
	OpEndReservation
	// OpLapseSession is the walk-up release of SessionID: its open offers
	// expire and its waitlist closes. (The lapsed reservations are
	// OpEndReservation ops of their own.)
	OpLapseSession
	// OpCancelSession withdraws SessionID's open offers and clears its
	// waitlist; its reservations end with OpEndReservation
	// (session_cancelled).
	OpCancelSession
	// OpWaitAdd puts Attendee on SessionID's waitlist with Seq.
	OpWaitAdd
	// OpWaitRemove takes Attendee off SessionID's waitlist.
	OpWaitRemove
	// OpOfferOpen records an open offer (OfferID, Attendee, SessionID, At,
	// Expires).
	OpOfferOpen
	// OpOfferEnd sets an open offer's State.
	OpOfferEnd
	// OpCheckIn records attendance (SessionID, Attendee, At) and marks the
	// active reservation, if any, checked in.
	OpCheckIn
	// OpIdempotency stores the first answer for (Attendee, Key).
	OpIdempotency
	// OpSetAutoAccept stores the attendee's auto-accept setting (Flag).
	OpSetAutoAccept
	// OpPruneIdempotency deletes idempotency records created before At.
	OpPruneIdempotency
	// OpQuota records that Attendee spent Seq quota tokens at At. The
	// engine emits it only for a SharedLog store, whose other nodes replay
	// it; it writes no table.
	OpQuota
)

// Op is one write. Which fields matter depends on Kind.
type Op struct {
	Kind      OpKind
	Attendee  string
	SessionID string
	OfferID   string
	State     string
	Key       string
	Seq       int64
	At        time.Time
	Expires   time.Time
	Hash      []byte
	Body      []byte
	Flag      bool
}
