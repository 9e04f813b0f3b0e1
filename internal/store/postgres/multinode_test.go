package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
	"venuehop/internal/reservation/seatmodel"
	"venuehop/internal/store/postgres"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/store/storetest"
)

// These tests run several reservation engines — several venuehop nodes —
// on one PostgreSQL schema, each with its own store (connection pool) and
// its own copy of the conference, as `venuehop serve` processes would.

// s7Seats is the capacity of S7, the contended session.
const s7Seats = 7

// multiConference is storetest.Sample (ARC301 with 100 seats, a keynote,
// a cancelled and an unscheduled session) plus S7, a seven-seat breakout
// that overlaps nothing.
func multiConference() *conference.Conference {
	c := storetest.Sample("multinode")
	s7 := c.Sessions[1]
	s7.ID, s7.Code, s7.RepeatGroup, s7.Title = "S7", "S7", "S7", "Seven seats"
	s7.Start = s7.Start.Add(3 * time.Hour)
	s7.End = s7.End.Add(3 * time.Hour)
	seats := s7Seats
	s7.Capacity = &seats
	c.Sessions = append(c.Sessions, s7)
	return c
}

// multiNow is the conference clock of every node: day 1, 8:00, before
// any session's release.
var multiNow = func() time.Time {
	c := storetest.Sample("")
	return c.Sessions[0].Start
}()

type node struct {
	store  *postgres.Store
	live   *live.Holder
	engine *reservation.Engine
}

// cluster saves multiConference on a fresh schema and starts n nodes on
// it. When the test ends the engines stop and the store's invariants
// (venuehop check) must hold.
func cluster(t *testing.T, n int, cfg reservation.Config) []*node {
	t.Helper()
	ctx := context.Background()
	u := pgtest.URL(t)
	nodes := make([]*node, n)
	for i := range nodes {
		st, err := postgres.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if i == 0 {
			if _, err := st.SaveConference(ctx, multiConference(), 0); err != nil {
				t.Fatal(err)
			}
		}
		c, rev, err := st.LoadConference(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := live.Build(c, rev)
		if err != nil {
			t.Fatal(err)
		}
		nodes[i] = &node{store: st, live: &live.Holder{}}
		nodes[i].live.Store(ls)
	}
	for _, nd := range nodes {
		eng, err := reservation.New(ctx, cfg, reservation.Deps{Store: nd.store, Log: nd.store, Live: nd.live, Clock: clock.Fixed(multiNow)})
		if err != nil {
			t.Fatal(err)
		}
		nd.engine = eng
	}
	t.Cleanup(func() {
		for _, nd := range nodes {
			nd.engine.Close()
		}
		problems, err := nodes[0].store.Check(ctx)
		if err != nil || len(problems) > 0 {
			t.Errorf("store invariants after the test (venuehop check): %q %v", problems, err)
		}
	})
	return nodes
}

// storedSeats reads a session's active reservations and open offers from
// the database: the truth every node shares.
func storedSeats(ctx context.Context, st *postgres.Store, session string) (reserved, held int, err error) {
	s, err := st.LoadSeats(ctx, time.Now())
	if err != nil {
		return 0, 0, err
	}
	for _, r := range s.Reservations {
		if r.SessionID == session {
			reserved++
		}
	}
	for _, o := range s.Offers {
		if o.SessionID == session {
			held++
		}
	}
	return reserved, held, nil
}

// tally counts unexpected errors by code and keeps the first few, so a
// failing run reports one line per kind rather than hundreds.
type tally struct {
	mu    sync.Mutex
	n     map[string]int
	first map[string]string
}

func (e *tally) add(what string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == nil {
		e.n, e.first = map[string]int{}, map[string]string{}
	}
	k := string(errcode.Of(err))
	if k == "" {
		k = "uncoded"
	}
	k = what + "/" + k
	e.n[k]++
	if _, ok := e.first[k]; !ok {
		e.first[k] = err.Error()
	}
}

func (e *tally) report(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	keys := make([]string, 0, len(e.n))
	for k := range e.n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("%d unexpected %s errors, first: %s", e.n[k], k, e.first[k])
	}
}

