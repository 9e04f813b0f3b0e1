package app

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
	"venuehop/internal/conference"
)

// TestBrowserNowOffline: with GET /api/v1/me/next unreachable, the Now
// page computes on the device (nownext.js on the offline travel tables,
// the agenda and the favourites), says so with the data's time, and
// proposes the same sessions, set apart the same way, as the server's page.
func TestBrowserNowOffline(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv := duringEvent(t, "12:30")
	b := newTab(t, ctx, srv.URL)
	snap := a.Snapshot()
	venue := snap.Conf.Venues[0].ID
	seat := firstStarting(snap, venue, onTuesday(t, "14:15"), onTuesday(t, "14:45"), func(s *conference.Session) bool { return s.Reservable })
	if seat == nil {
		t.Fatal("no sessions for the scenario")
	}
	tok := signup(t, srv, "off@example.com", "correct horse battery")
	reserve(t, srv.URL, tok, seat.ID)
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/blocks", tok, map[string]string{"title": "Lunch with Bo",
		"start": "2026-12-01T12:40", "end": "2026-12-01T13:20", "venueId": venue}); st != 201 {
		t.Fatalf("block: %d %s", st, body)
	}
	b.signIn("off@example.com", "correct horse battery", "/me/now?from="+venue, ".now-form")
	cards := `[...document.querySelectorAll('.now > .now-list .now-card')].map(c => c.dataset.session).join(' ') + ' | ' +
		[...document.querySelectorAll('.now-missing .now-card')].map(c => c.dataset.session).join(' ')`
	online := b.text(cards)
	if strings.HasPrefix(online, " |") || strings.HasSuffix(online, "| ") {
		t.Fatalf("the scenario needs sessions to propose and to set apart: %q", online)
	}
	if b.is(`!!document.querySelector('.now-offline')`) {
		t.Fatal("online, the page says it is offline")
	}

	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{
		{URLPattern: srv.URL + "/api/v1/me/next*", Block: true}}}); err != nil {
		t.Fatal(err)
	}
	b.do("reload without the now/next API", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".now-offline")))
	status := b.text(`document.querySelector('.now-offline').textContent`)
	if !strings.HasPrefix(status, "Offline — computed on this device, data from ") {
		t.Errorf("offline line: %q", status)
	}
	if got := b.text(cards); got != online {
		t.Errorf("on the device:\n %s\nthe server's page:\n %s", got, online)
	}
	if !b.is(`[...document.querySelectorAll('.leave-in')].some(e => /^leave (now|in \d+ min)$/.test(e.textContent))`) {
		t.Errorf("no leave-in countdown offline: %s", b.text(`document.querySelector('.now').innerText`))
	}
	b.shot("now-offline-phone")
}
