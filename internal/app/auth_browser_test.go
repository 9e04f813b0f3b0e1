package app

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
)

// TestBrowserSignInAndStar signs in through the form on a phone, stars a
// session with the star control (saved in place by script) and checks the
// favourites page. Screenshots go to $VENUEHOP_SHOTS_DIR when set.
func TestBrowserSignInAndStar(t *testing.T) {
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
	eval := func(js string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	d := a.DemoAccounts[0]
	se := a.Snapshot().Conf.Sessions[20]

	do("open the sign-in page on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/signin?next=/sessions/"+se.ID),
		chromedp.WaitVisible(chromedp.CSS("#email")),
	)
	do("try a wrong password",
		chromedp.SendKeys(chromedp.CSS("#email"), d.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#password-error")),
	)
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "signin-phone.png"))
	do("sign in",
		chromedp.SendKeys(chromedp.CSS("#password"), d.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("article.session form.star")),
	)
	if !eval(`document.querySelector('.account-bar .who').textContent.includes('Ada')`) {
		t.Error("the header does not name the signed-in user")
	}
	if !eval(`document.documentElement.scrollWidth <= 390`) {
		t.Error("the session page scrolls sideways on a phone")
	}
	eval(`window.venuehopNoReload = true`)
	do("choose must and star it",
		chromedp.SetValue(chromedp.CSS("article.session form.star select"), "must"),
		chromedp.Click(chromedp.CSS("article.session form.star .star-toggle")),
		chromedp.Poll[chromedp.Void](`document.querySelector('article.session form.star .star-toggle').getAttribute('aria-pressed') === 'true'`,
			chromedp.WithPollingTimeout(10*time.Second)),
	)
	if !eval(`window.venuehopNoReload === true`) {
		t.Error("starring reloaded the page; with scripts it should update in place")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "session-star-phone.png"))
	do("the catalog shows stars",
		chromedp.Navigate(srv.URL+"/?q="+url.QueryEscape(se.Code)),
		chromedp.WaitVisible(chromedp.CSS("#results form.star")),
	)
	if !eval(`document.querySelector('#results form.star.starred') !== null`) {
		t.Error("the catalog does not show the starred session as starred")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "catalog-star-phone.png"))
	do("open my favourites",
		chromedp.Navigate(srv.URL+"/me/favorites"),
		chromedp.WaitVisible(chromedp.CSS(".fav-day")),
	)
	if !eval(`!!document.querySelector('.fav-day a[href="/sessions/` + se.ID + `"]') && document.querySelector('.fav-day .prio').textContent === 'must'`) {
		t.Error("the favourites page does not list the starred session as must")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "favorites-phone.png"))
	do("open my blocks", chromedp.Navigate(srv.URL+"/me/blocks"), chromedp.WaitVisible(chromedp.CSS("#title")))
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "blocks-phone.png"))

	for _, p := range problems() {
		// The wrong password's page is a 401, which Chromium reports.
		if !strings.Contains(p, "status of 401") {
			t.Errorf("browser console: %s", p)
		}
	}
}
