package catalog

import (
	"math/bits"
	"slices"
	"strings"
)

// Typo tolerance. A query word of FuzzyMinLen or more letters also matches
// the terms within one edit of it, and one of FuzzyTwoLen or more within
// two (optimal string alignment: an insertion, deletion, substitution or a
// swap of two neighbours is one edit). Words and terms with digits (codes,
// years) only match exactly or by prefix: "svs302" is another session, not
// a typo of "svs301". Typo matches rank below exact and prefix matches.
const (
	FuzzyMinLen = 5
	FuzzyTwoLen = 9
)

// fuzzyIndex finds the terms near a word without comparing it to every
// term: terms are grouped by length and each carries the set of letters it
// has (an edit changes at most two letters of that set), so only a few
// survive to the edit-distance check.
type fuzzyIndex struct {
	byLen [][]int32  // term ids by length in bytes
	masks [][]uint64 // the letter set of each, same positions
}

// maxFuzzyLen bounds the terms typo matching looks at (longer ones are
// hashes, URLs, run-together noise).
const maxFuzzyLen = 32

func buildFuzzy(terms []string) fuzzyIndex {
	f := fuzzyIndex{byLen: make([][]int32, maxFuzzyLen+1), masks: make([][]uint64, maxFuzzyLen+1)}
	for i, t := range terms {
		if len(t) < FuzzyMinLen-2 || len(t) > maxFuzzyLen || hasDigit(t) {
			continue
		}
		f.byLen[len(t)] = append(f.byLen[len(t)], int32(i))
		f.masks[len(t)] = append(f.masks[len(t)], letterMask(t))
	}
	return f
}

func hasDigit(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return '0' <= r && r <= '9' })
}

// letterMask is the set of bytes a term holds: a–z one bit each, any
// other byte in one of the remaining bits.
func letterMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			m |= 1 << (c - 'a')
		} else {
			m |= 1 << (26 + uint(c)%38)
		}
	}
	return m
}

// maxEdits is how many edits a query word forgives.
func maxEdits(w string) int {
	switch {
	case len(w) < FuzzyMinLen || hasDigit(w):
		return 0
	case len(w) < FuzzyTwoLen:
		return 1
	}
	return 2
}

// near calls f with every term within maxEdits(w) edits of w (w itself
// excluded: exact matches are found by the dictionary) and its distance.
func (f *fuzzyIndex) near(terms []string, w string, fn func(term int32, dist int)) {
	k := maxEdits(w)
	if k == 0 {
		return
	}
	wm := letterMask(w)
	for l := max(len(w)-k, 0); l <= min(len(w)+k, maxFuzzyLen); l++ {
		for i, m := range f.masks[l] {
			if bits.OnesCount64(m^wm) > 2*k {
				continue
			}
			id := f.byLen[l][i]
			if d := osaDistance(w, terms[id], k); d > 0 && d <= k {
				fn(id, d)
			}
		}
	}
}

// osaDistance is the optimal string alignment distance of a and b (edits
// of bytes; swapping two neighbours counts as one), or k+1 as soon as it
// is known to exceed k.
func osaDistance(a, b string, k int) int {
	if len(a) > maxFuzzyLen || len(b) > maxFuzzyLen {
		return k + 1
	}
	var rows [3][maxFuzzyLen + 1]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > k {
			return k + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Scores of one query word in one doc, by how it matched the best field:
// any exact or prefix match outranks any typo match.
const (
	scoreMatched = 64 // added to an exact or prefix match's field score
)

// fieldScore is what a term in a field of the given weight scores for a
// query word it matched exactly (dist 0, exact), as a prefix, or with
// dist edits.
func fieldScore(weight uint8, exact bool, dist int) int32 {
	w := int32(weight)
	switch {
	case dist == 1:
		return w
	case dist > 1:
		return max(w/2, 1)
	case exact:
		return scoreMatched + 2*w
	}
	return scoreMatched + w
}

// compounds are the joined neighbouring words of the short fields (code,
// title, speakers, topics, companies): "Dynamo DB" is also "dynamodb", so
// the query "DynamoDB" finds it. They are a dictionary of their own, looked
// up exactly, so that joining never makes the prefix or typo matches of
// ordinary words noisier.
type compounds struct {
	terms []string // sorted
	start []int32
	post  []posting
}

// joinNeighbours calls f with each pair of neighbouring words of text,
// joined.
func joinNeighbours(text string, f func(joined []byte)) {
	var prev, joined []byte
	eachToken(text, func(word []byte) {
		if len(prev) > 0 {
			joined = append(append(joined[:0], prev...), word...)
			f(joined)
		}
		prev = append(prev[:0], word...)
	})
}

func (c *compounds) lookup(w string) []posting {
	i, ok := slices.BinarySearch(c.terms, w)
	if !ok {
		return nil
	}
	return c.post[c.start[i]:c.start[i+1]]
}
