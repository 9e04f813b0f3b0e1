package seatstate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Dump renders the state canonically, for tests that compare nodes with
// each other and with a fresh load. Quota tokens are included when
// withQuota is set (a fresh load does not have them).
func (st *State) Dump(withQuota bool) string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(st.sessions)) {
		s := st.sessions[id]
		var holders []string
		for a, seat := range s.holders {
			holders = append(holders, fmt.Sprintf("%s/%v", a.id, seat.checkedIn))
		}
		slices.Sort(holders)
		var wait []string
		for _, a := range s.waitlist {
			wait = append(wait, a.id)
		}
		checked := slices.Sorted(maps.Keys(s.checkedIn))
		fmt.Fprintf(&b, "session %s cap=%d held=%d holders=%v wait=%v checkedIn=%v\n", id, s.capacity, s.held, holders, wait, checked)
	}
	var offers []string
	for _, o := range st.offers {
		offers = append(offers, fmt.Sprintf("offer %s %s %s %s", o.id, o.a.id, o.s.id, o.expires.UTC().Format("15:04:05.000")))
	}
	slices.Sort(offers)
	for _, o := range offers {
		b.WriteString(o + "\n")
	}
	for _, id := range slices.Sorted(maps.Keys(st.attendees)) {
		a := st.attendees[id]
		keys := slices.Sorted(maps.Keys(a.answers))
		var seats []string
		for _, seat := range a.seats {
			seats = append(seats, seat.s.id)
		}
		slices.Sort(seats)
		if len(seats) == 0 && len(keys) == 0 && !a.autoAccept && len(a.waiting) == 0 && len(a.offers) == 0 && !withQuota {
			continue // an attendee the store knows nothing of
		}
		fmt.Fprintf(&b, "attendee %s seats=%v waiting=%d offers=%d auto=%v idem=%v", id, seats, len(a.waiting), len(a.offers), a.autoAccept, keys)
		if withQuota {
			fmt.Fprintf(&b, " tokens=%.6f", a.tokens)
		}
		b.WriteString("\n")
	}
	return b.String()
}
