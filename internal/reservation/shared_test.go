package reservation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
	"venuehop/internal/store/sqlite"
)

// sharedLog is a reservation.SharedLog in one process: a real SQLite store
// shared by several engines, with the log kept in memory. It is what the
// PostgreSQL store does across processes (a head that only moves when a
// commit is based on it), small enough to test the engine's multi-node
// logic — journal, rollback, replay — against.
type sharedLog struct {
	*sqlite.Store
	mu       sync.Mutex
	log      []reservation.LogEntry
	watchers map[chan struct{}]bool
}

func (s *sharedLog) LoadSeatsAt(ctx context.Context, since time.Time) (*reservation.Stored, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.Store.LoadSeats(ctx, since)
	return st, int64(len(s.log)), err
}

func (s *sharedLog) ApplyAt(ctx context.Context, head int64, ops []reservation.Op) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if head != int64(len(s.log)) {
		return 0, errcode.Wrap(errcode.Conflict, reservation.ErrStale, "stale")
	}
	if err := s.Store.Apply(ctx, ops); err != nil {
		return 0, err
	}
	s.log = append(s.log, reservation.LogEntry{Seq: head + 1, Ops: slices.Clone(ops)})
	s.wakeAll()
	return head + 1, nil
}

func (s *sharedLog) ApplyLocked(ctx context.Context, head int64, decide func([]reservation.LogEntry, int64, bool) ([]reservation.Op, error)) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, rev, err := s.Store.LoadConference(ctx)
	if err != nil {
		return 0, err
	}
	ops, err := decide(slices.Clone(s.log[head:]), rev, true)
	if err != nil || len(ops) == 0 {
		return int64(len(s.log)), err
	}
	if err := s.Store.Apply(ctx, ops); err != nil {
		return 0, err
	}
	s.log = append(s.log, reservation.LogEntry{Seq: int64(len(s.log)) + 1, Ops: slices.Clone(ops)})
	s.wakeAll()
	return int64(len(s.log)), nil
}

func (s *sharedLog) Apply(context.Context, []reservation.Op) error {
	panic("an engine on a shared log must commit with ApplyAt")
}

func (s *sharedLog) SaveConference(ctx context.Context, c *conference.Conference, base int64) (int64, error) {
	rev, err := s.Store.SaveConference(ctx, c, base)
	if err == nil {
		s.mu.Lock()
		s.wakeAll()
		s.mu.Unlock()
	}
	return rev, err
}

func (s *sharedLog) wakeAll() {
	for ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (s *sharedLog) Since(ctx context.Context, head int64) ([]reservation.LogEntry, int64, bool, error) {
	s.mu.Lock()
	entries := slices.Clone(s.log[head:])
	s.mu.Unlock()
	_, rev, err := s.Store.LoadConference(ctx)
	return entries, rev, true, err
}

func (s *sharedLog) Watch(ctx context.Context, wake func(seq int64)) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.watchers[ch] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.watchers, ch)
		s.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
			wake(0)
		}
	}
}

var _ reservation.SharedLog = (*sharedLog)(nil)

// TestNodesAgreeWithTheStore runs three engines — three nodes — on one
// shared log with a random mix of everything attendees and organizers do,
// concurrently, while the clock moves through releases and offer expiries.
// Afterwards every node's memory equals the others' and what a fresh load
// from the store gives, and the store keeps every invariant: the nodes
// decided as one sequencer would, taking back what lost a race. Without
// organizer edits (which make the other nodes reload, forgetting quota
// use, which is not stored) the nodes also agree on every attendee's
// quota.
//
// Optimistic nodes always try to commit on top of what they have seen and
// take their decisions back when they lose; the others go straight to the
// log's lock while other nodes are busy (the default).
func TestNodesAgreeWithTheStore(t *testing.T) {
	for seed := range uint64(3) {
		for _, edits := range []bool{false, true} {
			for _, optimistic := range []bool{true, false} {
				if !optimistic && seed > 0 {
					continue // one seed is enough for the default, which rarely loses
				}
				t.Run(fmt.Sprintf("seed %d edits %v optimistic %v", seed, edits, optimistic), func(t *testing.T) { nodesAgree(t, seed, edits, optimistic) })
			}
		}
	}
}

