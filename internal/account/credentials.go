package account

import (
	"crypto/rand"
	"errors"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"venuehop/internal/errcode"
)

// Password and field limits. The upper password bound keeps one hash's input
// small; the lower follows NIST SP 800-63B for user-chosen secrets.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
	maxEmailLen    = 254 // RFC 5321 path limit
	maxLocalLen    = 64
	MaxNameLen     = 100
)

// NormalizeEmail brings an address to the one form accounts are kept under
// (foldEmail) and checks that it is one plain address (no display name, no
// comments). Folding the case of the local part is not strictly
// RFC-correct but is what people expect: Ada@X and ada@x are one person,
// and one account.
func NormalizeEmail(raw string) (string, error) {
	e := foldEmail(raw)
	if e == "" {
		return "", invalidField("email", "enter your email address")
	}
	if len(e) > maxEmailLen || !utf8.ValidString(e) {
		return "", invalidField("email", "that email address is too long")
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(local) > maxLocalLen ||
		!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.ContainsAny(e, " \t\r\n<>()[],;:\"\\") {
		return "", invalidField("email", "that does not look like an email address (name@example.com)")
	}
	if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
		return "", invalidField("email", "that does not look like an email address (name@example.com)")
	}
	return e, nil
}

// foldEmail is an address in NFKC (compatibility) form, case-folded and
// trimmed, so that look-alikes collide: a fullwidth "ａｄａ@example.com",
// "ADA@EXAMPLE.COM" and "ada@example.com" are one address. Normalising
// again after folding keeps the result stable under both.
func foldEmail(raw string) string {
	return strings.TrimSpace(norm.NFKC.String(cases.Fold().String(norm.NFKC.String(raw))))
}

// ValidatePassword checks the password rules: 10 to 128 characters, and not
// the email address (or its part before the @). normalizedEmail must come
// from NormalizeEmail.
func ValidatePassword(password, normalizedEmail string) error {
	if !utf8.ValidString(password) {
		return invalidField("password", "the password is not valid text")
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return invalidField("password", "use at least %d characters", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return invalidField("password", "use at most %d characters", MaxPasswordLen)
	}
	p := strings.ToLower(strings.TrimSpace(password))
	local, _, _ := strings.Cut(normalizedEmail, "@")
	if p == normalizedEmail || (local != "" && p == local) {
		return invalidField("password", "the password must not be your email address")
	}
	return nil
}

// NormalizeName trims a display name; an empty one becomes the part of the
// email before the @.
func NormalizeName(name, normalizedEmail string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name, _, _ = strings.Cut(normalizedEmail, "@")
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLen {
		return "", invalidField("name", "use at most %d characters", MaxNameLen)
	}
	return name, nil
}

// passwordAlphabet has no look-alikes (0/o, 1/l/i), so a printed password can
// be typed back.
const passwordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// GeneratePassword returns a random password of four groups of five
// characters (about 99 bits), e.g. "k7qmz-3xtpa-9wzrh-h2ncb".
func GeneratePassword() string {
	var b [20]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%5 == 0 {
			sb.WriteByte('-')
		}
		// 256 % 31 != 0 leaves a tiny bias, irrelevant at 99 bits.
		sb.WriteByte(passwordAlphabet[int(c)%len(passwordAlphabet)])
	}
	return sb.String()
}

// FieldError is the Details of an invalid input error: which form field is
// wrong, so pages can show the message next to it.
type FieldError struct {
	Field string `json:"field"`
}

func invalidField(field, format string, args ...any) *errcode.Error {
	e := errcode.New(errcode.Invalid, format, args...)
	e.Unprocessable = true
	e.Details = FieldError{Field: field}
	return e
}

// FieldOf returns the form field an error is about, or "".
func FieldOf(err error) string {
	var e *errcode.Error
	if errors.As(err, &e) {
		if f, ok := e.Details.(FieldError); ok {
			return f.Field
		}
	}
	return ""
}