// converge waits until every node's in-memory count of session equals
// the database's, and fails after within.
func converge(t *testing.T, nodes []*node, session string, within time.Duration) {
	t.Helper()
	want, wantHeld, err := storedSeats(context.Background(), nodes[0].store, session)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(within)
	for {
		var got []string
		for i, nd := range nodes {
			if r, h := nd.engine.Seats(session); r != want || h != wantHeld {
				got = append(got, fmt.Sprintf("node %d: %d reserved %d held", i, r, h))
			}
		}
		if len(got) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%v after the rush the nodes still disagree with the database (%d reserved %d held) on %s: %s",
				within, want, wantHeld, session, strings.Join(got, "; "))
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMultiNodeSevenSeats: 300 attendees at once, spread over three
// nodes, for S7's seven seats: exactly seven are told reserved (and
// stored), everyone else hears full and gets a distinct waitlist place,
// and every node's counts catch up with the database.
func TestMultiNodeSevenSeats(t *testing.T) {
	nodes := cluster(t, 3, reservation.Config{})
	const people = 300
	var (
		mu        sync.Mutex
		statuses  = map[reservation.Status]int{}
		positions = map[int]int{}
		errs      tally
		wg        sync.WaitGroup
	)
	start := make(chan struct{})
	for i := range people {
		wg.Go(func() {
			eng := nodes[i%len(nodes)].engine
			who := fmt.Sprintf("u_%d", i)
			<-start
			ans, err := eng.Reserve(context.Background(), who, []string{"S7"}, "")
			if err != nil {
				errs.add("reserve", err)
				return
			}
			st := ans.Results[0].Status
			pos := 0
			if st == reservation.Full {
				if pos, err = eng.JoinWaitlist(context.Background(), who, "S7"); err != nil {
					errs.add("join waitlist", err)
				}
			}
			mu.Lock()
			statuses[st]++
			if pos > 0 {
				positions[pos]++
			}
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	errs.report(t)
	if statuses[reservation.Reserved] != s7Seats || statuses[reservation.Full] != people-s7Seats {
		t.Errorf("statuses %v, want %d reserved and %d full", statuses, s7Seats, people-s7Seats)
	}
	dup := 0
	for _, n := range positions {
		dup += n - 1
	}
	if len(positions) != statuses[reservation.Full] || dup > 0 {
		t.Errorf("%d distinct waitlist positions (%d given twice) for %d full answers, want 1..%d each once",
			len(positions), dup, statuses[reservation.Full], statuses[reservation.Full])
	}
	reserved, held, err := storedSeats(context.Background(), nodes[1].store, "S7")
	if err != nil || reserved != s7Seats || held != 0 {
		t.Errorf("the database holds %d reservations and %d offers for S7 (%v), want exactly %d and 0", reserved, held, err, s7Seats)
	}
	converge(t, nodes, "S7", time.Second)
}

// TestMultiNodeLinearizable: reserve, cancel and seats-left from many
// goroutines spread over the nodes (the clients of one attendee on
// different nodes, so one attendee's calls race across nodes too) form a
// linearizable history against a plain sequential set of seven seats
// (porcupine).
//
// The clients run in rounds: each round releases all of them at once (a
// small rush across the nodes) and ends when all have answered; between
// rounds the test reads the set of holders from the database. That read
// is an operation of the history too, and as nothing is in flight beside
// it, every linearization puts it exactly there: the history is
// linearizable if and only if every round is, starting from the holders
// read before it and ending with those read after it. Porcupine checks
// each round on its own, which is fast and names the round that fails.
//
// Seats left is read from the database through the node's own store: a
// node's in-memory count is updated asynchronously (within a second) and
// is not a linearizable read across nodes; that it converges is checked
// at the end. One node is the control: the same checker on one engine.
func TestMultiNodeLinearizable(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d nodes", n), func(t *testing.T) {
			nodes := cluster(t, n, reservation.Config{QuotaPerMinute: 1 << 20})
			ctx := context.Background()
			clients := linAttendees * linPerAttendee
			var (
				mu     sync.Mutex
				rounds = make([][]porcupine.Operation, linRounds)
				errs   tally
				wg     sync.WaitGroup
				round  sync.WaitGroup
			)
			gates := make([]chan struct{}, linRounds)
			for r := range gates {
				gates[r] = make(chan struct{})
			}
			origin := time.Now()
			now := func() int64 { return int64(time.Since(origin)) }
			for client := range clients {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(client), 7))
					a := client % linAttendees
					who := fmt.Sprintf("u_%d", a)
					ni := (client + client/linAttendees) % len(nodes)
					for r := range linRounds {
						<-gates[r]
						op, ok := linearizableOp(ctx, nodes[ni], rng, a, who, &errs, now)
						if ok {
							op.ClientId, op.Metadata = client, ni
							mu.Lock()
							rounds[r] = append(rounds[r], op)
							mu.Unlock()
						}
						round.Done()
					}
				})
			}
			// holders[r] is read before round r; holders[linRounds] at the end.
			holders := make([]porcupine.Operation, linRounds+1)
			readHolders := func(r int) {
				call := now()
				h, err := storedHolders(ctx, nodes[r%len(nodes)].store)
				if err != nil {
					t.Fatalf("reading the holders after round %d: %v", r, err)
				}
				holders[r] = porcupine.Operation{ClientId: clients, Metadata: r % len(nodes), Call: call, Return: now(),
					Input: seatmodel.Input{Kind: seatmodel.Holders}, Output: seatmodel.Output{Holders: h}}
			}
			readHolders(0)
			for r := range linRounds {
				round.Add(clients)
				close(gates[r])
				round.Wait()
				readHolders(r + 1)
			}
			wg.Wait()
			took := time.Since(origin)
			errs.report(t)
			// An operation that failed is left out: it answered nothing,
			// and an engine error means nothing was written.
			counts := map[string]int{}
			total := 0
			for _, ops := range rounds {
				for _, op := range ops {
					in, out := op.Input.(seatmodel.Input), op.Output.(seatmodel.Output)
					counts[in.Kind+":"+out.Status]++
					total++
				}
			}
			t.Logf("%d operations by %d clients in %d rounds on %d nodes in %v: %v", total, clients, linRounds, n, took.Round(time.Millisecond), counts)
			if counts[seatmodel.Reserve+":reserved"] < s7Seats || counts[seatmodel.Reserve+":full"] == 0 {
				t.Errorf("%d reserved and %d full answers: the history does not exercise a full session", counts[seatmodel.Reserve+":reserved"], counts[seatmodel.Reserve+":full"])
			}
			checkStart := time.Now()
			failed := 0
			for r, ops := range rounds {
				start := holders[r].Output.(seatmodel.Output).Holders
				history := append(slices.Clone(ops), holders[r+1])
				res, info := porcupine.CheckOperationsVerbose(seatmodel.ModelFrom(s7Seats, start), history, time.Minute)
				if res == porcupine.Ok {
					continue
				}
				failed++
				if failed <= 3 {
					t.Errorf("round %d of %d (%d calls across %d nodes, from holders %v) is %s",
						r, linRounds, len(ops), n, bitList(start), res)
					describeIllegal(t, seatmodel.ModelFrom(s7Seats, start), start, info, history)
				}
			}
			t.Logf("porcupine: %d of %d rounds not linearizable; checked in %v", failed, linRounds, time.Since(checkStart).Round(time.Millisecond))
			converge(t, nodes, "S7", time.Second)
		})
	}
}

