package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
)

// TestBrowserRedirectsStayHome signs in and stars a session in Chromium
// with next and back targets crafted to leave the site (the tricks a
// prefix check lets through). Another local server plays the attacker's
// site: Chromium must never reach it and must stay on venuehop.
func TestBrowserRedirectsStayHome(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv, _ := newAuthApp(t)
	var visits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		visits.Add(1)
		fmt.Fprint(w, "<!doctype html><title>evil</title><p>evil")
	}))
	t.Cleanup(evil.Close)
	evilHost := strings.TrimPrefix(evil.URL, "http://")
	home, _ := url.Parse(srv.URL)

	// stayedHome waits until the form's answer has replaced the page it was
	// sent from, then checks where the browser is.
	stayedHome := func(what, from string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		var host string
		for {
			// Each look is a fresh evaluation: the page may be between
			// documents (an evaluation then fails, and is tried again).
			at, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
				`[location.host, location.pathname, document.readyState]`))
			if err == nil && len(at) == 3 && at[1] != from && at[2] == "complete" {
				host = at[0]
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the form's answer never arrived (at %v, %v; attacker visits %d)", what, at, err, visits.Load())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if host != home.Host || visits.Load() != 0 {
			t.Fatalf("%s: the browser is at %q (the attacker's site was visited %d times), want %q", what, host, visits.Load(), home.Host)
		}
	}
	d := a.DemoAccounts[0]
	se := a.Snapshot().Conf.Sessions[20]
	targets := []string{
		`/./\` + evilHost + `/`,
		`/\` + evilHost + `/`,
		`//` + evilHost + `/`,
		`/%5C` + evilHost + `/`,
		"/\t/" + evilHost + "/",
		`http://` + evilHost + `/`,
	}
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), d.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), d.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	stayedHome("sign-in", "/signin")
	for _, target := range targets {
		js := strconv.Quote(target)
		// Signed in, a link to the sign-in or sign-up page with the crafted
		// next redirects at once: a plain navigation, which no form-action
		// policy covers.
		for _, page := range []string{"/signin", "/signup"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+page+"?next="+url.QueryEscape(target))); err != nil {
				t.Fatalf("open %s with next %q: %v", page, target, err)
			}
			stayedHome("signed in, "+page+" with next "+strconv.Quote(target), page)
		}
		// A star form posted without its script (form.submit skips the
		// fetch), with the crafted back target: the server redirects.
		err = chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/sessions/"+se.ID),
			chromedp.WaitVisible(chromedp.CSS("article.session form.star")),
			chromedp.Evaluate[chromedp.Void](`(() => {
				const f = document.querySelector('article.session form.star');
				f.querySelector('input[name=back]').value = `+js+`;
				f.submit();
			})()`),
		)
		if err != nil {
			t.Fatalf("star with back %q: %v", target, err)
		}
		stayedHome("star form with back "+strconv.Quote(target), "/sessions/"+se.ID)
	}
	// Signed out, the sign-in form posts a crafted next (a page's policy
	// also stops Chromium from following a form's redirect off-site, but
	// not every browser has it).
	signOutInBrowser(t, ctx)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/signin?next="+url.QueryEscape(targets[0])),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=next]').value = `+strconv.Quote(targets[0])),
		chromedp.SendKeys(chromedp.CSS("#email"), d.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), d.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
	)
	if err != nil {
		t.Fatalf("sign in with a crafted next: %v", err)
	}
	stayedHome("sign-in posting next "+strconv.Quote(targets[0]), "/signin")
}
