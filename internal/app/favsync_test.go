package app

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/formats"
	"venuehop/internal/httpx"
)

// syncChange is a change as favourites sync exchanges it.
type syncChange struct {
	SessionID   string `json:"sessionId"`
	RepeatGroup string `json:"repeatGroup,omitempty"`
	Starred     bool   `json:"starred"`
	Priority    string `json:"priority,omitempty"`
	At          string `json:"at,omitempty"`
	ClientAt    string `json:"clientAt,omitempty"`
}

type syncAnswer struct {
	Changes []syncChange
	Cursor  string
}

// device is one client of the attendee: its own token, cursor, the states
// it knows (session id -> priority, "" = not starred) and the changes made
// offline, not yet sent. It does what favsync.js does.
type device struct {
	base, token, cursor string
	known               map[string]string // repeat group -> "session:priority" or "-"
	pending             []syncChange
}

func newDevice(base, token string) *device {
	return &device{base: base, token: token, known: map[string]string{}}
}

func (d *device) apply(t *testing.T, st int, body []byte) {
	t.Helper()
	if st != 200 {
		t.Fatalf("sync: %d %s", st, body)
	}
	var ans syncAnswer
	mustJSON(t, body, &ans)
	if ans.Cursor == "" {
		t.Fatalf("sync answer without a cursor: %s", body)
	}
	for _, c := range ans.Changes {
		if c.At == "" || c.RepeatGroup == "" {
			t.Errorf("change without at or repeatGroup: %+v", c)
		}
		if c.Starred {
			d.known[c.RepeatGroup] = c.Priority
		} else {
			d.known[c.RepeatGroup] = "-"
		}
	}
	d.cursor = ans.Cursor
}

func (d *device) star(id string, p string) {
	d.pending = append(d.pending, syncChange{SessionID: id, Starred: true, Priority: p, ClientAt: time.Now().Format(time.RFC3339)})
}

func (d *device) unstar(id string) { d.pending = append(d.pending, syncChange{SessionID: id}) }

// sync pulls first, then pushes what is pending.
func (d *device) sync(t *testing.T) {
	t.Helper()
	st, _, body := call(t, nil, "GET", d.base+"/api/v1/me/favorites/changes?since="+d.cursor, d.token, nil)
	d.apply(t, st, body)
	if len(d.pending) == 0 {
		return
	}
	st, _, body = call(t, nil, "POST", d.base+"/api/v1/me/favorites/changes", d.token,
		map[string]any{"changes": d.pending, "since": d.cursor})
	d.apply(t, st, body)
	d.pending = nil
}

// starred is the device's set: "group:priority" of the starred.
func (d *device) starred() []string {
	var out []string
	for g, p := range d.known {
		if p != "-" {
			out = append(out, g+":"+p)
		}
	}
	sort.Strings(out)
	return out
}

// serverFavorites is GET /api/v1/me/favorites as "group:priority".
func serverFavorites(t *testing.T, base, token string) []string {
	t.Helper()
	st, _, body := call(t, nil, "GET", base+"/api/v1/me/favorites", token, nil)
	if st != 200 {
		t.Fatalf("favourites: %d %s", st, body)
	}
	var out struct {
		Favorites []struct{ RepeatGroup, Priority string }
	}
	mustJSON(t, body, &out)
	var list []string
	for _, f := range out.Favorites {
		list = append(list, f.RepeatGroup+":"+f.Priority)
	}
	sort.Strings(list)
	return list
}

func login(t *testing.T, base, email, password string) string {
	t.Helper()
	st, _, body := call(t, nil, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	if st != 200 {
		t.Fatalf("login: %d %s", st, body)
	}
	var out struct{ Token string }
	mustJSON(t, body, &out)
	return out.Token
}

// distinctGroups returns n sessions of different contents.
func distinctGroups(t *testing.T, snap *conference.Snapshot, n int) []*conference.Session {
	t.Helper()
	seen := map[string]bool{}
	var out []*conference.Session
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if !seen[se.Group()] {
			seen[se.Group()] = true
			out = append(out, se)
		}
		if len(out) == n {
			return out
		}
	}
	t.Fatalf("the demo has fewer than %d contents", n)
	return nil
}

