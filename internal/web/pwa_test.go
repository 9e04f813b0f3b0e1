package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// /sw.js is served with the headers a worker of scope / needs; the
// manifest has what installability asks for; every page links it.
func TestServiceWorkerAndManifest(t *testing.T) {
	ts, _ := demoSite(t)
	resp := get(t, ts, "/sw.js")
	for k, want := range map[string]string{
		"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache", "Service-Worker-Allowed": "/",
	} {
		if got := resp.header.Get(k); got != want {
			t.Errorf("/sw.js %s: %q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(resp.body, "// venuehop service worker ") || !strings.Contains(resp.body, "addEventListener('fetch'") {
		t.Errorf("/sw.js starts %.80q", resp.body)
	}

	resp = get(t, ts, "/manifest.webmanifest")
	var m struct {
		Name, ShortName, StartURL, Scope, Display, ThemeColor string
		Icons                                                 []struct{ Src, Sizes, Type, Purpose string }
	}
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal([]byte(resp.body), &raw); err != nil {
		t.Fatal(err)
	}
	for k, dst := range map[string]*string{"name": &m.Name, "short_name": &m.ShortName, "start_url": &m.StartURL,
		"scope": &m.Scope, "display": &m.Display, "theme_color": &m.ThemeColor} {
		json.Unmarshal(raw[k], dst)
	}
	json.Unmarshal(raw["icons"], &m.Icons)
	if m.Name == "" || m.ShortName == "" || m.StartURL != "/" || m.Scope != "/" || m.Display != "standalone" || m.ThemeColor == "" {
		t.Errorf("manifest %+v", m)
	}
	seen := map[string]bool{}
	for _, ic := range m.Icons {
		seen[ic.Sizes+" "+ic.Purpose] = true
		r, err := http.Get(ts.URL + ic.Src)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("icon %s: %d %s", ic.Src, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	for _, want := range []string{"192x192 any", "512x512 any", "512x512 maskable"} {
		if !seen[want] {
			t.Errorf("no icon %s in %+v", want, m.Icons)
		}
	}

	for _, page := range []string{"/", "/venues", "/map", "/offline"} {
		body := get(t, ts, page).body
		if !strings.Contains(body, `<link rel="manifest" href="/manifest.webmanifest">`) || !strings.Contains(body, `<meta name="theme-color"`) {
			t.Errorf("%s does not link the manifest and theme colour", page)
		}
	}
}
