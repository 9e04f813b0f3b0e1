package webpush_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"venuehop/internal/clock"
	"venuehop/internal/errcode"
	"venuehop/internal/notify"
	"venuehop/internal/store/sqlite"
	"venuehop/internal/webpush"
	"venuehop/internal/webpush/pushtest"
)

var now = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// verifyVAPID checks "vapid t=JWT, k=KEY": the key is the server's, the
// JWT is ES256 over it, for the endpoint's origin, not expired.
func verifyVAPID(t *testing.T, header, publicKey, origin string) {
	t.Helper()
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		t.Fatalf("Authorization %q is not the vapid scheme", header)
	}
	params := map[string]string{}
	for p := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		params[k] = v
	}
	if params["k"] != publicKey {
		t.Errorf("k=%q, want the VAPID public key %q", params["k"], publicKey)
	}
	parts := strings.Split(params["t"], ".")
	if len(parts) != 3 {
		t.Fatalf("t=%q is not a JWT", params["t"])
	}
	raw, _ := base64.RawURLEncoding.DecodeString(publicKey)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		t.Fatalf("ES256 signature of %d bytes: %v", len(sig), err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Error("the VAPID JWT does not verify with the public key")
	}
	var head struct{ Alg, Typ string }
	var claims struct {
		Aud string `json:"aud"`
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
	}
	decodeSeg(t, parts[0], &head)
	decodeSeg(t, parts[1], &claims)
	if head.Alg != "ES256" {
		t.Errorf("JWT alg %q, want ES256", head.Alg)
	}
	if claims.Aud != origin || claims.Sub != "mailto:ops@example.org" {
		t.Errorf("JWT claims %+v, want aud %s and sub mailto:ops@example.org", claims, origin)
	}
	if exp := time.Unix(claims.Exp, 0); time.Until(exp) <= 0 || time.Until(exp) > 24*time.Hour {
		t.Errorf("JWT exp %v is not within the next 24 hours (RFC 8292)", exp)
	}
}

func decodeSeg(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil || json.Unmarshal(b, v) != nil {
		t.Fatalf("JWT segment %q: %v", seg, err)
	}
}

