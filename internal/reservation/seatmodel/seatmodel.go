// Package seatmodel is the sequential specification of one session's
// seats, for porcupine linearizability checks of the reservation engine:
// a set of holders (a bit per attendee, so at most 64 attendees) and a
// fixed number of seats. Tests record Operations with Input and Output
// values and check them against Model.
package seatmodel

import (
	"fmt"
	"math/bits"

	"github.com/anishathalye/porcupine"
)

// The kinds of operation.
const (
	Reserve = "reserve" // Output.Status: reserved | already | full
	Cancel  = "cancel"  // Output.Status: ok | none
	Left    = "left"    // Output.Left: seats not reserved
	Holders = "holders" // Output.Holders: the holders, a bit per attendee
)

// Input is one call: its kind and the attendee (0..63).
type Input struct {
	Kind     string
	Attendee int
}

// Output is what the call answered.
type Output struct {
	Status  string
	Left    int
	Holders uint64
}

// Model is the specification of a session with seats seats, none held.
func Model(seats int) porcupine.Model { return ModelFrom(seats, 0) }

// ModelFrom is Model starting with the holders in init (a bit per
// attendee): to check a history in segments, each from the holders a
// read between two segments saw.
func ModelFrom(seats int, init uint64) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return init },
		Hash: func(state any) uint64 { return state.(uint64) },
		Step: func(state, input, output any) (bool, any) {
			held := state.(uint64)
			in, out := input.(Input), output.(Output)
			bit := uint64(1) << in.Attendee
			switch in.Kind {
			case Reserve:
				switch {
				case held&bit != 0:
					return out.Status == "already", held
				case bits.OnesCount64(held) < seats:
					return out.Status == "reserved", held | bit
				default:
					return out.Status == "full", held
				}
			case Cancel:
				if held&bit != 0 {
					return out.Status == "ok", held &^ bit
				}
				return out.Status == "none", held
			case Holders:
				return out.Holders == held, held
			default:
				return out.Left == seats-bits.OnesCount64(held), held
			}
		},
		DescribeOperation: func(input, output any) string {
			return fmt.Sprintf("%v -> %v", input, output)
		},
	}
}
