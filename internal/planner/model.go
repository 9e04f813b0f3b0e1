package planner

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/travel"
)

// scale turns weights into integers: values are weight × scale, so that the
// search compares integers exactly (weights are kept to 0.01).
const scale = 100

// Tie-break weights, packed into one int64 that is compared only between
// plans of equal value: less travel, then more slack (each transition's
// slack counts up to slackCap minutes), then earlier starts.
const (
	tieTravel = 1 << 30
	tieSlack  = 1 << 18
	slackCap  = 60
)

// node is one candidate agenda entry of one day: an optional sitting, a
// soft commitment (a fixed item the plan may move or drop) at one of its
// sittings, or a locked fixed item (a fixed item without a place has one
// copy per place the attendee may be at when it begins).
type node struct {
	sess    int32 // index in Conf.Sessions; -1 for a block
	content int32 // index in problem.contents; -1 for none
	fixed   int32 // index in problem.fixed (locked); -1 otherwise
	room    int32 // travel room index; -1 for "unknown place"
	venue   int32 // venue index; -1 unknown
	start   int32 // conference minutes
	end     int32
	value   int64 // scaled; for a fixed node the value of its wished content
	// bonus is the part of value that is not a wish's: keeping a
	// commitment and, more, keeping it in its own sitting.
	bonus int64
	slot  int32 // fixed: its slot in the day; optional: the gap (segment) it is in
	local int32 // position in its day's order
	day   int32
	// locless: a copy of an item without a place; room is the place of
	// the item before it.
	locless  bool
	reserved bool // seat held (or to be held): no walk-up margin, must arrive before release
	walkup   bool // a session entered without a reservation
	// commit: one of the attendee's commitments (a fixed item, kept or
	// moved). Between two of them it is enough to arrive in time: the
	// buffer and the walk-up margin are for what the plan adds.
	commit  bool
	stay    bool  // a soft commitment in its own sitting
	lunch   bool  // a lunch block: it is the day's lunch break
	release int32 // start − release lead
	tie     int64 // the node's share of the tie-break (earlier is better)
}

// content is one wished content (repeat group), or a soft commitment (a
// fixed item not locked) with the sittings it may take.
type content struct {
	group    string
	wish     string // the session id the wish named
	priority string // the wish's; "" for a commitment nobody wished
	weight   int64  // scaled base weight of the wish
	sittings []int32
	// inFixed is the locked fixed item that already attends the content,
	// or -1.
	inFixed int32
	// soft is the commitment (index in problem.softs) the content is, or
	// -1; keep is what keeping it anywhere is worth (more than every wish
	// and lunch together), stay what keeping its own sitting adds.
	soft int32
	keep int64
	// exclusive: no two of its sittings can ever be in one plan (copies of
	// one block), so the search never needs to branch on it.
	exclusive bool
	excluded  []exclusion
	wishRank  int // order in the wish list, for stable greedy order
	cands     []candidate
}

// candidate is a scheduled, not cancelled sitting on a conference day (sess
// -1: the soft block itself).
type candidate struct {
	sess int32
	day  int
	stay bool // the commitment's own sitting
}

// exclusion is a sitting that never became a node, and why.
type exclusion struct {
	sess   int32
	reason string // one of the reason codes
	fixed  int32  // the fixed item it overlaps, for reasonFixed
	detail string // e.g. the avoided venue
}

// edge is a feasible (or forced) transition into a node.
type edge struct {
	from   int32 // local index
	tie    int64
	meters int32
	lunch  bool
}

type dayProb struct {
	date     string
	midnight int32
	next     int32 // the next midnight
	selected bool
	order    []int32 // node ids by start
	preds    [][]edge
	srcOK    []bool
	srcLunch []bool
	sinkOK   []bool
	sinkLun  []bool
	slots    [][]int32 // locked slots: the node ids of their copies
	// lunchReq: the day should keep a lunch break (worth lunchBonus, less
	// than any commitment, more than every wish). walkLimit is the day's
	// walking cap after relaxing one the commitments alone break.
	lunchReq  bool
	walkLimit int32
	lunchIv   [][][2]int32 // by venue: lunch windows (conference minutes)
}

type resolvedFixed struct {
	Item
	sess  int32
	room  int32
	venue int32
	start int32
	end   int32
	day   int
	lunch bool // a block for lunch
}

