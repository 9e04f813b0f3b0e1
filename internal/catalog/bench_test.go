package catalog

import (
	"fmt"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
)

// demoSnapshot generates the demo conference at a scale (1: ~2,200
// sittings, 10: ~24,000).
func demoSnapshot(b *testing.B, scale int) *conference.Snapshot {
	b.Helper()
	conf, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Scale: scale})
	if err != nil {
		b.Fatal(err)
	}
	snap, err := conference.NewSnapshot(conf, 1, conference.ValidateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return snap
}

// BenchmarkSearch measures the catalog's typical requests. The target is
// text + two filters, typos forgiven: median ≤ 0.2 ms at scale 1, ≤ 2 ms at
// scale 10.
func BenchmarkSearch(b *testing.B) {
	for _, scale := range []int{1, 10} {
		snap := demoSnapshot(b, scale)
		ix := New(snap)
		second := snap.Conf.Days[1]
		breakout := []string{conference.TypeBreakout}
		queries := []struct {
			name string
			q    Query
		}{
			{"text+type+day", Query{Text: "serverless", Types: breakout, Days: []string{second}}},
			{"prefix+type+day", Query{Text: "serv", Types: breakout, Days: []string{second}}},
			{"two-words+type+day", Query{Text: "data arch", Types: breakout, Days: []string{second}}},
			{"typo+type+day", Query{Text: "servreless", Types: breakout, Days: []string{second}}},
			{"two-typos", Query{Text: "obsevability architecure"}},
			{"compound-apart", Query{Text: "post gresql"}},
			{"compound-joined", Query{Text: "keyvalue stores"}},
			{"one-letter", Query{Text: "s"}},
			{"filters-only", Query{Levels: []int{300}, Days: []string{second}}},
			{"everything", Query{}},
		}
		for _, qq := range queries {
			b.Run(fmt.Sprintf("scale=%d/%s", scale, qq.name), func(b *testing.B) {
				b.ReportAllocs()
				var res Result
				for b.Loop() {
					var err error
					if res, err = ix.Search(qq.q); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(res.Total), "matches")
			})
		}
	}
}

// BenchmarkNew measures building the index, part of serve's start-up.
func BenchmarkNew(b *testing.B) {
	for _, scale := range []int{1, 10} {
		snap := demoSnapshot(b, scale)
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			for b.Loop() {
				New(snap)
			}
			b.ReportMetric(float64(len(snap.Conf.Sessions)), "sittings")
		})
	}
}