// TestFavoriteSyncTwoDevicesConverge: two devices of one attendee edit
// offline, then sync in either order; both end with the server's set,
// which is the last write in server order of each content.
func TestFavoriteSyncTwoDevicesConverge(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	ss := distinctGroups(t, a.Snapshot(), 4)
	x, y, z, w := ss[0].ID, ss[1].ID, ss[2].ID, ss[3].ID
	g := func(se *conference.Session) string { return se.Group() }
	type edits func(a, b *device)
	tests := []struct {
		name    string
		before  []string // starred (want) by the old API before both go offline
		offline edits
		// want per order: A syncs first, B syncs first
		wantAB, wantBA []string
	}{
		{"different sessions", nil, func(da, db *device) { da.star(x, "must"); da.star(y, "want"); db.star(z, "maybe") },
			[]string{g(ss[0]) + ":must", g(ss[1]) + ":want", g(ss[2]) + ":maybe"},
			[]string{g(ss[0]) + ":must", g(ss[1]) + ":want", g(ss[2]) + ":maybe"}},
		{"a tombstone later in server order wins over a star", []string{x}, func(da, db *device) { da.star(x, "must"); db.unstar(x) },
			[]string{}, []string{g(ss[0]) + ":must"}},
		{"unstarred on one, kept on the other", []string{x, y}, func(da, db *device) { da.unstar(x); db.star(z, "want") },
			[]string{g(ss[1]) + ":want", g(ss[2]) + ":want"}, []string{g(ss[1]) + ":want", g(ss[2]) + ":want"}},
		{"both star with other priorities: the later wins", nil, func(da, db *device) { da.star(w, "must"); db.star(w, "maybe") },
			[]string{g(ss[3]) + ":maybe"}, []string{g(ss[3]) + ":must"}},
		{"star then unstar on one device", nil, func(da, db *device) { da.star(y, "must"); da.unstar(y); db.star(x, "want") },
			[]string{g(ss[0]) + ":want"}, []string{g(ss[0]) + ":want"}},
	}
	for i, tt := range tests {
		for _, order := range []string{"AB", "BA"} {
			t.Run(tt.name+"/"+order, func(t *testing.T) {
				email := fmt.Sprintf("conv%d%s@example.com", i, order)
				ta := signup(t, srv, email, "correct horse battery")
				tb := login(t, srv.URL, email, "correct horse battery")
				for _, id := range tt.before {
					if st, _, body := call(t, nil, "PUT", srv.URL+"/api/v1/me/favorites/"+id, ta, map[string]string{"priority": "want"}); st != 200 {
						t.Fatalf("star: %d %s", st, body)
					}
				}
				da, db := newDevice(srv.URL, ta), newDevice(srv.URL, tb)
				da.sync(t)
				db.sync(t)
				// Offline: only the change lists grow.
				tt.offline(da, db)
				first, second := da, db
				want := tt.wantAB
				if order == "BA" {
					first, second, want = db, da, tt.wantBA
				}
				first.sync(t)
				second.sync(t)
				first.sync(t)
				server := serverFavorites(t, srv.URL, ta)
				want = slices.Sorted(slices.Values(want))
				if !slices.Equal(server, want) && !(len(server) == 0 && len(want) == 0) {
					t.Errorf("server favourites %v, want %v", server, want)
				}
				if !slices.Equal(da.starred(), server) || !slices.Equal(db.starred(), server) {
					t.Errorf("devices did not converge: A %v, B %v, server %v", da.starred(), db.starred(), server)
				}
				// A third, new device pulls everything and agrees.
				dc := newDevice(srv.URL, login(t, srv.URL, email, "correct horse battery"))
				dc.sync(t)
				if !slices.Equal(dc.starred(), server) {
					t.Errorf("a new device pulled %v, server %v", dc.starred(), server)
				}
			})
		}
	}
}

