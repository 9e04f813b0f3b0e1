package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTargets(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"http://127.0.0.1:8080", []string{"http://127.0.0.1:8080"}},
		{"http://a:1/, http://b:2 ,http://c:3//", []string{"http://a:1", "http://b:2", "http://c:3"}},
		{"", nil},
		{" , ,", nil},
	}
	for _, tt := range tests {
		if got := Targets(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Targets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fakeDB is the one database behind several fake nodes: ten sessions of
// 20 seats.
type fakeDB struct {
	mu       sync.Mutex
	reserved map[string]int
	last     time.Time // of the newest reservation
}

// fakeNode answers the calls the loadtest makes, as a venuehop node on
// db would. lag makes its occupancy trail the others' commits (it
// answers the counts as they were until lag after the newest
// reservation); extra adds seats to what its occupancy reports.
type fakeNode struct {
	db    *fakeDB
	lag   time.Duration
	extra int

	mu    sync.Mutex
	calls map[string]int // by route
}

func (n *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	n.mu.Lock()
	n.calls[route]++
	n.mu.Unlock()
	db := n.db
	w.Header().Set("Content-Type", "application/json")
	switch route {
	case "GET /api/v1/admin/occupancy":
		db.mu.Lock()
		stale := time.Since(db.last) < n.lag
		var out struct {
			Sessions []sessionOccupancy `json:"sessions"`
		}
		for i := range 10 {
			id := fmt.Sprintf("s%d", i)
			o := sessionOccupancy{SessionID: id, Capacity: 20, Reserved: db.reserved[id]}
			if stale {
				o.Reserved = 0
			}
			if i == 0 {
				o.Reserved += n.extra
			}
			out.Sessions = append(out.Sessions, o)
		}
		db.mu.Unlock()
		json.NewEncoder(w).Encode(out)
	case "POST /api/v1/admin/bulk-attendees":
		var in struct{ Count int }
		json.NewDecoder(r.Body).Decode(&in)
		type attendee struct {
			ID    string `json:"id"`
			Token string `json:"token"`
		}
		var out struct {
			Attendees []attendee `json:"attendees"`
		}
		for i := range in.Count {
			out.Attendees = append(out.Attendees, attendee{fmt.Sprintf("u_%d", i), fmt.Sprintf("t_%d", i)})
		}
		json.NewEncoder(w).Encode(out)
	case "POST /api/v1/me/reservations":
		var in struct{ SessionIDs []string }
		json.NewDecoder(r.Body).Decode(&in)
		type result struct {
			SessionID string `json:"sessionId"`
			Status    string `json:"status"`
		}
		var out struct {
			Results []result `json:"results"`
		}
		db.mu.Lock()
		for _, id := range in.SessionIDs {
			st := "full"
			if db.reserved[id] < 20 {
				db.reserved[id]++
				db.last = time.Now()
				st = "reserved"
			}
			out.Results = append(out.Results, result{id, st})
		}
		db.mu.Unlock()
		json.NewEncoder(w).Encode(out)
	case "GET /metrics":
		// As venuehop: the metrics are for an admin's token.
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); !ok || tok == "" {
			http.Error(w, `{"error":{"code":"unauthorized","message":"sign in"}}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprintln(w, "process_resident_memory_bytes 1048576")
	default:
		http.NotFound(w, r)
	}
}

// Several comma-separated targets: the rush's connections go to every
// node, attendees are prepared through the first only, the seats are
// counted on every node (waiting for one whose counts trail), and RSS is
// summed over the nodes.
func TestRunSpreadsOverTargets(t *testing.T) {
	tests := []struct {
		name           string
		lag            time.Duration // of the second node's occupancy
		extra          int           // seats the second node's occupancy adds
		wantOverbooked bool
		wantDeltaOK    bool
	}{
		{"nodes agree", 0, 0, false, true},
		{"second node trails", 700 * time.Millisecond, 0, false, true},
		{"second node overbooked", 0, 21, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{reserved: map[string]int{}}
			nodes := []*fakeNode{{db: db, calls: map[string]int{}}, {db: db, lag: tt.lag, extra: tt.extra, calls: map[string]int{}}}
			var urls []string
			for _, n := range nodes {
				srv := httptest.NewServer(n)
				t.Cleanup(srv.Close)
				urls = append(urls, srv.URL)
			}
			rep, err := Run(context.Background(), Options{Target: strings.Join(urls, ",") + "/", AdminToken: "admin",
				Attendees: 40, PerAttendee: 3, Conns: 4})
			if err != nil {
				t.Fatal(err)
			}
			for i, n := range nodes {
				if n.calls["POST /api/v1/me/reservations"] == 0 {
					t.Errorf("node %d got no reservation requests: %v", i, n.calls)
				}
			}
			if got := nodes[1].calls["POST /api/v1/admin/bulk-attendees"]; got != 0 || nodes[0].calls["POST /api/v1/admin/bulk-attendees"] == 0 {
				t.Errorf("attendees prepared on node 0 %d times and on node 1 %d times, want only on node 0",
					nodes[0].calls["POST /api/v1/admin/bulk-attendees"], got)
			}
			if rep.Requests != 120 || rep.Confirmed == 0 {
				t.Errorf("%d answered requests, %d confirmed; want 120 answered and some confirmed", rep.Requests, rep.Confirmed)
			}
			if (rep.Overbooked > 0) != tt.wantOverbooked || (rep.ReservedDelta == rep.Confirmed) != tt.wantDeltaOK {
				t.Errorf("overbooked %d, reserved +%d for %d confirmed; want overbooked %v and agreement %v",
					rep.Overbooked, rep.ReservedDelta, rep.Confirmed, tt.wantOverbooked, tt.wantDeltaOK)
			}
			if rep.ServerRssMB != 2 {
				t.Errorf("server RSS %v MB, want the two nodes' 1 MB summed", rep.ServerRssMB)
			}
		})
	}
}
