package planner_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/planner"
)

func optimize(t *testing.T, w world, wishes []planner.Wish, fixed []planner.Fixed, reserved map[string]bool, opt planner.Options) planner.Plan {
	t.Helper()
	p, err := planner.Optimize(w.snap, w.tm, wishes, fixed, reserved, opt)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func chosen(p planner.Plan) []string {
	var out []string
	for _, it := range p.Items {
		if !it.Fixed {
			out = append(out, it.SessionID)
		}
	}
	slices.Sort(out)
	return out
}

func noLunch() planner.Options {
	opt := planner.DefaultOptions()
	opt.Lunch = false
	return opt
}

// The trap: A_k (must) can be seen on day 1 or day 2; B_k (must) only on
// day 1, at the same time as A_k's first sitting. Greedy takes A_k at its
// earliest sitting and loses every B_k; the optimum moves A_k to day 2.
func TestOptimizeBeatsGreedyOnTrap(t *testing.T) {
	for n := 1; n <= 4; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c := smallCampus()
			var wishes []planner.Wish
			for k := range n {
				at := fmt.Sprintf("%02d:00", 8+2*k)
				session(c, fmt.Sprintf("A%d-1", k), fmt.Sprintf("A%d", k), "a1", day1, at, 60)
				session(c, fmt.Sprintf("A%d-2", k), fmt.Sprintf("A%d", k), "a1", day2, at, 60)
				session(c, fmt.Sprintf("B%d", k), "", "a2", day1, at, 60)
				wishes = append(wishes, planner.Wish{SessionID: fmt.Sprintf("A%d-1", k), Priority: planner.Must},
					planner.Wish{SessionID: fmt.Sprintf("B%d", k), Priority: planner.Must})
			}
			w := compile(t, c)
			opt := noLunch()
			greedy, err := planner.Greedy(w.snap, w.tm, wishes, nil, nil, opt)
			if err != nil {
				t.Fatal(err)
			}
			best := optimize(t, w, wishes, nil, nil, opt)
			if greedy.Value != float64(100*n) || best.Value != float64(200*n) || !best.Optimal {
				t.Fatalf("greedy %v, optimum %v (optimal %v); want %d and %d", greedy.Value, best.Value, best.Optimal, 100*n, 200*n)
			}
			if len(best.Dropped) != 0 {
				t.Errorf("optimum drops %+v", best.Dropped)
			}
			// Greedy's explanations name the sitting that took the slot.
			for k, d := range greedy.Dropped {
				if d.SessionID != fmt.Sprintf("B%d", k) || d.Reason != planner.ReasonBeaten || d.Blocker != fmt.Sprintf("A%d-1", k) {
					t.Errorf("greedy dropped %+v, want B%d beaten by A%d-1", d, k, k)
				}
			}
		})
	}
}