// The size of the linearizability history: linPerAttendee clients per
// attendee each make one call per round.
const linAttendees, linPerAttendee, linRounds = 12, 2, 60

// storedHolders reads which attendees (u_0..u_63) hold S7 in the database,
// a bit per attendee.
func storedHolders(ctx context.Context, st *postgres.Store) (uint64, error) {
	s, err := st.LoadSeats(ctx, time.Now())
	if err != nil {
		return 0, err
	}
	var h uint64
	for _, r := range s.Reservations {
		if r.SessionID != "S7" {
			continue
		}
		i, err := strconv.Atoi(strings.TrimPrefix(r.Attendee, "u_"))
		if err != nil || i < 0 || i > 63 {
			return 0, fmt.Errorf("unexpected attendee %q", r.Attendee)
		}
		h |= 1 << i
	}
	return h, nil
}

func bitList(h uint64) []int {
	var out []int
	for i := range 64 {
		if h&(1<<i) != 0 {
			out = append(out, i)
		}
	}
	return out
}

// linearizableOp makes one random call for attendee a on node nd and
// returns it as a porcupine operation timed by now, or false when it
// failed: a failed call answered nothing and, the engine promises,
// wrote nothing.
func linearizableOp(ctx context.Context, nd *node, rng *rand.Rand, a int, who string, errs *tally, now func() int64) (porcupine.Operation, bool) {
	in := seatmodel.Input{Attendee: a}
	var out seatmodel.Output
	call := now()
	switch rng.IntN(3) {
	case 0:
		in.Kind = seatmodel.Reserve
		ans, err := nd.engine.Reserve(ctx, who, []string{"S7"}, "")
		if err != nil {
			errs.add("reserve", err)
			return porcupine.Operation{}, false
		}
		out.Status = string(ans.Results[0].Status)
	case 1:
		in.Kind = seatmodel.Cancel
		switch err := nd.engine.Cancel(ctx, who, "S7"); {
		case err == nil:
			out.Status = "ok"
		case errcode.Is(err, errcode.NotFound):
			out.Status = "none"
		default:
			errs.add("cancel", err)
			return porcupine.Operation{}, false
		}
	default:
		in.Kind = seatmodel.Left
		r, h, err := storedSeats(ctx, nd.store, "S7")
		if err != nil {
			errs.add("read", err)
			return porcupine.Operation{}, false
		}
		out.Left = s7Seats - r - h
	}
	return porcupine.Operation{Input: in, Output: out, Call: call, Return: now()}, true
}

