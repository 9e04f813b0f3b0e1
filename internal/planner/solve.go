package planner

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// solution is a feasible plan: per day, the path of global node ids.
type solution struct {
	ok   bool
	val  int64
	tie  int64
	days [][]int32
}

func (s solution) beats(o solution) bool { return !o.ok || better(s.val, s.tie, o.val, o.tie) }

type searcher struct {
	p        *problem
	s        scratch
	w        []int64
	best     solution
	greedy   solution
	explored int
	deadline time.Time
	gcd      int64 // of all node values: every plan's value is a multiple
	force    int64 // bonus that makes a forced sitting worth more than anything else
	// lunch is the lunch bonus the last solveDays earned over all days.
	lunch int64
}

// evalDay checks a day made of its locked slots and the given optional
// nodes: every transition feasible (those between two locked items are
// forced), walking within the day's limit. It returns the sequence actually
// used (copies of placeless items resolved to where the attendee is), its
// value (with the lunch bonus when the day keeps a lunch break), tie and
// walking, and whether it has a lunch break.
func (p *problem) evalDay(d *dayProb, opts []int32) (seq []int32, ok bool, val, tie int64, meters int32, lunch bool) {
	sorted := slices.Clone(opts)
	slices.SortFunc(sorted, func(a, b int32) int {
		na, nb := &p.nodes[a], &p.nodes[b]
		return cmp.Or(cmp.Compare(na.slot, nb.slot), cmp.Compare(na.start, nb.start), cmp.Compare(na.end, nb.end))
	})
	where := func() int32 {
		if len(seq) > 0 {
			return p.nodes[seq[len(seq)-1]].room
		}
		return -1
	}
	k := 0
	for s := range len(d.slots) + 1 {
		for k < len(sorted) && p.nodes[sorted[k]].slot == int32(s) {
			id := sorted[k]
			if n := &p.nodes[id]; n.locless {
				if cp, found := p.copies[[2]int32{n.content, where()}]; found {
					id = cp
				}
			}
			seq = append(seq, id)
			k++
		}
		if s == len(d.slots) {
			break
		}
		copies := d.slots[s]
		pick := copies[0]
		if p.nodes[pick].locless {
			w := where()
			for _, c := range copies {
				if p.nodes[c].room == w {
					pick = c
				}
			}
		}
		seq = append(seq, pick)
	}
	if len(seq) == 0 {
		return seq, true, p.lunchValue(d, true), 0, 0, true
	}
	ok = true
	first := &p.nodes[seq[0]]
	lunch = d.srcLunch[first.local]
	for i, id := range seq {
		n := &p.nodes[id]
		val += n.value
		tie += n.tie
		if i == 0 {
			continue
		}
		a := &p.nodes[seq[i-1]]
		e, feasible := p.transition(d, a, n)
		if !feasible && !(a.fixed >= 0 && n.fixed >= 0) {
			ok = false
		}
		tie += e.tie
		meters += e.meters
		lunch = lunch || e.lunch
	}
	lunch = lunch || d.sinkLun[p.nodes[seq[len(seq)-1]].local]
	val += p.lunchValue(d, lunch)
	if d.walkLimit > 0 && meters > d.walkLimit {
		ok = false
	}
	return seq, ok, val, tie, meters, lunch
}

// lunchValue is the lunch bonus a day earns.
func (p *problem) lunchValue(d *dayProb, lunch bool) int64 {
	if d.lunchReq && lunch {
		return p.lunchBonus
	}
	return 0
}

// relaxDays drops the walking limit on a day whose commitments alone, in
// their own sittings, already break it: no plan keeping them keeps it.
func (p *problem) relaxDays() {
	for di := range p.days {
		d := &p.days[di]
		if d.walkLimit <= 0 {
			continue
		}
		var stays []int32
		for _, id := range d.order {
			if n := &p.nodes[id]; n.stay && (!n.locless || n.room < 0) {
				stays = append(stays, id)
			}
		}
		if _, _, _, _, meters, _ := p.evalDay(d, stays); meters > d.walkLimit {
			d.walkLimit = 0
			p.warnings = append(p.warnings, "your fixed items on "+p.dayName(di)+" already walk more than your walking limit")
		}
	}
}

// dayName is "Tue 1 Dec".
func (p *problem) dayName(di int) string {
	return p.snap.Local(p.tm.Time(p.days[di].midnight)).Format("Mon 2 Jan")
}

