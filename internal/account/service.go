package account

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"sync"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/ratelimit"
)

// Options tune a Service; zero values take the defaults.
type Options struct {
	// Now is the time source for token expiry and the sign-in throttle
	// (default time.Now). It is deliberately not the conference clock,
	// which --now may pin: security timeouts must keep running.
	Now func() time.Time
	// ConcurrentHashes bounds simultaneous argon2id hashes (default
	// 2×GOMAXPROCS); QueueWait is how long a sign-in waits for one
	// (default 2 s) before a 503.
	ConcurrentHashes int
	QueueWait        time.Duration
	// SessionTTL is a browser sign-in's life (default 14 days); APITokenTTL
	// an API token's (default 30 days).
	SessionTTL  time.Duration
	APITokenTTL time.Duration
	// CacheTTL is how long a resolved token is trusted without asking the
	// store again (default 5 s; negative disables the cache).
	CacheTTL time.Duration
	// SignupsPerAddress and Signups bound sign-ups per client address and
	// in total (defaults DefaultSignupsPerAddress and DefaultSignups).
	SignupsPerAddress, Signups SignupRate
}

// SignupRate is a sign-up bound: Burst at once, then one more per Every.
type SignupRate = ratelimit.Rate

// NewSignupRate returns a bound of burst sign-ups, then one per every.
func NewSignupRate(burst int, every time.Duration) SignupRate {
	return SignupRate{Burst: float64(burst), Every: every}
}

// The default sign-up bounds: 10 at once from one address, then one a
// minute (a venue's shared Wi-Fi still gets its people in); 100 at once
// from everywhere, then two a second.
var (
	DefaultSignupsPerAddress = NewSignupRate(10, time.Minute)
	DefaultSignups           = NewSignupRate(100, 500*time.Millisecond)
)

// Service is accounts' business logic: sign-up, sign-in, tokens,
// favourites and blocks, over a Store. It is safe for concurrent use.
type Service struct {
	store       Store
	hasher      *Hasher
	throttle    *Throttle
	cache       *tokenCache
	now         func() time.Time
	sessionTTL  time.Duration
	apiTokenTTL time.Duration
	devices     deviceKeys     // device.go
	signups     *signupLimiter // signup.go

	revokedMu sync.Mutex
	revoked   []func(TokenHash) // OnRevoke's listeners
}

// NewService returns the service over st.
func NewService(st Store, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = 14 * 24 * time.Hour
	}
	if opt.APITokenTTL <= 0 {
		opt.APITokenTTL = 30 * 24 * time.Hour
	}
	if opt.CacheTTL == 0 {
		opt.CacheTTL = 5 * time.Second
	}
	if opt.SignupsPerAddress.Burst == 0 {
		opt.SignupsPerAddress = DefaultSignupsPerAddress
	}
	if opt.Signups.Burst == 0 {
		opt.Signups = DefaultSignups
	}
	return &Service{
		store:       st,
		hasher:      NewHasher(opt.ConcurrentHashes, opt.QueueWait),
		throttle:    newThrottleFor(st, opt.Now),
		cache:       newTokenCache(opt.CacheTTL),
		now:         opt.Now,
		sessionTTL:  opt.SessionTTL,
		apiTokenTTL: opt.APITokenTTL,
		signups:     newSignupLimiter(opt.SignupsPerAddress, opt.Signups),
	}
}

// ThrottleStorer is an account Store that also keeps the sign-in
// throttle's counters, shared by every node on its database. The service
// uses them; on a Store without, they are in memory (one process).
type ThrottleStorer interface {
	ThrottleStore() ThrottleStore
}

func newThrottleFor(st Store, now func() time.Time) *Throttle {
	if ts, ok := st.(ThrottleStorer); ok {
		return NewThrottleOn(ts.ThrottleStore(), now)
	}
	return NewThrottle(now)
}

// Store returns the store the service works on.
func (s *Service) Store() Store { return s.store }

// Throttle returns the sign-in throttle, so callers can tune it.
func (s *Service) Throttle() *Throttle { return s.throttle }

// SessionTTL is how long a browser sign-in lasts (the cookie's Max-Age).
func (s *Service) SessionTTL() time.Duration { return s.sessionTTL }

// newID returns prefix + 20 random base32 characters (100 bits).
func newID(prefix string) string {
	var b [13]byte
	rand.Read(b[:])
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:20]
}

// NewUser checks and normalises the fields of a new account and returns it
// (not yet stored) with a fresh id.
func (s *Service) NewUser(email, name string, role Role) (User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	n, err := NormalizeName(name, e)
	if err != nil {
		return User{}, err
	}
	if !role.Valid() {
		return User{}, invalidField("role", "role must be attendee, organizer or admin")
	}
	return User{ID: newID("u_"), Email: e, Name: n, Role: role, CreatedAt: s.now().UTC()}, nil
}

// AddUser creates an account with a password (checked against the rules).
// It is what sign-up, the CLI and the demo use.
func (s *Service) AddUser(ctx context.Context, email, password, name string, role Role) (*User, error) {
	u, err := s.NewUser(email, name, role)
	if err != nil {
		return nil, err
	}
	if err := ValidatePassword(password, u.Email); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		if errcode.Is(err, errcode.Conflict) {
			return nil, conflictField("email", "an account with this email already exists; sign in instead")
		}
		return nil, err
	}
	return &u, nil
}

func conflictField(field, msg string) *errcode.Error {
	e := errcode.New(errcode.Conflict, "%s", msg)
	e.Details = FieldError{Field: field}
	return e
}

// errBadCredentials is deliberately the same for an unknown email and a
// wrong password.
func errBadCredentials() error {
	e := errcode.New(errcode.Unauthorized, "the email or password is wrong")
	e.Details = FieldError{Field: "password"}
	return e
}