// Off-peak the shuttle from B to C takes 17 minutes; in the 16:00–18:00 peak
// it takes 33. The same pair of sittings that works at 10:00 fails at
// 16:00, and the optimizer takes Q's later sitting instead.
func TestTimeDependentTravel(t *testing.T) {
	c := smallCampus()
	session(c, "X", "", "b1", day1, "10:00", 60)
	session(c, "Y", "", "c1", day1, "11:25", 60)
	session(c, "P", "", "b1", day1, "16:00", 60)
	session(c, "Q1", "Q", "c1", day1, "17:25", 60)
	session(c, "Q2", "Q", "c1", day1, "18:50", 60)
	w := compile(t, c)
	opt := noLunch()
	opt.WalkupMarginMinutes = 0

	offPeak := analyze(t, w, opt, planner.Item{Kind: planner.KindSession, SessionID: "X"}, planner.Item{Kind: planner.KindSession, SessionID: "Y"})
	peak := analyze(t, w, opt, planner.Item{Kind: planner.KindSession, SessionID: "P"}, planner.Item{Kind: planner.KindSession, SessionID: "Q1"})
	if l := offPeak.Days[0].Legs[0]; l.Status != planner.StatusOK || l.Mode != "shuttle" || l.SlackMinutes < opt.BufferMinutes {
		t.Fatalf("off-peak leg %+v, want ok by shuttle with slack ≥ buffer", l)
	}
	if l := peak.Days[0].Legs[0]; l.Status != planner.StatusImpossible {
		t.Fatalf("peak leg %+v, want impossible", l)
	}

	wishes := []planner.Wish{{SessionID: "X", Priority: planner.Must}, {SessionID: "Y", Priority: planner.Must},
		{SessionID: "P", Priority: planner.Must}, {SessionID: "Q1", Priority: planner.Must}}
	p := optimize(t, w, wishes, nil, nil, opt)
	if got := chosen(p); !slices.Equal(got, []string{"P", "Q2", "X", "Y"}) {
		t.Fatalf("chose %v, want P, Q2 (routing around the peak), X, Y", got)
	}

	// Without the shuttle, B → C is a 45-minute walk: Y no longer fits.
	opt.AvoidShuttle = true
	p = optimize(t, w, wishes, nil, nil, opt)
	if got := chosen(p); !slices.Equal(got, []string{"P", "Q2", "X"}) {
		t.Fatalf("avoiding the shuttle chose %v, want P, Q2, X", got)
	}
	if len(p.Dropped) != 1 || p.Dropped[0].SessionID != "Y" || p.Dropped[0].Reason != planner.ReasonUnreachable || p.Dropped[0].Blocker != "X" {
		t.Errorf("dropped %+v, want Y unreachable from X", p.Dropped)
	}
}

func analyze(t *testing.T, w world, opt planner.Options, items ...planner.Item) planner.Agenda {
	t.Helper()
	ag, err := planner.Analyze(w.snap, w.tm, items, opt)
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

func TestAnalyzeStatuses(t *testing.T) {
	c := smallCampus()
	session(c, "S1", "", "a1", day1, "10:00", 60)
	session(c, "S2", "", "a1", day1, "11:02", 58) // same room, 2 minutes of slack: tight
	session(c, "S3", "", "c1", day1, "12:05", 30) // C is 27 minutes away: impossible
	// S4 in b1 starts 5 minutes after the attendee can arrive from c1:
	// inside the 10-minute release lead, so the reserved seat is lost.
	probe := compile(t, smallCampus())
	trip, err := probe.tm.Leg("c1", "b1", probe.at(day1, "12:35"))
	if err != nil {
		t.Fatal(err)
	}
	s4 := session(c, "S4", "", "b1", day1, trip.Arrive.Add(5*time.Minute).In(probe.snap.Loc).Format("15:04"), 30)
	session(c, "S5", "", "a3", day1, "15:00", 30) // far from S4: ok
	w := compile(t, c)
	opt := planner.DefaultOptions()
	block := planner.Item{Kind: planner.KindBlock, Title: "Call", Start: w.at(day2, "09:00"), End: w.at(day2, "10:00")}
	ag := analyze(t, w, opt,
		planner.Item{Kind: planner.KindSession, SessionID: "S5"}, // any order
		planner.Item{Kind: planner.KindSession, SessionID: "S1"},
		planner.Item{Kind: planner.KindSession, SessionID: "S2"},
		planner.Item{Kind: planner.KindSession, SessionID: "S3"},
		planner.Item{Kind: planner.KindReservation, SessionID: "S4"},
		block)
	if len(ag.Days) != 2 {
		t.Fatalf("%d days, want 2", len(ag.Days))
	}
	d := ag.Days[0]
	var statuses []string
	for _, l := range d.Legs {
		statuses = append(statuses, l.Status)
	}
	want := []string{planner.StatusTight, planner.StatusImpossible, planner.StatusSeatLost, planner.StatusOK}
	if !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v (legs %+v)", statuses, want, d.Legs)
	}
	if d.Legs[0].SlackMinutes != 2 || d.Legs[0].Mode != "inside" {
		t.Errorf("tight leg %+v", d.Legs[0])
	}
	if !d.Items[3].Reserved || d.Items[3].SessionID != s4.ID {
		t.Errorf("item 3 %+v, want the reserved S4", d.Items[3])
	}
	if d.ShuttleRides < 2 || d.WalkMeters <= 0 {
		t.Errorf("day walks %d m with %d shuttle rides; want walking and two rides (a→c, c→b)", d.WalkMeters, d.ShuttleRides)
	}
	// 11:00–13:00: S2 until 12:00, S3 12:05–12:35: no 30 free minutes at a
	// venue serving lunch (C serves none).
	if d.Lunch {
		t.Errorf("day 1 has a lunch break; want none")
	}
	if !ag.Days[1].Lunch || len(ag.Days[1].Legs) != 0 {
		t.Errorf("day 2 (one block) %+v, want lunch and no legs", ag.Days[1])
	}
}