// TestFavoriteSyncCursorAndLimits: cursor semantics, the old API writing
// states, validation and authorization.
func TestFavoriteSyncCursorAndLimits(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	tok := signup(t, srv, "cursor@example.com", "correct horse battery")
	ss := distinctGroups(t, a.Snapshot(), 3)
	api := srv.URL + "/api/v1/me/favorites/changes"
	get := func(t *testing.T, since string) syncAnswer {
		t.Helper()
		st, _, body := call(t, nil, "GET", api+"?since="+since, tok, nil)
		if st != 200 {
			t.Fatalf("GET since %q: %d %s", since, st, body)
		}
		var ans syncAnswer
		mustJSON(t, body, &ans)
		return ans
	}
	if ans := get(t, ""); len(ans.Changes) != 0 || ans.Cursor != "0" {
		t.Errorf("nothing yet: %+v", ans)
	}
	// The old PUT and DELETE are changes too.
	call(t, nil, "PUT", srv.URL+"/api/v1/me/favorites/"+ss[0].ID, tok, map[string]string{"priority": "must"})
	call(t, nil, "PUT", srv.URL+"/api/v1/me/favorites/"+ss[1].ID, tok, map[string]string{"priority": "want"})
	c1 := get(t, "")
	if len(c1.Changes) != 2 || !c1.Changes[0].Starred || c1.Changes[0].SessionID != ss[0].ID || c1.Changes[0].Priority != "must" {
		t.Fatalf("after two PUTs: %+v", c1)
	}
	if again := get(t, c1.Cursor); len(again.Changes) != 0 || again.Cursor != c1.Cursor {
		t.Errorf("since the newest cursor: %+v, want nothing and the same cursor", again)
	}
	call(t, nil, "DELETE", srv.URL+"/api/v1/me/favorites/"+ss[0].ID, tok, nil)
	c2 := get(t, c1.Cursor)
	if len(c2.Changes) != 1 || c2.Changes[0].Starred || c2.Changes[0].SessionID != ss[0].ID || c2.Changes[0].Priority != "" {
		t.Fatalf("after a DELETE: %+v, want one tombstone", c2)
	}
	// A new device gets the tombstone too, each content once.
	if all := get(t, ""); len(all.Changes) != 2 || all.Cursor != c2.Cursor {
		t.Errorf("a full pull: %+v", all)
	}
	// A cursor from elsewhere (beyond anything of this attendee's) gets everything.
	if all := get(t, "999999999"); len(all.Changes) != 2 || all.Cursor != c2.Cursor {
		t.Errorf("a foreign cursor: %+v", all)
	}
	// POST answers what the device has not seen, its own changes included.
	st, _, body := call(t, nil, "POST", api, tok, map[string]any{"since": c1.Cursor,
		"changes": []syncChange{{SessionID: ss[2].ID, Starred: true}, {SessionID: "gone-from-the-catalog", Starred: true, Priority: "maybe"}}})
	var p syncAnswer
	mustJSON(t, body, &p)
	if st != 200 || len(p.Changes) != 3 || p.Changes[0].SessionID != ss[0].ID || p.Changes[1].Priority != "want" || p.Changes[2].SessionID != "gone-from-the-catalog" {
		t.Errorf("POST since c1: %d %s", st, body)
	}

	many := make([]syncChange, account.MaxSyncChanges+1)
	for i := range many {
		many[i] = syncChange{SessionID: fmt.Sprintf("s%d", i), Starred: true}
	}
	tests := []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"no token", "", map[string]any{"changes": []syncChange{}}, 401},
		{"bad cursor", tok, map[string]any{"since": "abc"}, 422},
		{"negative cursor", tok, map[string]any{"since": "-1"}, 422},
		{"too many changes", tok, map[string]any{"changes": many}, 422},
		{"empty id", tok, map[string]any{"changes": []syncChange{{SessionID: "", Starred: true}}}, 422},
		{"id with a space", tok, map[string]any{"changes": []syncChange{{SessionID: "a b", Starred: true}}}, 422},
		{"id too long", tok, map[string]any{"changes": []syncChange{{SessionID: strings.Repeat("x", 129), Starred: true}}}, 422},
		{"bad priority", tok, map[string]any{"changes": []syncChange{{SessionID: ss[2].ID, Starred: true, Priority: "urgent"}}}, 422},
		{"bad clientAt", tok, map[string]any{"changes": []syncChange{{SessionID: ss[2].ID, Starred: true, ClientAt: "yesterday"}}}, 422},
		{"malformed JSON", tok, `{"changes":[`, 400},
		{"1 MB body", tok, `{"since":"` + strings.Repeat("1", 1<<20) + `"}`, 413},
	}
	before := get(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := call(t, nil, "POST", api, tt.token, tt.body)
			if st != tt.status {
				t.Errorf("status %d, want %d: %.300s", st, tt.status, body)
			}
		})
	}
	if after := get(t, ""); after.Cursor != before.Cursor {
		t.Errorf("a refused request changed states: cursor %s, was %s", after.Cursor, before.Cursor)
	}
	if st, _, _ := call(t, nil, "GET", api, "", nil); st != 401 {
		t.Errorf("GET without a token: %d", st)
	}
	// Another attendee sees none of it.
	other := signup(t, srv, "other@example.com", "correct horse battery")
	if st, _, body := call(t, nil, "GET", api, other, nil); st != 200 || !strings.Contains(string(body), `"changes":[]`) {
		t.Errorf("another attendee's pull: %d %s", st, body)
	}
}

