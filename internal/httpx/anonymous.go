package httpx

import (
	"net/http"
	"strings"
	"time"

	"log/slog"

	"venuehop/internal/errcode"
	"venuehop/internal/ratelimit"
)

// AnonymousLimits bound the costly reads of visitors who are not signed
// in (CostlyRead), so that a flood of them cannot take the cores that
// reservations need: Rate per client address (IPv6: its /64), and at most
// Concurrent of them served at once from everywhere, each waiting at most
// QueueWait for its turn.
type AnonymousLimits struct {
	Rate       ratelimit.Rate
	Concurrent int
	QueueWait  time.Duration
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, signed := UserFrom(r.Context()); signed || !CostlyRead(r) {
			next.ServeHTTP(w, r)
			return
		}
		if wait, _ := perAddr.Take(AddressKey(r), now()); wait > 0 {
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
