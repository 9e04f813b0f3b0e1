package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
)

// benchConference builds a demo-sized conference without the demo package:
// sessions spread over 150 rooms in 4 days, with abstracts, speakers and
// topics of realistic length, so the JSON document is about as big as the
// real one.
func benchConference(sessions int) *conference.Conference {
	la, _ := time.LoadLocation("America/Los_Angeles")
	days := []string{"2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"}
	c := &conference.Conference{
		Format: conference.FormatVersion, ID: "bench", Name: "Bench conference",
		TimeZone: "America/Los_Angeles", Days: days,
	}
	venues := []string{"venetian", "wynn", "forum", "mgm", "mandalay"}
	for i, v := range venues {
		c.Venues = append(c.Venues, conference.Venue{ID: v, Name: strings.ToUpper(v), Address: "Las Vegas Blvd", Lat: 36.1 + float64(i)/100, Lon: -115.17})
	}
	const rooms = 150
	for i := range rooms {
		c.Rooms = append(c.Rooms, conference.Room{
			ID: fmt.Sprintf("room-%03d", i), VenueID: venues[i%len(venues)],
			Level: fmt.Sprintf("Level %d", i%4+1), Name: fmt.Sprintf("Room %03d", i), Capacity: 20 + i*10,
		})
	}
	abstract := strings.Repeat("Learn how teams design, build and operate resilient systems at scale. ", 6)
	topics := []string{"Architecture", "Databases", "Serverless Compute", "Storage", "AI/ML", "Security"}
	slotsPerDay := 10 // one-hour slots from 08:00
	for i := range sessions {
		room := i % rooms
		slot := i / rooms
		day := slot / slotsPerDay % len(days)
		hour := 8 + slot%slotsPerDay
		start := time.Date(2026, time.November, 30+day, hour, 0, 0, 0, la)
		cap := 50
		c.Sessions = append(c.Sessions, conference.Session{
			ID: fmt.Sprintf("S%05d", i), Code: fmt.Sprintf("ARC%03d-R%d", i%1000, i/1000),
			Title:    fmt.Sprintf("Building resilient architectures, part %d", i),
			Abstract: abstract, Type: conference.TypeBreakout, Level: 100 * (i%5 + 1),
			Topics:   []string{topics[i%len(topics)], topics[(i+1)%len(topics)]},
			Speakers: []conference.Speaker{{Name: "Ada Lovelace", Company: "Analytical Engines"}, {Name: "José Núñez"}},
			RoomID:   c.Rooms[room].ID, Start: start, End: start.Add(time.Hour),
			Reservable: i%3 != 0, Recorded: i%2 == 0, RepeatGroup: fmt.Sprintf("G%05d", i/2),
			Capacity: &cap,
		})
	}
	return c
}

func BenchmarkLoadConference(b *testing.B) {
	for _, n := range []int{2200, 3000} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			rev, err := s.SaveConference(ctx, benchConference(n), 0)
			if err != nil {
				b.Fatal(err)
			}
			var size int
			if err := s.read.QueryRow(`SELECT length(body) FROM conference_revisions WHERE rev = ?`, rev).Scan(&size); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				c, _, err := s.LoadConference(ctx)
				if err != nil || len(c.Sessions) != n {
					b.Fatalf("load: %v", err)
				}
			}
			b.ReportMetric(float64(size)/1e6, "MB/doc")
		})
	}
}

// BenchmarkOpenAndLoad is the store's share of a restart with data: open an
// existing database (migrations already applied) and load the conference.
func BenchmarkOpenAndLoad(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.SaveConference(ctx, benchConference(2200), 0); err != nil {
		b.Fatal(err)
	}
	s.Close()
	for b.Loop() {
		s, err := Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.LoadConference(ctx); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkSaveConference(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := benchConference(2200)
	var rev int64
	for b.Loop() {
		if rev, err = s.SaveConference(ctx, c, rev); err != nil {
			b.Fatal(err)
		}
	}
}
