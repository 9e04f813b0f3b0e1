package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/config"
	"venuehop/internal/httpx"
)

// syncBuffer collects the app's log lines from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newAuthApp is newTestApp with the log captured (debug level: everything
// that could ever be logged).
func newAuthApp(t testing.TB) (*App, *httptest.Server, *syncBuffer) {
	t.Helper()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.DemoStart = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	cfg.Now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	logs := &syncBuffer{}
	a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	srv := serveApp(t, a)
	return a, srv, logs
}

// call sends one API request; body may be a string (sent as is) or a value
// (sent as JSON). token "" sends no Authorization header.
func call(t testing.TB, c *http.Client, method, url, token string, body any, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, out
}

func signup(t testing.TB, srv *httptest.Server, email, password string) string {
	t.Helper()
	st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/auth/signup", "", map[string]string{"email": email, "password": password, "name": "Test " + email})
	if st != http.StatusCreated {
		t.Fatalf("signup %s: %d %s", email, st, body)
	}
	var out struct{ Token string }
	mustJSON(t.(*testing.T), body, &out)
	return out.Token
}

func errCodeOf(body []byte) string {
	var e struct{ Error struct{ Code string } }
	json.Unmarshal(body, &e)
	return e.Error.Code
}

func TestSignupLoginLogoutMe(t *testing.T) {
	_, srv, _ := newAuthApp(t)
	api := srv.URL + "/api/v1"
	const pw = "correct horse battery"
	tok := signup(t, srv, "Ada@Example.com", pw)

	var second string
	steps := []struct {
		name         string
		method, path string
		token        func() string
		body         any
		status       int
		code         string // error code, for errors
		check        func(t *testing.T, body []byte)
	}{
		{"me with the signup token", "GET", "/me", func() string { return tok }, nil, 200, "", func(t *testing.T, b []byte) {
			var u struct{ ID, Email, Name, Role string }
			mustJSON(t, b, &u)
			if u.Email != "ada@example.com" || u.Role != "attendee" || !strings.HasPrefix(u.ID, "u_") || u.Name != "Test Ada@Example.com" {
				t.Errorf("me = %+v", u)
			}
		}},
		{"me without a token", "GET", "/me", nil, nil, 401, "unauthorized", nil},
		{"me with a bad token", "GET", "/me", func() string { return "not-a-token" }, nil, 401, "unauthorized", nil},
		{"me with a well-formed unknown token", "GET", "/me", func() string { return strings.Repeat("A", 43) }, nil, 401, "unauthorized", nil},
		{"login", "POST", "/auth/login", nil, map[string]string{"email": " ADA@example.com", "password": pw}, 200, "", func(t *testing.T, b []byte) {
			var out struct{ Token string }
			mustJSON(t, b, &out)
			if len(out.Token) != 43 || out.Token == tok {
				t.Errorf("login token %q", out.Token)
			}
			second = out.Token
		}},
		{"me with the login token", "GET", "/me", func() string { return second }, nil, 200, "", nil},
		{"logout", "POST", "/auth/logout", func() string { return second }, nil, 204, "", nil},
		{"me after logout", "GET", "/me", func() string { return second }, nil, 401, "unauthorized", nil},
		{"logout again", "POST", "/auth/logout", func() string { return second }, nil, 401, "unauthorized", nil},
		{"the other token still works", "GET", "/me", func() string { return tok }, nil, 200, "", nil},
		{"logout without a token", "POST", "/auth/logout", nil, nil, 401, "unauthorized", nil},
		{"wrong password", "POST", "/auth/login", nil, map[string]string{"email": "ada@example.com", "password": "wrong horse battery"}, 401, "unauthorized", nil},
		{"unknown email", "POST", "/auth/login", nil, map[string]string{"email": "nobody@example.com", "password": pw}, 401, "unauthorized", nil},
		{"signup twice", "POST", "/auth/signup", nil, map[string]string{"email": "ada@example.com", "password": pw}, 409, "conflict", nil},
		{"signup bad email", "POST", "/auth/signup", nil, map[string]string{"email": "ada", "password": pw}, 422, "invalid", nil},
		{"signup short password", "POST", "/auth/signup", nil, map[string]string{"email": "b@example.com", "password": "short"}, 422, "invalid", nil},
		{"signup password is the email", "POST", "/auth/signup", nil, map[string]string{"email": "b@example.com", "password": "b@example.com"}, 422, "invalid", nil},
		{"signup long password", "POST", "/auth/signup", nil, map[string]string{"email": "b@example.com", "password": strings.Repeat("x", 129)}, 422, "invalid", nil},
		{"signup malformed JSON", "POST", "/auth/signup", nil, `{"email": "b@example.com",`, 400, "invalid", nil},
		{"signup unknown field", "POST", "/auth/signup", nil, `{"email": "b@example.com", "password": "xxxxxxxxxxxx", "role": "admin"}`, 400, "invalid", nil},
		{"login 10 MB body", "POST", "/auth/login", nil, `{"email": "` + strings.Repeat("a", 10<<20) + `"}`, 413, "too_large", nil},
		{"login malformed JSON", "POST", "/auth/login", nil, `not json`, 400, "invalid", nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			token := ""
			if st.token != nil {
				token = st.token()
			}
			status, hdr, body := call(t, nil, st.method, api+st.path, token, st.body)
			if status != st.status {
				t.Fatalf("status %d, want %d: %.300s", status, st.status, body)
			}
			if st.code != "" && errCodeOf(body) != st.code {
				t.Errorf("error code %q, want %q: %s", errCodeOf(body), st.code, body)
			}
			if status == 401 && hdr.Get("WWW-Authenticate") == "" && st.path != "/auth/login" {
				t.Error("401 without WWW-Authenticate")
			}
			if st.check != nil {
				st.check(t, body)
			}
		})
	}
}

