package app

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/live"
)

// agendaJSON is GET /api/v1/me/agenda.
type agendaJSON struct {
	Items []struct {
		Kind, SessionID, Title, Day string
		Reserved                    bool
	}
	Legs []struct {
		From, To, Mode, Status string
		Minutes, SlackMinutes  int
	}
	Warnings []string
	PlanID   string
}

type proposalJSON struct {
	ID      string
	Value   float64
	Optimal bool
	Plan    struct {
		Items []struct {
			Kind, SessionID, RepeatGroup string
			NeedsReservation             bool
		}
	}
	Dropped []struct{ SessionID, Reason, Code string }
	Diff    struct {
		Added, Removed []struct{ SessionID string }
		Moved          []struct {
			From, To struct{ SessionID, RoomID string }
			Change   string
		}
	}
}

func (p proposalJSON) sessions() []string {
	var ids []string
	for _, it := range p.Plan.Items {
		if it.SessionID != "" {
			ids = append(ids, it.SessionID)
		}
	}
	slices.Sort(ids)
	return ids
}

func (a agendaJSON) sessions() []string {
	var ids []string
	for _, it := range a.Items {
		if it.SessionID != "" {
			ids = append(ids, it.SessionID)
		}
	}
	slices.Sort(ids)
	return ids
}

func star(t *testing.T, base, tok, id, prio string) {
	t.Helper()
	if st, _, body := call(t, nil, "PUT", base+"/api/v1/me/favorites/"+id, tok, map[string]string{"priority": prio}); st != 200 {
		t.Fatalf("star %s: %d %s", id, st, body)
	}
}

func getAgenda(t *testing.T, base, tok, day string) agendaJSON {
	t.Helper()
	st, _, body := call(t, nil, "GET", base+"/api/v1/me/agenda?day="+day, tok, nil)
	if st != 200 {
		t.Fatalf("agenda: %d %s", st, body)
	}
	var ag agendaJSON
	mustJSON(t, body, &ag)
	return ag
}

func propose(t *testing.T, base, tok string, body any) proposalJSON {
	t.Helper()
	st, _, out := call(t, nil, "POST", base+"/api/v1/me/plan", tok, body)
	if st != 200 {
		t.Fatalf("plan: %d %s", st, out)
	}
	var p proposalJSON
	mustJSON(t, out, &p)
	if p.ID == "" {
		t.Fatalf("plan without id: %s", out)
	}
	return p
}

// slackPair finds two sessions of day 1, a then b, that do not overlap and
// whose leg (leaving at a's end) leaves a slack in [lo, hi) minutes; with
// reservable, b can be reserved.
func slackPair(t *testing.T, st *live.State, lo, hi int, reservable bool) (a, b *conference.Session) {
	t.Helper()
	snap, tm := st.Snap, st.Travel
	day := snap.Conf.Days[0]
	var list []*conference.Session
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if s.Scheduled() && !s.Cancelled && snap.Day(s.Start) == day && len(snap.Sittings(s.Group())) == 1 {
			list = append(list, s)
		}
	}
	for _, x := range list {
		rx, _ := tm.RoomIndex(x.RoomID)
		for _, y := range list {
			if y.Start.Before(x.End) || y.Start.After(x.End.Add(40*time.Minute)) || (reservable && !y.Reservable) || y.Type == conference.TypeKeynote {
				continue
			}
			ry, _ := tm.RoomIndex(y.RoomID)
			slack := int(tm.Minute(y.Start) - tm.ArriveBy(rx, ry, tm.Minute(x.End)))
			if slack >= lo && slack < hi {
				return x, y
			}
		}
	}
	t.Fatalf("no pair of day-1 sessions with a slack in [%d, %d)", lo, hi)
	return nil, nil
}