func TestLunchBreakIsKept(t *testing.T) {
	c := smallCampus()
	session(c, "L1", "", "a1", day1, "11:00", 60)
	session(c, "L2", "", "a1", day1, "12:00", 60)
	session(c, "L3", "", "a1", day1, "12:15", 45) // leaves 11:00–11:45 free at... no: L1 is 11–12
	w := compile(t, c)
	wishes := []planner.Wish{{SessionID: "L1", Priority: planner.Must}, {SessionID: "L2", Priority: planner.Want}}
	opt := planner.DefaultOptions()
	opt.BufferMinutes, opt.WalkupMarginMinutes = 0, 0
	p := optimize(t, w, wishes, nil, nil, opt)
	if got := chosen(p); !slices.Equal(got, []string{"L1"}) {
		t.Fatalf("with lunch chose %v, want L1 only", got)
	}
	if len(p.Dropped) != 1 || p.Dropped[0].Reason != planner.ReasonLunch {
		t.Errorf("dropped %+v, want L2 for the lunch break", p.Dropped)
	}
	opt.Lunch = false
	if got := chosen(optimize(t, w, wishes, nil, nil, opt)); !slices.Equal(got, []string{"L1", "L2"}) {
		t.Fatalf("without lunch chose %v, want L1, L2", got)
	}
}

// After a room change the old plan breaks; the re-plan moves to another
// sitting and Diff says so.
func TestReplanAfterRoomChange(t *testing.T) {
	build := func(rRoom string) world {
		c := smallCampus()
		session(c, "R1", "R", rRoom, day1, "10:00", 60)
		session(c, "R2", "R", "a1", day2, "10:00", 60)
		session(c, "S", "", "a2", day1, "11:15", 45)
		return compile(t, c)
	}
	wishes := []planner.Wish{{SessionID: "R1", Priority: planner.Must}, {SessionID: "S", Priority: planner.Want}}
	opt := noLunch()
	opt.WalkupMarginMinutes = 0
	before := build("a1")
	old := optimize(t, before, wishes, nil, nil, opt)
	if got := chosen(old); !slices.Equal(got, []string{"R1", "S"}) {
		t.Fatalf("before: %v", got)
	}
	after := build("c1") // the organizers move R1 across the campus
	if ag := analyze(t, after, opt, items(old)...); ag.Days[0].Legs[0].Status != planner.StatusImpossible {
		t.Fatalf("old plan after the move: %+v, want an impossible leg", ag.Days[0].Legs[0])
	}
	// The old plan's items carry the old room; re-read them from the
	// conference as the store would.
	re := optimize(t, after, wishes, nil, nil, opt)
	if got := chosen(re); !slices.Equal(got, []string{"R2", "S"}) {
		t.Fatalf("re-plan: %v, want R2, S", got)
	}
	d := planner.Diff(old, re)
	if len(d.Moved) != 1 || d.Moved[0].From.SessionID != "R1" || d.Moved[0].To.SessionID != "R2" || d.Moved[0].Change != "sitting" ||
		len(d.Added) != 0 || len(d.Removed) != 0 || d.Unchanged != 1 {
		t.Fatalf("diff %+v", d)
	}
	// The same sitting in another room is a "room" move.
	moved := old
	moved.Items = slices.Clone(old.Items)
	moved.Items[0].RoomID = "c1"
	if d := planner.Diff(old, moved); len(d.Moved) != 1 || d.Moved[0].Change != "room" {
		t.Fatalf("room diff %+v", d)
	}
	if d := planner.Diff(old, old); !d.Empty() || d.Unchanged != 2 {
		t.Fatalf("self diff %+v", d)
	}
}

