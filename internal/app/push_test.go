package app

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"venuehop/internal/config"
	"venuehop/internal/notify"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/webpush/pushtest"
)

func TestPushSubscriptionAPI(t *testing.T) {
	a, srv := newTestApp(t)
	inbox := pushtest.NewService(t)
	dev := pushtest.NewDevice(t).Input("", nil)
	p256dh, auth := dev.P256dh, dev.Auth
	endpoint := inbox.Srv.URL + "/push/phone"
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
	if got := len(inbox.Received("/push/phone")); got != 1 {
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

// TestOfferIsPushedToTheDevice: a waitlist seat offer made by the engine
// reaches the waiter's subscribed device, encrypted for it (the test
// decrypts it with the device's keys), with the push headers of an offer;
// the seat holder's device gets nothing.
func TestOfferIsPushedToTheDevice(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	base := srv.URL
	inbox := pushtest.NewService(t)
	holder := signup(t, srv, "holder@example.com", "correct horse battery")
	waiter := signup(t, srv, "waiter@example.com", "correct horse battery")
	phone := pushtest.NewDevice(t)
	for who, tok := range map[string]string{"holder": holder, "waiter": waiter} {
		in := phone.Input(inbox.Srv.URL+"/push/"+who, nil)
		if who == "holder" {
			in = pushtest.NewDevice(t).Input(inbox.Srv.URL+"/push/"+who, nil)
		}
		body := map[string]any{"endpoint": in.Endpoint, "keys": map[string]string{"p256dh": in.P256dh, "auth": in.Auth}}
		if st, _, b := call(t, nil, "PUT", base+"/api/v1/me/push/subscription", tok, body); st >= 300 {
			t.Fatalf("subscribe the %s's phone: %d %s", who, st, b)
		}
	}
	se := reservableSessions(t, a.Snapshot(), 1)[0]
	o := makeOffer(t, a, base, se, holder, waiter)

	var got []pushtest.Received
	for end := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		got = inbox.Received("/push/waiter")
	}
	if len(got) != 1 {
		t.Fatalf("the waiter's phone received %d messages, want the offer", len(got))
	}
	m := got[0]
	var n struct {
		ID, Title, Body, URL, Category, OfferID, SessionID, Topic string
		Expires                                                   time.Time
	}
	mustJSON(t, phone.Decrypt(t, m.Body), &n)
	if n.Category != string(notify.CategoryOffer) || n.OfferID != o.ID || n.SessionID != se.ID || !strings.Contains(n.Title, se.Title) ||
		n.URL == "" || !n.Expires.Equal(o.ExpiresAt) {
		t.Errorf("decrypted payload %+v, want the offer %s of %s until %s", n, o.ID, se.ID, o.ExpiresAt)
	}
	if u := m.Header.Get("Urgency"); u != "high" {
		t.Errorf("Urgency %q, want high", u)
	}
	ttl, err := strconv.Atoi(m.Header.Get("TTL"))
	if left := int(o.ExpiresAt.Sub(a.clock.Now()).Seconds()); err != nil || ttl <= 0 || ttl > left+5 {
		t.Errorf("TTL %q, want the seconds until the offer expires (%d)", m.Header.Get("TTL"), left)
	}
	if m.Header.Get("Topic") == "" || m.Header.Get("Content-Encoding") != "aes128gcm" || !strings.HasPrefix(m.Header.Get("Authorization"), "vapid t=") {
		t.Errorf("push headers %v", m.Header)
	}
	if got := len(inbox.Received("/push/holder")); got != 0 {
		t.Errorf("the holder's phone received %d messages", got)
	}
}
