package app

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/demo"
	"venuehop/internal/live"
	"venuehop/internal/store/sqlite"
)

// tab is a browser tab on the app, with the helpers the plan stories use.
type tab struct {
	t        *testing.T
	ctx      context.Context
	base     string
	shots    string
	problems func() []string
}

func newTab(t *testing.T, ctx context.Context, base string) *tab {
	return &tab{t: t, ctx: ctx, base: base, shots: browsertest.ShotsDir(t), problems: browsertest.WatchConsole(ctx)}
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *tab) is(js string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (b *tab) text(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (b *tab) wait(what, js string) {
	b.t.Helper()
	b.do(what, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second)))
}

// phone is the phone-sized window every story ends on.
func (b *tab) phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))
}

// signIn signs in through the form and lands on next, waiting for ready
// (a CSS selector of that page).
func (b *tab) signIn(email, password, next, ready string) {
	b.t.Helper()
	b.do("sign in",
		b.phone(),
		chromedp.Navigate(b.base+"/signin?next="+url.QueryEscape(next)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	)
}

// shot saves a full-page screenshot and checks the page fits a phone.
func (b *tab) shot(name string) {
	b.t.Helper()
	if !b.is(`document.documentElement.scrollWidth <= window.innerWidth + 1`) {
		b.t.Errorf("%s scrolls sideways on a phone", name)
	}
	browsertest.Screenshot(b.t, b.ctx, filepath.Join(b.shots, name+".png"))
	// And the first screen, as the phone shows it before scrolling.
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+"-screen.png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *tab) noConsoleProblems() {
	b.t.Helper()
	for _, p := range b.problems() {
		b.t.Errorf("browser console: %s", p)
	}
}

// collidingSeats finds, on one day, a session a and a later one b that
// cannot be reached from a in time (both reservable, a with a single
// sitting), and a repeat b2 of b on another day that has seats.
func collidingSeats(t *testing.T, st *live.State, day string) (a, b, b2 *conference.Session) {
	t.Helper()
	snap, tm := st.Snap, st.Travel
	ok := func(s *conference.Session) bool {
		return s.Scheduled() && !s.Cancelled && s.Reservable && s.Type != conference.TypeKeynote
	}
	for i := range snap.Conf.Sessions {
		x := &snap.Conf.Sessions[i]
		if !ok(x) || snap.Day(x.Start) != day || len(snap.Sittings(x.Group())) != 1 {
			continue
		}
		rx, _ := tm.RoomIndex(x.RoomID)
		for j := range snap.Conf.Sessions {
			y := &snap.Conf.Sessions[j]
			gap := y.Start.Sub(x.End)
			if !ok(y) || snap.Day(y.Start) != day || gap < 0 || gap > 45*time.Minute {
				continue
			}
			ry, _ := tm.RoomIndex(y.RoomID)
			vx, _ := snap.VenueOfRoom(x.RoomID)
			vy, _ := snap.VenueOfRoom(y.RoomID)
			if vx.ID == vy.ID || tm.ArriveBy(rx, ry, tm.Minute(x.End)) <= tm.Minute(y.Start) {
				continue
			}
			for _, z := range snap.Sittings(y.Group()) {
				if z != y && ok(z) && (snap.Day(z.Start) != day || z.Start.After(y.End.Add(time.Hour))) {
					return x, y, z
				}
			}
		}
	}
	t.Fatalf("no two sessions on %s that cannot both be reached", day)
	return nil, nil, nil
}

// reserve holds seats through the API.
func reserve(t *testing.T, base, tok string, ids ...string) []byte {
	t.Helper()
	st, _, body := call(t, nil, "POST", base+"/api/v1/me/reservations", tok, map[string]any{"sessionIds": ids})
	if st != 200 || strings.Count(string(body), `"status":"reserved"`) != len(ids) {
		t.Fatalf("reserve %v: %d %s", ids, st, body)
	}
	return body
}

// activeSeats are the attendee's active reservations.
func activeSeats(t *testing.T, base, tok string) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	for k, n := range reservationsOf(t, base, tok) { // offline_browser_test.go
		if !strings.HasPrefix(k, "all:") && n > 0 {
			m[k] = true
		}
	}
	return m
}

