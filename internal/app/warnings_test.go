package app

import (
	"strings"
	"testing"
)

// TestReservationAnswerWarns: the batch answer keeps its results and adds
// warnings against the attendee's other seats, blocks and planned items,
// each with the repeat that fits when one does.
func TestReservationAnswerWarns(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	st := a.live.Load()
	snap := st.Snap
	x, y, y2 := collidingSeats(t, st, snap.Conf.Days[1])
	tok := signup(t, srv, "warnapi@example.com", "correct horse battery")
	type warning struct {
		SessionID, Kind, With, WithTitle, Repeat, Message string
		Minutes                                           int
	}
	var first struct {
		Results []struct {
			SessionID, Status string
		}
		Warnings []warning
	}
	mustJSON(t, reserve(t, srv.URL, tok, x.ID), &first)
	if len(first.Results) != 1 || first.Warnings == nil || len(first.Warnings) != 0 {
		t.Fatalf("a seat that collides with nothing: %+v", first)
	}
	body := reserve(t, srv.URL, tok, y.ID)
	var ans struct {
		Results  []struct{ SessionID, Status string }
		Warnings []warning
	}
	mustJSON(t, body, &ans)
	if len(ans.Results) != 1 || ans.Results[0].SessionID != y.ID || !strings.HasPrefix(string(body), `{"results":[{"sessionId":"`+y.ID+`","status":"reserved"}],"warnings":`) {
		t.Errorf("the batch answer changed its shape: %s", body)
	}
	if len(ans.Warnings) != 1 {
		t.Fatalf("warnings %+v, want one", ans.Warnings)
	}
	w := ans.Warnings[0]
	if w.SessionID != y.ID || w.Kind != "impossible" || w.With != x.ID || w.Minutes <= 0 || w.Repeat != y2.ID ||
		!strings.Contains(w.Message, x.Title) || strings.Contains(w.Message, x.ID+" ") {
		t.Errorf("warning %+v, want %s impossible from %s, repeat %s", w, y.ID, x.ID, y2.ID)
	}

	// An overlapping block is named too.
	day := snap.Day(y2.Start)
	st2, _, bbody := call(t, nil, "POST", srv.URL+"/api/v1/me/blocks", tok, map[string]string{"title": "Call with Bo",
		"start": snap.Local(y2.Start).Format("2006-01-02T15:04"), "end": snap.Local(y2.Start.Add(30 * 60e9)).Format("2006-01-02T15:04")})
	if st2 != 201 {
		t.Fatalf("block on %s: %d %s", day, st2, bbody)
	}
	mustJSON(t, reserve(t, srv.URL, tok, y2.ID), &ans)
	found := false
	for _, w := range ans.Warnings {
		found = found || (w.Kind == "overlap" && w.With == "" && w.WithTitle == "Call with Bo" && w.Minutes == 30)
	}
	if !found {
		t.Errorf("no overlap with the block: %+v", ans.Warnings)
	}
}
