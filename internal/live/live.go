// Package live holds the current immutable view of the conference: the
// snapshot, its search index and its compiled travel model. A change builds
// a new State and swaps it in atomically; readers never lock.
package live

import (
	"fmt"
	"sync/atomic"

	"venuehop/internal/catalog"
	"venuehop/internal/conference"
	"venuehop/internal/travel"
)

// State is one revision of the conference, ready to serve reads.
type State struct {
	Snap    *conference.Snapshot
	Catalog *catalog.Index
	Travel  *travel.Model
}

// Build validates c and precomputes everything reads need. Overlapping
// sittings in one room are tolerated (real imports have them), and so is a
// recording URL that is not http(s), which a store from before it was
// refused may hold (it is never served).
func Build(c *conference.Conference, rev int64) (*State, error) {
	snap, err := conference.NewSnapshot(c, rev, conference.ValidateOptions{RoomOverlapIsWarning: true, BadRecordingURLIsWarning: true})
	if err != nil {
		return nil, err
	}
	tm, err := travel.Compile(snap)
	if err != nil {
		return nil, fmt.Errorf("compiling the travel model: %w", err)
	}
	return &State{Snap: snap, Catalog: catalog.New(snap), Travel: tm}, nil
}

// Holder holds the current State.
type Holder struct{ p atomic.Pointer[State] }

// Load returns the current state (nil before the first Store).
func (h *Holder) Load() *State { return h.p.Load() }

// Store makes s current.
func (h *Holder) Store(s *State) { h.p.Store(s) }
