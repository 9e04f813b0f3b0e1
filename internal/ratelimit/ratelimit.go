// Package ratelimit is the token bucket that sign-ups and anonymous reads
// are bounded with: per key (a client address) and in total, in memory.
package ratelimit

import (
	"sync"
	"time"
)

// Rate is a bucket's size and refill: Burst at once, then one more per
// Every.
type Rate struct {
	Burst float64
	Every time.Duration
}

// PerSecond is a rate of n a second with a burst.
func PerSecond(n float64, burst int) Rate {
	return Rate{Burst: float64(burst), Every: time.Duration(float64(time.Second) / n)}
}

// Bucket is one token bucket; the zero Bucket is full.
type Bucket struct {
	tokens float64
	last   time.Time
}

// Take refills the bucket for the time since its last use and takes one
// token; with none there it takes nothing and returns how long until one
// would be.
func (b *Bucket) Take(r Rate, now time.Time) time.Duration {
	if b.last.IsZero() {
		b.tokens = r.Burst
	} else {
		b.tokens = min(r.Burst, b.tokens+float64(now.Sub(b.last))/float64(r.Every))
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(r.Every))
}

// Give returns a token taken (a request refused for another reason).
func (b *Bucket) Give() { b.tokens++ }

// maxKeys bounds the buckets kept; past it the full ones are forgotten.
const maxKeys = 100_000

// Keyed is a bucket per key (and optionally one for all keys together),
// safe for concurrent use.
type Keyed struct {
	mu      sync.Mutex
	each    Rate
	all     Rate // zero: no total
	buckets map[string]*Bucket
	total   Bucket
}

// NewKeyed returns buckets of rate each per key and, unless all is zero,
// one of rate all for every key together.
func NewKeyed(each, all Rate) *Keyed {
	return &Keyed{each: each, all: all, buckets: map[string]*Bucket{}}
}

// Take takes a token of key (and of the total): 0 when allowed, else how
// long to wait, and whether the total was what refused.
func (k *Keyed) Take(key string, now time.Time) (wait time.Duration, total bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.buckets[key]
	if b == nil {
		if len(k.buckets) >= maxKeys {
			k.sweep(now)
		}
		b = &Bucket{}
		k.buckets[key] = b
	}
	if wait := b.Take(k.each, now); wait > 0 {
		return wait, false
	}
	if k.all.Burst > 0 {
		if wait := k.total.Take(k.all, now); wait > 0 {
			b.Give() // not this key's doing
			return wait, true
		}
	}
	return 0, false
}

// sweep forgets the buckets that have refilled (they start full anyway).
func (k *Keyed) sweep(now time.Time) {
	full := time.Duration(k.each.Burst * float64(k.each.Every))
	for key, b := range k.buckets {
		if now.Sub(b.last) >= full {
			delete(k.buckets, key)
		}
	}
	if len(k.buckets) >= maxKeys {
		clear(k.buckets) // a spray of fresh keys: start over
	}
}
