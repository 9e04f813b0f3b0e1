package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"venuehop/internal/errcode"
)

// Argon2id parameters: OWASP's Password Storage Cheat Sheet minimum (m=19 MiB,
// t=2, p=1). Each hash allocates MemoryKiB, which is why Hasher bounds how
// many run at once.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Upper bounds accepted when reading a stored hash, so a corrupt or hostile
// row cannot make one verification allocate gigabytes.
const (
	maxArgonMemoryKiB = 256 * 1024
	maxArgonTime      = 16
	maxArgonThreads   = 16
)

// Hasher hashes and verifies passwords with argon2id. At most a fixed number
// of hashes run at once (each costs 19 MiB and ~50 ms of one core); callers
// beyond that wait in line with their request's context, and after
// QueueWait get an errcode.Unavailable ("retry shortly") instead of piling
// up memory. It is safe for concurrent use.
type Hasher struct {
	slots     chan struct{}
	queueWait time.Duration

	dummyOnce sync.Once
	dummy     string
}

// NewHasher returns a Hasher running at most concurrent hashes at once
// (<= 0: 2×GOMAXPROCS) and queueing a caller at most queueWait (<= 0: 2 s).
func NewHasher(concurrent int, queueWait time.Duration) *Hasher {
	if concurrent <= 0 {
		concurrent = 2 * runtime.GOMAXPROCS(0)
	}
	if queueWait <= 0 {
		queueWait = 2 * time.Second
	}
	return &Hasher{slots: make(chan struct{}, concurrent), queueWait: queueWait}
}

// acquire takes a hashing slot, waiting at most queueWait.
func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.queueWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return errcode.Wrap(errcode.Unavailable, ctx.Err(), "the request was cancelled while waiting to check the password")
	case <-t.C:
		return retryLater(errcode.Unavailable, time.Second, "too many sign-ins at once; try again in a moment")
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC-encoded argon2id hash of password:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key> (unpadded standard base64).
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return hashNow(password), nil
}

func hashNow(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Verify reports whether password matches the encoded hash, comparing in
// constant time. An empty or unreadable encoded hash is checked against a
// dummy hash instead, so the answer takes as long as for a real account and
// timing does not reveal which emails have one.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	p, err := parsePHC(encoded)
	real := err == nil
	if !real {
		if p, err = parsePHC(h.dummyHash()); err != nil {
			return false, errcode.Wrap(errcode.Internal, err, "dummy password hash")
		}
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1 && real, nil
}

// dummyHash is a hash of a random password, made on first use (not at
// start-up: tests and CLI commands that never verify should not pay for it).
func (h *Hasher) dummyHash() string {
	h.dummyOnce.Do(func() {
		var b [16]byte
		rand.Read(b[:])
		h.dummy = hashNow(base64.RawStdEncoding.EncodeToString(b[:]))
	})
	return h.dummy
}

type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parsePHC(s string) (phc, error) {
	var p phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, errors.New("not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, errors.New("unsupported argon2 version")
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads); err != nil {
		return p, errors.New("bad argon2 parameters")
	}
	if p.memory < 8 || p.memory > maxArgonMemoryKiB || p.time < 1 || p.time > maxArgonTime || threads < 1 || threads > maxArgonThreads {
		return p, errors.New("argon2 parameters out of range")
	}
	p.threads = uint8(threads)
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, errors.New("bad salt")
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return p, errors.New("bad key")
	}
	return p, nil
}
