package formats

import (
	"slices"
	"testing"

	"venuehop/internal/live"
	"venuehop/internal/planner"
)

// After importing each real schedule, the planner and the map work on it:
// the travel model falls back to estimates, an optimal plan is found and
// passes the analysis, and its day's route has one leg between each pair.
func TestRealSchedulesPlanAndMap(t *testing.T) {
	files := []struct {
		rel, zone string
	}{
		{"reinvent-2024-schedule/all_sessions_filtered.csv", "America/Los_Angeles"},
		{"fosdem-schedules/fosdem-2025.xml", ""},
		{"fosdem-schedules/fosdem-2023.xml", "Europe/Brussels"},
		{"ccc-schedules/33c3-schedule.json", "Europe/Berlin"},
	}
	for _, f := range files {
		t.Run(f.rel, func(t *testing.T) {
			c, _, err := readShared(t, f.rel, ReadOptions{TimeZone: f.zone})
			if err != nil {
				t.Fatal(err)
			}
			st, err := live.Build(c, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Travel.Estimate() || st.Travel.Source() == nil {
				t.Error("an imported schedule without a travel model should use the marked estimate")
			}
			// Thirty favourites spread over the schedule, mixed priorities.
			var wishes []planner.Wish
			prios := []string{planner.Must, planner.Want, planner.Maybe}
			step := max(1, len(c.Sessions)/30)
			for i := 0; i < len(c.Sessions) && len(wishes) < 30; i += step {
				if s := c.Sessions[i]; s.Scheduled() && !s.Cancelled {
					wishes = append(wishes, planner.Wish{SessionID: s.ID, Priority: prios[len(wishes)%3]})
				}
			}
			opt := planner.DefaultOptions()
			opt.Lunch = false // not every source serves lunch
			plan, err := planner.Optimize(st.Snap, st.Travel, wishes, nil, nil, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !plan.Optimal || plan.Value <= 0 || len(plan.Items) == 0 {
				t.Fatalf("plan: optimal %v, value %v, %d items", plan.Optimal, plan.Value, len(plan.Items))
			}
			if plan.Value < plan.GreedyValue {
				t.Errorf("optimum %v below greedy %v", plan.Value, plan.GreedyValue)
			}
			items := make([]planner.Item, len(plan.Items))
			byDay := map[string][]string{}
			for i, it := range plan.Items {
				items[i] = it.Item
				byDay[it.Day] = append(byDay[it.Day], it.SessionID)
			}
			agenda, err := planner.Analyze(st.Snap, st.Travel, items, opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range agenda.Days {
				for _, l := range d.Legs {
					if l.Status == "impossible" || l.Status == "seat_lost" {
						t.Errorf("%s: the optimal plan has a %s leg", d.Date, l.Status)
					}
				}
			}
			// The map's route for the fullest day.
			var day []string
			for _, ids := range byDay {
				if len(ids) > len(day) || (len(ids) == len(day) && slices.Compare(ids, day) < 0) {
					day = ids
				}
			}
			route, err := st.Travel.Route(day)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d wishes, plan value %v (greedy %v), %d items; route of %d sessions", len(wishes), plan.Value, plan.GreedyValue, len(plan.Items), len(day))
			if len(day) < 2 {
				t.Errorf("the fullest day of the plan has %d sessions: no leg to draw", len(day))
			}
			if len(route.Legs) != len(day)-1 {
				t.Errorf("route of %d sessions has %d legs", len(day), len(route.Legs))
			}
			for _, l := range route.Legs {
				if l.Impossible {
					t.Errorf("route leg %d→%d of the plan is impossible", l.From, l.To)
				}
			}
		})
	}
}
