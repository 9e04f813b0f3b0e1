package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/travel"
)

// Reason codes of a favourite left out.
const (
	ReasonOverlaps    = "overlaps"    // overlaps an item the plan keeps (Blocker)
	ReasonBeaten      = "beaten"      // a higher-value item takes its slot (Blocker)
	ReasonUnreachable = "unreachable" // cannot get there in time from Blocker, or on to Blocker after it
	ReasonFixed       = "fixed"       // clashes with a fixed item (Blocker)
	ReasonOption      = "option"      // excluded by an option (avoided venue, day not selected)
	ReasonLunch       = "lunch"       // it would leave no lunch break
	ReasonWalk        = "walk"        // it would exceed maxWalkMetersPerDay
	ReasonCancelled   = "cancelled"
	ReasonUnscheduled = "unscheduled"
	ReasonNotChosen   = "not_chosen" // it fits, but is worth nothing or the search was cut short
)

// PlanItem is one entry of a plan.
type PlanItem struct {
	Item
	Day      string  `json:"day"`
	Group    string  `json:"repeatGroup,omitempty"`
	Priority string  `json:"priority,omitempty"`
	Value    float64 `json:"value,omitempty"`
	// Fixed: a reservation, block or keynote the plan was built around.
	Fixed bool `json:"fixed,omitempty"`
	// NeedsReservation: a reservable sitting the attendee holds no seat for.
	NeedsReservation bool `json:"needsReservation,omitempty"`
	// Backup is the next-best sitting of the same content: one that fits the
	// rest of the plan in its place, if any (for "reserve this plan").
	Backup string `json:"backup,omitempty"`
	// SwappedFrom is the reserved sitting this one replaces: the seat
	// moves here when the plan is accepted.
	SwappedFrom string `json:"swappedFrom,omitempty"`
}

// Dropped is a favourite the plan leaves out, and why.
type Dropped struct {
	SessionID string `json:"sessionId"` // as the wish named it
	Group     string `json:"repeatGroup"`
	Priority  string `json:"priority"`
	Reason    string `json:"reason"`            // a Reason code
	Blocker   string `json:"blocker,omitempty"` // the session id (or block title) in the way
	Message   string `json:"message"`
}

// Swap is a reservation the plan moves to another sitting (the seat moves
// of Repairs, by session id).
type Swap struct {
	From string `json:"from"`
	To   string `json:"to"` // empty: the reservation cannot be kept
}

// Plan is the optimizer's answer.
type Plan struct {
	Items []PlanItem `json:"items"` // by start
	// Value is the wishes' value. The plan first keeps as many of the
	// attendee's fixed items as it can (each in its own sitting when it
	// can), then a lunch break a day, then the most value.
	Value float64 `json:"value"`
	// Optimal: no plan is better over everything the plan may change
	// (sittings, repairs, lunch). Otherwise Bound is the proven upper
	// bound on the value when the time limit cut the search.
	Optimal bool      `json:"optimal"`
	Bound   float64   `json:"bound"`
	Dropped []Dropped `json:"dropped"`
	// Repairs are the fixed items moved or dropped because they collide;
	// Conflicts the collisions left between locked items.
	Repairs   []Repair   `json:"repairs"`
	Conflicts []Conflict `json:"conflicts,omitempty"`
	Swaps     []Swap     `json:"swaps,omitempty"`
	Warnings  []string   `json:"warnings,omitempty"`
	// TravelMinutes is the total time spent travelling between items.
	TravelMinutes int `json:"travelMinutes"`
	// SearchNodes is how many branches the exact search explored.
	SearchNodes int `json:"searchNodes"`
	// GreedyValue is the value of the earliest-feasible-by-priority plan
	// the search starts from.
	GreedyValue float64 `json:"greedyValue"`
}

// Optimize returns the plan of highest value: every fixed item kept, any
// sitting of each favourite content (at most one per content), every
// transition feasible with the travel model at its departure time. It is
// proven optimal (Optimal) unless opt.TimeLimit cuts the search; it is never
// worth less than Greedy. reserved lists the sessions the attendee holds a
// seat for (reservations in fixed count too).
//
// Errors: errcode.Invalid for bad options, unknown sessions or rooms, bad
// priorities or items.
func Optimize(snap *conference.Snapshot, tm *travel.Model, wishes []Wish, fixed []Fixed, reserved map[string]bool, opt Options) (Plan, error) {
	p, err := build(snap, tm, wishes, fixed, reserved, opt)
	if err != nil {
		return Plan{}, err
	}
	p.relaxDays()
	limit := opt.TimeLimit
	if limit == 0 {
		limit = DefaultTimeLimit
	}
	st := &searcher{p: p, w: make([]int64, len(p.nodes)), deadline: time.Now().Add(limit)}
	st.greedy = p.greedy()
	st.best = st.greedy
	optimal, bound := st.search()
	plan := p.assemble(st.best)
	plan.Optimal = optimal
	plan.SearchNodes = st.explored
	plan.GreedyValue = p.realValue(st.greedy)
	plan.Bound = plan.Value
	if !optimal {
		plan.Bound = max(plan.Value, float64(bound-p.bonusIn(st.best))/scale)
	}
	return plan, nil
}