// The agenda draws a leg between consecutive items with its status: ok,
// tight (under 5 minutes to spare), impossible (late) or seat lost (a
// reserved seat released before arrival).
func TestAgendaLegsAndStatuses(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	st := a.live.Load()
	tests := []struct {
		name    string
		lo, hi  int
		reserve bool
		want    string
	}{
		{"ok", 15, 60, false, "ok"},
		{"tight", 0, 5, false, "tight"},
		{"impossible", -30, 0, false, "impossible"},
		{"seat lost", 0, 10, true, "seat_lost"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := signup(t, srv, fmt.Sprintf("legs%d@example.com", i), "correct horse battery")
			x, y := slackPair(t, st, tc.lo, tc.hi, tc.reserve)
			star(t, srv.URL, tok, x.ID, "must")
			star(t, srv.URL, tok, y.ID, "want")
			if tc.reserve {
				if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/reservations", tok, map[string]any{"sessionIds": []string{y.ID}}); st != 200 || !strings.Contains(string(body), `"reserved"`) {
					t.Fatalf("reserve: %d %s", st, body)
				}
			}
			ag := getAgenda(t, srv.URL, tok, st.Snap.Conf.Days[0])
			if len(ag.Items) != 2 || len(ag.Legs) != 1 {
				t.Fatalf("agenda %+v", ag)
			}
			leg := ag.Legs[0]
			if leg.From != x.ID || leg.To != y.ID || leg.Status != tc.want || leg.Mode == "" {
				t.Errorf("leg %+v, want %s → %s %s", leg, x.ID, y.ID, tc.want)
			}
			if tc.want != "ok" && len(ag.Warnings) == 0 && tc.want != "tight" {
				t.Errorf("no warning for a %s leg", tc.want)
			}
			if tc.reserve != ag.Items[1].Reserved {
				t.Errorf("second item reserved %v", ag.Items[1].Reserved)
			}
		})
	}
}

// trapPair finds a content with two sittings x1, x2 and a single-sitting
// session y that starts before x1 and overlaps it.
func trapPair(t *testing.T, snap *conference.Snapshot) (x1, x2, y *conference.Session) {
	t.Helper()
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		sits := snap.Sittings(s.Group())
		if len(sits) != 2 || sits[0] != s || !s.Scheduled() || s.Cancelled || !sits[1].Scheduled() || sits[1].Cancelled {
			continue
		}
		for j := range snap.Conf.Sessions {
			o := &snap.Conf.Sessions[j]
			if len(snap.Sittings(o.Group())) == 1 && o.Scheduled() && !o.Cancelled && o.Type != conference.TypeKeynote &&
				o.Start.Before(s.Start) && conference.Overlaps(o.Start, o.End, s.Start, s.End) &&
				!conference.Overlaps(o.Start, o.End, sits[1].Start, sits[1].End) {
				return s, sits[1], o
			}
		}
	}
	t.Fatal("no trap in the demo")
	return nil, nil, nil
}

// Optimize proposes the best plan; accepting it changes the agenda; the
// proposal is the attendee's alone.
func TestPlanAcceptChangesAgenda(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	snap := a.Snapshot()
	tok := signup(t, srv, "planner@example.com", "correct horse battery")
	other := signup(t, srv, "nosy@example.com", "correct horse battery")
	x1, x2, y := trapPair(t, snap)
	star(t, srv.URL, tok, x1.ID, "must")
	star(t, srv.URL, tok, y.ID, "must")

	before := getAgenda(t, srv.URL, tok, "")
	if slices.Contains(before.sessions(), x1.ID) || slices.Contains(before.sessions(), x2.ID) || !slices.Contains(before.sessions(), y.ID) {
		t.Fatalf("unplanned agenda %v: want %s only (its overlap %s left out)", before.sessions(), y.ID, x1.ID)
	}
	// Recorded sessions count in full here, so the value is 100 per must.
	p := propose(t, srv.URL, tok, `{"options":{"recordedFactor":1}}`)
	if p.Value != 200 || !p.Optimal || len(p.Dropped) != 0 || !slices.Contains(p.sessions(), x2.ID) || !slices.Contains(p.sessions(), y.ID) {
		t.Fatalf("proposal %+v: want %s and %s, value 200, optimal", p, x2.ID, y.ID)
	}
	if len(p.Diff.Added) != 1 || p.Diff.Added[0].SessionID != x2.ID {
		t.Errorf("diff %+v: want %s added", p.Diff, x2.ID)
	}

	steps := []struct {
		name, method, path, token string
		status                    int
	}{
		{"another attendee cannot read it", "GET", "/api/v1/me/plan/" + p.ID, other, 404},
		{"another attendee cannot accept it", "POST", "/api/v1/me/plan/" + p.ID + "/accept", other, 404},
		{"another attendee cannot reserve it", "POST", "/api/v1/me/plan/" + p.ID + "/reserve", other, 404},
		{"unknown plan", "POST", "/api/v1/me/plan/p_nope/accept", tok, 404},
		{"signed out", "POST", "/api/v1/me/plan/" + p.ID + "/accept", "", 401},
		{"its attendee reads it", "GET", "/api/v1/me/plan/" + p.ID, tok, 200},
		{"its attendee accepts it", "POST", "/api/v1/me/plan/" + p.ID + "/accept", tok, 200},
		{"accepting twice is fine", "POST", "/api/v1/me/plan/" + p.ID + "/accept", tok, 200},
	}
	for _, s := range steps {
		st, _, body := call(t, nil, s.method, srv.URL+s.path, s.token, nil)
		if st != s.status {
			t.Errorf("%s: %d %s, want %d", s.name, st, body, s.status)
		}
		if s.status == 404 && errCodeOf(body) != "not_found" {
			t.Errorf("%s: body %s", s.name, body)
		}
	}
	after := getAgenda(t, srv.URL, tok, "")
	if !slices.Equal(after.sessions(), p.sessions()) || after.PlanID != p.ID {
		t.Errorf("agenda after accepting: %v (plan %q), want the plan's %v", after.sessions(), after.PlanID, p.sessions())
	}
	if got := getAgenda(t, srv.URL, other, ""); len(got.Items) != 0 {
		t.Errorf("the other attendee's agenda has %v", got.sessions())
	}
}

