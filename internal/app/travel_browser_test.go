package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"venuehop/internal/account"
	"venuehop/internal/browsertest"
	"venuehop/internal/venuepack"
)

// TestBrowserOrganizerTravel walks an organizer through it on a phone: a
// re:Invent CSV's dry run proposes the Strip pack, Apply with the box
// ticked builds the model from it; on the Travel page a walk is corrected
// and removed, and a timetable is checked, then applied.
func TestBrowserOrganizerTravel(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv, _ := newAuthApp(t)
	shots := browsertest.ShotsDir(t)
	dir := t.TempDir()
	csvFile, hoursFile := filepath.Join(dir, "reinvent.csv"), filepath.Join(dir, "hours.csv")
	os.WriteFile(csvFile, []byte(stripCSV), 0o600)
	os.WriteFile(hoursFile, []byte("line,stops,days,from,to,headway\nshuttle-venetian-mgm-grand,,all,08:00,12:00,20\n"), 0o600)
	var org DemoAccount
	for _, d := range a.DemoAccounts {
		if d.Role == account.Organizer {
			org = d
		}
	}
	do, _ := chromeSteps(t, ctx)
	text := chromeText(t, ctx)
	do("sign in as the organizer on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/signin?next=/admin/import"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), org.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), org.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#file")),
	)
	dropTravelModel(t, a)
	do("check the CSV",
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{csvFile}),
		chromedp.SetValue(chromedp.CSS("#timezone"), "America/Los_Angeles"),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".pack-proposal")),
	)
	if p := text(".pack-proposal"); !strings.Contains(p, "Las Vegas Strip knows 5 of its 5 venues") {
		t.Errorf("proposal %q", p)
	}
	if checked, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form.apply input[name=pack]').checked`)); !checked {
		t.Error("the pack box is not ticked")
	}
	// The report lists every session the import removes: shoot the screen.
	do("scroll to the proposal", chromedp.ScrollIntoView(chromedp.CSS(".pack-proposal")))
	screen(t, filepath.Join(shots, "import-pack-proposal-phone.png"), ctx)
	do("scroll to Apply", chromedp.ScrollIntoView(chromedp.CSS("form.apply")))
	screen(t, filepath.Join(shots, "import-pack-apply-phone.png"), ctx)
	do("apply with the pack, confirming that every demo session goes",
		chromedp.Click(chromedp.CSS(`#confirm`)),
		chromedp.Click(chromedp.CSS(`#allow-remove-all`)),
		chromedp.Click(chromedp.CSS(`form.apply button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".report.applied")),
	)
	if tm := a.Snapshot().Conf.Travel; tm == nil || tm.Pack == nil || tm.Pack.ID != venuepack.StripID {
		t.Fatal("the import did not apply the pack")
	}

	do("open the Travel page", chromedp.Navigate(srv.URL+"/admin/travel"), chromedp.WaitVisible(chromedp.CSS("#walk-minutes")))
	if m := text(".travel-admin > p.muted"); !strings.Contains(m, "Built from the venue pack Las Vegas Strip") {
		t.Errorf("model line %q", m)
	}
	do("correct a walk",
		chromedp.SetValue(chromedp.CSS("#walk-from"), "venetian"),
		chromedp.SetValue(chromedp.CSS("#walk-to"), "wynn"),
		chromedp.SendKeys(chromedp.CSS("#walk-minutes"), "17"),
		chromedp.Click(chromedp.CSS(".walk-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("table.walks")),
	)
	if w, ok := a.Snapshot().Conf.Travel.Correction("venetian", "wynn"); !ok || w.Minutes != 17 {
		t.Errorf("stored corrections %+v", a.Snapshot().Conf.Travel.WalkCorrections)
	}
	if r := text(".report"); !strings.Contains(r, "21 min walk") || !strings.Contains(r, "17 min walk") {
		t.Errorf("the report does not show the walk before and after: %q", r)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "travel-walk-phone.png"))
	do("remove it", chromedp.Click(chromedp.CSS("table.walks button")), chromedp.WaitNotPresent(chromedp.CSS("table.walks")))
	if _, ok := a.Snapshot().Conf.Travel.Correction("venetian", "wynn"); ok {
		t.Error("the correction is still stored")
	}
	rev := a.Snapshot().Rev
	do("check a timetable",
		chromedp.SetUploadFiles(chromedp.CSS("#timetable"), []string{hoursFile}),
		chromedp.Click(chromedp.CSS(`section[aria-labelledby=timetable-h] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("form.apply")),
	)
	if a.Snapshot().Rev != rev {
		t.Error("the dry run changed the conference")
	}
	if r := text(".report"); !strings.Contains(r, "Shuttle Venetian – MGM Grand") || !strings.Contains(r, "08:00–12:00") {
		t.Errorf("timetable report %q", r)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "travel-timetable-phone.png"))
	do("apply it", chromedp.Click(chromedp.CSS(`form.apply button[type=submit]`)), chromedp.WaitNotPresent(chromedp.CSS("form.apply")))
	if a.Snapshot().Rev != rev+1 {
		t.Error("the timetable was not stored")
	}
	if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the Travel page is %d px wide on a 390 px phone", w)
	}
}

// screen saves what the screen shows.
func screen(t *testing.T, path string, ctx context.Context) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