// TestBrowserOptimizeRepairsCollidingSeats is the week that could not be
// lived: two seats that cannot both be reached and a starred keynote. My
// week draws the impossible leg; Optimize (with its options) proposes
// moving the later seat to a repeat that has seats, saying why in words;
// accepting moves the seat through the engine and leaves no impossible
// leg. On a phone.
func TestBrowserOptimizeRepairsCollidingSeats(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv, _ := newAuthApp(t)
	b := newTab(t, ctx, srv.URL)
	st := a.live.Load()
	day := st.Snap.Conf.Days[1]
	x, y, y2 := collidingSeats(t, st, day)
	tok := signup(t, srv, "repair@example.com", "correct horse battery")
	reserve(t, srv.URL, tok, x.ID, y.ID)
	star(t, srv.URL, tok, y.ID, "want")

	b.signIn("repair@example.com", "correct horse battery", "/me/week?day="+day, ".timeline")
	if !b.is(`[...document.querySelectorAll('.timeline .leg')].some(l => l.dataset.status === 'impossible')`) {
		t.Fatalf("the colliding seats draw no impossible leg: %s", b.text(`document.body.innerText`))
	}
	b.do("open the options and optimize",
		chromedp.Click(chromedp.CSS(".plan-options summary")),
		chromedp.WaitVisible(chromedp.CSS("#pace")),
		chromedp.SetValue(chromedp.CSS("#buffer"), "10"),
		chromedp.Click(chromedp.CSS("#optimize")),
		chromedp.WaitVisible(chromedp.CSS("#proposal .proposal-actions .accept")),
	)
	repair := b.text(`(document.querySelector('#proposal .repair-move') || {innerText: ''}).innerText`)
	if !strings.Contains(repair, y.Title) || !strings.Contains(repair, "cannot both be reached") || !strings.Contains(repair, "repeat") || !strings.Contains(repair, "has seats") {
		t.Fatalf("no repair moving %q with its reason: %q\n%s", y.Title, repair, b.text(`document.querySelector('#proposal').innerText`))
	}
	if strings.Contains(repair, y.ID) || strings.Contains(repair, y2.ID) {
		t.Errorf("the reason names session ids: %q", repair)
	}
	if b.is(`/proven best/.test(document.querySelector('#proposal .proof').textContent)`) != true {
		t.Errorf("the repaired plan is not proven best: %q", b.text(`document.querySelector('#proposal .proof').textContent`))
	}
	if !b.is(`document.querySelector('#buffer').value === '10'`) {
		t.Error("the options form forgot the buffer it planned with")
	}
	b.shot("week-proposal-phone")

	b.do("accept", chromedp.Click(chromedp.CSS("#proposal .proposal-actions .accept")), chromedp.WaitVisible(chromedp.CSS(".notice.ok")))
	notice := b.text(`document.querySelector('.notice.ok').innerText`)
	if !strings.Contains(notice, "Plan accepted") || !strings.Contains(notice, "Your seat moved to") {
		t.Errorf("accepting says %q", notice)
	}
	if b.is(`[...document.querySelectorAll('.timeline .leg')].some(l => ['impossible', 'overlap', 'seat_lost'].includes(l.dataset.status))`) {
		t.Errorf("the accepted week still has a leg that cannot be made: %s", b.text(`document.querySelector('.timeline').innerText`))
	}
	seats := activeSeats(t, srv.URL, tok)
	if !seats[x.ID] || seats[y.ID] || !seats[y2.ID] {
		t.Errorf("seats after accepting: %v, want %s kept, %s moved to %s", seats, x.ID, y.ID, y2.ID)
	}
	for _, d := range st.Snap.Conf.Days {
		for _, l := range getAgenda(t, srv.URL, tok, d).Legs {
			if l.Status == "impossible" || l.Status == "overlap" || l.Status == "seat_lost" {
				t.Errorf("%s: leg %s → %s is %s after accepting", d, l.From, l.To, l.Status)
			}
		}
	}
	b.shot("week-phone")

	// A lock is kept no matter what.
	b.do("lock the first seat",
		chromedp.Click(chromedp.CSS(".timeline .item .lock-form button")),
		chromedp.WaitVisible(chromedp.CSS(".timeline .item.locked")),
	)
	b.noConsoleProblems()
	_ = fmt.Sprint
}

