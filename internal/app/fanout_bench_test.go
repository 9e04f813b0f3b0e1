package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/notify"
	"venuehop/internal/store/sqlite"
	"venuehop/internal/webpush/pushtest"
)

// BenchmarkNoticeFanOut is one "session moved" notice to 60,000 attendees
// with one device each, through the whole pipeline as the change trigger
// drives it: queued with the notices service, each stored (its
// preferences read, its unread count told to the event hub), then pushed
// (encrypted, signed) to a local push service that accepts and discards.
// One op is the whole fan-out, from the first Queue to the 60,000th push
// received; the target is 60 s. Run it with -benchtime=1x.
func BenchmarkNoticeFanOut(b *testing.B) {
	const n = 60_000
	ctx := context.Background()
	srv, got := pushtest.Sink(b)
	a, _, logs := newAuthApp(b)
	st, ok := a.store.Push.(*sqlite.Store)
	if !ok {
		b.Fatal("the benchmark writes its subscriptions into SQLite")
	}
	ids := make([]string, n)
	users := make([]account.User, n)
	for i := range users {
		ids[i] = fmt.Sprintf("u_%05d", i)
		users[i] = account.User{ID: ids[i], Email: ids[i] + "@example.com", Name: ids[i], Role: account.Attendee, CreatedAt: a.clock.Now()}
	}
	if err := a.store.Bulk.BulkAttendees(ctx, users, nil); err != nil {
		b.Fatal(err)
	}
	_, write := st.DB()
	pushtest.Subscribe(b, write, srv.URL, pushtest.NewDevice(b), ids)
	now := a.clock.Now()
	b.ResetTimer()
	for round := 0; b.Loop(); round++ {
		start := time.Now()
		got.Store(0)
		for i := range n {
			a.Notices().Queue(ctx, notify.Notice{AttendeeID: ids[i], Category: notify.CategoryChange,
				Title: "Moved: Rust in production", Body: "Now 14:30 in Hall B (was 14:00, Hall A)", URL: "/sessions/S42",
				SessionID: "S42", Topic: fmt.Sprintf("change-S42-%d", round), Expires: now.Add(2 * time.Hour)})
		}
		queued := time.Since(start)
		for got.Load() < n {
			if time.Since(start) > 5*time.Minute {
				l := logs.String()
				b.Fatalf("%d of %d pushes after 5 minutes; the log ends:\n%s", got.Load(), n, l[max(0, len(l)-3000):])
			}
			time.Sleep(10 * time.Millisecond)
		}
		b.ReportMetric(queued.Seconds(), "s-stored")
		b.ReportMetric(time.Since(start).Seconds(), "s-pushed")
	}
}
