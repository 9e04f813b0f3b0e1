package loadtest

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestCountStatuses(t *testing.T) {
	tests := []struct {
		body     string
		reserved int
		want     map[string]int
	}{
		{`{"results":[{"sessionId":"a","status":"reserved"}]}`, 1, map[string]int{"reserved": 1}},
		{`{"results":[{"sessionId":"a","status":"full"},{"sessionId":"b","status":"conflict","conflictWith":"a"},{"sessionId":"c","status":"reserved"}]}`, 1,
			map[string]int{"full": 1, "conflict": 1, "reserved": 1}},
		{`{"results":[]}`, 0, map[string]int{}},
	}
	for _, tt := range tests {
		got := map[string]int{}
		if n := countStatuses([]byte(tt.body), got); n != tt.reserved || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: %d %v, want %d %v", tt.body, n, got, tt.reserved, tt.want)
		}
	}
}

// Every attendee gets per distinct sessions, cut into batches, and popular
// sessions are asked for far more often than the tail.
func TestPlanIsZipfAndDistinct(t *testing.T) {
	ids := make([]string, 500)
	for i := range ids {
		ids[i] = fmt.Sprintf("s%d", i)
	}
	for _, batch := range []int{1, 4} {
		plans := plan(ids, 2000, 15, batch, 1)
		asked := map[string]int{}
		for _, reqs := range plans {
			seen := map[string]bool{}
			for _, body := range reqs {
				var in struct{ SessionIDs []string }
				if err := json.Unmarshal(body, &in); err != nil || len(in.SessionIDs) > batch {
					t.Fatalf("request %s (batch %d): %v", body, batch, err)
				}
				for _, id := range in.SessionIDs {
					if seen[id] {
						t.Fatalf("an attendee asks for %s twice", id)
					}
					seen[id] = true
					asked[id]++
				}
			}
			if len(seen) != 15 {
				t.Fatalf("an attendee asks for %d sessions, want 15", len(seen))
			}
		}
		most, least := 0, 1<<30
		for _, id := range ids {
			most, least = max(most, asked[id]), min(least, asked[id])
		}
		if most < 20*max(least, 1) {
			t.Errorf("batch %d: most popular asked %d times, least %d: not Zipf-like", batch, most, least)
		}
	}
}
