package catalog

import "math/bits"

// bitset is a set of document numbers (positions in Index.docs), one bit each.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)    { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) remove(i int) { b[i>>6] &^= 1 << (uint(i) & 63) }

// and keeps only the members also in o.
func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

// or adds the members of o.
func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// countAnd is the size of the intersection of b and o, without building it.
func (b bitset) countAnd(o bitset) int {
	n := 0
	for i, w := range b {
		n += bits.OnesCount64(w & o[i])
	}
	return n
}

// each calls f for every member in ascending order until f returns false.
func (b bitset) each(f func(i int) bool) {
	for wi, w := range b {
		for w != 0 {
			i := wi<<6 | bits.TrailingZeros64(w)
			if !f(i) {
				return
			}
			w &= w - 1
		}
	}
}
