package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"venuehop/internal/account"
	"venuehop/internal/browsertest"
)

// TestBrowserRegisteredSignup walks the attendees page of an organizer on
// a phone (mode, list, codes) and a registered attendee's sign-up with
// the code, in Chromium. Screenshots go to $VENUEHOP_SHOTS_DIR when set.
func TestBrowserRegisteredSignup(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv, _ := newAuthApp(t)
	shots := browsertest.ShotsDir(t)
	bg := context.Background()
	if _, err := a.accounts.ImportRegistrations(bg, strings.NewReader(
		"ada.l@example.com,Ada Lovelace,B-0001\ngrace.h@example.com,Grace Hopper,B-0002\nalan.t@example.com,Alan Turing,B-0003\n")); err != nil {
		t.Fatal(err)
	}
	org := demoAccount(t, a, account.Organizer)
	do, eval := chromeSteps(t, ctx)
	do("the organizer signs in on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/signin?next=/admin/attendees"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), org.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), org.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("table.roster")),
	)
	do("choose registered attendees only",
		chromedp.Click(chromedp.CSS(`input[name=mode][value=registered]`)),
		chromedp.Click(chromedp.CSS(`form.mode button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if m, _ := a.accounts.SignupMode(bg); m != account.RegisteredOnly {
		t.Fatalf("mode %q after the form", m)
	}
	if !eval(`document.documentElement.scrollWidth <= 390`) {
		t.Error("the attendees page scrolls sideways on a phone")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "attendees-phone.png"))

	list, _ := a.accounts.Registrations(bg)
	var ada account.Registration
	for _, r := range list {
		if r.Email == "ada.l@example.com" {
			ada = r
		}
	}
	signOutInBrowser(t, ctx)
	do("Ada signs up with her code",
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible(chromedp.CSS("#code")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada.l@example.com"),
		chromedp.SendKeys(chromedp.CSS("#code"), "not-the-code"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#code-error")),
	)
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "signup-code-phone.png"))
	do("the right code",
		chromedp.SetValue(chromedp.CSS("#code"), ada.Code),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".account-bar .who")),
	)
	if !eval(`document.querySelector('.account-bar .who').textContent.includes('Ada')`) {
		t.Error("the header does not name the new attendee")
	}
}
