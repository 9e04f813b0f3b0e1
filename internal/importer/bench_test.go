package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"venuehop/internal/live"
	"venuehop/internal/store/sqlite"
)

// sharedFile finds a file of the shared test data (../shared/data beside
// the repository); without it the benchmark is skipped.
func sharedFile(b *testing.B, rel string) []byte {
	b.Helper()
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, "shared", "data", filepath.FromSlash(rel))
		if data, err := os.ReadFile(p); err == nil {
			return data
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			if os.Getenv("VENUEHOP_TEST_STRICT") == "1" {
				b.Fatalf("no shared data file %s", rel)
			}
			b.Skipf("no shared data file %s", rel)
		}
		dir = parent
	}
}

// BenchmarkImportRealFile: a first import of each real schedule through
// the importer (read, check, compare, save) into a fresh SQLite store.
//
//	go test ./internal/importer -run '^$' -bench ImportRealFile -count 6
func BenchmarkImportRealFile(b *testing.B) {
	files := []struct{ rel, zone string }{
		{"reinvent-2024-schedule/all_sessions_filtered.csv", "America/Los_Angeles"},
		{"fosdem-schedules/fosdem-2025.xml", ""},
		{"fosdem-schedules/fosdem-2026.xml", ""},
		{"fosdem-schedules/fosdem-2023.xml", "Europe/Brussels"},
		{"ccc-schedules/38c3-schedule.xml", ""},
		{"ccc-schedules/33c3-schedule.json", "Europe/Berlin"},
		{"c3voc-schema/examples/frab-camp2019.json", ""},
		{"c3voc-schema/examples/pretalx-rc3.json", "Europe/Berlin"},
		{"c3voc-schema/examples/pretalx-democon.json", ""},
		{"c3voc-schema/examples/hub-schedule2.json", ""},
	}
	ctx := context.Background()
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f.rel), filepath.Ext(f.rel))
		b.Run(name, func(b *testing.B) {
			data := sharedFile(b, f.rel)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				b.StopTimer()
				st, err := sqlite.Open(ctx, b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				im := &Importer{Live: &live.Holder{}, Store: st}
				b.StartTimer()
				if _, err := im.Import(ctx, bytes.NewReader(data), Options{TimeZone: f.zone, Name: filepath.Base(f.rel)}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
		})
	}
}
