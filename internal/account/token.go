package account

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"venuehop/internal/errcode"
)

// TokenKind says how a token is presented: a browser's sign-in cookie or an
// API client's Bearer token. Both are stored the same way (hashed).
type TokenKind string

const (
	SessionToken TokenKind = "session" // the vh_session cookie
	APIToken     TokenKind = "api"     // Authorization: Bearer
)

// TokenHash is the SHA-256 of a token: the only form a token is stored in,
// so a leaked database holds no usable credential. Tokens carry 256 random
// bits, so a fast unsalted hash is enough (there is nothing to guess).
type TokenHash [sha256.Size]byte

// Token is a stored sign-in session or API token.
type Token struct {
	Hash      TokenHash
	UserID    string
	Kind      TokenKind
	CreatedAt time.Time
	ExpiresAt time.Time
}

// tokenBytes is the entropy of a token; its text is base64url, 43 chars.
const tokenBytes = 32

// NewToken returns a fresh random token and its hash.
func NewToken() (string, TokenHash) {
	var b [tokenBytes]byte
	rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	return tok, HashToken(tok)
}

// HashToken returns the stored form of a token.
func HashToken(token string) TokenHash { return sha256.Sum256([]byte(token)) }

// wellFormedToken rejects what cannot be one of our tokens before any work.
func wellFormedToken(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	for i := 0; i < len(token); i++ {
		if !base64URL[token[i]] {
			return false
		}
	}
	return true
}

// base64URL marks the bytes of the base64url alphabet.
var base64URL = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
	}
	return t
}()

// csrfLabel separates CSRF tokens from any other HMAC keyed the same way.
const csrfLabel = "venuehop csrf v1"

// CSRFToken returns the anti-forgery token for forms of the browser holding
// secret (its sign-in session token, or before sign-in its anonymous CSRF
// cookie): an HMAC keyed by that secret. Another site can make the browser
// send the cookie but cannot read it, so it cannot compute the token.
func CSRFToken(secret string) string {
	if secret == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(csrfLabel))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ValidCSRF reports, in constant time, whether presented is secret's token.
func ValidCSRF(secret, presented string) bool {
	if secret == "" || presented == "" {
		return false
	}
	return hmac.Equal([]byte(CSRFToken(secret)), []byte(presented))
}

// RetryAfter is the Details of a rate_limited or unavailable error: how long
// the client should wait (errcode's, under the name callers know).
type RetryAfter = errcode.RetryAfter

func retryLater(code errcode.Code, wait time.Duration, format string, args ...any) *errcode.Error {
	return errcode.Retry(code, wait, format, args...)
}
