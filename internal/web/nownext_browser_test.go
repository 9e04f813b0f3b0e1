package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"venuehop/internal/agenda"
	"venuehop/internal/browsertest"
	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/httpapi"
	"venuehop/internal/live"
	"venuehop/internal/planner"
)

// normalize turns a JSON value into a comparable tree: every string that
// is an RFC 3339 time becomes the instant in UTC.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
	}
	return v
}

func jsonTree(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return normalize(out)
}

type nowCase struct {
	name   string
	at     time.Time
	from   string
	items  []planner.Item
	wishes []planner.Wish
}

// nowCases builds the equivalence cases over the demo: each day, times
// from early morning to night, attendees with nothing, with reserved
// seats and blocks (with and without a place), with a keynote and walk-up
// sittings, and favourites.
func nowCases(snap *conference.Snapshot) []nowCase {
	byDay := map[string][]*conference.Session{}
	var keynotes []*conference.Session
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if !se.Scheduled() || se.Cancelled {
			continue
		}
		byDay[snap.Day(se.Start)] = append(byDay[snap.Day(se.Start)], se)
		if se.Type == conference.TypeKeynote {
			keynotes = append(keynotes, se)
		}
	}
	var cases []nowCase
	for di, date := range snap.Conf.Days {
		ss := byDay[date]
		if len(ss) == 0 {
			continue
		}
		sort.SliceStable(ss, func(a, b int) bool { return ss[a].Start.Before(ss[b].Start) })
		mid, _ := time.ParseInLocation(time.DateOnly, date, snap.Loc)
		pick := func(h int) *conference.Session { // the first sitting from h o'clock
			for _, se := range ss {
				if !se.Start.Before(mid.Add(time.Duration(h) * time.Hour)) {
					return se
				}
			}
			return ss[len(ss)-1]
		}
		r1, r2, r3 := pick(9), pick(11), pick(14)
		attendees := []struct {
			name   string
			items  []planner.Item
			wishes []planner.Wish
		}{
			{"nothing", nil, nil},
			{"reserved+blocks", []planner.Item{
				{Kind: planner.KindReservation, SessionID: r1.ID},
				{Kind: planner.KindBlock, Title: "Lunch", Start: mid.Add(12 * time.Hour), End: mid.Add(13 * time.Hour), VenueID: snap.Conf.Venues[len(snap.Conf.Venues)-1].ID},
				{Kind: planner.KindReservation, SessionID: r3.ID},
				{Kind: planner.KindBlock, Title: "Call", Start: mid.Add(16 * time.Hour), End: mid.Add(16*time.Hour + 30*time.Minute)},
			}, []planner.Wish{{SessionID: r2.ID, Priority: planner.Must}, {SessionID: pick(15).ID, Priority: planner.Maybe}}},
			{"walkup+keynote", []planner.Item{
				{Kind: planner.KindSession, SessionID: r2.ID},
				{Kind: planner.KindSession, SessionID: pick(17).ID},
			}, []planner.Wish{{SessionID: pick(10).ID, Priority: planner.Want}, {SessionID: r1.ID, Priority: planner.Must}}},
		}
		if len(keynotes) > 0 {
			k := keynotes[di%len(keynotes)]
			attendees[2].items = append(attendees[2].items, planner.Item{Kind: planner.KindKeynote, SessionID: k.ID})
		}
		froms := []string{"", snap.Conf.Rooms[(di*37)%len(snap.Conf.Rooms)].ID, snap.Conf.Venues[di%len(snap.Conf.Venues)].ID}
		for h := 6 * 60; h <= 23*60; h += 50 {
			at := mid.Add(time.Duration(h)*time.Minute + time.Duration(h%7)*time.Second*9)
			for ai, a := range attendees {
				from := froms[(h/50+ai)%len(froms)]
				cases = append(cases, nowCase{name: fmt.Sprintf("%s %s %s from %q", date, at.Format("15:04:05"), a.name, from),
					at: at, from: from, items: a.items, wishes: a.wishes})
			}
		}
		// Keynote mornings: every keynote from every venue a little before.
		for _, k := range keynotes {
			if snap.Day(k.Start) != date {
				continue
			}
			for _, v := range snap.Conf.Venues {
				cases = append(cases, nowCase{name: fmt.Sprintf("%s keynote %s from %s", date, k.ID, v.ID),
					at: k.Start.Add(-25 * time.Minute), from: v.ID})
			}
		}
	}
	return cases
}

