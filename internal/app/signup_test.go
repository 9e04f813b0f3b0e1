package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"venuehop/internal/account"
)

// TestHoardingRegisteredOnly: with sign-up for registered attendees only,
// an address that is not on the list gets no account, whatever it sends;
// a registered attendee claims theirs once with their code; and every
// refusal (not on the list, wrong code, already claimed, an account that
// exists) is the same answer, so sign-up tells nobody who has an account.
func TestHoardingRegisteredOnly(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	ctx := context.Background()
	signup(t, srv, "early@example.com", "correct horse battery") // open until the organizer chooses
	if err := a.accounts.SetSignupMode(ctx, account.RegisteredOnly); err != nil {
		t.Fatal(err)
	}
	rep, err := a.accounts.ImportRegistrations(ctx, strings.NewReader("email,name,badge id\nada@example.com,Ada Lovelace,B-1\ngrace@example.com,Grace Hopper,B-2\nearly@example.com,Early Bird,B-3\n"))
	if err != nil || rep.Added != 3 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	codes := map[string]string{}
	list, _ := a.accounts.Registrations(ctx)
	for _, r := range list {
		codes[r.Email] = r.Code
	}
	if codes["early@example.com"] != "" || codes["ada@example.com"] == "" {
		t.Fatalf("codes %v: the attendee with an account needs none, the others one each", codes)
	}
	signUp := func(email, code string) (int, []byte) {
		t.Helper()
		st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/auth/signup", "",
			map[string]string{"email": email, "password": "correct horse battery", "name": "Someone", "code": code})
		return st, body
	}
	// Ada claims hers (typed loosely: upper case, no dash).
	if st, body := signUp("ADA@example.com", strings.ToUpper(strings.ReplaceAll(codes["ada@example.com"], "-", ""))); st != 201 {
		t.Fatalf("a registered attendee with her code: %d %s", st, body)
	}
	first, firstBody := signUp("eve@example.com", codes["grace@example.com"])
	refusals := []struct{ name, email, code string }{
		{"not on the list, with someone's code", "eve@example.com", codes["grace@example.com"]},
		{"not on the list, a made-up code", "mallory@example.com", "k7qmz-3xtpa"},
		{"on the list, a wrong code", "grace@example.com", "k7qmz-3xtpa"},
		{"already claimed, the right code again", "ada@example.com", codes["ada@example.com"]},
		{"an account that exists", "early@example.com", "k7qmz-3xtpa"},
		{"a fullwidth copy of a claimed address", "ａｄａ@example.com", codes["ada@example.com"]},
	}
	for _, r := range refusals {
		st, body := signUp(r.email, r.code)
		if st != 422 || errCodeOf(body) != "invalid" || !bytes.Equal(body, firstBody) || st != first {
			t.Errorf("%s: %d %s, want the one refusal %d %s", r.name, st, body, first, firstBody)
		}
	}
	if st, body := signUp("grace@example.com", ""); st != 422 || !strings.Contains(string(body), "code") {
		t.Errorf("no code: %d %s", st, body)
	}
	for _, email := range []string{"eve@example.com", "mallory@example.com"} {
		if st, _, _ := call(t, nil, "POST", srv.URL+"/api/v1/auth/login", "", map[string]string{"email": email, "password": "correct horse battery"}); st != 401 {
			t.Errorf("%s has an account after refused sign-ups", email)
		}
	}
	// The sign-up page asks for the code.
	_, html, _ := page(t, browser(t), srv.URL+"/signup")
	if !strings.Contains(html, `name="code"`) {
		t.Error("the sign-up page of registered-only sign-up has no code field")
	}
}

