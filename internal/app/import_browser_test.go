package app

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"venuehop/internal/account"
	"venuehop/internal/browsertest"
)

// TestBrowserImportDryRunThenApply uploads a schedule on the import page
// in a real browser, reads the dry-run report and applies it.
// Screenshots go to $VENUEHOP_SHOTS_DIR when set.
func TestBrowserImportDryRunThenApply(t *testing.T) {
	ctx := browsertest.New(t)
	f := newReimportFixture(t)
	shots := browsertest.ShotsDir(t)
	file := filepath.Join(t.TempDir(), "skyforge-v2.json")
	if err := os.WriteFile(file, f.file, 0o600); err != nil {
		t.Fatal(err)
	}
	org := accountOf(f.a, account.Organizer)
	do, _ := chromeSteps(t, ctx)
	text := chromeText(t, ctx)
	do("sign in as the organizer",
		chromedp.Navigate(f.base+"/signin?next=/admin/import"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), org.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), org.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#file")),
	)
	rev := f.a.Snapshot().Rev
	do("check the file",
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".report")),
	)
	if h := text("#report-h"); h != "Dry run of skyforge-v2.json: nothing has been changed yet" {
		t.Errorf("report heading %q", h)
	}
	if f.a.Snapshot().Rev != rev {
		t.Error("the dry run changed the conference")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "import-dry-run.png"))
	// The new page has a report too: wait for the applied one.
	do("apply it",
		chromedp.Click(chromedp.CSS(`form.apply button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".report.applied")),
	)
	if h := text("#report-h"); h != fmt.Sprintf("Imported: the conference is now at revision %d", rev+1) {
		t.Errorf("after apply: %q", h)
	}
	if f.a.Snapshot().Rev != rev+1 {
		t.Error("apply did not store the conference")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "import-applied.png"))
}
