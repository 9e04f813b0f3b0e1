package reservation_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"venuehop/internal/conference"
	"venuehop/internal/reservation"
)

// BenchmarkReserve measures reservations per second through the engine
// with real SQLite (synchronous=FULL), 256 concurrent callers, each call
// one id, every answer durable: group commit against one transaction per
// request.
func BenchmarkReserve(b *testing.B) {
	for _, mode := range []struct {
		name     string
		maxBatch int
	}{{"group", 0}, {"per-request", 1}} {
		b.Run(mode.name, func(b *testing.B) {
			e := newEnv(b, reservation.Config{MaxBatch: mode.maxBatch, QuotaPerMinute: 1 << 30})
			// Seats enough for every call: each one writes.
			c := *e.live.Load().Snap.Conf
			c.Rooms = append([]conference.Room(nil), c.Rooms...)
			c.Sessions = append([]conference.Session(nil), c.Sessions...)
			for i := range c.Rooms {
				c.Rooms[i].Capacity = 10_000_000
			}
			for i := range c.Sessions {
				c.Sessions[i].Capacity = nil
			}
			if _, err := e.engine.ApplyConference(context.Background(), &c, e.live.Load().Snap.Rev); err != nil {
				b.Fatal(err)
			}
			ids := []string{"C1", "C2", "C3", "D2", "S7", "OVL", "ONE", "NEAR", "BIG"}
			var n atomic.Int64
			b.SetParallelism(128) // 256 callers on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					who := fmt.Sprintf("u_%d", i)
					if _, err := e.engine.Reserve(context.Background(), who, []string{ids[i%int64(len(ids))]}, ""); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
