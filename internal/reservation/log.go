package reservation

import (
	"context"
	"errors"
	"time"

	"venuehop/internal/conference"
)

// SharedLog is implemented by stores that several engines — several
// venuehop nodes — write through (PostgreSQL). Every committed batch of
// ops becomes one entry of a totally ordered log. An engine commits only
// on top of the newest entry it has seen (ApplyAt fails with ErrStale
// otherwise), so the nodes together decide exactly as one sequencer would:
// a node that lost the race takes its decisions back, replays the entries
// it missed and decides again.
//
// With a SharedLog the engine also logs OpQuota ops, so that the
// per-attendee quota is shared by all nodes.
type SharedLog interface {
	// LoadSeatsAt is LoadSeats plus the log position the state includes,
	// read in one snapshot.
	LoadSeatsAt(ctx context.Context, since time.Time) (*Stored, int64, error)
	// ApplyAt writes ops in one transaction as the entry after head, only
	// if head is still the newest entry, and returns the new head. When
	// another engine committed first, nothing is written and the error
	// wraps ErrStale.
	ApplyAt(ctx context.Context, head int64, ops []Op) (int64, error)
	// ApplyLocked is the commit that cannot be stale, for an engine that
	// lost a race: in one transaction it waits for its turn on the log,
	// hands decide the entries after head, the newest conference
	// revision and whether the entries are complete (as Since), and
	// writes the ops decide returns as the next entry; it returns the new
	// head (the newest, when there were no ops). decide may be called
	// again if the transaction is retried; its error rolls back.
	ApplyLocked(ctx context.Context, head int64, decide func(entries []LogEntry, confRev int64, complete bool) ([]Op, error)) (int64, error)
	// Since returns the entries after head, in order, and the newest
	// conference revision. complete is false when some of them were
	// pruned: the caller must reload everything (LoadSeatsAt).
	Since(ctx context.Context, head int64) (entries []LogEntry, confRev int64, complete bool, err error)
	// LoadConference returns the newest conference revision.
	LoadConference(ctx context.Context) (*conference.Conference, int64, error)
	// Watch calls wake whenever another node may have committed, until
	// ctx ends: with the new entry's number when a commit is announced,
	// with 0 when it is not known (a conference save, a reconnect after
	// which some may have been missed). wake must not block.
	Watch(ctx context.Context, wake func(seq int64))
}

// LogEntry is one committed batch of another node.
type LogEntry struct {
	Seq int64
	Ops []Op
}

// ErrStale is wrapped by a SharedLog's error when the engine's memory was
// behind the store (another node committed first, or the store's own seat
// guard refused the batch): nothing was written, and deciding again on
// fresh state is the remedy.
var ErrStale = errors.New("the seats changed meanwhile (another node committed first)")

// IsStale reports whether err wraps ErrStale.
func IsStale(err error) bool { return errors.Is(err, ErrStale) }
