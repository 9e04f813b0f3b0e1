// Package store is the storage contract. Each backend (sqlite, postgres)
// implements it and hands all its stores over at once (Stores);
// storetest is the conformance suite they all pass. The interfaces of the
// individual stores are small and owned by their consumers (reservation,
// account, agenda, calfeed).
package store

import (
	"context"
	"encoding/json"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/calfeed"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/notify"
	"venuehop/internal/reservation"
	"venuehop/internal/webpush"
)

// ConferenceStore keeps the conference document. The conference changes
// rarely (an import, an organizer edit) and is read whole into an in-memory
// snapshot, so it is stored as one versioned document; every save makes a
// new revision.
type ConferenceStore interface {
	// LoadConference returns the newest revision. When nothing has been
	// saved yet it returns an errcode.NotFound error.
	LoadConference(ctx context.Context) (*conference.Conference, int64, error)
	// SaveConference stores c as a new revision, atomically, if the newest
	// revision is still baseRev (0 for "nothing stored yet"); otherwise it
	// returns an errcode.Conflict error and stores nothing. Once a seat
	// engine runs, changes go through it instead (reservation.OpConference),
	// so that a revision and its seat consequences are one commit.
	SaveConference(ctx context.Context, c *conference.Conference, baseRev int64) (int64, error)
}

// Store is the conference document plus the checks and the lifetime of a
// whole backend.
type Store interface {
	ConferenceStore
	// Check verifies the store's invariants and returns one problem per
	// violation found (empty when all hold).
	Check(ctx context.Context) ([]string, error)
	Close() error
}

// RevisionTimes is a backend that tells when each conference revision was
// saved (both do); documents built from a revision carry that time.
type RevisionTimes interface {
	ConferenceSavedAt(ctx context.Context, rev int64) (time.Time, error)
}

// BulkAccounts stores many password-less attendees and their API tokens in
// one transaction (the load test's way in, which skips password hashing).
type BulkAccounts interface {
	BulkAttendees(ctx context.Context, users []account.User, tokens []account.Token) error
}

// Stores are everything one backend keeps, opened together. Every field
// is set unless its comment says when it is nil.
type Stores struct {
	// Store is the conference, Check and Close (for the whole backend).
	Store
	Seats reservation.Store
	// SeatLog is the shared seat log several nodes commit through; nil on
	// a backend for one node (SQLite).
	SeatLog  reservation.SharedLog
	Accounts account.Store
	Bulk     BulkAccounts
	Plans    agenda.PlanStore
	Calendar calfeed.Store
	// CalendarKey keeps the calendar feed key in the database, so that
	// every node signs feed URLs alike; nil on SQLite (one node: the key
	// file in the data directory is the only one).
	CalendarKey calfeed.KeyStore
	// Revisions tells when each conference revision was saved.
	Revisions RevisionTimes
	// Push keeps the devices' Web Push subscriptions and the VAPID key
	// pair every node signs with.
	Push webpush.Store
	// Notices keeps the attendees' notices and their preferences.
	Notices notify.Store
	// SeatHolders finds who holds a seat for a session (change notices).
	SeatHolders notify.SeatHolders
}

// EncodeConference is the stored form of a conference revision (both
// backends keep the JSON document).
func EncodeConference(c *conference.Conference) ([]byte, error) {
	if c == nil {
		return nil, errcode.New(errcode.Invalid, "no conference to save")
	}
	body, err := json.Marshal(c)
	if err != nil {
		return nil, errcode.Wrap(errcode.Invalid, err, "conference cannot be encoded")
	}
	return body, nil
}
