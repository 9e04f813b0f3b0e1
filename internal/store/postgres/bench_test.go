package postgres

import (
	"context"
	"fmt"
	"testing"

	"venuehop/internal/reservation"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/store/sqlite"
	"venuehop/internal/store/storetest"
)

// BenchmarkApply is the group commit on each backend: one Apply of batch
// reservations (distinct attendees, one session with room for all), as
// the engine writes a rush. ns/op is one commit; res/s is reservations
// per second. PostgreSQL runs its guards too (counter condition, attendee
// locks, overlap check); SQLite fsyncs with synchronous=FULL, PostgreSQL
// with its defaults (fsync on, synchronous_commit on).
func BenchmarkApply(b *testing.B) {
	ctx := context.Background()
	open := map[string]func(b *testing.B) storetest.SeatStore{
		"sqlite": func(b *testing.B) storetest.SeatStore {
			s, err := sqlite.Open(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
		"postgres": func(b *testing.B) storetest.SeatStore {
			s, err := Open(ctx, pgtest.URL(b))
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, batch := range []int{1, 64, 512} {
			b.Run(fmt.Sprintf("%s/batch=%d", backend, batch), func(b *testing.B) {
				s := open[backend](b)
				defer s.Close()
				c := storetest.Sample("bench")
				huge := 100_000_000
				c.Sessions[1].Capacity = &huge
				if _, err := s.SaveConference(ctx, c, 0); err != nil {
					b.Fatal(err)
				}
				n := 0
				ops := make([]reservation.Op, batch)
				b.ResetTimer()
				for b.Loop() {
					for i := range ops {
						n++
						ops[i] = reserve(fmt.Sprintf("u_%d", n), "ARC301")
					}
					if err := s.Apply(ctx, ops); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "res/s")
			})
		}
	}
}

// BenchmarkApplyAt is BenchmarkApply's PostgreSQL case through the shared
// log (one node, never stale): the same writes plus the head UPDATE, the
// log entry and its NOTIFY, in the same round trips.
func BenchmarkApplyAt(b *testing.B) {
	ctx := context.Background()
	for _, batch := range []int{1, 64, 512} {
		b.Run(fmt.Sprintf("postgres/batch=%d", batch), func(b *testing.B) {
			s, err := Open(ctx, pgtest.URL(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			c := storetest.Sample("bench")
			huge := 100_000_000
			c.Sessions[1].Capacity = &huge
			if _, err := s.SaveConference(ctx, c, 0); err != nil {
				b.Fatal(err)
			}
			n := 0
			var head int64
			ops := make([]reservation.Op, batch)
			b.ResetTimer()
			for b.Loop() {
				for i := range ops {
					n++
					ops[i] = reserve(fmt.Sprintf("u_%d", n), "ARC301")
				}
				if head, err = s.ApplyAt(ctx, head, ops); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "res/s")
		})
	}
}
