package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/store/storetest"
)

// twoStores opens two stores (two nodes, each with its own pool) on one
// fresh schema.
func twoStores(t *testing.T) (*Store, *Store) {
	t.Helper()
	u := pgtest.URL(t)
	var nodes [2]*Store
	for i := range nodes {
		s, err := Open(context.Background(), u)
		if err != nil {
			t.Fatalf("Open node %d: %v", i, err)
		}
		t.Cleanup(func() { s.Close() })
		nodes[i] = s
	}
	return nodes[0], nodes[1]
}

func throttleOf(s *Store) account.ThrottleStore {
	return s.Accounts().(account.ThrottleStorer).ThrottleStore()
}

func TestThrottleConformance(t *testing.T) {
	storetest.RunThrottleStore(t, func(t *testing.T) (a, b account.ThrottleStore) {
		s1, s2 := twoStores(t)
		return throttleOf(s1), throttleOf(s2)
	})
}

func TestThrottlePrunesForgottenRows(t *testing.T) {
	s := openTemp(t)
	th := throttleOf(s)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	const forget = 30 * time.Minute
	noLock := func(int) time.Duration { return 0 }
	longLock := func(int) time.Duration { return time.Hour }
	// The first failure on a node prunes (nothing yet) and sets the node's
	// prune time.
	for _, f := range []struct {
		key  string
		lock func(int) time.Duration
	}{{"old", noLock}, {"old-locked", longLock}} {
		if _, err := th.Fail(ctx, f.key, t0, forget, f.lock); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		at   time.Time
		want []string // the keys left after a failure of "new" at that time
	}{
		{"nothing past the forget time yet", t0.Add(forget), []string{"new", "old", "old-locked"}},
		{"within a minute of that prune: none", t0.Add(forget + 30*time.Second), []string{"new", "old", "old-locked"}},
		{"past the forget time: the unlocked row goes", t0.Add(forget + 2*time.Minute), []string{"new", "old-locked"}},
		{"past the lock too: all old rows go", t0.Add(2 * time.Hour), []string{"new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := th.Fail(ctx, "new", tt.at, forget, noLock); err != nil {
				t.Fatal(err)
			}
			got, err := th.Entries(ctx, "new", "old", "old-locked")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("keys left %v, want %v", got, tt.want)
			}
			for _, k := range tt.want {
				if _, ok := got[k]; !ok {
					t.Errorf("key %q pruned; want %v left", k, tt.want)
				}
			}
		})
	}
}

// TestSignInThrottleAcrossNodes signs in through two account services, each
// on its own store, on one schema: two venuehop nodes behind a balancer.
func TestSignInThrottleAcrossNodes(t *testing.T) {
	s1, s2 := twoStores(t)
	var clockMs atomic.Int64
	clockMs.Store(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC).UnixMilli())
	now := func() time.Time { return time.UnixMilli(clockMs.Load()).UTC() }
	nodes := []*account.Service{
		account.NewService(s1.Accounts(), account.Options{Now: now}),
		account.NewService(s2.Accounts(), account.Options{Now: now}),
	}
	ctx := context.Background()
	const email, pw = "victim@example.com", "correct horse battery"
	if _, err := nodes[0].AddUser(ctx, email, pw, "Victim", account.Attendee); err != nil {
		t.Fatal(err)
	}
	login := func(node int, password string, ip int) error {
		_, _, err := nodes[node].Login(ctx, email, password, fmt.Sprintf("203.0.113.%d", ip), account.SessionToken)
		return err
	}
	// The guesser spreads the free failures over both nodes, from one
	// address.
	const guesser, home = 50, 7
	free := nodes[0].Throttle().FreePerPair
	for i := range free {
		if err := login(i%2, fmt.Sprintf("guess %d", i), guesser); !errcode.Is(err, errcode.Unauthorized) {
			t.Fatalf("guess %d on node %d: %v, want unauthorized", i+1, i%2, err)
		}
	}
	steps := []struct {
		name     string
		node     int
		password string
		ip       int
		advance  time.Duration // before the step
		want     errcode.Code  // "" for a success
	}{
		{"one guess too many, node 0", 0, "another guess", guesser, 0, errcode.RateLimited},
		{"one guess too many, node 1", 1, "another guess", guesser, 0, errcode.RateLimited},
		{"even the right password waits there", 1, pw, guesser, 0, errcode.RateLimited},
		{"the real user, from home, meanwhile", 0, pw, home, 0, ""},
		{"and on the other node", 1, pw, home, 0, ""},
		{"after the lock, the right password on node 1", 1, pw, guesser, time.Second, ""},
		{"the success cleared that count on node 0 too", 0, "a fresh guess", guesser, 0, errcode.Unauthorized},
		{"and the next right password passes there", 0, pw, guesser, 0, ""},
	}
	for _, st := range steps {
		clockMs.Add(st.advance.Milliseconds())
		err := login(st.node, st.password, st.ip)
		switch {
		case st.want == "" && err != nil:
			t.Errorf("%s: %v, want success", st.name, err)
		case st.want != "" && !errcode.Is(err, st.want):
			t.Errorf("%s: %v, want %s", st.name, err, st.want)
		}
	}
}

// TestSignInFailsClosedWithoutDatabase: a node that cannot reach the
// throttle's table refuses sign-ins with 503 rather than let guesses
// through uncounted.
func TestSignInFailsClosedWithoutDatabase(t *testing.T) {
	proxy, u := pgtest.NewProxy(t, pgtest.URL(t))
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	svc := account.NewService(s.Accounts(), account.Options{})
	ctx := context.Background()
	const email, pw = "ada@example.com", "correct horse battery"
	if _, err := svc.AddUser(ctx, email, pw, "Ada", account.Attendee); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	for _, password := range []string{"a guess", pw} {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, _, err := svc.Login(cctx, email, password, "192.0.2.1", account.APIToken)
		cancel()
		if !errcode.Is(err, errcode.Unavailable) {
			t.Errorf("sign-in with the database cut: %v, want unavailable", err)
		}
	}
}