// fromAddress is a client whose requests come from ip, any 127.0.0.0/8
// address (all of them are this machine): a second or third person.
func fromAddress(ip string, jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext,
	}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestGuesserCannotLockOutTheUser: wrong passwords lock the guesser's
// address (and the account from there), never the real user elsewhere;
// once guesses from many addresses pass the account's far higher
// allowance, the browser the user signed in with before (its device
// cookie) still gets in, and a new one waits at most a minute.
func TestGuesserCannotLockOutTheUser(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	th := a.accounts.Throttle()
	th.FreePerAccount = 40 // fewer guesses to send; the policy is the same
	const victim, pw = "victim@example.com", "correct horse battery"
	signup(t, srv, victim, pw)
	login := func(c *http.Client, password string) (int, http.Header, []byte) {
		t.Helper()
		return call(t, c, "POST", srv.URL+"/api/v1/auth/login", "", map[string]string{"email": victim, "password": password})
	}
	// The user signs in on the web once: the browser keeps a device cookie.
	jar, _ := cookiejar.New(nil)
	home := fromAddress("127.0.0.1", jar)
	signIn := func(c *http.Client) (int, http.Header) {
		t.Helper()
		_, _, csrf := page(t, c, srv.URL+"/signin")
		st, hdr, _ := postForm(t, c, srv.URL+"/signin", url.Values{"csrf": {csrf}, "email": {victim}, "password": {pw}})
		return st, hdr
	}
	if st, hdr := signIn(home); st != http.StatusSeeOther || !strings.Contains(strings.Join(hdr.Values("Set-Cookie"), ";"), httpx.DeviceCookie+"=v1.") {
		t.Fatalf("first web sign-in: %d, cookies %v", st, hdr.Values("Set-Cookie"))
	}
	// A guesser at another address fails over and over.
	guesser := fromAddress("127.0.0.2", nil)
	locked := false
	for i := range 3 * th.FreePerIP {
		st, hdr, body := login(guesser, fmt.Sprintf("guess number %d", i))
		switch {
		case st == 401:
		case st == 429 && errCodeOf(body) == "rate_limited" && hdr.Get("Retry-After") != "" && hdr.Get("Retry-After") != "0":
			locked = true
		default:
			t.Fatalf("guess %d: %d %s", i+1, st, body)
		}
	}
	if !locked {
		t.Fatal("the guessing address was never slowed down")
	}
	if st, _, body := login(guesser, pw); st != 429 {
		t.Errorf("the right password from the guessing address: %d %s, want 429 (the lock holds there)", st, body)
	}
	if st, _, body := login(fromAddress("127.0.0.1", nil), pw); st != 200 {
		t.Fatalf("the real user from home while an address guesses: %d %s, want 200", st, body)
	}
	// Now a guess from each of many addresses, past the account's allowance.
	for i := range th.FreePerAccount {
		if st, _, body := login(fromAddress(fmt.Sprintf("127.0.1.%d", i+1), nil), "a botnet guess"); st != 401 && st != 429 {
			t.Fatalf("botnet guess %d: %d %s", i+1, st, body)
		}
	}
	st, hdr, body := login(fromAddress("127.0.0.3", nil), pw)
	wait, _ := strconv.Atoi(hdr.Get("Retry-After"))
	if st != 429 || wait < 1 || time.Duration(wait)*time.Second > th.MaxAccountLock {
		t.Errorf("a new browser after guesses from everywhere: %d (Retry-After %q) %s, want 429 with a wait of at most %v",
			st, hdr.Get("Retry-After"), body, th.MaxAccountLock)
	}
	// The same browser later (its sign-in session gone, its device cookie
	// kept), at another address even.
	u, _ := url.Parse(srv.URL + "/signin")
	later, _ := cookiejar.New(nil)
	for _, c := range jar.Cookies(u) {
		if c.Name == httpx.DeviceCookie {
			later.SetCookies(u, []*http.Cookie{c})
		}
	}
	if st, _ := signIn(fromAddress("127.0.0.4", later)); st != http.StatusSeeOther {
		t.Errorf("the browser that signed in before: %d, want a sign-in despite the guesses", st)
	}
}