// describeIllegal logs the longest linearizable prefix porcupine found and
// the operations left out of it, one of which has an answer no order
// allows (e.g. a cancel answered "none" by a node that had not yet seen
// the reservation another node made); it also writes porcupine's
// visualization to a file that outlives the test.
func describeIllegal(t *testing.T, model porcupine.Model, start uint64, info porcupine.LinearizationInfo, history []porcupine.Operation) {
	t.Helper()
	if f, err := os.CreateTemp("", "venuehop-linearizability-*.html"); err == nil {
		if porcupine.Visualize(model, info, f) == nil {
			t.Logf("porcupine's visualization: %s", f.Name())
		}
		f.Close()
	}
	parts := info.PartialLinearizations()
	if len(parts) == 0 || len(parts[0]) == 0 {
		return
	}
	longest := parts[0][0]
	for _, p := range parts[0] {
		if len(p) > len(longest) {
			longest = p
		}
	}
	done := map[int]bool{}
	holders := map[int]bool{}
	for _, i := range bitList(start) {
		holders[i] = true
	}
	for _, id := range longest {
		done[id] = true
		op := history[id]
		in, out := op.Input.(seatmodel.Input), op.Output.(seatmodel.Output)
		switch {
		case in.Kind == seatmodel.Reserve && out.Status == "reserved":
			holders[in.Attendee] = true
		case in.Kind == seatmodel.Cancel && out.Status == "ok":
			delete(holders, in.Attendee)
		}
	}
	t.Logf("longest linearizable prefix: %d of %d operations, after which %d seats are held by attendees %v",
		len(longest), len(history), len(holders), keys(holders))
	shown := 0
	for id, op := range history {
		if done[id] || shown == 16 {
			continue
		}
		shown++
		t.Logf("  not linearized: client %d on node %d: %v -> %+v (call %v, return %v)",
			op.ClientId, op.Metadata, op.Input, op.Output, time.Duration(op.Call), time.Duration(op.Return))
	}
}

func keys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
