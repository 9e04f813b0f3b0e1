package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"venuehop/internal/errcode"
)

// failingThrottleStore is the memory store with one of its operations
// failing, as a database would.
type failingThrottleStore struct {
	*MemoryThrottleStore
	failEntries, failFail, failForget bool
}

var errDown = errors.New("the database is down") // uncoded: the throttle makes it a 503

func (f *failingThrottleStore) Entries(ctx context.Context, keys ...string) (map[string]ThrottleEntry, error) {
	if f.failEntries {
		return nil, errDown
	}
	return f.MemoryThrottleStore.Entries(ctx, keys...)
}

func (f *failingThrottleStore) Fail(ctx context.Context, key string, now time.Time, forget time.Duration, lock func(int) time.Duration) (ThrottleEntry, error) {
	if f.failFail {
		return ThrottleEntry{}, errDown
	}
	return f.MemoryThrottleStore.Fail(ctx, key, now, forget, lock)
}

func (f *failingThrottleStore) Forget(ctx context.Context, key string) error {
	if f.failForget {
		return errDown
	}
	return f.MemoryThrottleStore.Forget(ctx, key)
}

// oneUserStore is an account Store with one user and room for tokens,
// which offers its throttle store as a database backend does.
type oneUserStore struct {
	Store // the methods the tests do not use: nil
	user  User
	hash  string
	th    ThrottleStore
}

func (s *oneUserStore) UserByEmail(_ context.Context, email string) (User, string, error) {
	if email != s.user.Email {
		return User{}, "", errcode.New(errcode.NotFound, "no such user")
	}
	return s.user, s.hash, nil
}

func (s *oneUserStore) CreateToken(context.Context, Token) error { return nil }
func (s *oneUserStore) ThrottleStore() ThrottleStore             { return s.th }

// TestLoginFailsClosed: when the throttle's store fails, sign-ins that it
// would have to count are refused with 503, never let through uncounted.
func TestLoginFailsClosed(t *testing.T) {
	const email, pw = "ada@example.com", "correct horse battery"
	h, err := NewHasher(1, time.Minute).Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		broken   failingThrottleStore
		password string
		want     errcode.Code // "" for a success
	}{
		{"healthy, wrong password", failingThrottleStore{}, "a guess", errcode.Unauthorized},
		{"healthy, right password", failingThrottleStore{}, pw, ""},
		{"lock unreadable, wrong password", failingThrottleStore{failEntries: true}, "a guess", errcode.Unavailable},
		{"lock unreadable, right password", failingThrottleStore{failEntries: true}, pw, errcode.Unavailable},
		{"failure not recorded", failingThrottleStore{failFail: true}, "a guess", errcode.Unavailable},
		// Not forgetting the count only leaves the throttle stricter.
		{"success not recorded", failingThrottleStore{failForget: true}, pw, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := tt.broken
			th.MemoryThrottleStore = NewMemoryThrottleStore()
			st := &oneUserStore{user: User{ID: "u_1", Email: email, Role: Attendee}, hash: h, th: &th}
			svc := NewService(st, Options{})
			_, _, err := svc.Login(context.Background(), email, tt.password, "192.0.2.1", APIToken)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Login: %v, want success", err)
			case tt.want != "" && !errcode.Is(err, tt.want):
				t.Errorf("Login: %v, want %s", err, tt.want)
			}
			if tt.want == errcode.Unavailable && !errors.Is(err, errDown) {
				t.Errorf("the store's error is not the cause: %v", err)
			}
		})
	}
}

// settingsOnly is an account Store that keeps settings (for the device
// key) and nothing else.
type settingsOnly struct {
	Store
	m map[string]string
}

func (s *settingsOnly) InitSetting(_ context.Context, name, value string) (string, error) {
	if v, ok := s.m[name]; ok {
		return v, nil
	}
	s.m[name] = value
	return value, nil
}

// TestDeviceCookies: a device cookie is verified for the account it was
// made for only, and any change to it makes it nothing.
func TestDeviceCookies(t *testing.T) {
	ctx := context.Background()
	svc := NewService(&settingsOnly{m: map[string]string{}}, Options{})
	cookie, err := svc.deviceCookie(ctx, "ada@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	id := svc.verifyDevice(ctx, "ada@example.com", cookie)
	if id == "" {
		t.Fatalf("the cookie %q is not verified for its own account", cookie)
	}
	// Signing in again on that browser keeps its id.
	again, _ := svc.deviceCookie(ctx, "ada@example.com", id)
	if again != cookie {
		t.Errorf("a second cookie for the same device: %q, want %q", again, cookie)
	}
	other := NewService(&settingsOnly{m: map[string]string{}}, Options{})
	flip := []byte(cookie)
	flip[len(flip)-1] ^= 1
	for name, tt := range map[string]struct {
		svc           *Service
		email, cookie string
	}{
		"another account":    {svc, "eve@example.com", cookie},
		"another server key": {other, "ada@example.com", cookie},
		"a changed mac":      {svc, "ada@example.com", string(flip)},
		"another id":         {svc, "ada@example.com", "v1.AAAA" + cookie[7:]},
		"another version":    {svc, "ada@example.com", "v2" + cookie[2:]},
		"no mac":             {svc, "ada@example.com", "v1." + id},
		"empty":              {svc, "ada@example.com", ""},
	} {
		if got := tt.svc.verifyDevice(ctx, tt.email, tt.cookie); got != "" {
			t.Errorf("%s: verified as device %q", name, got)
		}
	}
}
