package postgres

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/store/storetest"
)

// bigNodes opens n stores on one fresh schema with Sample saved, ARC301
// given room for everyone, as n app nodes would see it.
func bigNodes(t *testing.T, n int) []*Store {
	t.Helper()
	c := storetest.Sample("log")
	huge := 1_000_000
	c.Sessions[1].Capacity = &huge
	return nodesWith(t, n, c)
}

func isStale(err error) bool {
	var stale *StaleError
	return reservation.IsStale(err) && errcode.Is(err, errcode.Conflict) && errors.As(err, &stale)
}

// seatPicture is what a batch can change: active reservations, waitlist,
// offers, check-ins, idempotency records, settings and the counters.
func seatPicture(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	st, head, err := s.LoadSeatsAt(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("head %d\n%+v\n%v", head, *st, counts)
}

func TestApplyAtStaleHeadWritesNothing(t *testing.T) {
	ctx := context.Background()
	ss := bigNodes(t, 2)
	for i := range 3 {
		head, err := ss[i%2].ApplyAt(ctx, int64(i), []reservation.Op{reserve(fmt.Sprintf("u_%d", i), "ARC301")})
		if err != nil || head != int64(i+1) {
			t.Fatalf("ApplyAt(%d) = %d, %v; want %d", i, head, err, i+1)
		}
	}
	before := seatPicture(t, ss[0])
	tests := []struct {
		name string
		head int64
	}{
		{"one behind", 2},
		{"far behind", 0},
		{"ahead of the database", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := []reservation.Op{
				reserve("u_late", "ARC301"),
				reserve("u_0", "ARC301"), // already held: the unique index would object too
				{Kind: reservation.OpWaitAdd, Attendee: "u_w", SessionID: "ARC301", Seq: 9, At: at},
				{Kind: reservation.OpOfferOpen, OfferID: "o_1", Attendee: "u_o", SessionID: "ARC301", At: at, Expires: at.Add(time.Hour)},
				{Kind: reservation.OpQuota, Attendee: "u_late", Seq: 2, At: at},
			}
			got, err := ss[1].ApplyAt(ctx, tt.head, ops)
			if !isStale(err) || got != 0 {
				t.Fatalf("ApplyAt(%d) on head 3 = %d, %v; want a stale error", tt.head, got, err)
			}
			if after := seatPicture(t, ss[0]); after != before {
				t.Errorf("a stale ApplyAt wrote:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	// On the newest head it goes through, also with an empty batch.
	if head, err := ss[1].ApplyAt(ctx, 3, []reservation.Op{reserve("u_late", "ARC301")}); err != nil || head != 4 {
		t.Fatalf("ApplyAt(3) = %d, %v", head, err)
	}
	if head, err := ss[0].ApplyAt(ctx, 4, nil); err != nil || head != 5 {
		t.Fatalf("ApplyAt(4, nothing) = %d, %v", head, err)
	}
	if p, err := ss[0].Check(ctx); err != nil || len(p) != 0 {
		t.Errorf("Check: %q %v", p, err)
	}
}

// TestApplyAtGuardStillHolds: a batch on the newest head that would
// overbook is refused by the capacity guard, and the head does not move.
func TestApplyAtGuardStillHolds(t *testing.T) {
	ctx := context.Background()
	s := nodes(t, 1)[0] // ARC301 has 100 seats
	var ops []reservation.Op
	for i := range 101 {
		ops = append(ops, reserve(fmt.Sprintf("u_%d", i), "ARC301"))
	}
	if _, err := s.ApplyAt(ctx, 0, ops); !isGuard(err, "capacity") || !reservation.IsStale(err) {
		t.Fatalf("overbooking on the newest head: %v, want the capacity guard", err)
	}
	if _, head, err := s.LoadSeatsAt(ctx, time.Time{}); err != nil || head != 0 {
		t.Fatalf("head after a refused batch: %d %v, want 0", head, err)
	}
}

func TestSinceReturnsEntriesDecoded(t *testing.T) {
	ctx := context.Background()
	ss := bigNodes(t, 2)
	la, _ := time.LoadLocation("America/Los_Angeles")
	odd := time.Date(2026, 12, 1, 9, 30, 15, 123_456_789, la) // sub-ms, not UTC
	batches := [][]reservation.Op{
		{reserve("u_1", "ARC301"), {Kind: reservation.OpQuota, Attendee: "u_1", Seq: 3, At: odd}},
		{{Kind: reservation.OpQuota, Attendee: "u_2", Seq: 1, At: at}}, // only a quota: no table
		{
			{Kind: reservation.OpWaitAdd, Attendee: "u_2", SessionID: "KEY001", Seq: 42, At: odd},
			{Kind: reservation.OpOfferOpen, OfferID: "o_1", Attendee: "u_3", SessionID: "ARC301", At: at, Expires: odd.Add(time.Hour)},
			{Kind: reservation.OpIdempotency, Attendee: "u_1", Key: "k 1 ✓", Hash: []byte{0, 1, 2, 255}, Body: []byte("{\"results\":[]}\n"), At: at},
			{Kind: reservation.OpSetAutoAccept, Attendee: "u_1", Flag: true},
			{Kind: reservation.OpOfferEnd, OfferID: "o_1", State: reservation.OfferAccepted, At: at},
			reserve("u_3", "ARC301"),
			{Kind: reservation.OpCheckIn, Attendee: "u_1", SessionID: "ARC301", At: odd},
			{Kind: reservation.OpEndReservation, Attendee: "u_3", SessionID: "ARC301", State: reservation.StateCancelled}, // zero At stays zero
			{Kind: reservation.OpPruneIdempotency, At: at.Add(-48 * time.Hour)},
		},
	}
	for i, ops := range batches {
		if _, err := ss[i%2].ApplyAt(ctx, int64(i), ops); err != nil {
			t.Fatalf("batch %d: %v", i+1, err)
		}
	}
	// What the log gives back: instants in UTC at millisecond precision.
	norm := func(ops []reservation.Op) []reservation.Op {
		out := slices.Clone(ops)
		for i := range out {
			if !out[i].At.IsZero() {
				out[i].At = time.UnixMilli(out[i].At.UnixMilli()).UTC()
			}
			if !out[i].Expires.IsZero() {
				out[i].Expires = time.UnixMilli(out[i].Expires.UnixMilli()).UTC()
			}
		}
		return out
	}
	tests := []struct {
		name     string
		head     int64
		wantFrom int  // index into batches of the first entry
		complete bool // false: the caller must reload
	}{
		{"all", 0, 0, true},
		{"after the first", 1, 1, true},
		{"up to date", 3, 3, true},
		{"ahead of the database", 5, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, confRev, complete, err := ss[0].Since(ctx, tt.head)
			if err != nil {
				t.Fatal(err)
			}
			if confRev != 1 || complete != tt.complete {
				t.Errorf("confRev %d complete %v, want 1 and %v", confRev, complete, tt.complete)
			}
			var want []reservation.LogEntry
			for i := tt.wantFrom; i < len(batches) && tt.complete; i++ {
				want = append(want, reservation.LogEntry{Seq: int64(i + 1), Ops: norm(batches[i])})
			}
			if !reflect.DeepEqual(entries, want) {
				t.Errorf("Since(%d):\n got %+v\nwant %+v", tt.head, entries, want)
			}
		})
	}
	// OpQuota wrote no table; a plain Apply ignores it too.
	if err := ss[1].Apply(ctx, []reservation.Op{{Kind: reservation.OpQuota, Attendee: "u_9", Seq: 1, At: at}}); err != nil {
		t.Errorf("Apply of a quota op: %v", err)
	}
	if p, err := ss[0].Check(ctx); err != nil || len(p) != 0 {
		t.Errorf("Check: %q %v", p, err)
	}
	// A conference save shows in Since's revision.
	c, rev, err := ss[1].LoadConference(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ss[1].SaveConference(ctx, c, rev); err != nil {
		t.Fatal(err)
	}
	if _, confRev, _, err := ss[0].Since(ctx, 3); err != nil || confRev != 2 {
		t.Errorf("Since after a conference save: rev %d, %v; want 2", confRev, err)
	}
}

func TestSinceIncompleteAfterPruning(t *testing.T) {
	ctx := context.Background()
	s := bigNodes(t, 1)[0]
	for i := range 5 {
		if _, err := s.ApplyAt(ctx, int64(i), []reservation.Op{reserve(fmt.Sprintf("u_%d", i), "ARC301")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.pruneLog(ctx, 3, 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		head     int64
		complete bool
		first    int64 // seq of the first entry returned, 0 = none
	}{
		{0, false, 4},
		{2, false, 4},
		{3, true, 4},
		{4, true, 5},
		{5, true, 0},
	}
	for _, tt := range tests {
		entries, _, complete, err := s.Since(ctx, tt.head)
		if err != nil {
			t.Fatal(err)
		}
		var first int64
		if len(entries) > 0 {
			first = entries[0].Seq
		}
		if complete != tt.complete || first != tt.first {
			t.Errorf("Since(%d): complete %v, first entry %d; want %v and %d", tt.head, complete, first, tt.complete, tt.first)
		}
	}

	// ApplyAt prunes by itself every pruneEvery entries: only entries both
	// keepEntries behind and older than keepFor go.
	const top = 3*pruneEvery + keepEntries - 1 // the next entry prunes
	if _, err := s.pool.Exec(ctx, `UPDATE seat_head SET seq = $1`, top); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO seat_log (seq, ops, committed_at) VALUES
			(2000, '[]', now() - interval '1 hour'),
			(3000, '[]', now() - interval '1 hour'),
			(3001, '[]', now() - interval '1 hour'),
			(3002, '[]', now())`); err != nil {
		t.Fatal(err)
	}
	if head, err := s.ApplyAt(ctx, top, nil); err != nil || head != top+1 {
		t.Fatalf("ApplyAt(%d) = %d, %v", top, head, err)
	}
	left, err := collect(ctx, s.pool, `SELECT seq FROM seat_log ORDER BY seq`, nil, func(r pgx.Rows) (int64, error) {
		var v int64
		return v, r.Scan(&v)
	})
	// 4 and 5 are recent, 3001 and 3002 too few behind.
	if want := []int64{4, 5, 3001, 3002, top + 1}; err != nil || !slices.Equal(left, want) {
		t.Errorf("entries after pruning: %v %v, want %v", left, err, want)
	}
}

// TestLoadSeatsAtIsOneSnapshot: while a writer commits entries (each
// reservation's attendee names its entry), every load at head h holds
// exactly the reservations of the entries up to h.
func TestLoadSeatsAtIsOneSnapshot(t *testing.T) {
	ctx := context.Background()
	ss := bigNodes(t, 2)
	const entries = 120
	done := make(chan struct{})
	var writeErr error
	go func() {
		defer close(done)
		for h := int64(0); h < entries; h++ {
			ops := []reservation.Op{reserve(fmt.Sprintf("u_%d_a", h+1), "ARC301"), reserve(fmt.Sprintf("u_%d_b", h+1), "ARC301")}
			if _, err := ss[0].ApplyAt(ctx, h, ops); err != nil {
				writeErr = err
				return
			}
		}
	}()
	loads, heads := 0, map[int64]bool{}
	for finished := false; !finished; loads++ {
		select {
		case <-done:
			finished = true
		default:
		}
		st, head, err := ss[1].LoadSeatsAt(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, r := range st.Reservations {
			got = append(got, r.Attendee)
		}
		for k := int64(1); k <= head; k++ {
			want = append(want, fmt.Sprintf("u_%d_a", k), fmt.Sprintf("u_%d_b", k))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("load at head %d holds %d reservations, want %d", head, len(got), len(want))
		}
		heads[head] = true
		if finished && head != entries {
			t.Fatalf("final head %d, want %d", head, entries)
		}
	}
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	if len(heads) < 10 {
		t.Errorf("the loads saw %d distinct heads; the test needs them to run beside the commits", len(heads))
	}
	t.Logf("%d loads at %d distinct heads beside %d commits", loads, len(heads), entries)
}

// TestApplyAtOneWinnerPerHead: four nodes commit on the same head at
// once, round after round; exactly one wins each round.
func TestApplyAtOneWinnerPerHead(t *testing.T) {
	ctx := context.Background()
	ss := bigNodes(t, 4)
	const rounds = 25
	for round := range int64(rounds) {
		errs := make([]error, len(ss))
		heads := make([]int64, len(ss))
		var start, wg sync.WaitGroup
		start.Add(1)
		for i, s := range ss {
			wg.Go(func() {
				start.Wait()
				ops := []reservation.Op{reserve(fmt.Sprintf("u_%d_%d", round, i), "ARC301"), {Kind: reservation.OpQuota, Attendee: "u_q", Seq: 1, At: at}}
				heads[i], errs[i] = s.ApplyAt(ctx, round, ops)
			})
		}
		start.Done()
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil && heads[i] == round+1:
				won++
			case isStale(err):
			default:
				t.Fatalf("round %d, node %d: %d, %v", round, i, heads[i], err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d winners, want 1 (%v)", round, won, errs)
		}
	}
	entries, _, complete, err := ss[0].Since(ctx, 0)
	if err != nil || !complete || len(entries) != rounds {
		t.Fatalf("Since(0): %d entries, complete %v, %v; want %d", len(entries), complete, err, rounds)
	}
	st, head, err := ss[1].LoadSeatsAt(ctx, time.Time{})
	if err != nil || head != rounds || len(st.Reservations) != rounds {
		t.Fatalf("LoadSeatsAt: head %d, %d reservations, %v; want %d and %d", head, len(st.Reservations), err, rounds, rounds)
	}
	if p, err := ss[2].Check(ctx); err != nil || len(p) != 0 {
		t.Errorf("Check: %q %v", p, err)
	}
}

// TestWatchWakes: a node's Watch stays quiet while nothing happens (its
// liveness pings every 50 ms here), hears another node's commit and
// conference save, recovers when its backend is killed, ignores another
// schema's commits, and ends with its context.
func TestWatchWakes(t *testing.T) {
	ctx := context.Background()
	ss := bigNodes(t, 2)
	elsewhere := bigNodes(t, 1)[0] // another schema of the same database
	goroutines := runtime.NumGoroutine()

	wakes := make(chan int64, 1000)
	pids := make(chan uint32, 10)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ss[0].watch(wctx, func(seq int64) {
			select {
			case wakes <- seq:
			default:
			}
		}, 50*time.Millisecond, func(pid uint32) { pids <- pid })
	}()
	drain := func() {
		for {
			select {
			case <-wakes:
			default:
				return
			}
		}
	}
	var lastSeq int64
	waitWake := func(what string) time.Duration {
		t.Helper()
		start := time.Now()
		select {
		case lastSeq = <-wakes:
			return time.Since(start)
		case <-time.After(2 * time.Second):
			t.Fatalf("no wake within 2s after %s", what)
			return 0
		}
	}
	var pid uint32
	select {
	case pid = <-pids:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not start listening")
	}
	waitWake("it started listening")
	drain()

	head := int64(0)
	commit := func(s *Store) {
		t.Helper()
		h, err := s.ApplyAt(ctx, head, []reservation.Op{reserve(fmt.Sprintf("u_%d", head+1), "ARC301")})
		if err != nil {
			t.Fatal(err)
		}
		head = h
	}
	// Quiet for several idle periods: the liveness pings neither wake nor
	// reconnect.
	time.Sleep(300 * time.Millisecond)
	select {
	case <-wakes:
		t.Error("woken while nothing was committed")
	case p := <-pids:
		t.Errorf("listening again (backend %d) while the connection was fine", p)
	default:
	}
	commit(ss[1])
	t.Logf("woken %v after another node's commit", waitWake("another node's ApplyAt"))
	if lastSeq != head {
		t.Errorf("the wake after entry %d named entry %d", head, lastSeq)
	}

	c, rev, err := ss[1].LoadConference(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ss[1].SaveConference(ctx, c, rev); err != nil {
		t.Fatal(err)
	}
	t.Logf("woken %v after a conference save", waitWake("SaveConference"))
	if lastSeq != 0 {
		t.Errorf("the wake after a conference save named entry %d, want 0 (unknown)", lastSeq)
	}

	// Another schema's commits do not wake this one.
	drain()
	if _, err := elsewhere.ApplyAt(ctx, 0, []reservation.Op{reserve("u_x", "ARC301")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wakes:
		t.Error("woken by a commit in another schema")
	case <-time.After(300 * time.Millisecond):
	}

	// Kill the listening backend: a wake (something may be missed), a new
	// connection, a wake again, and notifications keep coming.
	var killed bool
	if err := ss[1].pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, int64(pid)).Scan(&killed); err != nil || !killed {
		t.Fatalf("pg_terminate_backend(%d): %v %v", pid, killed, err)
	}
	t.Logf("woken %v after its backend was killed", waitWake("pg_terminate_backend"))
	select {
	case newPID := <-pids:
		if newPID == pid {
			t.Errorf("listening again on the killed backend %d", pid)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not listen again after its backend was killed")
	}
	waitWake("listening again")
	drain()
	commit(ss[1])
	waitWake("a commit after the reconnect")

	cancel()
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
	for range 50 {
		if runtime.NumGoroutine() <= goroutines {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Errorf("%d goroutines after Watch returned, %d before it started", n, goroutines)
	}
}

// TestLoadLeavesTheLogEmpty: venuehop migrate's Load fills the tables but
// not the log (the rows are the state at entry 0), and refuses a schema
// where nodes have committed already.
func TestLoadLeavesTheLogEmpty(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if err := s.Load(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO reservations (attendee, session, created_at) VALUES ('u_1', 'ARC301', 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st, head, err := s.LoadSeatsAt(ctx, time.Time{})
	if err != nil || head != 0 || len(st.Reservations) != 1 {
		t.Fatalf("after Load: head %d, %d reservations, %v", head, len(st.Reservations), err)
	}
	if entries, _, complete, err := s.Since(ctx, 0); err != nil || len(entries) != 0 || !complete {
		t.Fatalf("Since(0) after Load: %v %v %v", entries, complete, err)
	}
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := counts["seat_log"]; ok {
		t.Error("Counts lists the seat log, which migrate does not copy")
	}

	quota := openTemp(t)
	if _, err := quota.ApplyAt(ctx, 0, []reservation.Op{{Kind: reservation.OpQuota, Attendee: "u_1", Seq: 1, At: at}}); err != nil {
		t.Fatal(err)
	}
	if err := quota.Load(ctx, func(context.Context, pgx.Tx) error { return nil }); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("Load where nodes committed: %v, want a conflict", err)
	}
}

// BenchmarkEncodeOps is the log entry's share of ApplyAt's CPU: encoding
// a rush batch of reservations (and decoding it, as Since does).
func BenchmarkEncodeOps(b *testing.B) {
	ops := make([]reservation.Op, 512)
	for i := range ops {
		ops[i] = reserve(fmt.Sprintf("u_%d", i), "ARC301")
	}
	var size int
	for b.Loop() {
		body, err := encodeOps(ops)
		if err != nil {
			b.Fatal(err)
		}
		size = len(body)
		if _, err := decodeOps(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "bytes/entry")
}

// A node that stops in the middle of a commit (here: its decide callback
// hangs while it holds the log's lock) does not stop the others for
// longer than logIdle: PostgreSQL ends its session, nothing of its batch
// is written, and another node commits on the same head.
func TestFrozenNodeDoesNotStopTheOthers(t *testing.T) {
	ctx := context.Background()
	ss := bigNodes(t, 2)
	ss[0].logIdle = 300 * time.Millisecond
	locked := make(chan struct{})
	frozen := make(chan error, 1)
	go func() {
		_, err := ss[0].ApplyLocked(ctx, 0, func([]reservation.LogEntry, int64, bool) ([]reservation.Op, error) {
			close(locked)
			time.Sleep(2 * time.Second) // frozen while holding the lock
			return []reservation.Op{reserve("u_frozen", "ARC301")}, nil
		})
		frozen <- err
	}()
	<-locked
	start := time.Now()
	h, err := ss[1].ApplyAt(ctx, 0, []reservation.Op{reserve("u_alive", "ARC301")})
	if err != nil {
		t.Fatalf("the other node's commit: %v", err)
	}
	waited := time.Since(start)
	t.Logf("the other node committed entry %d after waiting %v", h, waited)
	if waited > 1500*time.Millisecond {
		t.Errorf("the other node waited %v for a frozen lock holder; want about logIdle (300ms)", waited)
	}
	if err := <-frozen; err == nil {
		t.Error("the frozen node's commit succeeded after its session should have been ended")
	}
	st, head, err := ss[1].LoadSeatsAt(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if head != 1 || len(st.Reservations) != 1 || st.Reservations[0].Attendee != "u_alive" {
		t.Errorf("after the freeze: head %d, reservations %+v; want head 1 and only u_alive's", head, st.Reservations)
	}
}

// TestImportIsOneCommit: an import killed at any step of its commit leaves
// the database whole (storetest.RunImportCrash): PostgreSQL rolls back the
// transaction of a connection that died.
func TestImportIsOneCommit(t *testing.T) {
	storetest.RunImportCrash(t, func(t *testing.T) string { return pgtest.URL(t) },
		func(ctx context.Context, url string, hook func(string)) (store.Stores, error) {
			s, err := Open(ctx, url)
			if err != nil {
				return store.Stores{}, err
			}
			s.crashAt = hook
			return s.Stores(), nil
		})
}