// Greedy is the baseline: favourites by priority (then the order given),
// each at its earliest sitting that keeps the plan feasible.
func Greedy(snap *conference.Snapshot, tm *travel.Model, wishes []Wish, fixed []Fixed, reserved map[string]bool, opt Options) (Plan, error) {
	p, err := build(snap, tm, wishes, fixed, reserved, opt)
	if err != nil {
		return Plan{}, err
	}
	p.relaxDays()
	sol := p.greedy()
	plan := p.assemble(sol)
	plan.GreedyValue = plan.Value
	plan.Bound = plan.Value
	return plan, nil
}

// bonusIn is what a solution's bonuses add (kept commitments, lunch
// breaks): not part of its value.
func (p *problem) bonusIn(sol solution) int64 {
	var b int64
	for di, path := range sol.days {
		for _, id := range path {
			b += p.nodes[id].bonus
		}
		_, _, _, _, _, lunch := p.evalDay(&p.days[di], p.optional(path))
		b += p.lunchValue(&p.days[di], lunch)
	}
	return b
}

func (p *problem) realValue(sol solution) float64 {
	return float64(sol.val-p.bonusIn(sol)) / scale
}

// assemble turns a solution into a Plan with explanations, repairs and
// backups.
func (p *problem) assemble(sol solution) Plan {
	conf := p.snap.Conf
	plan := Plan{Items: []PlanItem{}, Dropped: []Dropped{}, Warnings: p.warnings, Value: p.realValue(sol)}
	attended := make([]int32, len(p.contents))
	for i := range attended {
		attended[i] = -1
	}
	for di, path := range sol.days {
		for i, id := range path {
			n := &p.nodes[id]
			if n.content >= 0 {
				attended[n.content] = id
			}
			if i > 0 {
				a := p.effective(path, path[i-1])
				arr, _ := p.arrive(a.room, p.effective(path, id).room, a.end)
				plan.TravelMinutes += int(arr - a.end)
			}
		}
		if d := &p.days[di]; d.lunchReq && len(path) > 0 {
			if _, _, _, _, _, lunch := p.evalDay(d, p.optional(path)); !lunch {
				plan.Warnings = append(plan.Warnings, "no lunch break fits on "+p.dayName(di)+" around your fixed items")
			}
		}
	}
	for di, path := range sol.days {
		for _, id := range path {
			n := &p.nodes[id]
			var it PlanItem
			switch {
			case n.fixed >= 0:
				f := &p.fixed[n.fixed]
				it = PlanItem{Item: f.Item, Fixed: true}
				if f.sess >= 0 {
					it.Group = conf.Sessions[f.sess].Group()
				}
			case n.stay || n.sess < 0:
				f := &p.softs[p.contents[n.content].soft]
				it = PlanItem{Item: f.Item, Fixed: true}
				if f.sess >= 0 {
					it.Group = conf.Sessions[f.sess].Group()
				}
			default:
				se := &conf.Sessions[n.sess]
				c := &p.contents[n.content]
				it = PlanItem{Item: Item{Kind: KindSession, SessionID: se.ID, Title: se.Title, Start: se.Start, End: se.End,
					RoomID: se.RoomID, VenueID: conf.Rooms[n.room].VenueID, Reserved: p.reserved[se.ID]}, Group: c.group}
				if it.Reserved {
					it.Kind = KindReservation
				}
				it.NeedsReservation = se.Reservable && !it.Reserved
				if c.soft >= 0 {
					// A seat moving here from the attendee's sitting.
					it.Kind, it.Fixed, it.SwappedFrom = KindReservation, true, p.softs[c.soft].SessionID
				} else {
					it.Backup = p.backup(sol, id)
				}
			}
			if n.content >= 0 {
				c := &p.contents[n.content]
				it.Priority = c.priority
				it.Value = float64(n.value-n.bonus) / scale
			}
			it.Day = p.days[di].date
			plan.Items = append(plan.Items, it)
		}
	}
	slices.SortStableFunc(plan.Items, func(a, b PlanItem) int { return a.Start.Compare(b.Start) })
	plan.Repairs = p.repairs(sol)
	plan.Conflicts = p.conflicts(sol)
	for _, r := range plan.Repairs {
		if r.From.Kind != KindReservation {
			continue
		}
		sw := Swap{From: r.From.SessionID}
		if r.To != nil {
			sw.To = r.To.SessionID
		}
		plan.Swaps = append(plan.Swaps, sw)
	}
	for ci := range p.contents {
		c := &p.contents[ci]
		if attended[ci] >= 0 || c.priority == "" || c.soft >= 0 {
			continue
		}
		plan.Dropped = append(plan.Dropped, p.explain(sol, int32(ci)))
	}
	return plan
}

