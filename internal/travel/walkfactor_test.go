package travel_test

import (
	"testing"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/travel"
)

// A slower walker takes longer on foot, never less; rides do not change;
// the variant keeps the FIFO property and is compiled once.
func TestWalkFactor(t *testing.T) {
	base, snap := demoModel(t)
	slow, err := base.WithWalkFactor(1.5)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := base.WithWalkFactor(1.52); again != slow {
		t.Error("1.52 should share the 1.5 variant")
	}
	if back, _ := slow.WithWalkFactor(1); back != base {
		t.Error("factor 1 from a variant should be the base model")
	}
	if same, _ := base.WithWalkFactor(0); same != base {
		t.Error("factor 0 means the model itself")
	}
	for _, bad := range []float64{0.2, 3, -1} {
		if _, err := base.WithWalkFactor(bad); !errcode.Is(err, errcode.Invalid) {
			t.Errorf("factor %v: err %v, want invalid", bad, err)
		}
	}
	rooms := snap.Conf.Rooms
	at := time.Date(2026, 12, 1, 14, 0, 0, 0, snap.Loc) // Tuesday afternoon
	longer := 0
	for i := 0; i < len(rooms); i += 7 {
		for j := 3; j < len(rooms); j += 11 {
			a, err := base.Leg(rooms[i].ID, rooms[j].ID, at)
			if err != nil {
				t.Fatal(err)
			}
			b, err := slow.Leg(rooms[i].ID, rooms[j].ID, at)
			if err != nil {
				t.Fatal(err)
			}
			if b.Minutes < a.Minutes {
				t.Fatalf("%s→%s: the slow walker arrives sooner (%d < %d min)", rooms[i].ID, rooms[j].ID, b.Minutes, a.Minutes)
			}
			if i == j && b.Minutes != 0 {
				t.Errorf("same room: %d min", b.Minutes)
			}
			if b.Minutes > a.Minutes {
				longer++
			}
			if a.Mode == travel.ModeWalk && b.Mode == travel.ModeWalk && b.Minutes < a.Minutes*13/10 {
				t.Errorf("%s→%s on foot: %d min at 1.5× pace vs %d", rooms[i].ID, rooms[j].ID, b.Minutes, a.Minutes)
			}
		}
	}
	if longer == 0 {
		t.Error("no trip got longer for a slower walker")
	}
	// FIFO on the variant: leaving later never arrives earlier.
	from, _ := slow.RoomIndex(rooms[0].ID)
	to, _ := slow.RoomIndex(rooms[len(rooms)-1].ID)
	prev := int32(-1)
	start := slow.Minute(time.Date(2026, 12, 1, 6, 0, 0, 0, snap.Loc))
	for t0 := start; t0 < start+16*60; t0++ {
		arr := slow.ArriveBy(from, to, t0)
		if arr < prev {
			t.Fatalf("leaving at minute %d arrives at %d, earlier than leaving a minute before (%d)", t0, arr, prev)
		}
		prev = arr
	}
}
