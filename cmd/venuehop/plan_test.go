package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/formats"
	"venuehop/internal/store/sqlite"
)

// smallConference: two venues 700 m apart, two days. Content "a" has two
// sittings (a-1 on day 1 at 10:00, a-2 on day 2); "b" only one, on day 1
// at 10:00 in the other venue; "c" starts at 11:30 next to b.
func smallConference(t *testing.T) *conference.Conference {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Brussels")
	at := func(day, hhmm string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	c := &conference.Conference{
		Format: conference.FormatVersion, ID: "small", Name: "Small Conf", TimeZone: "Europe/Brussels",
		Days: []string{"2027-02-01", "2027-02-02"},
		Venues: []conference.Venue{
			{ID: "north", Name: "North Hall", Lat: 50.8120, Lon: 4.3820},
			{ID: "south", Name: "South Hall", Lat: 50.8057, Lon: 4.3820},
		},
		Rooms: []conference.Room{
			{ID: "n1", VenueID: "north", Name: "N1", Capacity: 100},
			{ID: "s1", VenueID: "south", Name: "S1", Capacity: 100},
			{ID: "s2", VenueID: "south", Name: "S2", Capacity: 100},
		},
	}
	add := func(id, group, room, day, start, end string) {
		c.Sessions = append(c.Sessions, conference.Session{ID: id, Title: "Talk " + id, Type: "Breakout session",
			RoomID: room, Start: at(day, start), End: at(day, end), RepeatGroup: group})
	}
	add("a-1", "a", "n1", "2027-02-01", "10:00", "11:00")
	add("a-2", "a", "n1", "2027-02-02", "10:00", "11:00")
	add("b", "", "s1", "2027-02-01", "10:00", "11:00")
	add("c", "", "s2", "2027-02-01", "11:30", "12:30")
	return c
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlanOffline(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "small.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := formats.WriteNative(f, smallConference(t)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	small := f.Name()
	wishes := writeFile(t, dir, "wishes.json", `{"wishes":[{"sessionId":"a-1","priority":"must"},{"sessionId":"b","priority":"must"},{"sessionId":"c","priority":"want"}],
		"blocks":[{"title":"Call with Bo","start":"2027-02-02T14:00","end":"2027-02-02T15:00"}]}`)
	code, out, stderr := venuehop(t, "plan", "--conference", small, "--wishes", wishes)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"value 230 (proven optimal", "a-2", "b Talk b", "c Talk c", "Call with Bo", "↓", "Monday 1 February", "Tuesday 2 February"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "a-1 ") {
		t.Errorf("the plan takes a-1, which clashes with b:\n%s", out)
	}

	code, out, stderr = venuehop(t, "plan", "--conference", small, "--wishes", wishes, "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, stderr)
	}
	var plan struct {
		Value   float64
		Optimal bool
		Plan    struct {
			Items []struct{ SessionID, Kind string }
		}
		Dropped []any
		Days    []struct {
			Legs []struct{ Status string }
		}
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if plan.Value != 230 || !plan.Optimal || len(plan.Plan.Items) != 4 || len(plan.Dropped) != 0 || len(plan.Days) != 2 || len(plan.Days[0].Legs) != 1 {
		t.Errorf("--json plan %+v", plan)
	}

	// Seats in a-1 and b, which overlap (and no other sitting takes
	// reservations): the plan gives one up, saying why; locked, it says
	// which collide instead.
	seats := writeFile(t, dir, "seats.json", `{"reservations":["a-1","b"]}`)
	code, out, stderr = venuehop(t, "plan", "--conference", small, "--wishes", seats)
	if code != 0 || !strings.Contains(out, "Repairs (1):") || !strings.Contains(out, "drop b: your seats at 10:00 South Hall and 10:00 North Hall overlap; no other sitting has a free seat, so the plan gives up your seat at 10:00 South Hall") {
		t.Errorf("colliding seats: exit %d %s\n%s", code, stderr, out)
	}
	locked := writeFile(t, dir, "locked.json", `{"reservations":["a-1","b"],"locked":["a-1","b"]}`)
	code, out, _ = venuehop(t, "plan", "--conference", small, "--wishes", locked)
	if code != 0 || strings.Contains(out, "Repairs") || !strings.Contains(out, "locked items collide: your locked seats at 10:00 North Hall and 10:00 South Hall overlap") {
		t.Errorf("colliding locked seats: exit %d\n%s", code, out)
	}

	// An option that makes b → c impossible: c is left out, with its reason.
	opts := writeFile(t, dir, "opts.json", `{"bufferMinutes":30}`)
	code, out, _ = venuehop(t, "plan", "--conference", small, "--wishes", wishes, "--options", opts)
	if code != 0 || !strings.Contains(out, "Left out (1)") || !strings.Contains(out, "c (want) [unreachable]") {
		t.Errorf("with a 30-minute buffer: exit %d\n%s", code, out)
	}
}

func TestPlanOfflineOnTheDemo(t *testing.T) {
	dir := t.TempDir()
	demoFile := filepath.Join(dir, "demo.json")
	if code, _, stderr := venuehop(t, "demo", "-o", demoFile, "--start", "2026-11-30"); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	data, _ := os.ReadFile(demoFile)
	var c conference.Conference
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	var wishes []string
	prios := []string{"must", "want", "maybe"}
	for i := 0; i < len(c.Sessions) && len(wishes) < 40; i += 50 {
		wishes = append(wishes, `{"sessionId":"`+c.Sessions[i].ID+`","priority":"`+prios[len(wishes)%3]+`"}`)
	}
	w := writeFile(t, dir, "wishes.json", `{"wishes":[`+strings.Join(wishes, ",")+`],"keynotes":["key001"]}`)
	code, out, stderr := venuehop(t, "plan", "--conference", demoFile, "--wishes", w)
	if code != 0 || !strings.Contains(out, "Skyforge Summit: 40 favourites") || !strings.Contains(out, "proven optimal") ||
		!strings.Contains(out, "key001") || !strings.Contains(out, "Left out") {
		t.Errorf("exit %d, stderr %q\n%s", code, stderr, out)
	}
}

func TestPlanBadInput(t *testing.T) {
	dir := t.TempDir()
	f, _ := os.Create(filepath.Join(dir, "small.json"))
	formats.WriteNative(f, smallConference(t))
	f.Close()
	small := f.Name()
	good := writeFile(t, dir, "good.json", `{"wishes":[{"sessionId":"b","priority":"must"}]}`)
	file := func(name, body string) string { return writeFile(t, dir, name, body) }
	tests := []struct {
		name    string
		args    []string
		code    int
		mention string
	}{
		{"unknown session", []string{"--wishes", file("w1.json", `{"wishes":[{"sessionId":"zzz","priority":"must"}]}`)}, 1, `unknown session "zzz"`},
		{"bad priority", []string{"--wishes", file("w2.json", `{"wishes":[{"sessionId":"b","priority":"urgent"}]}`)}, 1, "urgent"},
		{"unknown reservation", []string{"--wishes", file("w3.json", `{"reservations":["nope"]}`)}, 1, "reservations[0]"},
		{"block outside the conference", []string{"--wishes", file("w4.json", `{"blocks":[{"title":"x","start":"2027-02-05T10:00","end":"2027-02-05T11:00"}]}`)}, 1, "blocks[0]"},
		{"block ends before it starts", []string{"--wishes", file("w5.json", `{"blocks":[{"title":"x","start":"2027-02-01T10:00","end":"2027-02-01T09:00"}]}`)}, 1, "blocks[0]"},
		{"not JSON", []string{"--wishes", file("w6.json", `wishes: b`)}, 1, "not valid JSON"},
		{"locking what is not there", []string{"--wishes", file("w8.json", `{"wishes":[{"sessionId":"b","priority":"must"}],"locked":["b"]}`)}, 1, "locked[0]"},
		{"unknown field", []string{"--wishes", file("w7.json", `{"wish":[]}`)}, 1, "wish"},
		{"negative buffer", []string{"--wishes", good, "--options", file("o1.json", `{"bufferMinutes":-1}`)}, 1, "bufferMinutes"},
		{"contradictory weights", []string{"--wishes", good, "--options", file("o2.json", `{"weights":{"must":5,"want":50}}`)}, 1, "weights"},
		{"day outside the conference", []string{"--wishes", good, "--options", file("o3.json", `{"days":["2027-03-01"]}`)}, 1, "2027-03-01"},
		{"missing wishes file", []string{"--wishes", filepath.Join(dir, "none.json")}, 1, "wishes file"},
		{"no wishes", []string{}, 2, "--conference and --wishes go together"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := venuehop(t, append([]string{"plan", "--conference", small}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.mention) || out != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want %d mentioning %q", code, stderr, out, tc.code, tc.mention)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 1 || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr %q: want one clear sentence", stderr)
			}
		})
	}
	for _, args := range [][]string{
		{"plan"},
		{"plan", "--attendee", "a@example.com", "--conference", small, "--wishes", good},
		{"plan", "--conference", small, "--wishes", good, "extra"},
		{"plan", "--attendee", "not an email"},
	} {
		if code, _, stderr := venuehop(t, args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, stderr)
		}
	}
}

