// Package pushtest is a local Web Push service and a browser's side of a
// subscription, for tests: the service records every message, the device
// decrypts them (RFC 8291) as a browser would.
package pushtest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/hkdf"

	"venuehop/internal/notify"
	"venuehop/internal/webpush"
)

// Device is a browser's side of a subscription: its key pair and auth
// secret, to decrypt what it receives.
type Device struct {
	priv *ecdh.PrivateKey
	auth []byte
}

func NewDevice(t testing.TB) Device {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return Device{priv: k, auth: auth}
}

func (d Device) Input(endpoint string, cats []string) webpush.SubscriptionInput {
	return webpush.SubscriptionInput{Endpoint: endpoint, P256dh: base64.RawURLEncoding.EncodeToString(d.priv.PublicKey().Bytes()),
		Auth: base64.RawURLEncoding.EncodeToString(d.auth), Categories: cats, Label: "Mozilla/5.0 (Android 15) Firefox/140.0"}
}

// Decrypt undoes RFC 8291 (aes128gcm with the Web Push key derivation) as
// the device's browser would.
func (d Device) Decrypt(t testing.TB, body []byte) []byte {
	t.Helper()
	if len(body) < 21 {
		t.Fatalf("body of %d bytes has no aes128gcm header", len(body))
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idlen != 65 || len(body) < 21+idlen {
		t.Fatalf("keyid of %d bytes, want the 65-byte server key", idlen)
	}
	asPublic := body[21 : 21+idlen]
	ciphertext := body[21+idlen:]
	if uint32(len(body)) > rs {
		t.Fatalf("one record of %d bytes exceeds rs %d", len(body), rs)
	}
	pub, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		t.Fatalf("server key: %v", err)
	}
	secret, err := d.priv.ECDH(pub)
	if err != nil {
		t.Fatal(err)
	}
	keyInfo := append(append([]byte("WebPush: info\x00"), d.priv.PublicKey().Bytes()...), asPublic...)
	ikm := read(t, hkdf.New(sha256.New, secret, d.auth, keyInfo), 32)
	cek := read(t, hkdf.New(sha256.New, ikm, salt, []byte("Content-Encoding: aes128gcm\x00")), 16)
	nonce := read(t, hkdf.New(sha256.New, ikm, salt, []byte("Content-Encoding: nonce\x00")), 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		t.Fatalf("the message does not decrypt with the device's keys: %v", err)
	}
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		t.Fatal("no last-record delimiter (0x02) after the payload")
	}
	return plain[:len(plain)-1]
}

func read(t testing.TB, r io.Reader, n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// Service is a local push service: it records every message and
// answers each path with its queued statuses (201 when none are left).
type Service struct {
	Srv *httptest.Server
	mu  sync.Mutex
	got []Received
	ans map[string][]int
}

type Received struct {
	Path   string
	Header http.Header
	Body   []byte
}

func NewService(t testing.TB) *Service {
	p := &Service{ans: map[string][]int{}}
	p.Srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.got = append(p.got, Received{Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		code := http.StatusCreated
		if q := p.ans[r.URL.Path]; len(q) > 0 {
			code, p.ans[r.URL.Path] = q[0], q[1:]
		}
		p.mu.Unlock()
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(p.Srv.Close)
	return p
}

func (p *Service) Answer(path string, codes ...int) {
	p.mu.Lock()
	p.ans[path] = codes
	p.mu.Unlock()
}

func (p *Service) Received(path string) []Received {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Received
	for _, r := range p.got {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Count is how many messages arrived, on every path.
func (p *Service) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}

// Sink is a push service that accepts every message and only counts them
// (for benchmarks: no decryption).
func Sink(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		n.Add(1)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// Subscribe gives each attendee of ids one device of d's keys at
// base+"/push/"+id, every category, in one transaction of db (a SQLite
// store's writer): many subscribe requests would time the sign-ups, not
// what a benchmark measures.
func Subscribe(t testing.TB, db *sql.DB, base string, d Device, ids []string) {
	t.Helper()
	ctx := context.Background()
	in := d.Input("", nil)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO push_subscriptions (endpoint, attendee, p256dh, auth, categories, user_agent, created_at)
		VALUES (?, ?, ?, ?, ?, '', '2026-11-20T09:00:00.000Z')`)
	if err != nil {
		t.Fatal(err)
	}
	all := webpush.EncodeCategories(notify.Categories[:])
	for _, id := range ids {
		if _, err := ins.ExecContext(ctx, base+"/push/"+id, id, in.P256dh, in.Auth, all); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
