package agenda

import (
	"math"
	"sync"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

// limiter is a per-attendee token bucket: n optimizations per period, the
// bucket holding one period's worth. Idle buckets are swept so the map
// stays as small as the set of recently active attendees.
type limiter struct {
	n      float64
	period time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(n int, period time.Duration) *limiter {
	return &limiter{n: float64(n), period: period, buckets: map[string]*bucket{}}
}

// take spends one token of the attendee's, or returns a rate_limited error
// saying how long to wait.
func (l *limiter) take(who string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.period {
		for k, b := range l.buckets {
			if now.Sub(b.at) > l.period {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b := l.buckets[who]
	if b == nil {
		b = &bucket{tokens: l.n, at: now}
		l.buckets[who] = b
	}
	rate := l.n / l.period.Seconds()
	b.tokens = math.Min(l.n, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens < 1 {
		wait := int(math.Ceil((1 - b.tokens) / rate))
		err := errcode.New(errcode.RateLimited, "over the quota of %d plans a minute; try again in %d s", int(l.n), wait)
		err.Details = account.RetryAfter{Seconds: wait}
		return err
	}
	b.tokens--
	return nil
}
