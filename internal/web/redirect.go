package web

import (
	"net/url"
	"path"
	"strings"
)

// maxRedirectLen bounds a next/back target; pages never build longer ones.
const maxRedirectLen = 2000

// safeNext keeps a redirect target (a form's next or back field) on this
// site: it returns target as a same-origin path, or "/" when target is
// anything else. Browsers are lenient in ways a plain prefix check misses:
// they read a backslash as a slash ("/\evil.example" is a host), drop tabs
// and newlines ("/\t/evil.example" is "//evil.example"), and http.Redirect
// cleans the path before it writes Location ("/./\evil.example" becomes
// "/\evil.example"). So the target must be plain printable ASCII without a
// backslash, parse as a path with no scheme, host or user, start with one
// slash, and stay that way once its percent-encoding is decoded and its
// path cleaned (and never holds "//" even then); the cleaned form is
// returned, so that nothing downstream rewrites it into something else.
func safeNext(target string) string {
	const home = "/"
	if target == "" || len(target) > maxRedirectLen || !plainASCII(target) {
		return home
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	if !onePathSlash(u.Path) || !onePathSlash(u.EscapedPath()) {
		return home
	}
	// The decoded path (u.Path) must be harmless too: a proxy or a later
	// redirect may decode "%5C" or "%2F" before a browser sees it.
	if strings.ContainsFunc(u.Path, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' }) ||
		strings.Contains(u.Path, "//") {
		return home
	}
	cleaned := path.Clean(u.EscapedPath())
	if strings.HasSuffix(u.Path, "/") && cleaned != "/" {
		cleaned += "/"
	}
	if !onePathSlash(cleaned) || !onePathSlash(path.Clean(u.Path)) {
		return home
	}
	// A fragment is dropped: http.Redirect would clean it as if it were
	// path, and the pages add their own after this.
	if u.RawQuery != "" {
		return cleaned + "?" + u.RawQuery
	}
	return cleaned
}

// plainASCII reports whether s is printable ASCII with no space or
// backslash: no character a browser would drop, fold or read as a slash.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// onePathSlash reports whether p starts with exactly one slash: a path on
// this host, not "//host" (a network-path reference).
func onePathSlash(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//")
}