func TestPlanForAnAttendeeOfTheStore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveConference(ctx, smallConference(t), 0); err != nil {
		t.Fatal(err)
	}
	svc := account.NewService(st.Accounts(), account.Options{})
	u, err := svc.AddUser(ctx, "ada@example.com", "correct horse battery", "Ada", account.Attendee)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := conference.NewSnapshot(smallConference(t), 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for id, p := range map[string]account.Priority{"a-1": account.Must, "b": account.Must} {
		if _, err := svc.SetFavorite(ctx, snap, u.ID, id, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.AddBlock(ctx, snap, u.ID, account.BlockInput{Title: "Standup", Start: "2027-02-02T09:00", End: "2027-02-02T09:30"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, stderr := venuehop(t, "plan", "--attendee", "Ada@Example.com", "--data", dir)
	if code != 0 || !strings.Contains(out, "value 200 (proven optimal") || !strings.Contains(out, "a-2") || !strings.Contains(out, "Standup") {
		t.Errorf("exit %d, stderr %q\n%s", code, stderr, out)
	}
	if code, _, stderr := venuehop(t, "plan", "--attendee", "nobody@example.com", "--data", dir); code != 1 || !strings.Contains(stderr, "no attendee") {
		t.Errorf("unknown attendee: exit %d, %q", code, stderr)
	}
}
