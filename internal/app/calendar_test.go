package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"venuehop/internal/conference"
)

// vevent is one parsed event: property name -> value (parameters dropped).
type vevent map[string]string

// parseFeed is a strict reader of what calendar apps need: CRLF lines of
// at most 75 octets, folding, one VCALENDAR with a VTIMEZONE, balanced
// BEGIN/END, and each event with the properties RFC 5545 requires.
func parseFeed(t *testing.T, data []byte) []vevent {
	t.Helper()
	s := string(data)
	if !utf8.ValidString(s) || !strings.HasSuffix(s, "\r\n") {
		t.Fatal("not UTF-8 lines ending in CRLF")
	}
	var lines []string
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 || strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d is not a valid content line: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var events []vevent
	var stack []string
	var cur vevent
	tz := false
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("no value in %q", l)
		}
		name, _, _ = strings.Cut(name, ";")
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				cur = vevent{}
			}
			if value == "VALARM" && cur != nil {
				cur["VALARM"] = "yes"
			}
			tz = tz || value == "VTIMEZONE"
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
			if value == "VEVENT" {
				for _, p := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} {
					if cur[p] == "" {
						t.Fatalf("event %v has no %s", cur, p)
					}
				}
				events = append(events, cur)
			}
		default:
			if cur != nil && len(stack) > 0 && stack[len(stack)-1] == "VEVENT" {
				cur[name] = value
			}
			if cur != nil && len(stack) > 0 && stack[len(stack)-1] == "VALARM" {
				cur["VALARM-"+name] = value
			}
		}
	}
	if len(stack) != 0 || !tz || !strings.HasPrefix(s, "BEGIN:VCALENDAR\r\n") {
		t.Fatalf("unbalanced or no VTIMEZONE: %v", stack)
	}
	return events
}

func byUID(events []vevent) map[string]vevent {
	m := map[string]vevent{}
	for _, e := range events {
		m[e["UID"]] = e
	}
	return m
}

func fetchFeed(t *testing.T, url string) (int, []vevent) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if resp.StatusCode != 200 {
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	return 200, parseFeed(t, []byte(body.String()))
}

// laterElsewhere is a session on the same day as s, starting 60 to 240
// minutes after it ends, at another venue: a trip between them that fits.
func laterElsewhere(t *testing.T, snap *conference.Snapshot, s *conference.Session) *conference.Session {
	t.Helper()
	v, _ := snap.VenueOfRoom(s.RoomID)
	for i := range snap.Conf.Sessions {
		o := &snap.Conf.Sessions[i]
		if !o.Scheduled() || o.Cancelled || o.Group() == s.Group() || snap.Day(o.Start) != snap.Day(s.Start) {
			continue
		}
		gap := o.Start.Sub(s.End)
		if ov, _ := snap.VenueOfRoom(o.RoomID); ov.ID != v.ID && gap >= 60*time.Minute && gap <= 240*time.Minute {
			return o
		}
	}
	t.Fatal("no session at another venue later that day")
	return nil
}

