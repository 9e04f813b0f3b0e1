// Package calfeed is the attendee's subscribable calendar: a secret URL
// (/ical/{secret}.ics) per attendee that calendar apps poll, revocable by
// issuing a new one.
//
// The secret is never stored. It is derived — HMAC-SHA256 under a key kept
// in the data directory, outside the database — from the user id and a
// generation number; the database keeps the generation and the secret's
// SHA-256, which is what a presented secret is looked up by. So the URL
// can be shown again on every visit (GET /api/v1/me/calendar-url), a
// leaked database holds no usable feed URL, and rotating (a new
// generation) revokes the old URL at once.
package calfeed

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

// Store keeps each attendee's feed generation and secret hash.
type Store interface {
	// CalendarFeed returns the user's feed; ok is false when none exists.
	CalendarFeed(ctx context.Context, userID string) (gen int64, hash account.TokenHash, ok bool, err error)
	// SetCalendarFeed creates or replaces the user's feed.
	SetCalendarFeed(ctx context.Context, userID string, gen int64, hash account.TokenHash, at time.Time) error
	// CalendarFeedUser returns the user whose feed has the hash, or an
	// errcode.NotFound error.
	CalendarFeedUser(ctx context.Context, hash account.TokenHash) (string, error)
}

// KeyStore is a store that keeps the key itself, shared by every node on
// it (PostgreSQL). SharedKey stores candidate unless a key is stored
// already, and returns the stored one.
type KeyStore interface {
	SharedKey(ctx context.Context, candidate []byte) ([]byte, error)
}

// KeyFile is the key's file in the data directory (mode 0600).
const KeyFile = "calendar-feed.key"

const keyBytes = 32

// label separates feed secrets from any other HMAC under the same key.
const label = "venuehop calendar feed v1"

// Service issues and resolves feed secrets.
type Service struct {
	store Store
	key   []byte
}

// New returns the service; key must hold at least 32 bytes.
func New(st Store, key []byte) (*Service, error) {
	if len(key) < keyBytes {
		return nil, errors.New("calfeed: the key is shorter than 32 bytes")
	}
	return &Service{store: st, key: key}, nil
}

// LoadKey reads the key from dir, creating it (random, mode 0600) on
// first use. A new key invalidates no stored feed: presented secrets are
// checked by hash; only showing an old URL again needs the old key, and
// without it the next request issues a new URL.
func LoadKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeyFile)
	key, err := os.ReadFile(path)
	if err == nil && len(key) >= keyBytes {
		return key, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot read the calendar feed key %s", path)
	}
	key = make([]byte, keyBytes)
	rand.Read(key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot create %s", dir)
	}
	tmp, err := os.CreateTemp(dir, ".calendar-feed-*")
	if err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot write the calendar feed key in %s", dir)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot write %s", path)
	}
	if err := tmp.Close(); err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot write %s", path)
	}
	// Link, not rename: two processes starting at once agree on one key.
	if err := os.Link(tmp.Name(), path); err != nil {
		if again, rerr := os.ReadFile(path); rerr == nil && len(again) >= keyBytes {
			return again, nil
		}
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot write %s", path)
	}
	return key, nil
}

func (s *Service) derive(userID string, gen int64) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write([]byte(userID))
	m.Write([]byte{0})
	m.Write([]byte(strconv.FormatInt(gen, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Secret returns the user's feed secret, creating the feed on first use.
// With rotate, the current secret is revoked and a new one issued.
func (s *Service) Secret(ctx context.Context, userID string, rotate bool, now time.Time) (string, error) {
	gen, hash, ok, err := s.store.CalendarFeed(ctx, userID)
	if err != nil {
		return "", err
	}
	if ok && !rotate {
		secret := s.derive(userID, gen)
		if account.HashToken(secret) == hash {
			return secret, nil
		}
		// The key changed since: this URL cannot be shown again, so a
		// new one replaces it.
	}
	if ok {
		gen++
	} else {
		gen = 1
	}
	secret := s.derive(userID, gen)
	if err := s.store.SetCalendarFeed(ctx, userID, gen, account.HashToken(secret), now); err != nil {
		return "", err
	}
	return secret, nil
}

// secretLen is the length of a secret's text (base64url of 32 bytes).
var secretLen = base64.RawURLEncoding.EncodedLen(sha256.Size)

// User returns the user a presented secret belongs to; an unknown,
// revoked or malformed secret is errcode.NotFound.
func (s *Service) User(ctx context.Context, secret string) (string, error) {
	if len(secret) != secretLen {
		return "", notFound()
	}
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", notFound()
		}
	}
	id, err := s.store.CalendarFeedUser(ctx, account.HashToken(secret))
	if errcode.Is(err, errcode.NotFound) {
		return "", notFound()
	}
	return id, err
}

func notFound() error {
	return errcode.New(errcode.NotFound, "no such calendar feed: the link is wrong or was replaced by a newer one")
}

// Path is the feed's URL path for a secret.
func Path(secret string) string { return fmt.Sprintf("/ical/%s.ics", secret) }
