package account

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"venuehop/internal/errcode"
	"venuehop/internal/ratelimit"
)

// SignupMode is the organizer's choice of who may create an account.
type SignupMode string

const (
	// OpenSignup lets anyone create an attendee account (small events).
	OpenSignup SignupMode = "open"
	// RegisteredOnly lets only the attendees on the organizer's list
	// create one, each once, with the one-time code they were given.
	RegisteredOnly SignupMode = "registered"
)

// signupModeSetting names the mode among the store's settings.
const signupModeSetting = "signup_mode"

// ParseSignupMode reads "open" or "registered".
func ParseSignupMode(s string) (SignupMode, error) {
	switch m := SignupMode(strings.ToLower(strings.TrimSpace(s))); m {
	case OpenSignup, RegisteredOnly:
		return m, nil
	}
	return "", invalidField("mode", "the sign-up mode must be open or registered, got %q", s)
}

// SignupMode returns the mode in force (open until an organizer chooses).
func (s *Service) SignupMode(ctx context.Context) (SignupMode, error) {
	v, err := s.store.Setting(ctx, signupModeSetting)
	if errcode.Is(err, errcode.NotFound) {
		return OpenSignup, nil
	}
	if err != nil {
		return "", err
	}
	return ParseSignupMode(v)
}

// SetSignupMode stores the organizer's choice.
func (s *Service) SetSignupMode(ctx context.Context, m SignupMode) error {
	if _, err := ParseSignupMode(string(m)); err != nil {
		return err
	}
	return s.store.PutSetting(ctx, signupModeSetting, string(m))
}

// SignUp is a sign-up request. Code is the one-time code of a registered
// attendee (needed in RegisteredOnly mode); IP is the client's address.
type SignUp struct {
	Email, Password, Name, Code, IP string
}

// errNoInvitation is the one answer to every refused claim, whether the
// address is not on the list, has an account already, or the code is
// wrong or used: the same status and words, after the same work, so that
// sign-up tells nobody which addresses have accounts.
func errNoInvitation() error {
	return invalidField("code", "that email address and sign-up code do not match an invitation that is still open; check both, or ask the organizers")
}

// Register creates an attendee account and signs it in, returning a token
// of the kind asked for. It is rate-limited per client address and in
// total. In RegisteredOnly mode it claims the caller's registration with
// its code; anything but an exact match of an unclaimed one is
// errNoInvitation. In OpenSignup mode an address that has an account is a
// conflict: with nothing but the request to go on, open sign-up cannot
// hide which addresses have accounts (docs/accounts.md).
func (s *Service) Register(ctx context.Context, in SignUp, kind TokenKind) (*User, string, error) {
	if err := s.signups.allow(in.IP, s.now()); err != nil {
		return nil, "", err
	}
	mode, err := s.SignupMode(ctx)
	if err != nil {
		return nil, "", err
	}
	if mode == OpenSignup {
		u, err := s.AddUser(ctx, in.Email, in.Password, in.Name, Attendee)
		if err != nil {
			return nil, "", err
		}
		tok, err := s.IssueToken(ctx, u.ID, kind)
		return u, tok, err
	}
	u, err := s.NewUser(in.Email, in.Name, Attendee)
	if err != nil {
		return nil, "", err
	}
	if err := ValidatePassword(in.Password, u.Email); err != nil {
		return nil, "", err
	}
	if strings.TrimSpace(in.Name) == "" {
		u.Name = "" // the name on the organizer's list (RegistryStore)
	}
	code := normalizeCode(in.Code)
	if code == "" {
		return nil, "", invalidField("code", "enter the sign-up code of your invitation")
	}
	// Hash before looking anything up: every answer costs the same.
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, "", err
	}
	if err := s.store.ClaimRegistration(ctx, code, u, hash); err != nil {
		if errcode.Is(err, errcode.NotFound) {
			return nil, "", errNoInvitation()
		}
		return nil, "", err
	}
	if u.Name == "" {
		if stored, err := s.store.UserByID(ctx, u.ID); err == nil {
			u = stored
		}
	}
	tok, err := s.IssueToken(ctx, u.ID, kind)
	return &u, tok, err
}

// codeAlphabet has no look-alikes, like passwords (credentials.go).
const codeAlphabet = passwordAlphabet

// newCode returns a one-time sign-up code: ten characters in two groups
// (about 50 bits), e.g. "k7qmz-3xtpa", easy to print and to type.
func newCode() string {
	var b [10]byte
	rand.Read(b[:])
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return string(out)
}

// normalizeCode reads a code as people type it: any case, with or
// without the dash or spaces. "" when it cannot be a code.
func normalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '-' || r == ' ':
		case strings.ContainsRune(codeAlphabet, r) && b.Len() < 10:
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != 10 {
		return ""
	}
	c := b.String()
	return c[:5] + "-" + c[5:]
}

