package planner_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/planner"
	"venuehop/internal/travel"
)

type wishT = planner.Wish

// instance is a small random planning problem on the small campus.
type instance struct {
	w        world
	wishes   []planner.Wish
	fixed    []planner.Fixed
	reserved map[string]bool
	opt      planner.Options
}

func randomInstance(t testing.TB, rng *rand.Rand) instance {
	c := smallCampus()
	loc, _ := time.LoadLocation(c.TimeZone)
	days := c.Days
	rooms := make([]string, len(c.Rooms))
	for i, r := range c.Rooms {
		rooms[i] = r.ID
	}
	start := func() string {
		m := 8*60 + 15*rng.IntN(40)
		if rng.IntN(3) == 0 { // crowd lunchtime so that the lunch rule binds
			m = 10*60 + 30 + 15*rng.IntN(10)
		}
		return fmt.Sprintf("%02d:%02d", m/60, m%60)
	}
	var wishes []planner.Wish
	nContents := 1 + rng.IntN(10)
	for k := range nContents {
		minutes := []int{30, 60, 90}[rng.IntN(3)]
		recorded := rng.IntN(3) == 0
		n := 1 + rng.IntN(3)
		for j := range n {
			s := session(c, fmt.Sprintf("s%d-%d", k, j), fmt.Sprintf("g%d", k), rooms[rng.IntN(len(rooms))], days[rng.IntN(2)], start(), minutes)
			s.Recorded = recorded
		}
		wishes = append(wishes, planner.Wish{SessionID: fmt.Sprintf("s%d-%d", k, rng.IntN(n)), Priority: priorities[rng.IntN(3)]})
	}
	// Fixed items that do not overlap one another.
	var fixed []planner.Fixed
	overlaps := func(s, e time.Time) bool {
		for _, f := range fixed {
			if conference.Overlaps(s, e, f.Start, f.End) {
				return true
			}
		}
		return false
	}
	if rng.IntN(3) == 0 {
		s := session(c, "res", "", rooms[rng.IntN(len(rooms))], days[rng.IntN(2)], start(), 60)
		fixed = append(fixed, planner.Fixed{Kind: planner.KindReservation, SessionID: "res", Start: s.Start, End: s.End, RoomID: s.RoomID, Locked: true})
	}
	for range rng.IntN(3) {
		st := clock(loc, days[rng.IntN(2)], start())
		en := st.Add(time.Duration(30+30*rng.IntN(2)) * time.Minute)
		if overlaps(st, en) {
			continue
		}
		b := planner.Fixed{Kind: planner.KindBlock, Title: "Block", Start: st, End: en, Locked: true}
		fixed = append(fixed, somewhere(rng, c, rooms, b))
	}
	w := compile(t, c)
	// Fill the reservation's times from the final snapshot (same values).
	reserved := map[string]bool{}
	for _, wi := range wishes {
		for _, s := range w.snap.Sittings(w.snap.Conf.Sessions[mustIndex(w, wi.SessionID)].Group()) {
			if rng.IntN(6) == 0 {
				reserved[s.ID] = true
			}
		}
	}
	opt := planner.DefaultOptions()
	opt.TimeLimit = time.Minute
	opt.BufferMinutes = []int{0, 5, 10}[rng.IntN(3)]
	opt.WalkupMarginMinutes = []int{0, 15}[rng.IntN(2)]
	opt.Lunch = rng.IntN(2) == 0
	opt.AvoidShuttle = rng.IntN(6) == 0
	if rng.IntN(4) == 0 {
		opt.MaxWalkMetersPerDay = 1000 + 1000*rng.IntN(3)
	}
	if rng.IntN(8) == 0 {
		opt.AvoidVenues = []string{"c"}
	}
	if rng.IntN(8) == 0 {
		opt.Days = []string{day1}
	}
	if rng.IntN(3) == 0 {
		opt.RecordedFactor = 1
	}
	return instance{w: w, wishes: wishes, fixed: fixed, reserved: reserved, opt: opt}
}

// somewhere gives a block a random place: a venue, a room, or none.
func somewhere(rng *rand.Rand, c *conference.Conference, rooms []string, b planner.Fixed) planner.Fixed {
	switch rng.IntN(3) {
	case 0:
		b.VenueID = c.Venues[rng.IntN(len(c.Venues))].ID
	case 1:
		b.RoomID = rooms[rng.IntN(len(rooms))]
	}
	return b
}

