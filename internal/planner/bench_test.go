package planner_test

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/planner"
)

// attendee is one generated planning input on the demo.
type attendee struct {
	wishes   []planner.Wish
	fixed    []planner.Fixed
	reserved map[string]bool
}

// heavyAttendee: 150 favourites, each a content with 3 sittings, over the
// 4 demo days, plus marked keynotes and a personal block.
func heavyAttendee(w world, rng *rand.Rand) attendee {
	a := attendee{wishes: randomWishes(rng, w, demoGroups(w, 3), 150), reserved: map[string]bool{}}
	a.fixed = keynotesAndBlock(w, rng)
	return a
}

func keynotesAndBlock(w world, rng *rand.Rand) []planner.Fixed {
	var fixed []planner.Fixed
	for _, s := range w.snap.Conf.Sessions {
		if s.Type == conference.TypeKeynote && rng.IntN(2) == 0 {
			fixed = append(fixed, planner.Fixed{Kind: planner.KindKeynote, SessionID: s.ID})
		}
	}
	day := w.snap.Conf.Days[rng.IntN(len(w.snap.Conf.Days))]
	start := w.at(day, "17:00")
	fixed = append(fixed, planner.Fixed{Kind: planner.KindBlock, Title: "Customer dinner", Start: start, End: start.Add(2 * time.Hour), VenueID: "wynn"})
	return fixed
}

// zipfPopulation draws attendees the way a real audience favourites: a few
// contents are very popular (Zipf), lists of 10–60 with a mean of 30, about
// a third of the favourites already reserved.
type zipfPopulation struct {
	w      world
	groups []string
}

func newZipfPopulation(w world, rng *rand.Rand) zipfPopulation {
	groups := demoGroups(w, 1)
	rng.Shuffle(len(groups), func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })
	return zipfPopulation{w: w, groups: groups}
}

func (zp zipfPopulation) attendee(rng *rand.Rand) attendee {
	n := 10 + rng.IntN(21) // mean 20
	if rng.IntN(5) < 2 {
		n = 30 + rng.IntN(31) // mean 45; overall mean 30
	}
	z := rand.NewZipf(rng, 1.1, 2, uint64(len(zp.groups)-1))
	seen := map[string]bool{}
	a := attendee{reserved: map[string]bool{}}
	for len(a.wishes) < n {
		g := zp.groups[z.Uint64()]
		if seen[g] {
			continue
		}
		seen[g] = true
		sits := zp.w.snap.Sittings(g)
		s := sits[rng.IntN(len(sits))]
		a.wishes = append(a.wishes, planner.Wish{SessionID: s.ID, Priority: priorities[rng.IntN(3)]})
		if s.Reservable && rng.IntN(3) == 0 {
			a.reserved[s.ID] = true
		}
	}
	a.fixed = keynotesAndBlock(zp.w, rng)
	return a
}

func plan(tb testing.TB, w world, a attendee, opt planner.Options) planner.Plan {
	p, err := planner.Optimize(w.snap, w.tm, a.wishes, a.fixed, a.reserved, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkOptimize150 plans one attendee with 150 favourites × 3 sittings
// over 4 days (a different attendee each iteration).
func BenchmarkOptimize150(b *testing.B) {
	w := demoW(b)
	rng := rand.New(rand.NewPCG(1, 2))
	pool := make([]attendee, 50)
	for i := range pool {
		pool[i] = heavyAttendee(w, rng)
	}
	opt := planner.DefaultOptions()
	opt.TimeLimit = 10 * time.Second
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		plan(b, w, pool[i%len(pool)], opt)
	}
}

// latencies plans each attendee once and returns the sorted wall and CPU
// durations and how many plans were proven optimal.
func latencies(tb testing.TB, w world, pool []attendee, opt planner.Options) (wall, cpu []time.Duration, optimal int) {
	runtime.LockOSThread() // so that the thread's CPU time is the plan's
	defer runtime.UnlockOSThread()
	wall = make([]time.Duration, len(pool))
	cpu = make([]time.Duration, len(pool))
	for i, a := range pool {
		t0, c0 := time.Now(), threadCPU()
		p := plan(tb, w, a, opt)
		wall[i], cpu[i] = time.Since(t0), threadCPU()-c0
		if p.Optimal {
			optimal++
		}
	}
	slices.Sort(wall)
	slices.Sort(cpu)
	return wall, cpu, optimal
}

func quantile(d []time.Duration, q float64) time.Duration {
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

// reportLatencies reports p50/p99/max of wall and CPU time, and the share
// of plans proven optimal.
func reportLatencies(b *testing.B, wall, cpu []time.Duration, optimal int) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(quantile(wall, 0.5)), "p50-ms")
	b.ReportMetric(ms(quantile(wall, 0.99)), "p99-ms")
	b.ReportMetric(ms(wall[len(wall)-1]), "max-ms")
	b.ReportMetric(ms(quantile(cpu, 0.5)), "p50-cpu-ms")
	b.ReportMetric(ms(quantile(cpu, 0.99)), "p99-cpu-ms")
	b.ReportMetric(float64(optimal)/float64(len(wall))*100, "%optimal")
}

