package formats

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"venuehop/internal/conference"
)

// Import of each real file must take at most 2 s:
//
//	go test ./internal/formats -run '^$' -bench . -count 5
func benchmarkRead(b *testing.B, rel string, opt ReadOptions) {
	data, err := os.ReadFile(sharedData(b, rel))
	if err != nil {
		b.Fatal(err)
	}
	opt.Name = rel
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Read(bytes.NewReader(data), opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadReInvent2024CSV(b *testing.B) {
	benchmarkRead(b, "reinvent-2024-schedule/all_sessions_filtered.csv", ReadOptions{TimeZone: "America/Los_Angeles"})
}

func BenchmarkReadFOSDEM2025XML(b *testing.B) {
	benchmarkRead(b, "fosdem-schedules/fosdem-2025.xml", ReadOptions{})
}

func BenchmarkReadFOSDEM2026XML(b *testing.B) {
	benchmarkRead(b, "fosdem-schedules/fosdem-2026.xml", ReadOptions{})
}

func BenchmarkReadFOSDEM2023XML(b *testing.B) {
	benchmarkRead(b, "fosdem-schedules/fosdem-2023.xml", ReadOptions{TimeZone: "Europe/Brussels"})
}

func BenchmarkRead38C3XML(b *testing.B) {
	benchmarkRead(b, "ccc-schedules/38c3-schedule.xml", ReadOptions{})
}

func BenchmarkRead33C3JSON(b *testing.B) {
	benchmarkRead(b, "ccc-schedules/33c3-schedule.json", ReadOptions{TimeZone: "Europe/Berlin"})
}

// An attendee's iCalendar feed must take at most 5 ms: 30 sessions of the
// demo over the week, each with a travel leg and a reserved seat.
func BenchmarkICalAgenda(b *testing.B) {
	c := demoConference(b)
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var agenda []ICalEvent
	prev := ""
	for i := 0; i < len(c.Sessions) && len(agenda) < 30; i += len(c.Sessions) / 30 {
		s := &c.Sessions[i]
		if !s.Scheduled() {
			continue
		}
		ev := ICalEvent{SessionID: s.ID, ReleaseAt: s.Start.Add(-10 * time.Minute)}
		if prev != "" {
			ev.Travel = &ICalTravel{Mode: "walk", FromRoomID: prev, Depart: s.Start.Add(-35 * time.Minute), Arrive: s.Start}
		}
		agenda = append(agenda, ev)
		prev = s.RoomID
	}
	opt := ICalOptions{Now: time.Now(), BaseURL: "https://plan.example.org"}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteICal(io.Discard, snap, agenda, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteDemo: building each export of the demo, what a request
// would cost if it were not served from the per-revision cache.
func BenchmarkWriteDemo(b *testing.B) {
	c := demoConference(b)
	for _, f := range []string{FormatCSV, FormatC3voc, FormatFrab, FormatICal} {
		b.Run(f, func(b *testing.B) {
			var n int64
			for b.Loop() {
				var buf bytes.Buffer
				if err := Write(&buf, c, f, WriteOptions{BaseURL: "https://plan.example.org", Now: time.Unix(1e9, 0)}); err != nil {
					b.Fatal(err)
				}
				n = int64(buf.Len())
			}
			b.SetBytes(n)
		})
	}
}
