package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"venuehop/internal/store/postgres/pgtest"
)

// mnode is one `venuehop serve` process of a multi-node test.
type mnode struct {
	name string
	base string
	data string
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	dead atomic.Bool   // killed on purpose
}

// startNode starts `venuehop serve` on db and waits for /healthz.
func startNode(t *testing.T, bin, db, dir, name string, within time.Duration) *mnode {
	t.Helper()
	// Each node keeps its own data directory (calendar key, demo
	// sign-ins); the seats and everything else are in the database.
	return startServer(t, dir, name, within, func(addr, data string) []string {
		return []string{bin, "serve", "--db", db, "--addr", addr, "--data", data, "--log-level", "error"}
	})
}

// startServer runs the command argv gives for a free address and a data
// directory, stops it when the test ends, and waits for its /healthz.
func startServer(t *testing.T, dir, name string, within time.Duration, argv func(addr, data string) []string) *mnode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	n := &mnode{name: name, base: "http://" + addr, data: filepath.Join(dir, name), log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	logf, err := os.Create(n.log)
	if err != nil {
		t.Fatal(err)
	}
	args := argv(addr, n.data)
	n.cmd = exec.Command(args[0], args[1:]...)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.cmd.Wait(); logf.Close(); close(n.done) }()
	t.Cleanup(func() {
		n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.done:
		case <-time.After(10 * time.Second):
			n.cmd.Process.Kill()
			<-n.done
		}
		if t.Failed() {
			if b, _ := os.ReadFile(n.log); len(b) > 0 {
				t.Logf("%s's output:\n%s", n.name, lastLines(string(b), 30))
			}
		}
	})
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(n.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return n
			}
		}
		select {
		case <-n.done:
			b, _ := os.ReadFile(n.log)
			t.Fatalf("%s exited at start: %s", name, b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come up within %v: %v", name, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// kill SIGKILLs the node, as a crash would.
func (n *mnode) kill(t *testing.T) {
	n.dead.Store(true)
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-n.done
}

// TestMultiNode runs three `venuehop serve` processes on one PostgreSQL
// schema, as a deployment behind a load balancer would: a catalog change
// made on one node is served by the others, a seat taken on one node
// reaches an SSE client of another within a second, and a node killed in
// the middle of a reservation rush loses nothing any client was told was
// reserved, overbooks nothing and leaves `venuehop check` clean.
func TestMultiNode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three server processes on PostgreSQL")
	}
	db := pgtest.URL(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "venuehop")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The first node seeds the demo; the others start on what it stored.
	nodes := []*mnode{startNode(t, bin, db, dir, "node-a", 3*time.Minute)}
	for _, name := range []string{"node-b", "node-c"} {
		nodes = append(nodes, startNode(t, bin, db, dir, name, time.Minute))
	}
	a, b, c := nodes[0], nodes[1], nodes[2]

	email, password := demoAdmin(filepath.Join(a.data, "demo-accounts.txt"))
	var admin string
	mustCall(t, "POST", a.base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, &struct{ Token *string }{&admin})
	var bulk struct{ Attendees []struct{ ID, Token string } }
	mustCall(t, "POST", a.base+"/api/v1/admin/bulk-attendees", admin, map[string]int{"count": 400}, &bulk)
	var occ struct {
		Sessions []struct {
			SessionID                string
			Capacity, Reserved, Held int
		}
	}
	mustCall(t, "GET", a.base+"/api/v1/admin/occupancy", admin, nil, &occ)
	// Two roomy sessions of their own for the SSE and catalog checks; the
	// rush spreads over 60 others.
	var roomy, rush []string
	for _, o := range occ.Sessions {
		if o.Capacity-o.Reserved-o.Held >= 50 && len(roomy) < 2 {
			roomy = append(roomy, o.SessionID)
		}
	}
	if len(roomy) < 2 {
		t.Fatalf("the demo has fewer than two sessions with 50 free seats")
	}
	for i := 0; i < len(occ.Sessions) && len(rush) < 60; i += max(1, len(occ.Sessions)/60) {
		if id := occ.Sessions[i].SessionID; !slices.Contains(roomy, id) {
			rush = append(rush, id)
		}
	}
	sseSession, catSession := roomy[0], roomy[1]
	attendees := bulk.Attendees

	t.Run("catalog change on A is served by B and C", func(t *testing.T) {
		var before sessionSeats
		mustCall(t, "GET", c.base+"/api/v1/sessions/"+catSession, "", nil, &before)
		url := fmt.Sprintf("https://example.com/recordings/%s-%d", catSession, time.Now().UnixNano())
		var edited struct{ Session sessionSeats }
		mustCall(t, "PATCH", a.base+"/api/v1/admin/sessions/"+catSession, admin,
			map[string]any{"recordingUrl": url, "capacity": before.Seats.Capacity - 1}, &edited)
		start := time.Now()
		if edited.Session.RecordingURL != url || edited.Session.Seats.Capacity != before.Seats.Capacity-1 {
			t.Fatalf("node A answered the PATCH with %+v", edited.Session)
		}
		for _, n := range []*mnode{b, c} {
			deadline := time.Now().Add(5 * time.Second)
			for {
				var got sessionSeats
				mustCall(t, "GET", n.base+"/api/v1/sessions/"+catSession, "", nil, &got)
				if got.RecordingURL == url && got.Seats.Capacity == edited.Session.Seats.Capacity {
					t.Logf("%s serves the edit %v after node A answered the PATCH", n.name, time.Since(start).Round(time.Millisecond))
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("%s still serves recordingUrl %q and capacity %d 5 s after the PATCH on node A (want %q and %d)",
						n.name, got.RecordingURL, got.Seats.Capacity, url, edited.Session.Seats.Capacity)
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	})

	t.Run("seat count of a reservation on A reaches SSE on B within 1s", func(t *testing.T) {
		onB := openEvents(t, b.base)
		onA := openEvents(t, a.base) // the same node, for comparison
		var before sessionSeats
		mustCall(t, "GET", a.base+"/api/v1/sessions/"+sseSession, "", nil, &before)
		var remote, local []time.Duration
		for i := range 8 {
			var res struct{ Results []struct{ Status string } }
			mustCall(t, "POST", a.base+"/api/v1/me/reservations", attendees[i].Token, map[string][]string{"sessionIds": {sseSession}}, &res)
			answered := time.Now()
			if len(res.Results) != 1 || res.Results[0].Status != "reserved" {
				t.Fatalf("reservation %d on node A: %+v", i, res.Results)
			}
			want := before.Seats.Reserved + i + 1
			for _, s := range []struct {
				ev  *eventStream
				out *[]time.Duration
			}{{onB, &remote}, {onA, &local}} {
				at, ok := s.ev.waitSeats(sseSession, want, answered.Add(3*time.Second))
				if !ok {
					t.Errorf("%s: no seats event with %d reserved for %s within 3 s of the reservation on node A", s.ev.base, want, sseSession)
					continue
				}
				*s.out = append(*s.out, max(0, at.Sub(answered)))
			}
			time.Sleep(time.Duration(250+rand.IntN(200)) * time.Millisecond)
		}
		if len(remote) == 0 {
			return
		}
		slices.Sort(remote)
		slices.Sort(local)
		t.Logf("seat count on B's SSE after the answer on A: median %v, max %v over %d reservations (A's own SSE: median %v, max %v)",
			remote[len(remote)/2].Round(time.Millisecond), remote[len(remote)-1].Round(time.Millisecond), len(remote),
			median(local).Round(time.Millisecond), slices.Max(append(local, 0)).Round(time.Millisecond))
		if worst := remote[len(remote)-1]; worst > time.Second {
			t.Errorf("the seat count reached B's SSE client %v after the reservation on A; the promise is 1 s", worst)
		}
	})

	t.Run("SIGKILL of one node mid-rush loses nothing confirmed", func(t *testing.T) {
		var (
			mu        sync.Mutex
			confirmed = map[int][]string{} // attendee index -> sessions it was told are reserved
			statuses  = map[string]int{}
			afterKill atomic.Int64
			killed    atomic.Bool
		)
		client := &http.Client{Timeout: 10 * time.Second}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		const first = 8 // attendees before it took part in the SSE check
		for w := range 48 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(7, uint64(w)))
				for k := w; ; k++ {
					select {
					case <-stop:
						return
					default:
					}
					n := nodes[k%len(nodes)]
					if n.dead.Load() {
						continue
					}
					ai := first + rng.IntN(len(attendees)-first)
					id := rush[rng.IntN(len(rush))]
					body, _ := json.Marshal(map[string][]string{"sessionIds": {id}})
					req, _ := http.NewRequest("POST", n.base+"/api/v1/me/reservations", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+attendees[ai].Token)
					resp, err := client.Do(req)
					if err != nil {
						mu.Lock()
						statuses["network error on "+n.name]++
						mu.Unlock()
						time.Sleep(20 * time.Millisecond)
						continue
					}
					out, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					mu.Lock()
					statuses[fmt.Sprintf("%d", resp.StatusCode)]++
					if err == nil && resp.StatusCode == 200 && strings.Contains(string(out), `"status":"reserved"`) {
						confirmed[ai] = append(confirmed[ai], id)
						if killed.Load() {
							afterKill.Add(1)
						}
					}
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Duration(1200+rand.IntN(600)) * time.Millisecond)
		c.kill(t)
		killed.Store(true)
		time.Sleep(2 * time.Second)
		close(stop)
		wg.Wait()

		total := 0
		survivors := []*mnode{a, b}
		for ai, ids := range confirmed {
			have := activeReservations(t, survivors[ai%2].base, attendees[ai].Token)
			for _, id := range ids {
				total++
				if !have[id] {
					t.Errorf("attendee %s was told %s is reserved; after node C was killed it is not", attendees[ai].ID, id)
				}
			}
		}
		t.Logf("%d confirmed reservations (%d after the kill, on A and B), answers %v", total, afterKill.Load(), statuses)
		if total == 0 {
			t.Fatal("no reservation was confirmed under load")
		}
		if afterKill.Load() == 0 {
			t.Errorf("nodes A and B confirmed nothing after node C was killed")
		}
		for _, n := range survivors {
			var after struct {
				Sessions []struct {
					SessionID                string
					Capacity, Reserved, Held int
				}
			}
			mustCall(t, "GET", n.base+"/api/v1/admin/occupancy", admin, nil, &after)
			for _, o := range after.Sessions {
				if o.Reserved+o.Held > o.Capacity {
					t.Errorf("%s: session %s holds %d reserved and %d held seats of %d", n.name, o.SessionID, o.Reserved, o.Held, o.Capacity)
				}
			}
		}
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"check", "--db", db}, &stdout, &stderr); code != 0 {
			t.Errorf("venuehop check --db: exit %d: %s", code, stderr.String())
		}
	})
}

