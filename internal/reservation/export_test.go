package reservation

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// NewOptimistic is New for an engine that always tries the optimistic
// commit first on a shared log, so that tests exercise losing races and
// taking decisions back.
func NewOptimistic(ctx context.Context, cfg Config, d Deps) (*Engine, error) {
	e, err := New(ctx, cfg, d)
	if err == nil {
		e.contendedFor.Store(-1)
	}
	return e, err
}

// DumpState renders the engine's seat state canonically, for tests that
// compare nodes with each other and with a fresh load. Call it only after
// Close (the sequencer owns the state while it runs). Quota tokens are
// included when withQuota is set (a fresh load does not have them).
func (e *Engine) DumpState(withQuota bool) string {
	q := &e.seq
	var b strings.Builder
	ids := make([]string, 0, len(q.sessions))
	for id := range q.sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s := q.sessions[id]
		var holders []string
		for a, st := range s.holders {
			holders = append(holders, fmt.Sprintf("%s/%v", a.id, st.checkedIn))
		}
		slices.Sort(holders)
		var wait []string
		for _, a := range s.waitlist {
			wait = append(wait, a.id)
		}
		var checked []string
		for a := range s.checkedIn {
			checked = append(checked, a)
		}
		slices.Sort(checked)
		fmt.Fprintf(&b, "session %s cap=%d held=%d holders=%v wait=%v checkedIn=%v\n", id, s.capacity, s.held, holders, wait, checked)
	}
	var offers []string
	for _, o := range q.offers {
		offers = append(offers, fmt.Sprintf("offer %s %s %s %s", o.ID, o.a.id, o.s.id, o.ExpiresAt.UTC().Format("15:04:05.000")))
	}
	slices.Sort(offers)
	for _, o := range offers {
		b.WriteString(o + "\n")
	}
	aids := make([]string, 0, len(q.attendees))
	for id := range q.attendees {
		aids = append(aids, id)
	}
	slices.Sort(aids)
	for _, id := range aids {
		a := q.attendees[id]
		var keys []string
		for k := range a.idem {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var seats []string
		for _, st := range a.seats {
			seats = append(seats, st.s.id)
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