// optional reports the optional nodes of a sequence.
func (p *problem) optional(seq []int32) []int32 {
	var out []int32
	for _, id := range seq {
		if p.nodes[id].fixed < 0 {
			out = append(out, id)
		}
	}
	return out
}

// greedy: commitments first (in their own sitting if they fit), then
// wishes by priority (then wish order); each takes its earliest sitting
// that keeps its day feasible and adds to its value.
func (p *problem) greedy() solution {
	chosen := make([][]int32, len(p.days))
	order := make([]int32, len(p.contents))
	for i := range order {
		order[i] = int32(i)
	}
	prio := func(c *content) int64 { return c.weight + c.keep }
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(prio(&p.contents[b]), prio(&p.contents[a])) })
	for _, ci := range order {
		c := &p.contents[ci]
		sits := slices.Clone(c.sittings)
		slices.SortStableFunc(sits, func(a, b int32) int {
			na, nb := &p.nodes[a], &p.nodes[b]
			return cmp.Or(-cmp.Compare(b2i(na.stay), b2i(nb.stay)), cmp.Compare(na.start, nb.start))
		})
		for _, id := range sits {
			di := p.nodes[id].day
			_, _, before, _, _, _ := p.evalDay(&p.days[di], chosen[di])
			try := append(slices.Clone(chosen[di]), id)
			if _, ok, val, _, _, _ := p.evalDay(&p.days[di], try); ok && val > before {
				chosen[di] = try
				break
			}
		}
	}
	return p.solutionOf(chosen)
}

// solutionOf evaluates per-day optional choices.
func (p *problem) solutionOf(chosen [][]int32) solution {
	sol := solution{ok: true, days: make([][]int32, len(p.days))}
	for di := range p.days {
		seq, ok, val, tie, _, _ := p.evalDay(&p.days[di], chosen[di])
		if !ok {
			return solution{}
		}
		sol.days[di], sol.val, sol.tie = seq, sol.val+val, sol.tie+tie
	}
	return sol
}

func (st *searcher) offer(days [][]int32, val, tie int64) {
	cand := solution{ok: true, val: val, tie: tie, days: make([][]int32, len(days))}
	for i, d := range days {
		cand.days[i] = slices.Clone(d)
	}
	if cand.beats(st.best) {
		st.best = cand
	}
}

type bbNode struct {
	disabled []bool // sittings this branch may not use
	forced   []bool // sittings this branch must use (their content is settled)
	lambda   []int64
	ub       int64
	depth    int
}

type boundResult struct {
	ub         int64
	counts     []int32
	closed     bool
	infeasible bool
	lambda     []int64
}

// weights sets the working node weights of a branch: value − λ, plus the
// forcing bonus on forced sittings.
func (st *searcher) weights(nd *bbNode, lambda []int64) (nForced int64) {
	p := st.p
	for id := range p.nodes {
		n := &p.nodes[id]
		st.w[id] = n.value
		if n.fixed < 0 {
			if lambda != nil {
				st.w[id] -= lambda[n.content]
			}
			if nd.forced[id] {
				st.w[id] += st.force
				nForced++
			}
		}
	}
	return nForced
}

// solveAll solves every day under the working weights; it fails when a
// day is infeasible or a forced sitting cannot be placed. With a cache,
// only the days marked dirty are solved again.
func (st *searcher) solveAll(nd *bbNode, paths [][]int32) (total, tie int64, ok bool) {
	return st.solveDays(nd, paths, nil, nil)
}

func (st *searcher) solveDays(nd *bbNode, paths [][]int32, cache []dayResult, dirty []bool) (total, tie int64, ok bool) {
	p := st.p
	placed := 0
	st.lunch = 0
	for di := range p.days {
		var r dayResult
		if cache != nil && !dirty[di] {
			r = cache[di]
		} else {
			r = p.solveDay(&p.days[di], st.w, nd.disabled, &st.s)
			if cache != nil {
				cache[di], dirty[di] = r, false
			}
		}
		if !r.ok {
			return 0, 0, false
		}
		total, tie, paths[di] = total+r.val, tie+r.tie, r.path
		st.lunch += r.lunch
		for _, id := range r.path {
			if nd.forced[id] {
				placed++
			}
		}
	}
	for _, f := range nd.forced {
		if f {
			placed--
		}
	}
	return total, tie, placed == 0
}

