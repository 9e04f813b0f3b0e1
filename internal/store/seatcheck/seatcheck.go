// Package seatcheck verifies the seat invariants (docs/architecture.md,
// docs/seats.md) on what a backend read from its tables. It is pure (no I/O) so that every
// backend's Check names violations with the same words; both backends
// read their tables into an Input and call Problems.
package seatcheck

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"venuehop/internal/conference"
)

// Counter is a session's stored seat counters.
type Counter struct {
	Reserved, Held int64
}

// Holding is one active reservation.
type Holding struct {
	Attendee, Session string
}

// Input is what a backend read, in one consistent snapshot.
type Input struct {
	// Conf is the newest stored conference; nil when none is stored.
	Conf *conference.Conference
	// Counters by session id.
	Counters map[string]Counter
	// Active lists the active reservations.
	Active []Holding
	// OpenOffers counts open offers by session id.
	OpenOffers map[string]int64
	// StrayCheckIns are check-ins of attendees who have no account.
	StrayCheckIns []Holding
}

// Capacities maps every session of c to its reservable capacity: its
// override, else its room's capacity less the walk-up share (the rule of
// conference.Snapshot.ReservableCapacity, without building a snapshot).
// A session in an unknown room gets 0.
func Capacities(c *conference.Conference) map[string]int {
	rooms := make(map[string]int, len(c.Rooms))
	for _, r := range c.Rooms {
		rooms[r.ID] = r.Capacity
	}
	out := make(map[string]int, len(c.Sessions))
	for i := range c.Sessions {
		se := &c.Sessions[i]
		if se.Capacity != nil {
			out[se.ID] = *se.Capacity
			continue
		}
		rc := rooms[se.RoomID]
		out[se.ID] = rc - rc*conference.WalkupPercent(se.Type)/100
	}
	return out
}

// Problems returns one sentence per violation: counters that disagree with
// the rows, a session over its reservable capacity, an open offer without
// a free seat behind it, an attendee in two overlapping sessions, seats in
// a session that is gone or cancelled.
func Problems(in Input) []string {
	var problems []string
	sessions := map[string]*conference.Session{}
	capacities := map[string]int{}
	if in.Conf != nil {
		for i := range in.Conf.Sessions {
			sessions[in.Conf.Sessions[i].ID] = &in.Conf.Sessions[i]
		}
		capacities = Capacities(in.Conf)
	}

	type counts struct{ counterReserved, counterHeld, active, open int64 }
	per := map[string]*counts{}
	get := func(id string) *counts {
		if per[id] == nil {
			per[id] = &counts{}
		}
		return per[id]
	}
	for id, c := range in.Counters {
		get(id).counterReserved, get(id).counterHeld = c.Reserved, c.Held
	}
	byAttendee := map[string][]string{}
	for _, h := range in.Active {
		get(h.Session).active++
		byAttendee[h.Attendee] = append(byAttendee[h.Attendee], h.Session)
	}
	for id, n := range in.OpenOffers {
		get(id).open = n
	}
	ids := make([]string, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := per[id]
		if n.counterReserved != n.active {
			problems = append(problems, fmt.Sprintf("session %s: the seat counter says %d reserved but %d reservations are active (a seat was lost or created)", id, n.counterReserved, n.active))
		}
		if n.counterHeld != n.open {
			problems = append(problems, fmt.Sprintf("session %s: the seat counter says %d held but %d offers are open", id, n.counterHeld, n.open))
		}
		se := sessions[id]
		if se == nil {
			if n.active > 0 || n.open > 0 {
				problems = append(problems, fmt.Sprintf("session %s: %d active reservations and %d open offers for a session the conference does not have", id, n.active, n.open))
			}
			continue
		}
		if se.Cancelled && (n.active > 0 || n.open > 0) {
			problems = append(problems, fmt.Sprintf("session %s: cancelled but %d reservations are active and %d offers open", id, n.active, n.open))
			continue
		}
		capN := int64(capacities[id])
		if n.active > capN {
			problems = append(problems, fmt.Sprintf("session %s: overbooked: %d reserved but the reservable capacity is %d", id, n.active, capN))
		} else if n.active+n.open > capN {
			problems = append(problems, fmt.Sprintf("session %s: %d open offers but only %d free seats (an offer must hold a real seat)", id, n.open, capN-n.active))
		}
	}
	attendees := make([]string, 0, len(byAttendee))
	for a := range byAttendee {
		attendees = append(attendees, a)
	}
	sort.Strings(attendees)
	for _, a := range attendees {
		list := byAttendee[a]
		held := make([]*conference.Session, 0, len(list))
		for _, id := range list {
			if se := sessions[id]; se != nil && se.Scheduled() {
				held = append(held, se)
			}
		}
		slices.SortFunc(held, func(x, y *conference.Session) int {
			if c := x.Start.Compare(y.Start); c != 0 {
				return c
			}
			return cmp.Compare(x.ID, y.ID)
		})
		var latest *conference.Session // the held session ending last so far
		for _, se := range held {
			if latest != nil && conference.Overlaps(latest.Start, latest.End, se.Start, se.End) {
				problems = append(problems, fmt.Sprintf("attendee %s holds overlapping reservations for sessions %s and %s", a, latest.ID, se.ID))
			}
			if latest == nil || se.End.After(latest.End) {
				latest = se
			}
		}
	}
	for _, h := range in.StrayCheckIns {
		problems = append(problems, fmt.Sprintf("session %s: a check-in of attendee %s, who has no account", h.Session, h.Attendee))
	}
	return problems
}
