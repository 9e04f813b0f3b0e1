package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/formats"
	"venuehop/internal/importer"
)

// importSummary is the part of the import summary the tests read.
type importSummary struct {
	Error                   struct{ Code, Message string }
	DryRun, Applied         bool
	BaseRev, Rev            int64
	ConferenceID, Name      string
	Added, Changed, Removed int
	Changes                 []struct {
		SessionID, Kind string
		Fields          []string
		Reserved        int
	}
	Seats struct {
		ReservationsCancelled, ReservationsKept, Overlaps, AttendeesAffected int
	}
	Warnings, Errors []struct {
		Path, File, Message string
		Line, Column        int
	}
}

// reimportFixture is the demo with an attendee holding two reservations
// (one session about to move, one about to be removed) and a favourite,
// and the file that moves, changes, removes and adds sessions.
type reimportFixture struct {
	a                      *App
	base                   string
	org, attendee          string // tokens
	moved, removed, edited *conference.Session
	file                   []byte // native JSON
}

func newReimportFixture(t *testing.T) *reimportFixture {
	t.Helper()
	a, srv, _ := newAuthApp(t)
	f := &reimportFixture{a: a, base: srv.URL}
	f.org = demoTokens(t, a, srv.URL)[account.Organizer]
	f.attendee = signup(t, srv, "reimport@example.com", "correct horse battery")
	snap := a.Snapshot()
	ss := reservableSessions(t, snap, 3)
	f.moved, f.removed = ss[0], ss[1]
	// The moved session's room must be free 30 minutes later (native
	// files may not double-book a room).
	for i := range snap.Conf.Sessions {
		o := &snap.Conf.Sessions[i]
		if o.ID != f.moved.ID && o.RoomID == f.moved.RoomID && conference.Overlaps(o.Start, o.End, f.moved.Start.Add(30*time.Minute), f.moved.End.Add(30*time.Minute)) {
			t.Fatalf("the demo's %s is followed at once by %s in its room; pick another", f.moved.ID, o.ID)
		}
	}
	for i := range snap.Conf.Sessions {
		if s := &snap.Conf.Sessions[i]; s.ID != f.moved.ID && s.ID != f.removed.ID && s.ID != ss[2].ID {
			f.edited = s
			break
		}
	}
	if st, _, body := call(t, nil, "POST", f.base+"/api/v1/me/reservations", f.attendee,
		map[string]any{"sessionIds": []string{f.moved.ID, f.removed.ID}}); st != 200 || strings.Count(string(body), `"reserved"`) != 2 {
		t.Fatalf("reserve: %d %s", st, body)
	}
	if st, _, body := call(t, nil, "PUT", f.base+"/api/v1/me/favorites/"+f.moved.ID, f.attendee, map[string]string{"priority": "must"}); st != 200 {
		t.Fatalf("favourite: %d %s", st, body)
	}

	// The organizer's new version of the schedule, as native JSON.
	var c conference.Conference
	raw, _ := json.Marshal(snap.Conf)
	json.Unmarshal(raw, &c)
	out := c.Sessions[:0]
	var added conference.Session
	for _, s := range c.Sessions {
		switch s.ID {
		case f.moved.ID:
			s.Start, s.End = s.Start.Add(30*time.Minute), s.End.Add(30*time.Minute)
		case f.removed.ID:
			added = s
			continue
		case f.edited.ID:
			s.Title += " (updated)"
		}
		out = append(out, s)
	}
	added.ID, added.Code, added.RepeatGroup, added.Title = "NEW-1", "NEW-1", "", "A brand new session"
	c.Sessions = append(out, added)
	var buf bytes.Buffer
	if err := formats.WriteNative(&buf, &c); err != nil {
		t.Fatal(err)
	}
	f.file = buf.Bytes()
	return f
}

