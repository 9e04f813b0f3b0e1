package account

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"venuehop/internal/errcode"
)

// Throttle slows down password guessing. It counts failed sign-ins per email
// and per client address; once the count reaches a free allowance each
// failure locks that key for an exponentially growing time (1 s, 2 s, 4 s,
// ... up to MaxLock). While a key is locked, sign-ins for it are refused before any
// hashing, which also keeps guessing from costing us CPU. Counters are
// forgotten after Forget without failures.
//
// The policy is here; the counters are in a ThrottleStore. The memory one
// (NewThrottle) is per process: a restart forgets it, which is acceptable
// for a speed bump on one node. Several nodes on one database share a
// database-backed store (NewThrottleOn), or N nodes would allow N times the
// guesses.
type Throttle struct {
	FreePerEmail int           // failures before an email is locked
	FreePerIP    int           // ... and a client address (higher: NAT, shared Wi-Fi)
	BaseLock     time.Duration // the first lock
	MaxLock      time.Duration
	Forget       time.Duration
	now          func() time.Time
	store        ThrottleStore
}

// ThrottleEntry is what a ThrottleStore keeps for one key.
type ThrottleEntry struct {
	Failures int       // in a row, none more than Forget after the one before
	Last     time.Time // the latest failure
	Locked   time.Time // sign-ins are refused until then (zero: never locked)
}

// ThrottleStore keeps the throttle's counters, by key. Keys contain emails:
// implementations must never log them.
type ThrottleStore interface {
	// Entries returns the entries of those keys that have one.
	Entries(ctx context.Context, keys ...string) (map[string]ThrottleEntry, error)
	// Fail records a failure of key at now as one atomic step, exact under
	// concurrent failures of the same key (from several nodes, for a
	// shared store): the count starts over at 1 when the key's previous
	// failure is more than forget before now (and the old lock goes),
	// otherwise it grows by one; then, when lock(count) > 0, the key is
	// locked until now + lock(count). It returns the key's new entry.
	Fail(ctx context.Context, key string, now time.Time, forget time.Duration, lock func(failures int) time.Duration) (ThrottleEntry, error)
	// Forget drops key's entry.
	Forget(ctx context.Context, key string) error
}

// NewThrottle returns a throttle with the defaults, on a memory store: 5
// free failures per email, 20 per address, locks from 1 s doubling to 15
// min, forgotten after 30 min. now is the time source (nil: time.Now).
func NewThrottle(now func() time.Time) *Throttle {
	return NewThrottleOn(NewMemoryThrottleStore(), now)
}

// NewThrottleOn is NewThrottle with its counters in st.
func NewThrottleOn(st ThrottleStore, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{
		FreePerEmail: 5, FreePerIP: 20,
		BaseLock: time.Second, MaxLock: 15 * time.Minute, Forget: 30 * time.Minute,
		now: now, store: st,
	}
}

func emailKey(email string) string { return "e\x00" + email }

// ipKey groups IPv6 clients by /64: one host usually owns a whole /64.
func ipKey(ip string) string {
	if ip == "" {
		return ""
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "i\x00" + ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "i\x00" + p.String()
	}
	return "i\x00" + a.String()
}

// lockAfter is the policy's lock after the nth failure in a row of a key
// with free failures: none before the free-th, which brings the first lock
// (the next try waits), then doubling up to MaxLock.
func (t *Throttle) lockAfter(free int) func(n int) time.Duration {
	return func(n int) time.Duration {
		over := n - free + 1
		switch {
		case over <= 0:
			return 0
		case over >= 30: // 2^30 s is far past any MaxLock
			return t.MaxLock
		}
		return min(t.MaxLock, t.BaseLock<<(over-1))
	}
}

// throttleUnavailable is the error of a throttle whose store failed. The throttle
// fails closed: a sign-in it cannot count is refused (503, retry shortly)
// rather than let through, or a guesser who can upset the database would
// guess without limit.
func throttleUnavailable(err error) error {
	return errcode.Wrap(errcode.Unavailable, err, "sign-in is unavailable right now; try again shortly")
}

