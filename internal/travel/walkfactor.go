package travel

import (
	"math"
	"sync"

	"venuehop/internal/errcode"
)

// Walking factors an attendee may ask for: 0.5 (twice as fast as the
// model's walker) to 2.5 (a slow walk, a wheelchair detour, crutches).
const (
	MinWalkFactor = 0.5
	MaxWalkFactor = 2.5
	// walkFactorStep buckets factors so that a handful of variants serve
	// everyone: 1.23 and 1.24 walk alike.
	walkFactorStep = 0.05
)

// variants caches the models compiled for other walking factors. Each is a
// full precomputed model (a few MB for the demo), built once on first use.
type variants struct {
	mu sync.Mutex
	m  map[int]*Model
}

// walk scales a walking time by the model's walking factor, rounding up.
func (m *Model) walk(minutes int32) int32 {
	if m.walkFactor == 1 || minutes <= 0 {
		return minutes
	}
	return int32(math.Ceil(float64(minutes) * m.walkFactor))
}

// WalkFactor is the factor this model's walking times are scaled by.
func (m *Model) WalkFactor() float64 { return m.walkFactor }

// WithWalkFactor returns the model for an attendee who walks f times as long
// as the model's walker (every walk: in the street, inside a venue, to a
// shuttle stop). Rides, headways and waits are unchanged, so a slow walker
// may be better off on a shuttle the default walker would skip. 0 or 1
// means the model itself. The variant is compiled once (about as long as
// Compile) and kept, so every query on it stays a table lookup.
func (m *Model) WithWalkFactor(f float64) (*Model, error) {
	if f == 0 {
		f = 1
	}
	if math.IsNaN(f) || f < MinWalkFactor || f > MaxWalkFactor {
		return nil, errcode.New(errcode.Invalid, "walkFactor: expected a number from %.1f to %.1f (1 = the usual pace), got %v", MinWalkFactor, MaxWalkFactor, f)
	}
	bucket := int(math.Round(f / walkFactorStep))
	if float64(bucket)*walkFactorStep == m.walkFactor {
		return m, nil
	}
	return m.variantFor(bucket)
}

func (m *Model) variantFor(bucket int) (*Model, error) {
	vs := m.variants
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if v, ok := vs.m[bucket]; ok {
		return v, nil
	}
	v, err := compile(m.snap, float64(bucket)*walkFactorStep, vs)
	if err != nil {
		return nil, err
	}
	if vs.m == nil {
		vs.m = map[int]*Model{}
	}
	vs.m[bucket] = v
	return v, nil
}