// bound computes a Lagrangian upper bound for a branch: "each content at
// most once" is priced by multipliers λ (a sitting of content c is worth
// value − λc, plus Σλ), every day is then solved independently and exactly,
// and λ follows subgradient steps. Any λ ≥ 0 gives a valid bound.
func (st *searcher) bound(nd *bbNode, iters int) boundResult {
	p := st.p
	lambda := slices.Clone(nd.lambda)
	free := make([]bool, len(p.contents)) // contents the relaxation may duplicate
	for ci := range p.contents {
		k := 0
		for _, id := range p.contents[ci].sittings {
			if nd.forced[id] {
				k = 0
				break
			}
			if !nd.disabled[id] {
				k++
			}
		}
		free[ci] = k > 1 && !p.contents[ci].exclusive
		if !free[ci] {
			lambda[ci] = 0
		}
	}
	res := boundResult{ub: math.MaxInt64, counts: make([]int32, len(p.contents))}
	bestLambda := slices.Clone(lambda)
	paths := make([][]int32, len(p.days))
	mu, stale := 1.0, 0
	counts := make([]int32, len(p.contents))
	cache := make([]dayResult, len(p.days))
	dirty := make([]bool, len(p.days))
	for i := range dirty {
		dirty[i] = true
	}
	for it := 0; it < iters; it++ {
		nForced := st.weights(nd, lambda)
		total, tie, ok := st.solveDays(nd, paths, cache, dirty)
		if !ok {
			res.infeasible = true
			return res
		}
		trueVal := st.lunch
		total -= nForced * st.force
		for _, l := range lambda {
			total += l
		}
		total = st.floor(total)
		clear(counts)
		for _, path := range paths {
			for _, id := range path {
				n := &p.nodes[id]
				trueVal += n.value
				if n.fixed < 0 {
					counts[n.content]++
				}
			}
		}
		if total < res.ub {
			res.ub = total
			copy(bestLambda, lambda)
			copy(res.counts, counts)
			stale = 0
		} else if stale++; stale >= 3 {
			mu, stale = mu/2, 0
			if mu < 1.0/64 { // the steps no longer move the bound
				break
			}
		}
		dup := false
		var unusedPrice int64
		for ci, k := range counts {
			if k > 1 {
				dup = true
			} else if k == 0 {
				unusedPrice += lambda[ci]
			}
		}
		if !dup {
			st.offer(paths, trueVal, tie)
			if unusedPrice == 0 {
				// The relaxation's answer is feasible and worth its bound.
				res.ub, res.closed = trueVal, true
				copy(res.counts, counts)
				res.lambda = bestLambda
				return res
			}
		}
		if res.ub <= st.best.val {
			break
		}
		// Subgradient step (Polyak), in whole value units.
		var norm float64
		for ci, k := range counts {
			if free[ci] {
				g := float64(1 - k)
				norm += g * g
			}
		}
		if norm == 0 {
			break
		}
		t := mu * float64(total-st.best.val) / norm
		for ci, k := range counts {
			if !free[ci] || k == 1 {
				continue
			}
			g := float64(1 - k)
			step := int64(math.Round(t * g))
			if step == 0 {
				step = int64(g) // always move
			}
			if l := max(0, lambda[ci]-step); l != lambda[ci] {
				lambda[ci] = l
				for _, id := range p.contents[ci].sittings {
					dirty[p.nodes[id].day] = true
				}
			}
		}
	}
	res.lambda = bestLambda
	return res
}

// floor rounds a bound down to what a plan can be worth: every value is a
// multiple of the values' greatest common divisor.
func (st *searcher) floor(ub int64) int64 {
	if st.gcd <= 1 || ub <= 0 {
		return ub
	}
	return ub - ub%st.gcd
}

// repair turns a branch into a feasible plan quickly: solve every day with
// the true values, then keep one sitting of each content taken twice and
// solve again.
func (st *searcher) repair(nd *bbNode) {
	p := st.p
	local := &bbNode{disabled: slices.Clone(nd.disabled), forced: nd.forced}
	st.weights(local, nil)
	paths := make([][]int32, len(p.days))
	seen := make([]int32, len(p.contents))
	for range 20 {
		_, tie, ok := st.solveAll(local, paths)
		if !ok {
			return
		}
		for i := range seen {
			seen[i] = -1
		}
		dup := false
		val := st.lunch
		for _, path := range paths {
			for _, id := range path {
				n := &p.nodes[id]
				val += n.value
				if n.fixed >= 0 {
					continue
				}
				if seen[n.content] >= 0 {
					dup = true
					local.disabled[id] = true
				} else {
					seen[n.content] = id
				}
			}
		}
		if !dup {
			st.offer(paths, val, tie)
			return
		}
		// Keep the first sitting taken of each duplicated content.
		for ci, keep := range seen {
			if keep < 0 {
				continue
			}
			for _, id := range p.contents[ci].sittings {
				if id != keep {
					local.disabled[id] = true
				}
			}
		}
	}
}