// label names a node for messages (without ids), and its blocker code: the
// session id, else the block's title.
func (p *problem) label(id int32) (name, blocker string) {
	n := &p.nodes[id]
	var f *resolvedFixed
	switch {
	case n.fixed >= 0:
		f = &p.fixed[n.fixed]
	case n.commit && (n.stay || n.sess < 0):
		f = &p.softs[p.contents[n.content].soft]
	}
	if f != nil {
		return fixedLabel(f)
	}
	se := &p.snap.Conf.Sessions[n.sess]
	if n.commit {
		return fmt.Sprintf("your seat “%s” (moved to %s)", se.Title, p.clock(n.start)), se.ID
	}
	return fmt.Sprintf("“%s” (%s)", se.Title, p.clock(n.start)), se.ID
}

func fixedLabel(f *resolvedFixed) (name, blocker string) {
	if f.Kind == KindBlock {
		return fmt.Sprintf("your block “%s”", f.Title), f.Title
	}
	return fmt.Sprintf("your %s “%s”", itemKindWord(f.Kind), f.Title), f.SessionID
}

// itemKindWord is what the pages call a fixed item of a kind.
func itemKindWord(kind string) string {
	switch kind {
	case KindReservation:
		return "seat"
	case KindKeynote:
		return "keynote"
	case KindBlock:
		return "block"
	}
	return "session"
}

func (p *problem) clock(minute int32) string {
	return p.snap.Local(p.tm.Time(minute)).Format("Mon 15:04")
}

// sittingWords names one sitting of a favourite: "the Tue 10:00 sitting".
func (p *problem) sittingWords(sess int32) string {
	se := &p.snap.Conf.Sessions[sess]
	if !se.Scheduled() {
		return "an unscheduled sitting"
	}
	return "the " + p.clock(p.minute(se.Start)) + " sitting"
}

type sittingReason struct {
	reason, blocker, msg string
}

// explain says why a wished content is not in the plan, naming the blocker
// of each of its sittings.
func (p *problem) explain(sol solution, ci int32) Dropped {
	c := &p.contents[ci]
	var rs []sittingReason
	for _, ex := range c.excluded {
		at := p.sittingWords(ex.sess)
		r := sittingReason{reason: ex.reason}
		switch ex.reason {
		case ReasonFixed:
			name, blocker := fixedLabel(&p.fixed[ex.fixed])
			r.blocker = blocker
			r.msg = fmt.Sprintf("%s overlaps %s, which you locked", at, name)
		case ReasonOption:
			r.msg = fmt.Sprintf("%s is left out by your options: %s", at, ex.detail)
		case ReasonCancelled:
			r.msg = at + " is cancelled"
		default:
			r.msg = at + " is not scheduled"
		}
		rs = append(rs, r)
	}
	for _, id := range c.sittings {
		rs = append(rs, p.explainSitting(sol, id))
	}
	d := Dropped{SessionID: c.wish, Group: c.group, Priority: c.priority}
	if len(rs) == 0 {
		d.Reason, d.Message = ReasonUnscheduled, "it has no sitting"
		return d
	}
	// The headline is the most telling sitting: a real blocker beats an
	// option, which beats cancelled/unscheduled.
	rank := func(r sittingReason) int {
		switch r.reason {
		case ReasonOption:
			return 2
		case ReasonCancelled, ReasonUnscheduled:
			return 3
		}
		return 1
	}
	head := slices.MinFunc(rs, func(a, b sittingReason) int { return cmp.Compare(rank(a), rank(b)) })
	d.Reason, d.Blocker = head.reason, head.blocker
	msgs := make([]string, len(rs))
	for i, r := range rs {
		msgs[i] = r.msg
	}
	switch {
	case len(rs) == 1 && head.reason == ReasonFixed:
		d.Message = "its only sitting clashes with your own plans: " + msgs[0]
	case len(rs) == 1:
		d.Message = msgs[0]
	default:
		d.Message = fmt.Sprintf("none of its %d sittings fits: %s", len(rs), strings.Join(msgs, "; "))
	}
	return d
}

