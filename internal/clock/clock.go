// Package clock is the one source of "now" for everything time-dependent,
// so that tests and demonstrations can pin it (serve --now).
package clock

import "time"

// Clock tells the current instant.
type Clock interface{ Now() time.Time }

// System is the real clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Fixed is a clock pinned to one instant.
type Fixed time.Time

// Now returns the pinned instant.
func (f Fixed) Now() time.Time { return time.Time(f) }
