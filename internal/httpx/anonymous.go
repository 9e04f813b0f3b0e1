package httpx

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/ratelimit"
)

// AnonymousLimits bound the costly reads of visitors who are not signed
// in (CostlyRead), so that a flood of them cannot take the cores that
// reservations need: Rate per client address (IPv6: its /64), and at most
// Concurrent of them served at once from everywhere, each waiting at most
// QueueWait for its turn. A refusal is held for Hold before it is sent, on
// at most HeldPerAddress requests of an address at a time: a client that
// ignores Retry-After gets a refusal a Hold per connection, not as many as
// it can ask for (each costs the server little, but not nothing).
type AnonymousLimits struct {
	Rate           ratelimit.Rate
	Concurrent     int
	QueueWait      time.Duration
	Hold           time.Duration
	HeldPerAddress int
}

// CostlyRead reports the reads that cost real work per request: the
// calendar feeds, search and the exports built from the whole conference.
// Static files, single sessions and the API's small reads are not.
func CostlyRead(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/ical/"),
		p == "/api/v1/sessions",
		p == "/api/v1/venues.geojson",
		p == "/api/v1/route.geojson",
		p == "/api/v1/travel",
		p == "/map",
		p == "/" && r.URL.RawQuery != "":
		return true
	}
	return false
}

// LimitAnonymous bounds the costly reads of requests without a signed-in
// user (it runs inside Authenticate): past the address's rate 429, past
// the concurrency 503, both with Retry-After. Signed-in users and every
// other request pass untouched. now is the clock (nil: time.Now).
func LimitAnonymous(next http.Handler, l AnonymousLimits, log *slog.Logger, now func() time.Time) http.Handler {
	if l.Rate.Burst <= 0 {
		return next
	}
	if now == nil {
		now = time.Now
	}
	perAddr := ratelimit.NewKeyed(l.Rate, ratelimit.Rate{})
	slots := make(chan struct{}, max(l.Concurrent, 1))
	var held heldCount
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, signed := UserFrom(r.Context()); signed || !CostlyRead(r) {
			next.ServeHTTP(w, r)
			return
		}
		addr := AddressKey(r)
		if wait, _ := perAddr.Take(addr, now()); wait > 0 {
			if held.add(addr, l.HeldPerAddress) {
				pause := time.NewTimer(l.Hold)
				select {
				case <-pause.C:
				case <-r.Context().Done():
				}
				pause.Stop()
				held.done(addr)
			} else {
				// Too many held already: answer, and close the connection.
				w.Header().Set("Connection", "close")
			}
			WriteError(w, r, log, errcode.Retry(errcode.RateLimited, wait,
				"too many requests from your network for this; slow down, or sign in"))
			return
		}
		t := time.NewTimer(l.QueueWait)
		defer t.Stop()
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		case <-t.C:
			WriteError(w, r, log, errcode.Retry(errcode.Unavailable, time.Second,
				"the server is busy with requests like this one; try again in a moment"))
		case <-r.Context().Done():
		}
	})
}

// heldCount counts the refusals being held per address.
type heldCount struct {
	mu sync.Mutex
	m  map[string]int
}

// add counts one more held refusal of addr unless it has limit already.
func (h *heldCount) add(addr string, limit int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]int{}
	}
	if h.m[addr] >= limit {
		return false
	}
	h.m[addr]++
	return true
}

func (h *heldCount) done(addr string) {
	h.mu.Lock()
	if h.m[addr]--; h.m[addr] <= 0 {
		delete(h.m, addr)
	}
	h.mu.Unlock()
}
