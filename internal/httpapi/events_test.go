package httpapi

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/clock"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
)

// TestHubAdmitsWithinItsLimits: per attendee and per address the stream
// past the share is rate_limited, past the total unavailable, each with a
// wait; a closed or signed-out stream frees its place, and a sign-out ends
// only the streams of that token (and so its offers).
func TestHubAdmitsWithinItsLimits(t *testing.T) {
	h := NewHub(&live.Holder{}, clock.System{}, slog.New(slog.DiscardHandler))
	defer h.Close()
	h.SetLimits(StreamLimits{Max: 6, PerAttendee: 2, PerAddress: 2, AnonymousMaxAge: time.Minute})
	_, tokA := account.NewToken()
	_, tokB := account.NewToken()
	var none account.TokenHash
	mustAdmit := func(user string, tok account.TokenHash, addr string) *sseClient {
		t.Helper()
		c, err := h.subscribe(user, tok, addr)
		if err != nil {
			t.Fatalf("subscribe(%q, %q): %v", user, addr, err)
		}
		return c
	}
	refused := func(user string, tok account.TokenHash, addr string, code errcode.Code) {
		t.Helper()
		_, err := h.subscribe(user, tok, addr)
		var ra interface{ RetryAfterSeconds() int }
		e, _ := err.(*errcode.Error)
		if !errcode.Is(err, code) || e == nil {
			t.Fatalf("subscribe(%q, %q) = %v, want %s", user, addr, err, code)
		}
		if r, ok := e.Details.(interface{ RetryAfterSeconds() int }); !ok || r.RetryAfterSeconds() < 1 {
			t.Errorf("subscribe(%q, %q): no wait in %v (%T)", user, addr, err, ra)
		}
	}
	a1 := mustAdmit("u_a", tokA, "192.0.2.1")
	mustAdmit("u_a", tokB, "192.0.2.1") // the same attendee on a second device
	refused("u_a", tokA, "192.0.2.9", errcode.RateLimited)
	// Anonymous streams count by address, not with signed-in ones.
	x1 := mustAdmit("", none, "192.0.2.1")
	mustAdmit("", none, "192.0.2.1")
	refused("", none, "192.0.2.1", errcode.RateLimited)
	mustAdmit("", none, "2001:db8::/64")
	mustAdmit("u_b", tokB, "192.0.2.1")
	refused("u_c", tokA, "192.0.2.50", errcode.Unavailable) // 6 of 6
	h.unsubscribe(x1)
	h.unsubscribe(x1) // twice frees one place
	x3 := mustAdmit("", none, "192.0.2.1")
	refused("", none, "198.51.100.1", errcode.Unavailable)

	// The sign-out of tokA ends a1 only: u_a's other stream (tokB) and
	// u_b's stay, and tokA's offers reach nobody any more.
	h.EndToken(tokA)
	if _, open := <-a1.ch; open {
		t.Fatal("the signed-out stream got a message instead of its end")
	}
	if n := h.Clients(); n != 5 {
		t.Errorf("%d streams after the sign-out, want 5", n)
	}
	again := mustAdmit("u_a", tokA, "192.0.2.1") // signed in again: its place is free
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { h.send([]byte("event: offer\n\n"), "u_a") })
	}
	wg.Wait()
	if len(again.ch) != 4 || len(x3.ch) != 0 {
		t.Errorf("the attendee's new stream got %d of 4 offers, an anonymous one %d", len(again.ch), len(x1.ch))
	}
}