type legKey struct{ from, to, at int32 }
type legInfo struct {
	shuttle bool
	meters  int32
	// walkMinutes > 0: the fastest trip rides a shuttle, avoidShuttle is
	// on, and this is the walk taken instead.
	walkMinutes int32
}

// problem is everything one call plans with, precomputed.
type problem struct {
	snap     *conference.Snapshot
	tm       *travel.Model
	opt      Options
	contents []content
	nodes    []node
	fixed    []resolvedFixed
	days     []dayProb
	byGroup  map[string]int32
	reserved map[string]bool
	legs     map[legKey]legInfo
	needLeg  bool
	warnings []string
	// softs are the fixed items the plan may move (a reservation, to
	// another sitting with a seat) or drop when they collide.
	softs []resolvedFixed
	// lunchBonus is what a day's lunch break is worth (more than every
	// wish together), stayBonus what keeping a commitment in its own
	// sitting is worth (more than every lunch too); repair.go.
	lunchBonus, stayBonus int64
	// copies finds the copy of a soft block without a place for the room
	// the attendee is in: (content, room) -> node.
	copies map[[2]int32]int32
}

func (p *problem) minute(t time.Time) int32 { return p.tm.Minute(t) }

// roomOf resolves a place: a room, else a venue's first room (its
// representative), else unknown (-1).
func (p *problem) roomOf(roomID, venueID string) (room, venue int32, err error) {
	if roomID != "" {
		i, ok := p.tm.RoomIndex(roomID)
		if !ok {
			return -1, -1, invalid("unknown room %q", roomID)
		}
		r := &p.snap.Conf.Rooms[i]
		return i, p.venueIndex(r.VenueID), nil
	}
	if venueID != "" {
		v := p.venueIndex(venueID)
		if v < 0 {
			return -1, -1, invalid("unknown venue %q", venueID)
		}
		for i, r := range p.snap.Conf.Rooms {
			if r.VenueID == venueID {
				return int32(i), v, nil
			}
		}
		return -1, v, nil
	}
	return -1, -1, nil
}

func (p *problem) venueIndex(id string) int32 {
	for i, v := range p.snap.Conf.Venues {
		if v.ID == id {
			return int32(i)
		}
	}
	return -1
}

// dayIndex is the conference day holding an instant, or -1.
func (p *problem) dayIndex(t time.Time) int {
	m := p.minute(t)
	if !p.tm.Time(m).Equal(t) { // Minute rounds up; the day is the instant's
		m--
	}
	for i := range p.days {
		if m >= p.days[i].midnight && m < p.days[i].next {
			return i
		}
	}
	return -1
}

// resolveItem fills a session item from the conference and places it.
func (p *problem) resolveItem(it Item) (resolvedFixed, error) {
	r := resolvedFixed{Item: it, sess: -1}
	if it.SessionID != "" {
		i, ok := p.snap.SessionIndex(it.SessionID)
		if !ok {
			return r, invalid("unknown session %q", it.SessionID)
		}
		se := &p.snap.Conf.Sessions[i]
		r.sess = int32(i)
		if r.Title == "" {
			r.Title = se.Title
		}
		if r.Start.IsZero() && r.End.IsZero() {
			r.Start, r.End = se.Start, se.End
		}
		if r.RoomID == "" && r.VenueID == "" {
			r.RoomID = se.RoomID
		}
	}
	if r.Kind == KindReservation {
		r.Reserved = true
	}
	if r.Start.IsZero() || r.End.IsZero() {
		return r, invalid("%s %q has no time", kindName(r.Kind), firstNonEmpty(r.SessionID, r.Title))
	}
	if r.End.Before(r.Start) {
		return r, invalid("%s %q ends before it starts", kindName(r.Kind), firstNonEmpty(r.SessionID, r.Title))
	}
	var err error
	if r.room, r.venue, err = p.roomOf(r.RoomID, r.VenueID); err != nil {
		return r, err
	}
	if r.venue >= 0 && r.VenueID == "" {
		r.VenueID = p.snap.Conf.Venues[r.venue].ID
	}
	r.start, r.end = p.minute(r.Start), p.minute(r.End)
	r.day = p.dayIndex(r.Start)
	return r, nil
}

