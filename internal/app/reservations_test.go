package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/loadtest"
)

// demoTokens signs every demo account in and returns a token per role.
func demoTokens(t *testing.T, a *App, base string) map[account.Role]string {
	t.Helper()
	tokens := map[account.Role]string{}
	for _, d := range a.DemoAccounts {
		if tokens[d.Role] != "" {
			continue
		}
		st, _, body := call(t, nil, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": d.Email, "password": d.Password})
		if st != 200 {
			t.Fatalf("demo login %s: %d %s", d.Email, st, body)
		}
		var out struct{ Token string }
		mustJSON(t, body, &out)
		tokens[d.Role] = out.Token
	}
	return tokens
}

// reservableSessions returns n reservable demo sessions on the first day
// that do not overlap each other.
func reservableSessions(t *testing.T, snap *conference.Snapshot, n int) []*conference.Session {
	t.Helper()
	var out []*conference.Session
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if !s.Reservable || s.Cancelled || !s.Scheduled() || snap.Day(s.Start) != snap.Conf.Days[0] {
			continue
		}
		free := true
		for _, o := range out {
			if conference.Overlaps(o.Start, o.End, s.Start, s.End) {
				free = false
			}
		}
		if free {
			out = append(out, s)
			if len(out) == n {
				return out
			}
		}
	}
	t.Fatalf("the demo has fewer than %d non-overlapping reservable sessions on day 1", n)
	return nil
}

type resultsJSON struct {
	Results []struct {
		SessionID, Status, ConflictWith string
	}
}

func TestReservationsAPI(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	tok := signup(t, srv, "seat@example.com", "correct horse battery")
	other := signup(t, srv, "other@example.com", "correct horse battery")
	roles := demoTokens(t, a, srv.URL)
	snap := a.Snapshot()
	ss := reservableSessions(t, snap, 3)
	s1, s2 := ss[0], ss[1]
	var overlapping *conference.Session
	for i := range snap.Conf.Sessions {
		o := &snap.Conf.Sessions[i]
		if o.Reservable && !o.Cancelled && o.ID != s1.ID && conference.Overlaps(o.Start, o.End, s1.Start, s1.End) {
			overlapping = o
			break
		}
	}
	var notReservable string
	for _, s := range snap.Conf.Sessions {
		if !s.Reservable {
			notReservable = s.ID
			break
		}
	}
	url := srv.URL + "/api/v1/me/reservations"

	st, _, body := call(t, nil, "POST", url, tok, map[string]any{"sessionIds": []string{s1.ID, "NOPE", notReservable, overlapping.ID}}, "Idempotency-Key", "k1")
	if st != 200 {
		t.Fatalf("reserve: %d %s", st, body)
	}
	var res resultsJSON
	mustJSON(t, body, &res)
	got := []string{}
	for _, r := range res.Results {
		got = append(got, r.Status)
	}
	if strings.Join(got, ",") != "reserved,unknown,not_reservable,conflict" || res.Results[3].ConflictWith != s1.ID {
		t.Errorf("statuses %v (%+v)", got, res.Results)
	}
	// The same key and body replays the first answer byte for byte.
	st, hdr, again := call(t, nil, "POST", url, tok, map[string]any{"sessionIds": []string{s1.ID, "NOPE", notReservable, overlapping.ID}}, "Idempotency-Key", "k1")
	if st != 200 || string(again) != string(body) || hdr.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %s", st, again)
	}

	var session struct {
		Seats struct{ Capacity, Reserved, Available int }
	}
	_, _, sb := call(t, nil, "GET", srv.URL+"/api/v1/sessions/"+s1.ID, "", nil)
	mustJSON(t, sb, &session)
	if session.Seats.Reserved != 1 || session.Seats.Available != session.Seats.Capacity-1 {
		t.Errorf("Session.seats after one reservation: %+v", session.Seats)
	}

	tenMB := `{"sessionIds":["` + strings.Repeat("x", 10<<20) + `"]}`
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("S%d", i)
	}
	bad := []struct {
		name   string
		token  string
		body   any
		hdr    []string
		status int
		code   string
	}{
		{"malformed JSON", tok, `{"sessionIds":[`, nil, 400, "invalid"},
		{"eleven ids", tok, map[string]any{"sessionIds": eleven}, nil, 400, "invalid"},
		{"duplicate ids", tok, map[string]any{"sessionIds": []string{s2.ID, s2.ID}}, nil, 400, "invalid"},
		{"no ids", tok, `{}`, nil, 400, "invalid"},
		{"unknown field", tok, `{"ids":["x"]}`, nil, 400, "invalid"},
		{"ten megabytes", tok, tenMB, nil, 413, "too_large"},
		{"key reused with another body", tok, map[string]any{"sessionIds": []string{s2.ID}}, []string{"Idempotency-Key", "k1"}, 409, "conflict"},
		{"no token", "", map[string]any{"sessionIds": []string{s2.ID}}, nil, 401, "unauthorized"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := call(t, nil, "POST", url, tt.token, tt.body, tt.hdr...)
			if st != tt.status || errCodeOf(body) != tt.code {
				t.Errorf("%d %s, want %d %s", st, body, tt.status, tt.code)
			}
		})
	}
	// None of that changed anything.
	_, _, list := call(t, nil, "GET", url, tok, nil)
	var mine struct {
		Reservations []struct{ SessionID, Status string }
	}
	mustJSON(t, list, &mine)
	if len(mine.Reservations) != 1 || mine.Reservations[0].SessionID != s1.ID {
		t.Errorf("my reservations %s", list)
	}

	// Another attendee sees none of it and cannot cancel it.
	_, _, theirs := call(t, nil, "GET", url, other, nil)
	if !strings.Contains(string(theirs), `"reservations":[]`) {
		t.Errorf("B sees %s", theirs)
	}
	if st, _, _ := call(t, nil, "DELETE", url+"/"+s1.ID, other, nil); st != 404 {
		t.Errorf("B cancelling A's reservation: %d", st)
	}
	if st, _, _ := call(t, nil, "POST", srv.URL+"/api/v1/me/offers/o_nope/accept", other, nil); st != 404 {
		t.Errorf("accepting an unknown offer: %d", st)
	}
	if st, _, _ := call(t, nil, "DELETE", url+"/"+s1.ID, tok, nil); st != 204 {
		t.Errorf("cancel: %d", st)
	}

	// Organizer endpoints.
	organizerOnly := []struct {
		name, method, path string
		body               any
	}{
		{"occupancy", "GET", "/api/v1/admin/occupancy?day=" + snap.Conf.Days[0], nil},
		{"check-in", "POST", "/api/v1/admin/checkins", map[string]string{"sessionId": s1.ID, "attendeeId": userID(t, srv.URL, tok)}},
		{"edit", "PATCH", "/api/v1/admin/sessions/" + s2.ID, map[string]any{"recordingUrl": "https://example.com/r"}},
	}
	for _, tt := range organizerOnly {
		for _, who := range []struct {
			role   account.Role
			token  string
			status int
		}{{account.Attendee, tok, 403}, {"anonymous", "", 401}, {account.Organizer, roles[account.Organizer], 0}} {
			st, _, body := call(t, nil, tt.method, srv.URL+tt.path, who.token, tt.body)
			if (who.status != 0 && st != who.status) || (who.status == 0 && st >= 300) {
				t.Errorf("%s as %s: %d %s", tt.name, who.role, st, body)
			}
		}
	}
	if st, _, _ := call(t, nil, "GET", srv.URL+"/api/v1/admin/occupancy?day=1999-01-01", roles[account.Organizer], nil); st != 422 {
		t.Errorf("occupancy of a day that is not a conference day: %d", st)
	}
	if st, _, _ := call(t, nil, "POST", srv.URL+"/api/v1/admin/bulk-attendees", roles[account.Organizer], map[string]int{"count": 2}); st != 403 {
		t.Errorf("bulk attendees as organizer: %d", st)
	}
	st, _, body = call(t, nil, "POST", srv.URL+"/api/v1/admin/bulk-attendees", roles[account.Admin], map[string]int{"count": 3})
	var bulk struct{ Attendees []struct{ ID, Token string } }
	mustJSON(t, body, &bulk)
	if st != 201 || len(bulk.Attendees) != 3 {
		t.Fatalf("bulk attendees: %d %s", st, body)
	}
	if st, _, body := call(t, nil, "POST", url, bulk.Attendees[0].Token, map[string]any{"sessionIds": []string{s2.ID}}); st != 200 || !strings.Contains(string(body), "reserved") {
		t.Errorf("a bulk attendee reserving: %d %s", st, body)
	}
}