func (f *reimportFixture) post(t *testing.T, query, token string, body []byte) (int, importSummary, []byte) {
	t.Helper()
	st, _, out := call(t, nil, "POST", f.base+"/api/v1/admin/import"+query, token, body)
	var sum importSummary
	json.Unmarshal(out, &sum)
	return st, sum, out
}

func (f *reimportFixture) reservations(t *testing.T) map[string]string {
	t.Helper()
	st, _, body := call(t, nil, "GET", f.base+"/api/v1/me/reservations", f.attendee, nil)
	if st != 200 {
		t.Fatalf("reservations: %d %s", st, body)
	}
	var out struct {
		Reservations []struct{ SessionID, Status string }
	}
	mustJSON(t, body, &out)
	m := map[string]string{}
	for _, r := range out.Reservations {
		m[r.SessionID] = r.Status
	}
	return m
}

// sseChanges listens to the attendee's event stream and collects the
// change events until ctx ends or want of them arrived.
func sseChanges(t *testing.T, ctx context.Context, url, token string, want int) <-chan []string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(resp.Body)
	rd.ReadString('\n') // retry:
	out := make(chan []string, 1)
	go func() {
		defer resp.Body.Close()
		var got []string
		event := ""
		for len(got) < want {
			line, err := rd.ReadString('\n')
			if err != nil {
				break
			}
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimSpace(strings.TrimPrefix(line, "event: "))
			case strings.HasPrefix(line, "data: ") && event == "change":
				got = append(got, strings.TrimSpace(strings.TrimPrefix(line, "data: ")))
			}
		}
		out <- got
	}()
	return out
}

func TestReimportUpdatesKeepsAndCancels(t *testing.T) {
	f := newReimportFixture(t)
	rev := f.a.Snapshot().Rev

	// The dry run reports exactly what the import will do, and does nothing.
	st, dry, body := f.post(t, "?dryRun=true", f.org, f.file)
	if st != 200 || !dry.DryRun || dry.Applied || dry.Added != 1 || dry.Changed != 2 || dry.Removed != 1 {
		t.Fatalf("dry run: %d %s", st, body)
	}
	if dry.Seats.ReservationsCancelled != 1 || dry.Seats.ReservationsKept != 1 || dry.Seats.AttendeesAffected != 1 {
		t.Errorf("dry run seats: %+v", dry.Seats)
	}
	kinds := map[string]string{}
	for _, ch := range dry.Changes {
		kinds[ch.SessionID] = ch.Kind
	}
	if kinds[f.moved.ID] != "moved" || kinds[f.removed.ID] != "removed" || kinds[f.edited.ID] != "changed" || kinds["NEW-1"] != "added" {
		t.Errorf("changes: %v", kinds)
	}
	if f.a.Snapshot().Rev != rev {
		t.Error("the dry run stored a revision")
	}
	if got := f.reservations(t); got[f.removed.ID] != "active" || got[f.moved.ID] != "active" {
		t.Errorf("the dry run touched reservations: %v", got)
	}
	if st, _, _ := call(t, nil, "GET", f.base+"/api/v1/sessions/"+f.removed.ID, "", nil); st != 200 {
		t.Errorf("the dry run removed a session: %d", st)
	}

	// The real import: the attendee hears about both of their sessions.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	changes := sseChanges(t, ctx, f.base+"/api/v1/events", f.attendee, 2)
	st, sum, body := f.post(t, "", f.org, f.file)
	if st != 200 || !sum.Applied || sum.Rev != rev+1 || sum.Added != 1 || sum.Changed != 2 || sum.Removed != 1 {
		t.Fatalf("import: %d %s", st, body)
	}
	if sum.Seats.ReservationsCancelled != 1 {
		t.Errorf("import seats: %+v", sum.Seats)
	}
	got := <-changes
	joined := strings.Join(got, " ")
	for _, want := range []string{`{"sessionId":"` + f.removed.ID + `","kind":"cancelled"}`, `{"sessionId":"` + f.moved.ID + `","kind":"moved"}`} {
		if !strings.Contains(joined, want) {
			t.Errorf("change events %v lack %s", got, want)
		}
	}

	res := f.reservations(t)
	if res[f.moved.ID] != "active" || res[f.removed.ID] != "session_cancelled" {
		t.Errorf("after the import: %v", res)
	}
	var moved struct{ Start string }
	_, _, sb := call(t, nil, "GET", f.base+"/api/v1/sessions/"+f.moved.ID, "", nil)
	mustJSON(t, sb, &moved)
	if want := f.a.Snapshot().Local(f.moved.Start.Add(30 * time.Minute)).Format(time.RFC3339); moved.Start != want {
		t.Errorf("moved session starts %s, want %s", moved.Start, want)
	}
	if st, _, _ := call(t, nil, "GET", f.base+"/api/v1/sessions/"+f.removed.ID, "", nil); st != 404 {
		t.Errorf("removed session: %d", st)
	}
	_, _, fb := call(t, nil, "GET", f.base+"/api/v1/me/favorites", f.attendee, nil)
	if !strings.Contains(string(fb), f.moved.ID) {
		t.Errorf("the favourite of the moved session is gone: %s", fb)
	}
	var seats struct{ Seats struct{ Reserved int } }
	_, _, sb = call(t, nil, "GET", f.base+"/api/v1/sessions/"+f.moved.ID, "", nil)
	mustJSON(t, sb, &seats)
	if seats.Seats.Reserved != 1 {
		t.Errorf("moved session's seats: %+v", seats)
	}

	// The same file again changes nothing; an import based on an old
	// revision is refused.
	if st, again, body := f.post(t, "", f.org, f.file); st != 200 || again.Added+again.Changed+again.Removed != 0 {
		t.Errorf("re-import of the same file: %d %s", st, body)
	}
	if st, _, body := f.post(t, fmt.Sprintf("?baseRev=%d", rev), f.org, f.file); st != 409 || errCodeOf(body) != "conflict" {
		t.Errorf("stale baseRev: %d %s", st, body)
	}
}

