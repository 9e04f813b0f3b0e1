package app

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"venuehop/internal/account"
)

// demoAccount returns the first demo sign-in with the role.
func demoAccount(t *testing.T, a *App, role account.Role) DemoAccount {
	t.Helper()
	for _, d := range a.DemoAccounts {
		if d.Role == role {
			return d
		}
	}
	t.Fatalf("no demo account with the role %s", role)
	return DemoAccount{}
}

// chromeSteps returns the two helpers browser tests use: do runs steps
// (failing the test with what), eval evaluates a boolean expression.
func chromeSteps(t *testing.T, ctx context.Context) (do func(what string, steps ...chromedp.Action[chromedp.Void]), eval func(js string) bool) {
	do = func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval = func(js string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	return do, eval
}

// signOutInBrowser submits the page's sign-out form and waits until a page
// without one has loaded.
func signOutInBrowser(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/signout"]').submit()`)); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		// A fresh evaluation each time: the page may be between documents.
		out, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
			`document.readyState === 'complete' && !document.querySelector('form[action="/signout"]')`))
		if err == nil && out {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sign-out never finished: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// chromeText reads an element's text (fatal when it cannot).
func chromeText(t *testing.T, ctx context.Context) func(sel string) string {
	return func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text %s: %v", sel, err)
		}
		return v
	}
}