// A reservation shows up on an open event stream within a second.
func TestSeatEventsStream(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	tok := signup(t, srv, "sse@example.com", "correct horse battery")
	s := reservableSessions(t, a.Snapshot(), 1)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	rd := bufio.NewReader(resp.Body)
	if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
		t.Fatalf("first line %q", line)
	}
	sent := time.Now()
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/reservations", tok, map[string]any{"sessionIds": []string{s.ID}}); st != 200 {
		t.Fatalf("reserve: %d %s", st, body)
	}
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		if !strings.HasPrefix(line, "data: ") || !strings.Contains(line, s.ID) {
			continue
		}
		var ev struct {
			SessionID           string
			Reserved, Available int
			Band                string
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Reserved != 1 || ev.Band != "available" {
			t.Errorf("event %+v", ev)
		}
		if d := time.Since(sent); d > time.Second {
			t.Errorf("the count arrived after %s", d)
		}
		return
	}
}

// BenchmarkRush runs `venuehop loadtest` in-process against the whole app
// (real HTTP over loopback, real SQLite), for profiling:
// go test -run X -bench Rush -benchtime 1x -cpuprofile cpu.out ./internal/app
func BenchmarkRush(b *testing.B) {
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = b.TempDir()
	cfg.LogLevel = "warn"
	a, err := New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go a.Serve(ctx)
	defer func() { cancel(); a.Close() }()
	var admin DemoAccount
	for _, d := range a.DemoAccounts {
		if d.Role == account.Admin {
			admin = d
		}
	}
	for b.Loop() {
		rep, err := loadtest.Run(context.Background(), loadtest.Options{Target: strings.TrimSuffix(a.URL(), "/"),
			Attendees: 20000, AdminEmail: admin.Email, AdminPassword: admin.Password})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Overbooked != 0 || rep.ReservedDelta != rep.Confirmed {
			b.Fatalf("overbooked %d, reserved +%d for %d confirmed", rep.Overbooked, rep.ReservedDelta, rep.Confirmed)
		}
		b.ReportMetric(rep.AnsweredPerSec, "answered/s")
		b.ReportMetric(rep.ConfirmedSeatsPerSec, "confirmed/s")
		b.ReportMetric(rep.P99Ms, "p99-ms")
	}
}