// browser is an HTTP client with cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// page GETs a page and returns its body and the first CSRF token in it.
func page(t *testing.T, c *http.Client, url string) (int, string, string) {
	t.Helper()
	st, _, body := call(t, c, "GET", url, "", nil)
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		return st, string(body), ""
	}
	return st, string(body), m[1]
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

// signIn signs a browser in through the form and returns a CSRF token for
// its later forms.
func signIn(t *testing.T, c *http.Client, base, email, password string) string {
	t.Helper()
	_, _, csrf := page(t, c, base+"/signin")
	st, hdr, body := postForm(t, c, base+"/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {password}, "next": {"/"}})
	if st != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", st, body)
	}
	_ = hdr
	_, _, csrf = page(t, c, base+"/")
	if csrf == "" {
		t.Fatal("signed-in page has no CSRF token")
	}
	return csrf
}

func TestCookieSessionAndCSRF(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	const pw = "correct horse battery"
	bearer := signup(t, srv, "cookie@example.com", pw)
	sessionID := a.Snapshot().Conf.Sessions[0].ID
	c := browser(t)

	// Sign-in form: a CSRF token tied to an anonymous cookie.
	st, body, anonCSRF := page(t, c, srv.URL+"/signin")
	if st != 200 || anonCSRF == "" || !strings.Contains(body, `name="password"`) {
		t.Fatalf("sign-in page: %d, csrf %q", st, anonCSRF)
	}
	creds := url.Values{"email": {"cookie@example.com"}, "password": {pw}, "next": {"/me/favorites"}}
	if st, _, _ := postForm(t, c, srv.URL+"/signin", creds); st != 403 {
		t.Errorf("sign-in form without the CSRF token: %d, want 403", st)
	}
	forged := url.Values{"csrf": {"forged"}}
	for k, v := range creds {
		forged[k] = v
	}
	if st, _, _ := postForm(t, c, srv.URL+"/signin", forged); st != 403 {
		t.Errorf("sign-in form with a forged CSRF token: %d, want 403", st)
	}
	good := url.Values{"csrf": {anonCSRF}}
	for k, v := range creds {
		good[k] = v
	}
	st, hdr, _ := postForm(t, c, srv.URL+"/signin", good)
	if st != http.StatusSeeOther || hdr.Get("Location") != "/me/favorites" {
		t.Fatalf("sign-in: %d to %q", st, hdr.Get("Location"))
	}
	cookie := hdr.Get("Set-Cookie")
	for _, want := range []string{httpx.SessionCookie + "=", "HttpOnly", "SameSite=Lax", "Max-Age=1209600", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %q", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("cookie %q is Secure over plain HTTP", cookie)
	}

	_, body, csrf := page(t, c, srv.URL+"/sessions/"+sessionID)
	if csrf == "" || !strings.Contains(body, "Sign out") || !strings.Contains(body, `action="/me/favorites/`+sessionID+`"`) {
		t.Fatal("a signed-in session page lacks the sign-out or the star form")
	}
	fav := srv.URL + "/api/v1/me/favorites/" + sessionID
	tests := []struct {
		name   string
		do     func() (int, http.Header, []byte)
		status int
	}{
		{"cookie me", func() (int, http.Header, []byte) { return call(t, c, "GET", srv.URL+"/api/v1/me", "", nil) }, 200},
		{"star form without token", func() (int, http.Header, []byte) {
			return postForm(t, c, srv.URL+"/me/favorites/"+sessionID, url.Values{"priority": {"must"}})
		}, 403},
		{"star form with the anonymous token", func() (int, http.Header, []byte) {
			return postForm(t, c, srv.URL+"/me/favorites/"+sessionID, url.Values{"priority": {"must"}, "csrf": {anonCSRF}})
		}, 403},
		{"star form with token", func() (int, http.Header, []byte) {
			return postForm(t, c, srv.URL+"/me/favorites/"+sessionID, url.Values{"priority": {"must"}, "csrf": {csrf}, "back": {"/sessions/" + sessionID}})
		}, 303},
		{"cookie JSON call without header", func() (int, http.Header, []byte) {
			return call(t, c, "PUT", fav, "", map[string]string{"priority": "want"})
		}, 403},
		{"cookie JSON call with header", func() (int, http.Header, []byte) {
			return call(t, c, "PUT", fav, "", map[string]string{"priority": "want"}, httpx.CSRFHeader, csrf)
		}, 200},
		{"cookie JSON call as text/plain (a cross-site form)", func() (int, http.Header, []byte) {
			return call(t, c, "PUT", fav, "", `{"priority":"maybe"}`, "Content-Type", "text/plain")
		}, 403},
		{"bearer needs no CSRF token", func() (int, http.Header, []byte) {
			return call(t, nil, "PUT", fav, bearer, map[string]string{"priority": "maybe"})
		}, 200},
		{"cookie GET needs no token", func() (int, http.Header, []byte) {
			return call(t, c, "GET", srv.URL+"/api/v1/me/favorites", "", nil)
		}, 200},
		{"sign out without token", func() (int, http.Header, []byte) {
			return postForm(t, c, srv.URL+"/signout", url.Values{})
		}, 403},
		{"sign out", func() (int, http.Header, []byte) {
			return postForm(t, c, srv.URL+"/signout", url.Values{"csrf": {csrf}})
		}, 303},
		{"cookie me after sign-out", func() (int, http.Header, []byte) { return call(t, c, "GET", srv.URL+"/api/v1/me", "", nil) }, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := tt.do()
			if st != tt.status {
				t.Fatalf("status %d, want %d: %.300s", st, tt.status, body)
			}
			if st == 403 && !bytes.Contains(body, []byte("did not come from this site")) {
				t.Errorf("403 does not explain: %.300s", body)
			}
		})
	}
	// The favourite was set once (the 403s changed nothing) and overwritten.
	st, _, body = func() (int, http.Header, string) {
		s, h, b := call(t, nil, "GET", srv.URL+"/api/v1/me/favorites", bearer, nil)
		return s, h, string(b)
	}()
	if st != 200 || !strings.Contains(body, `"priority":"maybe"`) {
		t.Errorf("favourites after the CSRF tests: %d %s", st, body)
	}
}

