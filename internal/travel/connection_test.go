package travel_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/errcode"
	"venuehop/internal/travel"
)

func TestConnect(t *testing.T) {
	m, snap := demoModel(t)
	venetian := roomsOf(snap, demo.VenueVenetian)[0]
	mandalay := roomsOf(snap, demo.VenueMandalayBay)[0]
	forum := roomsOf(snap, demo.VenueCaesarsForum)[0]
	tests := []struct {
		name              string
		from, to          string
		end, start        time.Time
		tight, impossible bool
	}{
		{"same room back to back", venetian, venetian, at(snap, 0, 10, 0), at(snap, 0, 10, 0), true, false},
		{"an hour to cross the Strip", venetian, mandalay, at(snap, 0, 14, 0), at(snap, 0, 15, 30), false, false},
		{"ten minutes to cross the Strip", venetian, mandalay, at(snap, 0, 14, 0), at(snap, 0, 14, 10), true, true},
		{"overlapping sittings", forum, venetian, at(snap, 0, 14, 0), at(snap, 0, 13, 30), true, true},
		{"just enough", venetian, forum, at(snap, 0, 14, 0), at(snap, 0, 14, 0).Add(40 * time.Minute), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := m.Connect(tt.from, tt.to, tt.end, tt.start)
			if err != nil {
				t.Fatal(err)
			}
			if c.Tight != tt.tight || c.Impossible != tt.impossible {
				t.Fatalf("tight %v impossible %v (slack %d, trip %d min); want %v %v", c.Tight, c.Impossible, c.Slack, c.Trip.Minutes, tt.tight, tt.impossible)
			}
			if got := int(tt.start.Sub(c.Trip.Arrive) / time.Minute); got != c.Slack {
				t.Fatalf("slack %d, start - arrival = %d", c.Slack, got)
			}
			if c.LeaveBy.Before(tt.end) {
				t.Fatalf("leave by %s, before the end %s", c.LeaveBy, tt.end)
			}
			if c.Impossible {
				if !c.LeaveBy.Equal(tt.end) {
					t.Fatalf("impossible, yet leave by %s", c.LeaveBy)
				}
				return
			}
			// LeaveBy is the latest departure on time: a minute later is late
			// (unless it is the start itself).
			on, err := m.Leg(tt.from, tt.to, c.LeaveBy)
			if err != nil {
				t.Fatal(err)
			}
			if on.Arrive.After(tt.start) {
				t.Fatalf("leaving by %s arrives %s, after the start %s", c.LeaveBy, on.Arrive, tt.start)
			}
			if late := c.LeaveBy.Add(time.Minute); !late.After(tt.start) {
				trip, _ := m.Leg(tt.from, tt.to, late)
				if !trip.Arrive.After(tt.start) {
					t.Fatalf("leaving at %s still arrives by %s: LeaveBy %s is not the latest", late, trip.Arrive, c.LeaveBy)
				}
			}
		})
	}
	if _, err := m.Connect("nowhere", venetian, at(snap, 0, 10, 0), at(snap, 0, 11, 0)); err == nil {
		t.Error("Connect from an unknown room: no error")
	}
}

func BenchmarkConnect(b *testing.B) {
	m, snap := demoModel(b)
	from := roomsOf(snap, demo.VenueVenetian)[3]
	to := roomsOf(snap, demo.VenueMGMGrand)[2]
	end, start := at(snap, 1, 11, 0), at(snap, 1, 13, 0)
	for b.Loop() {
		if _, err := m.Connect(from, to, end, start); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseSessionIDs(t *testing.T) {
	var fifty []string
	for i := range travel.MaxRouteSessions {
		fifty = append(fifty, fmt.Sprint("s", i))
	}
	many := strings.Join(fifty, ",")
	tests := []struct {
		list string
		want []string // nil: an error
	}{
		{"a", []string{"a"}},
		{" a , b ", []string{"a", "b"}},
		{many, fifty},
		{"", nil},
		{" ", nil},
		{"a,,b", nil},
		{"a,", nil},
		{"a,b,a", nil},
		{many + ",y", nil},
	}
	for _, tt := range tests {
		got, err := travel.ParseSessionIDs(tt.list)
		if tt.want == nil {
			if !errcode.Is(err, errcode.Invalid) {
				t.Errorf("%q: %v, %v; want invalid", tt.list, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%q: %v, %v; want %v", tt.list, got, err, tt.want)
		}
	}
}

func TestRoute(t *testing.T) {
	m, snap := demoModel(t)
	// Three sittings: two on Monday (listed out of order), one on Tuesday.
	var mon []string
	var tue string
	for _, s := range snap.Conf.Sessions {
		switch d := snap.Day(s.Start); {
		case d == snap.Conf.Days[0] && len(mon) < 2 && !s.Cancelled && (len(mon) == 0 || s.Start.After(mustSession(t, snap, mon[0]).End)):
			mon = append(mon, s.ID)
		case d == snap.Conf.Days[1] && tue == "":
			tue = s.ID
		}
	}
	r, err := m.Route([]string{tue, mon[1], mon[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sessions) != 3 || r.Sessions[0].ID != mon[0] || r.Sessions[1].ID != mon[1] || r.Sessions[2].ID != tue {
		t.Fatalf("order %v", r.Sessions)
	}
	if len(r.Legs) != 1 || r.Legs[0].From != 0 || r.Legs[0].To != 1 {
		t.Fatalf("legs %+v: want one, on Monday", r.Legs)
	}
	if _, err := m.Route([]string{mon[0], "nope"}); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("unknown session: %v", err)
	}
}

func mustSession(t *testing.T, snap *conference.Snapshot, id string) *conference.Session {
	s, ok := snap.Session(id)
	if !ok {
		t.Fatal(id)
	}
	return s
}