// TestBrowserReservationWarns: reserving a seat that cannot be reached
// from the one before says so, and offers the repeat that fits.
func TestBrowserReservationWarns(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv, _ := newAuthApp(t)
	b := newTab(t, ctx, srv.URL)
	st := a.live.Load()
	x, y, y2 := collidingSeats(t, st, st.Snap.Conf.Days[1])
	tok := signup(t, srv, "warn@example.com", "correct horse battery")
	reserve(t, srv.URL, tok, x.ID)

	b.signIn("warn@example.com", "correct horse battery", "/sessions/"+y.ID, ".seatbox")
	b.do("reserve the seat that cannot be reached",
		chromedp.Click(chromedp.CSS(`.seatbox form[action="/me/reservations/`+y.ID+`"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".seatbox .seat-flash")),
	)
	flash := b.text(`document.querySelector('.seatbox .seat-flash').innerText`)
	if !strings.Contains(flash, "Reserved") || !strings.Contains(flash, "Heads up") || !strings.Contains(flash, "in time") ||
		!strings.Contains(flash, x.Title) || !strings.Contains(flash, "repeat") {
		t.Errorf("the answer does not warn: %q", flash)
	}
	if !b.is(`document.querySelector('.seatbox .seat-flash a[href="/sessions/` + y2.ID + `"]') !== null`) {
		t.Errorf("the warning does not link the repeat that fits (%s): %s", y2.ID, b.text(`document.querySelector('.seatbox .seat-flash').innerHTML`))
	}
	b.shot("session-warning-phone")
	b.noConsoleProblems()
}

// duringEvent starts the app with the clock pinned at a local time of the
// conference's second day.
func duringEvent(t *testing.T, clock string) (*App, *httptest.Server) {
	t.Helper()
	now := onTuesday(t, clock)
	return newAppWith(t, func(c *config.Config) { c.Now = now })
}

// onTuesday is a local time of the demo's second day, Tuesday 1 December.
func onTuesday(t *testing.T, hhmm string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("America/Los_Angeles")
	at, err := time.ParseInLocation("2006-01-02 15:04", "2026-12-01 "+hhmm, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// firstStarting is the first scheduled session of a venue starting in
// [from, to) that fits the test (and is not a keynote).
func firstStarting(snap *conference.Snapshot, venue string, from, to time.Time, fits func(*conference.Session) bool) *conference.Session {
	var best *conference.Session
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		v, _ := snap.VenueOfRoom(s.RoomID)
		if !s.Scheduled() || s.Cancelled || s.Type == conference.TypeKeynote || s.Start.Before(from) || !s.Start.Before(to) ||
			(venue != "" && v.ID != venue) || (fits != nil && !fits(s)) {
			continue
		}
		if best == nil || s.Start.Before(best.Start) {
			best = s
		}
	}
	return best
}

// TestBrowserNowKeepsCommitments: at 12:30, with lunch with a colleague at
// 12:40 and a seat at 14:30, Now does not propose what would make the
// attendee miss them: those are set apart, saying what would be missed.
// "I am at" starts where the plan puts them; leave-in counts down; cards
// have the reserve button. Before the conference the page says when it
// starts and offers a pinned time to try it.
func TestBrowserNowKeepsCommitments(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv := duringEvent(t, "12:30")
	b := newTab(t, ctx, srv.URL)
	snap := a.Snapshot()
	at := func(hhmm string) time.Time { return onTuesday(t, hhmm) }
	venue := snap.Conf.Venues[0].ID
	seat := firstStarting(snap, venue, at("14:15"), at("14:45"), func(s *conference.Session) bool { return s.Reservable })
	if seat == nil {
		t.Fatal("no sessions for the scenario")
	}
	srvURL := srv.URL
	tok := signup(t, srv, "now@example.com", "correct horse battery")
	reserve(t, srvURL, tok, seat.ID)
	if st, _, body := call(t, nil, "POST", srvURL+"/api/v1/me/blocks", tok, map[string]string{"title": "Lunch with Bo",
		"start": "2026-12-01T12:40", "end": "2026-12-01T13:20", "venueId": venue}); st != 201 {
		t.Fatalf("block: %d %s", st, body)
	}

	b.signIn("now@example.com", "correct horse battery", "/me/now", ".now-form")
	if got := b.text(`document.querySelector('#from').value`); got != venue {
		t.Errorf("I am at defaults to %q, want %q, where the plan puts the attendee next", got, venue)
	}
	if !b.is(`/Next in your plan: “Lunch with Bo” at 12:40/.test(document.querySelector('.now-next').textContent)`) {
		t.Errorf("the next commitment is not named: %s", b.text(`document.body.innerText`))
	}
	// The API says which suggestions would make the attendee miss what.
	st, _, nb := call(t, nil, "GET", srvURL+"/api/v1/me/next", tok, nil)
	var next struct {
		Reachable []struct {
			Session struct {
				SessionID  string
				Start, End time.Time
			}
			Misses *struct{ Title string }
		}
	}
	if st != 200 {
		t.Fatalf("next: %d %s", st, nb)
	}
	mustJSON(t, nb, &next)
	clash, late := "", ""
	for _, r := range next.Reachable {
		overLunch := r.Session.Start.Before(at("13:20")) && r.Session.End.After(at("12:40"))
		switch {
		case overLunch && (r.Misses == nil || r.Misses.Title != "Lunch with Bo"):
			t.Errorf("%s overlaps the lunch block, misses %v", r.Session.SessionID, r.Misses)
		case overLunch && clash == "":
			clash = r.Session.SessionID
		case r.Misses != nil && r.Misses.Title == seat.Title && late == "":
			late = r.Session.SessionID
		}
	}
	if clash == "" || late == "" {
		t.Fatalf("no suggestion over lunch (%q) or making the seat late (%q): %s", clash, late, nb)
	}
	for _, id := range []string{clash, late} {
		if b.is(`[...document.querySelectorAll('.now > .now-list .now-card')].some(c => c.dataset.session === '` + id + `')`) {
			t.Errorf("Now proposes %s, which breaks the attendee's plan", id)
		}
	}
	missing := b.text(`(() => { const c = document.querySelector('.now-missing .now-card[data-session="` + clash + `"]'); return c ? c.textContent : '' })()`)
	if !strings.Contains(missing, "You would miss “Lunch with Bo” at 12:40") {
		t.Errorf("the suggestion %s that breaks the lunch block does not say so: %q", clash, missing)
	}
	missing = b.text(`(() => { const c = document.querySelector('.now-missing .now-card[data-session="` + late + `"]'); return c ? c.textContent : '' })()`)
	if !strings.Contains(missing, "You would miss “"+seat.Title+"”") {
		t.Errorf("the suggestion %s that makes the seat at 14:30 late does not say so: %q", late, missing)
	}
	b.do("open the set-apart list", chromedp.Click(chromedp.CSS(".now-missing summary")))
	b.shot("now-phone")

	// Someone with nothing planned: the full list, a countdown, buttons.
	signup(t, srv, "free@example.com", "correct horse battery")
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS(".catalog")))
	b.signIn("free@example.com", "correct horse battery", "/me/now", ".now-form")
	if !b.is(`document.querySelectorAll('.now-list .now-card [data-leave-by]').length > 0`) {
		t.Fatalf("no card with a leave-by: %s", b.text(`document.body.innerText`))
	}
	before := b.text(`document.querySelector('.now-list .now-card [data-leave-by] .leave-in').textContent`)
	b.do("let five minutes pass", chromedp.Evaluate[chromedp.Void](`(() => { const real = Date.now; Date.now = () => real() + 5 * 60000; })()`))
	b.wait("the countdown moves", `document.querySelector('.now-list .now-card [data-leave-by] .leave-in').textContent !== `+jsString(before))
	if !b.is(`document.querySelector('.now-list .now-card .seat-form button') !== null`) {
		t.Error("no reserve or waitlist button on the cards")
	}
	b.do("reserve from a card",
		chromedp.Click(chromedp.CSS(`.now-list .now-card .seat-form button`)),
		chromedp.WaitVisible(chromedp.CSS(".now-list .now-card .seat-flash")),
	)
	if !b.is(`/Reserved|waitlist/i.test(document.querySelector('.now-list .now-card .seat-flash').textContent)`) {
		t.Errorf("the card's button did nothing: %s", b.text(`document.querySelector('.now-list .now-card .seat-flash').textContent`))
	}
	b.noConsoleProblems()
}

// TestBrowserNowBeforeTheEvent: before the conference Now says when it
// starts and offers to try the first morning.
func TestBrowserNowBeforeTheEvent(t *testing.T) {
	ctx := browsertest.New(t)
	_, srv, _ := newAuthApp(t)
	b := newTab(t, ctx, srv.URL)
	signup(t, srv, "early@example.com", "correct horse battery")
	b.signIn("early@example.com", "correct horse battery", "/me/now", ".now-form")
	if !b.is(`/The conference starts Monday 30 November at 08:00/.test(document.querySelector('.before-event').textContent)`) {
		t.Fatalf("no start date: %s", b.text(`document.body.innerText`))
	}
	b.do("try it", chromedp.Click(chromedp.CSS(".before-event a")), chromedp.WaitVisible(chromedp.CSS(".now-form")))
	if got := b.text(`document.querySelector('#at').value`); got != "2026-11-30T09:30" {
		t.Errorf("the pinned time is %q, want the first morning", got)
	}
	if b.is(`document.querySelector('.before-event') !== null`) {
		t.Error("the pinned first morning still says the conference has not started")
	}
	b.noConsoleProblems()
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// newAppWithConference starts the app on a store holding the demo as edit
// leaves it, the clock pinned as set (nil: before the conference).
func newAppWithConference(t *testing.T, edit func(*conference.Conference), set func(*config.Config)) (*App, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	c, err := demo.Generate(demo.Options{Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	edit(c)
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveConference(context.Background(), c, 0); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return newAppWith(t, func(cfg *config.Config) {
		cfg.DataDir = dir
		cfg.Tiles = "" // no tile server in tests: the map draws on a plain ground
		if set != nil {
			set(cfg)
		}
	})
}

// TestBrowserKeynoteNearestOverflowRoom: a keynote's page lists where to
// watch it, the overflow rooms by travel time from where the attendee is,
// each with a route link and how full it is, the hall first, and the
// stream link. From a room of another venue the nearest room changes.
func TestBrowserKeynoteNearestOverflowRoom(t *testing.T) {
	ctx := browsertest.New(t)
	var key *conference.Session
	a, srv := newAppWithConference(t, func(c *conference.Conference) {
		for i := range c.Sessions {
			if s := &c.Sessions[i]; s.Type == conference.TypeKeynote && len(s.OverflowRoomIDs) >= 2 && key == nil {
				s.StreamURL = "https://stream.example.com/" + s.ID
				key = s
			}
		}
	}, nil)
	if key == nil {
		t.Fatal("no keynote with overflow rooms")
	}
	b := newTab(t, ctx, srv.URL)
	st := a.live.Load()
	snap := st.Snap
	// From each overflow room's own venue, that room is the nearest.
	for _, id := range key.OverflowRoomIDs[:2] {
		room, _ := snap.Room(id)
		b.do("the keynote page from "+id, b.phone(), chromedp.Navigate(srv.URL+"/sessions/"+key.ID+"?from="+url.QueryEscape(id)+"#watch"),
			chromedp.WaitVisible(chromedp.CSS("#watch .kr-list")))
		first := b.text(`document.querySelector('#watch .kr-overflow .kr-name').textContent`)
		if want := placeName(snap, room.ID); first != want {
			t.Errorf("from %s the nearest overflow room is %q, want %q", id, first, want)
		}
		mins := b.text(`[...document.querySelectorAll('#watch .kr-overflow .kr-trip')].map(e => (e.textContent.match(/(\d+) min/) || [0, 999])[1]).join(',')`)
		if !sortedInts(mins) {
			t.Errorf("overflow rooms not by travel time from %s: %s", id, mins)
		}
	}
	if !b.is(`document.querySelector('#watch .kr-hall .kr-fill') !== null && [...document.querySelectorAll('#watch .kr-overflow')].every(li => li.querySelector('.kr-fill') && li.querySelector('a.kr-route[href^="/map?"]'))`) {
		t.Errorf("rooms lack their fill or route: %s", b.text(`document.querySelector('#watch').innerText`))
	}
	if got := b.text(`document.querySelector('.stream a').getAttribute('href')`); got != key.StreamURL {
		t.Errorf("stream link %q, want %q", got, key.StreamURL)
	}
	b.shot("keynote-phone")
	b.do("follow a route", chromedp.Click(chromedp.CSS("#watch .kr-overflow a.kr-route")), chromedp.WaitVisible(chromedp.CSS(".trip")))
	if !b.is(`/\d+ min/.test(document.querySelector('.trip').textContent)`) {
		t.Errorf("the route page: %s", b.text(`document.querySelector('main').innerText`))
	}
	b.noConsoleProblems()
}

func placeName(snap *conference.Snapshot, roomID string) string {
	r, _ := snap.Room(roomID)
	v, _ := snap.Venue(r.VenueID)
	return v.Name + " · " + r.Name
}

func sortedInts(csv string) bool {
	last := -1
	for _, f := range strings.Split(csv, ",") {
		var n int
		fmt.Sscan(f, &n)
		if n < last {
			return false
		}
		last = n
	}
	return true
}

// TestBrowserCatalogFromNow: during the conference the catalog opens from
// now: nothing ended is listed; asking for ended ones shows them marked
// Ended, without a seat band; the time of day moves the list.
func TestBrowserCatalogFromNow(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv := duringEvent(t, "10:42")
	b := newTab(t, ctx, srv.URL)
	snap := a.Snapshot()
	now := onTuesday(t, "10:42")
	b.do("the catalog during the conference", b.phone(), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#from-now")))
	if !b.is(`/from 10:42/.test(document.querySelector('#from-now').textContent)`) {
		t.Errorf("the catalog does not say it is from now: %s", b.text(`document.querySelector('#from-now').innerText`))
	}
	ends := func() []time.Time {
		var out []time.Time
		for _, id := range strings.Split(b.text(`[...document.querySelectorAll('.result-list .card h3 a')].map(a => a.getAttribute('href').split('/').pop()).join(',')`), ",") {
			if se, ok := snap.Session(id); ok {
				out = append(out, se.End)
			}
		}
		return out
	}
	for _, e := range ends() {
		if !e.After(now) {
			t.Fatalf("an ended session is listed from now (ends %s)", e)
		}
	}
	if b.is(`document.querySelector('.mark.ended') !== null`) {
		t.Error("an Ended mark from now")
	}
	b.shot("catalog-phone")
	b.do("show the ended ones",
		chromedp.Click(chromedp.CSS("#ended")),
		chromedp.Click(chromedp.CSS(`.from-now-controls button`)),
		chromedp.WaitVisible(chromedp.CSS(".card .mark.ended")),
	)
	if !b.is(`[...document.querySelectorAll('.card')].filter(c => c.querySelector('.mark.ended')).every(c => !c.querySelector('.seatband') && !c.querySelector('.mark.res'))`) {
		t.Error("an ended session still shows a seat band or Needs a reservation")
	}
	b.do("from 16:00 today",
		chromedp.Navigate(srv.URL+"/?at=16:00"),
		chromedp.WaitVisible(chromedp.CSS("#from-now")),
	)
	four := onTuesday(t, "16:00")
	for _, e := range ends() {
		if !e.After(four) {
			t.Fatalf("from 16:00 lists a session ending %s", e)
		}
	}
	b.noConsoleProblems()
}

// TestBrowserCalendarSubscribe: the Subscribe button is a working webcal:
// link (not html/template's #ZgotmplZ), with a copy button and an "add to
// Google Calendar" link.
func TestBrowserCalendarSubscribe(t *testing.T) {
	ctx := browsertest.New(t)
	_, srv, _ := newAuthApp(t)
	b := newTab(t, ctx, srv.URL)
	signup(t, srv, "feed@example.com", "correct horse battery")
	b.signIn("feed@example.com", "correct horse battery", "/me/calendar", "#subscribe")
	href := b.text(`document.querySelector('#subscribe').getAttribute('href')`)
	host := strings.TrimPrefix(srv.URL, "http://")
	if !strings.HasPrefix(href, "webcal://"+host+"/ical/") || !strings.HasSuffix(href, ".ics") || strings.Contains(href, "ZgotmplZ") {
		t.Fatalf("Subscribe links to %q", href)
	}
	feed := b.text(`document.querySelector('#feed-url').value`)
	if feed != "http://"+strings.TrimPrefix(href, "webcal://") {
		t.Errorf("the address to copy %q is not the subscribed feed %q", feed, href)
	}
	google := b.text(`document.querySelector('#google').getAttribute('href')`)
	if !strings.HasPrefix(google, "https://calendar.google.com/calendar/r?cid=") || !strings.Contains(google, url.QueryEscape(href)) {
		t.Errorf("Google link %q", google)
	}
	if st, _ := fetchFeed(t, feed); st != 200 {
		t.Errorf("the feed answers %d", st)
	}
	b.do("copy", chromedp.Click(chromedp.CSS("#copy-url")))
	b.wait("the copy says so", `document.querySelector('#copy-status').textContent !== ''`)
	b.shot("calendar-phone")
	b.noConsoleProblems()
}
