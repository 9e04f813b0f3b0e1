package app

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
)

// TestBrowserMyWeek signs a demo attendee in (favourites set up through the
// API), checks that My week draws the legs between items, that Optimize
// shows a diff, and that accepting it changes the agenda; then Now on a
// phone. Screenshots go to $VENUEHOP_SHOTS_DIR when set.
func TestBrowserMyWeek(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv, _ := newAuthApp(t)
	shots := browsertest.ShotsDir(t)
	st := a.live.Load()
	snap := st.Snap
	d := a.DemoAccounts[0]
	status, _, body := call(t, nil, "POST", srv.URL+"/api/v1/auth/login", "", map[string]string{"email": d.Email, "password": d.Password})
	if status != 200 {
		t.Fatalf("login: %d %s", status, body)
	}
	var login struct{ Token string }
	mustJSON(t, body, &login)
	// Day 1: an ok leg, then an impossible one; and a trap for Optimize.
	x, y := slackPair(t, st, -30, 0, false)
	star(t, srv.URL, login.Token, x.ID, "must")
	star(t, srv.URL, login.Token, y.ID, "want")
	x1, _, ky := trapPair(t, snap)
	star(t, srv.URL, login.Token, x1.ID, "must")
	star(t, srv.URL, login.Token, ky.ID, "must")
	day := snap.Day(x.Start)

	problems := browsertest.WatchConsole(ctx)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	text := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	do("sign in on a desktop",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/signin?next=/me/week?day="+day),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), d.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), d.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".timeline .leg")),
	)
	if !eval(`document.querySelectorAll('.timeline .item').length >= 2 && document.querySelector('.timeline .item + .leg, .timeline .leg + .item') !== null`) {
		t.Error("My week does not put a leg between items")
	}
	if !eval(`[...document.querySelectorAll('.timeline .leg')].some(l => l.dataset.status === 'impossible' && l.classList.contains('leg-bad') && /min/.test(l.textContent))`) {
		t.Errorf("no impossible leg drawn: %s", text(`document.querySelector('.timeline').innerText`))
	}
	if !eval(`document.querySelector('.day-totals a[href^="/map?sessions="]') !== null`) {
		t.Error("no link to the day's route on the map")
	}
	before := text(`[...document.querySelectorAll('.timeline .item-title')].map(e => e.textContent.trim()).join('|')`)
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "week-desktop.png"))

	do("optimize",
		chromedp.Click(chromedp.CSS("#optimize")),
		chromedp.WaitVisible(chromedp.CSS("#proposal .proposal-actions .accept")),
	)
	if !eval(`document.querySelectorAll('#proposal .diff li').length > 0 && document.querySelector('#proposal .tag-ok') !== null`) {
		t.Errorf("the proposal shows no diff: %s", text(`document.querySelector('#proposal').innerText`))
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "week-proposal-desktop.png"))

	do("accept",
		chromedp.Click(chromedp.CSS("#proposal .proposal-actions .accept")),
		chromedp.WaitVisible(chromedp.CSS(".notice.ok")),
	)
	after := text(`[...document.querySelectorAll('.timeline .item-title')].map(e => e.textContent.trim()).join('|')`)
	if after == before || eval(`document.querySelector('#proposal') !== null`) {
		t.Errorf("accepting did not change the agenda: before %q, after %q", before, after)
	}
	if !eval(`![...document.querySelectorAll('.timeline .leg')].some(l => l.dataset.status === 'impossible')`) {
		t.Error("the accepted plan still has an impossible leg")
	}

	do("My week on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/me/week?day="+day),
		chromedp.WaitVisible(chromedp.CSS(".timeline")),
	)
	if !eval(`document.documentElement.scrollWidth <= 390`) {
		t.Error("My week scrolls sideways on a phone")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "week-phone.png"))

	at := snap.Local(x.Start.Add(-25 * time.Minute)).Format("2006-01-02T15:04")
	do("Now on a phone",
		chromedp.Navigate(srv.URL+"/me/now?from="+x.RoomID+"&at="+at),
		chromedp.WaitVisible(chromedp.CSS(".now-list .now-card")),
	)
	if !eval(`document.documentElement.scrollWidth <= 390 && document.querySelector('.now-card').getBoundingClientRect().height >= 44`) {
		t.Error("Now is not made for a phone (sideways scroll or small tap targets)")
	}
	if !eval(`/leave/.test(document.querySelector('.now-card .now-leave').textContent) && /min/.test(document.querySelector('.now-card .now-trip').textContent)`) {
		t.Errorf("a Now card lacks leave-by or minutes: %s", text(`document.querySelector('.now-card').innerText`))
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "now-phone.png"))
	do("Now on a desktop", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".now-list")))
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "now-desktop.png"))

	for _, p := range problems() {
		t.Errorf("browser console: %s", p)
	}
}
