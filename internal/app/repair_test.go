package app

import (
	"context"
	"fmt"
	"html/template"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/planner"
)

// TestAcceptKeepsTheSeatWhenAMoveFails: the repeat a repair moves a seat
// to fills up before the plan is accepted. Accepting keeps the old seat,
// accepts nothing, and plans again around the seats as they are.
func TestAcceptKeepsTheSeatWhenAMoveFails(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	st := a.live.Load()
	x, y, y2 := collidingSeats(t, st, st.Snap.Conf.Days[1])
	tok := signup(t, srv, "fails@example.com", "correct horse battery")
	reserve(t, srv.URL, tok, x.ID, y.ID)
	p := propose(t, srv.URL, tok, nil)
	var plan struct {
		Plan struct {
			Repairs []planner.Repair
		}
	}
	_, _, body := call(t, nil, "GET", srv.URL+"/api/v1/me/plan/"+p.ID, tok, nil)
	mustJSON(t, body, &plan)
	if len(plan.Plan.Repairs) != 1 || plan.Plan.Repairs[0].To == nil || plan.Plan.Repairs[0].To.SessionID != y2.ID {
		t.Fatalf("repairs %+v, want %s moved to %s", plan.Plan.Repairs, y.ID, y2.ID)
	}
	setCapacity(t, a, y2.ID, 0) // the repeat fills up meanwhile

	stc, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/plan/"+p.ID+"/accept", tok, nil)
	var out struct {
		ID, State     string
		Moved, Failed []agenda.SeatMove
		Replan        *struct{ ID, State string }
	}
	mustJSON(t, body, &out)
	if stc != 200 || out.State == agenda.StateAccepted || len(out.Moved) != 0 || len(out.Failed) != 1 ||
		out.Failed[0] != (agenda.SeatMove{From: y.ID, To: y2.ID, Status: "full"}) || out.Replan == nil || out.Replan.State != agenda.StateProposed {
		t.Fatalf("accept: %d %s", stc, body)
	}
	if seats := activeSeats(t, srv.URL, tok); !seats[x.ID] || !seats[y.ID] || seats[y2.ID] {
		t.Errorf("seats %v: the failed move must keep %s", seats, y.ID)
	}
	// The new proposal repairs it another way; accepting that one leaves
	// a week that can be lived.
	if stc, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/plan/"+out.Replan.ID+"/accept", tok, nil); stc != 200 {
		t.Fatalf("accept the replan: %d %s", stc, body)
	}
	for _, l := range getAgenda(t, srv.URL, tok, st.Snap.Conf.Days[1]).Legs {
		if l.Status == planner.StatusImpossible || l.Status == planner.StatusOverlap || l.Status == planner.StatusSeatLost {
			t.Errorf("leg %s → %s is %s after the second accept", l.From, l.To, l.Status)
		}
	}
}