// BenchmarkOptimize150Distribution measures the latency distribution over
// 200 random heavy attendees (one pass per iteration) and reports p50/p99.
func BenchmarkOptimize150Distribution(b *testing.B) {
	w := demoW(b)
	rng := rand.New(rand.NewPCG(3, 4))
	pool := make([]attendee, 200)
	for i := range pool {
		pool[i] = heavyAttendee(w, rng)
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
}

// repairAttendee is heavyAttendee with ten reservations among its
// favourites, picked at random so that several collide (overlap, or too
// far apart), and about a tenth of the sittings full: the plan repairs them.
func repairAttendee(w world, rng *rand.Rand) attendee {
	a := heavyAttendee(w, rng)
	for _, wi := range a.wishes[:10] {
		a.fixed = append(a.fixed, planner.Fixed{Kind: planner.KindReservation, SessionID: wi.SessionID, Locked: rng.IntN(5) == 0})
	}
	return a
}

// BenchmarkOptimizeRepairsDistribution is BenchmarkOptimize150Distribution
// for attendees whose reservations collide and must be repaired.
func BenchmarkOptimizeRepairsDistribution(b *testing.B) {
	w := demoW(b)
	rng := rand.New(rand.NewPCG(9, 10))
	pool := make([]attendee, 200)
	for i := range pool {
		pool[i] = repairAttendee(w, rng)
	}
	opt := planner.DefaultOptions()
	opt.TimeLimit = 10 * time.Second
	opt.NoSeats = map[string]bool{}
	for _, s := range w.snap.Conf.Sessions {
		if rng.IntN(10) == 0 {
			opt.NoSeats[s.ID] = true
		}
	}
	repairs := 0
	var wall, cpu []time.Duration
	optimal := 0
	b.ResetTimer()
	for b.Loop() {
		wall, cpu, optimal = latencies(b, w, pool, opt)
	}
	b.StopTimer()
	for _, a := range pool {
		repairs += len(plan(b, w, a, opt).Repairs)
	}
	reportLatencies(b, wall, cpu, optimal)
	b.ReportMetric(float64(repairs)/float64(len(pool)), "repairs/attendee")
}

// BenchmarkReplanAll re-plans 60,000 generated attendees with a worker pool
// of GOMAXPROCS and reports the wall time for all of them. Every attendee is
// planned (no sampling).
func BenchmarkReplanAll(b *testing.B) {
	w := demoW(b)
	const n = 60000
	zp := newZipfPopulation(w, rand.New(rand.NewPCG(5, 6)))
	attendees := make([]attendee, n)
	for i := range attendees {
		attendees[i] = zp.attendee(rand.New(rand.NewPCG(uint64(i), 99)))
	}
	opt := planner.DefaultOptions()
	var elapsed time.Duration
	var notOptimal int
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		notOptimal = replanAll(b, w, attendees, opt)
		elapsed = time.Since(t0)
	}
	b.ReportMetric(elapsed.Seconds(), "s/60k")
	b.ReportMetric(float64(notOptimal), "not-optimal")
}

func replanAll(tb testing.TB, w world, attendees []attendee, opt planner.Options) int {
	jobs := make(chan int, 1024)
	var wg sync.WaitGroup
	var mu sync.Mutex
	notOptimal := 0
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			local := 0
			for i := range jobs {
				p, err := planner.Optimize(w.snap, w.tm, attendees[i].wishes, attendees[i].fixed, attendees[i].reserved, opt)
				if err != nil {
					tb.Error(err)
					return
				}
				if !p.Optimal {
					local++
				}
			}
			mu.Lock()
			notOptimal += local
			mu.Unlock()
		})
	}
	for i := range attendees {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return notOptimal
}

// BenchmarkOptimumVsGreedy reports the value of the optimum against greedy
// over 1,000 generated attendees: the mean ratio and the worst (smallest
// greedy/optimum).
func BenchmarkOptimumVsGreedy(b *testing.B) {
	w := demoW(b)
	zp := newZipfPopulation(w, rand.New(rand.NewPCG(7, 8)))
	opt := planner.DefaultOptions()
	var mean, worst, better float64
	for b.Loop() {
		var ratios []float64
		better = 0
		for i := range 1000 {
			a := zp.attendee(rand.New(rand.NewPCG(uint64(i), 1234)))
			p := plan(b, w, a, opt)
			if p.Value == 0 {
				continue
			}
			ratios = append(ratios, p.Value/p.GreedyValue)
			if p.Value > p.GreedyValue {
				better++
			}
		}
		sort.Float64s(ratios)
		mean = 0
		for _, r := range ratios {
			mean += r
		}
		mean /= float64(len(ratios))
		worst = ratios[len(ratios)-1]
	}
	b.ReportMetric(mean, "mean-opt/greedy")
	b.ReportMetric(worst, "max-opt/greedy")
	b.ReportMetric(better/10, "%better")
}

// BenchmarkOptimizeTypical plans one generated attendee (10–60 favourites,
// Zipf popularity) per iteration: the unit of BenchmarkReplanAll.
func BenchmarkOptimizeTypical(b *testing.B) {
	w := demoW(b)
	zp := newZipfPopulation(w, rand.New(rand.NewPCG(5, 6)))
	pool := make([]attendee, 500)
	for i := range pool {
		pool[i] = zp.attendee(rand.New(rand.NewPCG(uint64(i), 99)))
	}
	opt := planner.DefaultOptions()
	for i := 0; b.Loop(); i++ {
		plan(b, w, pool[i%len(pool)], opt)
	}
}