// openSet is the search frontier: most promising bound first, deeper first
// among equals (to reach complete plans quickly).
type openSet []*bbNode

func (o *openSet) push(n *bbNode) {
	*o = append(*o, n)
	h := *o
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func (o *openSet) pop() *bbNode {
	h := *o
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*o = h
	return top
}

func (o openSet) less(i, j int) bool {
	return o[i].ub > o[j].ub || (o[i].ub == o[j].ub && o[i].depth > o[j].depth)
}

// search runs best-first branch and bound from the greedy plan. It returns
// whether the search finished (the incumbent is optimal) and the best
// bound on the optimum.
func (st *searcher) search() (optimal bool, bound int64) {
	p := st.p
	st.gcd = p.lunchBonus
	var total int64
	for i := range p.nodes {
		st.gcd = gcd(st.gcd, p.nodes[i].value)
		total += max(p.nodes[i].value, 0)
	}
	st.force = total + 1
	root := &bbNode{disabled: make([]bool, len(p.nodes)), forced: make([]bool, len(p.nodes)),
		lambda: make([]int64, len(p.contents)), ub: math.MaxInt64}
	open := openSet{root}
	for len(open) > 0 {
		if st.explored > 0 && time.Now().After(st.deadline) {
			return false, max(st.best.val, open[0].ub)
		}
		nd := open.pop()
		if nd.ub <= st.best.val {
			continue
		}
		st.explored++
		iters := 12
		if nd.depth == 0 {
			iters = 60
		}
		r := st.bound(nd, iters)
		if r.infeasible || r.closed || r.ub <= st.best.val {
			continue
		}
		if nd.depth == 0 || st.explored%8 == 0 { // repairing costs several full solves: not at every node
			st.repair(nd)
		}
		if r.ub <= st.best.val {
			continue
		}
		ci := st.branchOn(nd, r)
		if ci < 0 {
			// No content can be taken twice any more: the days are
			// independent and the plain day optimum is exact.
			paths := make([][]int32, len(p.days))
			nForced := st.weights(nd, nil)
			if val, tie, ok := st.solveAll(nd, paths); ok {
				st.offer(paths, val-nForced*st.force, tie)
			}
			continue
		}
		// Children partition the branch: the content at each of its
		// remaining sittings, or not at all.
		var sits []int32
		for _, id := range p.contents[ci].sittings {
			if !nd.disabled[id] {
				sits = append(sits, id)
			}
		}
		none := &bbNode{disabled: slices.Clone(nd.disabled), forced: nd.forced, lambda: r.lambda, ub: r.ub, depth: nd.depth + 1}
		for _, id := range sits {
			none.disabled[id] = true
		}
		open.push(none)
		for _, keep := range sits {
			child := &bbNode{disabled: slices.Clone(nd.disabled), forced: slices.Clone(nd.forced), lambda: r.lambda, ub: r.ub, depth: nd.depth + 1}
			for _, id := range sits {
				if id != keep {
					child.disabled[id] = true
				}
			}
			child.forced[keep] = true
			open.push(child)
		}
	}
	return true, st.best.val
}

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// branchOn picks the content to branch on among those that could still be
// taken twice: the most valuable one (commitments first) the relaxation
// takes more than once,
// else the one with the highest multiplier; -1 if none.
func (st *searcher) branchOn(nd *bbNode, r boundResult) int32 {
	p := st.p
	best, bestKey := int32(-1), int64(-1)
	free := func(ci int) bool {
		if p.contents[ci].exclusive {
			return false
		}
		k := 0
		for _, id := range p.contents[ci].sittings {
			if nd.forced[id] {
				return false
			}
			if !nd.disabled[id] {
				k++
			}
		}
		return k > 1
	}
	for ci, k := range r.counts {
		// A commitment weighs its keep bonus: settle those first.
		if key := p.contents[ci].weight + p.contents[ci].keep; k > 1 && key > bestKey && free(ci) {
			best, bestKey = int32(ci), key
		}
	}
	if best >= 0 {
		return best
	}
	for ci := range p.contents {
		if free(ci) && r.lambda[ci] > bestKey {
			best, bestKey = int32(ci), r.lambda[ci]
		}
	}
	return best
}
