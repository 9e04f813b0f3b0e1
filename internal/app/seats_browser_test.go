package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
	"venuehop/internal/conference"
)

// TestBrowserLiveSeats: a signed-in browser watches a session page while an
// API client reserves elsewhere; the count changes without a reload (the
// delay is measured and logged). Then it reserves by clicking, joins a
// waitlist, and on My seats an offer arrives over the event stream with a
// running countdown. Screenshots (phone and desktop) go to
// $VENUEHOP_SHOTS_DIR when set.
func TestBrowserLiveSeats(t *testing.T) {
	ctx := browsertest.New(t) // first: without a browser, skip before any work
	a, srv, _ := newAuthApp(t)
	shots := browsertest.ShotsDir(t)
	problems := browsertest.WatchConsole(ctx)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	waitJS := func(what, js string) {
		t.Helper()
		do(what, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second)))
	}
	snap := a.Snapshot()
	se := reservableSessions(t, snap, 1)[0]
	capacity := snap.ReservableCapacity(se)
	var small *conference.Session // a day-2 session: no travel from day 1 in the way
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if s.Reservable && !s.Cancelled && s.Scheduled() && snap.Day(s.Start) == snap.Conf.Days[1] {
			small = s
			break
		}
	}
	setCapacity(t, a, small.ID, 1)
	other := signup(t, srv, "elsewhere@example.com", "correct horse battery")
	reserve := func(id string) {
		t.Helper()
		if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/reservations", other, map[string]any{"sessionIds": []string{id}}); st != 200 || !strings.Contains(string(body), `"reserved"`) {
			t.Fatalf("API reserve %s: %d %s", id, st, body)
		}
	}
	d := a.DemoAccounts[0]

	do("sign in on a desktop",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/signin?next=/sessions/"+se.ID),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), d.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), d.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#seats-"+se.ID)),
	)
	waitJS("the event stream opens", `document.documentElement.getAttribute('data-live') === 'on'`)
	if got := eval(`document.querySelector('#seats-` + se.ID + ` [data-seat-available]').textContent`); got != commas(capacity) {
		t.Fatalf("the page shows %s seats left, want %s", got, commas(capacity))
	}
	eval(`window.venuehopNoReload = 'yes';
		window.seatChangedAt = 0;
		new MutationObserver(function () { if (!window.seatChangedAt) window.seatChangedAt = Date.now(); })
			.observe(document.querySelector('#seats-` + se.ID + ` [data-seat-available]'), {childList: true, characterData: true, subtree: true});
		''`)

	// A reservation elsewhere, through the API.
	sent := time.Now()
	reserve(se.ID)
	waitJS("the count changes without a reload", `window.seatChangedAt > 0`)
	changed := eval(`String(window.seatChangedAt)`)
	var changedMs int64
	for _, c := range changed {
		changedMs = changedMs*10 + int64(c-'0')
	}
	latency := time.UnixMilli(changedMs).Sub(sent)
	t.Logf("live seat count: the page changed %d ms after the reservation elsewhere was sent", latency.Milliseconds())
	if latency > time.Second {
		t.Errorf("the count changed after %s; the promise is 1 s", latency)
	}
	if got := eval(`document.querySelector('#seats-` + se.ID + ` [data-seat-available]').textContent`); got != commas(capacity-1) {
		t.Errorf("after one reservation elsewhere the page shows %s, want %s", got, commas(capacity-1))
	}

	do("click Reserve",
		chromedp.Click(chromedp.CSS(`#seats-`+se.ID+` .seat-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#seats-`+se.ID+` .seat-flash`)),
	)
	if got := eval(`document.querySelector('#seats-` + se.ID + ` .seat-flash').textContent`); !strings.HasPrefix(got, "Reserved: your seat") {
		t.Errorf("the status after Reserve reads %q", got)
	}
	waitJS("the count shows both seats", `document.querySelector('#seats-`+se.ID+` [data-seat-available]').textContent === '`+commas(capacity-2)+`'`)
	if eval(`String(window.venuehopNoReload)`) != "yes" {
		t.Error("reserving reloaded the page; with scripts it updates in place")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "seats-session-desktop.png"))

	// A full session: join its waitlist by clicking; the seat frees while
	// the attendee looks at My seats.
	reserve(small.ID)
	do("join the waitlist",
		chromedp.Navigate(srv.URL+"/sessions/"+small.ID),
		chromedp.WaitVisible(chromedp.CSS(`#seats-`+small.ID+` .seat-form button`)),
		chromedp.Click(chromedp.CSS(`#seats-`+small.ID+` .seat-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#seats-`+small.ID+` .seat-flash`)),
	)
	if got := eval(`document.querySelector('#seats-` + small.ID + ` .seat-flash').textContent`); !strings.Contains(got, "number 1 in line") {
		t.Errorf("the status after joining reads %q", got)
	}
	do("open My seats", chromedp.Navigate(srv.URL+"/me/reservations"), chromedp.WaitVisible(chromedp.CSS("#waitlists")))
	waitJS("the event stream opens on My seats", `document.documentElement.getAttribute('data-live') === 'on'`)
	eval(`window.venuehopNoReload = 'yes'; ''`)
	if st, _, body := call(t, nil, "DELETE", srv.URL+"/api/v1/me/reservations/"+small.ID, other, nil); st != 204 {
		t.Fatalf("API cancel: %d %s", st, body)
	}
	waitJS("the offer appears with a countdown", `(function () {
		var c = document.querySelector('#offers .offer [data-countdown]');
		return !!c && / left\)$/.test(c.textContent);
	})()`)
	if eval(`String(window.venuehopNoReload)`) != "yes" {
		t.Error("the offer reloaded the page; it should arrive in place")
	}
	t.Logf("offer countdown reads %q", eval(`document.querySelector('#offers .offer .countdown').textContent`))
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "seats-myseats-desktop.png"))

	do("My seats on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/me/reservations"), chromedp.WaitVisible(chromedp.CSS("#offers .offer")))
	if eval(`String(document.documentElement.scrollWidth <= 390)`) != "true" {
		t.Error("My seats scrolls sideways on a phone")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "seats-myseats-phone.png"))
	do("the session page on a phone", chromedp.Navigate(srv.URL+"/sessions/"+se.ID), chromedp.WaitVisible(chromedp.CSS("#seats-"+se.ID)))
	if eval(`String(document.documentElement.scrollWidth <= 390)`) != "true" {
		t.Error("the session page scrolls sideways on a phone")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "seats-session-phone.png"))
	// The catalog is long: the screen at its first results is enough.
	catalogShot := func(name string) {
		t.Helper()
		eval(`document.getElementById('results').scrollIntoView(); ''`)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do("the catalog on a phone", chromedp.Navigate(srv.URL+"/?reservable=true"), chromedp.WaitVisible(chromedp.CSS(".seatband")))
	catalogShot("seats-catalog-phone.png")
	do("the catalog on a desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/?reservable=true"), chromedp.WaitVisible(chromedp.CSS(".seatband")))
	catalogShot("seats-catalog-desktop.png")

	for _, p := range problems() {
		t.Errorf("browser console: %s", p)
	}
}