func kindName(k string) string {
	if k == "" {
		return "item"
	}
	return k
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func (p *problem) value(c *content, se *conference.Session) int64 {
	v := c.weight
	if se != nil && se.Recorded {
		v = int64(math.Round(float64(v) * p.opt.RecordedFactor))
	}
	return v
}

// build turns the inputs into per-day candidate graphs.
func build(snap *conference.Snapshot, tm *travel.Model, wishes []Wish, fixed []Fixed, reserved map[string]bool, opt Options) (*problem, error) {
	if err := opt.Validate(snap); err != nil {
		return nil, err
	}
	tm, err := tm.WithWalkFactor(opt.WalkFactor)
	if err != nil {
		return nil, err
	}
	p := &problem{snap: snap, tm: tm, opt: opt, byGroup: map[string]int32{}, reserved: map[string]bool{},
		needLeg: opt.AvoidShuttle || opt.MaxWalkMetersPerDay > 0, copies: map[[2]int32]int32{}}
	if p.needLeg {
		p.legs = map[legKey]legInfo{}
	}
	for id, ok := range reserved {
		if ok {
			p.reserved[id] = true
		}
	}
	conf := snap.Conf

	if err := p.initDays(); err != nil {
		return nil, err
	}

	// Fixed items: locked ones are kept whatever happens; the others are
	// commitments the plan keeps unless they collide, and then repairs.
	for _, f := range fixed {
		r, err := p.resolveItem(f)
		if err != nil {
			return nil, err
		}
		switch r.Kind {
		case KindReservation, KindBlock, KindKeynote, KindSession:
		default:
			return nil, invalid("fixed item %q: unknown kind %q (use reservation, block or keynote)", firstNonEmpty(r.SessionID, r.Title), r.Kind)
		}
		if r.Reserved && r.SessionID != "" {
			p.reserved[r.SessionID] = true
		}
		if r.day < 0 {
			p.warnings = append(p.warnings, p.itemName(&r)+" is not on a conference day: left out")
			continue
		}
		r.lunch = r.Kind == KindBlock && IsLunchBlock(r.Title)
		if !r.Locked {
			p.softs = append(p.softs, r)
			continue
		}
		if r.sess >= 0 && conf.Sessions[r.sess].Cancelled {
			p.warnings = append(p.warnings, p.itemName(&r)+" is cancelled; it stays because you locked it")
		}
		p.fixed = append(p.fixed, r)
	}

	// Contents: wishes, then the commitments (merged with the wish of their
	// content, if any).
	for i, w := range wishes {
		si, ok := snap.SessionIndex(w.SessionID)
		if !ok {
			return nil, invalid("wish %d names an unknown session %q", i+1, w.SessionID)
		}
		if priorityRank(w.Priority) < 0 {
			return nil, invalid("wish %d (%s): priority %q is not must, want or maybe", i+1, w.SessionID, w.Priority)
		}
		g := conf.Sessions[si].Group()
		wt := int64(math.Round(opt.Weight(w.Priority) * scale))
		if ci, ok := p.byGroup[g]; ok {
			if c := &p.contents[ci]; wt > c.weight {
				c.weight, c.priority = wt, w.Priority
			}
			continue
		}
		p.byGroup[g] = int32(len(p.contents))
		p.contents = append(p.contents, content{group: g, wish: w.SessionID, priority: w.Priority, weight: wt,
			inFixed: -1, soft: -1, wishRank: i})
	}
	var softs []resolvedFixed
	for _, f := range p.softs {
		g := fmt.Sprintf("\x00block %d", len(softs))
		if f.sess >= 0 {
			g = conf.Sessions[f.sess].Group()
		}
		ci, ok := p.byGroup[g]
		switch {
		case ok && p.contents[ci].soft >= 0:
			// Two commitments to one content: the second stays as it is.
			f.Locked = true
			p.fixed = append(p.fixed, f)
			continue
		case ok:
			p.contents[ci].soft = int32(len(softs))
		default:
			p.byGroup[g] = int32(len(p.contents))
			p.contents = append(p.contents, content{group: g, wish: f.SessionID, inFixed: -1, soft: int32(len(softs)),
				wishRank: len(wishes) + len(softs)})
		}
		softs = append(softs, f)
	}
	p.softs = softs
	slices.SortFunc(p.contents, func(a, b content) int { return cmp.Compare(a.wishRank, b.wishRank) })
	for i, c := range p.contents {
		p.byGroup[c.group] = int32(i)
	}

	// Locked items attend their content: it gets no sittings.
	for fi := range p.fixed {
		f := &p.fixed[fi]
		if f.sess >= 0 {
			if ci, ok := p.byGroup[conf.Sessions[f.sess].Group()]; ok && p.contents[ci].inFixed < 0 {
				p.contents[ci].inFixed = int32(fi)
			}
		}
	}
	p.scaleBonuses()
	for ci := range p.contents {
		p.candidates(&p.contents[ci])
	}
	for di := range p.days {
		p.buildDay(di)
	}
	return p, nil
}

// IsLunchBlock reports whether a personal block is the attendee's lunch (its
// title says so): it counts as the day's lunch break wherever it is.
func IsLunchBlock(title string) bool {
	return strings.Contains(strings.ToLower(title), "lunch")
}

// candidates lists a content's sittings that can be planned, recording
// why the others cannot. A commitment may keep its own sitting; a
// reservation may also move to another reservable sitting with a seat.
func (p *problem) candidates(c *content) {
	if c.inFixed >= 0 {
		return
	}
	var f *resolvedFixed
	if c.soft >= 0 {
		f = &p.softs[c.soft]
		if f.sess < 0 {
			c.cands = append(c.cands, candidate{sess: -1, day: f.day, stay: true})
			return
		}
	}
	for _, se := range p.snap.Sittings(c.group) {
		si, _ := p.snap.SessionIndex(se.ID)
		ex := exclusion{sess: int32(si), fixed: -1}
		stay := f != nil && int32(si) == f.sess
		day := -1
		switch {
		case se.Cancelled:
			ex.reason = ReasonCancelled
		case !se.Scheduled():
			ex.reason = ReasonUnscheduled
		case f != nil && !stay && (f.Kind != KindReservation || !se.Reservable):
			continue // only a seat moves, and only to a sitting with seats
		case f != nil && !stay && p.opt.NoSeats[se.ID]:
			ex.reason, ex.detail = ReasonOption, "no seat left"
		case p.opt.Unavailable[se.ID] != "":
			ex.reason, ex.detail = ReasonOption, p.opt.Unavailable[se.ID]
		default:
			if day = p.dayIndex(se.Start); day < 0 {
				ex.reason, ex.detail = ReasonOption, "not on a conference day"
			}
		}
		if ex.reason != "" {
			c.excluded = append(c.excluded, ex)
			continue
		}
		c.cands = append(c.cands, candidate{sess: int32(si), day: day, stay: stay})
	}
}

// sittingNode places one sitting of a content on its day, or records why it
// cannot be planned there. A commitment's own sitting ignores the options
// that only limit what the plan adds (days, avoided venues).
func (p *problem) sittingNode(c *content, cd candidate, d *dayProb, fx []int32) (node, bool) {
	conf := p.snap.Conf
	se := &conf.Sessions[cd.sess]
	exclude := func(reason string, fixed int32, detail string) (node, bool) {
		c.excluded = append(c.excluded, exclusion{sess: cd.sess, reason: reason, fixed: fixed, detail: detail})
		return node{}, false
	}
	if !d.selected && !cd.stay {
		return exclude(ReasonOption, -1, p.dayName(int(cd.day))+" is not one of your days")
	}
	room, venue, err := p.roomOf(se.RoomID, "")
	if err != nil || room < 0 {
		return exclude(ReasonUnscheduled, -1, "")
	}
	if !cd.stay && slices.Contains(p.opt.AvoidVenues, conf.Venues[venue].ID) {
		return exclude(ReasonOption, -1, "you avoid "+conf.Venues[venue].Name)
	}
	start, end := p.minute(se.Start), p.minute(se.End)
	for _, fi := range fx {
		if f := &p.fixed[fi]; f.start < end && start < f.end {
			return exclude(ReasonFixed, fi, "")
		}
	}
	n := node{sess: cd.sess, content: -1, fixed: -1, room: room, venue: venue, start: start, end: end,
		release: start - int32(p.opt.ReleaseLeadMinutes)}
	n.reserved = p.reserved[se.ID]
	if c.priority != "" {
		n.value = p.value(c, se)
	}
	return n, true
}

// buildDay creates the nodes and the transition graph of one day.
func (p *problem) buildDay(di int) {
	d := &p.days[di]
	fx := p.dayFixed(di)
	opt, placeless := p.optionalNodes(di, d, fx)
	base := p.placeNodes(di, d, fx, opt, placeless)
	p.dayEdges(d, base, int32(len(fx)))
}

// dayFixed lists the day's locked items by start.
func (p *problem) dayFixed(di int) []int32 {
	var fx []int32
	for fi := range p.fixed {
		if p.fixed[fi].day == di {
			fx = append(fx, int32(fi))
		}
	}
	slices.SortStableFunc(fx, func(a, b int32) int {
		fa, fb := &p.fixed[a], &p.fixed[b]
		return cmp.Or(cmp.Compare(fa.start, fb.start), cmp.Compare(fa.end, fb.end))
	})
	return fx
}

// segment is the slot between locked items (fx, by start) that an item
// starting at start falls in.
func (p *problem) segment(fx []int32, start int32) int32 {
	seg := int32(0)
	for _, fi := range fx {
		if p.fixed[fi].start < start || (p.fixed[fi].start == start && p.fixed[fi].end <= start) {
			seg++
		}
	}
	return seg
}

// optionalNodes makes the day's optional nodes — wished sittings and soft
// commitments — and, apart, the soft items without a place.
func (p *problem) optionalNodes(di int, d *dayProb, fx []int32) (opt, placeless []node) {
	for ci := range p.contents {
		c := &p.contents[ci]
		if c.inFixed >= 0 {
			continue
		}
		for _, cd := range c.cands {
			if cd.day != di {
				continue
			}
			var n node
			if cd.sess < 0 { // a soft block
				f := &p.softs[c.soft]
				n = node{sess: -1, fixed: -1, room: f.room, venue: f.venue, start: f.start, end: f.end, lunch: f.lunch}
			} else {
				var ok bool
				if n, ok = p.sittingNode(c, cd, d, fx); !ok {
					continue
				}
			}
			n.content, n.day, n.slot = int32(ci), int32(di), p.segment(fx, n.start)
			if c.soft >= 0 {
				f := &p.softs[c.soft]
				n.commit, n.stay = true, cd.stay
				n.reserved = n.reserved || f.Kind == KindReservation
				n.bonus = c.keep
				if cd.stay {
					n.bonus += p.stayBonus
				}
				n.value += n.bonus
			}
			n.walkup = n.sess >= 0 && !n.reserved
			n.release = n.start - int32(p.opt.ReleaseLeadMinutes)
			if n.sess < 0 && n.room < 0 {
				placeless = append(placeless, n)
				continue
			}
			opt = append(opt, n)
		}
	}
	return opt, placeless
}

// placeNodes adds the day's nodes to the problem in start order — the
// locked items, the placeless items and the optional ones — and returns
// the id of the first. An item without a place gets a copy per room of
// the day (the place of whatever precedes it) and one for "unknown"
// (nothing precedes it).
func (p *problem) placeNodes(di int, d *dayProb, fx []int32, opt, placeless []node) int32 {
	conf := p.snap.Conf
	var rooms []int32
	for _, n := range opt {
		rooms = append(rooms, n.room)
	}
	for _, fi := range fx {
		if p.fixed[fi].room >= 0 {
			rooms = append(rooms, p.fixed[fi].room)
		}
	}
	slices.Sort(rooms)
	rooms = slices.Compact(rooms)
	copies := func(base node) []node {
		if base.room >= 0 {
			return []node{base}
		}
		var out []node
		for _, r := range append([]int32{-1}, rooms...) {
			cp := base
			cp.locless, cp.room, cp.venue = true, r, -1
			if r >= 0 {
				cp.venue = p.venueIndex(conf.Rooms[r].VenueID)
			}
			out = append(out, cp)
		}
		return out
	}
	var all []node
	d.slots = make([][]int32, len(fx))
	for k, fi := range fx {
		f := &p.fixed[fi]
		base := node{sess: f.sess, content: -1, fixed: fi, room: f.room, venue: f.venue, start: f.start, end: f.end,
			slot: int32(k), day: int32(di), reserved: f.Reserved, walkup: f.sess >= 0 && !f.Reserved, commit: true,
			lunch: f.lunch, release: f.start - int32(p.opt.ReleaseLeadMinutes)}
		if f.sess >= 0 {
			if ci, ok := p.byGroup[conf.Sessions[f.sess].Group()]; ok && p.contents[ci].inFixed == fi {
				base.content = ci
				base.value = p.value(&p.contents[ci], &conf.Sessions[f.sess])
			}
		}
		all = append(all, copies(base)...)
	}
	for _, n := range placeless {
		cs := copies(n)
		p.contents[n.content].exclusive = len(cs) > 1
		all = append(all, cs...)
	}
	all = append(all, opt...)
	slices.SortStableFunc(all, func(a, b node) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
	})
	base := int32(len(p.nodes))
	d.order = make([]int32, len(all))
	for i := range all {
		all[i].local = int32(i)
		all[i].tie = -int64(all[i].start - d.midnight)
		id := base + int32(i)
		d.order[i] = id
		switch {
		case all[i].fixed >= 0:
			d.slots[all[i].slot] = append(d.slots[all[i].slot], id)
		default:
			c := &p.contents[all[i].content]
			c.sittings = append(c.sittings, id)
			if all[i].locless {
				p.copies[[2]int32{all[i].content, all[i].room}] = id
			}
		}
	}
	p.nodes = append(p.nodes, all...)
	return base
}

