package conference

import (
	"testing"
	"time"
)

func sample(t *testing.T) *Conference {
	t.Helper()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, la) }
	seven := 7
	return &Conference{
		Format: FormatVersion, ID: "c", Name: "C", TimeZone: "America/Los_Angeles",
		Days:   []string{"2026-11-01", "2026-11-02"}, // the night DST ends
		Venues: []Venue{{ID: "v", Name: "V", Lat: 36, Lon: -115}},
		Rooms:  []Room{{ID: "r", VenueID: "v", Name: "R", Capacity: 100}, {ID: "w", VenueID: "v", Name: "W", Capacity: 40}},
		Sessions: []Session{
			{ID: "b", Title: "B", Type: TypeBreakout, RoomID: "r", Start: at(2, 10, 0), End: at(2, 11, 0), RepeatGroup: "g"},
			{ID: "a", Title: "A", Type: TypeBreakout, RoomID: "r", Start: at(1, 10, 0), End: at(1, 11, 0), RepeatGroup: "g"},
			{ID: "ws", Title: "WS", Type: TypeWorkshop, RoomID: "w", Start: at(1, 9, 0), End: at(1, 11, 0)},
			{ID: "cap", Title: "Cap", Type: TypeChalkTalk, RoomID: "w", Start: at(2, 9, 0), End: at(2, 10, 0), Capacity: &seven},
			{ID: "u", Title: "Unscheduled", Type: TypeChalkTalk},
		},
	}
}

func TestSnapshotIndexes(t *testing.T) {
	s, err := NewSnapshot(sample(t), 3, ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Sittings("g"); len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Errorf("sittings of g not in start order: %v", got)
	}
	if got := s.Sittings("ws"); len(got) != 1 {
		t.Errorf("a content with one sitting is its own group: %v", got)
	}
	tests := []struct {
		id       string
		capacity int
	}{
		{"a", 75},  // talk: 25% walk-up
		{"ws", 36}, // workshop: 10% walk-up
		{"cap", 7}, // organizer override
		{"u", 0},   // no room
	}
	for _, tt := range tests {
		se, ok := s.Session(tt.id)
		if !ok {
			t.Fatalf("no session %s", tt.id)
		}
		if got := s.ReservableCapacity(se); got != tt.capacity {
			t.Errorf("%s: capacity %d, want %d", tt.id, got, tt.capacity)
		}
	}
	b, _ := s.Session("b")
	if d := s.Day(b.Start); d != "2026-11-02" {
		t.Errorf("day %s", d)
	}
	if off := s.Local(b.Start).Format("-07:00"); off != "-08:00" {
		t.Errorf("after DST ends the offset is %s, want -08:00", off)
	}
	a, _ := s.Session("a")
	if off := s.Local(a.Start).Format("-07:00"); off != "-08:00" {
		t.Errorf("offset %s", off)
	}
	if v, ok := s.VenueOfRoom("w"); !ok || v.ID != "v" {
		t.Errorf("venue of w: %v", v)
	}
	if _, ok := s.Session("nope"); ok {
		t.Error("found an unknown session")
	}
}

func TestValidateRejectsWhatIsWrong(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Conference)
		path   string
	}{
		{"unknown room", func(c *Conference) { c.Sessions[0].RoomID = "x" }, "sessions[0].roomId"},
		{"ends before it starts", func(c *Conference) { c.Sessions[0].End = c.Sessions[0].Start.Add(-time.Minute) }, "sessions[0].end"},
		{"two sittings at once", func(c *Conference) { c.Sessions[1].RoomID = "w" }, "sessions[1].start"},
		{"bad level", func(c *Conference) { c.Sessions[2].Level = 250 }, "sessions[2].level"},
		{"duplicate id", func(c *Conference) { c.Sessions[1].ID = "b" }, "sessions[1].id"},
		{"zone", func(c *Conference) { c.TimeZone = "Nowhere" }, "timeZone"},
		{"days out of order", func(c *Conference) { c.Days = []string{"2026-11-02", "2026-11-01"} }, "days[1]"},
		{"outside the days", func(c *Conference) {
			c.Sessions[0].Start = c.Sessions[0].Start.AddDate(0, 0, 5)
			c.Sessions[0].End = c.Sessions[0].End.AddDate(0, 0, 5)
		}, "sessions[0].start"},
		{"negative capacity", func(c *Conference) { c.Rooms[0].Capacity = -1 }, "rooms[0].capacity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sample(t)
			tt.mutate(c)
			probs := Validate(c, ValidateOptions{})
			found := false
			for _, p := range probs {
				found = found || (p.Path == tt.path && !p.Warning)
			}
			if !found {
				t.Errorf("no error at %s: %v", tt.path, probs)
			}
			if _, err := NewSnapshot(c, 1, ValidateOptions{}); err == nil {
				t.Error("NewSnapshot accepted it")
			}
		})
	}
	t.Run("overlap as a warning", func(t *testing.T) {
		c := sample(t)
		c.Sessions[1].RoomID = "w"
		if _, err := NewSnapshot(c, 1, ValidateOptions{RoomOverlapIsWarning: true}); err != nil {
			t.Errorf("overlap not tolerated as a warning: %v", err)
		}
	})
}