func items(p planner.Plan) []planner.Item {
	out := make([]planner.Item, len(p.Items))
	for i, it := range p.Items {
		out[i] = planner.Item{Kind: it.Kind, SessionID: it.SessionID, Title: it.Title, Reserved: it.Reserved}
		if it.SessionID == "" {
			out[i] = it.Item
		}
	}
	return out
}

func TestExplanationsNameTheBlocker(t *testing.T) {
	c := smallCampus()
	session(c, "H", "", "a1", day1, "10:00", 60)  // must
	session(c, "L", "", "a2", day1, "10:00", 60)  // maybe: beaten by H
	session(c, "U", "", "c1", day1, "11:05", 30)  // maybe: C is 27 min from a1
	session(c, "F", "", "a3", day1, "14:30", 30)  // must: only sitting inside the block
	session(c, "K1", "", "a1", day1, "16:00", 45) // maybe
	session(c, "M", "", "a2", day1, "16:30", 60)  // want: overlaps K1 and K2, worth less than both
	session(c, "K2", "", "a1", day1, "17:15", 45) // maybe
	session(c, "O", "", "c2", day1, "18:30", 30)  // want: avoided venue
	session(c, "D", "", "a1", day2, "10:00", 60)  // want: day not selected
	w := compile(t, c)
	opt := noLunch()
	opt.WalkupMarginMinutes = 0
	opt.Weights = map[string]float64{planner.Maybe: 20}
	opt.AvoidVenues = []string{"c"}
	opt.Days = []string{day1}
	wishes := []planner.Wish{
		{SessionID: "H", Priority: planner.Must}, {SessionID: "L", Priority: planner.Maybe},
		{SessionID: "F", Priority: planner.Must}, {SessionID: "K1", Priority: planner.Maybe},
		{SessionID: "M", Priority: planner.Want}, {SessionID: "K2", Priority: planner.Maybe},
		{SessionID: "O", Priority: planner.Want}, {SessionID: "D", Priority: planner.Want},
	}
	block := planner.Fixed{Kind: planner.KindBlock, Title: "Team sync", Start: w.at(day1, "14:00"), End: w.at(day1, "15:00"), VenueID: "a"}
	p := optimize(t, w, wishes, []planner.Fixed{block}, nil, opt)
	want := map[string][2]string{
		"L": {planner.ReasonBeaten, "H"},
		"F": {planner.ReasonFixed, "Team sync"},
		"M": {planner.ReasonOverlaps, "K1"},
		"O": {planner.ReasonOption, ""},
		"D": {planner.ReasonOption, ""},
	}
	got := map[string][2]string{}
	for _, d := range p.Dropped {
		got[d.SessionID] = [2]string{d.Reason, d.Blocker}
		if d.Message == "" {
			t.Errorf("%s: no message", d.SessionID)
		}
	}
	for id, r := range want {
		if got[id] != r {
			t.Errorf("%s: got %v, want %v", id, got[id], r)
		}
	}
	for _, d := range p.Dropped {
		switch d.SessionID {
		case "F":
			if !strings.Contains(d.Message, "only sitting") {
				t.Errorf("F: %q", d.Message)
			}
		case "O":
			if !strings.Contains(d.Message, "you avoid C") {
				t.Errorf("O: %q", d.Message)
			}
		case "D":
			if !strings.Contains(d.Message, "not one of your days") {
				t.Errorf("D: %q", d.Message)
			}
		}
	}

	// Unreachable: U without the avoided venue.
	opt.AvoidVenues = nil
	p = optimize(t, w, []planner.Wish{{SessionID: "H", Priority: planner.Must}, {SessionID: "U", Priority: planner.Maybe}}, nil, nil, opt)
	if len(p.Dropped) != 1 || p.Dropped[0].Reason != planner.ReasonUnreachable || p.Dropped[0].Blocker != "H" ||
		!strings.Contains(p.Dropped[0].Message, "cannot reach it from") {
		t.Fatalf("dropped %+v, want U unreachable from H", p.Dropped)
	}
}

