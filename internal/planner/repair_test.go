package planner_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/planner"
)

// The scenario of the attendee who pressed Optimize on a day that could
// not be lived: seats at 13:00 and 14:00 whose venues are too far apart.
// The plan moves the later seat to its 16:00 repeat, which has seats, says
// why in words, and leaves no impossible leg.
func TestRepairMovesACollidingReservation(t *testing.T) {
	c := smallCampus()
	session(c, "A", "", "a1", day1, "13:00", 60)
	session(c, "B1", "B", "c1", day1, "14:05", 60) // C is 27 min from A: late
	session(c, "B2", "B", "c1", day1, "16:00", 60)
	session(c, "B3", "B", "c2", day2, "10:00", 60)
	w := compile(t, c)
	fixed := []planner.Fixed{{Kind: planner.KindReservation, SessionID: "A"}, {Kind: planner.KindReservation, SessionID: "B1"}}
	opt := noLunch()
	p := optimize(t, w, nil, fixed, nil, opt)
	if len(p.Repairs) != 1 {
		t.Fatalf("repairs %+v, want one", p.Repairs)
	}
	r := p.Repairs[0]
	if r.Kind != planner.RepairMove || r.From.SessionID != "B1" || r.To == nil || r.To.SessionID != "B2" ||
		r.Status != planner.StatusImpossible || r.With != "A" || r.Minutes <= 0 {
		t.Fatalf("repair %+v, want B1 moved to B2 because A → B1 is late", r)
	}
	want := fmt.Sprintf("your seats at 13:00 A and 14:05 C cannot both be reached: %d min late; the 16:00 repeat has seats", r.Minutes)
	if r.Reason != want {
		t.Errorf("reason %q\nwant   %q", r.Reason, want)
	}
	if strings.Contains(r.Reason, "B1") || strings.Contains(r.Reason, "B2") {
		t.Errorf("reason names ids: %q", r.Reason)
	}
	if len(p.Swaps) != 1 || p.Swaps[0] != (planner.Swap{From: "B1", To: "B2"}) || !p.Optimal {
		t.Errorf("swaps %+v optimal %v", p.Swaps, p.Optimal)
	}
	checkNoLateLeg(t, w, p, opt)

	// No seat left in the repeats: the reservation worth less goes.
	opt.NoSeats = map[string]bool{"B2": true, "B3": true}
	fixed[0].Importance = planner.Must
	p = optimize(t, w, nil, fixed, nil, opt)
	if len(p.Repairs) != 1 || p.Repairs[0].Kind != planner.RepairDrop || p.Repairs[0].From.SessionID != "B1" {
		t.Fatalf("repairs %+v, want B1 dropped", p.Repairs)
	}
	if !strings.Contains(p.Repairs[0].Reason, "no other sitting has a free seat, so the plan gives up your seat at 14:05 C") {
		t.Errorf("reason %q", p.Repairs[0].Reason)
	}
	checkNoLateLeg(t, w, p, opt)
	// The other way round when B matters more.
	fixed[0].Importance, fixed[1].Importance = planner.Maybe, planner.Must
	p = optimize(t, w, nil, fixed, nil, opt)
	if len(p.Repairs) != 1 || p.Repairs[0].Kind != planner.RepairDrop || p.Repairs[0].From.SessionID != "A" {
		t.Fatalf("repairs %+v, want A dropped", p.Repairs)
	}

	// Locked items are never touched: the unlocked one moves even when it
	// is the one that matters more.
	opt.NoSeats = nil
	fixed[0].Locked, fixed[0].Importance, fixed[1].Importance = true, planner.Maybe, planner.Must
	p = optimize(t, w, nil, fixed, nil, opt)
	if len(p.Repairs) != 1 || p.Repairs[0].From.SessionID != "B1" || !strings.Contains(p.Repairs[0].Reason, "locked") {
		t.Fatalf("repairs %+v, want B1 moved around the locked A", p.Repairs)
	}
	// Both locked: nothing moves, and the plan says exactly which collide.
	fixed[1].Locked = true
	p = optimize(t, w, nil, fixed, nil, opt)
	if len(p.Repairs) != 0 || len(p.Conflicts) != 1 {
		t.Fatalf("repairs %+v conflicts %+v, want one conflict", p.Repairs, p.Conflicts)
	}
	cf := p.Conflicts[0]
	if cf.A != "A" || cf.B != "B1" || cf.Status != planner.StatusImpossible ||
		!strings.HasPrefix(cf.Message, "your locked seats at 13:00 A and 14:05 C cannot both be reached") {
		t.Errorf("conflict %+v", cf)
	}
}

