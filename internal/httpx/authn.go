package httpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

// Names the browser and API clients see.
const (
	// SessionCookie holds a browser's sign-in session token.
	SessionCookie = "vh_session"
	// CSRFField is the hidden form field carrying the CSRF token.
	CSRFField = "csrf"
	// CSRFHeader carries the CSRF token on cookie-authenticated API calls.
	CSRFHeader = "X-CSRF-Token"
	// anonCSRFCookie is the CSRF secret of a browser not signed in yet, so
	// the sign-in and sign-up forms are protected too (login CSRF).
	anonCSRFCookie = "vh_csrf"
	// DeviceCookie marks a browser that signed in before, so that locks
	// strangers caused by guessing do not apply to it (account.Throttle).
	DeviceCookie = "vh_device"
	// MaxFormBytes bounds a form body read for its CSRF token.
	MaxFormBytes = 64 << 10
)

// Authenticator resolves a presented token into its user: nil (and no
// error) for an unknown, malformed or expired token. account.Service is one.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*account.User, error)
}

// Authenticate is the auth middleware. Once per request it resolves the
// Bearer token (Authorization: Bearer ...) or else the vh_session cookie
// into the request's user (WithUser / UserFrom), and it enforces CSRF: a
// state-changing request that the browser authenticates by itself (a
// session cookie) or that is an HTML form must carry the CSRF token, in the
// csrf form field or the X-CSRF-Token header, or it gets 403. Bearer
// requests need none: no other site can make a browser send that header.
// It does not refuse anonymous requests; handlers do (requireUser).
func Authenticate(next http.Handler, auth Authenticator, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var user *account.User
		var err error
		bearer, hasBearer := BearerToken(r)
		viaCookie := false
		if hasBearer {
			user, err = auth.Authenticate(r.Context(), bearer)
		} else if c, cerr := r.Cookie(SessionCookie); cerr == nil && c.Value != "" {
			user, err = auth.Authenticate(r.Context(), c.Value)
			viaCookie = user != nil
			if err == nil && user == nil {
				// Expired or revoked: tell the browser to drop it.
				ClearSessionCookie(w, r)
			}
		}
		if err != nil {
			WriteError(w, r, log, err)
			return
		}
		// Anonymous forms are checked too (login CSRF), except on the API,
		// which answers with tokens in the body, never with cookies.
		if !hasBearer && unsafeMethod(r.Method) && (viaCookie || isForm(r) && !strings.HasPrefix(r.URL.Path, "/api/")) {
			secret := ""
			if viaCookie {
				secret = sessionCookieValue(r)
			} else {
				secret = anonCSRFSecret(r)
			}
			presented, perr := presentedCSRF(w, r)
			if perr != nil {
				WriteError(w, r, log, perr)
				return
			}
			if !account.ValidCSRF(secret, presented) {
				log.LogAttrs(r.Context(), slog.LevelWarn, "csrf: rejected",
					slog.String("method", r.Method), slog.String("path", r.URL.Path))
				rejectCSRF(w, r, log)
				return
			}
		}
		if user == nil {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.WithContext(WithUser(r.Context(), user))
		next.ServeHTTP(w, r2)
		// The mux records the matched route on the request it was given;
		// copy it back so the access log and metrics (Observe, outside)
		// label this request by route.
		r.Pattern = r2.Pattern
	})
}

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

// PresentedToken returns the token the request authenticated with, and
// whether it came in the session cookie: what logout revokes.
func PresentedToken(r *http.Request) (token string, viaCookie bool) {
	if t, ok := BearerToken(r); ok {
		return t, false
	}
	return sessionCookieValue(r), true
}