// A block without a place happens where the attendee is: after a session
// in A, the attendee is still in A when the call ends.
func TestBlockWithoutPlaceKeepsTheAttendeeWhereTheyAre(t *testing.T) {
	c := smallCampus()
	session(c, "A", "", "a1", day1, "10:00", 55)
	session(c, "C", "", "c1", day1, "11:35", 30)
	w := compile(t, c)
	opt := noLunch()
	opt.WalkupMarginMinutes = 0
	call := planner.Fixed{Kind: planner.KindBlock, Title: "Call", Start: w.at(day1, "11:00"), End: w.at(day1, "11:30")}
	wishes := []planner.Wish{{SessionID: "A", Priority: planner.Must}, {SessionID: "C", Priority: planner.Want}}
	p := optimize(t, w, wishes, []planner.Fixed{call}, nil, opt)
	if got := chosen(p); !slices.Equal(got, []string{"A"}) {
		t.Fatalf("chose %v, want only A (C is 27 minutes from A, the call ends at 11:30)", got)
	}
	if len(p.Dropped) != 1 || p.Dropped[0].Blocker != "Call" || p.Dropped[0].Reason != planner.ReasonUnreachable {
		t.Errorf("dropped %+v, want C unreachable after the call", p.Dropped)
	}
	// Without A, the call may be taken anywhere, C included.
	p = optimize(t, w, wishes[1:], []planner.Fixed{call}, nil, opt)
	if got := chosen(p); !slices.Equal(got, []string{"C"}) {
		t.Fatalf("chose %v, want C", got)
	}
}

func TestSwapReservation(t *testing.T) {
	c := smallCampus()
	session(c, "G1", "G", "a1", day1, "10:00", 60)
	session(c, "G2", "G", "a1", day2, "10:00", 60)
	session(c, "W", "", "a2", day1, "10:00", 60)
	w := compile(t, c)
	fixed := []planner.Fixed{{Kind: planner.KindReservation, SessionID: "G1"}}
	wishes := []planner.Wish{{SessionID: "W", Priority: planner.Must}}
	opt := noLunch()
	p := optimize(t, w, wishes, fixed, nil, opt)
	if len(p.Dropped) != 1 || p.Dropped[0].Reason != planner.ReasonFixed || p.Dropped[0].Blocker != "G1" ||
		!strings.Contains(p.Dropped[0].Message, "only sitting") {
		t.Fatalf("without swaps dropped %+v, want W blocked by the reservation G1", p.Dropped)
	}
	opt.AllowSwapReservations = true
	p = optimize(t, w, wishes, fixed, nil, opt)
	if len(p.Swaps) != 1 || p.Swaps[0] != (planner.Swap{From: "G1", To: "G2"}) || p.Value != 100 {
		t.Fatalf("swaps %+v value %v, want G1 → G2 and value 100", p.Swaps, p.Value)
	}
	for _, it := range p.Items {
		if it.SessionID == "G2" && (it.SwappedFrom != "G1" || !it.NeedsReservation) {
			t.Errorf("G2 item %+v, want swapped from G1 and needing a reservation", it)
		}
		if it.SessionID == "W" && !it.NeedsReservation {
			t.Errorf("W needs a reservation")
		}
	}
}