// dayEdges builds the day's transition graph over its nodes (from base):
// where a plan may start and end, and each feasible a → b.
func (p *problem) dayEdges(d *dayProb, base, nslots int32) {
	n := len(d.order)
	d.preds = make([][]edge, n)
	d.srcOK, d.srcLunch = make([]bool, n), make([]bool, n)
	d.sinkOK, d.sinkLun = make([]bool, n), make([]bool, n)
	for j := range n {
		b := &p.nodes[base+int32(j)]
		// From the start of the day: a copy of a placeless item only as
		// the "unknown place" one.
		d.srcOK[j] = b.slot == 0 && (!b.locless || b.room == -1)
		if d.srcOK[j] {
			d.srcLunch[j] = b.lunch || p.lunchFits(d, b.venue, d.midnight, b.start)
		}
		if b.fixed >= 0 {
			d.sinkOK[j] = b.slot == nslots-1
		} else {
			d.sinkOK[j] = b.slot == nslots
		}
		if d.sinkOK[j] {
			d.sinkLun[j] = b.lunch || p.lunchFits(d, b.venue, b.end, d.midnight+24*60)
		}
		for i := range j {
			a := &p.nodes[base+int32(i)]
			forced, ok := slotsFollow(a, b)
			if !ok {
				continue
			}
			if b.locless && b.room != a.room { // a copy for where a leaves the attendee
				continue
			}
			e, ok := p.transition(d, a, b)
			if !ok && !forced {
				continue
			}
			e.from = int32(i)
			d.preds[j] = append(d.preds[j], e)
		}
	}
}