// brokenCSV has two bad rows: every problem is reported with its place.
const brokenCSV = "type,title,abstract,date,startTime,endTime,room\n" +
	"Breakout session,Fine,,2026-12-01,09:00,10:00,Venetian | Level 2 | Hall B\n" +
	"Breakout session,Bad time,,2026-12-01,9am,10:00,Venetian | Level 2 | Hall B\n" +
	"Breakout session,Bad date,,01/12/2026,11:00,12:00,Venetian | Level 2 | Hall B\n"

func TestImportRefusals(t *testing.T) {
	f := newReimportFixture(t)
	attendee := f.attendee
	rev := f.a.Snapshot().Rev
	if limit := int64(importer.DefaultMaxBytes); limit != formats.MaxFileBytes || importer.FormatBytes(limit) != "64 MB" || f.a.Importer().Limit() != limit {
		t.Fatalf("the production limit is %d, want the readers' 64 MB", f.a.Importer().Limit())
	}
	if importer.DefaultMaxBytes >= 200<<20 {
		t.Fatal("a 200 MB upload must be refused")
	}
	brokenJSON := bytes.Replace(f.file, []byte(`"timeZone": "America/Los_Angeles"`), []byte(`"timeZone": 7`), 1)
	brokenJSON = bytes.Replace(brokenJSON, []byte(`"title": "`+f.moved.Title+`"`), []byte(`"title": false`), 1)

	tests := []struct {
		name, query, token string
		body               []byte
		status             int
		code               string
		check              func(t *testing.T, s importSummary)
	}{
		{"not signed in", "", "", f.file, 401, "unauthorized", nil},
		{"attendee", "", attendee, f.file, 403, "forbidden", nil},
		{"unknown format", "?format=yaml", f.org, f.file, 400, "invalid", nil},
		{"bad dryRun", "?dryRun=maybe", f.org, f.file, 400, "invalid", nil},
		{"broken JSON: every error, with its path", "", f.org, brokenJSON, 422, "invalid", func(t *testing.T, s importSummary) {
			if len(s.Errors) < 2 || s.Added+s.Changed+s.Removed != 0 {
				t.Fatalf("errors %+v", s.Errors)
			}
			paths := ""
			for _, e := range s.Errors {
				paths += e.Path + " " + e.Message + "\n"
			}
			if !strings.Contains(paths, "timeZone") || !strings.Contains(paths, "title") {
				t.Errorf("errors do not name the fields:\n%s", paths)
			}
		}},
		{"broken CSV: every error, with line and column", "?format=csv&timezone=America/Los_Angeles&name=broken.csv", f.org, []byte(brokenCSV), 422, "invalid", func(t *testing.T, s importSummary) {
			if len(s.Errors) != 2 || s.Errors[0].File != "broken.csv" || s.Errors[0].Line != 3 || s.Errors[0].Column == 0 || s.Errors[1].Line != 4 {
				t.Fatalf("errors %+v", s.Errors)
			}
			if !strings.Contains(s.Errors[0].Message, "expected") {
				t.Errorf("message %q does not say what was expected", s.Errors[0].Message)
			}
		}},
		{"a CSV without a time zone", "?format=csv", f.org, []byte(brokenCSV), 422, "invalid", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, sum, body := f.post(t, tc.query, tc.token, tc.body)
			if st != tc.status || sum.Error.Code != tc.code {
				t.Fatalf("%d %s", st, body)
			}
			if tc.check != nil {
				tc.check(t, sum)
			}
		})
	}

	// Over the limit (lowered for the test): refused from the declared
	// length, and from the bytes when no length is declared.
	f.a.Importer().MaxBytes = 1 << 10
	defer func() { f.a.Importer().MaxBytes = 0 }()
	big := bytes.Repeat([]byte("x"), 4<<10)
	for _, chunked := range []bool{false, true} {
		var rd io.Reader = bytes.NewReader(big)
		if chunked {
			rd = io.MultiReader(rd) // hides the length: sent chunked
		}
		req, _ := http.NewRequest("POST", f.base+"/api/v1/admin/import", rd)
		req.Header.Set("Authorization", "Bearer "+f.org)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 413 || errCodeOf(body) != "too_large" || !strings.Contains(string(body), "import limit of 1 KB") {
			t.Errorf("chunked=%v: %d %s", chunked, resp.StatusCode, body)
		}
	}
	if f.a.Snapshot().Rev != rev {
		t.Error("a refused import stored a revision")
	}
	if got := f.reservations(t); got[f.removed.ID] != "active" {
		t.Errorf("a refused import touched reservations: %v", got)
	}
}

