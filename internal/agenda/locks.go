package agenda

import (
	"context"
	"strings"

	"venuehop/internal/errcode"
	"venuehop/internal/planner"
)

// LockKey names a fixed item for locks and repairs: "session:ID" for a
// reservation or a marked keynote, "block:ID" for a personal block (a
// block without an id, as from a wishes file, by its title and start).
func LockKey(it planner.Item) string {
	switch {
	case it.Kind == planner.KindBlock && it.BlockID != "":
		return "block:" + it.BlockID
	case it.Kind == planner.KindBlock:
		return "block:" + it.Title + "@" + it.Start.UTC().Format("2006-01-02T15:04")
	}
	return "session:" + it.SessionID
}

// ApplyLocks marks the fixed items whose key is locked.
func ApplyLocks(in *Inputs, locks []string) {
	locked := map[string]bool{}
	for _, k := range locks {
		locked[k] = true
	}
	for i := range in.Fixed {
		if locked[LockKey(in.Fixed[i])] {
			in.Fixed[i].Locked = true
		}
	}
}

// maxLockKey bounds a lock's key (a session or block id with its prefix).
const maxLockKey = 200

// Locks lists the attendee's locked items (their LockKey).
func (s *Service) Locks(ctx context.Context, attendeeID string) ([]string, error) {
	return s.d.Plans.Locks(ctx, attendeeID)
}

// SetLock locks ("keep this no matter what") or unlocks one of the
// attendee's fixed items: a reservation, a marked keynote or a block. Only
// an item the attendee has can be locked (errcode.NotFound otherwise); an
// unlock always succeeds, so a stale lock can go.
func (s *Service) SetLock(ctx context.Context, attendeeID, key string, locked bool) error {
	kind, id, ok := strings.Cut(key, ":")
	if !ok || (kind != "session" && kind != "block") || id == "" || len(key) > maxLockKey {
		return errcode.New(errcode.Invalid, "item: expected session:ID or block:ID, got %q", key)
	}
	if locked {
		st, err := s.state()
		if err != nil {
			return err
		}
		in, err := s.gather(ctx, st.Snap, attendeeID)
		if err != nil {
			return err
		}
		found := false
		for _, f := range in.Fixed {
			found = found || LockKey(f) == key
		}
		if !found {
			return errcode.New(errcode.NotFound, "you hold no seat, marked keynote or block %q to lock", id)
		}
	}
	return s.d.Plans.SetLock(ctx, attendeeID, key, locked)
}
