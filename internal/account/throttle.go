package account

import (
	"net/netip"
	"sync"
	"time"
)

// Throttle slows down password guessing. It counts failed sign-ins per email
// and per client address; once the count reaches a free allowance each
// failure locks that key for an exponentially growing time (1 s, 2 s, 4 s,
// ... up to MaxLock). While a key is locked, sign-ins for it are refused before any
// hashing, which also keeps guessing from costing us CPU. Counters are
// forgotten after Forget without failures. State is in memory, per process:
// a restart forgets it, which is acceptable for a speed bump.
type Throttle struct {
	FreePerEmail int           // failures before an email is locked
	FreePerIP    int           // ... and a client address (higher: NAT, shared Wi-Fi)
	BaseLock     time.Duration // the first lock
	MaxLock      time.Duration
	Forget       time.Duration
	now          func() time.Time

	mu      sync.Mutex
	entries map[string]*failures
}

type failures struct {
	n      int
	last   time.Time
	locked time.Time // refused until then
}

// maxThrottleEntries bounds memory under a spray of distinct emails or
// addresses; past it, stale entries are swept.
const maxThrottleEntries = 100_000

// NewThrottle returns a throttle with the defaults: 5 free failures per
// email, 20 per address, locks from 1 s doubling to 15 min, forgotten after
// 30 min. now is the time source (nil: time.Now).
func NewThrottle(now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{
		FreePerEmail: 5, FreePerIP: 20,
		BaseLock: time.Second, MaxLock: 15 * time.Minute, Forget: 30 * time.Minute,
		now: now, entries: map[string]*failures{},
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

// Wait returns how long sign-ins for the email from ip are still refused
// (0: go ahead).
func (t *Throttle) Wait(email, ip string) time.Duration {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range [2]string{emailKey(email), ipKey(ip)} {
		if f, ok := t.entries[k]; ok && f.locked.After(now) {
			wait = max(wait, f.locked.Sub(now))
		}
	}
	return wait
}

// Fail records a wrong password for the email from ip.
func (t *Throttle) Fail(email, ip string) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.entries) >= maxThrottleEntries {
		t.sweep(now)
	}
	t.fail(emailKey(email), t.FreePerEmail, now)
	if k := ipKey(ip); k != "" {
		t.fail(k, t.FreePerIP, now)
	}
}

func (t *Throttle) fail(key string, free int, now time.Time) {
	f := t.entries[key]
	if f == nil || now.Sub(f.last) > t.Forget {
		f = &failures{}
		t.entries[key] = f
	}
	f.n++
	f.last = now
	// The free-th failure brings the first lock: the next try waits.
	if over := f.n - free + 1; over > 0 {
		lock := t.MaxLock
		if over < 30 { // 2^30 s is far past any MaxLock
			lock = min(t.MaxLock, t.BaseLock<<(over-1))
		}
		f.locked = now.Add(lock)
	}
}

// Succeed forgets the email's failures. The address's failures stay: an
// attacker must not reset them by signing in to an account of their own.
func (t *Throttle) Succeed(email string) {
	t.mu.Lock()
	delete(t.entries, emailKey(email))
	t.mu.Unlock()
}

func (t *Throttle) sweep(now time.Time) {
	for k, f := range t.entries {
		if now.Sub(f.last) > t.Forget && !f.locked.After(now) {
			delete(t.entries, k)
		}
	}
	if len(t.entries) >= maxThrottleEntries {
		// Still full of fresh entries: a spray. Start over rather than grow
		// without bound; the per-address locks rebuild within a few tries.
		clear(t.entries)
	}
}