// TestAcceptedRepairsThroughTheEngine: 1,000 generated attendees reserve
// random seats of one day (so that many cannot all be reached) and lock
// some; each proposal is accepted through the engine (and the re-plan too,
// when a move failed for lack of a seat). Afterwards no attendee's agenda
// has an impossible leg, an overlap or a lost seat unless both ends are
// locked.
func TestAcceptedRepairsThroughTheEngine(t *testing.T) {
	a, _, _ := newAuthApp(t)
	ctx := context.Background()
	st := a.live.Load()
	snap := st.Snap
	byDay := map[string][]*conference.Session{}
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if s.Reservable && s.Scheduled() && !s.Cancelled && s.Type != conference.TypeKeynote {
			byDay[snap.Day(s.Start)] = append(byDay[snap.Day(s.Start)], s)
		}
	}
	rng := rand.New(rand.NewPCG(14, 1000))
	const attendees = 1000
	repaired, moved, lockedLate := 0, 0, 0
	for i := range attendees {
		who := fmt.Sprintf("u_rand%04d", i)
		day := snap.Conf.Days[rng.IntN(len(snap.Conf.Days))]
		pool := byDay[day]
		var ids []string
		for range 2 + rng.IntN(4) {
			s := pool[rng.IntN(len(pool))]
			if !slices.Contains(ids, s.ID) {
				ids = append(ids, s.ID)
			}
		}
		ans, err := a.seats.Reserve(ctx, who, ids, "")
		if err != nil {
			t.Fatal(err)
		}
		held := map[string]bool{}
		for _, r := range ans.Results {
			if r.Status == "reserved" {
				held[r.SessionID] = true
				if rng.IntN(5) == 0 {
					if err := a.plans.SetLock(ctx, who, "session:"+r.SessionID, true); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		p, err := a.plans.Propose(ctx, who, agenda.PlanRequest{})
		if err != nil {
			t.Fatalf("attendee %d: %v", i, err)
		}
		if len(p.Plan.Repairs) > 0 {
			repaired++
		}
		for round := 0; ; round++ {
			out, err := a.plans.Accept(ctx, who, p.ID)
			if err != nil {
				t.Fatalf("attendee %d: accept: %v", i, err)
			}
			moved += len(out.Moved)
			if out.Replan == nil {
				break
			}
			if round == 3 {
				t.Fatalf("attendee %d: still re-planning after %d rounds", i, round)
			}
			p = *out.Replan
		}
		locks, _ := a.plans.Locks(ctx, who)
		week, err := a.plans.Agenda(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range week.Days {
			for k, l := range d.Legs {
				switch l.Status {
				case planner.StatusImpossible, planner.StatusOverlap, planner.StatusSeatLost:
				default:
					continue
				}
				if slices.Contains(locks, agenda.LockKey(d.Items[k])) && slices.Contains(locks, agenda.LockKey(d.Items[k+1])) {
					lockedLate++
					continue
				}
				t.Errorf("attendee %d (%v): %s leg %s → %s is %s after accepting", i, ids, d.Date, l.From, l.To, l.Status)
			}
		}
	}
	t.Logf("%d attendees: %d proposals repaired, %d seats moved, %d legs late between two locked seats", attendees, repaired, moved, lockedLate)
}

// TestOnePlanEverywhere: the accepted plan is what the day's map draws
// (/map without sessions), and only its sessions show the way from the
// plan's item before them in the catalog.
func TestOnePlanEverywhere(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	st := a.live.Load()
	x, y := slackPair(t, st, 15, 60, false)
	tok := signup(t, srv, "oneplan@example.com", "correct horse battery")
	star(t, srv.URL, tok, x.ID, "must")
	star(t, srv.URL, tok, y.ID, "must")
	p := propose(t, srv.URL, tok, nil)
	if stc, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/plan/"+p.ID+"/accept", tok, nil); stc != 200 {
		t.Fatalf("accept: %d %s", stc, body)
	}
	c := browser(t)
	signIn(t, c, srv.URL, "oneplan@example.com", "correct horse battery")
	_, body, _ := page(t, c, srv.URL+"/map")
	if !strings.Contains(body, "Your plan, ") || !strings.Contains(body, `data-sessions="`+x.ID+","+y.ID+`"`) {
		t.Errorf("/map does not draw the day's plan (%s, %s)", x.ID, y.ID)
	}
	_, body, _ = page(t, c, srv.URL+"/?q="+url.QueryEscape(y.Code))
	if !strings.Contains(body, "From your previous item “"+templateEscape(x.Title)+"”") {
		t.Errorf("the catalog does not show the way to %s from the plan's %s", y.ID, x.ID)
	}
	_, body, _ = page(t, c, srv.URL+"/?q="+url.QueryEscape(x.Code))
	if strings.Contains(body, "From your previous item") {
		t.Errorf("%s, the first of the day, shows a way from somewhere", x.ID)
	}
	// Anonymous: no plan, no travel between results.
	_, _, anon := call(t, nil, "GET", srv.URL+"/?q="+url.QueryEscape(y.Code), "", nil)
	if strings.Contains(string(anon), "From your previous item") {
		t.Error("an anonymous catalog shows travel notes")
	}
}

// templateEscape is how html/template writes text.
func templateEscape(s string) string { return template.HTMLEscapeString(s) }

// TestNextListsKeynoteRooms: Now/next gives a keynote's overflow rooms by
// travel time from where the attendee is, with the hall's and each room's
// fill.
func TestNextListsKeynoteRooms(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	snap := a.Snapshot()
	var key *conference.Session
	for i := range snap.Conf.Sessions {
		if s := &snap.Conf.Sessions[i]; s.Type == conference.TypeKeynote && len(s.OverflowRoomIDs) >= 2 {
			key = s
			break
		}
	}
	tok := signup(t, srv, "keyrooms@example.com", "correct horse battery")
	from := key.OverflowRoomIDs[len(key.OverflowRoomIDs)-1]
	at := snap.Local(key.Start.Add(-60 * 60e9)).Format("2006-01-02T15:04")
	stc, _, body := call(t, nil, "GET", srv.URL+"/api/v1/me/next?from="+from+"&at="+at, tok, nil)
	var out struct {
		Reachable []struct {
			Session struct {
				SessionID string
				Overflows []planner.OverflowRoom
			}
			Hall      *agenda.RoomFill
			Overflows []agenda.RoomFill
		}
	}
	mustJSON(t, body, &out)
	for _, r := range out.Reachable {
		if r.Session.SessionID != key.ID {
			continue
		}
		os := r.Session.Overflows
		if stc != 200 || len(os) != len(key.OverflowRoomIDs) || os[0].RoomID != from || r.Hall == nil || r.Hall.Status == "" ||
			len(r.Overflows) != len(os) || r.Overflows[0].RoomID != from {
			t.Fatalf("keynote rooms from %s: %s", from, body)
		}
		for i := 1; i < len(os); i++ {
			if os[i].LegMinutes < os[i-1].LegMinutes {
				t.Errorf("overflow rooms not by travel time: %+v", os)
			}
		}
		return
	}
	t.Fatalf("the keynote %s is not listed an hour before it: %s", key.ID, body)
}

// TestNowReservesWithoutJavaScript: a Now card's reserve button is a form
// that works without JavaScript and comes back to Now with the answer.
func TestNowReservesWithoutJavaScript(t *testing.T) {
	_, srv := duringEvent(t, "12:30")
	u := newSeatUser(t, srv, "nowform@example.com")
	_, body, _ := page(t, u.c, srv.URL+"/me/now")
	m := regexp.MustCompile(`action="(/me/reservations/[^"/]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no reserve form on the Now cards")
	}
	st, after := u.submit(t, srv.URL, "/me/now", m[1])
	if st != http.StatusSeeOther || !strings.Contains(after, "Reserved: your seat") || !strings.Contains(after, "<h1>Now</h1>") {
		t.Errorf("reserving from Now: %d, back on Now with the answer? %v", st, strings.Contains(after, "<h1>Now</h1>"))
	}
}