// TestHoardingOpenIsRateLimited: open sign-up lets one address make only
// a handful of accounts at once (then 429 with a wait), while another
// address still signs up; look-alike addresses are one account.
func TestHoardingOpenIsRateLimited(t *testing.T) {
	_, srv, _ := newAuthApp(t)
	signUp := func(c *http.Client, email string) (int, http.Header, []byte) {
		t.Helper()
		return call(t, c, "POST", srv.URL+"/api/v1/auth/signup", "", map[string]string{"email": email, "password": "correct horse battery"})
	}
	hoarder := fromAddress("127.0.0.5", nil)
	made := 0
	for i := range 40 {
		st, hdr, body := signUp(hoarder, fmt.Sprintf("throwaway%d@example.com", i))
		if st == 201 {
			made++
			continue
		}
		if st != 429 || errCodeOf(body) != "rate_limited" || hdr.Get("Retry-After") == "" {
			t.Fatalf("sign-up %d: %d %s", i+1, st, body)
		}
	}
	if burst := int(account.DefaultSignupsPerAddress.Burst); made != burst {
		t.Errorf("one address made %d accounts at once, want the burst of %d", made, burst)
	}
	if st, _, body := signUp(fromAddress("127.0.0.6", nil), "someone@example.com"); st != 201 {
		t.Errorf("another address: %d %s", st, body)
	}
	if st, _, body := signUp(fromAddress("127.0.0.7", nil), "ｓｏｍｅｏｎｅ@EXAMPLE.com"); st != 409 {
		t.Errorf("a fullwidth, upper-case copy of an address: %d %s, want the conflict of the same address", st, body)
	}
}

// TestAttendeesPage: an organizer chooses the sign-up mode, imports the
// list and exports the codes on the attendees page; an attendee may not.
func TestAttendeesPage(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	org := browser(t)
	d := demoAccount(t, a, account.Organizer)
	_, _, csrf := page(t, org, srv.URL+"/signin")
	if st, _, _ := postForm(t, org, srv.URL+"/signin", url.Values{"csrf": {csrf}, "email": {d.Email}, "password": {d.Password}}); st != 303 {
		t.Fatalf("organizer sign-in: %d", st)
	}
	st, html, csrf := page(t, org, srv.URL+"/admin/attendees")
	if st != 200 || !strings.Contains(html, `value="open" checked`) {
		t.Fatalf("attendees page: %d (open sign-up checked?)", st)
	}
	if st, hdr, _ := postForm(t, org, srv.URL+"/admin/signup-mode", url.Values{"csrf": {csrf}, "mode": {"registered"}}); st != 303 || !strings.HasPrefix(hdr.Get("Location"), "/admin/attendees") {
		t.Fatalf("set the mode: %d %v", st, hdr)
	}
	if m, _ := a.accounts.SignupMode(context.Background()); m != account.RegisteredOnly {
		t.Fatalf("mode %q after the form", m)
	}
	upload := func(file string) (int, string) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("file", "attendees.csv")
		fw.Write([]byte(file))
		mw.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/admin/attendees/upload", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := org.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	if st, html := upload("ada@example.com,Ada,B-1\nnot-an-address,Bad,B-2\n"); st != 422 || !strings.Contains(html, "Line 2") {
		t.Errorf("a bad list: %d, want 422 naming line 2", st)
	}
	if list, _ := a.accounts.Registrations(context.Background()); len(list) != 0 {
		t.Errorf("a bad list stored %d attendees", len(list))
	}
	st, html = upload("ada@example.com,Ada Lovelace,B-1\ngrace@example.com,Grace Hopper,B-2\n")
	if st != 200 || !strings.Contains(html, "2 attendees added") || !strings.Contains(html, "Grace Hopper") {
		t.Fatalf("import: %d", st)
	}
	list, _ := a.accounts.Registrations(context.Background())
	for _, r := range list {
		if !strings.Contains(html, r.Code) {
			t.Errorf("the page does not show %s's code", r.Email)
		}
	}
	st, _, body := call(t, org, "GET", srv.URL+"/admin/attendees.csv", "", nil)
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if st != 200 || err != nil || len(rows) != 3 || rows[1][0] != "ada@example.com" || rows[1][3] != list[0].Code {
		t.Errorf("export: %d %v %q", st, err, rows)
	}
	// Attendees and strangers get nothing.
	att := browser(t)
	_, _, csrf = page(t, att, srv.URL+"/signin")
	postForm(t, att, srv.URL+"/signin", url.Values{"csrf": {csrf}, "email": {a.DemoAccounts[0].Email}, "password": {a.DemoAccounts[0].Password}})
	for _, c := range []*http.Client{att, browser(t)} {
		if st, _, _ := call(t, c, "GET", srv.URL+"/admin/attendees.csv", "", nil); st == 200 {
			t.Error("the codes were exported to someone who is not an organizer")
		}
	}
}