// slotsFollow reports whether b may follow a given the locked items
// between them, and whether the step is forced (two locked items in a
// row are consecutive whatever their travel).
func slotsFollow(a, b *node) (forced, ok bool) {
	switch {
	case a.fixed >= 0 && b.fixed >= 0:
		return true, b.slot == a.slot+1
	case a.fixed >= 0:
		return false, b.slot == a.slot+1
	default: // b locked or both optional: same segment
		return false, a.slot == b.slot
	}
}

// transition evaluates a → b: whether it is feasible, and its tie-break
// share, walking metres and whether it leaves room for lunch. Between two
// commitments it is enough to arrive by the start (and before a seat's
// release); anything the plan adds also keeps the buffer, the walk-up
// margin and the shuttle preference.
func (p *problem) transition(d *dayProb, a, b *node) (edge, bool) {
	if a.end > b.start {
		return edge{}, false
	}
	arrive, info := p.arrive(a.room, b.room, a.end)
	slack := b.start - arrive
	e := edge{
		tie:    -int64(arrive-a.end)*tieTravel + int64(min(max(slack, 0), slackCap))*tieSlack,
		meters: info.meters,
		lunch: a.lunch || b.lunch || p.lunchFits(d, b.venue, arrive, b.start) ||
			p.lunchFits(d, a.venue, a.end, b.start-(arrive-a.end)),
	}
	if b.reserved && arrive >= b.release {
		return e, false
	}
	if a.commit && b.commit {
		return e, arrive <= b.start
	}
	need := int32(p.opt.BufferMinutes)
	if b.walkup {
		need += int32(p.opt.WalkupMarginMinutes)
	}
	ok := arrive+need <= b.start
	if p.opt.AvoidShuttle && info.shuttle {
		ok = false
	}
	return e, ok
}