// TestFavoriteSyncCookieNeedsCSRF: the page script's way (session cookie)
// needs the CSRF header on the POST.
func TestFavoriteSyncCookieNeedsCSRF(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	signup(t, srv, "cookie-sync@example.com", "correct horse battery")
	c := browser(t)
	csrf := signIn(t, c, srv.URL, "cookie-sync@example.com", "correct horse battery")
	id := distinctGroups(t, a.Snapshot(), 1)[0].ID
	body := map[string]any{"changes": []syncChange{{SessionID: id, Starred: true}}}
	if st, _, _ := call(t, c, "POST", srv.URL+"/api/v1/me/favorites/changes", "", body); st != http.StatusForbidden {
		t.Errorf("cookie POST without the CSRF header: %d, want 403", st)
	}
	if st, _, b := call(t, c, "POST", srv.URL+"/api/v1/me/favorites/changes", "", body, httpx.CSRFHeader, csrf); st != 200 || !strings.Contains(string(b), id) {
		t.Errorf("cookie POST with the header: %d %s", st, b)
	}
	if st, _, b := call(t, c, "GET", srv.URL+"/api/v1/me/favorites/changes", "", nil); st != 200 || !strings.Contains(string(b), id) {
		t.Errorf("cookie GET: %d %s", st, b)
	}
}

