package planner_test

import (
	"testing"

	"venuehop/internal/planner"
)

// A slower walker's plan: a walk that fits at the usual pace does not at
// twice the time, and the optimizer takes the later sitting instead.
func TestWalkFactorChangesThePlan(t *testing.T) {
	c := smallCampus()
	session(c, "X", "", "a1", day1, "10:00", 60)
	session(c, "Y1", "Y", "b1", day1, "11:25", 60)
	session(c, "Y2", "Y", "b1", day1, "12:30", 60)
	w := compile(t, c)
	opt := noLunch()
	opt.WalkupMarginMinutes = 0
	items := []planner.Item{{Kind: planner.KindSession, SessionID: "X"}, {Kind: planner.KindSession, SessionID: "Y1"}}
	wishes := []planner.Wish{{SessionID: "X", Priority: planner.Must}, {SessionID: "Y1", Priority: planner.Must}}

	usual := analyze(t, w, opt, items...)
	if l := usual.Days[0].Legs[0]; l.Status != planner.StatusOK {
		t.Fatalf("usual pace: leg %+v, want ok", l)
	}
	plan, err := planner.Optimize(w.snap, w.tm, wishes, nil, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !chose(plan, "Y1") {
		t.Errorf("usual pace: plan %v, want the earlier sitting Y1", ids(plan))
	}

	opt.WalkFactor = 2
	slow := analyze(t, w, opt, items...)
	if l := slow.Days[0].Legs[0]; l.Status != planner.StatusImpossible || l.Minutes <= usual.Days[0].Legs[0].Minutes {
		t.Fatalf("twice as slow: leg %+v, want impossible and longer than %d min", l, usual.Days[0].Legs[0].Minutes)
	}
	plan, err = planner.Optimize(w.snap, w.tm, wishes, nil, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !chose(plan, "Y2") || !chose(plan, "X") || !plan.Optimal {
		t.Errorf("twice as slow: plan %v (optimal %v), want X then the later sitting Y2", ids(plan), plan.Optimal)
	}

	opt.WalkFactor = 9
	if _, err := planner.Optimize(w.snap, w.tm, wishes, nil, nil, opt); err == nil {
		t.Error("walkFactor 9 accepted")
	}
}

func chose(p planner.Plan, id string) bool {
	for _, it := range p.Items {
		if it.SessionID == id {
			return true
		}
	}
	return false
}

func ids(p planner.Plan) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.SessionID)
	}
	return out
}
