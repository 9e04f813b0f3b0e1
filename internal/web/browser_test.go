package web_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
	"venuehop/internal/catalog"
	"venuehop/internal/conference"
)

// TestBrowserCatalog drives the catalog in headless Chromium: type a query,
// see the results change without a page load, open a session by clicking it.
// Screenshots go to $VENUEHOP_SHOTS_DIR when set (else a temp dir).
func TestBrowserCatalog(t *testing.T) {
	ctx := browsertest.New(t) // first: without a browser, skip before any work
	ts, ix := demoSite(t)
	shots := browsertest.ShotsDir(t)
	problems := browsertest.WatchConsole(ctx)

	// A session whose code is unique enough to be the top hit.
	snap := ix.Snapshot()
	target, query := searchTarget(t, ix)

	run(t, ctx, "open the catalog",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#results .result-list")),
	)
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "catalog-desktop.png"))
	before := eval[string](t, ctx, `document.querySelector('#results .result-list a').getAttribute('href')`)
	if before == "/sessions/"+target.ID {
		t.Fatalf("the target %s is already first before searching", target.ID)
	}
	// A page load would drop this marker; the live update must keep it.
	eval[bool](t, ctx, `window.venuehopNoReload = true`)

	run(t, ctx, "load more results in place",
		chromedp.Click(chromedp.CSS("#results .pager a.more")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#results .result-list > li').length === 100`,
			chromedp.WithPollingTimeout(10*time.Second)),
	)
	if !eval[bool](t, ctx, `document.activeElement.matches('#results .result-list > li:nth-child(51) a')`) {
		t.Error("after More results, the focus is not on the first new result")
	}

	run(t, ctx, "type the query", chromedp.SendKeys(chromedp.CSS("#q"), query))
	want := "/sessions/" + target.ID
	run(t, ctx, "wait for the results to change",
		chromedp.PollFunction[chromedp.Void](`(want) => {
			const a = document.querySelector('#results .result-list a');
			return a && a.getAttribute('href') === want;
		}`, chromedp.WithPollingArgs(want), chromedp.WithPollingTimeout(10*time.Second)),
	)
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "catalog-search.png"))
	if !eval[bool](t, ctx, `window.venuehopNoReload === true`) {
		t.Error("typing reloaded the page; it should update the results in place")
	}
	if loc := eval[string](t, ctx, `location.search`); !strings.Contains(loc, "q=") {
		t.Errorf("the address does not keep the query: %q", loc)
	}
	status := eval[string](t, ctx, `document.getElementById('result-count').textContent`)
	if !strings.Contains(status, "match") {
		t.Errorf("result count reads %q", status)
	}

	run(t, ctx, "open the session",
		chromedp.Click(chromedp.CSS(`#results .result-list a`)),
		chromedp.WaitVisible(chromedp.CSS("article.session h1")),
	)
	h1 := eval[string](t, ctx, `document.querySelector('article.session h1').textContent`)
	if h1 != target.Title {
		t.Errorf("session page heading %q, want %q", h1, target.Title)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(title, target.Title) || !strings.Contains(title, snap.Conf.Name) {
		t.Errorf("document title %q", title)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "session.png"))

	run(t, ctx, "open the venues", chromedp.Click(chromedp.CSS(`header nav a[href="/venues"]`)),
		chromedp.WaitVisible(chromedp.CSS("section.venue table")))
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "venues.png"))

	run(t, ctx, "open the catalog on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#results .result-list")),
	)
	// No sideways scrolling on a phone.
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the phone page is %d px wide, wider than the 390 px screen", w)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "catalog-phone.png"))
	run(t, ctx, "open the filters", chromedp.Click(chromedp.CSS("#filters summary")))
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "catalog-phone-filters.png"))
	run(t, ctx, "open a keynote on a phone",
		chromedp.Navigate(ts.URL+"/sessions/"+keynoteID(t, snap)),
		chromedp.WaitVisible(chromedp.CSS("article.session h1")))
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "session-phone.png"))

	for _, p := range problems() {
		t.Errorf("browser console: %s", p)
	}
}

// TestBrowserWithoutJavaScript submits the catalog form with scripts off:
// the plain GET form must filter just the same.
func TestBrowserWithoutJavaScript(t *testing.T) {
	ctx := browsertest.New(t) // first: without a browser, skip before any work
	ts, ix := demoSite(t)
	target, query := searchTarget(t, ix)

	run(t, ctx, "turn scripts off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	run(t, ctx, "search",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), query),
		chromedp.Click(chromedp.CSS(`#search button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#results a[href="/sessions/`+target.ID+`"]`)),
	)
	if loc := eval[string](t, ctx, `location.search`); !strings.Contains(loc, "q=") {
		t.Errorf("the form did not submit the query: %q", loc)
	}
	run(t, ctx, "filter by type",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.Click(chromedp.CSS("#filters summary")),
		chromedp.Click(chromedp.CSS(`input[name=type][value="Workshop"]`)),
		chromedp.Click(chromedp.CSS(`.filter-actions button`)),
		// The badge counting active filters exists only on the new page.
		chromedp.WaitVisible(chromedp.CSS(`#filters summary .badge`)),
	)
	types := eval[[]string](t, ctx, `[...document.querySelectorAll('#results .card .meta span:nth-child(2)')].map(e => e.textContent)`)
	if len(types) == 0 {
		t.Fatal("no results after filtering")
	}
	for _, ty := range types {
		if ty != conference.TypeWorkshop {
			t.Errorf("a %q among the workshops", ty)
		}
	}
}

func keynoteID(t *testing.T, snap *conference.Snapshot) string {
	for _, s := range snap.Conf.Sessions {
		if len(s.OverflowRoomIDs) > 0 {
			return s.ID
		}
	}
	t.Fatal("no keynote with overflow rooms")
	return ""
}

// searchTarget picks a session that its code finds first, and that code.
func searchTarget(t *testing.T, ix *catalog.Index) (*conference.Session, string) {
	t.Helper()
	for i := range ix.Snapshot().Conf.Sessions {
		s := &ix.Snapshot().Conf.Sessions[i]
		if s.Code == "" || i < len(ix.Snapshot().Conf.Sessions)/2 {
			continue
		}
		res, err := ix.Search(catalog.Query{Text: s.Code, Limit: 1})
		if err == nil && len(res.Sessions) == 1 && res.Sessions[0].ID == s.ID {
			return s, s.Code
		}
	}
	t.Fatal("no session is found first by its code")
	return nil, ""
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}