// equivalenceSetup builds the demo, its offline document and the cases.
func equivalenceSetup(t *testing.T) (*live.State, []byte, []nowCase, []byte) {
	t.Helper()
	c, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := live.Build(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := httpapi.OfflineTravel(st.Snap, st.Travel)
	if err != nil {
		t.Fatal(err)
	}
	cases := nowCases(st.Snap)
	var in []map[string]any
	for _, tc := range cases {
		in = append(in, map[string]any{"items": tc.items, "wishes": tc.wishes, "at": tc.at.UnixMilli(), "from": tc.from})
	}
	inputs, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return st, doc, cases, inputs
}

// jsRun is the JavaScript that answers every case: a JSON array of
// VenuehopNow.compute's answers.
const jsRun = `(function(doc, cases){ return JSON.stringify(cases.map(function(a){
  try { return VenuehopNow.compute(doc, a.items, a.wishes, a.at, {from: a.from}); } catch (e) { return {error: String(e)}; }
})); })`

// compareNext compares the JavaScript answers with the server's.
func compareNext(t *testing.T, st *live.State, cases []nowCase, out string) {
	t.Helper()
	var answers []struct {
		Error     string `json:"error"`
		From      string `json:"from"`
		Reachable []struct {
			Session json.RawMessage `json:"session"`
		} `json:"reachable"`
	}
	if err := json.Unmarshal([]byte(out), &answers); err != nil || len(answers) != len(cases) {
		t.Fatalf("answers: %v, %d for %d cases", err, len(answers), len(cases))
	}
	compared, reachable, inPlan, misses, after, overflow := 0, 0, 0, 0, 0, 0
	for n, tc := range cases {
		got := answers[n]
		from := tc.from
		if from == "" {
			from = agenda.PlanPlace(st.Snap, tc.items, tc.at)
		}
		want, err := planner.NextAround(st.Snap, st.Travel, from, tc.at, tc.wishes, tc.items, 0)
		if err != nil {
			t.Fatalf("%s: server: %v", tc.name, err)
		}
		if got.Error != "" {
			t.Errorf("%s: js: %s", tc.name, got.Error)
			continue
		}
		if got.From != from {
			t.Errorf("%s: from %q, server %q", tc.name, got.From, from)
		}
		if len(got.Reachable) != len(want) {
			t.Errorf("%s: %d reachable, server %d", tc.name, len(got.Reachable), len(want))
			continue
		}
		for i := range want {
			var g any
			if err := json.Unmarshal(got.Reachable[i].Session, &g); err != nil {
				t.Fatal(err)
			}
			g = normalize(g)
			w := jsonTree(t, want[i])
			if !reflect.DeepEqual(g, w) {
				gb, _ := json.Marshal(g)
				wb, _ := json.Marshal(w)
				t.Errorf("%s: reachable %d:\n js     %s\n server %s", tc.name, i, gb, wb)
			}
			reachable++
			if want[i].InPlan {
				inPlan++
			}
			if want[i].Misses != nil {
				misses++
			}
			if want[i].After != nil {
				after++
			}
			if len(want[i].Overflows) > 0 {
				overflow++
			}
		}
		compared++
	}
	t.Logf("%d cases compared; %d reachable sessions field by field (%d in the plan, %d missing an item, %d after an item, %d with overflow rooms)",
		compared, reachable, inPlan, misses, after, overflow)
	if compared < 100 || reachable < 500 || inPlan == 0 || misses == 0 || after == 0 || overflow == 0 {
		t.Errorf("the cases do not cover enough")
	}
}

// TestNowNextEquivalence runs nownext.js in Chromium on the demo's
// offline travel document and compares, case by case and field by field,
// its answer with the server's (planner.NextAround, agenda.PlanPlace, as
// GET /api/v1/me/next uses them) for the same inputs and instant.
func TestNowNextEquivalence(t *testing.T) {
	st, doc, cases, inputs := equivalenceSetup(t)
	js, err := os.ReadFile("static/nownext.js")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><title>nownext</title><script src="/nownext.js"></script>`)
	})
	mux.HandleFunc("/nownext.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(js)
	})
	mux.HandleFunc("/travel", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	})
	mux.HandleFunc("/cases", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(inputs)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	ctx := browsertest.New(t)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Promise.all([fetch('/travel').then(r => r.json()), fetch('/cases').then(r => r.json())]).then(x => (`+jsRun+`)(x[0], x[1]))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	compareNext(t, st, cases, out)
}

// TestNowNextEquivalenceNode is the same comparison in Node.js, where it
// is installed (it runs without a browser).
func TestNowNextEquivalenceNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node: the Chromium test covers it")
	}
	st, doc, cases, inputs := equivalenceSetup(t)
	dir := t.TempDir()
	for name, b := range map[string][]byte{"travel.json": doc, "cases.json": inputs} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	abs, err := filepath.Abs("static/nownext.js")
	if err != nil {
		t.Fatal(err)
	}
	script := `const fs = require('fs'); const VenuehopNow = require(process.argv[1]).VenuehopNow;
process.stdout.write((` + jsRun + `)(JSON.parse(fs.readFileSync(process.argv[2])), JSON.parse(fs.readFileSync(process.argv[3]))));`
	cmd := exec.Command(node, "-e", script, abs, filepath.Join(dir, "travel.json"), filepath.Join(dir, "cases.json"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	compareNext(t, st, cases, string(out))
}