// Bad input is one clear 4xx each, and nothing is stored.
func TestPlanBadInput(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	snap := a.Snapshot()
	tok := signup(t, srv, "bad@example.com", "correct horse battery")
	star(t, srv.URL, tok, snap.Conf.Sessions[30].ID, "must")
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code, mention      string
	}{
		{"negative buffer", "POST", "/api/v1/me/plan", `{"options":{"bufferMinutes":-5}}`, 400, "invalid", "bufferMinutes"},
		{"contradictory weights", "POST", "/api/v1/me/plan", `{"options":{"weights":{"must":1,"maybe":50}}}`, 400, "invalid", "weights"},
		{"recorded factor out of range", "POST", "/api/v1/me/plan", `{"options":{"recordedFactor":2}}`, 400, "invalid", "recordedFactor"},
		{"day outside the conference", "POST", "/api/v1/me/plan", `{"options":{"days":["2031-01-01"]}}`, 400, "invalid", "2031-01-01"},
		{"unknown venue", "POST", "/api/v1/me/plan", `{"options":{"avoidVenues":["atlantis"]}}`, 400, "invalid", "atlantis"},
		{"unknown option", "POST", "/api/v1/me/plan", `{"options":{"bufer":5}}`, 400, "invalid", "bufer"},
		{"wrong type", "POST", "/api/v1/me/plan", `{"options":{"bufferMinutes":"five"}}`, 400, "invalid", "bufferMinutes"},
		{"unknown session in wishes", "POST", "/api/v1/me/plan", `{"wishes":[{"sessionId":"no-such","priority":"must"}]}`, 400, "invalid", "no-such"},
		{"bad priority in wishes", "POST", "/api/v1/me/plan", `{"wishes":[{"sessionId":"` + snap.Conf.Sessions[1].ID + `","priority":"urgent"}]}`, 400, "invalid", "urgent"},
		{"malformed JSON", "POST", "/api/v1/me/plan", `{"options":`, 400, "invalid", "JSON"},
		{"too large", "POST", "/api/v1/me/plan", `{"wishes":[` + strings.Repeat(`{"sessionId":"x","priority":"must"},`, 3000) + `{}]}`, 413, "too_large", ""},
		{"agenda day outside", "GET", "/api/v1/me/agenda?day=2031-01-01", nil, 400, "invalid", "2031-01-01"},
		{"agenda day malformed", "GET", "/api/v1/me/agenda?day=monday", nil, 400, "invalid", "YYYY-MM-DD"},
		{"next from nowhere", "GET", "/api/v1/me/next?from=atlantis", nil, 400, "invalid", "atlantis"},
		{"next at garbage", "GET", "/api/v1/me/next?at=soon", nil, 400, "invalid", "at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _, body := call(t, nil, tc.method, srv.URL+tc.path, tok, tc.body)
			if st != tc.status || errCodeOf(body) != tc.code || !strings.Contains(string(body), tc.mention) {
				t.Errorf("%d %s; want %d %s mentioning %q", st, body, tc.status, tc.code, tc.mention)
			}
		})
	}
	if ag := getAgenda(t, srv.URL, tok, ""); ag.PlanID != "" {
		t.Errorf("a plan was accepted: %q", ag.PlanID)
	}
	if st, _, body := call(t, nil, "GET", srv.URL+"/api/v1/me/agenda", "", nil); st != 401 {
		t.Errorf("signed out agenda: %d %s", st, body)
	}
}