func sessionCookieValue(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func anonCSRFSecret(r *http.Request) string {
	if c, err := r.Cookie(anonCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	return ""
}

// CSRFToken is the token forms on this request's page must carry ("" when
// the browser has neither a session nor an anonymous CSRF cookie; pages with
// forms for anonymous visitors call EnsureCSRF instead).
func CSRFToken(r *http.Request) string {
	if _, ok := UserFrom(r.Context()); ok {
		if _, bearer := BearerToken(r); !bearer {
			return account.CSRFToken(sessionCookieValue(r))
		}
	}
	return account.CSRFToken(anonCSRFSecret(r))
}

// EnsureCSRF returns the CSRF token for this request's forms, first giving
// an anonymous browser its CSRF cookie when it has none.
func EnsureCSRF(w http.ResponseWriter, r *http.Request) string {
	if tok := CSRFToken(r); tok != "" {
		return tok
	}
	var b [32]byte
	rand.Read(b[:])
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{
		Name: anonCSRFCookie, Value: secret, Path: "/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
	return account.CSRFToken(secret)
}

// SetSessionCookie gives the browser its sign-in session: HttpOnly (no
// script can read it), SameSite=Lax (not sent on cross-site posts), Secure
// when the request came over TLS.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

// SetDeviceCookie gives the browser its device cookie, for a year: sent
// only to the sign-in form, never readable by script.
func SetDeviceCookie(w http.ResponseWriter, r *http.Request, value string) {
	http.SetCookie(w, &http.Cookie{
		Name: DeviceCookie, Value: value, Path: "/signin", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// DeviceCookieValue is the browser's device cookie, if any.
func DeviceCookieValue(r *http.Request) string {
	if c, err := r.Cookie(DeviceCookie); err == nil {
		return c.Value
	}
	return ""
}

// ClearSessionCookie removes the sign-in cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

// ClientIP is the address the request came from (the connection's peer;
// a proxy in front would need its forwarded header trusted explicitly).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// isForm reports a body a browser form (or a cross-site form) can send
// without a preflight.
func isForm(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" || ct == "text/plain"
}

// presentedCSRF reads the token from the header or, for forms, the csrf
// field (parsing at most MaxFormBytes; the parsed form stays on r for the
// handler).
func presentedCSRF(w http.ResponseWriter, r *http.Request) (string, error) {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t, nil
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" && ct != "multipart/form-data" {
		return "", nil
	}
	if ct == "multipart/form-data" {
		return multipartCSRF(w, r, params["boundary"]), nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(MaxFormBytes)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", errcode.New(errcode.TooLarge, "the form is larger than %d bytes", MaxFormBytes)
		}
		return "", errcode.New(errcode.Invalid, "the form could not be read")
	}
	return r.PostForm.Get(CSRFField), nil
}

// UploadSuffix ends the paths of upload forms: their multipart bodies may
// be larger than MaxFormBytes and their handlers bound them themselves.
// Every other form stays bounded by MaxFormBytes.
const UploadSuffix = "/upload"

// multipartCSRF reads a multipart form only as far as its csrf field,
// which must come before any file (forms put it first), within
// MaxFormBytes, and then gives the body back whole to the handler, so an
// upload far larger than a form is checked without being read here. ""
// when the field is not found in time.
func multipartCSRF(w http.ResponseWriter, r *http.Request, boundary string) string {
	if boundary == "" {
		return ""
	}
	var seen bytes.Buffer
	mr := multipart.NewReader(io.TeeReader(io.LimitReader(r.Body, MaxFormBytes), &seen), boundary)
	token := ""
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if p.FormName() == CSRFField && p.FileName() == "" {
			b, _ := io.ReadAll(io.LimitReader(p, 256))
			token = string(b)
			break
		}
		if p.FileName() != "" {
			break
		}
	}
	var body io.ReadCloser = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(seen.Bytes()), r.Body), r.Body}
	if !strings.HasSuffix(r.URL.Path, UploadSuffix) {
		body = http.MaxBytesReader(w, body, MaxFormBytes)
	}
	r.Body = body
	return token
}

const csrfMessage = "the form has expired or did not come from this site; reload the page and try again"

var csrfPage = template.Must(template.New("csrf").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Please try again</title></head>
<body><main><h1>Please try again</h1><p>{{.}}.</p><p><a href="/">Back to the catalog</a></p></main></body></html>
`))

func rejectCSRF(w http.ResponseWriter, r *http.Request, log *slog.Logger) {
	if strings.HasPrefix(r.URL.Path, "/api/") || !strings.Contains(r.Header.Get("Accept"), "text/html") {
		WriteError(w, r, log, errcode.New(errcode.Forbidden, "%s", strings.ToUpper(csrfMessage[:1])+csrfMessage[1:]))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	csrfPage.Execute(w, "The form has expired or did not come from this site. Go back, reload the page and try again")
}

// AddressKey is the client address as rate limits count it: an IPv4
// address, or the /64 of an IPv6 one (one host usually owns a whole /64).
func AddressKey(r *http.Request) string {
	ip := ClientIP(r)
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
