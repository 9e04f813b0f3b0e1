package app

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"venuehop/internal/config"
	"venuehop/internal/notify"
	"venuehop/internal/store/postgres/pgtest"
)

// pushInbox is a local push service that counts the messages per path.
type pushInbox struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string]int
}

func newPushInbox(t *testing.T) *pushInbox {
	p := &pushInbox{got: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		p.mu.Lock()
		p.got[r.URL.Path]++
		p.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushInbox) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got[path]
}

func pushKeys(t *testing.T) (p256dh, auth string) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := make([]byte, 16)
	rand.Read(a)
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(a)
}

func TestPushSubscriptionAPI(t *testing.T) {
	a, srv := newTestApp(t)
	inbox := newPushInbox(t)
	p256dh, auth := pushKeys(t)
	endpoint := inbox.srv.URL + "/push/phone"
	sub := func(endpoint string, cats any) map[string]any {
		b := map[string]any{"endpoint": endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": p256dh, "auth": auth}}
		if cats != nil {
			b["categories"] = cats
		}
		return b
	}

	st, hdr, body := call(t, nil, "GET", srv.URL+"/api/v1/push/key", "", nil)
	var key struct{ PublicKey string }
	mustJSON(t, body, &key)
	if raw, err := base64.RawURLEncoding.DecodeString(key.PublicKey); st != 200 || err != nil || len(raw) != 65 || raw[0] != 4 {
		t.Fatalf("GET /api/v1/push/key: %d %s", st, body)
	}
	if !strings.Contains(hdr.Get("Cache-Control"), "public") {
		t.Errorf("the key's Cache-Control %q", hdr.Get("Cache-Control"))
	}

	tok := signup(t, srv, "push@example.com", "correct horse battery")
	other := signup(t, srv, "other@example.com", "correct horse battery")
	for _, tt := range []struct {
		name, method, path, token string
		body                      any
		want                      int
		code                      string
	}{
		{"anonymous subscribe", "PUT", "/api/v1/me/push/subscription", "", sub(endpoint, nil), 401, "unauthorized"},
		{"anonymous list", "GET", "/api/v1/me/push/subscriptions", "", nil, 401, "unauthorized"},
		{"plain http elsewhere", "PUT", "/api/v1/me/push/subscription", tok, sub("http://push.example.net/x", nil), 400, "invalid"},
		{"unknown category", "PUT", "/api/v1/me/push/subscription", tok, sub(endpoint, []string{"spam"}), 400, "invalid"},
		{"unknown field", "PUT", "/api/v1/me/push/subscription", tok, map[string]any{"endpoint": endpoint, "extra": 1}, 400, "invalid"},
		{"too large", "PUT", "/api/v1/me/push/subscription", tok, sub(endpoint+"/"+strings.Repeat("a", 9000), nil), 413, "too_large"},
		{"subscribe", "PUT", "/api/v1/me/push/subscription", tok, sub(endpoint, nil), 200, ""},
		{"offers only", "PUT", "/api/v1/me/push/subscription", tok, sub(endpoint, []string{"offer"}), 200, ""},
		{"another's device", "DELETE", "/api/v1/me/push/subscription", other, map[string]string{"endpoint": endpoint}, 404, "not_found"},
		{"no endpoint", "DELETE", "/api/v1/me/push/subscription", tok, nil, 400, "invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := call(t, nil, tt.method, srv.URL+tt.path, tt.token, tt.body, "User-Agent", "Mozilla/5.0 (Android 15; Mobile) Firefox/140.0")
			if st != tt.want || (tt.code != "" && errCodeOf(body) != tt.code) {
				t.Errorf("%d %s, want %d %s", st, body, tt.want, tt.code)
			}
		})
	}
	st, _, body = call(t, nil, "GET", srv.URL+"/api/v1/me/push/subscriptions", tok, nil)
	var list struct {
		Devices []struct {
			Endpoint   string
			Categories []string
			Label      string
		}
	}
	mustJSON(t, body, &list)
	if st != 200 || len(list.Devices) != 1 || list.Devices[0].Endpoint != endpoint || strings.Join(list.Devices[0].Categories, ",") != "offer" ||
		!strings.Contains(list.Devices[0].Label, "Firefox") || strings.Contains(string(body), auth) {
		t.Fatalf("devices: %d %s", st, body)
	}

	// The sender the app exposes pushes to the device what it wants.
	ctx := context.Background()
	uid := a.pushUser(t, tok)
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, n := range []notify.Notice{
		{ID: "n_1", AttendeeID: uid, Category: notify.CategoryOffer, Title: "A seat", URL: "/me/offers", Expires: at.Add(10 * time.Minute)},
		{ID: "n_2", AttendeeID: uid, Category: notify.CategoryChange, Title: "Moved", URL: "/", Expires: at.Add(time.Hour)},
	} {
		if err := a.Push().Send(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if got := inbox.count("/push/phone"); got != 1 {
		t.Errorf("the device received %d pushes, want the offer only", got)
	}

	st, _, body = call(t, nil, "DELETE", srv.URL+"/api/v1/me/push/subscription?endpoint="+endpoint, tok, nil)
	if st != 204 {
		t.Fatalf("unsubscribe: %d %s", st, body)
	}
	_, _, body = call(t, nil, "GET", srv.URL+"/api/v1/me/push/subscriptions", tok, nil)
	if !strings.Contains(string(body), `"devices":[]`) {
		t.Errorf("devices after unsubscribe: %s", body)
	}
}

func (a *App) pushUser(t *testing.T, token string) string {
	t.Helper()
	u, err := a.accounts.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Two nodes on one database push with one VAPID key pair: subscriptions
// made through either verify on the other.
func TestPostgresNodesShareTheVAPIDKey(t *testing.T) {
	u := pgtest.URL(t)
	start := func() string {
		_, srv := newAppWith(t, func(c *config.Config) { c.DB = u })
		_, _, body := call(t, nil, "GET", srv.URL+"/api/v1/push/key", "", nil)
		return string(body)
	}
	if a, b := start(), start(); a != b || !strings.Contains(a, "publicKey") {
		t.Errorf("node keys differ: %s vs %s", a, b)
	}
}
