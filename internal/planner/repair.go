package planner

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Repairs. The attendee's fixed items (reservations, marked keynotes,
// blocks) are commitments: the plan keeps every one it can. When some
// collide (they overlap, or one cannot be reached from the other in time)
// the plan repairs the day: a reservation moves to another sitting of its
// content that has a seat, or the commitment worth less is dropped. Locked
// items are never touched; when two of them collide the plan says so.
//
// This is one optimization, not a pass before it: every commitment's
// sittings are nodes of the day graphs like the wishes' sittings, with a
// bonus so large that the order of what counts is strict. Keeping
// commitments (weighted by how much the attendee cares) comes first, then
// keeping each in its own sitting, then a lunch break each day, then the
// wishes. The bonuses are multiples of the wishes' common divisor, so
// the search's bounds stay exact, and they are left out of the value the
// plan reports.

// Kinds of repairs.
const (
	RepairMove = "move" // a reservation moves to another sitting of its content
	RepairDrop = "drop" // the commitment is left out of the plan
)

// Collision statuses, as the agenda's legs call them (StatusImpossible,
// StatusSeatLost) plus these.
const (
	StatusOverlap   = "overlap"   // the two items overlap in time
	StatusCancelled = "cancelled" // the session was cancelled
)

// Repair is one change the plan makes to the attendee's own fixed items.
type Repair struct {
	Kind string `json:"kind"` // move | drop
	From Item   `json:"from"` // the fixed item as it was
	To   *Item  `json:"to,omitempty"`
	// With is the item it collides with (a session id, else a block's
	// title); Status says how (overlap, impossible, seat_lost, cancelled;
	// empty when it moves only to make room for more), Minutes how late.
	With    string `json:"with,omitempty"`
	Status  string `json:"status,omitempty"`
	Minutes int    `json:"minutes,omitempty"`
	// Reason says it in words, without ids.
	Reason string `json:"reason"`
}

// Conflict is a collision the plan cannot repair: both items are locked.
type Conflict struct {
	A       string `json:"a"` // session id, else block title
	B       string `json:"b"`
	Status  string `json:"status"`
	Minutes int    `json:"minutes,omitempty"`
	Message string `json:"message"`
}

// maxKeep bounds a commitment's weight multiplier, so that the bonuses
// stay far from overflowing whatever the option weights.
const maxKeep = 1000

// scaleBonuses sets the bonuses: with W above every wish together, a lunch
// break is worth W, keeping a commitment in its own sitting more than all
// lunches and wishes, and keeping a commitment (×its weight) more than all
// of that for every commitment.
func (p *problem) scaleBonuses() {
	var g, sum int64
	for i := range p.contents {
		c := &p.contents[i]
		if c.priority == "" {
			continue
		}
		g = gcd(gcd(g, c.weight), int64(math.Round(float64(c.weight)*p.opt.RecordedFactor)))
		sum += c.weight
	}
	if g == 0 {
		g = scale
	}
	w := (sum/g + 1) * g
	days := int64(len(p.days))
	p.lunchBonus = w
	p.stayBonus = days*w + w + g
	if p.opt.AllowSwapReservations {
		p.stayBonus = 0 // a reservation moves whenever that plans more
	}
	m := int64(len(p.softs))*p.stayBonus + days*w + w + g
	for i := range p.contents {
		c := &p.contents[i]
		if c.soft < 0 {
			continue
		}
		c.keep = p.keepWeight(c, g) * m
	}
}

// keepWeight is how much keeping a commitment counts, as a multiple: the
// weight of how much the attendee cares, in units of the wishes' divisor.
func (p *problem) keepWeight(c *content, g int64) int64 {
	f := &p.softs[c.soft]
	prio, extra := firstNonEmpty(c.priority, f.Importance), int64(1)
	if prio == "" {
		prio = Want
		if f.Kind == KindBlock {
			// A block is an appointment, often with someone else: it
			// outweighs a single session of any priority.
			prio, extra = Must, 2
		}
	}
	return min(int64(math.Round(p.opt.Weight(prio)*scale))/g, maxKeep) + extra
}

// itemName names a fixed item for people: "your seat at 13:00 MGM Grand",
// "your block “Call” at 12:00".
func (p *problem) itemName(f *resolvedFixed) string {
	return "your " + p.itemWords(f, false, "")
}

