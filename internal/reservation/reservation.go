// Package reservation owns the seats: reservations, waitlists, timed
// offers, walk-up release and check-in. The Engine is the only writer of
// seats. Its state lives in memory (package seatstate), changed by one
// sequencer goroutine; every decision is made against that state and
// written to the Store in one transaction per batch of concurrent requests
// (group commit) before anyone hears the answer. The package does no I/O
// of its own; the store backends implement Store (and SharedLog for
// several nodes). docs/seats.md describes the protocol.
package reservation

import (
	"context"
	"time"

	"venuehop/internal/conference"
)

// Status is the outcome for one session id of a reservation request. The
// values are part of the HTTP API (docs/api.md): never rename one.
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
	Status    State      `json:"status"` // StateActive, StateLapsed, StateSessionCancelled
	Created   time.Time  `json:"createdAt"`
	CheckedIn *time.Time `json:"checkedInAt,omitempty"`
}

// State is the state of a stored reservation (the State… constants) or of
// an offer (the Offer… constants). The values are stored in the
// reservations and offers tables and shown by the API: never rename one.
type State string

// Reservation states.
const (
	StateActive           State = "active"
	StateCancelled        State = "cancelled"         // by the attendee
	StateLapsed           State = "lapsed"            // not checked in at the release instant
	StateSessionCancelled State = "session_cancelled" // the organizer cancelled the session
)

// Offer is a seat held for one waitlisted attendee until ExpiresAt.
type Offer struct {
	ID        string    `json:"id"`
	Attendee  string    `json:"-"`
	SessionID string    `json:"sessionId"`
	Created   time.Time `json:"-"`
	ExpiresAt time.Time `json:"expiresAt"`
	State     State     `json:"state"` // one of the Offer… states
}

// Offer states.
const (
	OfferOpen      State = "open"
	OfferAccepted  State = "accepted"
	OfferDeclined  State = "declined"
	OfferExpired   State = "expired"
	OfferWithdrawn State = "withdrawn" // the organizer lowered the capacity or cancelled the session
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
	// SessionChanged reports an organizer change.
	SessionChanged(sessionID string, kind ChangeKind)
}

// RemoteNotifier is implemented by notifiers that also want to hear of
// organizer changes another node made (the node that made them reported
// them through SessionChanged; this node's pages should hear them too, but
// work such as re-planning must not be done twice).
type RemoteNotifier interface {
	RemoteSessionChanged(sessionID string, kind ChangeKind)
}

// Store is what the engine needs from a backend. Apply must be atomic and
// durable when it returns nil (the answer is sent after it).
type Store interface {
	// LoadSeats returns the live state: active reservations, the
	// waitlist, open offers, settings, check-ins and the idempotency
	// records created at or after since.
	LoadSeats(ctx context.Context, since time.Time) (*Stored, error)
	// Apply writes ops in order, in one transaction. An OpConference
	// (always first) saves a conference revision in the same
	// transaction, so that an organizer's change and its seat
	// consequences are one commit.
	Apply(ctx context.Context, ops []Op) error
	// AttendeeReservations lists an attendee's reservations that are not
	// cancelled by the attendee, by creation.
	AttendeeReservations(ctx context.Context, attendee string) ([]Reservation, error)
	// AttendeeOffers lists an attendee's offers in the given state.
	AttendeeOffers(ctx context.Context, attendee string, state State) ([]Offer, error)
	// OfferByID returns one offer in any state.
	OfferByID(ctx context.Context, id string) (Offer, bool, error)
	// AttendeeWaitlist lists the attendee's waitlist places.
	AttendeeWaitlist(ctx context.Context, attendee string) ([]WaitPlace, error)
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

// OpKind says what an Op writes. The numbers are stored in the shared
// seat log (seat_log on PostgreSQL) and read back by other nodes and
// after upgrades: never renumber a kind, never reuse a retired number,
// add new kinds at the end (TestOpKindNumbersNeverChange pins them).
type OpKind uint8

const (
	// OpReserve inserts an active reservation (Attendee, SessionID, At).
	OpReserve OpKind = 1
	// OpEndReservation ends the attendee's active reservation for the
	// session with State (cancelled, lapsed, session_cancelled).
	OpEndReservation OpKind = 2
	// OpLapseSession is the walk-up release of SessionID: its open offers
	// expire and its waitlist closes. (The lapsed reservations are
	// OpEndReservation ops of their own.)
	OpLapseSession OpKind = 3
	// OpCancelSession withdraws SessionID's open offers and clears its
	// waitlist; its reservations end with OpEndReservation
	// (session_cancelled).
	OpCancelSession OpKind = 4
	// OpWaitAdd puts Attendee on SessionID's waitlist with Seq.
	OpWaitAdd OpKind = 5
	// OpWaitRemove takes Attendee off SessionID's waitlist.
	OpWaitRemove OpKind = 6
	// OpOfferOpen records an open offer (OfferID, Attendee, SessionID, At,
	// Expires).
	OpOfferOpen OpKind = 7
	// OpOfferEnd sets an open offer's State.
	OpOfferEnd OpKind = 8
	// OpCheckIn records attendance (SessionID, Attendee, At) and marks the
	// active reservation, if any, checked in.
	OpCheckIn OpKind = 9
	// OpIdempotency stores the first answer for (Attendee, Key).
	OpIdempotency OpKind = 10
	// OpSetAutoAccept stores the attendee's auto-accept setting (Flag).
	OpSetAutoAccept OpKind = 11
	// OpPruneIdempotency deletes idempotency records created before At.
	OpPruneIdempotency OpKind = 12
	// OpQuota records that Attendee spent Seq quota tokens at At. Other
	// nodes on a shared log replay it; it writes no table.
	OpQuota OpKind = 13
	// OpConference saves Conference as the revision after Seq (the base
	// revision it was made from), or fails with an errcode.Conflict when
	// Seq is no longer the newest. It is the first op of its batch. The
	// shared log keeps only the kind: other nodes load the revision.
	OpConference OpKind = 14
)

// Op is one write. Which fields matter depends on Kind.
type Op struct {
	Kind      OpKind
	Attendee  string
	SessionID string
	OfferID   string
	State     State // the reservation or offer state an op sets
	Key       string
	Seq       int64
	At        time.Time
	Expires   time.Time
	Hash      []byte
	Body      []byte
	Flag      bool
	// Conference is OpConference's document.
	Conference *conference.Conference
}

// writes reports whether ops change any table (OpQuota alone does not).
func writes(ops []Op) bool {
	for i := range ops {
		if ops[i].Kind != OpQuota {
			return true
		}
	}
	return false
}