// Registrations returns the attendee list, codes included (organizers
// print or send them).
func (s *Service) Registrations(ctx context.Context) ([]Registration, error) {
	return s.store.Registrations(ctx)
}

// ImportReport says what an attendee list import did.
type ImportReport struct {
	Added   int `json:"added"`
	Updated int `json:"updated"`
}

// maxRegistrations bounds one list; maxBadgeLen one badge id.
const (
	maxRegistrations = 200_000
	maxBadgeLen      = 64
)

// ImportRegistrations reads an attendee list, CSV with the columns email,
// name, badge id (a header row naming them is optional; badge id may be
// empty), and stores it: new attendees get a one-time code, known ones
// their name and badge id updated. Every row is checked first; one bad
// row is an error naming its line, and nothing is stored.
func (s *Service) ImportRegistrations(ctx context.Context, r io.Reader) (ImportReport, error) {
	list, err := readRegistrations(r, s.now().UTC())
	if err != nil {
		return ImportReport{}, err
	}
	added, updated, err := s.store.PutRegistrations(ctx, list)
	return ImportReport{Added: added, Updated: updated}, err
}

func readRegistrations(r io.Reader, now time.Time) ([]Registration, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var list []Registration
	emails, badges := map[string]int{}, map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, listError(pe.Line, "%v", pe.Err)
		}
		if err != nil {
			return nil, listError(line, "%v", err)
		}
		if len(list) == 0 && len(emails) == 0 && isHeader(rec) {
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, listError(line, "expected email, name and an optional badge id, got %d fields", len(rec))
		}
		email, err := NormalizeEmail(rec[0])
		if err != nil {
			return nil, listError(line, "email %q: %s", rec[0], messageOf(err))
		}
		name, err := NormalizeName(rec[1], email)
		if err != nil {
			return nil, listError(line, "name: %s", messageOf(err))
		}
		badge := ""
		if len(rec) == 3 {
			badge = strings.TrimSpace(rec[2])
		}
		if !utf8.ValidString(badge) || len(badge) > maxBadgeLen {
			return nil, listError(line, "badge id: use at most %d characters", maxBadgeLen)
		}
		if prev, dup := emails[email]; dup {
			return nil, listError(line, "%s is already on line %d", email, prev)
		}
		if prev, dup := badges[badge]; dup && badge != "" {
			return nil, listError(line, "badge id %q is already on line %d", badge, prev)
		}
		emails[email], badges[badge] = line, line
		if len(list) == maxRegistrations {
			return nil, listError(line, "a list holds at most %d attendees", maxRegistrations)
		}
		list = append(list, Registration{Email: email, Name: name, BadgeID: badge, Code: newCode(), CreatedAt: now})
	}
	if len(list) == 0 {
		return nil, invalidField("file", "the list has no attendees (one line per attendee: email, name, badge id)")
	}
	return list, nil
}

func isHeader(rec []string) bool {
	f := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(rec[0]), "-", ""))
	return f == "email" || f == "emailaddress" || f == "mail"
}

func listError(line int, format string, args ...any) error {
	e := invalidField("file", "line %d: %s", line, fmt.Sprintf(format, args...))
	return e
}

func messageOf(err error) string {
	var e *errcode.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// WriteRegistrationsCSV writes the list as CSV (email, name, badge id,
// code, claimed), for printing letters or a mail merge.
func WriteRegistrationsCSV(w io.Writer, list []Registration) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"email", "name", "badge id", "code", "claimed"})
	for _, r := range list {
		claimed := ""
		if r.UserID != "" {
			claimed = r.ClaimedAt.Format(time.RFC3339)
		}
		cw.Write([]string{csvSafe(r.Email), csvSafe(r.Name), csvSafe(r.BadgeID), r.Code, claimed})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// csvSafe keeps a spreadsheet from reading a field as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// signupLimiter bounds sign-ups: a token bucket per client address (IPv6:
// its /64) and one for everyone, so that one network cannot make
// attendees in bulk and a crowd of networks cannot either.
type signupLimiter struct{ k *ratelimit.Keyed }

func newSignupLimiter(perAddr, total SignupRate) *signupLimiter {
	return &signupLimiter{ratelimit.NewKeyed(perAddr, total)}
}

func (l *signupLimiter) allow(ip string, now time.Time) error {
	wait, total := l.k.Take(addrOf(ip), now)
	switch {
	case wait == 0:
		return nil
	case total:
		return retryLater(errcode.RateLimited, wait, "too many sign-ups right now; try again in %s", roundWait(wait))
	}
	return retryLater(errcode.RateLimited, wait, "too many sign-ups from your network; try again in %s", roundWait(wait))
}