// itemWords is an item without "your": "seat at 13:00 MGM Grand";
// locked adds "locked", day (when not empty) the day before the time.
func (p *problem) itemWords(f *resolvedFixed, locked bool, day string) string {
	kind := "seat"
	switch f.Kind {
	case KindBlock:
		kind = "block “" + f.Title + "”"
	case KindKeynote:
		kind = "keynote"
	case KindSession:
		kind = "session"
	}
	if locked {
		kind = "locked " + kind
	}
	return kind + " at " + p.when(f.start, day) + p.atPlace(f.venue)
}

// when is "13:00", or "Wed 13:00" when the minute is not on day.
func (p *problem) when(minute int32, day string) string {
	t := p.snap.Local(p.tm.Time(minute))
	if day != "" && t.Format("2006-01-02") != day {
		return t.Format("Mon 15:04")
	}
	return t.Format("15:04")
}

func (p *problem) atPlace(venue int32) string {
	if venue < 0 {
		return ""
	}
	return " " + p.snap.Conf.Venues[venue].Name
}

// collision is how a commitment collides with another in the day as the
// attendee has it (every commitment in its own sitting).
type collision struct {
	other   *resolvedFixed
	locked  bool // other is locked
	status  string
	minutes int
}

// commitments lists the day's commitments in their own sittings, by start,
// each with whether it is locked.
func (p *problem) commitments(day int) (list []*resolvedFixed, locked []bool) {
	for i := range p.fixed {
		if p.fixed[i].day == day {
			list, locked = append(list, &p.fixed[i]), append(locked, true)
		}
	}
	for i := range p.softs {
		if p.softs[i].day == day {
			list, locked = append(list, &p.softs[i]), append(locked, false)
		}
	}
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(list[a].start, list[b].start), cmp.Compare(list[a].end, list[b].end))
	})
	sl, sk := make([]*resolvedFixed, len(idx)), make([]bool, len(idx))
	for i, j := range idx {
		sl[i], sk[i] = list[j], locked[j]
	}
	return sl, sk
}

// collides finds what a commitment collides with: an item overlapping it,
// else the one before it that it cannot be reached from, else the one
// after it that cannot be reached from it.
func (p *problem) collides(f *resolvedFixed) (collision, bool) {
	list, locked := p.commitments(f.day)
	at := slices.Index(list, f)
	for i, o := range list {
		if o != f && o.start < f.end && f.start < o.end {
			return collision{other: o, locked: locked[i], status: StatusOverlap}, true
		}
	}
	// Where the attendee is at each item: a placeless one keeps the place
	// of the item before it.
	room := make([]int32, len(list))
	for i, o := range list {
		room[i] = o.room
		if room[i] < 0 && i > 0 {
			room[i] = room[i-1]
		}
	}
	late := func(a, b int) (collision, bool) {
		x, y := list[a], list[b]
		arrive, _ := p.arrive(room[a], room[b], x.end)
		reserved := y.Reserved || y.Kind == KindReservation
		switch {
		case arrive > y.start:
			return collision{status: StatusImpossible, minutes: int(arrive - y.start)}, true
		case reserved && y.sess >= 0 && arrive >= y.start-int32(p.opt.ReleaseLeadMinutes):
			return collision{status: StatusSeatLost, minutes: int(arrive-y.start) + p.opt.ReleaseLeadMinutes}, true
		}
		return collision{}, false
	}
	if at > 0 {
		if c, ok := late(at-1, at); ok {
			c.other, c.locked = list[at-1], locked[at-1]
			return c, true
		}
	}
	if at >= 0 && at+1 < len(list) {
		if c, ok := late(at, at+1); ok {
			c.other, c.locked = list[at+1], locked[at+1]
			return c, true
		}
	}
	return collision{}, false
}

// pairWords names two items together: "your seats at 13:00 MGM Grand and
// 14:00 Mandalay Bay", "your seat at 13:00 MGM Grand and your block “Call”
// at 14:00", earlier first.
func (p *problem) pairWords(a *resolvedFixed, aLocked bool, b *resolvedFixed, bLocked bool) string {
	if b.start < a.start {
		a, b, aLocked, bLocked = b, a, bLocked, aLocked
	}
	seat := func(f *resolvedFixed) bool { return f.Kind == KindReservation }
	if seat(a) && seat(b) && aLocked == bLocked {
		lock := ""
		if aLocked {
			lock = "locked "
		}
		return fmt.Sprintf("your %sseats at %s%s and %s%s", lock, p.when(a.start, ""), p.atPlace(a.venue),
			p.when(b.start, p.days[a.day].date), p.atPlace(b.venue))
	}
	return "your " + p.itemWords(a, aLocked, "") + " and your " + p.itemWords(b, bLocked, p.days[a.day].date)
}

