package catalog

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
)

// The facets, in the order Index.facets holds them.
const (
	facetType = iota
	facetLevel
	facetTopic
	facetVenue
	facetDay
	numFacets
)

// facetNames are the keys of Result.Facets, as the API writes them.
var facetNames = [numFacets]string{"type", "level", "topic", "venue", "day"}

// Field weights for relevance: a word in the code or title says more about a
// session than one in its abstract. An exact word scores twice its weight.
const (
	weightCode     = 10
	weightTitle    = 8
	weightSpeaker  = 5
	weightTopic    = 5
	weightCompany  = 3
	weightAbstract = 2
)

// Index is an immutable search index over one snapshot; it is safe for
// concurrent use. Documents are numbered in start order (scheduled sessions
// by start then id, unscheduled ones last by id), so walking a bitset in
// ascending order lists matches by start.
type Index struct {
	snap *conference.Snapshot
	docs []*conference.Session

	all        bitset
	live       bitset // not cancelled
	reservable bitset
	recorded   bitset
	timed      bitset // has a start and an end

	// Time of each doc: instants in Unix nanoseconds, and minutes after
	// the local midnight of the start day (the end may pass 1440).
	startNano, endNano   []int64
	startClock, endClock []int32

	facets [numFacets]facet

	// A sorted term dictionary; the postings of terms[i] are
	// post[postStart[i]:postStart[i+1]], in doc order.
	terms     []string
	postStart []int32
	post      []posting

	fuzzy fuzzyIndex // typo.go
	comp  compounds  // joined neighbouring words, typo.go
}

// facet holds, per value of one filter, the set of docs that have it.
type facet struct {
	keys   []string       // as the API writes them, sorted
	sets   []bitset       // sets[i]: docs with keys[i]
	lookup map[string]int // normalized value -> position in keys
}

// posting is one doc containing a term, with the weight of the best field
// it appears in.
type posting struct {
	doc    int32
	weight uint8
}

// New indexes the snapshot. The snapshot must not change afterwards.
func New(snap *conference.Snapshot) *Index {
	sessions := snap.Conf.Sessions
	docs := make([]*conference.Session, len(sessions))
	for i := range sessions {
		docs[i] = &sessions[i]
	}
	slices.SortFunc(docs, compareStart)

	n := len(docs)
	ix := &Index{
		snap:       snap,
		docs:       docs,
		all:        newBitset(n),
		live:       newBitset(n),
		reservable: newBitset(n),
		recorded:   newBitset(n),
		timed:      newBitset(n),
		startNano:  make([]int64, n),
		endNano:    make([]int64, n),
		startClock: make([]int32, n),
		endClock:   make([]int32, n),
	}
	values := [numFacets]map[string][]int{} // original key -> docs
	for f := range values {
		values[f] = map[string][]int{}
	}
	postings := &postingsBuilder{ids: map[string]int{}}
	joined := &postingsBuilder{ids: map[string]int{}}
	for d, s := range docs {
		ix.all.set(d)
		if !s.Cancelled {
			ix.live.set(d)
		}
		if s.Reservable {
			ix.reservable.set(d)
		}
		if s.Recorded {
			ix.recorded.set(d)
		}
		if !s.Start.IsZero() && !s.End.IsZero() {
			ix.timed.set(d)
			local := snap.Local(s.Start)
			ix.startNano[d] = s.Start.UnixNano()
			ix.endNano[d] = s.End.UnixNano()
			ix.startClock[d] = int32(local.Hour()*60 + local.Minute())
			ix.endClock[d] = ix.startClock[d] + int32(s.End.Sub(s.Start).Minutes())
			day := local.Format(time.DateOnly)
			values[facetDay][day] = append(values[facetDay][day], d)
		}
		if s.Type != "" {
			values[facetType][s.Type] = append(values[facetType][s.Type], d)
		}
		if s.Level > 0 {
			l := strconv.Itoa(s.Level)
			values[facetLevel][l] = append(values[facetLevel][l], d)
		}
		for _, t := range s.Topics {
			values[facetTopic][t] = append(values[facetTopic][t], d)
		}
		if v, ok := snap.VenueOfRoom(s.RoomID); ok {
			values[facetVenue][v.ID] = append(values[facetVenue][v.ID], d)
		}
		ix.indexText(postings, joined, d, s)
	}
	for f := range values {
		ix.facets[f] = buildFacet(n, values[f])
	}

	ix.terms, ix.postStart, ix.post = postings.flatten()
	ix.fuzzy = buildFuzzy(ix.terms)
	ix.comp.terms, ix.comp.start, ix.comp.post = joined.flatten()
	return ix
}