func TestBackupsAndReservationMarks(t *testing.T) {
	c := smallCampus()
	session(c, "B1", "B", "a1", day1, "10:00", 60)
	session(c, "B2", "B", "b1", day2, "10:00", 60)
	session(c, "B3", "B", "a1", day2, "14:00", 60)
	session(c, "N", "", "a2", day2, "14:00", 60).Reservable = false
	w := compile(t, c)
	wishes := []planner.Wish{{SessionID: "B2", Priority: planner.Must}, {SessionID: "N", Priority: planner.Maybe}}
	p := optimize(t, w, wishes, nil, map[string]bool{"B1": true}, noLunch())
	byID := map[string]planner.PlanItem{}
	for _, it := range p.Items {
		byID[it.SessionID] = it
	}
	// B1 is held: no walk-up margin, no reservation needed; its backup is
	// the earliest other sitting that fits (B2; B3 clashes with N).
	b1, ok := byID["B1"]
	if !ok || b1.NeedsReservation || b1.Kind != planner.KindReservation || b1.Backup != "B2" {
		t.Fatalf("B1 %+v, want the held sitting with backup B2", b1)
	}
	if n := byID["N"]; n.NeedsReservation {
		t.Errorf("N is not reservable: %+v", n)
	}
}

func TestBadInput(t *testing.T) {
	c := smallCampus()
	session(c, "S", "", "a1", day1, "10:00", 60)
	w := compile(t, c)
	mod := func(f func(*planner.Options)) planner.Options {
		o := planner.DefaultOptions()
		f(&o)
		return o
	}
	ok := []planner.Wish{{SessionID: "S", Priority: planner.Must}}
	cases := []struct {
		name   string
		opt    planner.Options
		wishes []planner.Wish
		fixed  []planner.Fixed
		want   string
	}{
		{"negative buffer", mod(func(o *planner.Options) { o.BufferMinutes = -5 }), ok, nil, "bufferMinutes"},
		{"negative walk-up margin", mod(func(o *planner.Options) { o.WalkupMarginMinutes = -1 }), ok, nil, "walkupMarginMinutes"},
		{"negative walking", mod(func(o *planner.Options) { o.MaxWalkMetersPerDay = -1 }), ok, nil, "maxWalkMetersPerDay"},
		{"factor above 1", mod(func(o *planner.Options) { o.RecordedFactor = 1.5 }), ok, nil, "recordedFactor"},
		{"factor below 0", mod(func(o *planner.Options) { o.RecordedFactor = -0.1 }), ok, nil, "recordedFactor"},
		{"day outside", mod(func(o *planner.Options) { o.Days = []string{"2026-12-25"} }), ok, nil, "days"},
		{"unknown venue", mod(func(o *planner.Options) { o.AvoidVenues = []string{"nowhere"} }), ok, nil, "avoidVenues"},
		{"every venue avoided", mod(func(o *planner.Options) { o.AvoidVenues = []string{"a", "b", "c"} }), ok, nil, "avoidVenues"},
		{"priorities upside down", mod(func(o *planner.Options) { o.Weights = map[string]float64{"maybe": 200} }), ok, nil, "weights"},
		{"unknown priority weight", mod(func(o *planner.Options) { o.Weights = map[string]float64{"never": 1} }), ok, nil, "weights"},
		{"unknown session", planner.DefaultOptions(), []planner.Wish{{SessionID: "nope", Priority: planner.Must}}, nil, "unknown session"},
		{"bad priority", planner.DefaultOptions(), []planner.Wish{{SessionID: "S", Priority: "urgent"}}, nil, "priority"},
		{"block ends before it starts", planner.DefaultOptions(), ok,
			[]planner.Fixed{{Kind: planner.KindBlock, Title: "x", Start: w.at(day1, "10:00"), End: w.at(day1, "09:00")}}, "ends before"},
		{"unknown room", planner.DefaultOptions(), ok,
			[]planner.Fixed{{Kind: planner.KindBlock, Title: "x", Start: w.at(day1, "10:00"), End: w.at(day1, "11:00"), RoomID: "zz"}}, "unknown room"},
		{"unknown kind", planner.DefaultOptions(), ok,
			[]planner.Fixed{{Kind: "party", Title: "x", Start: w.at(day1, "10:00"), End: w.at(day1, "11:00")}}, "unknown kind"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := planner.Optimize(w.snap, w.tm, tc.wishes, tc.fixed, nil, tc.opt)
			if !errcode.Is(err, errcode.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an invalid error naming %q", err, tc.want)
			}
		})
	}
	if _, err := planner.Analyze(w.snap, w.tm, []planner.Item{{Kind: planner.KindSession, SessionID: "nope"}}, planner.DefaultOptions()); !errcode.Is(err, errcode.Invalid) {
		t.Errorf("Analyze of an unknown session: %v", err)
	}
}

