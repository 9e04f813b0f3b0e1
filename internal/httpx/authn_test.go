package httpx

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

// fakeAuth knows two tokens; "broken" fails like an unreachable store.
type fakeAuth map[string]*account.User

func (f fakeAuth) Authenticate(_ context.Context, token string) (*account.User, error) {
	if token == "broken" {
		return nil, errcode.New(errcode.Unavailable, "database unreachable")
	}
	return f[token], nil
}

func TestAuthenticateMiddleware(t *testing.T) {
	ada := &account.User{ID: "u_ada", Role: account.Attendee}
	const session, bearer = "session-token-of-ada", "api-token-of-ada"
	auth := fakeAuth{session: ada, bearer: ada}
	var gotUser string
	h := Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUser = ""
		if u, ok := UserFrom(r.Context()); ok {
			gotUser = u.ID
		}
		w.WriteHeader(299)
	}), auth, slog.New(slog.NewTextHandler(io.Discard, nil)))

	anonSecret := strings.Repeat("s", 43)
	tests := []struct {
		name, method, path, contentType, body string
		auth, cookie, anonCookie, header      string // auth: the Authorization header
		status                                int
		user                                  string
	}{
		{"anonymous GET", "GET", "/", "", "", "", "", "", "", 299, ""},
		{"bearer GET", "GET", "/api/v1/me", "", "", "Bearer " + bearer, "", "", "", 299, "u_ada"},
		{"lower-case bearer scheme", "GET", "/api/v1/me", "", "", "bearer " + bearer, "", "", "", 299, "u_ada"},
		{"basic auth is not a token", "GET", "/api/v1/me", "", "", "Basic " + bearer, "", "", "", 299, ""},
		{"cookie GET", "GET", "/", "", "", "", session, "", "", 299, "u_ada"},
		{"unknown bearer is anonymous", "GET", "/api/v1/me", "", "", "Bearer nope", "", "", "", 299, ""},
		{"anonymous JSON API POST", "POST", "/api/v1/auth/login", "application/json", "{}", "", "", "", "", 299, ""},
		{"anonymous form to the API needs no token", "POST", "/api/v1/auth/login", "application/x-www-form-urlencoded", "a=b", "", "", "", "", 299, ""},
		{"anonymous page form without token", "POST", "/signin", "application/x-www-form-urlencoded", "email=x", "", "", anonSecret, "", 403, ""},
		{"anonymous page form with token", "POST", "/signin", "application/x-www-form-urlencoded", "csrf=" + account.CSRFToken(anonSecret), "", "", anonSecret, "", 299, ""},
		{"anonymous page form, no cookie at all", "POST", "/signin", "application/x-www-form-urlencoded", "csrf=" + account.CSRFToken(""), "", "", "", "", 403, ""},
		{"cookie form without token", "POST", "/me/blocks", "application/x-www-form-urlencoded", "title=x", "", session, "", "", 403, ""},
		{"cookie form with the anonymous token", "POST", "/me/blocks", "application/x-www-form-urlencoded", "csrf=" + account.CSRFToken(anonSecret), "", session, anonSecret, "", 403, ""},
		{"cookie form with token", "POST", "/me/blocks", "application/x-www-form-urlencoded", "csrf=" + account.CSRFToken(session), "", session, "", "", 299, "u_ada"},
		{"cookie multipart form with token", "POST", "/me/blocks", "multipart/form-data; boundary=xx", "--xx\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + account.CSRFToken(session) + "\r\n--xx--\r\n", "", session, "", "", 299, "u_ada"},
		{"cookie JSON without header", "DELETE", "/api/v1/me/blocks/b_1", "", "", "", session, "", "", 403, ""},
		{"cookie JSON with header", "DELETE", "/api/v1/me/blocks/b_1", "", "", "", session, "", account.CSRFToken(session), 299, "u_ada"},
		{"cookie JSON with a wrong header", "DELETE", "/api/v1/me/blocks/b_1", "", "", "", session, "", account.CSRFToken(bearer), 403, ""},
		{"bearer POST needs no token", "POST", "/api/v1/me/blocks", "application/json", "{}", "Bearer " + bearer, session, "", "", 299, "u_ada"},
		{"cookie form over 64 KB", "POST", "/me/blocks", "application/x-www-form-urlencoded", "title=" + strings.Repeat("x", MaxFormBytes+1), "", session, "", "", 413, ""},
		{"store down", "GET", "/api/v1/me", "", "", "Bearer broken", "", "", "", 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotUser = "-"
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: SessionCookie, Value: tt.cookie})
			}
			if tt.anonCookie != "" {
				req.AddCookie(&http.Cookie{Name: anonCSRFCookie, Value: tt.anonCookie})
			}
			if tt.header != "" {
				req.Header.Set(CSRFHeader, tt.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if w.Code == 299 && gotUser != tt.user {
				t.Errorf("user %q, want %q", gotUser, tt.user)
			}
		})
	}
}

func TestStaleCookieIsCleared(t *testing.T) {
	h := Authenticate(http.NotFoundHandler(), fakeAuth{}, slog.New(slog.DiscardHandler))
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: "revoked"})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if c := w.Header().Get("Set-Cookie"); !strings.Contains(c, SessionCookie+"=;") || !strings.Contains(c, "Max-Age=0") {
		t.Errorf("Set-Cookie %q: want the session cookie removed", c)
	}
}

func TestEnsureCSRF(t *testing.T) {
	req := httptest.NewRequest("GET", "/signin", nil)
	w := httptest.NewRecorder()
	tok := EnsureCSRF(w, req)
	resp := w.Result()
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Name != anonCSRFCookie || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookies %+v", cookies)
	}
	if !account.ValidCSRF(cookies[0].Value, tok) {
		t.Error("the token does not match the cookie it set")
	}
	// A browser that has the cookie keeps it.
	req.AddCookie(cookies[0])
	w = httptest.NewRecorder()
	if again := EnsureCSRF(w, req); again != tok || w.Header().Get("Set-Cookie") != "" {
		t.Errorf("second visit: token %q (want %q), Set-Cookie %q", again, tok, w.Header().Get("Set-Cookie"))
	}
}
