package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
	"venuehop/internal/clock"
	"venuehop/internal/live"
	"venuehop/internal/web"
)

// shuttleSite serves the pages for the demo with the clock at now.
func shuttleSite(t *testing.T, now time.Time) *httptest.Server {
	t.Helper()
	c, err := demoConference()
	if err != nil {
		t.Fatal(err)
	}
	st, err := live.Build(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	var holder live.Holder
	holder.Store(st)
	pages, err := web.New(web.Deps{Live: &holder, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Clock: clock.Fixed(now)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	pages.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

// TestBrowserShuttles opens the Shuttles page on a phone with scripts off,
// on the demo's Tuesday at 14:05: every line with its stops, today's hours,
// the next departure and the hours after; at 17:30 the rush shows; the
// nav links to it.
func TestBrowserShuttles(t *testing.T) {
	ctx := browsertest.New(t) // first: without a browser, skip before any work
	loc, _ := time.LoadLocation("America/Los_Angeles")
	ts := shuttleSite(t, time.Date(2026, 12, 1, 14, 5, 0, 0, loc))
	shots := browsertest.ShotsDir(t)
	problems := browsertest.WatchConsole(ctx)

	run(t, ctx, "turn scripts off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	run(t, ctx, "open the shuttles on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`header.site nav a[href="/shuttles"]`)),
		chromedp.Click(chromedp.CSS(`header.site nav a[href="/shuttles"]`)),
		chromedp.WaitVisible(chromedp.CSS(".shuttles .line")),
	)
	if cur := eval[string](t, ctx, `document.querySelector('header.site nav a[aria-current="page"]').textContent`); cur != "Shuttles" {
		t.Errorf("the nav marks %q as current", cur)
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the phone page is %d px wide, wider than the 390 px screen", w)
	}
	cards := eval[[]map[string]any](t, ctx, `[...document.querySelectorAll('.shuttles .line')].map(c => ({
		name: c.querySelector('h2').textContent.trim(),
		stops: c.querySelectorAll('.stops li').length,
		today: c.querySelector('.today').textContent.trim(),
		now: (c.querySelector('.now') || {textContent: ''}).textContent.trim(),
		hours: c.querySelectorAll('.hours tbody tr').length,
	}))`)
	if len(cards) != 9 {
		t.Fatalf("%d lines on the page, want the demo's 8 shuttles and the monorail", len(cards))
	}
	for _, c := range cards {
		name, now := c["name"].(string), c["now"].(string)
		if c["stops"].(float64) < 2 || !strings.Contains(c["today"].(string), "every") {
			t.Errorf("%s: %v stops, today %q", name, c["stops"], c["today"])
		}
		if !strings.Contains(now, "Next departure") || !strings.Contains(now, "ride") {
			t.Errorf("%s: now %q, want the next departure and the ride", name, now)
		}
		if c["hours"].(float64) != 6 { // 15:00 to 20:00: all within service
			t.Errorf("%s: %v hour rows, want 6", name, c["hours"])
		}
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "shuttles-phone.png"))
	viewportShot(t, ctx, filepath.Join(shots, "shuttles-phone-screen.png"))

	// The form (a plain GET) shows another time: the evening rush.
	run(t, ctx, "scroll to the second line", chromedp.ScrollIntoView(chromedp.CSS(".shuttles .line:nth-of-type(2)")))
	viewportShot(t, ctx, filepath.Join(shots, "shuttles-phone-line.png"))
	run(t, ctx, "the evening rush",
		chromedp.Click(chromedp.CSS(".shuttle-when summary")),
		chromedp.SetValue(chromedp.CSS("#at"), "2026-12-01T17:30"),
		chromedp.Click(chromedp.CSS(".shuttle-when button")),
		chromedp.WaitVisible(chromedp.CSS(".shuttles .now.slow")),
	)
	if when := eval[string](t, ctx, `document.querySelector('.shuttles .when').textContent`); !strings.Contains(when, "17:30") {
		t.Errorf("the page is for %q, want 17:30", when)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.hours .tag').length`); n == 0 {
		t.Error("no rush marked at 17:30")
	}
	viewportShot(t, ctx, filepath.Join(shots, "shuttles-rush-screen.png"))

	run(t, ctx, "after the last departure",
		chromedp.Navigate(ts.URL+"/shuttles?at=2026-12-01T22:00"),
		chromedp.WaitVisible(chromedp.CSS(".shuttles .line")),
	)
	if n := eval[int](t, ctx, `[...document.querySelectorAll('.now')].filter(e => e.textContent.includes('No more departures today')).length`); n != 9 {
		t.Errorf("at 22:00 %d lines say there are no more departures, want all 9", n)
	}
	for _, p := range problems() {
		t.Errorf("browser console: %s", p)
	}
	resp, err := http.Get(ts.URL + "/shuttles?at=tomorrow")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a time that is none: %d, want 400", resp.StatusCode)
	}
}
