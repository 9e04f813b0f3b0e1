package app

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"venuehop/internal/account"
	"venuehop/internal/browsertest"
	"venuehop/internal/formats"
)

// csvWithoutVenue is the served conference as CSV without the sessions of
// its last venue: a re-import of it drops that venue's part of the model.
func csvWithoutVenue(t *testing.T, a *App) ([]byte, string) {
	t.Helper()
	c := a.Snapshot().Conf
	gone := c.Venues[len(c.Venues)-1].ID
	var buf bytes.Buffer
	if err := formats.Write(&buf, c, formats.FormatCSV, formats.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	v := -1
	for i, h := range rows[0] {
		if h == "venueId" {
			v = i
		}
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	for i, r := range rows {
		if i == 0 || r[v] != gone {
			w.Write(r)
		}
	}
	w.Flush()
	return out.Bytes(), gone
}

type consequencesJSON struct {
	Error        struct{ Code, Message string }
	Applied      bool
	Dropped      []string
	Consequences struct {
		SessionsRemoved, ModelPartsDropped int
		NeedsConfirmation                  []string
		RemovesAll                         bool
	}
}

// The API's dry run opens with the consequences and names each dropped
// item; applying what needs a confirmation is 409 with the summary until
// confirm=true, and nothing is stored meanwhile.
func TestAPIImportNeedsConfirmation(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	org := demoTokens(t, a, srv.URL)[account.Organizer]
	file, gone := csvWithoutVenue(t, a)
	post := func(query string) (int, consequencesJSON, []byte) {
		st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/admin/import?format=csv&name=export.csv"+query, org, string(file))
		var out consequencesJSON
		json.Unmarshal(body, &out)
		return st, out, body
	}
	rev := a.Snapshot().Rev
	st, dry, body := post("&dryRun=true")
	if st != 200 || !strings.HasPrefix(string(body), `{"consequences":`) || dry.Consequences.ModelPartsDropped == 0 ||
		len(dry.Dropped) != dry.Consequences.ModelPartsDropped || len(dry.Consequences.NeedsConfirmation) == 0 {
		t.Fatalf("dry run: %d %.600s", st, body)
	}
	named := false
	for _, d := range dry.Dropped {
		named = named || strings.Contains(d, gone)
	}
	if !named {
		t.Errorf("no dropped item names the removed venue %s: %v", gone, dry.Dropped)
	}
	st, refused, body := post("")
	if st != 409 || refused.Error.Code != "conflict" || !strings.Contains(refused.Error.Message, "needs a confirmation") || refused.Applied ||
		len(refused.Consequences.NeedsConfirmation) == 0 {
		t.Fatalf("apply without confirm: %d %.600s", st, body)
	}
	if a.Snapshot().Rev != rev {
		t.Fatal("a refused import changed the conference")
	}
	if st, _, body := post("&confirm=maybe"); st != 400 || !strings.Contains(string(body), "confirm: expected true or false") {
		t.Errorf("confirm=maybe: %d %s", st, body)
	}
	if st, _, body := post("&dst=sometimes"); st != 400 || !strings.Contains(string(body), "dst: expected earlier or later") {
		t.Errorf("dst=sometimes: %d %s", st, body)
	}
	if st, done, body := post("&confirm=true"); st != 200 || !done.Applied {
		t.Fatalf("confirmed: %d %.400s", st, body)
	}
	if a.Snapshot().Rev != rev+1 {
		t.Error("the confirmed import stored nothing")
	}
}

// On a phone: the dry-run report opens with its summary box; Apply needs
// the box ticked (the browser will not send the form without it), then
// imports.
func TestBrowserImportConfirmation(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv, _ := newAuthApp(t)
	shots := browsertest.ShotsDir(t)
	data, _ := csvWithoutVenue(t, a)
	file := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	do, _ := chromeSteps(t, ctx)
	text := chromeText(t, ctx)
	org := accountOf(a, account.Organizer)
	do("sign in as the organizer on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/signin?next=/admin/import"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), org.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), org.Password),
		chromedp.Click(chromedp.CSS(`.auth-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#file")),
	)
	rev := a.Snapshot().Rev
	do("check the CSV",
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".summary-box")),
	)
	box := text(".summary-box")
	for _, w := range []string{"What this import does", "model parts dropped", "Applying needs your confirmation"} {
		if !strings.Contains(box, w) {
			t.Errorf("the summary box lacks %q: %q", w, box)
		}
	}
	if !strings.Contains(text("ul.dropped"), "travel model") {
		t.Error("the dropped items are not listed")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "import-confirm-phone.png"))
	// What the phone shows: the box, then the Apply form below it.
	viewport := func(name, sel string) {
		t.Helper()
		do("scroll to "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel)))
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil || len(png) == 0 {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	viewport("import-confirm-phone-box.png", ".summary-box")
	viewport("import-confirm-phone-apply.png", "form.apply")
	do("apply without ticking the box", chromedp.Click(chromedp.CSS(`form.apply button[type=submit]`)))
	if a.Snapshot().Rev != rev {
		t.Fatal("applied without the confirmation")
	}
	do("tick it and apply",
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.Click(chromedp.CSS(`form.apply button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".report.applied")),
	)
	if a.Snapshot().Rev != rev+1 {
		t.Error("the confirmed apply stored nothing")
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "import-confirmed-phone.png"))
}

// accountOf is the first demo sign-in with the role.
func accountOf(a *App, role account.Role) DemoAccount {
	for _, d := range a.DemoAccounts {
		if d.Role == role {
			return d
		}
	}
	return DemoAccount{}
}

// The page's remove-all confirmation: a file that shares no session id
// with the conference offers its own box; Apply without it keeps the file
// for another try and stores nothing; with it the import is applied.
func TestImportPageRemoveAll(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	org := accountOf(a, account.Organizer)
	c := browser(t)
	signIn(t, c, srv.URL, org.Email, org.Password)
	_, _, csrf := page(t, c, srv.URL+"/admin/import")
	var buf bytes.Buffer
	if err := formats.Write(&buf, a.Snapshot().Conf, formats.FormatCSV, formats.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	for i, r := range rows {
		if i > 0 {
			r[0] = "other-" + r[0] // the id column
		}
		w.Write(r)
	}
	w.Flush()
	rev := a.Snapshot().Rev
	st, body := multipartUpload(t, c, srv.URL+"/admin/import/upload", csrf, "csv", "", "other.csv", out.Bytes())
	if st != 200 || !strings.Contains(body, `name="allowRemoveAll"`) || !strings.Contains(body, "every stored session is removed") {
		t.Fatalf("dry run: %d %.1500s", st, body)
	}
	m := applyTokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no apply token")
	}
	st, _, page2 := postForm(t, c, srv.URL+"/admin/import/apply", url.Values{"csrf": {csrf}, "token": {m[1]}, "confirm": {"1"}})
	if st != http.StatusConflict || !strings.Contains(string(page2), "tick the confirmation") || a.Snapshot().Rev != rev {
		t.Fatalf("apply without the remove-all box: %d, rev %d", st, a.Snapshot().Rev)
	}
	m = applyTokenRE.FindStringSubmatch(string(page2))
	if m == nil {
		t.Fatal("the refused apply did not keep the file")
	}
	st, _, done := postForm(t, c, srv.URL+"/admin/import/apply", url.Values{"csrf": {csrf}, "token": {m[1]}, "confirm": {"1"}, "allowRemoveAll": {"1"}})
	if st != 200 || !strings.Contains(string(done), "Imported: the conference is now at revision") || a.Snapshot().Rev != rev+1 {
		t.Fatalf("apply with the box: %d %.500s", st, done)
	}
}