// Overlapping commitments of every kind: a block outweighs a seat nobody
// starred; a starred keynote keeps its place over a maybe.
func TestRepairDropsTheItemWorthLess(t *testing.T) {
	c := smallCampus()
	session(c, "R", "", "a1", day1, "10:00", 60)
	k := session(c, "K", "", "b1", day1, "10:30", 60)
	k.Type = conference.TypeKeynote
	w := compile(t, c)
	block := planner.Fixed{Kind: planner.KindBlock, Title: "Call with Bo", Start: w.at(day1, "10:15"), End: w.at(day1, "10:45")}
	opt := noLunch()
	p := optimize(t, w, nil, []planner.Fixed{{Kind: planner.KindReservation, SessionID: "R"}, block}, nil, opt)
	if len(p.Repairs) != 1 || p.Repairs[0].From.SessionID != "R" || p.Repairs[0].Status != planner.StatusOverlap ||
		p.Repairs[0].Reason != "your seat at 10:00 A and your block “Call with Bo” at 10:15 overlap; no other sitting has a free seat, so the plan gives up your seat at 10:00 A" {
		t.Fatalf("repairs %+v", p.Repairs)
	}
	p = optimize(t, w, []planner.Wish{{SessionID: "R", Priority: planner.Maybe}},
		[]planner.Fixed{{Kind: planner.KindReservation, SessionID: "R"}, {Kind: planner.KindKeynote, SessionID: "K", Importance: planner.Must}}, nil, opt)
	if len(p.Repairs) != 1 || p.Repairs[0].From.SessionID != "R" {
		t.Fatalf("repairs %+v, want the maybe seat dropped for the must keynote", p.Repairs)
	}
	if len(p.Dropped) != 0 {
		t.Errorf("a dropped commitment is a repair, not a dropped favourite: %+v", p.Dropped)
	}
}

// Lunch comes after every commitment: two seats around noon stay, with a
// warning, rather than one dropped for lunch; a lunch block is lunch.
func TestLunchNeverCostsACommitment(t *testing.T) {
	c := smallCampus()
	session(c, "M1", "", "a1", day1, "11:00", 60)
	session(c, "M2", "", "a1", day1, "12:15", 60) // the seat is held until 12:05
	session(c, "W", "", "a2", day1, "14:00", 60)
	w := compile(t, c)
	opt := planner.DefaultOptions()
	fixed := []planner.Fixed{{Kind: planner.KindReservation, SessionID: "M1"}, {Kind: planner.KindReservation, SessionID: "M2"}}
	p := optimize(t, w, []planner.Wish{{SessionID: "W", Priority: planner.Want}}, fixed, nil, opt)
	if len(p.Repairs) != 0 || len(chosen(p)) != 1 || !slices.ContainsFunc(p.Warnings, func(s string) bool { return strings.HasPrefix(s, "no lunch break fits") }) {
		t.Fatalf("repairs %+v chosen %v warnings %v", p.Repairs, chosen(p), p.Warnings)
	}
	// A block for lunch is the lunch break, wherever it is.
	lunch := planner.Fixed{Kind: planner.KindBlock, Title: "Lunch with Bo", Start: w.at(day1, "13:00"), End: w.at(day1, "13:45"), VenueID: "c"}
	p = optimize(t, w, nil, append(fixed, lunch), nil, opt)
	if slices.ContainsFunc(p.Warnings, func(s string) bool { return strings.HasPrefix(s, "no lunch break") }) {
		t.Errorf("a lunch block is lunch: %v", p.Warnings)
	}
	var items []planner.Item
	for _, it := range p.Items {
		items = append(items, it.Item)
	}
	ag, err := planner.Analyze(w.snap, w.tm, items, opt)
	if err != nil || len(ag.Days) != 1 || !ag.Days[0].Lunch {
		t.Errorf("the agenda does not count the lunch block as lunch: %+v %v", ag.Days, err)
	}
}