// newSharedLog is a fresh SQLite store with the test conference, shared
// through an in-process log; it returns the conference revision too.
func newSharedLog(t *testing.T) (*sqlite.Store, *sharedLog, int64) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rev, err := st.SaveConference(context.Background(), testConference(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return st, &sharedLog{Store: st, watchers: map[chan struct{}]bool{}}, rev
}

func nodesAgree(t *testing.T, seed uint64, edits, optimistic bool) {
	ctx := context.Background()
	st, shared, rev := newSharedLog(t)
	clk := &manualClock{t: at(1, 8, 0)}
	quota := &manualClock{t: time.Unix(1e9, 0)}
	start := func() *reservation.Engine {
		c, rev2, err := st.LoadConference(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := live.Build(c, max(rev, rev2))
		if err != nil {
			t.Fatal(err)
		}
		h := &live.Holder{}
		h.Store(ls)
		newEngine := reservation.New
		if optimistic {
			newEngine = reservation.NewOptimistic
		}
		e, err := newEngine(ctx, reservation.Config{}, reservation.Deps{Store: shared, Log: shared, Live: h, Clock: clk, QuotaClock: quota})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	nodes := []*reservation.Engine{start(), start(), start()}

	sessions := []string{"S7", "OVL", "ONE", "NEAR", "FAR", "C1", "C2", "BIG", "NR", "CX", "nope"}
	people := make([]string, 12)
	for i := range people {
		people[i] = fmt.Sprint("u", i)
	}
	var mu sync.Mutex
	counts := map[string]int{}
	count := func(what string, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			counts[what+" ok"]++
		case errcode.Of(err) == errcode.Internal:
			t.Errorf("%s: internal error %v", what, err)
		default:
			counts[what+" "+string(errcode.Of(err))]++
		}
	}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			pick := func(list []string) string { return list[rng.IntN(len(list))] }
			for range 250 {
				e := nodes[rng.IntN(len(nodes))]
				who := pick(people)
				switch n := rng.IntN(100); {
				case n < 35:
					ids := []string{pick(sessions)}
					if rng.IntN(3) == 0 {
						if other := pick(sessions); other != ids[0] {
							ids = append(ids, other)
						}
					}
					key := ""
					if rng.IntN(4) == 0 {
						key = fmt.Sprint("k", rng.IntN(3))
					}
					_, err := e.Reserve(ctx, who, ids, key)
					count("reserve", err)
				case n < 50:
					count("cancel", e.Cancel(ctx, who, pick(sessions)))
				case n < 63:
					_, err := e.JoinWaitlist(ctx, who, pick(sessions))
					count("join", err)
				case n < 67:
					count("leave", e.LeaveWaitlist(ctx, who, pick(sessions)))
				case n < 80:
					offers, err := e.Offers(ctx, who)
					if err != nil || len(offers) == 0 {
						continue
					}
					o := offers[rng.IntN(len(offers))]
					if rng.IntN(2) == 0 {
						_, err = e.Accept(ctx, who, o.ID)
						count("accept", err)
					} else {
						count("decline", e.Decline(ctx, who, o.ID))
					}
				case n < 84:
					count("auto", e.SetAutoAccept(ctx, who, rng.IntN(2) == 0))
				case n < 88:
					_, err := e.CheckIn(ctx, pick(sessions), who)
					count("checkin", err)
				case n < 93:
					count("tick", e.Tick(ctx))
				case n < 97:
					clk.Set(clk.Now().Add(time.Duration(rng.IntN(9)) * time.Minute))
					quota.Set(quota.Now().Add(time.Duration(rng.IntN(20)) * time.Second))
				case !edits:
					count("tick", e.Tick(ctx))
				default:
					c := 1 + rng.IntN(9)
					_, err := e.EditSession(ctx, pick(sessions[:8]), reservation.SessionEdit{Capacity: &c})
					count("edit", err)
				}
			}
		}()
	}
	wg.Wait()
	published := make([]map[string][2]int, len(nodes))
	for i, e := range nodes {
		if err := e.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		published[i] = map[string][2]int{}
		for _, id := range sessions {
			r, h := e.Seats(id)
			published[i][id] = [2]int{r, h}
		}
		e.Close()
	}
	var stale, replayed int64
	for _, e := range nodes {
		stale += e.StaleRetries()
		replayed += e.Replayed()
	}
	t.Logf("outcomes: %v; log entries: %d; batches decided again: %d; entries replayed: %d", counts, len(shared.log), stale, replayed)
	if optimistic && stale == 0 {
		t.Errorf("no node ever lost a race: the rollback path was not exercised")
	}
	if replayed == 0 {
		t.Errorf("no node replayed another's commit")
	}
	if counts["reserve ok"] == 0 || counts["cancel ok"] == 0 || counts["join ok"] == 0 {
		t.Errorf("the workload did too little to prove anything: %v", counts)
	}
	first := nodes[0].DumpState(!edits)
	for i, e := range nodes[1:] {
		if got := e.DumpState(!edits); got != first {
			t.Errorf("node %d's state differs from node 0's:\n%s", i+1, lineDiff(first, got))
		}
	}
	fresh := start()
	for _, id := range sessions {
		r, h := fresh.Seats(id)
		for i := range nodes {
			if got := published[i][id]; got != [2]int{r, h} {
				t.Errorf("node %d publishes %s as %d reserved, %d held; the store has %d, %d", i, id, got[0], got[1], r, h)
			}
		}
	}
	fresh.Close()
	want := fresh.DumpState(false)
	if got := nodes[0].DumpState(false); got != want {
		t.Errorf("the nodes' state differs from a fresh load of the store:\n%s", lineDiff(want, got))
	}
	problems, err := st.Check(ctx)
	if err != nil || len(problems) > 0 {
		t.Errorf("store invariants: %q %v", problems, err)
	}
}