// Check returns how long sign-ins for the email from ip are still refused
// (0: go ahead). A store error is errcode.Unavailable: the caller must
// refuse the sign-in (fail closed).
func (t *Throttle) Check(ctx context.Context, email, ip string) (time.Duration, error) {
	keys := []string{emailKey(email)}
	if k := ipKey(ip); k != "" {
		keys = append(keys, k)
	}
	entries, err := t.store.Entries(ctx, keys...)
	if err != nil {
		return 0, throttleUnavailable(err)
	}
	now := t.now()
	var wait time.Duration
	for _, f := range entries {
		if f.Locked.After(now) {
			wait = max(wait, f.Locked.Sub(now))
		}
	}
	return wait, nil
}

// RecordFailure records a wrong password for the email from ip. A store
// error is errcode.Unavailable (fail closed, as Check). The failure is
// counted even when ctx is cancelled (a guesser hanging up early), within
// recordTimeout.
func (t *Throttle) RecordFailure(ctx context.Context, email, ip string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := t.now()
	if _, err := t.store.Fail(ctx, emailKey(email), now, t.Forget, t.lockAfter(t.FreePerEmail)); err != nil {
		return throttleUnavailable(err)
	}
	if k := ipKey(ip); k != "" {
		if _, err := t.store.Fail(ctx, k, now, t.Forget, t.lockAfter(t.FreePerIP)); err != nil {
			return throttleUnavailable(err)
		}
	}
	return nil
}

// RecordSuccess forgets the email's failures. The address's failures stay:
// an attacker must not reset them by signing in to an account of their
// own.
func (t *Throttle) RecordSuccess(ctx context.Context, email string) error {
	if err := t.store.Forget(ctx, emailKey(email)); err != nil {
		return throttleUnavailable(err)
	}
	return nil
}

// recordTimeout bounds the recording of a failure, which outlives its
// request's context.
const recordTimeout = 5 * time.Second

// Wait is Check without a context, for a throttle on the memory store
// (which cannot fail); a store error reads as locked for MaxLock.
func (t *Throttle) Wait(email, ip string) time.Duration {
	wait, err := t.Check(context.Background(), email, ip)
	if err != nil {
		return t.MaxLock
	}
	return wait
}

// Fail is RecordFailure without a context, for a throttle on the memory
// store (which cannot fail).
func (t *Throttle) Fail(email, ip string) { _ = t.RecordFailure(context.Background(), email, ip) }

// Succeed is RecordSuccess without a context, for a throttle on the memory
// store (which cannot fail).
func (t *Throttle) Succeed(email string) { _ = t.RecordSuccess(context.Background(), email) }

// MemoryThrottleStore is the ThrottleStore of one process: a map under a
// mutex. It never fails.
type MemoryThrottleStore struct {
	mu      sync.Mutex
	entries map[string]*ThrottleEntry
}

var _ ThrottleStore = (*MemoryThrottleStore)(nil)

// maxThrottleEntries bounds memory under a spray of distinct emails or
// addresses; past it, stale entries are swept.
const maxThrottleEntries = 100_000

// NewMemoryThrottleStore returns an empty memory store.
func NewMemoryThrottleStore() *MemoryThrottleStore {
	return &MemoryThrottleStore{entries: map[string]*ThrottleEntry{}}
}

func (m *MemoryThrottleStore) Entries(_ context.Context, keys ...string) (map[string]ThrottleEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]ThrottleEntry, len(keys))
	for _, k := range keys {
		if f, ok := m.entries[k]; ok {
			out[k] = *f
		}
	}
	return out, nil
}

func (m *MemoryThrottleStore) Fail(_ context.Context, key string, now time.Time, forget time.Duration, lock func(int) time.Duration) (ThrottleEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.entries[key]
	if f == nil || now.Sub(f.Last) > forget {
		if len(m.entries) >= maxThrottleEntries {
			m.sweep(now, forget)
		}
		f = &ThrottleEntry{}
		m.entries[key] = f
	}
	f.Failures++
	f.Last = now
	if d := lock(f.Failures); d > 0 {
		f.Locked = now.Add(d)
	}
	return *f, nil
}

func (m *MemoryThrottleStore) Forget(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.entries, key)
	m.mu.Unlock()
	return nil
}

func (m *MemoryThrottleStore) sweep(now time.Time, forget time.Duration) {
	for k, f := range m.entries {
		if now.Sub(f.Last) > forget && !f.Locked.After(now) {
			delete(m.entries, k)
		}
	}
	if len(m.entries) >= maxThrottleEntries {
		// Still full of fresh entries: a spray. Start over rather than grow
		// without bound; the per-address locks rebuild within a few tries.
		clear(m.entries)
	}
}