func TestCalendarFeed(t *testing.T) {
	f := newReimportFixture(t)
	snap := f.a.Snapshot()
	confID := snap.Conf.ID
	last := f.moved
	if f.removed.End.After(last.End) {
		last = f.removed
	}
	fav := laterElsewhere(t, snap, last)
	if st, _, body := call(t, nil, "PUT", f.base+"/api/v1/me/favorites/"+fav.ID, f.attendee, map[string]string{"priority": "want"}); st != 200 {
		t.Fatalf("favourite: %d %s", st, body)
	}
	// A favourite that overlaps a reserved seat: not in the plan.
	clash := overlapping(snap, f.moved)
	if st, _, body := call(t, nil, "PUT", f.base+"/api/v1/me/favorites/"+clash.ID, f.attendee, map[string]string{"priority": "maybe"}); st != 200 {
		t.Fatalf("favourite: %d %s", st, body)
	}
	day := snap.Day(f.moved.Start)
	st, _, body := call(t, nil, "POST", f.base+"/api/v1/me/blocks", f.attendee,
		map[string]string{"title": "Dinner, with the team", "start": day + "T19:00", "end": day + "T21:00", "venueId": snap.Conf.Venues[0].ID})
	if st != 201 {
		t.Fatalf("block: %d %s", st, body)
	}
	var block struct{ ID string }
	mustJSON(t, body, &block)

	urlOf := func(method string) string {
		t.Helper()
		st, hdr, body := call(t, nil, method, f.base+"/api/v1/me/calendar-url", f.attendee, nil)
		var out struct{ URL, Webcal string }
		mustJSON(t, body, &out)
		if st != 200 || !strings.HasPrefix(out.URL, f.base+"/ical/") || !strings.HasSuffix(out.URL, ".ics") ||
			!strings.HasPrefix(out.Webcal, "webcal://") || hdr.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s calendar-url: %d %s", method, st, body)
		}
		return out.URL
	}
	tests := []struct {
		name   string
		method string
		token  string
		status int
	}{
		{"no token", "GET", "", 401},
		{"no token cannot rotate", "DELETE", "", 401},
		{"organizer gets their own", "GET", f.org, 200},
	}
	for _, tc := range tests {
		if st, _, body := call(t, nil, tc.method, f.base+"/api/v1/me/calendar-url", tc.token, nil); st != tc.status {
			t.Errorf("%s: %d %s", tc.name, st, body)
		}
	}
	feed := urlOf("GET")
	if again := urlOf("GET"); again != feed {
		t.Errorf("the URL changed between two calls: %s, %s", feed, again)
	}

	st, events := fetchFeed(t, feed)
	if st != 200 {
		t.Fatalf("feed: %d", st)
	}
	ev := byUID(events)
	uid := func(id string) string { return id + "@" + confID }
	checks := []struct {
		uid, prop, want string
	}{
		{uid(f.moved.ID), "DESCRIPTION", "Reserved seat: held until"},
		{uid(f.removed.ID), "DESCRIPTION", "Reserved seat: held until"},
		{uid(fav.ID), "DESCRIPTION", "In your plan (want)"},
		{uid("block-" + block.ID), "SUMMARY", `Dinner\, with the team`},
		{uid(fav.ID + "-travel"), "SUMMARY", " min"},
		{uid(fav.ID + "-travel"), "DESCRIPTION", "leave by "},
		{uid(fav.ID + "-travel"), "VALARM-TRIGGER", "PT0M"},
		{uid(fav.ID + "-travel"), "VALARM-ACTION", "DISPLAY"},
		{uid(f.moved.ID), "LOCATION", ""},
		{uid(fav.ID), "GEO", ";"},
	}
	for _, c := range checks {
		e, ok := ev[c.uid]
		if !ok {
			t.Errorf("no event %s in %d events", c.uid, len(events))
			continue
		}
		if !strings.Contains(e[c.prop], c.want) {
			t.Errorf("%s %s = %q, want it to contain %q", c.uid, c.prop, e[c.prop], c.want)
		}
	}
	if len(events) != 5 {
		t.Errorf("%d events, want 2 reservations, a favourite, its trip and a block", len(events))
	}
	if _, ok := ev[uid(clash.ID)]; ok {
		t.Errorf("the favourite that overlaps a seat is not in the plan, but is in the feed")
	}
	// Favourites outside the plan only when asked for.
	_, events = fetchFeed(t, feed+"?favorites=1")
	if e, ok := byUID(events)[uid(clash.ID)]; !ok || !strings.Contains(e["DESCRIPTION"], "not in your plan") {
		t.Errorf("?favorites=1: the favourite outside the plan is %v", e)
	}
	startBefore := ev[uid(f.moved.ID)]["DTSTART"]

	// A re-import moves one reserved session and removes the other: the
	// moved one keeps its UID with the new time, the removed one leaves.
	if st, sum, body := f.post(t, "", f.org, f.file); st != 200 || !sum.Applied {
		t.Fatalf("import: %d %s", st, body)
	}
	_, events = fetchFeed(t, feed)
	after := byUID(events)
	if e, ok := after[uid(f.moved.ID)]; !ok || e["DTSTART"] == startBefore {
		t.Errorf("moved session: %v (was %s)", e, startBefore)
	}
	if _, ok := after[uid(f.removed.ID)]; ok {
		t.Error("the removed session is still in the feed")
	}
	for _, id := range []string{uid(fav.ID), uid("block-" + block.ID)} {
		if _, ok := after[id]; !ok {
			t.Errorf("%s lost its UID across the re-import", id)
		}
	}

	// Rotating revokes the old URL at once.
	rotated := urlOf("DELETE")
	if rotated == feed {
		t.Fatal("DELETE returned the same URL")
	}
	if st, _ := fetchFeed(t, feed); st != 404 {
		t.Errorf("revoked feed: %d", st)
	}
	if st, _ := fetchFeed(t, rotated); st != 200 {
		t.Errorf("new feed: %d", st)
	}
	if urlOf("GET") != rotated {
		t.Error("GET after rotating does not return the new URL")
	}
	for _, bad := range []string{"/ical/nope.ics", "/ical/" + strings.Repeat("A", 43) + ".ics", "/ical/" + strings.TrimSuffix(strings.TrimPrefix(rotated, f.base+"/ical/"), ".ics")} {
		if st, _ := fetchFeed(t, f.base+bad); st != 404 {
			t.Errorf("%s: %d", bad, st)
		}
	}

	// The whole conference, public.
	st, events = fetchFeed(t, f.base+"/ical/conference.ics")
	scheduled := 0
	for _, s := range f.a.Snapshot().Conf.Sessions {
		if s.Scheduled() {
			scheduled++
		}
	}
	if st != 200 || len(events) != scheduled {
		t.Errorf("conference feed: %d, %d events of %d scheduled", st, len(events), scheduled)
	}
}

