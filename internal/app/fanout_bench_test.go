package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/notify"
	"venuehop/internal/store/sqlite"
	"venuehop/internal/webpush"
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
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		got.Add(1)
	}))
	defer srv.Close()
	a, _, logs := newAuthApp(b)
	st, ok := a.store.Push.(*sqlite.Store)
	if !ok {
		b.Fatal("the benchmark writes its subscriptions into SQLite")
	}
	users := make([]account.User, n)
	for i := range users {
		id := fmt.Sprintf("u_%05d", i)
		users[i] = account.User{ID: id, Email: id + "@example.com", Name: id, Role: account.Attendee, CreatedAt: a.clock.Now()}
	}
	if err := a.store.Bulk.BulkAttendees(ctx, users, nil); err != nil {
		b.Fatal(err)
	}
	// The subscriptions go in in one transaction (60,000 subscribe
	// requests would time the sign-ups, not the fan-out).
	in := pushtest.NewDevice(b).Input("", nil)
	_, write := st.DB()
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO push_subscriptions (endpoint, attendee, p256dh, auth, categories, user_agent, created_at)
		VALUES (?, ?, ?, ?, ?, '', '2026-11-20T09:00:00.000Z')`)
	if err != nil {
		b.Fatal(err)
	}
	all := webpush.EncodeCategories(notify.Categories[:])
	for i := range n {
		id := fmt.Sprintf("u_%05d", i)
		if _, err := ins.ExecContext(ctx, srv.URL+"/push/"+id, id, in.P256dh, in.Auth, all); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	now := a.clock.Now()
	b.ResetTimer()
	for round := 0; b.Loop(); round++ {
		start := time.Now()
		got.Store(0)
		for i := range n {
			a.Notices().Queue(ctx, notify.Notice{AttendeeID: fmt.Sprintf("u_%05d", i), Category: notify.CategoryChange,
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