func mustIndex(w world, id string) int {
	i, ok := w.snap.SessionIndex(id)
	if !ok {
		panic("no session " + id)
	}
	return i
}

// place resolves an item's place for the brute-force checkers: a room, a
// venue's first room, or unknown (-1).
func (w world) place(roomID, venueID string) (int32, string) {
	if roomID != "" {
		r, _ := w.tm.RoomIndex(roomID)
		room, _ := w.snap.Room(roomID)
		return r, room.VenueID
	}
	if venueID != "" {
		for i, r := range w.snap.Conf.Rooms {
			if r.VenueID == venueID {
				return int32(i), venueID
			}
		}
	}
	return -1, ""
}

// bruteItem is an item placed for the brute-force checker.
type bruteItem struct {
	start, end int32
	room       int32 // -1 unknown
	venue      string
	fixed      bool
	session    bool
	reserved   bool
}

// bruteForce enumerates every choice of sitting (or none) per content and
// returns the best value (scaled ×100, as the planner counts) among the
// plans with the most lunch breaks. It restates the planning rules
// independently of the planner's graph; the fixed items are locked.
func bruteForce(in instance) int64 {
	w, opt := in.w, in.opt
	snap, tm := w.snap, w.tm
	type cont struct {
		weight   float64
		sittings []*conference.Session
	}
	byGroup := map[string]int{}
	var contents []cont
	for _, wi := range in.wishes {
		se, _ := snap.Session(wi.SessionID)
		wt := opt.Weight(wi.Priority)
		if i, ok := byGroup[se.Group()]; ok {
			contents[i].weight = max(contents[i].weight, wt)
			continue
		}
		byGroup[se.Group()] = len(contents)
		var sits []*conference.Session
		for _, s := range snap.Sittings(se.Group()) {
			v, _ := snap.VenueOfRoom(s.RoomID)
			day := snap.Day(s.Start)
			if slices.Contains(opt.AvoidVenues, v.ID) || (len(opt.Days) > 0 && !slices.Contains(opt.Days, day)) {
				continue
			}
			sits = append(sits, s)
		}
		contents = append(contents, cont{weight: wt, sittings: sits})
	}
	place := w.place
	var fixedItems []bruteItem
	for _, f := range in.fixed {
		room, venue := place(f.RoomID, f.VenueID)
		fixedItems = append(fixedItems, bruteItem{start: tm.Minute(f.Start), end: tm.Minute(f.End), room: room, venue: venue,
			fixed: true, session: f.SessionID != "", reserved: f.Kind == planner.KindReservation})
	}
	lunchAt := func(day string, venue string, lo, hi int32) bool {
		if venue == "" {
			venue = "?"
		}
		mid := tm.Minute(clock(snap.Loc, day, "00:00"))
		l0, l1 := mid+planner.LunchFrom, mid+planner.LunchTo
		served := venue == "?"
		for _, m := range snap.Conf.Meals {
			if m.Kind == "lunch" && m.VenueID == venue {
				served = true
			}
		}
		if !served {
			return false
		}
		return min(hi, l1)-max(lo, l0) >= planner.LunchMinutes
	}
	// dayCheck reports feasibility, lunch and walking of one day's items.
	dayCheck := func(day string, items []bruteItem) (ok, lunch bool, meters int) {
		slices.SortStableFunc(items, func(a, b bruteItem) int {
			if a.start != b.start {
				return int(a.start - b.start)
			}
			return int(a.end - b.end)
		})
		ok = true
		if len(items) == 0 {
			return true, true, 0
		}
		for i := range items {
			if items[i].room < 0 && i > 0 {
				items[i].room, items[i].venue = items[i-1].room, items[i-1].venue
			}
		}
		lunch = lunchAt(day, items[0].venue, tm.Minute(clock(snap.Loc, day, "00:00")), items[0].start)
		for i := 1; i < len(items); i++ {
			a, b := items[i-1], items[i]
			arrive := a.end
			shuttle := false
			if a.room >= 0 && b.room >= 0 && a.room != b.room {
				arrive = tm.ArriveBy(a.room, b.room, a.end)
				trip, _ := tm.Leg(snap.Conf.Rooms[a.room].ID, snap.Conf.Rooms[b.room].ID, tm.Time(a.end))
				rides := func(trip travel.Trip) bool {
					return slices.ContainsFunc(trip.Steps, func(s travel.Step) bool { return s.Mode == travel.ModeShuttle })
				}
				if opt.AvoidShuttle && rides(trip) {
					// Walk the whole way: a trip leaving long before the
					// conference, when nothing runs.
					trip, _ = tm.Leg(snap.Conf.Rooms[a.room].ID, snap.Conf.Rooms[b.room].ID, tm.Time(a.end).AddDate(-1, 0, 0))
					arrive = a.end + int32(trip.Minutes)
				}
				shuttle = rides(trip)
				if a.venue != b.venue {
					for _, s := range trip.Steps {
						if s.Mode == travel.ModeWalk {
							meters += s.Meters
						}
					}
				}
			}
			lunch = lunch || lunchAt(day, b.venue, arrive, b.start) || lunchAt(day, a.venue, a.end, b.start-(arrive-a.end))
			if a.fixed && b.fixed {
				continue
			}
			need := int32(opt.BufferMinutes)
			if b.session && !b.reserved {
				need += int32(opt.WalkupMarginMinutes)
			}
			if a.end > b.start || arrive+need > b.start || (b.reserved && arrive >= b.start-int32(opt.ReleaseLeadMinutes)) ||
				(opt.AvoidShuttle && shuttle) {
				ok = false
			}
		}
		last := items[len(items)-1]
		lunch = lunch || lunchAt(day, last.venue, last.end, tm.Minute(clock(snap.Loc, day, "23:59"))+1)
		return ok, lunch, meters
	}
	// A walking limit the fixed items alone break is dropped for the day.
	// The lunch break is not a hard rule: it comes before every wish, and
	// only where it can be had.
	lunchReq := map[string]bool{}
	walkLimit := map[string]int{}
	for _, day := range snap.Conf.Days {
		var items []bruteItem
		for i, f := range in.fixed {
			if snap.Day(f.Start) == day {
				items = append(items, fixedItems[i])
			}
		}
		_, _, meters := dayCheck(day, items)
		selected := len(opt.Days) == 0 || slices.Contains(opt.Days, day)
		lunchReq[day] = opt.Lunch && selected
		walkLimit[day] = opt.MaxWalkMetersPerDay
		if meters > opt.MaxWalkMetersPerDay {
			walkLimit[day] = 0
		}
	}
	bestLunch := -1
	best := int64(-1)
	choice := make([]*conference.Session, len(contents))
	var rec func(k int)
	rec = func(k int) {
		if k == len(contents) {
			var val int64
			perDay := map[string][]bruteItem{}
			for i, f := range in.fixed {
				d := snap.Day(f.Start)
				perDay[d] = append(perDay[d], fixedItems[i])
			}
			for i, s := range choice {
				if s == nil {
					continue
				}
				v := int64(math.Round(contents[i].weight * 100))
				if s.Recorded {
					v = int64(math.Round(float64(v) * opt.RecordedFactor))
				}
				val += v
				r, venue := place(s.RoomID, "")
				d := snap.Day(s.Start)
				perDay[d] = append(perDay[d], bruteItem{start: tm.Minute(s.Start), end: tm.Minute(s.End), room: r, venue: venue,
					session: true, reserved: in.reserved[s.ID]})
			}
			lunches := 0
			for _, day := range snap.Conf.Days {
				ok, lunch, meters := dayCheck(day, slices.Clone(perDay[day]))
				if !ok || (walkLimit[day] > 0 && meters > walkLimit[day]) {
					return
				}
				if lunchReq[day] && lunch {
					lunches++
				}
			}
			if lunches > bestLunch || lunches == bestLunch && val > best {
				best, bestLunch = val, lunches
			}
			return
		}
		choice[k] = nil
		rec(k + 1)
	next:
		for _, s := range contents[k].sittings {
			// Prune on plain overlaps: adding items never repairs one.
			for _, o := range choice[:k] {
				if o != nil && conference.Overlaps(o.Start, o.End, s.Start, s.End) {
					continue next
				}
			}
			for _, f := range in.fixed {
				if conference.Overlaps(f.Start, f.End, s.Start, s.End) {
					continue next
				}
			}
			choice[k] = s
			rec(k + 1)
		}
		choice[k] = nil
	}
	rec(0)
	return best
}

func TestOptimizeMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const instances = 400
	strictlyBetter := 0
	for i := range instances {
		in := randomInstance(t, rng)
		plan, err := planner.Optimize(in.w.snap, in.w.tm, in.wishes, in.fixed, in.reserved, in.opt)
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		want := bruteForce(in)
		got := int64(math.Round(plan.Value * 100))
		if got != want {
			t.Fatalf("instance %d: optimizer value %d, brute force %d\nwishes %+v\nfixed %+v\nopt %+v\nplan %+v",
				i, got, want, in.wishes, in.fixed, in.opt, plan.Items)
		}
		if !plan.Optimal {
			t.Errorf("instance %d: not proven optimal", i)
		}
		greedy, err := planner.Greedy(in.w.snap, in.w.tm, in.wishes, in.fixed, in.reserved, in.opt)
		if err != nil {
			t.Fatal(err)
		}
		// Lunch breaks come before value: greedy may be worth more with
		// fewer of them.
		if gl, pl := lunchless(greedy), lunchless(plan); gl < pl || gl == pl && greedy.Value > plan.Value {
			t.Errorf("instance %d: greedy %v (%d days without lunch) beats the optimizer %v (%d)", i, greedy.Value, gl, plan.Value, pl)
		}
		if plan.Value > greedy.Value {
			strictlyBetter++
		}
		checkPlanAnalyzes(t, in.w, plan, in.opt)
		checkOncePerContent(t, in.w, plan)
	}
	t.Logf("%d instances: optimizer strictly better than greedy on %d", instances, strictlyBetter)
}