type nextJSON struct {
	From      string
	Reachable []struct {
		Session struct {
			SessionID, Priority, Type string
			Start                     time.Time
		}
		LeaveBy     *time.Time
		LegMinutes  int
		Mode        string
		Seats       struct{ Status string }
		Overflow    *struct{ RoomID string }
		UseOverflow bool
	}
}

func getNext(t *testing.T, base, tok, query string) nextJSON {
	t.Helper()
	st, _, body := call(t, nil, "GET", base+"/api/v1/me/next?"+query, tok, nil)
	if st != 200 {
		t.Fatalf("next: %d %s", st, body)
	}
	var n nextJSON
	mustJSON(t, body, &n)
	return n
}

// Now/next: reachable sessions with leave-by, minutes, mode and seats,
// favourites first by priority, then by start; a keynote's overflow room
// when its hall cannot be reached.
func TestNext(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	st := a.live.Load()
	snap, tm := st.Snap, st.Travel
	tok := signup(t, srv, "next@example.com", "correct horse battery")
	_, y := slackPair(t, st, 20, 60, true) // y: a reservable session
	other := ""
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if v1, _ := snap.VenueOfRoom(s.RoomID); s.ID != y.ID && !s.Start.Before(y.Start) && s.Start.Before(y.Start.Add(60*time.Minute)) &&
			s.Type != conference.TypeKeynote && v1 != nil && v1.ID == venueOf(snap, y) {
			other = s.ID
			break
		}
	}
	star(t, srv.URL, tok, y.ID, "maybe")
	star(t, srv.URL, tok, other, "must")
	at := snap.Local(y.Start.Add(-20 * time.Minute)).Format("2006-01-02T15:04")
	n := getNext(t, srv.URL, tok, "from="+y.RoomID+"&at="+at)
	if n.From != y.RoomID || len(n.Reachable) < 3 {
		t.Fatalf("next from %s: %+v", y.RoomID, n)
	}
	rank := map[string]int{"must": 0, "want": 1, "maybe": 2, "": 3}
	ids := []string{}
	for i, r := range n.Reachable {
		ids = append(ids, r.Session.SessionID)
		if r.LeaveBy == nil || r.LeaveBy.After(r.Session.Start) || r.Mode == "" || r.Seats.Status == "" {
			t.Errorf("reachable %+v", r)
		}
		if i > 0 {
			p := n.Reachable[i-1]
			if rank[p.Session.Priority] > rank[r.Session.Priority] ||
				(rank[p.Session.Priority] == rank[r.Session.Priority] && p.Session.Start.After(r.Session.Start)) {
				t.Errorf("order at %d: %s (%s) before %s (%s)", i, p.Session.SessionID, p.Session.Priority, r.Session.SessionID, r.Session.Priority)
			}
		}
	}
	if ids[0] != other || ids[1] != y.ID {
		t.Errorf("first two %v, want the must %s then the maybe %s", ids[:2], other, y.ID)
	}
	if n.Reachable[1].Seats.Status != "available" && n.Reachable[1].Seats.Status != "limited" {
		t.Errorf("seats of %s: %s", y.ID, n.Reachable[1].Seats.Status)
	}
	if s, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/reservations", tok, map[string]any{"sessionIds": []string{y.ID}}); s != 200 {
		t.Fatalf("reserve: %d %s", s, body)
	}
	if n := getNext(t, srv.URL, tok, "from="+y.RoomID+"&at="+at); n.Reachable[1].Seats.Status != "reserved" {
		t.Errorf("after reserving, seats %q", n.Reachable[1].Seats.Status)
	}

	// A keynote from a room that reaches an overflow room in time but not
	// the hall.
	var key *conference.Session
	for i := range snap.Conf.Sessions {
		if s := &snap.Conf.Sessions[i]; s.Type == conference.TypeKeynote && len(s.OverflowRoomIDs) > 0 {
			key = s
			break
		}
	}
	hall, _ := tm.RoomIndex(key.RoomID)
	start := tm.Minute(key.Start)
	for _, room := range snap.Conf.Rooms {
		from, _ := tm.RoomIndex(room.ID)
		for lead := int32(3); lead <= 40; lead++ {
			if tm.ArriveBy(from, hall, start-lead) <= start {
				continue
			}
			for _, o := range key.OverflowRoomIDs {
				oi, _ := tm.RoomIndex(o)
				if tm.ArriveBy(from, oi, start-lead) > start {
					continue
				}
				at := snap.Local(tm.Time(start - lead)).Format(time.RFC3339)
				n := getNext(t, srv.URL, tok, "from="+room.ID+"&at="+strings.ReplaceAll(at, "+", "%2B"))
				for _, r := range n.Reachable {
					if r.Session.SessionID == key.ID {
						if !r.UseOverflow || r.Overflow == nil || !slices.Contains(key.OverflowRoomIDs, r.Overflow.RoomID) || r.LeaveBy == nil {
							t.Errorf("keynote %+v: want the overflow room", r)
						}
						return
					}
				}
				t.Fatalf("keynote %s not reachable from %s at %s: %+v", key.ID, room.ID, at, n)
			}
		}
	}
	t.Log("no room reaches an overflow room but not the keynote hall; overflow not checked")
}

