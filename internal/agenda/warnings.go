package agenda

import (
	"context"
	"fmt"
	"slices"

	"venuehop/internal/conference"
	"venuehop/internal/live"
	"venuehop/internal/planner"
)

// Kinds of a seat warning (the agenda's leg statuses, and overlap).
const (
	WarnOverlap    = planner.StatusOverlap
	WarnImpossible = planner.StatusImpossible
	WarnTight      = planner.StatusTight
	WarnSeatLost   = planner.StatusSeatLost
)

// SeatWarning is something wrong with a seat just reserved, against the
// attendee's other items (reservations, blocks, keynotes, the accepted
// plan's sittings): it overlaps one, cannot be reached from the one before
// (or the one after from it), or only just.
type SeatWarning struct {
	SessionID string `json:"sessionId"` // the session reserved
	Kind      string `json:"kind"`      // overlap | impossible | tight | seat_lost
	// With is the other item's session id (empty for a block), WithTitle
	// its title.
	With      string `json:"with"`
	WithTitle string `json:"withTitle"`
	// Minutes: how long they overlap (overlap), how late (impossible,
	// seat_lost: after the release), how many to spare (tight).
	Minutes int `json:"minutes"`
	// Repeat is another sitting of the same content that fits the
	// attendee's day, when there is one.
	Repeat  string `json:"repeat,omitempty"`
	Message string `json:"message"`
}

// ReservationWarnings checks seats the attendee holds (just reserved)
// against the rest of their agenda.
func (s *Service) ReservationWarnings(ctx context.Context, attendeeID string, sessionIDs []string) ([]SeatWarning, error) {
	return s.reservationWarnings(ctx, attendeeID, sessionIDs)
}

func (s *Service) reservationWarnings(ctx context.Context, attendeeID string, sessionIDs []string) ([]SeatWarning, error) {
	out := []SeatWarning{}
	if len(sessionIDs) == 0 {
		return out, nil
	}
	m, err := s.mineForWarnings(ctx, attendeeID)
	if err != nil {
		return out, err
	}
	opt := planner.DefaultOptions()
	if m.accepted != nil {
		opt.WalkFactor = m.accepted.Options.WalkFactor
	}
	for _, id := range sessionIDs {
		ws, err := seatWarnings(m.st, m.items, id, opt)
		if err != nil {
			return out, err
		}
		out = append(out, ws...)
	}
	return out, nil
}

// seatWarnings are the warnings of one seat within the items, each with
// the repeat that fits, if any.
func seatWarnings(st *live.State, items []planner.Item, sessionID string, opt planner.Options) ([]SeatWarning, error) {
	snap := st.Snap
	se, ok := snap.Session(sessionID)
	if !ok || !se.Scheduled() {
		return nil, nil
	}
	others := slices.DeleteFunc(slices.Clone(items), func(it planner.Item) bool { return it.SessionID == sessionID })
	ws, err := clashes(st, others, se, opt)
	if err != nil || len(ws) == 0 {
		return ws, err
	}
	// The first other sitting of the content that clashes with nothing.
	for _, alt := range snap.Sittings(se.Group()) {
		if alt.ID == se.ID || alt.Cancelled || !alt.Scheduled() {
			continue
		}
		if c, err := clashes(st, others, alt, opt); err == nil && !blocking(c) {
			for i := range ws {
				ws[i].Repeat = alt.ID
				ws[i].Message += fmt.Sprintf("; the %s repeat fits", snap.Local(alt.Start).Format("Mon 15:04"))
			}
			break
		}
	}
	return ws, nil
}

// blocking reports whether warnings hold more than tight legs.
func blocking(ws []SeatWarning) bool {
	return slices.ContainsFunc(ws, func(w SeatWarning) bool { return w.Kind != WarnTight })
}

// clashes lists how a sitting collides with the day's other items: items it
// overlaps, the leg into it and the leg out of it.
func clashes(st *live.State, others []planner.Item, se *conference.Session, opt planner.Options) ([]SeatWarning, error) {
	snap := st.Snap
	day := snap.Day(se.Start)
	var dayItems []planner.Item
	for _, it := range others {
		start := it.Start
		if o, ok := snap.Session(it.SessionID); ok {
			start = o.Start
		}
		if snap.Day(start) == day {
			dayItems = append(dayItems, it)
		}
	}
	me := planner.Item{Kind: planner.KindReservation, SessionID: se.ID, Reserved: true}
	ag, err := planner.Analyze(snap, st.Travel, append(slices.Clone(dayItems), me), opt)
	if err != nil || len(ag.Days) != 1 {
		return nil, err
	}
	d := ag.Days[0]
	var out []SeatWarning
	add := func(kind string, other planner.Item, minutes int, msg string) {
		out = append(out, SeatWarning{SessionID: se.ID, Kind: kind, With: other.SessionID, WithTitle: other.Title,
			Minutes: minutes, Message: msg})
	}
	name := func(it planner.Item) string {
		return fmt.Sprintf("your %s “%s” (%s)", kindWord(it.Kind), it.Title, clockRange(snap, it))
	}
	at := slices.IndexFunc(d.Items, func(it planner.Item) bool { return it.SessionID == se.ID })
	for i, it := range d.Items {
		if i == at {
			continue
		}
		if o := overlapMinutes(it, d.Items[at]); o > 0 {
			add(WarnOverlap, it, o, fmt.Sprintf("it overlaps %s by %d min", name(it), o))
		}
	}
	leg := func(other planner.Item, l planner.Leg, into bool) {
		from, to := "you cannot get there from "+name(other), "tight: %d min to spare after "+name(other)
		lost := "coming from " + name(other) + " you arrive after this seat is released"
		if !into {
			from, to = "from it you cannot get to "+name(other), "tight: %d min to spare before "+name(other)
			lost = "from it you reach " + name(other) + " after that seat is released"
		}
		switch l.Status {
		case planner.StatusImpossible:
			add(WarnImpossible, other, -l.SlackMinutes, fmt.Sprintf("%s in time: %d min late", from, -l.SlackMinutes))
		case planner.StatusSeatLost:
			add(WarnSeatLost, other, opt.ReleaseLeadMinutes-l.SlackMinutes, lost)
		case planner.StatusTight:
			add(WarnTight, other, l.SlackMinutes, fmt.Sprintf(to, l.SlackMinutes))
		}
	}
	if at > 0 {
		leg(d.Items[at-1], d.Legs[at-1], true)
	}
	if at+1 < len(d.Items) {
		leg(d.Items[at+1], d.Legs[at], false)
	}
	return out, nil
}

func overlapMinutes(a, b planner.Item) int {
	lo, hi := max(a.Start.Unix(), b.Start.Unix()), min(a.End.Unix(), b.End.Unix())
	return int(max(hi-lo, 0) / 60)
}

func clockRange(snap *conference.Snapshot, it planner.Item) string {
	return snap.Local(it.Start).Format("15:04") + "–" + snap.Local(it.End).Format("15:04")
}

// kindWord is what pages call an item of a kind.
func kindWord(kind string) string {
	switch kind {
	case planner.KindReservation:
		return "seat"
	case planner.KindBlock:
		return "block"
	case planner.KindKeynote:
		return "keynote"
	}
	return "planned session"
}
