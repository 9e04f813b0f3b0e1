package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
	"venuehop/internal/conference"
	"venuehop/internal/config"
)

// browserHits serves the app and counts the requests of the browser that
// reach it (not the test's own API calls), so that the test tells "offline,
// answered by the service worker" from "answered by the server".
func browserHits(t *testing.T, a *App) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	h := a.Handler()
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.UserAgent(), "Go-http-client") {
			n.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	return srv, &n
}

// network switches the browser's network off or on through the DevTools
// protocol.
//
// In this Chromium (156) Network.emulateNetworkConditionsByRule on the
// page's target fails the page's own requests, and its
// emulateOfflineServiceWorker flag is not enough: the requests the service
// worker makes itself (fetch() in its fetch handler) still reach the
// server. So the worker's own target (type "service_worker", found with
// Target.getTargets) is attached to and gets the same conditions; it is
// switched first either way, so that a page that hears "online" finds its
// worker online. Network.overrideNetworkState sets navigator.onLine and
// fires the offline and online events pages listen to.
type offlineSwitch struct {
	t       *testing.T
	ctx     context.Context
	origin  string
	workers map[target.ID]context.Context
}

func (o *offlineSwitch) set(off bool) { o.t.Helper(); o.emulate(off, true) }

// emulate switches the network; tell false leaves navigator.onLine alone,
// as Wi-Fi that is connected but goes nowhere does.
func (o *offlineSwitch) emulate(off, tell bool) {
	o.t.Helper()
	infos, err := chromedp.Targets(o.ctx)
	if err != nil {
		o.t.Fatal(err)
	}
	if o.workers == nil {
		o.workers = map[target.ID]context.Context{}
	}
	var ctxs []context.Context
	for _, in := range infos {
		if in.Type != "service_worker" || !strings.HasPrefix(in.URL, o.origin+"/") {
			continue
		}
		w, ok := o.workers[in.TargetID]
		if !ok {
			// Detach only when done: closing the target would stop the worker.
			var cancel context.CancelFunc
			w, cancel = chromedp.NewContext(o.ctx, chromedp.WithTargetID(in.TargetID), chromedp.WithDetachOnCancel())
			o.t.Cleanup(cancel)
			o.workers[in.TargetID] = w
		}
		ctxs = append(ctxs, w)
	}
	if len(ctxs) == 0 {
		o.t.Fatal("no service worker target to take offline")
	}
	conds := []*network.Conditions{}
	if off {
		conds = append(conds, &network.Conditions{Offline: true}) // no pattern: every request
	}
	for _, c := range append(ctxs, o.ctx) {
		if _, err := chromedp.Call(c, network.Enable, network.EnableParams{}); err != nil {
			o.t.Fatal(err)
		}
		if _, err := chromedp.Call(c, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &off, MatchedNetworkConditions: conds,
		}); err != nil {
			o.t.Fatalf("network conditions: %v", err)
		}
	}
	if !tell {
		return
	}
	if _, err := chromedp.Call(o.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		o.t.Fatalf("network state: %v", err)
	}
}

// intentsJS lists the queued intents of IndexedDB as "kind session status".
const intentsJS = `new Promise((resolve, reject) => {
  const open = indexedDB.open('venuehop', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('intents', {keyPath: 'seq', autoIncrement: true});
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const req = open.result.transaction('intents').objectStore('intents').getAll();
    req.onsuccess = () => { open.result.close(); resolve(req.result.map(i => i.kind + ' ' + i.sessionId + ' ' + i.status).join('\n')); };
  };
})`

// requeueJS marks every sent intent as queued again: what a page sees when
// it was closed (or the network dropped) between sending an intent and
// saving its answer. The next flush sends them again, with their keys.
const requeueJS = `new Promise((resolve) => {
  const open = indexedDB.open('venuehop', 1);
  open.onsuccess = () => {
    const tx = open.result.transaction('intents', 'readwrite');
    const st = tx.objectStore('intents');
    st.getAll().onsuccess = (ev) => ev.target.result.forEach(i => { if (i.kind !== 'waitlist') { i.status = 'queued'; st.put(i); } });
    tx.oncomplete = () => { open.result.close(); resolve(true); };
  };
})`