func TestSecureCookieOverTLS(t *testing.T) {
	a, _, _ := newAuthApp(t)
	srv := httptest.NewTLSServer(a.Handler())
	defer srv.Close()
	c := srv.Client()
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	d := a.DemoAccounts[0]
	_, _, csrf := page(t, c, srv.URL+"/signin")
	st, hdr, body := postForm(t, c, srv.URL+"/signin", url.Values{"csrf": {csrf}, "email": {d.Email}, "password": {d.Password}})
	if st != 303 || !strings.Contains(hdr.Get("Set-Cookie"), "Secure") {
		t.Errorf("sign-in over TLS: %d, cookie %q: %s", st, hdr.Get("Set-Cookie"), body)
	}
}

func TestRoles(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	tokens := map[account.Role]string{}
	for _, d := range a.DemoAccounts {
		st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/auth/login", "", map[string]string{"email": d.Email, "password": d.Password})
		if st != 200 {
			t.Fatalf("demo login %s: %d %s", d.Email, st, body)
		}
		var out struct{ Token string }
		mustJSON(t, body, &out)
		tokens[d.Role] = out.Token
	}
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"attendee", tokens[account.Attendee], 403},
		{"organizer", tokens[account.Organizer], 200},
		{"admin", tokens[account.Admin], 200},
		{"no token", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := call(t, nil, "GET", srv.URL+"/api/v1/admin/whoami", tt.token, nil)
			if st != tt.status {
				t.Errorf("whoami: %d, want %d: %s", st, tt.status, body)
			}
		})
	}
}

