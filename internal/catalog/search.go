package catalog

import (
	"container/heap"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// Sort orders and page sizes of the API.
const (
	SortRelevance = "relevance"
	SortStart     = "start"
	DefaultLimit  = 50
	MaxLimit      = 200
)

// Search returns one page of the sessions matching q, with the total and the
// facet counts. It fails with errcode.Invalid on a bad sort, limit or cursor.
func (ix *Index) Search(q Query) (Result, error) {
	order, err := sortOrder(q)
	if err != nil {
		return Result{}, err
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return Result{}, &errcode.Error{Code: errcode.Invalid,
			Message: fmt.Sprintf("limit: expected a whole number from 1 to %d, got %d", MaxLimit, q.Limit)}
	}
	words := tokens(q.Text)
	key := ix.queryKey(q, words, order)
	offset := 0
	if q.Cursor != "" {
		if offset, err = decodeCursor(q.Cursor, key); err != nil {
			return Result{}, err
		}
	}

	// common: every condition but the facet filters.
	common := slices.Clone(ix.live)
	if q.IncludeCancelled {
		common = slices.Clone(ix.all)
	}
	var score []int32
	if len(words) > 0 {
		score = ix.matchText(words, common)
	}
	ix.matchTime(q, common)
	matchFlag(common, ix.reservable, q.Reservable)
	matchFlag(common, ix.recorded, q.Recorded)

	// The docs each facet filter selects; nil when the filter is not set.
	var selected [numFacets]bitset
	selected[facetType] = ix.selectValues(facetType, q.Types)
	selected[facetLevel] = ix.selectValues(facetLevel, levelStrings(q.Levels))
	selected[facetTopic] = ix.selectValues(facetTopic, q.Topics)
	selected[facetVenue] = ix.selectValues(facetVenue, q.Venues)
	selected[facetDay] = ix.selectValues(facetDay, q.Days)

	matches := slices.Clone(common)
	for _, sel := range selected {
		if sel != nil {
			matches.and(sel)
		}
	}
	res := Result{Total: matches.count(), Facets: ix.countFacets(common, selected)}

	var page []int
	if offset < res.Total {
		// Without words every score is equal, and ties go by start.
		if order == SortRelevance && score != nil {
			page = topByScore(matches, score, offset+limit)[offset:]
		} else {
			page = nthMembers(matches, offset, limit)
		}
	}
	res.Sessions = make([]*conference.Session, len(page))
	for i, d := range page {
		res.Sessions[i] = ix.docs[d]
	}
	if end := offset + len(page); end < res.Total {
		res.Next = encodeCursor(end, key)
	}
	return res, nil
}

func sortOrder(q Query) (string, error) {
	switch strings.ToLower(q.Sort) {
	case "":
		if strings.TrimSpace(q.Text) != "" {
			return SortRelevance, nil
		}
		return SortStart, nil
	case SortRelevance:
		return SortRelevance, nil
	case SortStart:
		return SortStart, nil
	}
	return "", errcode.New(errcode.Invalid, "sort: expected relevance or start, got %q", q.Sort)
}

// matchText keeps in set only the docs that match every word, and returns
// each doc's relevance score (indexed by doc). A word matches a doc with a
// term it is a prefix of, a term within its typo allowance (typo.go), or
// two neighbouring words of a short field written as one ("dynamodb" for
// "Dynamo DB"). Two neighbouring query words also match as one word
// ("dynamo db" for "DynamoDB", "server less" for "serverless").
func (ix *Index) matchText(words []string, set bitset) []int32 {
	units := make([]wordMatch, len(words))
	for i, w := range words {
		units[i] = ix.matchWord(w)
	}
	pairs := make([]wordMatch, max(len(words)-1, 0))
	for i := range pairs {
		pairs[i] = ix.matchWord(words[i] + words[i+1])
	}
	// reach[i]: docs in which words[:i] all match, each alone or joined
	// with its neighbour.
	n := len(set)
	reach := make([]bitset, len(words)+1)
	reach[0] = set
	for i := range words {
		r := append(bitset(nil), reach[i]...)
		r.and(units[i].set)
		if i > 0 && pairs[i-1].score != nil {
			for k := range n {
				r[k] |= reach[i-1][k] & pairs[i-1].set[k]
			}
		}
		reach[i+1] = r
	}
	copy(set, reach[len(words)])
	score := make([]int32, len(ix.docs))
	set.each(func(d int) bool {
		for i := range words {
			var s int32
			if units[i].score != nil { // nil: the word matches only joined
				s = units[i].score[d]
			}
			if i > 0 && pairs[i-1].score != nil {
				s = max(s, pairs[i-1].score[d])
			}
			if i < len(pairs) && pairs[i].score != nil {
				s = max(s, pairs[i].score[d])
			}
			score[d] += s
		}
		return true
	})
	return score
}

// wordMatch is the docs one query word matches and its score in each.
type wordMatch struct {
	set   bitset
	score []int32 // by doc; nil when nothing matched
}

func (ix *Index) matchWord(w string) wordMatch {
	m := wordMatch{set: newBitset(len(ix.docs))}
	add := func(list []posting, exact bool, dist int) {
		if m.score == nil {
			m.score = make([]int32, len(ix.docs))
		}
		for _, p := range list {
			m.score[p.doc] = max(m.score[p.doc], fieldScore(p.weight, exact, dist))
			m.set.set(int(p.doc))
		}
	}
	lo, hi := ix.termRange(w)
	for t := lo; t < hi; t++ {
		add(ix.post[ix.postStart[t]:ix.postStart[t+1]], ix.terms[t] == w, 0)
	}
	ix.fuzzy.near(ix.terms, w, func(t int32, dist int) {
		add(ix.post[ix.postStart[t]:ix.postStart[t+1]], false, dist)
	})
	if list := ix.comp.lookup(w); list != nil {
		add(list, true, 0)
	}
	return m
}

// matchTime removes from set the docs outside the query's time window.
func (ix *Index) matchTime(q Query, set bitset) {
	from, to, after := int64(0), int64(0), int64(0)
	if !q.From.IsZero() {
		from = q.From.UnixNano()
	}
	if !q.To.IsZero() {
		to = q.To.UnixNano()
	}
	if !q.EndAfter.IsZero() {
		after = q.EndAfter.UnixNano()
	}
	if from == 0 && to == 0 && after == 0 && q.FromClock <= 0 && q.ToClock <= 0 {
		return
	}
	set.and(ix.timed)
	set.each(func(d int) bool {
		if from != 0 && ix.startNano[d] < from ||
			to != 0 && ix.endNano[d] > to ||
			after != 0 && ix.endNano[d] <= after ||
			q.FromClock > 0 && ix.startClock[d] < int32(q.FromClock) ||
			q.ToClock > 0 && ix.endClock[d] > int32(q.ToClock) {
			set.remove(d)
		}
		return true
	})
}

// matchFlag keeps the docs in flag when want is true, the others when false.
func matchFlag(set, flag bitset, want *bool) {
	if want == nil {
		return
	}
	for i := range set {
		if *want {
			set[i] &= flag[i]
		} else {
			set[i] &^= flag[i]
		}
	}
}

// selectValues returns the docs having any of the values (nil: no filter).
// Unknown values select nothing.
func (ix *Index) selectValues(f int, values []string) bitset {
	if len(values) == 0 {
		return nil
	}
	sel := newBitset(len(ix.docs))
	for _, v := range values {
		if i, ok := ix.facets[f].lookup[normalizeValue(v)]; ok {
			sel.or(ix.facets[f].sets[i])
		}
	}
	return sel
}

func levelStrings(levels []int) []string {
	out := make([]string, len(levels))
	for i, l := range levels {
		out[i] = strconv.Itoa(l)
	}
	return out
}

// countFacets counts, for each facet value, the matches of every condition
// except that facet's own filter.
func (ix *Index) countFacets(common bitset, selected [numFacets]bitset) map[string]map[string]int {
	out := make(map[string]map[string]int, numFacets)
	var scratch bitset
	for f := range numFacets {
		base, copied := common, false
		for g, sel := range selected {
			if g == f || sel == nil {
				continue
			}
			if !copied {
				scratch = append(scratch[:0], common...)
				base, copied = scratch, true
			}
			base.and(sel)
		}
		counts := make(map[string]int, len(ix.facets[f].keys))
		for i, k := range ix.facets[f].keys {
			counts[k] = base.countAnd(ix.facets[f].sets[i])
		}
		out[facetNames[f]] = counts
	}
	return out
}

// nthMembers returns up to limit members of set after skipping offset.
func nthMembers(set bitset, offset, limit int) []int {
	page := make([]int, 0, limit)
	set.each(func(d int) bool {
		if offset > 0 {
			offset--
			return true
		}
		page = append(page, d)
		return len(page) < limit
	})
	return page
}

// topByScore returns the best k members of set by score, then by doc
// (start, id). It keeps only k candidates in a heap rather than sorting all.
func topByScore(set bitset, score []int32, k int) []int {
	h := &worstFirst{score: score}
	set.each(func(d int) bool {
		if len(h.docs) < k {
			heap.Push(h, d)
		} else if better(score, d, h.docs[0]) {
			h.docs[0] = d
			heap.Fix(h, 0)
		}
		return true
	})
	slices.SortFunc(h.docs, func(a, b int) int {
		if better(score, a, b) {
			return -1
		}
		return 1
	})
	return h.docs
}

// better reports whether doc a ranks before doc b.
func better(score []int32, a, b int) bool {
	if score[a] != score[b] {
		return score[a] > score[b]
	}
	return a < b
}

// worstFirst is a heap of docs whose root is the lowest-ranked.
type worstFirst struct {
	docs  []int
	score []int32
}

func (h *worstFirst) Len() int           { return len(h.docs) }
func (h *worstFirst) Less(i, j int) bool { return better(h.score, h.docs[j], h.docs[i]) }
func (h *worstFirst) Swap(i, j int)      { h.docs[i], h.docs[j] = h.docs[j], h.docs[i] }
func (h *worstFirst) Push(x any)         { h.docs = append(h.docs, x.(int)) }
func (h *worstFirst) Pop() any {
	x := h.docs[len(h.docs)-1]
	h.docs = h.docs[:len(h.docs)-1]
	return x
}

// queryKey identifies a query (everything but its page) over this index,
// so that a cursor is only accepted for the query and snapshot it came from.
func (ix *Index) queryKey(q Query, words []string, order string) uint64 {
	h := fnv.New64a()
	field := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	values := func(vs []string) {
		norm := make([]string, len(vs))
		for i, v := range vs {
			norm[i] = normalizeValue(v)
		}
		slices.Sort(norm)
		field(norm...)
	}
	flag := func(b *bool) string {
		if b == nil {
			return ""
		}
		return strconv.FormatBool(*b)
	}
	field(strconv.FormatInt(ix.snap.Rev, 10), strconv.Itoa(len(ix.docs)), order)
	field(words...)
	values(q.Types)
	values(levelStrings(q.Levels))
	values(q.Topics)
	values(q.Venues)
	values(q.Days)
	field(instant(q.From.IsZero(), q.From.UnixNano()), instant(q.To.IsZero(), q.To.UnixNano()),
		strconv.Itoa(max(q.FromClock, 0)), strconv.Itoa(max(q.ToClock, 0)), instant(q.EndAfter.IsZero(), q.EndAfter.UnixNano()))
	field(flag(q.Reservable), flag(q.Recorded), strconv.FormatBool(q.IncludeCancelled))
	return h.Sum64()
}

func instant(zero bool, nano int64) string {
	if zero {
		return ""
	}
	return strconv.FormatInt(nano, 10)
}

// A cursor is base64url(query key, 8 bytes | offset, uvarint).
func encodeCursor(offset int, key uint64) string {
	b := binary.BigEndian.AppendUint64(nil, key)
	b = binary.AppendUvarint(b, uint64(offset))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(cursor string, key uint64) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) < 9 {
		return 0, errcode.New(errcode.Invalid, "cursor: expected the next value of a previous page, got %q", cursor)
	}
	offset, n := binary.Uvarint(b[8:])
	if n <= 0 || 8+n != len(b) || offset > 1<<31 {
		return 0, errcode.New(errcode.Invalid, "cursor: expected the next value of a previous page, got %q", cursor)
	}
	if binary.BigEndian.Uint64(b) != key {
		return 0, &errcode.Error{Code: errcode.Invalid,
			Message: "cursor: it belongs to another query or an older catalog; search again without it"}
	}
	return int(offset), nil
}