// TestReimportKeepsFavoriteStates: a re-import that removes a starred
// session leaves the favourite and its sync state untouched; the session
// comes back starred when a later import restores it.
func TestReimportKeepsFavoriteStates(t *testing.T) {
	f := newReimportFixture(t)
	ctx := context.Background()
	original := f.a.Snapshot()
	if st, _, body := call(t, nil, "PUT", f.base+"/api/v1/me/favorites/"+f.removed.ID, f.attendee, map[string]string{"priority": "must"}); st != 200 {
		t.Fatalf("star: %d %s", st, body)
	}
	me := func() string {
		_, _, body := call(t, nil, "GET", f.base+"/api/v1/me", f.attendee, nil)
		var u struct{ User struct{ ID string } }
		mustJSON(t, body, &u)
		if u.User.ID == "" {
			var v struct{ ID string }
			mustJSON(t, body, &v)
			return v.ID
		}
		return u.User.ID
	}()
	states := func() string {
		list, high, err := f.a.store.Accounts.FavoriteChanges(ctx, me, 0)
		if err != nil {
			t.Fatal(err)
		}
		favs, _ := f.a.store.Accounts.Favorites(ctx, me)
		return fmt.Sprintf("%+v high %d favourites %+v", list, high, favs)
	}
	before := states()
	if !strings.Contains(before, f.removed.ID) {
		t.Fatalf("states before: %s", before)
	}
	if st, sum, body := f.post(t, "", f.org, f.file); st != 200 || sum.Removed != 1 {
		t.Fatalf("import: %d %s", st, body)
	}
	if after := states(); after != before {
		t.Errorf("the re-import touched favourite rows:\nbefore %s\nafter  %s", before, after)
	}
	d := newDevice(f.base, f.attendee)
	d.sync(t)
	if d.known[f.removed.Group()] != "must" {
		t.Errorf("a new device does not get the removed session's favourite: %v", d.known)
	}
	// The organizer puts the session back: it is starred again.
	var restored bytes.Buffer
	if err := formats.WriteNative(&restored, original.Conf); err != nil {
		t.Fatal(err)
	}
	if st, sum, body := f.post(t, "", f.org, restored.Bytes()); st != 200 || sum.Added < 1 {
		t.Fatalf("restoring import: %d %s", st, body)
	}
	_, _, fb := call(t, nil, "GET", f.base+"/api/v1/me/favorites", f.attendee, nil)
	var favs struct {
		Favorites []struct {
			SessionID, Priority string
			Sittings            []string
		}
	}
	mustJSON(t, fb, &favs)
	found := false
	for _, fv := range favs.Favorites {
		if fv.SessionID == f.removed.ID {
			found = fv.Priority == "must" && slices.Contains(fv.Sittings, f.removed.ID)
		}
	}
	if !found {
		t.Errorf("the restored session is not starred with its sitting: %s", fb)
	}
}

// BenchmarkFavoriteSyncFirstPull is a new device's first sync through
// HTTP: one attendee with 150 favourites (some removed again: tombstones)
// in a store holding 1,000 other attendees with 150 states each. The goal
// is at most 1 s per pull on the event's server.
func BenchmarkFavoriteSyncFirstPull(b *testing.B) {
	a, srv := newTestApp(b)
	ctx := context.Background()
	snap := a.Snapshot()
	seen := map[string]bool{}
	var groups []*conference.Session
	for i := range snap.Conf.Sessions {
		if se := &snap.Conf.Sessions[i]; !seen[se.Group()] {
			seen[se.Group()] = true
			groups = append(groups, se)
		}
	}
	if len(groups) < 150 {
		b.Fatalf("the demo has %d contents, want 150", len(groups))
	}
	prios := []account.Priority{account.Must, account.Want, account.Maybe}
	var users []account.User
	for n := range 1001 {
		u, err := a.accounts.NewUser(fmt.Sprintf("sync%d@example.com", n), "Sync", account.Attendee)
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, u)
	}
	tok, hash := account.NewToken()
	now := time.Now()
	if err := a.store.Bulk.BulkAttendees(ctx, users, []account.Token{{Hash: hash, UserID: users[0].ID, Kind: account.APIToken,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}}); err != nil {
		b.Fatal(err)
	}
	for n, u := range users {
		changes := make([]account.FavoriteChange, 0, 160)
		for i, se := range groups[:150] {
			changes = append(changes, account.FavoriteChange{RepeatGroup: se.Group(), SessionID: se.ID, Starred: true, Priority: prios[(i+n)%3], At: now})
		}
		for _, se := range groups[:10] {
			changes = append(changes, account.FavoriteChange{RepeatGroup: se.Group(), SessionID: se.ID, At: now})
		}
		if _, err := a.store.Accounts.ApplyFavoriteChanges(ctx, u.ID, changes, account.MaxFavoriteStates); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		st, _, body := call(b, nil, "GET", srv.URL+"/api/v1/me/favorites/changes", tok, nil)
		if st != 200 || strings.Count(string(body), `"sessionId"`) != 150 {
			b.Fatalf("pull: %d %.200s", st, body)
		}
	}
}