func TestFavoritesAPI(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	tok := signup(t, srv, "fan@example.com", "correct horse battery")
	snap := a.Snapshot()
	var first, second string // two sittings of one content
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if s := snap.Sittings(se.Group()); len(s) >= 2 {
			first, second = s[0].ID, s[1].ID
			break
		}
	}
	if first == "" {
		t.Fatal("the demo has no repeated content")
	}
	group := func() string { se, _ := snap.Session(first); return se.Group() }()
	api := srv.URL + "/api/v1/me/favorites"
	type entry struct {
		RepeatGroup, SessionID, Priority string
		Sittings                         []string
	}
	list := func(t *testing.T) []entry {
		st, _, body := call(t, nil, "GET", api, tok, nil)
		var out struct{ Favorites []entry }
		if st != 200 {
			t.Fatalf("GET favourites: %d %s", st, body)
		}
		mustJSON(t, body, &out)
		return out.Favorites
	}
	tests := []struct {
		name, method, id string
		body             any
		status           int
		want             string // "" = none; else sessionId:priority of the one entry
	}{
		{"star through the first sitting", "PUT", first, map[string]string{"priority": "must"}, 200, first + ":must"},
		{"overwrite through the second", "PUT", second, map[string]string{"priority": "maybe"}, 200, second + ":maybe"},
		{"bad priority", "PUT", first, map[string]string{"priority": "urgent"}, 422, second + ":maybe"},
		{"missing priority", "PUT", first, map[string]string{}, 422, second + ":maybe"},
		{"malformed JSON", "PUT", first, `{"priority":`, 400, second + ":maybe"},
		{"unknown session", "PUT", "no-such-session", map[string]string{"priority": "want"}, 404, second + ":maybe"},
		{"10 MB body", "PUT", first, `{"priority":"` + strings.Repeat("x", 10<<20) + `"}`, 413, second + ":maybe"},
		{"remove through the first sitting", "DELETE", first, nil, 204, ""},
		{"remove again", "DELETE", first, nil, 204, ""},
		{"remove unknown session", "DELETE", "no-such-session", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := call(t, nil, tt.method, api+"/"+tt.id, tok, tt.body)
			if st != tt.status {
				t.Fatalf("status %d, want %d: %.300s", st, tt.status, body)
			}
			got := list(t)
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("favourites %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].SessionID+":"+got[0].Priority != tt.want || got[0].RepeatGroup != group || len(got[0].Sittings) < 2 {
				t.Errorf("favourites %+v, want one entry %s of group %s with its sittings", got, tt.want, group)
			}
		})
	}
}

func TestBlocksAPI(t *testing.T) {
	_, srv, _ := newAuthApp(t)
	tok := signup(t, srv, "busy@example.com", "correct horse battery")
	api := srv.URL + "/api/v1/me/blocks"
	block := func(title, start, end, venue string) map[string]string {
		return map[string]string{"title": title, "start": start, "end": end, "venueId": venue}
	}
	tests := []struct {
		name   string
		body   any
		status int
	}{
		{"lunch", block("Lunch with Sam", "2026-12-01T12:00", "2026-12-01T13:00", "wynn"), 201},
		{"with offsets", block("Call", "2026-12-02T09:00:00-08:00", "2026-12-02T17:30:00Z", ""), 201},
		{"end before start", block("Negative", "2026-12-01T13:00", "2026-12-01T12:00", ""), 422},
		{"absurd year", block("Absurd", "9999-12-01T12:00", "9999-12-01T13:00", ""), 422},
		{"a week long", block("Too long", "2026-11-30T08:00", "2026-12-03T08:00", ""), 422},
		{"17 hours", block("Too long", "2026-12-01T06:00", "2026-12-01T23:00", ""), 422},
		{"long title", block(strings.Repeat("t", 201), "2026-12-01T12:00", "2026-12-01T13:00", ""), 422},
		{"empty title", block("", "2026-12-01T12:00", "2026-12-01T13:00", ""), 422},
		{"unknown venue", block("Where?", "2026-12-01T12:00", "2026-12-01T13:00", "atlantis"), 422},
		{"bad time", block("When?", "tomorrow", "2026-12-01T13:00", ""), 422},
		{"malformed JSON", `{"title": "x"`, 400},
		{"wrong type", `{"title": 5}`, 400},
		{"10 MB body", `{"title":"` + strings.Repeat("x", 10<<20) + `"}`, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, hdr, body := call(t, nil, "POST", api, tok, tt.body)
			if st != tt.status {
				t.Fatalf("status %d, want %d: %.300s", st, tt.status, body)
			}
			if st == 201 {
				var b struct{ ID, Title, Start, End string }
				mustJSON(t, body, &b)
				if !strings.HasPrefix(b.ID, "b_") || hdr.Get("Location") != "/api/v1/me/blocks/"+b.ID || !strings.HasSuffix(b.Start, "-08:00") {
					t.Errorf("created block %+v (Location %q)", b, hdr.Get("Location"))
				}
			} else if errCodeOf(body) == "" {
				t.Errorf("no error code: %s", body)
			}
		})
	}
	st, _, body := call(t, nil, "GET", api, tok, nil)
	var got struct {
		Blocks []struct{ ID, Title, VenueID string }
	}
	mustJSON(t, body, &got)
	if st != 200 || len(got.Blocks) != 2 || got.Blocks[0].Title != "Lunch with Sam" || got.Blocks[0].VenueID != "wynn" {
		t.Fatalf("blocks: %d %+v", st, got)
	}
	if st, _, _ := call(t, nil, "DELETE", api+"/"+got.Blocks[1].ID, tok, nil); st != 204 {
		t.Errorf("delete: %d", st)
	}
	if st, _, _ := call(t, nil, "DELETE", api+"/"+got.Blocks[1].ID, tok, nil); st != 404 {
		t.Errorf("delete again: %d, want 404", st)
	}

	// The per-attendee limit: 200 in all.
	for i := 1; i < account.MaxBlocksPerUser; i++ {
		start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		b := block(fmt.Sprintf("b%d", i), start.Format(time.RFC3339), start.Add(time.Minute).Format(time.RFC3339), "")
		if st, _, body := call(t, nil, "POST", api, tok, b); st != 201 {
			t.Fatalf("block %d: %d %s", i+1, st, body)
		}
	}
	st, _, body = call(t, nil, "POST", api, tok, block("one too many", "2026-12-01T12:00", "2026-12-01T13:00", ""))
	if st != 422 || !strings.Contains(string(body), "200") {
		t.Errorf("block 201: %d %s, want 422 naming the limit", st, body)
	}
}

