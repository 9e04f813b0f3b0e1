package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/ratelimit"
)

// TestLimitAnonymous: an address's costly anonymous reads past its rate
// get 429 with a wait while another address and signed-in users go on;
// cheap reads are never counted; past the concurrency, 503.
func TestLimitAnonymous(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	release := make(chan struct{})
	h := LimitAnonymous(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("slow") != "" {
			<-release
		}
		w.WriteHeader(299)
	}), AnonymousLimits{Rate: ratelimit.PerSecond(2, 3), Concurrent: 1, QueueWait: 20 * time.Millisecond},
		slog.New(slog.DiscardHandler), clock)
	send := func(addr, path string, signedIn bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = addr + ":5555"
		if signedIn {
			req = req.WithContext(WithUser(req.Context(), &account.User{ID: "u_a"}))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	for i := range 3 {
		if w := send("192.0.2.1", "/ical/conference.ics", false); w.Code != 299 {
			t.Fatalf("read %d within the burst: %d", i+1, w.Code)
		}
	}
	w := send("192.0.2.1", "/ical/conference.ics", false)
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" {
		t.Errorf("past the burst: %d, Retry-After %q; want 429 after 1 s", w.Code, w.Header().Get("Retry-After"))
	}
	for _, tt := range []struct {
		name, addr, path string
		signedIn         bool
	}{
		{"another address", "198.51.100.1", "/ical/conference.ics", false},
		{"a signed-in user at that address", "192.0.2.1", "/ical/conference.ics", true},
		{"a cheap read at that address", "192.0.2.1", "/api/v1/sessions/S1", false},
		{"the catalog without a search", "192.0.2.1", "/", false},
	} {
		if w := send(tt.addr, tt.path, tt.signedIn); w.Code != 299 {
			t.Errorf("%s: %d, want it served", tt.name, w.Code)
		}
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if w := send("192.0.2.1", "/?q=ai", false); w.Code != 299 {
		t.Errorf("a second later: %d, want the refilled token", w.Code)
	}
	// One slow read holds the only slot: the next waits, then 503.
	done := make(chan struct{})
	go func() { send("203.0.113.1", "/api/v1/sessions?slow=1", false); close(done) }()
	for i, deadline := 0, time.Now().Add(5*time.Second); ; i++ {
		// A fresh address each time: only the concurrency may refuse it.
		if w := send(fmt.Sprintf("10.0.%d.%d", i/200, i%200), "/api/v1/sessions", false); w.Code == 503 {
			if w.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a read past the concurrency was never refused")
		}
	}
	close(release)
	<-done
}

// TestLimitAnonymousHoldsRefusals: a refusal is held for the hold before
// it is sent, on a bounded number of an address's requests at once; past
// that, it is sent at once and the connection closed.
func TestLimitAnonymousHoldsRefusals(t *testing.T) {
	const hold = 100 * time.Millisecond
	h := LimitAnonymous(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) }),
		AnonymousLimits{Rate: ratelimit.PerSecond(0.001, 1), Concurrent: 4, QueueWait: time.Second, Hold: hold, HeldPerAddress: 1},
		slog.New(slog.DiscardHandler), nil)
	send := func() (*httptest.ResponseRecorder, time.Duration) {
		req := httptest.NewRequest("GET", "/ical/conference.ics", nil)
		req.RemoteAddr = "192.0.2.7:4444"
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, req)
		return w, time.Since(start)
	}
	if w, _ := send(); w.Code != 299 {
		t.Fatalf("the first read: %d", w.Code)
	}
	var wg sync.WaitGroup
	var slow time.Duration
	wg.Go(func() { _, slow = send() })
	time.Sleep(hold / 4) // the first refusal is being held
	w, fast := send()
	wg.Wait()
	if w.Code != 429 || w.Header().Get("Connection") != "close" || fast >= hold {
		t.Errorf("a refusal past the held ones: %d, Connection %q, after %v; want 429 at once, closing", w.Code, w.Header().Get("Connection"), fast)
	}
	if slow < hold {
		t.Errorf("the held refusal came after %v, want at least %v", slow, hold)
	}
}