var bannerRE = regexp.MustCompile(`^Offline — data from \d\d:\d\d \(\d+ min ago\)$`)

// TestBrowserOffline is issue 15 in a real Chromium on a phone: the
// service worker installs and controls the app; with the network off
// (DevTools protocol) the catalog searches and filters on the device, a
// session page, My week with its legs, My seats, the day's map without
// tiles and Now/next render with data and say they are offline and since
// when; seats reserved and cancelled offline are queued, sent when the
// network is back, and their outcomes (reserved, full with the waitlist
// offered, conflict, quota, cancelled) shown and stored once, also when
// the queue is sent again; a star set offline reaches the server; and
// Chromium finds the app installable.
func TestBrowserOffline(t *testing.T) {
	ctx := browsertest.New(t)
	// Thursday gets two early sessions, so that the day's quota of seats
	// (12) can be held without overlaps and a 13th is refused.
	thu := onTuesday(t, "06:30").AddDate(0, 0, 2)
	a, _ := newAppWithConference(t, func(c *conference.Conference) {
		moved := 0
		for i := range c.Sessions {
			s := &c.Sessions[i]
			if moved < 2 && s.Reservable && s.RepeatGroup == "" && s.Type != conference.TypeKeynote &&
				s.Start.After(thu) && s.Start.Before(thu.Add(12*time.Hour)) {
				s.Start = thu.Add(time.Duration(moved) * 30 * time.Minute)
				s.End = s.Start.Add(25 * time.Minute)
				moved++
			}
		}
	}, func(c *config.Config) {
		c.Now = onTuesday(t, "12:30")
		// Tiles that never load (.invalid never resolves): offline the map
		// has none anyway, and the test asks nothing of a tile server.
		c.Tiles = "https://tiles.invalid/{z}/{x}/{y}.png"
	})
	srv, hits := browserHits(t, a)
	b := newTab(t, ctx, srv.URL)
	net := &offlineSwitch{t: t, ctx: ctx, origin: srv.URL}
	snap := a.Snapshot()

	// The attendee's week: two seats on Tuesday in two venues (a leg
	// between them), and, to be reserved offline, a free Wednesday seat
	// (reserved), one whose last seat goes meanwhile (full), one
	// overlapping a held seat (conflict), and on Thursday one past the
	// day's quota.
	fit := func(s *conference.Session) bool { return s.Reservable }
	v0 := snap.Conf.Venues[0].ID
	seatA := firstStarting(snap, v0, onTuesday(t, "14:15"), onTuesday(t, "14:45"), fit)
	if seatA == nil {
		t.Fatal("no Tuesday seat")
	}
	seatB := firstStarting(snap, "", seatA.End.Add(15*time.Minute), seatA.End.Add(3*time.Hour), func(s *conference.Session) bool {
		v, _ := snap.VenueOfRoom(s.RoomID)
		return s.Reservable && v.ID != v0
	})
	clash := overlapping(snap, seatA)
	wed := onTuesday(t, "00:00").AddDate(0, 0, 1)
	free := firstStarting(snap, "", wed.Add(10*time.Hour), wed.Add(12*time.Hour), fit)
	if seatB == nil || clash == nil || free == nil {
		t.Fatal("no sessions for the scenario")
	}
	full := firstStarting(snap, "", free.End.Add(time.Hour), wed.Add(20*time.Hour), func(s *conference.Session) bool {
		return s.Reservable && s.Group() != free.Group()
	})
	quota := dailyQuota(t, snap, snap.Conf.Days[3], 13)
	if full == nil {
		t.Fatal("no second Wednesday session")
	}
	setCapacity(t, a, full.ID, 1)
	tok := signup(t, srv, "off@example.com", "correct horse battery")
	reserve(t, srv.URL, tok, seatA.ID, seatB.ID)
	reserve(t, srv.URL, tok, quota[:6]...)
	reserve(t, srv.URL, tok, quota[6:12]...)
	over, _ := snap.Session(quota[12])

	// Online: the worker installs and takes the page; every page visited
	// once fills the caches.
	b.signIn("off@example.com", "correct horse battery", "/", "#search")
	controlled := `navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)`
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](controlled, chromedp.EvalAwaitPromise)); err != nil || !ok {
		// A page loaded before its worker activated is not controlled
		// until the next load.
		b.do("reload for the worker", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#search")))
		b.wait("the worker controls the page", `navigator.serviceWorker.controller !== null`)
	}
	if ie, err := chromedp.Call(ctx, cdppage.GetInstallabilityErrors, cdp.Empty{}); err != nil {
		t.Fatalf("installability: %v", err)
	} else {
		for _, e := range ie.InstallabilityErrors {
			t.Errorf("not installable: %s %+v", e.ErrorID, e.ErrorArguments)
		}
	}
	week := "/me/week?day=" + snap.Day(seatA.Start)
	cached := func(urls ...string) string {
		return `caches.open('vh-data').then(c => Promise.all(` + jsString(strings.Join(urls, " ")) +
			`.split(' ').map(u => c.match(location.origin + u)))).then(a => a.every(Boolean))`
	}
	online := []struct{ path, ready, settled string }{
		{"/sessions/" + seatA.ID, ".seatbox", ""},
		{"/sessions/" + free.ID, ".seatbox form", ""},
		{"/sessions/" + full.ID, ".seatbox form", ""},
		{"/sessions/" + clash.ID, ".seatbox form", ""},
		{"/sessions/" + over.ID, ".seatbox form", ""},
		{week, ".timeline .leg", ""},
		{"/me/reservations", "#myseats", ""},
		{"/map", ".leaflet-overlay-pane path", cached("/api/v1/venues.geojson")},
		{"/me/now", ".now-form", cached("/api/v1/offline/travel", "/api/v1/me/agenda", "/api/v1/me/favorites")},
		{"/", "#results", cached("/")},
	}
	for _, p := range online {
		b.do("online "+p.path, chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
		if p.settled != "" {
			// Answers are stored after the page has them.
			b.wait(p.path+" cached", p.settled)
		}
	}

	// The catalog open when the network goes, the browser not knowing
	// (navigator.onLine still true): the search finds no server, and the
	// page says it is offline and searches on the device.
	net.emulate(true, false)
	before := hits.Load()
	word := longestWord(free.Title)
	b.do("search offline", chromedp.SendKeys(chromedp.CSS("#q"), word))
	hasFree := `!!document.querySelector('#results a[href="/sessions/` + free.ID + `"]')`
	b.waitOr("offline results", hasFree+` && /offline search/.test(document.getElementById('result-count').textContent)`)
	// From now, as online: Monday's sessions have ended.
	if b.is(`[...document.querySelectorAll('#results .offline-card .when')].some(p => p.textContent.startsWith('Mon'))`) {
		t.Errorf("the search on the device lists ended sessions: %s", b.text(`document.getElementById('results').innerText.slice(0, 500)`))
	}
	b.checkBanner("catalog")
	net.set(true)
	otherType := b.text(`([...document.querySelectorAll('input[type=checkbox][name=type][form=search]')].find(x => x.value !== ` + jsString(string(free.Type)) + `) || {}).value || ''`)
	if otherType == "" {
		t.Fatal("no type filter")
	}
	filter := `[...document.querySelectorAll('input[name=type][form=search]')].find(x => x.value === ` + jsString(otherType) + `)`
	own := `[...document.querySelectorAll('input[name=type][form=search]')].find(x => x.value === ` + jsString(string(free.Type)) + `)`
	// The results are drawn anew (a new #results) for each search.
	mark := `document.getElementById('results').dataset.old = '1'; `
	fresh := `!document.getElementById('results').dataset.old && `
	b.do("filter by its type offline", chromedp.Evaluate[chromedp.Void](mark+`document.getElementById('filters').open = true; `+own+`.click()`))
	b.wait("its type keeps it", fresh+hasFree)
	b.do("filter by its type off", chromedp.Evaluate[chromedp.Void](own+`.click()`))
	b.do("filter offline", chromedp.Evaluate[chromedp.Void](mark+filter+`.click()`))
	b.wait("the filter applies", fresh+`!`+hasFree)
	b.do("unfilter offline", chromedp.Evaluate[chromedp.Void](filter+`.click()`))
	b.wait("the filter is off", hasFree)
	// A day is the conference's (the snapshot's times are UTC): Wednesday
	// lists no Tuesday evening session.
	wedDay := snap.Day(free.Start)
	dayBox := `[...document.querySelectorAll('input[name=day][form=search]')].find(x => x.value === ` + jsString(wedDay) + `)`
	b.do("a day offline", chromedp.Evaluate[chromedp.Void](`const q = document.getElementById('q'); q.value = '';
		q.dispatchEvent(new Event('input', {bubbles: true})); `+dayBox+`.click()`))
	b.waitOr("only that day", `(() => { const w = [...document.querySelectorAll('#results .offline-card .when')].map(p => p.textContent);
		return w.length > 0 && w.every(x => x.startsWith('Wed')); })()`)
	b.do("no day offline", chromedp.Evaluate[chromedp.Void](dayBox+`.click()`), chromedp.SendKeys(chromedp.CSS("#q"), word))
	b.wait("the search again", hasFree)
	b.shot("offline-catalog-phone")

	// Every page, opened with the network off.
	pages := []struct {
		name, path, ready, check string
	}{
		{"catalog-search", "/?q=" + word, "#results .offline-card", hasFree + ` && document.getElementById('q').value === ` + jsString(word)},
		{"session", "/sessions/" + seatA.ID, ".seatbox", `document.querySelector('h1').textContent.includes(` + jsString(seatA.Title) + `)`},
		{"session-unvisited", "/sessions/" + seatB.ID, "#offline-view dd", `document.querySelector('h1').textContent === ` + jsString(seatB.Title)},
		{"week", week, ".timeline .leg", `document.querySelectorAll('.timeline .item').length >= 2`},
		{"seats", "/me/reservations", "#myseats", `document.getElementById('myseats').textContent.includes(` + jsString(seatB.Title) + `)`},
		{"map", "/map", ".leaflet-overlay-pane path", `document.querySelectorAll('.leaflet-tile-loaded').length === 0`},
		{"now", "/me/now", ".now-offline", `/^Offline — computed on this device, data from \d\d:\d\d\.$/.test(document.querySelector('.now-offline').textContent)`},
	}
	for _, p := range pages {
		b.do("offline "+p.name, chromedp.Navigate(srv.URL+p.path), chromedp.WaitReady(chromedp.CSS("#main")))
		b.waitOr(p.name+" offline", `!!document.querySelector('`+p.ready+`') && `+p.check)
		b.checkBanner(p.name)
		b.shot("offline-" + p.name + "-phone")
	}

	// Seats and a star, offline, through the pages.
	for _, s := range []*conference.Session{free, full, clash, over} {
		b.do("reserve offline "+s.ID, chromedp.Navigate(srv.URL+"/sessions/"+s.ID), chromedp.WaitVisible(chromedp.CSS(".seatbox form")),
			chromedp.Click(chromedp.CSS(`.seatbox form[action="/me/reservations/`+s.ID+`"] button`)),
			chromedp.WaitVisible(chromedp.CSS(".seat-flash")))
		if got := b.text(`document.querySelector('.seat-flash').textContent`); !strings.HasPrefix(got, "Queued") {
			t.Errorf("reserve %s offline: %q", s.ID, got)
		}
		if s == free {
			// A star changed offline is favsync.js's: the button shows it at once.
			b.do("star offline", chromedp.Click(chromedp.CSS(`form.star .star-toggle`)), chromedp.WaitVisible(chromedp.CSS("form.star.starred")))
			b.shot("offline-queued-phone")
		}
	}
	b.do("My seats offline", chromedp.Navigate(srv.URL+"/me/reservations"), chromedp.WaitVisible(chromedp.CSS("#queued-changes")),
		chromedp.Click(chromedp.CSS(`#myseats form[action="/me/reservations/`+seatB.ID+`/cancel"] button`)))
	b.waitOr("the cancel is queued", `document.querySelectorAll('#queued-changes [data-intent=queued]').length === 5`)
	if n := hits.Load() - before; n != 0 {
		t.Errorf("offline, %d requests of the browser reached the server", n)
	}
	// Meanwhile someone takes the last seat.
	reserve(t, srv.URL, signup(t, srv, "quick@example.com", "correct horse battery"), full.ID)

	// Back online: the queue goes, in order, and My seats shows each outcome.
	net.set(false)
	b.wait("the queue is sent", `(`+intentsJS+`).then(s => !/ queued$/m.test(s))`)
	b.do("My seats online", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#queued-changes")))
	want := map[string]string{
		"reserve " + free.ID:  "reserved",
		"reserve " + full.ID:  "full",
		"reserve " + clash.ID: "conflict",
		"reserve " + over.ID:  "cap_reached",
		"cancel " + seatB.ID:  "cancelled-seat",
	}
	checkQueue := func(when string) {
		t.Helper()
		list, err := chromedp.Run(ctx, chromedp.Evaluate[string](intentsJS, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, l := range strings.Split(list, "\n") {
			if f := strings.Fields(l); len(f) == 3 && f[0] != "waitlist" {
				got[f[0]+" "+f[1]] = f[2]
			}
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s is %q, want %q (all: %q)", when, k, got[k], v, list)
			}
		}
		// Stored once: one seat, nothing for the others.
		mine := reservationsOf(t, srv.URL, tok)
		if mine[free.ID] != 1 || mine["all:"+free.ID] != 1 || mine[full.ID] != 0 || mine[clash.ID] != 0 || mine[over.ID] != 0 || mine[seatB.ID] != 0 {
			t.Errorf("%s: the attendee's reservations %v: want one for %s and none for %s, %s, %s, %s", when, mine, free.ID, full.ID, clash.ID, over.ID, seatB.ID)
		}
	}
	checkQueue("sent")
	// The star goes with the next page that has star buttons.
	b.do("a page with stars", chromedp.Navigate(srv.URL+"/sessions/"+free.ID), chromedp.WaitVisible(chromedp.CSS("form.star.starred")))
	for deadline := time.Now().Add(10 * time.Second); !favoriteOf(t, srv.URL, tok, free.ID); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the star set offline never reached the server")
		}
	}
	b.do("My seats online", chromedp.Navigate(srv.URL+"/me/reservations"), chromedp.WaitVisible(chromedp.CSS("#queued-changes")))
	shown := b.text(`document.getElementById('queued-changes').innerText`)
	for _, w := range []string{"Reserved", "Seat cancelled", "Full", "Conflicts with another seat", "Seat quota reached", "Join the waitlist"} {
		if !strings.Contains(shown, w) {
			t.Errorf("My seats does not show %q: %s", w, shown)
		}
	}
	if strings.Contains(shown, free.ID) {
		t.Errorf("My seats names a session by its id: %s", shown)
	}
	b.shot("offline-outcomes-phone")

	// Sent again (the answers lost: a reload while sending), and through
	// a second outage: the same keys, the same outcomes, still one seat.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](requeueJS, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	b.do("reload while sending", chromedp.Reload(), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#myseats")))
	b.wait("the queue is sent again", `(`+intentsJS+`).then(s => !/ queued$/m.test(s))`)
	net.set(true)
	net.set(false)
	b.do("My seats again", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#queued-changes")))
	checkQueue("sent again")

	// Full: the offered waitlist, joined.
	b.do("join the waitlist", chromedp.Click(chromedp.CSS(`#queued-changes .join-waitlist`)))
	b.wait("on the waitlist", `(`+intentsJS+`).then(s => s.includes('waitlist `+full.ID+` waitlisted'))`)
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/waitlist/"+full.ID, tok, nil); st != 200 || !strings.Contains(string(body), `"position":1`) {
		t.Errorf("the waitlist place: %d %s", st, body)
	}

	// Signing out forgets the attendee's pages and queued changes on the
	// device.
	signOutInBrowser(t, ctx)
	b.wait("the cache of the attendee is gone", `caches.open('vh-data').then(c => c.match(location.origin + '/me/reservations')).then(r => !r)`)
	b.wait("the queue of the attendee is gone", `(`+intentsJS+`).then(s => s === '')`)
	for _, p := range b.problems() {
		// Offline, failed loads are the point (and the worker's 503 "not
		// on this device"), and the cancel sent again finds no seat (404);
		// anything else is a bug.
		if !strings.Contains(p, "net::ERR_INTERNET_DISCONNECTED") && !strings.Contains(p, "net::ERR_NAME_NOT_RESOLVED") &&
			!strings.Contains(p, "status of 404") && !strings.Contains(p, "status of 503") {
			t.Errorf("browser console: %s", p)
		}
	}
}

// waitOr waits for js, failing with what the page shows.
func (b *tab) waitOr(what, js string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.text(`[...document.querySelectorAll('#main *:not(option):not(select)')].filter(e => e.children.length === 0).map(e => e.className + ':' + e.textContent.trim().slice(0, 60)).join('\n').slice(0, 3000)`))
	}
}

