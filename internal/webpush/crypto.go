package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"sync"
	"time"

	"venuehop/internal/errcode"
)

// recordSize is the aes128gcm record size announced (one record holds
// the whole message; the push services take at most 4096 bytes).
const recordSize = 4096

// padTo rounds the plaintext up to a multiple of this many bytes, so a
// message's length tells little about its notice.
const padTo = 256

// encrypt is RFC 8291: an ephemeral P-256 key agreed with the device's
// p256dh, mixed with its auth secret, then one aes128gcm record (RFC
// 8188) with the ephemeral public key as keyid.
func encrypt(payload []byte, p256dh, auth string) ([]byte, error) {
	uaRaw, err := decodeKey(p256dh)
	if err != nil {
		return nil, errcode.New(errcode.Invalid, "subscription p256dh is not base64url")
	}
	ua, err := ecdh.P256().NewPublicKey(uaRaw)
	if err != nil {
		return nil, errcode.New(errcode.Invalid, "subscription p256dh is not a P-256 point")
	}
	secretAuth, err := decodeKey(auth)
	if err != nil || len(secretAuth) != 16 {
		return nil, errcode.New(errcode.Invalid, "subscription auth is not a 16-byte secret")
	}
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	shared, err := eph.ECDH(ua)
	if err != nil {
		return nil, err
	}
	asPub := eph.PublicKey().Bytes()
	ikm, err := hkdf.Key(sha256.New, shared, secretAuth, "WebPush: info\x00"+string(uaRaw)+string(asPub), 32)
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// payload, the last-record delimiter 0x02, zero padding.
	plainLen := (len(payload) + 1 + padTo - 1) / padTo * padTo
	header := 16 + 4 + 1 + len(asPub)
	if header+plainLen+gcm.Overhead() > recordSize {
		return nil, errcode.New(errcode.Invalid, "web push payload of %d bytes is too large", len(payload))
	}
	out := make([]byte, header, header+plainLen+gcm.Overhead())
	copy(out, salt)
	binary.BigEndian.PutUint32(out[16:], recordSize)
	out[20] = byte(len(asPub))
	copy(out[21:], asPub)
	plain := make([]byte, plainLen)
	copy(plain, payload)
	plain[len(payload)] = 2
	return gcm.Seal(out, nonce, plain, nil), nil
}

// vapid signs the RFC 8292 JWTs. A token is valid 12 hours and reused
// for every message to one push service until an hour before it expires.
type vapid struct {
	key     *ecdsa.PrivateKey
	public  string
	subject string

	mu     sync.Mutex
	tokens map[string]vapidToken // by audience (the endpoint's origin)
}

type vapidToken struct {
	header  string
	expires time.Time
}

func newVAPID(k Keys, subject string) (*vapid, error) {
	d, err := base64.RawURLEncoding.DecodeString(k.Private)
	if err != nil {
		return nil, errcode.New(errcode.Internal, "the VAPID private key is not base64url")
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "the VAPID private key is not a P-256 key")
	}
	return &vapid{key: key, public: k.Public, subject: subject, tokens: map[string]vapidToken{}}, nil
}

// authorization is the Authorization header for a message to endpoint:
// "vapid t=JWT, k=PUBLIC". Its times are the real clock's (the push
// service checks exp against its own).
func (v *vapid) authorization(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", errcode.New(errcode.Invalid, "subscription endpoint is not a URL")
	}
	aud := u.Scheme + "://" + u.Host
	now := time.Now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if t, ok := v.tokens[aud]; ok && now.Before(t.expires.Add(-time.Hour)) {
		return t.header, nil
	}
	exp := now.Add(12 * time.Hour)
	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}{aud, exp.Unix(), v.subject})
	if err != nil {
		return "", err
	}
	signing := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`)) + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, v.key, digest[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	h := "vapid t=" + signing + "." + base64.RawURLEncoding.EncodeToString(sig) + ", k=" + v.public
	if len(v.tokens) > 1000 { // many push services: start over rather than grow
		clear(v.tokens)
	}
	v.tokens[aud] = vapidToken{header: h, expires: exp}
	return h, nil
}