func TestOptionsJSONNames(t *testing.T) {
	b, err := json.Marshal(planner.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"bufferMinutes", "walkupMarginMinutes", "lunch", "recordedFactor", "releaseLeadMinutes"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %s in %s", k, b)
		}
	}
	opt := planner.DefaultOptions()
	in := `{"bufferMinutes":10,"maxWalkMetersPerDay":3000,"avoidShuttle":true,"avoidVenues":["a"],"days":["2026-12-01"],"weights":{"must":50},"allowSwapReservations":true}`
	if err := json.Unmarshal([]byte(in), &opt); err != nil {
		t.Fatal(err)
	}
	if opt.BufferMinutes != 10 || opt.WalkupMarginMinutes != 15 || !opt.Lunch || opt.MaxWalkMetersPerDay != 3000 || !opt.AvoidShuttle ||
		opt.AvoidVenues[0] != "a" || opt.Days[0] != day1 || opt.Weight(planner.Must) != 50 || !opt.AllowSwapReservations || opt.RecordedFactor != 0.5 {
		t.Fatalf("decoded %+v", opt)
	}
}

// On the demo: heavy attendees get a proven optimum that the analysis
// accepts, with a lunch break every day.
func TestDemoPlansAreValid(t *testing.T) {
	w := demoW(t)
	rng := rand.New(rand.NewPCG(21, 22))
	opt := planner.DefaultOptions()
	opt.TimeLimit = time.Minute
	for i := range 5 {
		a := heavyAttendee(w, rng)
		if i == 4 { // tougher options on the last one
			opt.AvoidShuttle, opt.MaxWalkMetersPerDay = true, 2500
		}
		p := optimize(t, w, a.wishes, a.fixed, a.reserved, opt)
		if !p.Optimal || p.Value < p.GreedyValue || p.Value <= 0 {
			t.Fatalf("attendee %d: value %v greedy %v optimal %v", i, p.Value, p.GreedyValue, p.Optimal)
		}
		checkPlanAnalyzes(t, w, p, opt)
		checkOncePerContent(t, w, p)
		ag := analyze(t, w, opt, itemsOf(p)...)
		for _, d := range ag.Days {
			if !d.Lunch && len(p.Warnings) == 0 {
				t.Errorf("attendee %d: %s has no lunch break", i, d.Date)
			}
			if opt.MaxWalkMetersPerDay > 0 && d.WalkMeters > opt.MaxWalkMetersPerDay {
				t.Errorf("attendee %d: %s walks %d m", i, d.Date, d.WalkMeters)
			}
		}
		if len(p.Dropped)+len(chosen(p)) != len(a.wishes) {
			t.Errorf("attendee %d: %d dropped + %d chosen ≠ %d wishes", i, len(p.Dropped), len(chosen(p)), len(a.wishes))
		}
	}
}

func itemsOf(p planner.Plan) []planner.Item {
	out := make([]planner.Item, len(p.Items))
	for i, it := range p.Items {
		out[i] = it.Item
	}
	return out
}