// BenchmarkCalendarFeed is one attendee's feed over HTTP: 12 reservations,
// 20 favourites, 3 blocks, with travel legs. Target: ≤ 5 ms.
func BenchmarkCalendarFeed(b *testing.B) {
	a, srv, _ := newAuthApp(b)
	var signed struct{ Token string }
	_, _, sb := call(b, nil, "POST", srv.URL+"/api/v1/auth/signup", "", map[string]string{"email": "bench-feed@example.com", "password": "correct horse battery", "name": "Bench"})
	json.Unmarshal(sb, &signed)
	tok := signed.Token
	snap := a.Snapshot()
	var ids []string
	for _, day := range snap.Conf.Days {
		var last time.Time
		for i := range snap.Conf.Sessions {
			s := &snap.Conf.Sessions[i]
			if s.Reservable && s.Scheduled() && snap.Day(s.Start) == day && s.Start.After(last.Add(30*time.Minute)) && len(ids) < 12 {
				ids = append(ids, s.ID)
				last = s.End
			}
		}
	}
	for i := 0; i < len(ids); i += 10 {
		call(b, nil, "POST", srv.URL+"/api/v1/me/reservations", tok, map[string]any{"sessionIds": ids[i:min(i+10, len(ids))]})
	}
	for i := 0; i < 20; i++ {
		call(b, nil, "PUT", srv.URL+"/api/v1/me/favorites/"+snap.Conf.Sessions[i*97].ID, tok, map[string]string{"priority": "want"})
	}
	for i, d := range snap.Conf.Days[:3] {
		call(b, nil, "POST", srv.URL+"/api/v1/me/blocks", tok, map[string]string{"title": "Block", "start": d + "T12:00", "end": d + "T12:45", "venueId": snap.Conf.Venues[i].ID})
	}
	_, _, body := call(b, nil, "GET", srv.URL+"/api/v1/me/calendar-url", tok, nil)
	var out struct{ URL string }
	json.Unmarshal(body, &out)
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.Get(out.URL)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("feed: %v %v", err, resp)
		}
		resp.Body.Close()
	}
}
