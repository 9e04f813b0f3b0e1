package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestSafeNext is the table of known open-redirect tricks: each must come
// back as the home page, and each accepted path must survive http.Redirect
// (which cleans paths) unchanged and resolve to this site.
func TestSafeNext(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// Accepted: paths on this site, returned in their clean form.
		{"/", "/"},
		{"/sessions/S1", "/sessions/S1"},
		{"/?q=ai&type=Workshop", "/?q=ai&type=Workshop"},
		{"/me/week?day=2026-12-01#proposal", "/me/week?day=2026-12-01"},
		{"/0#0//0", "/0"},
		{"/sessions/S%20one", "/sessions/S%20one"},
		{"/sessions/caf%C3%A9", "/sessions/caf%C3%A9"},
		{"/./sessions/S1", "/sessions/S1"},
		{"/a/../sessions/S1", "/sessions/S1"},
		{"/.//evil.example", "/"},
		{"/admin/", "/admin/"},
		{"/?next=//evil.example", "/?next=//evil.example"}, // only a query value
		// Refused: everything that leaves the site, or could.
		{"", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/./\\evil.example", "/"},
		{"/../\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/.%5Cevil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%2e/%2F/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%0A/evil.example", "/"},
		{"\t/evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{" /evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\u3000/evil.example", "/"},
		{"/／evil.example", "/"}, // fullwidth solidus, raw
		{"https://evil.example", "/"},
		{"http:/evil.example", "/"},
		{"http:evil.example", "/"},
		{"HTTPS://evil.example/", "/"},
		{"//user@evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"JaVaScRiPt:alert(1)", "/"},
		{"data:text/html,<script>alert(1)</script>", "/"},
		{"evil.example", "/"},
		{"sessions/S1", "/"},
		{"?q=x", "/"},
		{"#top", "/"},
		{"/" + strings.Repeat("a", maxRedirectLen), "/"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := safeNext(tt.in)
			if got != tt.want {
				t.Fatalf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// What a browser does with the Location http.Redirect writes.
			w := httptest.NewRecorder()
			http.Redirect(w, httptest.NewRequest("POST", "/signin", nil), got, http.StatusSeeOther)
			loc := w.Header().Get("Location")
			if loc != got {
				t.Errorf("http.Redirect rewrote %q into %q", got, loc)
			}
			base, _ := url.Parse("https://venuehop.example/signin")
			ref, err := url.Parse(loc)
			if err != nil {
				t.Fatalf("Location %q does not parse: %v", loc, err)
			}
			if res := base.ResolveReference(ref); res.Host != base.Host || res.Scheme != base.Scheme {
				t.Errorf("Location %q resolves to %s", loc, res)
			}
		})
	}
}

// FuzzSafeNext: whatever comes in, what goes out is a path on this host
// that http.Redirect leaves as it is.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/./\\evil", "//evil", "/%5Cevil", "/\t/evil", "/sessions/S1?x=1#y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := safeNext(in)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n ") {
			t.Fatalf("safeNext(%q) = %q", in, got)
		}
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest("GET", "/signin", nil), got, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != got {
			t.Fatalf("safeNext(%q) = %q, but http.Redirect writes %q", in, got, loc)
		}
	})
}