// arrive is the arrival minute in room to leaving room from at minute at,
// with the leg's details when the options need them.
func (p *problem) arrive(from, to int32, at int32) (int32, legInfo) {
	if from < 0 || to < 0 || from == to {
		return at, legInfo{}
	}
	arr := p.tm.ArriveBy(from, to, at)
	if !p.needLeg || p.snap.Conf.Rooms[from].VenueID == p.snap.Conf.Rooms[to].VenueID {
		return arr, legInfo{}
	}
	k := legKey{from, to, at}
	if info, ok := p.legs[k]; ok {
		if info.walkMinutes > 0 {
			return at + info.walkMinutes, info
		}
		return arr, info
	}
	var info legInfo
	if trip, err := p.tm.Leg(p.snap.Conf.Rooms[from].ID, p.snap.Conf.Rooms[to].ID, p.tm.Time(at)); err == nil {
		info = summarize(trip)
	}
	if p.opt.AvoidShuttle && info.shuttle {
		// Walk instead: slower, but no shuttle.
		if walk, ok := p.walkTrip(from, to); ok {
			info = summarize(walk)
			info.walkMinutes = int32(walk.Minutes)
		}
	}
	p.legs[k] = info
	if info.walkMinutes > 0 {
		return at + info.walkMinutes, info
	}
	return arr, info
}

