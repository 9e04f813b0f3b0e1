package planner_test

import (
	"math/rand/v2"
	"os"
	"sort"
	"testing"
	"time"

	"venuehop/internal/formats"
	"venuehop/internal/planner"
	"venuehop/internal/shareddata"
	"venuehop/internal/venuepack"
)

// reinventWorld is the real re:Invent 2024 catalog as an organizer imports
// it, with the Las Vegas Strip venue pack: five venues, 2,400 sittings,
// repeats where the catalog marks them.
func reinventWorld(b *testing.B) world {
	b.Helper()
	f, err := os.Open(shareddata.Path(b, "reinvent-2024-schedule/all_sessions_filtered.csv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	c, _, err := formats.Read(f, formats.ReadOptions{TimeZone: "America/Los_Angeles", Name: "all_sessions_filtered.csv"})
	if err != nil {
		b.Fatal(err)
	}
	p, err := venuepack.Get(venuepack.StripID)
	if err != nil {
		b.Fatal(err)
	}
	res, err := p.Apply(c)
	if err != nil {
		b.Fatal(err)
	}
	c.Venues, c.Travel = res.Venues, res.Model
	return compile(b, c)
}

// realGroups lists the catalog's scheduled contents, the repeated ones
// first (the planner's choice is among their sittings).
func realGroups(w world) []string {
	groups := demoGroups(w, 1)
	sort.SliceStable(groups, func(i, j int) bool { return len(w.snap.Sittings(groups[i])) > len(w.snap.Sittings(groups[j])) })
	return groups
}

// BenchmarkOptimize150RealReInvent measures the plan latency distribution
// over 200 attendees with 150 favourites each, drawn from the real catalog
// (the repeated contents and the rest alike), plus a personal block: p50
// and p99 wall and CPU per plan.
func BenchmarkOptimize150RealReInvent(b *testing.B) {
	w := reinventWorld(b)
	groups := realGroups(w)
	rng := rand.New(rand.NewPCG(11, 12))
	pool := make([]attendee, 200)
	for i := range pool {
		pool[i] = attendee{wishes: randomWishes(rng, w, groups[:min(len(groups), 600)], 150), reserved: map[string]bool{}}
		pool[i].fixed = keynotesAndBlock(w, rng)
	}
	repeated := 0
	for _, g := range groups {
		if len(w.snap.Sittings(g)) > 1 {
			repeated++
		}
	}
	opt := planner.DefaultOptions()
	opt.TimeLimit = 10 * time.Second
	var wall, cpu []time.Duration
	optimal := 0
	b.ResetTimer()
	for b.Loop() {
		wall, cpu, optimal = latencies(b, w, pool, opt)
	}
	reportLatencies(b, wall, cpu, optimal)
	b.ReportMetric(float64(repeated), "repeated-contents")
}