// TestAttendeesAreIsolated: A can neither read nor change B's favourites or
// blocks, through the API or the pages.
func TestAttendeesAreIsolated(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	const pw = "correct horse battery"
	tokA := signup(t, srv, "a@example.com", pw)
	tokB := signup(t, srv, "b@example.com", pw)
	sessionID := a.Snapshot().Conf.Sessions[3].ID
	st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/me/blocks", tokB, map[string]string{"title": "B's secret meeting", "start": "2026-12-01T12:00", "end": "2026-12-01T13:00"})
	if st != 201 {
		t.Fatalf("B's block: %d %s", st, body)
	}
	var bBlock struct{ ID string }
	mustJSON(t, body, &bBlock)
	if st, _, _ := call(t, nil, "PUT", srv.URL+"/api/v1/me/favorites/"+sessionID, tokB, map[string]string{"priority": "must"}); st != 200 {
		t.Fatal("B's favourite")
	}

	cA := browser(t)
	csrfA := signIn(t, cA, srv.URL, "a@example.com", pw)
	tests := []struct {
		name    string
		do      func() (int, http.Header, []byte)
		status  int
		mustNot string // must not appear in the answer
	}{
		{"API: A's blocks", func() (int, http.Header, []byte) { return call(t, nil, "GET", srv.URL+"/api/v1/me/blocks", tokA, nil) }, 200, "secret"},
		{"API: A deletes B's block", func() (int, http.Header, []byte) {
			return call(t, nil, "DELETE", srv.URL+"/api/v1/me/blocks/"+bBlock.ID, tokA, nil)
		}, 404, "secret"},
		{"API: A's favourites", func() (int, http.Header, []byte) {
			return call(t, nil, "GET", srv.URL+"/api/v1/me/favorites", tokA, nil)
		}, 200, sessionID},
		{"API: A unstars the same content", func() (int, http.Header, []byte) {
			return call(t, nil, "DELETE", srv.URL+"/api/v1/me/favorites/"+sessionID, tokA, nil)
		}, 204, ""},
		{"page: A's blocks", func() (int, http.Header, []byte) { return call(t, cA, "GET", srv.URL+"/me/blocks", "", nil) }, 200, "secret"},
		{"page: A deletes B's block", func() (int, http.Header, []byte) {
			return postForm(t, cA, srv.URL+"/me/blocks/"+bBlock.ID+"/delete", url.Values{"csrf": {csrfA}})
		}, 404, "secret"},
		{"page: A's favourites", func() (int, http.Header, []byte) { return call(t, cA, "GET", srv.URL+"/me/favorites", "", nil) }, 200, "/sessions/" + sessionID},
		{"page: anonymous favourites", func() (int, http.Header, []byte) {
			return call(t, browser(t), "GET", srv.URL+"/me/favorites", "", nil)
		}, 303, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := tt.do()
			if st != tt.status {
				t.Fatalf("status %d, want %d: %.300s", st, tt.status, body)
			}
			if tt.mustNot != "" && bytes.Contains(body, []byte(tt.mustNot)) {
				t.Errorf("the answer shows B's data (%q)", tt.mustNot)
			}
		})
	}
	// B's data is intact.
	_, _, body = call(t, nil, "GET", srv.URL+"/api/v1/me/blocks", tokB, nil)
	if !bytes.Contains(body, []byte(bBlock.ID)) {
		t.Error("B's block is gone")
	}
	_, _, body = call(t, nil, "GET", srv.URL+"/api/v1/me/favorites", tokB, nil)
	if !bytes.Contains(body, []byte(`"priority":"must"`)) {
		t.Error("B's favourite is gone")
	}
}