// lunchless counts the days a plan says have no lunch break.
func lunchless(p planner.Plan) int {
	n := 0
	for _, w := range p.Warnings {
		if strings.HasPrefix(w, "no lunch break") {
			n++
		}
	}
	return n
}

// checkPlanAnalyzes: the analysis of a plan shows no impossible transition
// and no lost seat, except between two fixed items (which the plan keeps
// whatever their conflict).
func checkPlanAnalyzes(t *testing.T, w world, plan planner.Plan, opt planner.Options) {
	t.Helper()
	items := make([]planner.Item, len(plan.Items))
	fixed := map[string]bool{}
	for i, it := range plan.Items {
		items[i] = it.Item
		if it.Fixed {
			fixed[key(it.Item)] = true
		}
	}
	ag, err := planner.Analyze(w.snap, w.tm, items, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ag.Days {
		for i, leg := range d.Legs {
			if fixed[key(d.Items[i])] && fixed[key(d.Items[i+1])] {
				continue
			}
			if leg.Status == planner.StatusImpossible || leg.Status == planner.StatusSeatLost {
				t.Errorf("%s: leg %s → %s is %s (slack %d)", d.Date, leg.From, leg.To, leg.Status, leg.SlackMinutes)
			}
			if leg.SlackMinutes < opt.BufferMinutes {
				t.Errorf("%s: leg %s → %s has slack %d under the buffer %d", d.Date, leg.From, leg.To, leg.SlackMinutes, opt.BufferMinutes)
			}
		}
		if opt.MaxWalkMetersPerDay > 0 && d.WalkMeters > opt.MaxWalkMetersPerDay && len(plan.Warnings) == 0 {
			t.Errorf("%s: walks %d m, limit %d", d.Date, d.WalkMeters, opt.MaxWalkMetersPerDay)
		}
	}
}

func key(it planner.Item) string {
	return it.Kind + "|" + it.SessionID + "|" + it.Title + "|" + it.Start.String()
}

func checkOncePerContent(t *testing.T, w world, plan planner.Plan) {
	t.Helper()
	seen := map[string]bool{}
	for _, it := range plan.Items {
		if it.Fixed || it.SessionID == "" {
			continue
		}
		g := w.snap.Conf.Sessions[mustIndex(w, it.SessionID)].Group()
		if seen[g] {
			t.Errorf("content %s attended twice", g)
		}
		seen[g] = true
	}
}