// Snapshot returns the snapshot the index was built from.
func (ix *Index) Snapshot() *conference.Snapshot { return ix.snap }

// compareStart orders sessions by start then id, unscheduled ones last.
func compareStart(a, b *conference.Session) int {
	if a.Start.IsZero() != b.Start.IsZero() {
		if a.Start.IsZero() {
			return 1
		}
		return -1
	}
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// buildFacet turns value -> docs into bitsets. Values that differ only in
// case or accents are one value, spelled as first seen in key order.
func buildFacet(n int, values map[string][]int) facet {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	f := facet{lookup: map[string]int{}}
	for _, k := range keys {
		norm := normalizeValue(k)
		i, ok := f.lookup[norm]
		if !ok {
			i = len(f.keys)
			f.lookup[norm] = i
			f.keys = append(f.keys, k)
			f.sets = append(f.sets, newBitset(n))
		}
		for _, d := range values[k] {
			f.sets[i].set(d)
		}
	}
	return f
}

// normalizeValue makes filter values case- and accent-insensitive.
func normalizeValue(v string) string { return fold(strings.TrimSpace(v)) }

// indexText adds the words of a session's searchable fields to postings,
// and the neighbouring words of its short fields, joined, to joined.
func (ix *Index) indexText(postings, joined *postingsBuilder, d int, s *conference.Session) {
	add := func(text string, weight uint8) {
		eachToken(text, func(term []byte) { postings.add(term, int32(d), weight) })
		if weight > weightAbstract {
			joinNeighbours(text, func(term []byte) { joined.add(term, int32(d), weight) })
		}
	}
	add(s.Code, weightCode)
	// "SVS-301" is also found as "svs301".
	if parts := tokens(s.Code); len(parts) > 1 {
		add(strings.Join(parts, ""), weightCode)
	}
	add(s.Title, weightTitle)
	for _, sp := range s.Speakers {
		add(sp.Name, weightSpeaker)
		add(sp.Company, weightCompany)
	}
	for _, t := range s.Topics {
		add(t, weightTopic)
	}
	add(s.Abstract, weightAbstract)
}

// postingsBuilder collects the postings of each term while indexing.
type postingsBuilder struct {
	ids   map[string]int // term -> position in lists
	lists [][]posting
}

func (p *postingsBuilder) add(term []byte, d int32, weight uint8) {
	i, ok := p.ids[string(term)]
	if !ok {
		i = len(p.lists)
		p.ids[string(term)] = i
		p.lists = append(p.lists, nil)
	}
	list := p.lists[i]
	// Postings are built doc by doc, so a repeat of the term in this doc
	// is the last entry.
	if last := len(list) - 1; last >= 0 && list[last].doc == d {
		list[last].weight = max(list[last].weight, weight)
		return
	}
	p.lists[i] = append(list, posting{d, weight})
}

// flatten returns the sorted terms and their postings laid end to end
// (the postings of terms[i] are post[start[i]:start[i+1]]).
func (p *postingsBuilder) flatten() (terms []string, start []int32, post []posting) {
	terms = slices.Sorted(maps.Keys(p.ids))
	start = make([]int32, 0, len(terms)+1)
	for _, t := range terms {
		start = append(start, int32(len(post)))
		post = append(post, p.lists[p.ids[t]]...)
	}
	return terms, append(start, int32(len(post))), post
}

// termRange returns the range of terms that start with prefix.
func (ix *Index) termRange(prefix string) (lo, hi int) {
	lo, _ = slices.BinarySearch(ix.terms, prefix)
	hi = lo + sort.Search(len(ix.terms)-lo, func(i int) bool {
		return !strings.HasPrefix(ix.terms[lo+i], prefix)
	})
	return lo, hi
}