// A room change to a session of an accepted plan reaches its attendee as
// an SSE change naming a new proposal whose diff moves the session.
func TestReplanAfterRoomChange(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	snap := a.Snapshot()
	tok := signup(t, srv, "moved@example.com", "correct horse battery")
	org := demoTokens(t, a, srv.URL)[account.Organizer]
	_, y := slackPair(t, a.live.Load(), 20, 60, false)
	star(t, srv.URL, tok, y.ID, "must")
	p := propose(t, srv.URL, tok, nil)
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/plan/"+p.ID+"/accept", tok, nil); st != 200 {
		t.Fatalf("accept: %d %s", st, body)
	}
	var newRoom string
	for _, r := range snap.Conf.Rooms {
		if cur, _ := snap.Room(y.RoomID); r.VenueID == cur.VenueID && r.ID != y.RoomID && r.Capacity >= cur.Capacity {
			newRoom = r.ID
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
		t.Fatalf("first line %q", line)
	}
	if st, _, body := call(t, nil, "PATCH", srv.URL+"/api/v1/admin/sessions/"+y.ID, org, map[string]any{"roomId": newRoom}); st != 200 {
		t.Fatalf("organizer PATCH: %d %s", st, body)
	}
	var ev struct{ SessionID, Kind, PlanID string }
	for ev.PlanID == "" {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before the change: %v", err)
		}
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, "planId") {
			mustJSON(t, []byte(strings.TrimPrefix(line, "data: ")), &ev)
		}
	}
	if ev.SessionID != y.ID || ev.Kind != "moved" {
		t.Errorf("event %+v", ev)
	}
	st, _, body := call(t, nil, "GET", srv.URL+"/api/v1/me/plan/"+ev.PlanID, tok, nil)
	if st != 200 {
		t.Fatalf("new proposal: %d %s", st, body)
	}
	var np proposalJSON
	mustJSON(t, body, &np)
	if len(np.Diff.Moved) != 1 || np.Diff.Moved[0].To.SessionID != y.ID || np.Diff.Moved[0].Change != "room" ||
		np.Diff.Moved[0].From.RoomID != y.RoomID || np.Diff.Moved[0].To.RoomID != newRoom {
		t.Errorf("diff %+v: want %s moved from %s to %s", np.Diff, y.ID, y.RoomID, newRoom)
	}
	if ag := getAgenda(t, srv.URL, tok, ""); !strings.Contains(fmt.Sprint(ag), "") || ag.PlanID != p.ID {
		t.Errorf("the accepted plan changed without the attendee: %q", ag.PlanID)
	}
	// Accepting it makes it the plan.
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/plan/"+ev.PlanID+"/accept", tok, nil); st != 200 {
		t.Fatalf("accept the new plan: %d %s", st, body)
	}
	if ag := getAgenda(t, srv.URL, tok, ""); ag.PlanID != ev.PlanID {
		t.Errorf("plan %q after accepting %q", ag.PlanID, ev.PlanID)
	}
}