// checkBanner checks the page says, in words, that it is offline and how
// old its data is.
func (b *tab) checkBanner(name string) {
	b.t.Helper()
	got := b.text(`(document.getElementById('offline-banner') || {textContent: ''}).textContent`)
	if !bannerRE.MatchString(got) {
		b.t.Errorf("%s offline: banner %q", name, got)
	}
}

func longestWord(s string) string {
	w := ""
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) {
		if len(f) > len(w) {
			w = f
		}
	}
	return strings.ToLower(w)
}

// dailyQuota is n reservable sessions of a day, of n groups, none
// overlapping another (earliest end first).
func dailyQuota(t *testing.T, snap *conference.Snapshot, day string, n int) []string {
	t.Helper()
	var all []*conference.Session
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if s.Reservable && s.Scheduled() && !s.Cancelled && s.Type != conference.TypeKeynote && snap.Day(s.Start) == day {
			all = append(all, s)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].End.Before(all[j].End) })
	var ids []string
	groups := map[string]bool{}
	var last time.Time
	for _, s := range all {
		if s.Start.Before(last) || groups[s.Group()] {
			continue
		}
		ids, last, groups[s.Group()] = append(ids, s.ID), s.End, true
		if len(ids) == n {
			return ids
		}
	}
	t.Fatalf("only %d sessions of %s can be held together, want %d", len(ids), day, n)
	return nil
}

// reservationsOf counts the attendee's active reservations by session,
// and all its reservations whatever their state ("all:" + id).
func reservationsOf(t *testing.T, base, tok string) map[string]int {
	t.Helper()
	st, _, body := call(t, nil, "GET", base+"/api/v1/me/reservations", tok, nil)
	if st != 200 {
		t.Fatalf("reservations: %d %s", st, body)
	}
	var out struct {
		Reservations []struct{ SessionID, Status string }
	}
	mustJSON(t, body, &out)
	m := map[string]int{}
	for _, r := range out.Reservations {
		m["all:"+r.SessionID]++
		if r.Status == "active" {
			m[r.SessionID]++
		}
	}
	return m
}

func favoriteOf(t *testing.T, base, tok, id string) bool {
	t.Helper()
	st, _, body := call(t, nil, "GET", base+"/api/v1/me/favorites", tok, nil)
	if st != 200 {
		t.Fatalf("favorites: %d %s", st, body)
	}
	var out struct {
		Favorites []struct{ SessionID string }
	}
	mustJSON(t, body, &out)
	for _, f := range out.Favorites {
		if f.SessionID == id {
			return true
		}
	}
	return false
}
