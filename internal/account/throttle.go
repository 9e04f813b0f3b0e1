package account

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"venuehop/internal/errcode"
)

// Throttle slows down password guessing without letting a guesser lock the
// real user out. Failed sign-ins are counted under several keys, each with
// its own free allowance and back-off:
//
//   - one account from one client address (IPv6: its /64): a few free
//     failures, then a lock doubling from BaseLock up to MaxLock;
//   - one client address, whatever the accounts: more free failures (NAT,
//     shared Wi-Fi), the same doubling lock;
//   - one account from anywhere: far more free failures, then a slow lock
//     growing by AccountStep per failure up to MaxAccountLock, so that a
//     guesser spread over many addresses gets few guesses while the real
//     user waits at most MaxAccountLock;
//   - one device: a browser that signed in to the account before presents
//     its signed device cookie (device.go) and is counted on its own key
//     only, so the locks that strangers caused do not apply to it.
//
// While any of its keys is locked a sign-in is refused before hashing,
// which also keeps guessing from costing CPU. A key's count starts over
// after Forget without failures.
//
// The policy is here; the counters are in a ThrottleStore. The memory one
// (NewThrottle) is per process: a restart forgets it, which is acceptable
// for a speed bump on one node. Several nodes on one database share a
// database-backed store (NewThrottleOn), or N nodes would allow N times the
// guesses.
type Throttle struct {
	FreePerPair    int // failures of one account from one address before a lock
	FreePerIP      int // ... from one address, any account
	FreePerAccount int // ... of one account from anywhere (far higher)
	FreePerDevice  int // ... of one account from a device that signed in before
	BaseLock       time.Duration
	MaxLock        time.Duration
	AccountStep    time.Duration // the account's lock grows by this per failure
	MaxAccountLock time.Duration
	Forget         time.Duration
	now            func() time.Time
	store          ThrottleStore
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
// free failures per account and address, 20 per address, 100 per account
// and 10 per device; locks from 1 s doubling to 15 min (the account's:
// 1 s more per failure, at most 1 min); forgotten after 30 min. now is the
// time source (nil: time.Now).
func NewThrottle(now func() time.Time) *Throttle {
	return NewThrottleOn(NewMemoryThrottleStore(), now)
}

// NewThrottleOn is NewThrottle with its counters in st.
func NewThrottleOn(st ThrottleStore, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{
		FreePerPair: 5, FreePerIP: 20, FreePerAccount: 100, FreePerDevice: 10,
		BaseLock: time.Second, MaxLock: 15 * time.Minute,
		AccountStep: time.Second, MaxAccountLock: time.Minute,
		Forget: 30 * time.Minute,
		now:    now, store: st,
	}
}

// The keys: a kind letter, NUL, then what is counted. Emails are the
// normalised ones; device ids are random (device.go).
func emailKey(email string) string      { return "e\x00" + email }
func pairKey(email, ip string) string   { return "p\x00" + email + "\x00" + addrOf(ip) }
func deviceKey(email, id string) string { return "d\x00" + email + "\x00" + id }

// ipKey groups IPv6 clients by /64: one host usually owns a whole /64.
func ipKey(ip string) string {
	if ip == "" {
		return ""
	}
	return "i\x00" + addrOf(ip)
}

func addrOf(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// Attempt is who is signing in: the (normalised) email, the client address
// and the id of a device cookie already verified for that email ("" for
// none).
type Attempt struct {
	Email, IP, Device string
}

// key is one counter an attempt touches, with its lock policy.
type key struct {
	name string
	lock func(failures int) time.Duration
}

// keys are the counters of an attempt: a known device has its own only;
// anyone else is counted per account and address, per address and per
// account.
func (t *Throttle) keys(a Attempt) []key {
	if a.Device != "" {
		return []key{{deviceKey(a.Email, a.Device), t.doubling(t.FreePerDevice)}}
	}
	ks := []key{{pairKey(a.Email, a.IP), t.doubling(t.FreePerPair)}}
	if k := ipKey(a.IP); k != "" {
		ks = append(ks, key{k, t.doubling(t.FreePerIP)})
	}
	return append(ks, key{emailKey(a.Email), t.slow(t.FreePerAccount)})
}

// doubling is the lock after the nth failure in a row of a key with free
// failures: none before the free-th, which brings the first lock (the next
// try waits BaseLock), then doubling up to MaxLock.
func (t *Throttle) doubling(free int) func(n int) time.Duration {
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

// slow is the account's lock: none before the free-th failure, then
// AccountStep more per failure, at most MaxAccountLock.
func (t *Throttle) slow(free int) func(n int) time.Duration {
	return func(n int) time.Duration {
		over := n - free + 1
		if over <= 0 {
			return 0
		}
		return min(t.MaxAccountLock, time.Duration(over)*t.AccountStep)
	}
}

// throttleUnavailable is the error of a throttle whose store failed. The throttle
// fails closed: a sign-in it cannot count is refused (503, retry shortly)
// rather than let through, or a guesser who can upset the database would
// guess without limit.
func throttleUnavailable(err error) error {
	return errcode.Wrap(errcode.Unavailable, err, "sign-in is unavailable right now; try again shortly")
}

// Check returns how long the attempt is still refused (0: go ahead). A
// store error is errcode.Unavailable: the caller must refuse the sign-in
// (fail closed).
func (t *Throttle) Check(ctx context.Context, a Attempt) (time.Duration, error) {
	ks := t.keys(a)
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.name
	}
	entries, err := t.store.Entries(ctx, names...)
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

// RecordFailure records a wrong password of the attempt on each of its
// keys. A store error is errcode.Unavailable (fail closed, as Check). The
// failure is counted even when ctx is cancelled (a guesser hanging up
// early), within recordTimeout.
func (t *Throttle) RecordFailure(ctx context.Context, a Attempt) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := t.now()
	for _, k := range t.keys(a) {
		if _, err := t.store.Fail(ctx, k.name, now, t.Forget, k.lock); err != nil {
			return throttleUnavailable(err)
		}
	}
	return nil
}

// RecordSuccess forgets the failures of the account from that address or
// device. The address's and the account's own counts stay: an attacker
// must not reset them by signing in to an account of their own, and a
// guesser spread over many addresses must not get a fresh allowance each
// time the real user signs in.
func (t *Throttle) RecordSuccess(ctx context.Context, a Attempt) error {
	name := pairKey(a.Email, a.IP)
	if a.Device != "" {
		name = deviceKey(a.Email, a.Device)
	}
	if err := t.store.Forget(ctx, name); err != nil {
		return throttleUnavailable(err)
	}
	return nil
}

// recordTimeout bounds the recording of a failure, which outlives its
// request's context.
const recordTimeout = 5 * time.Second

// Wait is Check without a context, for a throttle on the memory store
// (which cannot fail); a store error reads as locked for MaxLock.
func (t *Throttle) Wait(a Attempt) time.Duration {
	wait, err := t.Check(context.Background(), a)
	if err != nil {
		return t.MaxLock
	}
	return wait
}

// Fail is RecordFailure without a context, for a throttle on the memory
// store (which cannot fail).
func (t *Throttle) Fail(a Attempt) { _ = t.RecordFailure(context.Background(), a) }

// Succeed is RecordSuccess without a context, for a throttle on the memory
// store (which cannot fail).
func (t *Throttle) Succeed(a Attempt) { _ = t.RecordSuccess(context.Background(), a) }

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
