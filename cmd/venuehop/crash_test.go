package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"venuehop/internal/store/sqlite"
)

// TestCrashKeepsConfirmedSeats runs the real binary under a reservation
// load, kills it with SIGKILL mid-stream several times, restarts it on the
// same data directory, and then checks that every reservation a client
// was told "reserved" is there and that `venuehop check` passes.
//
// Why it holds: an answer is written only after the batch's transaction
// committed, and the writer connection runs with synchronous=FULL in WAL
// mode, so COMMIT returns only after the WAL is fsynced. A killed process
// loses nothing the OS already has; synchronous=FULL makes the same true
// for a power loss, which NORMAL would not (NORMAL in WAL syncs only at
// checkpoints, so the last commits could vanish with the power).
func TestCrashKeepsConfirmedSeats(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "venuehop")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr

	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--addr", addr, "--data", data, "--log-level", "error")
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			resp, err := http.Get(base + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return cmd
				}
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("the server did not come up: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	srv := start()
	email, password := demoAdmin(filepath.Join(data, "demo-accounts.txt"))
	var admin string
	mustCall(t, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, &struct{ Token *string }{&admin})
	var bulk struct{ Attendees []struct{ ID, Token string } }
	mustCall(t, "POST", base+"/api/v1/admin/bulk-attendees", admin, map[string]int{"count": 400}, &bulk)
	var occ struct{ Sessions []struct{ SessionID string } }
	mustCall(t, "GET", base+"/api/v1/admin/occupancy", admin, nil, &occ)
	// Few sessions spread over the days: attendees hold several each, and
	// conflicts and quota refusals mix in.
	var sessions []string
	for i := 0; i < len(occ.Sessions); i += len(occ.Sessions) / 60 {
		sessions = append(sessions, occ.Sessions[i].SessionID)
	}

	var mu sync.Mutex
	confirmed := map[int][]string{} // attendee index -> sessions it was told are reserved
	client := &http.Client{Timeout: 10 * time.Second}
	load := func(stop <-chan struct{}, seed uint64) {
		var wg sync.WaitGroup
		for w := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(seed, uint64(w)))
				for {
					select {
					case <-stop:
						return
					default:
					}
					a := rng.IntN(len(bulk.Attendees))
					id := sessions[rng.IntN(len(sessions))]
					body, _ := json.Marshal(map[string][]string{"sessionIds": {id}})
					req, _ := http.NewRequest("POST", base+"/api/v1/me/reservations", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+bulk.Attendees[a].Token)
					resp, err := client.Do(req)
					if err != nil {
						time.Sleep(20 * time.Millisecond) // the server is down
						continue
					}
					out, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 {
						continue
					}
					if strings.Contains(string(out), `"status":"reserved"`) {
						mu.Lock()
						confirmed[a] = append(confirmed[a], id)
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
	}

	for round := range 4 {
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { load(stop, uint64(round)); close(done) }()
		time.Sleep(time.Duration(700+rand.IntN(600)) * time.Millisecond)
		if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		srv.Wait()
		close(stop)
		<-done
		srv = start()
	}

	total := 0
	for a, ids := range confirmed {
		have := activeReservations(t, base, bulk.Attendees[a].Token)
		for _, id := range ids {
			total++
			if !have[id] {
				t.Errorf("attendee %s was told %s is reserved; after the crashes it is not", bulk.Attendees[a].ID, id)
			}
		}
	}
	if total == 0 {
		t.Fatal("no reservation was confirmed under load")
	}
	t.Logf("%d confirmed reservations survived 4 SIGKILLs", total)

	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"check", "--data", data}, &stdout, &stderr); code != 0 {
		t.Errorf("venuehop check: exit %d: %s", code, stderr.String())
	}
}

func mustCall(t *testing.T, method, url, token string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
}

// The check command passes on a healthy store, then names a broken seat
// invariant and exits 1.
func TestCheckCommandNamesViolation(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "demo.json")
	ctx := context.Background()
	for _, args := range [][]string{{"demo", "-o", file, "--start", "2026-11-30"}, {"import", file, "--data", data}, {"check", "--data", data}} {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
	}
	st, err := sqlite.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	_, write := st.DB()
	// A reservation row the seat counter does not know about: a seat
	// created out of nowhere.
	if _, err := write.ExecContext(ctx, `INSERT INTO reservations (attendee, session, created_at) VALUES ('u_ghost', 'sec342', 0)`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"check", "--data", data}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "session sec342") || !strings.Contains(stderr.String(), "lost or created") {
		t.Errorf("check after corruption: exit %d, stderr %q", code, stderr.String())
	}
}

// activeReservations returns the sessions the attendee holds an active
// reservation for, as the server at base reports them.
func activeReservations(t *testing.T, base, token string) map[string]bool {
	t.Helper()
	var mine struct {
		Reservations []struct{ SessionID, Status string }
	}
	mustCall(t, "GET", base+"/api/v1/me/reservations", token, nil, &mine)
	have := map[string]bool{}
	for _, r := range mine.Reservations {
		if r.Status == "active" {
			have[r.SessionID] = true
		}
	}
	return have
}