// checkNoLateLeg: the plan, as an agenda, has no impossible leg and no lost
// seat except between two locked items.
func checkNoLateLeg(t *testing.T, w world, p planner.Plan, opt planner.Options) {
	t.Helper()
	items := make([]planner.Item, len(p.Items))
	for i, it := range p.Items {
		items[i] = it.Item
	}
	ag, err := planner.Analyze(w.snap, w.tm, items, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ag.Days {
		for i, leg := range d.Legs {
			if d.Items[i].Locked && d.Items[i+1].Locked {
				continue
			}
			if leg.Status == planner.StatusImpossible || leg.Status == planner.StatusSeatLost || leg.Status == planner.StatusOverlap {
				t.Errorf("%s: leg %s → %s is %s (slack %d)", d.Date, leg.From, leg.To, leg.Status, leg.SlackMinutes)
			}
		}
	}
}

// repairInstance is a small random attendee whose reservations, blocks and
// keynote may collide: some locked, some repeats full.
func repairInstance(t testing.TB, rng *rand.Rand) instance {
	c := smallCampus()
	loc, _ := time.LoadLocation(c.TimeZone)
	rooms := make([]string, len(c.Rooms))
	for i, r := range c.Rooms {
		rooms[i] = r.ID
	}
	start := func() string {
		m := 9*60 + 15*rng.IntN(36)
		return fmt.Sprintf("%02d:%02d", m/60, m%60)
	}
	var wishes []planner.Wish
	var fixed []planner.Fixed
	nContents := 2 + rng.IntN(5)
	for k := range nContents {
		n := 1 + rng.IntN(3)
		for j := range n {
			s := session(c, fmt.Sprintf("s%d-%d", k, j), fmt.Sprintf("g%d", k), rooms[rng.IntN(len(rooms))], c.Days[rng.IntN(2)], start(), []int{30, 60}[rng.IntN(2)])
			s.Recorded = rng.IntN(4) == 0
		}
		pick := fmt.Sprintf("s%d-%d", k, rng.IntN(n))
		switch rng.IntN(3) {
		case 0: // a reservation, maybe also wished
			fixed = append(fixed, planner.Fixed{Kind: planner.KindReservation, SessionID: pick, Locked: rng.IntN(4) == 0,
				Importance: []string{"", planner.Must, planner.Maybe}[rng.IntN(3)]})
			if rng.IntN(2) == 0 {
				wishes = append(wishes, planner.Wish{SessionID: pick, Priority: priorities[rng.IntN(3)]})
			}
		default:
			wishes = append(wishes, planner.Wish{SessionID: pick, Priority: priorities[rng.IntN(3)]})
		}
	}
	if rng.IntN(3) == 0 {
		k := session(c, "key", "", rooms[rng.IntN(len(rooms))], c.Days[rng.IntN(2)], start(), 60)
		k.Type, k.Reservable = conference.TypeKeynote, false
		fixed = append(fixed, planner.Fixed{Kind: planner.KindKeynote, SessionID: "key", Locked: rng.IntN(4) == 0})
	}
	for i := range rng.IntN(3) {
		st := clock(loc, c.Days[rng.IntN(2)], start())
		b := planner.Fixed{Kind: planner.KindBlock, Title: fmt.Sprintf("Block %d", i), Start: st, End: st.Add(time.Duration(30+30*rng.IntN(2)) * time.Minute),
			Locked: rng.IntN(4) == 0}
		if rng.IntN(4) == 0 {
			b.Title = "Lunch"
		}
		fixed = append(fixed, somewhere(rng, c, rooms, b))
	}
	w := compile(t, c)
	opt := planner.DefaultOptions()
	opt.TimeLimit = time.Minute
	opt.BufferMinutes = []int{0, 5, 10}[rng.IntN(3)]
	opt.WalkupMarginMinutes = []int{0, 15}[rng.IntN(2)]
	opt.Lunch = rng.IntN(2) == 0
	opt.AllowSwapReservations = rng.IntN(4) == 0
	if rng.IntN(6) == 0 {
		opt.Days = []string{day1}
	}
	if rng.IntN(6) == 0 {
		opt.AvoidVenues = []string{"c"}
	}
	opt.NoSeats = map[string]bool{}
	for _, s := range w.snap.Conf.Sessions {
		if rng.IntN(4) == 0 {
			opt.NoSeats[s.ID] = true
		}
	}
	return instance{w: w, wishes: wishes, fixed: fixed, reserved: map[string]bool{}, opt: opt}
}

// score is what the planner maximizes, in order: the commitments kept
// (weighted), those kept in their own sitting (unless reservations may be
// swapped), the lunch breaks, the value.
type score struct{ keep, stays, lunches, value int64 }

func (a score) beats(b score) bool {
	return a.keep != b.keep && a.keep > b.keep || a.keep == b.keep && (a.stays > b.stays ||
		a.stays == b.stays && (a.lunches > b.lunches || a.lunches == b.lunches && a.value > b.value))
}

// bruteRepair restates the rules of repairs independently of the
// planner's graphs and enumerates every choice: each commitment at any
// sitting it may take or dropped, each wish at any sitting or none.
func bruteRepair(in instance) score {
	w, opt := in.w, in.opt
	snap, tm := w.snap, w.tm
	type choiceT struct {
		start, end int32
		room       int32
		venue      string
		kind       int // 0 wish, 1 commitment, 2 locked
		reserved   bool
		walkup     bool
		lunch      bool
		stay       bool
	}
	place := w.place
	sitting := func(s *conference.Session, kind int, reserved bool) choiceT {
		r, v := place(s.RoomID, "")
		return choiceT{start: tm.Minute(s.Start), end: tm.Minute(s.End), room: r, venue: v, kind: kind, reserved: reserved, walkup: !reserved}
	}
	// Wishes, merged by content.
	weight := map[string]float64{}
	var groups []string
	for _, wi := range in.wishes {
		se, _ := snap.Session(wi.SessionID)
		g := se.Group()
		if _, ok := weight[g]; !ok {
			groups = append(groups, g)
		}
		weight[g] = max(weight[g], opt.Weight(wi.Priority))
	}
	g := wishGCD(weight, opt)
	selected := func(day string) bool { return len(opt.Days) == 0 || slices.Contains(opt.Days, day) }
	// Options of each commitment (nil choice: dropped), and the kept weight.
	type option struct {
		c   *choiceT
		day string
		val int64 // the wish value it carries
		sit *conference.Session
	}
	var commits [][]option
	var keeps []int64
	var locked []option
	wishedBy := map[string]bool{}
	for _, f := range in.fixed {
		if f.Kind == planner.KindBlock {
			r, v := place(f.RoomID, f.VenueID)
			ch := choiceT{start: tm.Minute(f.Start), end: tm.Minute(f.End), room: r, venue: v, kind: 1, lunch: strings.Contains(strings.ToLower(f.Title), "lunch"), stay: true}
			if f.Locked {
				ch.kind = 2
				locked = append(locked, option{c: &ch, day: snap.Day(f.Start)})
				continue
			}
			commits = append(commits, []option{{c: &ch, day: snap.Day(f.Start)}})
			keeps = append(keeps, min(int64(math.Round(opt.Weight(planner.Must)*100))/g, 1000)+2)
			continue
		}
		se, _ := snap.Session(f.SessionID)
		gr := se.Group()
		wval := func(s *conference.Session) int64 {
			if _, ok := weight[gr]; !ok {
				return 0
			}
			v := int64(math.Round(weight[gr] * 100))
			if s.Recorded {
				v = int64(math.Round(float64(v) * opt.RecordedFactor))
			}
			return v
		}
		res := f.Kind == planner.KindReservation
		if f.Locked {
			ch := sitting(se, 2, res)
			locked = append(locked, option{c: &ch, day: snap.Day(se.Start), val: wval(se)})
			wishedBy[gr] = true
			continue
		}
		wishedBy[gr] = true
		var opts []option
		for _, s := range snap.Sittings(gr) {
			stay := s.ID == f.SessionID
			if s.Cancelled || (!stay && (!res || !s.Reservable || opt.NoSeats[s.ID])) {
				continue
			}
			v, _ := snap.VenueOfRoom(s.RoomID)
			if !stay && (!selected(snap.Day(s.Start)) || slices.Contains(opt.AvoidVenues, v.ID)) {
				continue
			}
			ch := sitting(s, 1, res)
			ch.stay = stay
			opts = append(opts, option{c: &ch, day: snap.Day(s.Start), val: wval(s), sit: s})
		}
		commits = append(commits, opts)
		prio := f.Importance
		if _, ok := weight[gr]; ok {
			for _, wi := range in.wishes {
				if ws, _ := snap.Session(wi.SessionID); ws.Group() == gr && opt.Weight(wi.Priority) == weight[gr] {
					prio = wi.Priority
				}
			}
		}
		if prio == "" {
			prio = planner.Want
		}
		keeps = append(keeps, min(int64(math.Round(opt.Weight(prio)*100))/g, 1000)+1)
	}
	// Wish contents not attended by a commitment.
	var wishOpts [][]option
	for _, gr := range groups {
		if wishedBy[gr] {
			continue
		}
		var opts []option
		for _, s := range snap.Sittings(gr) {
			v, _ := snap.VenueOfRoom(s.RoomID)
			if s.Cancelled || !selected(snap.Day(s.Start)) || slices.Contains(opt.AvoidVenues, v.ID) {
				continue
			}
			val := int64(math.Round(weight[gr] * 100))
			if s.Recorded {
				val = int64(math.Round(float64(val) * opt.RecordedFactor))
			}
			ch := sitting(s, 0, false)
			opts = append(opts, option{c: &ch, day: snap.Day(s.Start), val: val})
		}
		wishOpts = append(wishOpts, opts)
	}
	lunchAt := func(day, venue string, lo, hi int32) bool {
		mid := tm.Minute(clock(snap.Loc, day, "00:00"))
		if venue == "c" {
			return false // no lunch served at C
		}
		return min(hi, mid+planner.LunchTo)-max(lo, mid+planner.LunchFrom) >= planner.LunchMinutes
	}
	dayOK := func(day string, items []choiceT) (ok, lunch bool) {
		slices.SortStableFunc(items, func(a, b choiceT) int {
			if a.start != b.start {
				return int(a.start - b.start)
			}
			return int(a.end - b.end)
		})
		if len(items) == 0 {
			return true, true
		}
		mid := tm.Minute(clock(snap.Loc, day, "00:00"))
		for i := range items {
			if items[i].room < 0 && i > 0 {
				items[i].room, items[i].venue = items[i-1].room, items[i-1].venue
			}
			lunch = lunch || items[i].lunch
		}
		lunch = lunch || lunchAt(day, items[0].venue, mid, items[0].start)
		for i := 1; i < len(items); i++ {
			a, b := items[i-1], items[i]
			arrive := a.end
			if a.room >= 0 && b.room >= 0 && a.room != b.room {
				arrive = tm.ArriveBy(a.room, b.room, a.end)
			}
			lunch = lunch || lunchAt(day, b.venue, arrive, b.start) || lunchAt(day, a.venue, a.end, b.start-(arrive-a.end))
			switch {
			case a.kind == 2 && b.kind == 2:
				continue
			case a.end > b.start, b.reserved && arrive >= b.start-int32(opt.ReleaseLeadMinutes):
				return false, lunch
			case a.kind > 0 && b.kind > 0:
				if arrive > b.start {
					return false, lunch
				}
			default:
				need := int32(opt.BufferMinutes)
				if b.walkup {
					need += int32(opt.WalkupMarginMinutes)
				}
				if arrive+need > b.start {
					return false, lunch
				}
			}
		}
		last := items[len(items)-1]
		return true, lunch || lunchAt(day, last.venue, last.end, mid+24*60)
	}
	best := score{keep: -1}
	var commitPick []*option
	var wishPick []*option
	evaluate := func() {
		var sc score
		perDay := map[string][]choiceT{}
		for _, o := range locked {
			perDay[o.day] = append(perDay[o.day], *o.c)
			sc.value += o.val
		}
		for i, o := range commitPick {
			if o == nil {
				continue
			}
			sc.keep += keeps[i]
			if o.c.stay && !opt.AllowSwapReservations {
				sc.stays++
			}
			sc.value += o.val
			perDay[o.day] = append(perDay[o.day], *o.c)
		}
		for _, o := range wishPick {
			if o != nil {
				sc.value += o.val
				perDay[o.day] = append(perDay[o.day], *o.c)
			}
		}
		for _, day := range snap.Conf.Days {
			ok, lunch := dayOK(day, slices.Clone(perDay[day]))
			if !ok {
				return
			}
			if opt.Lunch && selected(day) && lunch {
				sc.lunches++
			}
		}
		if sc.beats(best) {
			best = sc
		}
	}
	enumerate(len(commits), func(k int) int { return len(commits[k]) }, func(picks []int) {
		commitPick = commitPick[:0]
		for k, i := range picks {
			if i < 0 {
				commitPick = append(commitPick, nil)
			} else {
				commitPick = append(commitPick, &commits[k][i])
			}
		}
		enumerate(len(wishOpts), func(k int) int { return len(wishOpts[k]) }, func(picks []int) {
			wishPick = wishPick[:0]
			for k, i := range picks {
				if i < 0 {
					wishPick = append(wishPick, nil)
				} else {
					wishPick = append(wishPick, &wishOpts[k][i])
				}
			}
			evaluate()
		})
	})
	return best
}

// enumerate calls f with every choice of one option (or none, -1) for each
// of n slots, slot k having options(k) to choose from.
func enumerate(n int, options func(k int) int, f func(picks []int)) {
	picks := make([]int, n)
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			f(picks)
			return
		}
		for i := -1; i < options(k); i++ {
			picks[k] = i
			rec(k + 1)
		}
	}
	rec(0)
}

