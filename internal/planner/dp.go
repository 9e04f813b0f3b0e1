package planner

import "math"

const negInf = math.MinInt64 / 4

// dayResult is the best path of one day under some weights.
type dayResult struct {
	ok   bool
	val  int64
	tie  int64
	path []int32 // global node ids, in order
}

func better(v1, t1, v2, t2 int64) bool { return v1 > v2 || (v1 == v2 && t1 > t2) }

// label is a partial path ending at a node, for the resource-constrained
// search (walking limit).
type label struct {
	val, tie int64
	meters   int32
	lunch    bool
	node     int32 // local index
	prev     int32 // label index, -1 from the start of the day
}

type scratch struct {
	val  []int64
	tie  []int64
	prev []int32
	// label setting
	labels []label
	lo, hi []int32
	tmp    []label
}

func (s *scratch) grow(n int) {
	if cap(s.val) < 2*n {
		s.val = make([]int64, 2*n)
		s.tie = make([]int64, 2*n)
		s.prev = make([]int32, 2*n)
		s.lo = make([]int32, n)
		s.hi = make([]int32, n)
	}
	s.val, s.tie, s.prev = s.val[:2*n], s.tie[:2*n], s.prev[:2*n]
	s.lo, s.hi = s.lo[:n], s.hi[:n]
}

// solveDay finds the best path through a day's graph: every fixed slot,
// any enabled optional nodes, weights w (by global node), lexicographic
// (value, tie-break). It is a longest path over the time-ordered DAG with
// the lunch break as a one-bit state; with a walking limit it becomes an
// exact label-setting search with Pareto labels (value, metres, lunch).
func (p *problem) solveDay(d *dayProb, w []int64, disabled []bool, s *scratch) dayResult {
	if d.walkLimit > 0 {
		return p.solveDayLabels(d, w, disabled, s)
	}
	n := len(d.order)
	s.grow(n)
	val, tie, prev := s.val, s.tie, s.prev
	for j := range n {
		id := d.order[j]
		// Best path into j without and with a lunch break so far.
		v0, v1 := int64(negInf), int64(negInf)
		var t0, t1 int64
		p0, p1 := int32(-1), int32(-1)
		if !disabled[id] {
			if d.srcOK[j] {
				if d.srcLunch[j] {
					v1 = 0
				} else {
					v0 = 0
				}
			}
			for _, e := range d.preds[j] {
				f := 2 * e.from
				a0, a1 := val[f], val[f+1]
				if e.lunch {
					// Both states arrive with lunch taken.
					if a0 != negInf {
						if t := tie[f] + e.tie; a0 > v1 || (a0 == v1 && t > t1) {
							v1, t1, p1 = a0, t, f
						}
					}
				} else if a0 != negInf {
					if t := tie[f] + e.tie; a0 > v0 || (a0 == v0 && t > t0) {
						v0, t0, p0 = a0, t, f
					}
				}
				if a1 != negInf {
					if t := tie[f+1] + e.tie; a1 > v1 || (a1 == v1 && t > t1) {
						v1, t1, p1 = a1, t, f+1
					}
				}
			}
			wv, nt := w[id], p.nodes[id].tie
			if v0 != negInf {
				v0, t0 = v0+wv, t0+nt
			}
			if v1 != negInf {
				v1, t1 = v1+wv, t1+nt
			}
		}
		val[2*j], tie[2*j], prev[2*j] = v0, t0, p0
		val[2*j+1], tie[2*j+1], prev[2*j+1] = v1, t1, p1
	}
	best := dayResult{val: negInf}
	bestK := int32(-2)
	if len(d.slots) == 0 {
		best = dayResult{ok: true}
		bestK = -1
	}
	for j := range n {
		if !d.sinkOK[j] {
			continue
		}
		for l := range 2 {
			k := 2*j + l
			if s.val[k] == negInf || (d.lunchReq && l == 0 && !d.sinkLun[j]) {
				continue
			}
			if !best.ok || better(s.val[k], s.tie[k], best.val, best.tie) {
				best = dayResult{ok: true, val: s.val[k], tie: s.tie[k]}
				bestK = int32(k)
			}
		}
	}
	if !best.ok {
		return best
	}
	for k := bestK; k >= 0; k = s.prev[k] {
		best.path = append(best.path, d.order[k/2])
	}
	reverse(best.path)
	return best
}

func (p *problem) solveDayLabels(d *dayProb, w []int64, disabled []bool, s *scratch) dayResult {
	n := len(d.order)
	s.grow(n)
	s.labels = s.labels[:0]
	limit := d.walkLimit
	for j := range n {
		id := d.order[j]
		s.lo[j] = int32(len(s.labels))
		s.hi[j] = s.lo[j]
		if disabled[id] {
			continue
		}
		wv, nt := w[id], p.nodes[id].tie
		s.tmp = s.tmp[:0]
		if d.srcOK[j] {
			s.tmp = insertLabel(s.tmp, label{val: wv, tie: nt, lunch: d.srcLunch[j], node: int32(j), prev: -1})
		}
		for _, e := range d.preds[j] {
			for li := s.lo[e.from]; li < s.hi[e.from]; li++ {
				pl := &s.labels[li]
				m := pl.meters + e.meters
				if m > limit {
					continue
				}
				s.tmp = insertLabel(s.tmp, label{val: pl.val + wv, tie: pl.tie + e.tie + nt, meters: m,
					lunch: pl.lunch || e.lunch, node: int32(j), prev: li})
			}
		}
		s.labels = append(s.labels, s.tmp...)
		s.hi[j] = int32(len(s.labels))
	}
	best := dayResult{val: negInf}
	bestL := int32(-2)
	if len(d.slots) == 0 {
		best = dayResult{ok: true}
		bestL = -1
	}
	for j := range n {
		if !d.sinkOK[j] {
			continue
		}
		for li := s.lo[j]; li < s.hi[j]; li++ {
			l := &s.labels[li]
			if d.lunchReq && !l.lunch && !d.sinkLun[j] {
				continue
			}
			if !best.ok || better(l.val, l.tie, best.val, best.tie) {
				best = dayResult{ok: true, val: l.val, tie: l.tie}
				bestL = li
			}
		}
	}
	if !best.ok {
		return best
	}
	for li := bestL; li >= 0; li = s.labels[li].prev {
		best.path = append(best.path, d.order[s.labels[li].node])
	}
	reverse(best.path)
	return best
}

// insertLabel adds x to a Pareto set unless a label there dominates it,
// dropping those x dominates.
func insertLabel(set []label, x label) []label {
	for _, y := range set {
		if dominates(y, x) {
			return set
		}
	}
	out := set[:0]
	for _, y := range set {
		if !dominates(x, y) {
			out = append(out, y)
		}
	}
	return append(out, x)
}

func dominates(a, b label) bool {
	return (a.lunch || !b.lunch) && a.meters <= b.meters && !better(b.val, b.tie, a.val, a.tie)
}

func reverse(s []int32) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}