func newSender(t testing.TB, st webpush.Store, conc int) *webpush.Sender {
	t.Helper()
	keys, err := webpush.LoadKeys(context.Background(), st, now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := webpush.New(webpush.Options{Store: st, Keys: keys, Contact: "mailto:ops@example.org", Clock: clock.Fixed(now),
		RetryBackoff: time.Millisecond, Concurrency: conc})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSendEncryptsForTheDevice(t *testing.T) {
	ctx := context.Background()
	ps := pushtest.NewService(t)
	s := newSender(t, openStore(t), 4)
	dev := pushtest.NewDevice(t)
	if _, err := s.Subscribe(ctx, "u_a", dev.Input(ps.Srv.URL+"/push/phone", nil)); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("session-moved:", 5) // over 32 characters: hashed
	tests := []struct {
		name      string
		n         notify.Notice
		urgency   string
		ttl       string
		topic     string
		wantField map[string]string
	}{
		{"offer", notify.Notice{ID: "n_1", AttendeeID: "u_a", Category: notify.CategoryOffer, Title: "A seat is yours", Body: "Rust in prod, 14:00",
			URL: "/me/offers", SessionID: "S1", OfferID: "o_1", Topic: "offer-o_1", Expires: now.Add(10 * time.Minute)},
			"high", "600", "offer-o_1",
			map[string]string{"id": "n_1", "title": "A seat is yours", "body": "Rust in prod, 14:00", "url": "/me/offers", "category": "offer", "offerId": "o_1", "sessionId": "S1"}},
		{"moved", notify.Notice{ID: "n_2", AttendeeID: "u_a", Category: notify.CategoryChange, Title: "Moved", Body: "Now in Hall B",
			URL: "/sessions/S2", SessionID: "S2", Topic: long, Urgency: notify.UrgencyNormal, Expires: now.Add(90*time.Second + 500*time.Millisecond)},
			"normal", "90", webpush.Topic(long),
			map[string]string{"id": "n_2", "category": "change", "sessionId": "S2", "url": "/sessions/S2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ps.Received("/push/phone"))
			if err := s.Send(ctx, tt.n); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := ps.Received("/push/phone")
			if len(got) != before+1 {
				t.Fatalf("the push service got %d messages, want 1", len(got)-before)
			}
			m := got[len(got)-1]
			for h, want := range map[string]string{"Urgency": tt.urgency, "TTL": tt.ttl, "Topic": tt.topic, "Content-Encoding": "aes128gcm"} {
				if m.Header.Get(h) != want {
					t.Errorf("%s: %q, want %q", h, m.Header.Get(h), want)
				}
			}
			if len(tt.topic) > 32 || strings.Trim(tt.topic, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
				t.Errorf("Topic %q is not RFC 8030's at most 32 URL-safe base64 characters", tt.topic)
			}
			verifyVAPID(t, m.Header.Get("Authorization"), s.PublicKey(), ps.Srv.URL)
			var payload map[string]any
			if err := json.Unmarshal(dev.Decrypt(t, m.Body), &payload); err != nil {
				t.Fatalf("payload: %v", err)
			}
			for k, want := range tt.wantField {
				if payload[k] != want {
					t.Errorf("payload %s = %v, want %q (payload %v)", k, payload[k], want, payload)
				}
			}
		})
	}
}

func TestGoneAndUnwantedAndRetried(t *testing.T) {
	ctx := context.Background()
	ps := pushtest.NewService(t)
	st := openStore(t)
	s := newSender(t, st, 4)
	subscribe := func(path string, cats []string) {
		t.Helper()
		if _, err := s.Subscribe(ctx, "u_a", pushtest.NewDevice(t).Input(ps.Srv.URL+path, cats)); err != nil {
			t.Fatal(err)
		}
	}
	subscribe("/gone410", nil)
	subscribe("/gone404", nil)
	subscribe("/offers-only", []string{"offer"})
	subscribe("/busy-once", nil)
	subscribe("/broken", nil)
	subscribe("/refuses", nil)
	ps.Answer("/gone410", http.StatusGone)
	ps.Answer("/gone404", http.StatusNotFound)
	ps.Answer("/busy-once", http.StatusTooManyRequests)
	ps.Answer("/broken", 503, 502, 500)
	ps.Answer("/refuses", http.StatusBadRequest)

	n := notify.Notice{ID: "n_9", AttendeeID: "u_a", Category: notify.CategoryChange, Title: "Cancelled", URL: "/sessions/S3", Expires: now.Add(time.Hour)}
	err := s.Send(ctx, n)
	if !errcode.Is(err, errcode.Unavailable) {
		t.Errorf("Send with refusing devices: %v, want unavailable", err)
	}
	for _, tt := range []struct {
		path string
		want int // messages received
	}{
		{"/gone410", 1}, {"/gone404", 1},
		{"/offers-only", 0}, // the device did not want changes
		{"/busy-once", 2},   // 429 with Retry-After: 0, then taken
		{"/broken", 2},      // 5xx, retried once only
		{"/refuses", 1},     // 400 is not retried
	} {
		if got := len(ps.Received(tt.path)); got != tt.want {
			t.Errorf("%s received %d messages, want %d", tt.path, got, tt.want)
		}
	}
	left, err := s.Devices(ctx, "u_a") // one subscription time (a fixed clock): by endpoint
	if err != nil {
		t.Fatal(err)
	}
	var ends []string
	for _, d := range left {
		ends = append(ends, strings.TrimPrefix(d.Endpoint, ps.Srv.URL))
	}
	if fmt.Sprint(ends) != "[/broken /busy-once /offers-only /refuses]" {
		t.Errorf("devices after the push: %v, want the 404 and 410 ones deleted", ends)
	}

	// An offer reaches the offers-only device; an expired notice nobody.
	r, err := s.SendMany(ctx, []notify.Notice{
		{ID: "n_10", AttendeeID: "u_a", Category: notify.CategoryOffer, Title: "Seat", URL: "/me/offers", Expires: now.Add(time.Minute)},
		{ID: "n_11", AttendeeID: "u_a", Category: notify.CategoryOffer, Title: "Old", URL: "/me/offers", Expires: now.Add(-time.Minute)},
		{ID: "n_12", AttendeeID: "u_nobody", Category: notify.CategoryOffer, Title: "No device", URL: "/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ps.Received("/offers-only")); got != 1 {
		t.Errorf("the offers-only device received %d messages, want the offer", got)
	}
	if r.Skipped != 4 || r.Sent < 2 {
		t.Errorf("SendMany result %+v, want 4 skipped (the expired notice) and the offer sent", r)
	}
}

func TestSubscribeValidates(t *testing.T) {
	ctx := context.Background()
	s := newSender(t, openStore(t), 1)
	dev := pushtest.NewDevice(t)
	good := dev.Input("https://push.example.net/wpush/v2/abc", nil)
	tests := []struct {
		name string
		edit func(*webpush.SubscriptionInput)
		ok   bool
	}{
		{"https", func(*webpush.SubscriptionInput) {}, true},
		{"http localhost", func(in *webpush.SubscriptionInput) { in.Endpoint = "http://localhost:8080/p" }, true},
		{"http 127.0.0.1", func(in *webpush.SubscriptionInput) { in.Endpoint = "http://127.0.0.1:9/p" }, true},
		{"http elsewhere", func(in *webpush.SubscriptionInput) { in.Endpoint = "http://push.example.net/p" }, false},
		{"relative", func(in *webpush.SubscriptionInput) { in.Endpoint = "/p" }, false},
		{"credentials", func(in *webpush.SubscriptionInput) { in.Endpoint = "https://u:p@push.example.net/p" }, false},
		{"too long", func(in *webpush.SubscriptionInput) {
			in.Endpoint = "https://push.example.net/" + strings.Repeat("a", 2048)
		}, false},
		{"short p256dh", func(in *webpush.SubscriptionInput) { in.P256dh = in.P256dh[:40] }, false},
		{"p256dh off the curve", func(in *webpush.SubscriptionInput) {
			in.P256dh = base64.RawURLEncoding.EncodeToString(append([]byte{4}, bytes.Repeat([]byte{1}, 64)...))
		}, false},
		{"auth 15 bytes", func(in *webpush.SubscriptionInput) { in.Auth = base64.RawURLEncoding.EncodeToString(make([]byte, 15)) }, false},
		{"auth padded", func(in *webpush.SubscriptionInput) {
			raw, _ := base64.RawURLEncoding.DecodeString(in.Auth)
			in.Auth = base64.URLEncoding.EncodeToString(raw)
		}, true},
		{"unknown category", func(in *webpush.SubscriptionInput) { in.Categories = []string{"offer", "spam"} }, false},
		{"no categories", func(in *webpush.SubscriptionInput) { in.Categories = []string{} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.edit(&in)
			_, err := s.Subscribe(ctx, "u_v", in)
			if tt.ok != (err == nil) {
				t.Errorf("Subscribe: %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errcode.Is(err, errcode.Invalid) {
				t.Errorf("error %v is not invalid", err)
			}
		})
	}
	got, err := s.Subscribe(ctx, "u_v", dev.Input("https://push.example.net/wpush/v2/abc", []string{"recording", "offer", "offer"}))
	if err != nil || fmt.Sprint(got.Categories) != "[offer recording]" {
		t.Errorf("categories %v %v, want [offer recording] (listed order, no repeats)", got.Categories, err)
	}
}

func TestDeviceLimit(t *testing.T) {
	ctx := context.Background()
	s := newSender(t, openStore(t), 1)
	dev := pushtest.NewDevice(t)
	for i := range webpush.MaxPerAttendee {
		if _, err := s.Subscribe(ctx, "u_a", dev.Input(fmt.Sprintf("https://push.example.net/%d", i), nil)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Subscribe(ctx, "u_a", dev.Input("https://push.example.net/one-more", nil)); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("device %d: %v, want conflict", webpush.MaxPerAttendee+1, err)
	}
	if _, err := s.Subscribe(ctx, "u_a", dev.Input("https://push.example.net/3", []string{"offer"})); err != nil {
		t.Errorf("updating a known device at the limit: %v", err)
	}
	if err := s.Unsubscribe(ctx, "u_b", "https://push.example.net/3"); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("another attendee unsubscribing: %v, want not found", err)
	}
	if err := s.Unsubscribe(ctx, "u_a", "https://push.example.net/3"); err != nil {
		t.Errorf("Unsubscribe: %v", err)
	}
}

func TestSendManyHonoursContext(t *testing.T) {
	ps := pushtest.NewService(t)
	st := openStore(t)
	s := newSender(t, st, 2)
	ctx, cancel := context.WithCancel(context.Background())
	var ns []notify.Notice
	for i := range 50 {
		id := fmt.Sprintf("u_%d", i)
		if _, err := s.Subscribe(ctx, id, pushtest.NewDevice(t).Input(ps.Srv.URL+"/p/"+id, nil)); err != nil {
			t.Fatal(err)
		}
		ns = append(ns, notify.Notice{ID: "n", AttendeeID: id, Category: notify.CategoryChange, Title: "x", URL: "/"})
	}
	cancel()
	if _, err := s.SendMany(ctx, ns); err != context.Canceled {
		t.Errorf("SendMany after cancel: %v, want context.Canceled", err)
	}
	if got := ps.Count(); got != 0 {
		t.Errorf("%d sent", got)
	}
}