func TestTimeLimitGivesBound(t *testing.T) {
	w := demoW(t)
	a := heavyAttendee(w, rand.New(rand.NewPCG(1, 2)))
	opt := planner.DefaultOptions()
	opt.TimeLimit = time.Nanosecond // only the root is explored
	p := optimize(t, w, a.wishes, a.fixed, a.reserved, opt)
	full := optimize(t, w, a.wishes, a.fixed, a.reserved, planner.DefaultOptions())
	if !full.Optimal {
		t.Fatal("the full search is not optimal")
	}
	if p.Optimal && p.Value != full.Value {
		t.Fatalf("cut search claims optimal %v, full %v", p.Value, full.Value)
	}
	if p.Bound < full.Value || p.Value > full.Value {
		t.Fatalf("cut search value %v bound %v, optimum %v", p.Value, p.Bound, full.Value)
	}
}

func TestNext(t *testing.T) {
	w := demoW(t)
	var key *conference.Session
	for i := range w.snap.Conf.Sessions {
		if s := &w.snap.Conf.Sessions[i]; s.Type == conference.TypeKeynote && len(s.OverflowRoomIDs) > 0 {
			key = s
			break
		}
	}
	if key == nil {
		t.Fatal("no keynote with overflow rooms in the demo")
	}
	var from string
	for _, r := range w.snap.Conf.Rooms {
		if r.VenueID == "mandalay-bay" {
			from = r.ID
			break
		}
	}
	at := key.Start.Add(-45 * time.Minute)
	wish := w.snap.Conf.Sessions[0]
	for _, s := range w.snap.Conf.Sessions {
		if !s.Start.Before(at) && s.Start.Before(at.Add(time.Hour)) && s.Type != conference.TypeKeynote {
			wish = s
			break
		}
	}
	got, err := planner.Next(w.snap, w.tm, from, at, []planner.Wish{{SessionID: wish.ID, Priority: planner.Want}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("nothing reachable")
	}
	fromIdx, _ := w.tm.RoomIndex(from)
	sawKeynote := false
	for i, r := range got {
		if r.Start.Before(at) || r.Start.After(at.Add(planner.DefaultNextWindow)) {
			t.Errorf("%s starts %v, outside the window", r.SessionID, r.Start)
		}
		if !r.LeaveBy.IsZero() {
			room, _ := w.tm.RoomIndex(r.RoomID)
			lb, start := w.tm.Minute(r.LeaveBy), w.tm.Minute(r.Start)
			if r.LeaveBy.Before(at) || w.tm.ArriveBy(fromIdx, room, lb) > start || w.tm.ArriveBy(fromIdx, room, lb+1) <= start {
				t.Errorf("%s: leave by %v is not the latest departure", r.SessionID, r.LeaveBy)
			}
			if r.Mode == "" {
				t.Errorf("%s: no mode", r.SessionID)
			}
		}
		if i == 0 && r.SessionID != wish.ID {
			t.Errorf("first is %s, want the favourite %s", r.SessionID, wish.ID)
		}
		if i > 1 && got[i-1].Priority == "" && r.Start.Before(got[i-1].Start) {
			t.Errorf("not ordered by start: %s before %s", got[i-1].SessionID, r.SessionID)
		}
		if r.SessionID == key.ID {
			sawKeynote = true
			if r.Overflow == nil || !slices.Contains(key.OverflowRoomIDs, r.Overflow.RoomID) {
				t.Fatalf("keynote overflow %+v", r.Overflow)
			}
			// Nearest: no other overflow room arrives earlier.
			best, _ := w.tm.RoomIndex(r.Overflow.RoomID)
			for _, o := range key.OverflowRoomIDs {
				oi, _ := w.tm.RoomIndex(o)
				if w.tm.ArriveBy(fromIdx, oi, w.tm.Minute(at)) < w.tm.ArriveBy(fromIdx, best, w.tm.Minute(at)) {
					t.Errorf("overflow %s is nearer than %s", o, r.Overflow.RoomID)
				}
			}
		}
	}
	if !sawKeynote {
		t.Errorf("keynote %s not listed", key.ID)
	}
	if _, err := planner.Next(w.snap, w.tm, "nowhere", at, nil, 0); !errcode.Is(err, errcode.Invalid) {
		t.Errorf("unknown place: %v", err)
	}
}