// Login checks an email and password from client address ip and returns a
// new token of the kind asked for (SignIn without a device cookie).
func (s *Service) Login(ctx context.Context, email, password, ip string, kind TokenKind) (*User, string, error) {
	res, err := s.SignIn(ctx, SignIn{Email: email, Password: password, IP: ip}, kind)
	return res.User, res.Token, err
}

// SignIn is a sign-in attempt.
type SignIn struct {
	Email, Password string
	IP              string // the client's address
	// Device is the browser's device cookie, if it has one; WantDevice
	// asks for one on success (browsers; an API client has no use).
	Device     string
	WantDevice bool
}

// SignedIn is a successful sign-in: the user, the new token and, when
// asked for, the device cookie to keep.
type SignedIn struct {
	User   *User
	Token  string
	Device string
}

// SignIn checks an email and password and returns a new token of the kind
// asked for. Unknown emails cost the same hashing as known ones; repeated
// failures are throttled (errcode.RateLimited with a RetryAfter), where a
// device cookie this account got at an earlier sign-in keeps the browser
// out of the locks strangers caused (Throttle).
func (s *Service) SignIn(ctx context.Context, in SignIn, kind TokenKind) (SignedIn, error) {
	e, emailErr := NormalizeEmail(in.Email)
	if emailErr != nil {
		e = foldEmail(in.Email)
	}
	att := Attempt{Email: e, IP: in.IP}
	if in.Device != "" && emailErr == nil {
		att.Device = s.verifyDevice(ctx, e, in.Device)
	}
	// The throttle fails closed: when its store cannot be read or written
	// (errcode.Unavailable, 503), the sign-in is refused, never let
	// through uncounted.
	wait, err := s.throttle.Check(ctx, att)
	if err != nil {
		return SignedIn{}, err
	}
	if wait > 0 {
		return SignedIn{}, retryLater(errcode.RateLimited, wait,
			"too many wrong passwords; try again in %s", roundWait(wait))
	}
	var (
		u    User
		hash string
	)
	if emailErr == nil {
		u, hash, err = s.store.UserByEmail(ctx, e)
		if err != nil && !errcode.Is(err, errcode.NotFound) {
			return SignedIn{}, err
		}
	}
	// Verify even when there is no such user (hash == ""): the dummy hash
	// makes both cases take the same time.
	ok, err := s.hasher.Verify(ctx, hash, in.Password)
	if err != nil {
		return SignedIn{}, err
	}
	if !ok {
		if err := s.throttle.RecordFailure(ctx, att); err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, errBadCredentials()
	}
	// The right password: a failure to forget the count only leaves the
	// throttle stricter, so the sign-in goes on.
	_ = s.throttle.RecordSuccess(ctx, att)
	tok, err := s.IssueToken(ctx, u.ID, kind)
	if err != nil {
		return SignedIn{}, err
	}
	out := SignedIn{User: &u, Token: tok}
	if in.WantDevice {
		// Without a device cookie the browser is only throttled like a
		// stranger next time: not a reason to fail the sign-in.
		out.Device, _ = s.deviceCookie(ctx, e, att.Device)
	}
	return out, nil
}

func roundWait(d time.Duration) string {
	if d < time.Minute {
		return (d + time.Second - 1).Truncate(time.Second).String()
	}
	return (d + time.Minute - 1).Truncate(time.Minute).String()
}

// IssueToken stores and returns a new token for the user.
func (s *Service) IssueToken(ctx context.Context, userID string, kind TokenKind) (string, error) {
	ttl := s.apiTokenTTL
	if kind == SessionToken {
		ttl = s.sessionTTL
	} else if kind != APIToken {
		return "", errcode.New(errcode.Internal, "unknown token kind %q", kind)
	}
	tok, h := NewToken()
	now := s.now().UTC()
	if err := s.store.CreateToken(ctx, Token{Hash: h, UserID: userID, Kind: kind, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return "", err
	}
	return tok, nil
}

// Authenticate resolves a presented token (cookie or Bearer) to its user,
// or nil when it is unknown, malformed or expired. Errors are store
// failures only. The returned user is shared: do not modify it.
func (s *Service) Authenticate(ctx context.Context, token string) (*User, error) {
	if !wellFormedToken(token) {
		return nil, nil
	}
	h := HashToken(token)
	now := s.now()
	if u, ok := s.cache.get(h, now); ok {
		return u, nil
	}
	u, t, err := s.store.TokenUser(ctx, h)
	if errcode.Is(err, errcode.NotFound) {
		s.cache.put(h, nil, now, time.Time{})
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !now.Before(t.ExpiresAt) {
		s.cache.put(h, nil, now, time.Time{})
		return nil, nil
	}
	s.cache.put(h, &u, now, t.ExpiresAt)
	return &u, nil
}

// Logout revokes a token. Revoking an unknown token is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if !wellFormedToken(token) {
		return nil
	}
	h := HashToken(token)
	if err := s.store.DeleteToken(ctx, h); err != nil {
		return err
	}
	s.cache.drop(h)
	s.revokedMu.Lock()
	listeners := s.revoked
	s.revokedMu.Unlock()
	for _, f := range listeners {
		f(h)
	}
	return nil
}

// OnRevoke registers f to be told of every token signed out on this node
// (the live event streams opened with it end).
func (s *Service) OnRevoke(f func(TokenHash)) {
	s.revokedMu.Lock()
	s.revoked = append(s.revoked[:len(s.revoked):len(s.revoked)], f)
	s.revokedMu.Unlock()
}

// SweepExpired deletes expired tokens from the store.
func (s *Service) SweepExpired(ctx context.Context) (int64, error) {
	return s.store.DeleteExpiredTokens(ctx, s.now().UTC())
}