// offDays is a conference minute long before the first day: the travel
// model runs no transit outside the conference days, so a trip leaving
// then is the walk.
const offDays = -100000

// walkTrip is the trip between two rooms on foot (no shuttle, no
// monorail), or false if even that needs a ride.
func (p *problem) walkTrip(from, to int32) (travel.Trip, bool) {
	trip, err := p.tm.Leg(p.snap.Conf.Rooms[from].ID, p.snap.Conf.Rooms[to].ID, p.tm.Time(offDays))
	if err != nil {
		return trip, false
	}
	for _, s := range trip.Steps {
		if s.Mode != travel.ModeWalk && s.Mode != travel.ModeInside {
			return trip, false
		}
	}
	return trip, true
}

func summarize(trip travel.Trip) legInfo {
	var info legInfo
	for _, s := range trip.Steps {
		switch s.Mode {
		case travel.ModeWalk:
			info.meters += int32(s.Meters)
		case travel.ModeShuttle:
			info.shuttle = true
		}
	}
	return info
}

// lunchFits reports whether [lo, hi] holds LunchMinutes inside a lunch
// window of the venue (-1: an unknown place, assumed to serve lunch).
func (p *problem) lunchFits(d *dayProb, venue int32, lo, hi int32) bool {
	if venue < 0 {
		venue = int32(len(d.lunchIv) - 1)
	}
	for _, iv := range d.lunchIv[venue] {
		if min(hi, iv[1])-max(lo, iv[0]) >= LunchMinutes {
			return true
		}
	}
	return false
}

// initDays lays out the conference days and their lunch windows.
func (p *problem) initDays() error {
	conf, snap, tm, opt := p.snap.Conf, p.snap, p.tm, p.opt
	p.days = make([]dayProb, len(conf.Days))
	hasLunch := false
	for _, m := range conf.Meals {
		if m.Kind == "lunch" {
			hasLunch = true
		}
	}
	for i, date := range conf.Days {
		mid, err := time.ParseInLocation(time.DateOnly, date, snap.Loc)
		if err != nil {
			return invalid("bad conference day %q", date)
		}
		d := &p.days[i]
		d.date = date
		d.midnight = tm.Minute(mid)
		d.next = tm.Minute(time.Date(mid.Year(), mid.Month(), mid.Day()+1, 0, 0, 0, 0, snap.Loc))
		d.selected = len(opt.Days) == 0 || slices.Contains(opt.Days, date)
		d.lunchReq = opt.Lunch && d.selected
		d.walkLimit = int32(opt.MaxWalkMetersPerDay)
		lo, hi := d.midnight+LunchFrom, d.midnight+LunchTo
		d.lunchIv = make([][][2]int32, len(conf.Venues)+1) // last: unknown place
		for v := range d.lunchIv {
			if !hasLunch || v == len(conf.Venues) {
				d.lunchIv[v] = [][2]int32{{lo, hi}}
			}
		}
		for _, m := range conf.Meals {
			v := p.venueIndex(m.VenueID)
			if m.Kind != "lunch" || v < 0 {
				continue
			}
			a, b := max(tm.Minute(m.Start), lo), min(tm.Minute(m.End), hi)
			if b-a >= LunchMinutes {
				d.lunchIv[v] = append(d.lunchIv[v], [2]int32{a, b})
			}
		}
	}

	return nil
}
