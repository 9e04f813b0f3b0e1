package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"venuehop/internal/account"
)

// RunThrottleStore is the conformance suite of account.ThrottleStore, the
// sign-in throttle's counters, through the policy (account.Throttle) where
// it can; where it reads entries it relies on the keys' format ("p\x00" +
// email + "\x00" + address, "i\x00" + address: account/throttle.go). open
// returns two stores over the same, new,
// empty counters: two nodes on one database (or the memory store twice).
// Failures recorded through either must count as one, exactly, also when
// they race.
func RunThrottleStore(t *testing.T, open func(t *testing.T) (a, b account.ThrottleStore)) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, a, b account.ThrottleStore)
	}{
		{"FailuresOnBothNodesAddUp", testThrottleAddsUp},
		{"ConcurrentFailuresCountExactly", testThrottleConcurrent},
		{"ForgottenAfterTheForgetTime", testThrottleForget},
		{"SuccessOnOneNodeClearsBoth", testThrottleSuccess},
		{"AddressesSeparateFromEmails", testThrottleAddress},
		{"TheRealUserSignsInWhileAGuesserFails", testThrottleRealUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := open(t)
			tt.run(t, a, b)
		})
	}
}

// throttleEpoch is on a whole millisecond, as database stores keep them.
var throttleEpoch = time.Date(2026, 11, 20, 9, 30, 15, 123e6, time.UTC)

// testClock is an injected clock both nodes share, safe for concurrent use.
type testClock struct{ ms atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ms.Store(throttleEpoch.UnixMilli())
	return c
}

