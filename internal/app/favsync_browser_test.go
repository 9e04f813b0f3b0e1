package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
)

// TestBrowserFavoriteSyncTwoDevices: two browsers (separate contexts:
// cookies and storage of their own) of one attendee, both on the catalog.
// Cut off from the server, each stars a different session; the stars show
// at once and wait on the device. Back online, one after the other, they
// sync, and both pages end up showing both stars without a reload.
func TestBrowserFavoriteSyncTwoDevices(t *testing.T) {
	ctxA := browsertest.New(t)
	ctxB, cancelB := chromedp.NewContext(ctxA, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelB)
	_, srv, _ := newAuthApp(t)
	signup(t, srv, "twodev@example.com", "correct horse battery")
	a, b := newTab(t, ctxA, srv.URL), newTab(t, ctxB, srv.URL)
	for _, d := range []*tab{a, b} {
		d.signIn("twodev@example.com", "correct horse battery", "/", "#results form.star[data-user]")
	}
	// Two results of different contents, present on both pages.
	pick := `(() => { const seen = new Set(), out = [];
		for (const f of document.querySelectorAll('#results form.star')) {
			if (!seen.has(f.dataset.group)) { seen.add(f.dataset.group); out.push(f.getAttribute('action').split('/').pop()); }
			if (out.length === 2) break;
		}
		return out.join(' '); })()`
	ids := strings.Fields(a.text(pick))
	if len(ids) != 2 || b.text(pick) != strings.Join(ids, " ") {
		t.Fatalf("the two catalogs differ or are short: %q / %q", ids, b.text(pick))
	}
	form := func(id string) string {
		return `document.querySelector('#results form.star[action="/me/favorites/` + id + `"]')`
	}
	starred := func(id string) string {
		return form(id) + `.classList.contains('starred') && ` + form(id) + `.querySelector('.star-toggle').getAttribute('aria-pressed') === 'true'`
	}
	pending := `JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('vh-favsync:'))) || '{"pending":[]}').pending.length`

	offline := func(d *tab, off bool) {
		t.Helper()
		var block []*network.BlockPattern
		if off {
			for _, p := range []string{"/me/favorites/*", "/api/v1/me/favorites/changes*"} {
				block = append(block, &network.BlockPattern{URLPattern: srv.URL + p, Block: true})
			}
		}
		if _, err := chromedp.Call(d.ctx, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(d.ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: block}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(d.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			t.Fatal(err)
		}
	}
	poll := func(d *tab, what, js string) {
		t.Helper()
		d.do(what, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(15*time.Second)))
	}

	offline(a, true)
	offline(b, true)
	a.do("A stars the first offline", chromedp.Click(chromedp.CSS(`#results form.star[action="/me/favorites/`+ids[0]+`"] .star-toggle`)))
	b.do("B stars the second offline", chromedp.Click(chromedp.CSS(`#results form.star[action="/me/favorites/`+ids[1]+`"] .star-toggle`)))
	poll(a, "A shows its star, waiting", starred(ids[0])+` && `+pending+` === 1`)
	poll(b, "B shows its star, waiting", starred(ids[1])+` && `+pending+` === 1`)
	if a.is(starred(ids[1])) || b.is(starred(ids[0])) {
		t.Fatal("a device shows the other's offline star")
	}
	a.shot("favsync-offline-phone")

	// Back online, A first, then B: the 'online' event starts each sync.
	offline(a, false)
	a.is(`window.dispatchEvent(new Event('online')), true`)
	poll(a, "A sends its change", pending+` === 0`)
	offline(b, false)
	b.is(`window.dispatchEvent(new Event('online')), true`)
	poll(b, "B sends its change and gets A's", pending+` === 0 && `+starred(ids[0])+` && `+starred(ids[1]))
	a.is(`window.VenuehopFavSync.sync(), true`)
	poll(a, "A gets B's", starred(ids[0])+` && `+starred(ids[1]))
	a.shot("favsync-converged-phone")

	// The server agrees, and a fresh page of either device shows both.
	b.do("B reloads", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#results form.star[data-user]")))
	if !b.is(starred(ids[0]) + ` && ` + starred(ids[1])) {
		t.Error("the server's page does not show both stars")
	}
	for _, d := range []*tab{a, b} {
		for _, p := range d.problems() {
			// The blocked requests are the test's own doing.
			if !strings.Contains(p, "ERR_BLOCKED_BY_CLIENT") && !strings.Contains(p, "Failed to fetch") {
				t.Errorf("browser console: %s", p)
			}
		}
	}
}