// sessionSeats is the part of the API's Session these tests read.
type sessionSeats struct {
	ID           string
	RecordingURL string
	Seats        struct{ Capacity, Reserved, Held, Available int }
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// eventStream is a client of GET /api/v1/events that records when each
// seats event arrived.
type eventStream struct {
	base string
	mu   sync.Mutex
	cond *sync.Cond
	seen []seatSeen
}

type seatSeen struct {
	at        time.Time
	sessionID string
	reserved  int
}

// openEvents connects to base's event stream and returns once the server
// has subscribed it (the ": connected" comment).
func openEvents(t *testing.T, base string) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		cancel()
		t.Fatalf("GET %s/api/v1/events: %s", base, resp.Status)
	}
	s := &eventStream{base: base}
	s.cond = sync.NewCond(&s.mu)
	connected := make(chan struct{})
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == ": connected":
				close(connected)
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "seats":
				var ev struct {
					SessionID string
					Reserved  int
				}
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev) == nil {
					s.mu.Lock()
					s.seen = append(s.seen, seatSeen{time.Now(), ev.SessionID, ev.Reserved})
					s.cond.Broadcast()
					s.mu.Unlock()
				}
			case line == "":
				event = ""
			}
		}
	}()
	t.Cleanup(cancel)
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s/api/v1/events sent no greeting", base)
	}
	return s
}

// waitSeats returns when the first seats event for session with at least
// reserved seats arrived, waiting until deadline.
func (s *eventStream) waitSeats(session string, reserved int, deadline time.Time) (time.Time, bool) {
	timer := time.AfterFunc(time.Until(deadline), func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for _, e := range s.seen {
			if e.sessionID == session && e.reserved >= reserved {
				return e.at, true
			}
		}
		if !time.Now().Before(deadline) {
			return time.Time{}, false
		}
		s.cond.Wait()
	}
}