// collideWords is how two items collide, after their names.
func collideWords(status string, minutes int) string {
	switch status {
	case StatusOverlap:
		return "overlap"
	case StatusSeatLost:
		return fmt.Sprintf("cannot both be kept: you would reach the seat %d min after it is released", minutes)
	}
	return fmt.Sprintf("cannot both be reached: %d min late", minutes)
}

func otherName(f *resolvedFixed) string { return firstNonEmpty(f.SessionID, f.Title) }

// repairs lists what the plan does to the commitments it does not keep in
// their own sitting, and why.
func (p *problem) repairs(sol solution) []Repair {
	attended := map[int32]int32{} // content -> node
	for _, path := range sol.days {
		for _, id := range path {
			if n := &p.nodes[id]; n.content >= 0 && n.fixed < 0 {
				attended[n.content] = id
			}
		}
	}
	out := []Repair{}
	for ci := range p.contents {
		c := &p.contents[ci]
		if c.soft < 0 {
			continue
		}
		f := &p.softs[c.soft]
		at, kept := attended[int32(ci)]
		if kept && p.nodes[at].stay {
			continue
		}
		r := Repair{Kind: RepairDrop, From: f.Item}
		var to *node
		if kept {
			to = &p.nodes[at]
			se := &p.snap.Conf.Sessions[to.sess]
			r.Kind = RepairMove
			r.To = &Item{Kind: KindReservation, SessionID: se.ID, Title: se.Title, Start: se.Start, End: se.End,
				RoomID: se.RoomID, VenueID: p.snap.Conf.Venues[to.venue].ID}
		}
		head := ""
		switch col, ok := p.collides(f); {
		case f.sess >= 0 && p.snap.Conf.Sessions[f.sess].Cancelled:
			r.Status = StatusCancelled
			head = fmt.Sprintf("%s was cancelled", p.itemName(f))
		case ok:
			r.With, r.Status, r.Minutes = otherName(col.other), col.status, col.minutes
			head = p.pairWords(f, false, col.other, col.locked) + " " + collideWords(col.status, col.minutes)
		}
		r.Reason = p.repairWords(f, to, head)
		out = append(out, r)
	}
	return out
}

// repairWords finishes a repair's sentence: the collision (head, may be
// empty) and what the plan does about it.
func (p *problem) repairWords(f *resolvedFixed, to *node, head string) string {
	date := p.days[f.day].date
	var what string
	switch {
	case to != nil:
		place := ""
		if to.venue != f.venue {
			place = " at" + p.atPlace(to.venue)
		}
		what = fmt.Sprintf("the %s repeat%s has seats", p.when(to.start, date), place)
		if head == "" {
			return "moved to " + strings.TrimSuffix(what, " has seats") + ": it makes room for more of your favourites"
		}
	case f.Kind == KindReservation && head != "":
		what = "no other sitting has a free seat, so the plan gives up " + p.itemName(f)
	case f.Kind == KindReservation:
		what = "the plan gives up " + p.itemName(f) + ": no sitting fits the rest of your day"
	default:
		what = "the plan leaves out " + p.itemName(f)
		if head == "" {
			what += ": it does not fit the rest of your day"
		}
	}
	if head == "" {
		return what
	}
	return head + "; " + what
}

// conflicts lists the collisions between locked items that the plan keeps,
// as the plan has them.
func (p *problem) conflicts(sol solution) []Conflict {
	var out []Conflict
	for di, path := range sol.days {
		d := &p.days[di]
		for i := 1; i < len(path); i++ {
			a, b := p.effective(path, path[i-1]), p.effective(path, path[i])
			if a.fixed < 0 || b.fixed < 0 {
				continue
			}
			fa, fb := &p.fixed[a.fixed], &p.fixed[b.fixed]
			status, minutes := "", 0
			if a.end > b.start {
				status = StatusOverlap
			} else if _, ok := p.transition(d, a, b); !ok {
				arrive, _ := p.arrive(a.room, b.room, a.end)
				status, minutes = StatusImpossible, int(arrive-b.start)
				if arrive <= b.start {
					status, minutes = StatusSeatLost, int(arrive-b.start)+p.opt.ReleaseLeadMinutes
				}
			}
			if status == "" {
				continue
			}
			out = append(out, Conflict{A: otherName(fa), B: otherName(fb), Status: status, Minutes: minutes,
				Message: p.pairWords(fa, true, fb, true) + " " + collideWords(status, minutes) +
					"; unlock one so the plan can move or drop it"})
		}
	}
	return out
}
