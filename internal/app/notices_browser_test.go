package app

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
)

// TestBrowserNoticeBadge: on a phone, a signed-in attendee looks at the
// notices page; a waitlist seat is offered to them elsewhere and the
// header badge rises over the event stream without a reload; the notices
// page then lists the offer with its link. Screenshots go to
// $VENUEHOP_SHOTS_DIR when set.
func TestBrowserNoticeBadge(t *testing.T) {
	ctx := browsertest.New(t) // first: without a browser, skip before any work
	a, srv, _ := newAuthApp(t)
	shots := browsertest.ShotsDir(t)
	problems := browsertest.WatchConsole(ctx)
	do, eval := chromeSteps(t, ctx)
	text := chromeText(t, ctx)
	waitJS := func(what, js string) {
		t.Helper()
		do(what, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second)))
	}
	const pw = "correct horse battery"
	waiter := signup(t, srv, "waiter@example.com", pw)
	holder := signup(t, srv, "holder@example.com", pw)
	se := reservableSessions(t, a.Snapshot(), 1)[0]

	do("sign in on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/signin?next=/me/notices"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "waiter@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#no-notices")),
	)
	if !eval(`document.getElementById('notice-count').hidden`) {
		t.Error("the badge shows with no notices")
	}
	waitJS("the event stream opens", `document.documentElement.getAttribute('data-notices-live') === 'on'`)
	eval(`window.venuehopNoReload = true; true`)

	makeOffer(t, a, srv.URL, se, holder, waiter)
	waitJS("the badge rises to 1", `(function () {
		var b = document.getElementById('notice-count');
		return !b.hidden && b.getAttribute('data-unread') === '1' && b.firstChild.nodeValue === '1';
	})()`)
	if !eval(`window.venuehopNoReload === true`) {
		t.Error("the badge changed by reloading the page")
	}
	if got := text("#notice-live"); !strings.Contains(got, "New notice: A seat is held for you") {
		t.Errorf("the live region reads %q", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "notices-badge-phone.png"))

	do("open the notices page", chromedp.Navigate(srv.URL+"/me/notices"), chromedp.WaitVisible(chromedp.CSS(".notice-item")))
	if got := text(".notice-item .notice-title a"); !strings.Contains(got, se.Title) {
		t.Errorf("the notice reads %q, want the session %q", got, se.Title)
	}
	if !eval(`document.querySelector('.notice-item').classList.contains('unread') &&
		document.querySelector('.notice-item a').getAttribute('href').indexOf('/me/reservations#offer-') === 0`) {
		t.Error("the notice is not unread with a link to the offer")
	}
	if !eval(`document.documentElement.scrollWidth <= 390`) {
		t.Error("the notices page scrolls sideways on a phone")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "notices-page-phone.png"))

	// Mark it read with the page's button: the badge goes away.
	do("mark read", chromedp.Click(chromedp.CSS(`.notice-item form button`)), chromedp.WaitVisible(chromedp.CSS(`.notice[role=status]`)))
	if !eval(`document.getElementById('notice-count').hidden`) {
		t.Error("the badge still shows after marking the notice read")
	}
	for _, p := range problems() {
		t.Errorf("browser console: %s", p)
	}
}