func TestPagesWithoutJavaScript(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	c := browser(t)
	_, _, csrf := page(t, c, srv.URL+"/signup")
	tests := []struct {
		name    string
		form    url.Values
		status  int
		inBody  string
		cookies bool
	}{
		{"short password shown at its field", url.Values{"email": {"new@example.com"}, "password": {"short"}}, 422, `id="password-error"`, false},
		{"bad email shown at its field", url.Values{"email": {"new"}, "password": {"correct horse battery"}}, 422, `id="email-error"`, false},
		{"taken email", url.Values{"email": {a.DemoAccounts[0].Email}, "password": {"correct horse battery"}}, 409, `id="email-error"`, false},
		{"created", url.Values{"email": {"new@example.com"}, "password": {"correct horse battery"}, "name": {"New Person"}}, 303, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("csrf", csrf)
			st, hdr, body := postForm(t, c, srv.URL+"/signup", tt.form)
			if st != tt.status || !bytes.Contains(body, []byte(tt.inBody)) {
				t.Fatalf("status %d (want %d), body lacks %q: %.400s", st, tt.status, tt.inBody, body)
			}
			if bytes.Contains(body, []byte("correct horse battery")) {
				t.Error("the page repeats the password")
			}
			if tt.cookies != strings.Contains(hdr.Get("Set-Cookie"), httpx.SessionCookie) {
				t.Errorf("Set-Cookie %q", hdr.Get("Set-Cookie"))
			}
		})
	}
	// Signed in: the header names the user; a star form, then the blocks form.
	st, body, csrf := page(t, c, srv.URL+"/?q=security")
	if st != 200 || !strings.Contains(body, "New Person") || !strings.Contains(body, `class="star"`) {
		t.Fatalf("catalog while signed in: %d, user or stars missing", st)
	}
	id := a.Snapshot().Conf.Sessions[10].ID
	st, hdr, _ := postForm(t, c, srv.URL+"/me/favorites/"+id, url.Values{"csrf": {csrf}, "op": {"set"}, "priority": {"must"}, "back": {"/?q=security"}})
	if st != 303 || hdr.Get("Location") != "/?q=security" {
		t.Errorf("star: %d to %q", st, hdr.Get("Location"))
	}
	st, hdr, _ = postForm(t, c, srv.URL+"/me/favorites/"+id, url.Values{"csrf": {csrf}, "op": {"set"}, "priority": {"must"}, "back": {"//evil.example/"}})
	if st != 303 || hdr.Get("Location") != "/" {
		t.Errorf("star with an off-site back: %d to %q, want /", st, hdr.Get("Location"))
	}
	_, body, _ = page(t, c, srv.URL+"/sessions/"+id)
	if !strings.Contains(body, `aria-pressed="true"`) {
		t.Error("the session page does not show the star as set")
	}
	_, body, _ = page(t, c, srv.URL+"/me/favorites")
	if !strings.Contains(body, "/sessions/"+id) {
		t.Error("/me/favorites does not list the starred session")
	}
	// The fetch variant answers with the updated control.
	st, _, frag := postForm(t, c, srv.URL+"/me/favorites/"+id, url.Values{"csrf": {csrf}, "op": {"remove"}}, "Accept", "text/html-fragment")
	if st != 200 || !bytes.HasPrefix(bytes.TrimSpace(frag), []byte(`<form class="star"`)) || bytes.Contains(frag, []byte(`aria-pressed="true"`)) {
		t.Errorf("fetch unstar: %d %.300s", st, frag)
	}
	st, _, body2 := postForm(t, c, srv.URL+"/me/blocks", url.Values{"csrf": {csrf}, "title": {"Lunch"}, "start": {"2026-12-01T13:00"}, "end": {"2026-12-01T12:00"}})
	if st != 422 || !bytes.Contains(body2, []byte(`id="end-error"`)) {
		t.Errorf("bad block form: %d, error not at the end field", st)
	}
	st, _, _ = postForm(t, c, srv.URL+"/me/blocks", url.Values{"csrf": {csrf}, "title": {"Lunch"}, "start": {"2026-12-01T12:00"}, "end": {"2026-12-01T13:00"}, "venueId": {"wynn"}})
	_, body, _ = page(t, c, srv.URL+"/me/blocks")
	if st != 303 || !strings.Contains(body, "Lunch") || !strings.Contains(body, "Wynn") {
		t.Errorf("block form: %d; page lists it: %v", st, strings.Contains(body, "Lunch"))
	}
}

