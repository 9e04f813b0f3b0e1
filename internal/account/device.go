package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
)

// A device cookie marks a browser that signed in to an account before
// (Throttle): "v1." + a random device id + "." + an HMAC of the email and
// the id under the server's device key, which is kept in the store's
// settings (one key for every node). Only this server can make one, and
// one made for an account says nothing about another.
const (
	deviceVersion = "v1"
	deviceLabel   = "venuehop device v1\x00"
	deviceIDBytes = 16
	// deviceKeySetting names the key among the store's settings.
	deviceKeySetting = "device_key"
)

// deviceKeys loads the device key once (creating it on first use; the
// first node to store one wins). A failure is retried on the next call.
type deviceKeys struct {
	mu  sync.Mutex
	key []byte
}

func (d *deviceKeys) get(ctx context.Context, st Store) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.key != nil {
		return d.key, nil
	}
	var fresh [32]byte
	rand.Read(fresh[:])
	stored, err := st.InitSetting(ctx, deviceKeySetting, base64.RawURLEncoding.EncodeToString(fresh[:]))
	if err != nil {
		return nil, err
	}
	key, err := base64.RawURLEncoding.DecodeString(stored)
	if err != nil || len(key) < 32 {
		return nil, err
	}
	d.key = key
	return key, nil
}

func deviceMAC(key []byte, email, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(deviceLabel))
	m.Write([]byte(email))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// deviceCookie returns the cookie value for the (normalised) email and
// device id ("" id: a fresh one).
func (s *Service) deviceCookie(ctx context.Context, email, id string) (string, error) {
	key, err := s.devices.get(ctx, s.store)
	if err != nil {
		return "", err
	}
	if id == "" {
		var b [deviceIDBytes]byte
		rand.Read(b[:])
		id = base64.RawURLEncoding.EncodeToString(b[:])
	}
	return deviceVersion + "." + id + "." + deviceMAC(key, email, id), nil
}

// verifyDevice returns the device id of a cookie made for the (normalised)
// email, or "" for anything else (including a key that cannot be read:
// the attempt is then throttled like any other).
func (s *Service) verifyDevice(ctx context.Context, email, cookie string) string {
	version, rest, ok := strings.Cut(cookie, ".")
	if !ok || version != deviceVersion || len(cookie) > 200 {
		return ""
	}
	id, mac, ok := strings.Cut(rest, ".")
	if !ok || id == "" {
		return ""
	}
	key, err := s.devices.get(ctx, s.store)
	if err != nil {
		return ""
	}
	if !hmac.Equal([]byte(mac), []byte(deviceMAC(key, email, id))) {
		return ""
	}
	return id
}