// lineDiff lists the lines only in a (-) and only in b (+).
func lineDiff(a, b string) string {
	split := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range slices.Collect(func(yield func(string) bool) {
			start := 0
			for i := range len(s) {
				if s[i] == '\n' {
					if !yield(s[start:i]) {
						return
					}
					start = i + 1
				}
			}
		}) {
			m[l] = true
		}
		return m
	}
	ma, mb := split(a), split(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}

// remoteNotes is a notifier that also hears other nodes' organizer
// changes.
type remoteNotes struct {
	notes
	remote []reservation.Change
}

func (n *remoteNotes) RemoteSessionChanged(id string, kind reservation.ChangeKind) {
	n.mu.Lock()
	n.remote = append(n.remote, reservation.Change{SessionID: id, Kind: kind})
	n.mu.Unlock()
}

// An organizer's change on one node reaches the other's catalog, seats
// and pages: the other node hears it as a remote change (its pages are
// told; re-planning stays with the node that made it), and its seat
// counts follow another node's reservation.
func TestOtherNodeHearsChanges(t *testing.T) {
	ctx := context.Background()
	_, shared, rev := newSharedLog(t)
	clk := &manualClock{t: at(1, 8, 0)}
	start := func(n reservation.Notifier) (*reservation.Engine, *live.Holder) {
		ls, err := live.Build(testConference(), rev)
		if err != nil {
			t.Fatal(err)
		}
		h := &live.Holder{}
		h.Store(ls)
		e, err := reservation.New(ctx, reservation.Config{}, reservation.Deps{Store: shared, Log: shared, Live: h, Clock: clk, Notify: n})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e, h
	}
	a, _ := start(&notes{})
	heard := &remoteNotes{}
	b, bLive := start(heard)

	if r := mustReserve(t, a, "u1", "S7"); r != reservation.Reserved {
		t.Fatalf("reserve on node A: %s", r)
	}
	waitFor(t, "node B's count of S7", func() bool { n, _ := b.Seats("S7"); return n == 1 })

	yes := true
	if _, err := a.EditSession(ctx, "ONE", reservation.SessionEdit{Cancelled: &yes}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "node B's catalog", func() bool {
		se, ok := bLive.Load().Snap.Session("ONE")
		return ok && se.Cancelled
	})
	waitFor(t, "node B's remote change", func() bool {
		heard.mu.Lock()
		defer heard.mu.Unlock()
		return slices.Contains(heard.remote, reservation.Change{SessionID: "ONE", Kind: "cancelled"})
	})
	heard.mu.Lock()
	if len(heard.changes) != 0 {
		t.Errorf("node B re-reported another node's changes as its own: %v", heard.changes)
	}
	heard.mu.Unlock()
	if r := mustReserve(t, b, "u2", "ONE"); r != reservation.Cancelled {
		t.Errorf("reserve the cancelled session on node B: %s, want cancelled", r)
	}
}

func mustReserve(t *testing.T, e *reservation.Engine, who, id string) reservation.Status {
	t.Helper()
	ans, err := e.Reserve(context.Background(), who, []string{id}, "")
	if err != nil {
		t.Fatal(err)
	}
	return ans.Results[0].Status
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not follow within 5 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
