package webpush_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"venuehop/internal/clock"
	"venuehop/internal/notify"
	"venuehop/internal/webpush"
	"venuehop/internal/webpush/pushtest"
)

// BenchmarkFanOutSessionMoved sends one "session moved" notice to each of
// 60,000 attendees with one device each (SQLite store, a local push
// service that accepts and discards): the target is 60 s. Run it with
// -benchtime=1x.
func BenchmarkFanOutSessionMoved(b *testing.B) {
	const n = 60_000
	ctx := context.Background()
	srv, _ := pushtest.Sink(b)
	st := openStore(b)
	ids := make([]string, n)
	ns := make([]notify.Notice, n)
	for i := range n {
		ids[i] = fmt.Sprintf("u_%05d", i)
		ns[i] = notify.Notice{ID: "n_" + ids[i], AttendeeID: ids[i], Category: notify.CategoryChange, Title: "Moved: Rust in production",
			Body: "Now 14:30 in Hall B (was 14:00, Hall A)", URL: "/sessions/S42", SessionID: "S42", Topic: "change-S42",
			Urgency: notify.UrgencyNormal, Expires: now.Add(2 * time.Hour), Created: now}
	}
	_, write := st.DB()
	pushtest.Subscribe(b, write, srv.URL, pushtest.NewDevice(b), ids)
	s := newSender(b, st, 0)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		r, err := s.SendMany(ctx, ns)
		if err != nil || r.Sent != n {
			b.Fatalf("SendMany: %+v %v", r, err)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/n, "µs/msg")
	}
}

// BenchmarkEncryptOne is one message's cost without the network: the
// payload, its RFC 8291 encryption and the VAPID signature (a transport
// that answers 201 at once).
func BenchmarkEncryptOne(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	keys, err := webpush.LoadKeys(ctx, st, now)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		_, _ = io.Copy(io.Discard, r.Body)
		return &http.Response{StatusCode: http.StatusCreated, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
	})}
	s, err := webpush.New(webpush.Options{Store: st, Keys: keys, Clock: clock.Fixed(now), Client: client})
	if err != nil {
		b.Fatal(err)
	}
	dev := pushtest.NewDevice(b)
	if _, err := s.Subscribe(ctx, "u_a", dev.Input("https://push.example.net/p", nil)); err != nil {
		b.Fatal(err)
	}
	n := notify.Notice{ID: "n", AttendeeID: "u_a", Category: notify.CategoryChange, Title: "Moved", URL: "/sessions/S1", Expires: now.Add(time.Hour)}
	for b.Loop() {
		if err := s.Send(ctx, n); err != nil {
			b.Fatal(err)
		}
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