func (c *testClock) now() time.Time          { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// twoNodes returns a throttle with the default policy on each store.
func twoNodes(a, b account.ThrottleStore) (*testClock, *account.Throttle, *account.Throttle) {
	clk := newTestClock()
	return clk, account.NewThrottleOn(a, clk.now), account.NewThrottleOn(b, clk.now)
}

func mustWait(t *testing.T, th *account.Throttle, email, ip string) time.Duration {
	t.Helper()
	return mustWaitAs(t, th, account.Attempt{Email: email, IP: ip})
}

func mustWaitAs(t *testing.T, th *account.Throttle, a account.Attempt) time.Duration {
	t.Helper()
	w, err := th.Check(context.Background(), a)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return w
}

func mustFail(t *testing.T, th *account.Throttle, email, ip string) {
	t.Helper()
	if err := th.RecordFailure(context.Background(), account.Attempt{Email: email, IP: ip}); err != nil {
		t.Fatalf("RecordFailure: %v", err)
	}
}

func testThrottleAddsUp(t *testing.T, a, b account.ThrottleStore) {
	_, ta, tb := twoNodes(a, b)
	nodes := []*account.Throttle{ta, tb}
	const email, ip = "ada@example.com", "203.0.113.5"
	free := ta.FreePerPair
	for i := range free - 1 {
		mustFail(t, nodes[i%2], email, ip)
		for j, th := range nodes {
			if w := mustWait(t, th, email, ip); w != 0 {
				t.Fatalf("after %d failures across both nodes, node %d: locked %v", i+1, j, w)
			}
		}
	}
	// The allowance is for the account from that address, not per node:
	// the next failure, on either node, locks it on both, and the one after
	// doubles the lock.
	for i, want := range []time.Duration{ta.BaseLock, 2 * ta.BaseLock, 4 * ta.BaseLock} {
		mustFail(t, nodes[(free-1+i)%2], email, ip)
		for j, th := range nodes {
			if w := mustWait(t, th, email, ip); w != want {
				t.Errorf("failure %d, node %d: wait %v, want %v", free+i, j, w, want)
			}
		}
	}
	for _, other := range []struct{ email, ip string }{
		{"grace@example.com", ip},    // another account from that address
		{email, "198.51.100.9"},      // that account from another address
		{email, "2001:db8:aa:bb::1"}, // ... and from IPv6
	} {
		if w := mustWait(t, tb, other.email, other.ip); w != 0 {
			t.Errorf("%s from %s waits %v", other.email, other.ip, w)
		}
	}
}

func testThrottleConcurrent(t *testing.T, a, b account.ThrottleStore) {
	const (
		key        = "e\x00rush@example.com" // the NUL of the real keys
		goroutines = 8                       // per node
		each       = 6
		total      = 2 * goroutines * each
	)
	now := throttleEpoch
	lock := func(n int) time.Duration { return time.Duration(n) * time.Second }
	var (
		mu     sync.Mutex
		counts []int
		wg     sync.WaitGroup
	)
	start := make(chan struct{})
	for g := range 2 * goroutines {
		st := []account.ThrottleStore{a, b}[g%2]
		wg.Go(func() {
			<-start
			for range each {
				e, err := st.Fail(context.Background(), key, now, time.Hour, lock)
				if err != nil {
					t.Errorf("Fail: %v", err)
					return
				}
				mu.Lock()
				counts = append(counts, e.Failures)
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	// Each failure saw the count of the one before: 1, 2, ..., total.
	slices.Sort(counts)
	for i, n := range counts {
		if n != i+1 {
			t.Fatalf("the failures returned counts %v, want 1..%d each once", counts, total)
		}
	}
	for _, st := range []account.ThrottleStore{a, b} {
		got, err := st.Entries(context.Background(), key, "e\x00nobody@example.com")
		if err != nil {
			t.Fatal(err)
		}
		e, ok := got[key]
		if len(got) != 1 || !ok {
			t.Fatalf("Entries = %v, want the one key", got)
		}
		if e.Failures != total || !e.Last.Equal(now) || !e.Locked.Equal(now.Add(lock(total))) {
			t.Errorf("entry %+v, want %d failures, last %v, locked until %v", e, total, now, now.Add(lock(total)))
		}
	}
}

func testThrottleForget(t *testing.T, a, b account.ThrottleStore) {
	tests := []struct {
		name    string
		pause   time.Duration // after the failures that locked the email
		wantRun int           // the failures in a row after one more
	}{
		{"a pause of exactly the forget time keeps the count", 30 * time.Minute, 6},
		{"a longer pause starts over", 30*time.Minute + time.Millisecond, 1},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk, ta, tb := twoNodes(a, b)
			email := string(rune('a'+i)) + "@example.com"
			const ip = "192.0.2.44"
			key := "p\x00" + email + "\x00" + ip
			for range ta.FreePerPair {
				mustFail(t, ta, email, ip)
			}
			if w := mustWait(t, tb, email, ip); w != ta.BaseLock {
				t.Fatalf("after the free failures: wait %v, want %v", w, ta.BaseLock)
			}
			clk.advance(tt.pause)
			if w := mustWait(t, tb, email, ip); w != 0 {
				t.Fatalf("after the pause: still locked for %v", w)
			}
			mustFail(t, tb, email, ip)
			got, err := a.Entries(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			if n := got[key].Failures; n != tt.wantRun {
				t.Errorf("failures in a row = %d, want %d (%v)", n, tt.wantRun, got)
			}
			wantWait := time.Duration(0)
			if tt.wantRun > ta.FreePerPair {
				wantWait = 2 * ta.BaseLock
			}
			if w := mustWait(t, ta, email, ip); w != wantWait {
				t.Errorf("wait %v, want %v", w, wantWait)
			}
		})
	}
}

func testThrottleSuccess(t *testing.T, a, b account.ThrottleStore) {
	_, ta, tb := twoNodes(a, b)
	const email, ip = "grace@example.com", "192.0.2.7"
	for range ta.FreePerPair {
		mustFail(t, tb, email, ip)
	}
	if w := mustWait(t, ta, email, ip); w == 0 {
		t.Fatal("not locked after the free failures")
	}
	if err := ta.RecordSuccess(context.Background(), account.Attempt{Email: email, IP: ip}); err != nil {
		t.Fatalf("RecordSuccess: %v", err)
	}
	for j, th := range []*account.Throttle{ta, tb} {
		if w := mustWait(t, th, email, ip); w != 0 {
			t.Errorf("node %d: still locked for %v after a success on node 0", j, w)
		}
	}
	// The count started over on both nodes: one more failure locks nothing.
	mustFail(t, tb, email, ip)
	if w := mustWait(t, ta, email, ip); w != 0 {
		t.Errorf("one failure after the success locks for %v", w)
	}
	// The address's and the account's failures stay (6 of 20 and of 100
	// free) and forgetting a key that has none is no error.
	got, err := a.Entries(context.Background(), "i\x00"+ip, "e\x00"+email)
	if err != nil {
		t.Fatal(err)
	}
	if n, m := got["i\x00"+ip].Failures, got["e\x00"+email].Failures; n != ta.FreePerPair+1 || m != n {
		t.Errorf("the address has %d failures and the account %d, want %d each", n, m, ta.FreePerPair+1)
	}
	if err := b.Forget(context.Background(), "e\x00nobody@example.com"); err != nil {
		t.Errorf("Forget of a missing key: %v", err)
	}
}

func testThrottleAddress(t *testing.T, a, b account.ThrottleStore) {
	_, ta, tb := twoNodes(a, b)
	// One /64 sprays emails across both nodes: the address locks, for
	// every email and every host of that /64, on both nodes.
	for i := range ta.FreePerIP {
		mustFail(t, []*account.Throttle{ta, tb}[i%2], fmt.Sprintf("spray%d@example.com", i), fmt.Sprintf("2001:db8:1:2::%x", i))
	}
	tests := []struct {
		name, ip string
		locked   bool
	}{
		{"the same /64", "2001:db8:1:2::ffff", true},
		{"another /64", "2001:db8:1:3::1", false},
		{"an IPv4 address", "192.0.2.1", false},
	}
	for _, tt := range tests {
		for j, th := range []*account.Throttle{ta, tb} {
			if w := mustWait(t, th, "fresh@example.com", tt.ip); (w > 0) != tt.locked {
				t.Errorf("%s, node %d: wait %v, want locked %v", tt.name, j, w, tt.locked)
			}
		}
	}
}

// testThrottleRealUser: a guesser failing for one account from one
// address, then from very many, across both nodes, never locks the real
// user out: from another address they sign in while the guesser's address
// is locked; once the guesses from everywhere pass the account's far
// higher allowance, a browser that signed in before (its device) still
// goes through, and any other waits at most MaxAccountLock.
func testThrottleRealUser(t *testing.T, a, b account.ThrottleStore) {
	_, ta, tb := twoNodes(a, b)
	nodes := []*account.Throttle{ta, tb}
	const victim, guesser, home = "victim@example.com", "203.0.113.66", "198.51.100.20"
	for i := range 3 * ta.FreePerIP {
		mustFail(t, nodes[i%2], victim, guesser)
	}
	if w := mustWait(t, ta, victim, guesser); w == 0 {
		t.Fatal("the guessing address is not locked")
	}
	if w := mustWait(t, ta, "someone@example.com", guesser); w == 0 {
		t.Error("the guessing address is not locked for other accounts")
	}
	for j, th := range nodes {
		if w := mustWait(t, th, victim, home); w != 0 {
			t.Fatalf("node %d: the real user, from home, waits %v while one address guesses", j, w)
		}
	}
	// Now from a new address per guess (a botnet), past the account's
	// allowance.
	for i := range ta.FreePerAccount + 30 {
		mustFail(t, nodes[i%2], victim, fmt.Sprintf("10.%d.%d.1", i/250, i%250))
	}
	device := account.Attempt{Email: victim, IP: home, Device: "device-of-the-victim"}
	for j, th := range nodes {
		if w := mustWaitAs(t, th, device); w != 0 {
			t.Errorf("node %d: the real user's browser waits %v", j, w)
		}
		w := mustWait(t, th, victim, "192.0.2.200")
		if w == 0 || w > th.MaxAccountLock {
			t.Errorf("node %d: a new browser waits %v, want a lock of at most %v", j, w, th.MaxAccountLock)
		}
	}
	// The device's own failures are counted on its own key.
	for range ta.FreePerDevice {
		if err := tb.RecordFailure(context.Background(), device); err != nil {
			t.Fatal(err)
		}
	}
	if w := mustWaitAs(t, ta, device); w != ta.BaseLock {
		t.Errorf("after %d failures of the device itself: wait %v, want %v", ta.FreePerDevice, w, ta.BaseLock)
	}
}