// TestPasswordsNeverLoggedOrReturned runs every path a password takes and
// checks the log and every answer for it.
func TestPasswordsNeverLoggedOrReturned(t *testing.T) {
	_, srv, logs := newAuthApp(t)
	const pw = "Sup3r-Secret-Passphrase"
	var answers [][]byte
	record := func(_ int, _ http.Header, body []byte) { answers = append(answers, body) }
	api := srv.URL + "/api/v1/auth/"
	record(call(t, nil, "POST", api+"signup", "", map[string]string{"email": "pw@example.com", "password": pw, "name": "PW"}))
	record(call(t, nil, "POST", api+"signup", "", map[string]string{"email": "pw@example.com", "password": pw}))
	record(call(t, nil, "POST", api+"signup", "", map[string]string{"email": "bad", "password": pw}))
	record(call(t, nil, "POST", api+"signup", "", `{"email":"x@example.com","password":"`+pw+`",`))
	record(call(t, nil, "POST", api+"login", "", map[string]string{"email": "pw@example.com", "password": pw}))
	record(call(t, nil, "POST", api+"login", "", map[string]string{"email": "pw@example.com", "password": pw + "x"}))
	record(call(t, nil, "POST", api+"login", "", map[string]any{"email": "pw@example.com", "password": 12345}))
	c := browser(t)
	_, _, csrf := page(t, c, srv.URL+"/signin")
	record(postForm(t, c, srv.URL+"/signin", url.Values{"csrf": {csrf}, "email": {"pw@example.com"}, "password": {pw + "x"}}))
	record(postForm(t, c, srv.URL+"/signin", url.Values{"csrf": {csrf}, "email": {"pw@example.com"}, "password": {pw}}))
	if len(logs.String()) == 0 {
		t.Fatal("nothing was logged; the check would pass vacuously")
	}
	if strings.Contains(logs.String(), pw) || strings.Contains(logs.String(), "Secret") {
		t.Errorf("a password is in the log:\n%s", logs.String())
	}
	for i, b := range answers {
		if bytes.Contains(b, []byte(pw)) || bytes.Contains(b, []byte("argon2")) {
			t.Errorf("answer %d contains the password or its hash: %.300s", i, b)
		}
	}
}

func TestDemoAccountsSeededAndPrintedAgain(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	roles := map[account.Role]int{}
	for _, d := range a.DemoAccounts {
		roles[d.Role]++
		if err := account.ValidatePassword(d.Password, d.Email); err != nil {
			t.Errorf("demo password of %s: %v", d.Email, err)
		}
	}
	if roles[account.Attendee] < 2 || roles[account.Organizer] != 1 || roles[account.Admin] != 1 {
		t.Errorf("demo roles %v", roles)
	}
	path := filepath.Join(a.cfg.DataDir, DemoAccountsFile)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v, mode %v; want 0600", path, err, info.Mode().Perm())
	}
	d := a.DemoAccounts[0]
	if st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/auth/login", "", map[string]string{"email": d.Email, "password": d.Password}); st != 200 {
		t.Errorf("demo sign-in: %d %s", st, body)
	}
	srv.Close()
	a.Close()
	b, err := New(context.Background(), a.cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.DemoLoaded || fmt.Sprint(b.DemoAccounts) != fmt.Sprint(a.DemoAccounts) {
		t.Errorf("restart: demo accounts %v, want %v", b.DemoAccounts, a.DemoAccounts)
	}
}

// BenchmarkAuthMiddleware is the per-request cost of resolving a Bearer
// token (the reservation rush's case: a cache hit) in front of a no-op
// handler.
func BenchmarkAuthMiddleware(b *testing.B) {
	a, _, _ := newAuthApp(b)
	u, err := a.accounts.AddUser(context.Background(), "bench@example.com", "correct horse battery", "", account.Attendee)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := a.accounts.IssueToken(context.Background(), u.ID, account.APIToken)
	if err != nil {
		b.Fatal(err)
	}
	var seen bool
	h := httpx.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, seen = httpx.UserFrom(r.Context())
	}), a.accounts, slog.New(slog.DiscardHandler))
	b.Run("bearer", func(b *testing.B) {
		req := httptest.NewRequest("POST", "/api/v1/me/reservations", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, req)
		}
		if !seen {
			b.Fatal("no user resolved")
		}
	})
	b.Run("bearer-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req := httptest.NewRequest("POST", "/api/v1/me/reservations", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			for pb.Next() {
				h.ServeHTTP(w, req)
			}
		})
	})
	b.Run("anonymous", func(b *testing.B) {
		req := httptest.NewRequest("GET", "/api/v1/sessions", nil)
		w := httptest.NewRecorder()
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, req)
		}
	})
}