// wishGCD is the common divisor of the wishes' scaled values, plain and
// recorded (100 without wishes): the unit of the commitments' weights.
func wishGCD(weight map[string]float64, opt planner.Options) int64 {
	var g int64
	for _, wt := range weight {
		v := int64(math.Round(wt * 100))
		g = gcdT(gcdT(g, v), int64(math.Round(float64(v)*opt.RecordedFactor)))
	}
	if g == 0 {
		g = 100
	}
	return g
}

func gcdT(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// planScore reads the same score off a plan.
func planScore(in instance, p planner.Plan) score {
	snap := in.w.snap
	weight := map[string]float64{}
	for _, wi := range in.wishes {
		se, _ := snap.Session(wi.SessionID)
		weight[se.Group()] = max(weight[se.Group()], in.opt.Weight(wi.Priority))
	}
	g := wishGCD(weight, in.opt)
	sc := score{value: int64(math.Round(p.Value * 100))}
	moved, dropped := map[string]bool{}, map[string]bool{}
	for _, r := range p.Repairs {
		k := r.From.Title + "|" + r.From.Start.String()
		if r.From.SessionID != "" {
			k = r.From.SessionID
		}
		if r.Kind == planner.RepairDrop {
			dropped[k] = true
		} else {
			moved[k] = true
		}
	}
	for _, f := range in.fixed {
		if f.Locked {
			continue
		}
		k := f.Title + "|" + f.Start.String()
		if f.SessionID != "" {
			k = f.SessionID
		}
		if dropped[k] {
			continue
		}
		if !moved[k] && !in.opt.AllowSwapReservations {
			sc.stays++
		}
		prio := f.Importance
		if f.SessionID != "" {
			se, _ := snap.Session(f.SessionID)
			if wt, ok := weight[se.Group()]; ok {
				for _, pr := range priorities {
					if in.opt.Weight(pr) == wt {
						prio = pr
						break
					}
				}
			}
		}
		extra := int64(1)
		if prio == "" {
			prio = planner.Want
			if f.Kind == planner.KindBlock {
				prio, extra = planner.Must, 2
			}
		}
		sc.keep += min(int64(math.Round(in.opt.Weight(prio)*100))/g, 1000) + extra
	}
	if in.opt.Lunch {
		for _, d := range in.w.snap.Conf.Days {
			if len(in.opt.Days) == 0 || slices.Contains(in.opt.Days, d) {
				sc.lunches++
			}
		}
		sc.lunches -= int64(lunchless(p))
	}
	return sc
}

// TestRepairsMatchBruteForce plans 1,000 generated attendees with random,
// often colliding reservations, blocks and keynotes (some locked, some
// repeats full): the accepted plan never leaves an impossible leg or a
// lost seat unless both ends are locked, every collision between locked
// items is named, and the plan is the brute-force optimum.
func TestRepairsMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 41))
	const attendees = 1000
	repaired, conflicts := 0, 0
	for i := range attendees {
		in := repairInstance(t, rng)
		p, err := planner.Optimize(in.w.snap, in.w.tm, in.wishes, in.fixed, in.reserved, in.opt)
		if err != nil {
			t.Fatalf("attendee %d: %v", i, err)
		}
		if !p.Optimal {
			t.Errorf("attendee %d: not proven optimal", i)
		}
		checkNoLateLeg(t, in.w, p, in.opt)
		for _, r := range p.Repairs {
			if r.Reason == "" || r.From.SessionID != "" && regexp.MustCompile(`(^|[^\w-])`+regexp.QuoteMeta(r.From.SessionID)+`($|[^\w-])`).MatchString(r.Reason) {
				t.Errorf("attendee %d: repair %+v without words, or naming an id", i, r)
			}
		}
		got, want := planScore(in, p), bruteRepair(in)
		if got != want {
			t.Fatalf("attendee %d: plan scores %+v, brute force %+v\nwishes %+v\nfixed %+v\nopt %+v\nplan %+v\nrepairs %+v",
				i, got, want, in.wishes, in.fixed, in.opt, p.Items, p.Repairs)
		}
		if len(p.Repairs) > 0 {
			repaired++
		}
		conflicts += len(p.Conflicts)
	}
	t.Logf("%d attendees: %d repaired, %d collisions between locked items reported", attendees, repaired, conflicts)
}
