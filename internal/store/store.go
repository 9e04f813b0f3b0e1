// Package store is the storage contract. Each backend (sqlite, postgres)
// implements it; storetest is the conformance suite they all pass. The
// interfaces are small and named after what their consumers need.
package store

import (
	"context"
	"time"

	"venuehop/internal/conference"
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
	// returns an errcode.Conflict error and stores nothing.
	SaveConference(ctx context.Context, c *conference.Conference, baseRev int64) (int64, error)
}

// Store is everything a backend provides.
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