var (
	applyTokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)
)

// multipartUpload is the import page's form as a browser sends it: the
// CSRF field first, then the choices and the file.
func multipartUpload(t *testing.T, c *http.Client, u, csrf, format, zone, name string, file []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	mw.WriteField("format", format)
	mw.WriteField("timezone", zone)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", u, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestImportPageDryRunThenApply(t *testing.T) {
	f := newReimportFixture(t)
	rev := f.a.Snapshot().Rev
	var org, att DemoAccount
	for _, d := range f.a.DemoAccounts {
		switch d.Role {
		case account.Organizer:
			org = d
		case account.Attendee:
			att = d
		}
	}

	// An attendee is turned away; anonymous visitors are sent to sign in.
	ac := browser(t)
	signIn(t, ac, f.base, att.Email, att.Password)
	if st, _, _ := page(t, ac, f.base+"/admin/import"); st != 403 {
		t.Errorf("attendee on the import page: %d", st)
	}
	if st, _, _ := page(t, browser(t), f.base+"/admin"); st != http.StatusSeeOther {
		t.Errorf("anonymous on /admin: %d", st)
	}

	c := browser(t)
	signIn(t, c, f.base, org.Email, org.Password)
	st, body, _ := page(t, c, f.base+"/admin")
	if st != 200 || !strings.Contains(body, `href="/admin/import"`) || !strings.Contains(body, "/api/v1/admin/occupancy?day=") {
		t.Fatalf("admin page: %d", st)
	}
	st, body, csrf := page(t, c, f.base+"/admin/import")
	if st != 200 || csrf == "" || !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Fatalf("import page: %d", st)
	}
	upload := f.base + "/admin/import/upload"

	tests := []struct {
		name, csrf, format, zone, file string
		body                           []byte
		status                         int
		want                           []string
	}{
		{"without the CSRF token", "", "auto", "", "new.json", f.file, 403, nil},
		{"a broken file: errors with their places", csrf, "csv", "America/Los_Angeles", "broken.csv", []byte(brokenCSV), 422,
			[]string{"2 problems in broken.csv: nothing was changed", "broken.csv:3:", "broken.csv:4:"}},
		{"no file", csrf, "auto", "", "", nil, 422, []string{"Choose a file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, body := multipartUpload(t, c, upload, tc.csrf, tc.format, tc.zone, tc.file, tc.body)
			if st != tc.status {
				t.Fatalf("%d %.500s", st, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			if strings.Contains(body, "Apply this import") {
				t.Error("a failed check offers to apply")
			}
		})
	}

	st, body = multipartUpload(t, c, upload, csrf, "auto", "", "new.json", f.file)
	if st != 200 || !strings.Contains(body, "Dry run of new.json: nothing has been changed yet") || !strings.Contains(body, "Apply this import") {
		t.Fatalf("dry run page: %d %.1000s", st, body)
	}
	for _, w := range []string{"<dt>Added</dt><dd>1</dd>", "<dt>Changed</dt><dd>2</dd>", "<dt>Removed</dt><dd>1</dd>", "<dt>Reservations cancelled</dt><dd>1</dd>", f.removed.ID} {
		if !strings.Contains(body, w) {
			t.Errorf("the report lacks %q", w)
		}
	}
	m := applyTokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no apply token")
	}
	if f.a.Snapshot().Rev != rev {
		t.Fatal("the page's dry run stored a revision")
	}
	apply := f.base + "/admin/import/apply"
	if st, _, _ := postForm(t, c, apply, url.Values{"token": {m[1]}}); st != 403 {
		t.Errorf("apply without CSRF: %d", st)
	}
	// Another organizer's browser cannot use the token.
	if st, _, _ := postForm(t, ac, apply, url.Values{"csrf": {csrf}, "token": {m[1]}}); st != 403 {
		t.Errorf("apply from another browser: %d", st)
	}
	st, _, out := postForm(t, c, apply, url.Values{"csrf": {csrf}, "token": {m[1]}})
	if st != 200 || !strings.Contains(string(out), fmt.Sprintf("Imported: the conference is now at revision %d", rev+1)) {
		t.Fatalf("apply: %d %.800s", st, out)
	}
	if f.a.Snapshot().Rev != rev+1 {
		t.Error("apply stored nothing")
	}
	if got := f.reservations(t); got[f.removed.ID] != "session_cancelled" || got[f.moved.ID] != "active" {
		t.Errorf("after apply: %v", got)
	}
	if st, _, _ := postForm(t, c, apply, url.Values{"csrf": {csrf}, "token": {m[1]}}); st != http.StatusGone {
		t.Errorf("the token worked twice: %d", st)
	}

	// Over the (lowered) limit: a clear page, nothing kept.
	f.a.Importer().MaxBytes = 1 << 10
	defer func() { f.a.Importer().MaxBytes = 0 }()
	st, body = multipartUpload(t, c, upload, csrf, "auto", "", "big.json", bytes.Repeat([]byte(" "), 200<<10))
	if st != 413 || !strings.Contains(body, "larger than the import limit of 1 KB") {
		t.Errorf("too large: %d %.300s", st, body)
	}
}
