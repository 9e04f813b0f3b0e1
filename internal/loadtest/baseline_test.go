package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"venuehop/internal/store/postgres/pgtest"
)

// TestBaselineDecidesLikeVenuehop: the comparison server answers the
// statuses venuehop does and never overbooks: 40 attendees at once for 7
// seats get exactly 7, one who holds a seat hears already, an overlapping
// session is a conflict naming the held one.
func TestBaselineDecidesLikeVenuehop(t *testing.T) {
	ctx := context.Background()
	day := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	sessions := []baselineSession{
		{id: "S7", capacity: 7, start: at(0).UnixMilli(), end: at(1).UnixMilli(), day: "d1", release: at(0).Add(-10 * time.Minute)},
		{id: "OVL", capacity: 5, start: at(0).Add(30 * time.Minute).UnixMilli(), end: at(2).UnixMilli(), day: "d1", release: at(0)},
	}
	base, tokens, srv, stop, err := startBaseline(ctx, pgtest.Server(t), sessions, 40)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	post := func(token string, ids ...string) (int, []map[string]string) {
		body, _ := json.Marshal(map[string][]string{"sessionIds": ids})
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/me/reservations", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Results []map[string]string }
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Results
	}
	var mu sync.Mutex
	statuses := map[string]int{}
	var wg sync.WaitGroup
	for _, tok := range tokens {
		wg.Go(func() {
			code, res := post(tok, "S7")
			mu.Lock()
			defer mu.Unlock()
			if code != 200 || len(res) != 1 {
				statuses[fmt.Sprint("http ", code)]++
				return
			}
			statuses[res[0]["status"]]++
		})
	}
	wg.Wait()
	if statuses["reserved"] != 7 || statuses["full"] != 33 {
		t.Errorf("40 attendees for 7 seats: %v, want 7 reserved and 33 full", statuses)
	}
	over, reserved, err := srv.outcome(ctx)
	if err != nil || over != 0 || reserved != 7 {
		t.Errorf("outcome: %d overbooked, %d reserved, %v", over, reserved, err)
	}
	// Find a holder: they hear already, and the overlapping session is a
	// conflict with S7.
	for _, tok := range tokens {
		if _, res := post(tok, "S7"); res[0]["status"] == "already" {
			if _, res := post(tok, "OVL", "nope"); res[0]["status"] != "conflict" || res[0]["conflictWith"] != "S7" || res[1]["status"] != "unknown" {
				t.Errorf("a holder reserving an overlapping session: %v", res)
			}
			return
		}
	}
	t.Error("no attendee heard already for the seat they hold")
}