// "Reserve this plan" with one sitting full: the plan moves to the
// content's other sitting and reserves it.
func TestReservePlanAroundFullSitting(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	snap := a.Snapshot()
	tok := signup(t, srv, "reserver@example.com", "correct horse battery")
	org := demoTokens(t, a, srv.URL)[account.Organizer]
	var group string
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		sits := snap.Sittings(s.Group())
		if len(sits) >= 2 && sits[0] == s && s.Reservable && sits[1].Reservable && s.Scheduled() && sits[1].Scheduled() {
			group = s.Group()
			star(t, srv.URL, tok, s.ID, "must")
			break
		}
	}
	free := reservableSessions(t, snap, 3)
	for _, s := range free {
		if s.Group() != group {
			star(t, srv.URL, tok, s.ID, "want")
		}
	}
	p := propose(t, srv.URL, tok, nil)
	chosen := ""
	for _, it := range p.Plan.Items {
		if it.RepeatGroup == group {
			chosen = it.SessionID
		}
	}
	if chosen == "" {
		t.Fatalf("the plan %+v does not hold the must %s", p, group)
	}
	if st, _, body := call(t, nil, "PATCH", srv.URL+"/api/v1/admin/sessions/"+chosen, org, map[string]any{"capacity": 0}); st != 200 {
		t.Fatalf("fill %s: %d %s", chosen, st, body)
	}
	st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/plan/"+p.ID+"/reserve", tok, nil)
	if st != 200 {
		t.Fatalf("reserve the plan: %d %s", st, body)
	}
	var out struct {
		Results []struct {
			SessionID, Status string
		}
		Proposal proposalJSON
	}
	mustJSON(t, body, &out)
	statuses := map[string]string{}
	for _, r := range out.Results {
		statuses[r.SessionID] = r.Status
	}
	if statuses[chosen] != "full" {
		t.Errorf("results %v: want %s full", statuses, chosen)
	}
	var backup string
	for _, it := range out.Proposal.Plan.Items {
		if it.RepeatGroup == group {
			backup = it.SessionID
			if it.SessionID == chosen || it.Kind != "reservation" || statuses[it.SessionID] != "reserved" {
				t.Errorf("the new plan holds %+v for the full content; want another sitting, reserved", it)
			}
		}
	}
	if backup == "" {
		t.Errorf("the new plan drops the must content: %+v", out.Proposal)
	}
	ag := getAgenda(t, srv.URL, tok, "")
	if ag.PlanID != out.Proposal.ID || !slices.Contains(ag.sessions(), backup) || slices.Contains(ag.sessions(), chosen) {
		t.Errorf("agenda %v (plan %q): want the re-planned %s", ag.sessions(), ag.PlanID, out.Proposal.ID)
	}
}

func venueOf(snap *conference.Snapshot, s *conference.Session) string {
	if v, ok := snap.VenueOfRoom(s.RoomID); ok {
		return v.ID
	}
	return ""
}

// BenchmarkPlanHTTP is POST /api/v1/me/plan over real HTTP and SQLite for
// an attendee with 150 favourite contents (up to 3 sittings each, 4 days).
// Attendees rotate every 20 plans (the per-attendee quota).
// go test -run X -bench PlanHTTP -count 5 ./internal/app
func BenchmarkPlanHTTP(b *testing.B) {
	a, srv, _ := newAuthApp(b)
	snap := a.Snapshot()
	ctx := context.Background()
	var ids []string
	seen := map[string]bool{}
	for i := 0; i < len(snap.Conf.Sessions) && len(ids) < 150; i += 7 {
		s := &snap.Conf.Sessions[i]
		if s.Scheduled() && !s.Cancelled && !seen[s.Group()] && len(snap.Sittings(s.Group())) <= 3 {
			seen[s.Group()] = true
			ids = append(ids, s.ID)
		}
	}
	prios := []account.Priority{account.Must, account.Want, account.Maybe}
	newAttendee := func(n int) string {
		u, err := a.accounts.NewUser(fmt.Sprintf("bench%d@example.com", n), "Bench", account.Attendee)
		if err != nil {
			b.Fatal(err)
		}
		tok, hash := account.NewToken()
		now := time.Now()
		if err := a.store.Bulk.BulkAttendees(ctx, []account.User{u}, []account.Token{{Hash: hash, UserID: u.ID, Kind: account.APIToken,
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}}); err != nil {
			b.Fatal(err)
		}
		for i, id := range ids {
			if _, err := a.accounts.SetFavorite(ctx, snap, u.ID, id, prios[i%3]); err != nil {
				b.Fatal(err)
			}
		}
		return tok
	}
	var tok string
	optimal := 0
	b.ResetTimer()
	for i := range b.N {
		if i%20 == 0 {
			b.StopTimer()
			tok = newAttendee(i)
			b.StartTimer()
		}
		st, _, body := call(b, nil, "POST", srv.URL+"/api/v1/me/plan", tok, nil)
		if st != 200 {
			b.Fatalf("plan: %d %s", st, body)
		}
		if strings.Contains(string(body), `"optimal":true`) {
			optimal++
		}
	}
	b.ReportMetric(float64(optimal)/float64(b.N), "optimal/op")
}