// explainSitting finds what keeps one optional sitting out of the plan.
func (p *problem) explainSitting(sol solution, id int32) sittingReason {
	n := &p.nodes[id]
	d := &p.days[n.day]
	path := sol.days[n.day]
	at := p.sittingWords(n.sess)
	// Overlaps: the most valuable item of the plan in its time.
	over := int32(-1)
	for _, o := range path {
		on := &p.nodes[o]
		if on.start < n.end && n.start < on.end && (over < 0 || on.value > p.nodes[over].value) {
			over = o
		}
	}
	if over >= 0 {
		name, blocker := p.label(over)
		on := &p.nodes[over]
		switch {
		case on.commit:
			return sittingReason{ReasonFixed, blocker, at + " overlaps " + name}
		case on.value >= n.value:
			return sittingReason{ReasonBeaten, blocker, at + " overlaps " + name + ", worth as much or more to you"}
		default:
			return sittingReason{ReasonOverlaps, blocker, at + " overlaps " + name + ", which the best plan keeps"}
		}
	}
	// Travel: from the item before, and on to the item after.
	var prev, next int32 = -1, -1
	for _, o := range path {
		if p.nodes[o].end <= n.start {
			prev = o
		} else if next < 0 && p.nodes[o].start >= n.end {
			next = o
		}
	}
	if prev >= 0 {
		a := *p.effective(path, prev)
		if _, ok := p.transition(d, &a, n); !ok {
			name, blocker := p.label(prev)
			arr, info := p.arrive(a.room, n.room, a.end)
			msg := fmt.Sprintf("%s: cannot reach it from %s in time (leave %s, arrive %s)", at, name, p.clock(a.end), p.clock(arr))
			if info.walkMinutes > 0 || info.shuttle {
				msg = fmt.Sprintf("%s: cannot reach it from %s in time on foot (you avoid shuttles; leave %s, arrive %s)", at, name, p.clock(a.end), p.clock(arr))
			}
			return sittingReason{ReasonUnreachable, blocker, msg}
		}
	}
	if next >= 0 {
		b := p.nodes[next]
		if b.locless {
			b.room, b.venue = n.room, n.venue
		}
		if _, ok := p.transition(d, n, &b); !ok {
			name, blocker := p.label(next)
			arr, _ := p.arrive(n.room, b.room, n.end)
			return sittingReason{ReasonUnreachable, blocker,
				fmt.Sprintf("%s: from it you cannot reach %s in time (leave %s, arrive %s)", at, name, p.clock(n.end), p.clock(arr))}
		}
	}
	opts := p.optional(path)
	_, _, _, _, _, hadLunch := p.evalDay(d, opts)
	_, ok, _, _, meters, lunch := p.evalDay(d, append(opts, id))
	switch {
	case !ok && d.walkLimit > 0 && meters > d.walkLimit:
		return sittingReason{ReasonWalk, "", fmt.Sprintf("%s would bring the day's walking to %d m (limit %d m)", at, meters, d.walkLimit)}
	case !ok:
		return sittingReason{ReasonUnreachable, "", at + " does not fit between the items around it"}
	case d.lunchReq && hadLunch && !lunch:
		return sittingReason{ReasonLunch, "", at + " would leave no lunch break that day"}
	}
	return sittingReason{ReasonNotChosen, "", at + " fits but was not chosen (it adds no value, or the search was cut short)"}
}

// effective returns a node as placed in a path (a block without a place
// takes the place of the item before it).
func (p *problem) effective(path []int32, id int32) *node {
	n := p.nodes[id]
	if n.locless && n.room < 0 {
		for _, o := range path {
			if o == id {
				break
			}
			if p.nodes[o].room >= 0 {
				n.room, n.venue = p.nodes[o].room, p.nodes[o].venue
			}
		}
	}
	return &n
}

// backup finds the next-best sitting of a chosen content: the best other
// sitting that fits the plan with this one removed (and keeps its lunch).
func (p *problem) backup(sol solution, id int32) string {
	n := &p.nodes[id]
	c := &p.contents[n.content]
	best := int32(-1)
	for _, alt := range c.sittings { // by day, then start: the earliest wins ties
		an := &p.nodes[alt]
		if alt == id || (best >= 0 && an.value <= p.nodes[best].value) {
			continue
		}
		d := &p.days[an.day]
		opts := slices.DeleteFunc(p.optional(sol.days[an.day]), func(x int32) bool { return x == id })
		_, _, _, _, _, had := p.evalDay(d, opts)
		if _, ok, _, _, _, lunch := p.evalDay(d, append(opts, alt)); ok && (lunch || !had || !d.lunchReq) {
			best = alt
		}
	}
	if best < 0 {
		return ""
	}
	return p.snap.Conf.Sessions[p.nodes[best].sess].ID
}
