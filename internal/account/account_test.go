package account

import (
	"context"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/errcode"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string // want "" = invalid
	}{
		{"ada@example.com", "ada@example.com"},
		{"  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"},
		{"a+tag@sub.example.org", "a+tag@sub.example.org"},
		// Look-alikes collide: compatibility forms and case folding.
		{"ａｄａ@ｅｘａｍｐｌｅ．ｃｏｍ", "ada@example.com"},
		{"ＡＤＡ@example.com", "ada@example.com"},
		{"\u3000ada@example.com\u3000", "ada@example.com"},
		{"ﬁona@example.com", "fiona@example.com"},
		{"STRASSE@example.com", "strasse@example.com"},
		{"straße@example.com", "strasse@example.com"},
		{"ada@ⅹ.example.com", "ada@x.example.com"},
		{"", ""},
		{"ada", ""},
		{"ada@", ""},
		{"@example.com", ""},
		{"ada@localhost", ""},
		{"ada@example.com.", ""},
		{"a@b@example.com", ""},
		{"Ada <ada@example.com>", ""},
		{"ada lovelace@example.com", ""},
		{"ada@exa mple.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"a@" + strings.Repeat("b", 250) + ".com", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if tt.want == "" {
			if err == nil || FieldOf(err) != "email" || !errcode.Is(err, errcode.Invalid) {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want an invalid email error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"correct horse battery", true},
		{"0123456789", true},
		{"ünïcødé-ok", true}, // 10 characters, more bytes
		{"short", false},
		{"123456789", false},
		{strings.Repeat("x", 128), true},
		{strings.Repeat("x", 129), false},
		{"ada.lovelace@example.com", false},
		{"ADA.LOVELACE@EXAMPLE.COM", false},
		{"ada.lovelace", false},
		{"bad\xffutf8-pw", false},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.pw, "ada.lovelace@example.com")
		if (err == nil) != tt.ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
		}
		if err != nil && FieldOf(err) != "password" {
			t.Errorf("ValidatePassword(%q): field %q, want password", tt.pw, FieldOf(err))
		}
		if err != nil && strings.Contains(err.Error(), tt.pw) {
			t.Errorf("the error repeats the password: %v", err)
		}
	}
}

func TestGeneratePasswordPassesTheRules(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p := GeneratePassword()
		if err := ValidatePassword(p, "x@example.com"); err != nil || len(p) != 23 || seen[p] {
			t.Fatalf("GeneratePassword() = %q: %v (or a repeat)", p, err)
		}
		seen[p] = true
	}
}

func TestHashAndVerify(t *testing.T) {
	h := NewHasher(2, time.Second)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(enc, "horse") {
		t.Fatalf("encoded hash %q", enc)
	}
	other, _ := h.Hash(ctx, "correct horse battery")
	if other == enc {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, encoded, pw string
		want              bool
	}{
		{"right password", enc, "correct horse battery", true},
		{"wrong password", enc, "correct horse battery!", false},
		{"empty password", enc, "", false},
		{"no hash (unknown user)", "", "correct horse battery", false},
		{"garbage hash", "$argon2id$v=19$m=x", "correct horse battery", false},
		{"absurd memory", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "x", false},
		{"bcrypt hash", "$2a$10$abcdefghijklmnopqrstuv", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.Verify(ctx, tt.encoded, tt.pw)
			if err != nil || got != tt.want {
				t.Errorf("Verify = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestHasherShedsLoadWhenFull(t *testing.T) {
	h := NewHasher(1, 20*time.Millisecond)
	h.slots <- struct{}{} // a hash in progress that never ends
	_, err := h.Hash(context.Background(), "correct horse battery")
	var ra RetryAfter
	if !errcode.Is(err, errcode.Unavailable) || !detailsAs(err, &ra) || ra.Seconds < 1 {
		t.Errorf("Hash with no free slot: %v, want unavailable with a retry-after", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Verify(ctx, "", "x"); !errcode.Is(err, errcode.Unavailable) {
		t.Errorf("Verify with a cancelled context: %v, want unavailable", err)
	}
}

func detailsAs(err error, ra *RetryAfter) bool {
	e, ok := err.(*errcode.Error)
	if !ok {
		return false
	}
	*ra, ok = e.Details.(RetryAfter)
	return ok
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewThrottle(func() time.Time { return now })
	const email, ip = "ada@example.com", "192.0.2.1"
	at := Attempt{Email: email, IP: ip}
	for i := range th.FreePerPair - 1 {
		th.Fail(at)
		if w := th.Wait(at); w != 0 {
			t.Fatalf("locked after %d failures", i+1)
		}
	}
	// From the allowance on, each failure doubles the lock.
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		th.Fail(at)
		if w := th.Wait(at); w != want {
			t.Errorf("failure %d: wait %v, want %v", th.FreePerPair+i, w, want)
		}
	}
	if w := th.Wait(Attempt{Email: email, IP: "198.51.100.7"}); w != 0 {
		t.Errorf("the account from another address waits %v", w)
	}
	now = now.Add(8 * time.Second)
	if w := th.Wait(at); w != 0 {
		t.Errorf("still locked after the lock ran out: %v", w)
	}
	th.Succeed(at)
	th.Fail(at)
	if w := th.Wait(at); w != 0 {
		t.Errorf("a success did not reset the count of the account from that address: wait %v", w)
	}
	// Many emails from one address lock the address.
	th2 := NewThrottle(func() time.Time { return now })
	for i := range th2.FreePerIP + 1 {
		th2.Fail(Attempt{Email: strings.Repeat("x", i+1) + "@example.com", IP: "2001:db8::1"})
	}
	if w := th2.Wait(Attempt{Email: "fresh@example.com", IP: "2001:db8::ffff"}); w == 0 {
		t.Error("an address spraying emails is not locked (IPv6 /64)")
	}
	// Locks are capped: the doubling ones at MaxLock, the account's far
	// higher and slower one at MaxAccountLock.
	th3 := NewThrottle(func() time.Time { return now })
	for range 200 {
		th3.Fail(Attempt{Email: email, IP: ip})
	}
	if w := th3.Wait(at); w != th3.MaxLock {
		t.Errorf("lock after 200 failures = %v, want the cap %v", w, th3.MaxLock)
	}
	if w := th3.Wait(Attempt{Email: email, IP: "198.51.100.8"}); w != th3.MaxAccountLock {
		t.Errorf("the account after 200 failures waits %v elsewhere, want the cap %v", w, th3.MaxAccountLock)
	}
	if w := th3.Wait(Attempt{Email: email, IP: ip, Device: "d1"}); w != 0 {
		t.Errorf("a known device waits %v", w)
	}
}

func TestTokensAndCSRF(t *testing.T) {
	tok, h := NewToken()
	if len(tok) != 43 || !wellFormedToken(tok) || HashToken(tok) != h {
		t.Fatalf("token %q", tok)
	}
	other, _ := NewToken()
	for _, bad := range []string{"", "short", tok + "x", strings.Repeat("!", 43)} {
		if wellFormedToken(bad) {
			t.Errorf("wellFormedToken(%q) = true", bad)
		}
	}
	csrf := CSRFToken(tok)
	tests := []struct {
		secret, presented string
		want              bool
	}{
		{tok, csrf, true},
		{other, csrf, false},
		{tok, "", false},
		{"", CSRFToken(""), false},
		{tok, csrf[:len(csrf)-1], false},
		{tok, tok, false},
	}
	for _, tt := range tests {
		if got := ValidCSRF(tt.secret, tt.presented); got != tt.want {
			t.Errorf("ValidCSRF(%.8s…, %q) = %v, want %v", tt.secret, tt.presented, got, tt.want)
		}
	}
}

func demoSnapshot(t testing.TB) *conference.Snapshot {
	t.Helper()
	c, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestCheckBlock(t *testing.T) {
	snap := demoSnapshot(t)
	// Demo days: Mon 30 Nov .. Thu 3 Dec 2026, America/Los_Angeles (UTC-8).
	tests := []struct {
		name  string
		in    BlockInput
		field string // "" = valid
	}{
		{"local times", BlockInput{Title: "Lunch", Start: "2026-12-01T12:00", End: "2026-12-01T13:00"}, ""},
		{"with offset and venue", BlockInput{Title: "Meeting", Start: "2026-12-01T12:00:00-08:00", End: "2026-12-01T21:00:00Z", VenueID: "wynn"}, ""},
		{"the day before", BlockInput{Title: "Arrive", Start: "2026-11-29T00:00", End: "2026-11-29T08:00"}, ""},
		{"the day after", BlockInput{Title: "Fly home", Start: "2026-12-04T15:00", End: "2026-12-04T23:59"}, ""},
		{"16 hours", BlockInput{Title: "Long", Start: "2026-12-01T06:00", End: "2026-12-01T22:00"}, ""},
		{"no title", BlockInput{Title: "  ", Start: "2026-12-01T12:00", End: "2026-12-01T13:00"}, "title"},
		{"long title", BlockInput{Title: strings.Repeat("é", 201), Start: "2026-12-01T12:00", End: "2026-12-01T13:00"}, "title"},
		{"bad start", BlockInput{Title: "x", Start: "noon", End: "2026-12-01T13:00"}, "start"},
		{"bad end", BlockInput{Title: "x", Start: "2026-12-01T12:00", End: "1pm"}, "end"},
		{"end before start", BlockInput{Title: "x", Start: "2026-12-01T13:00", End: "2026-12-01T12:00"}, "end"},
		{"zero length", BlockInput{Title: "x", Start: "2026-12-01T13:00", End: "2026-12-01T13:00"}, "end"},
		{"over 16 hours", BlockInput{Title: "x", Start: "2026-12-01T06:00", End: "2026-12-01T22:01"}, "end"},
		{"two days before", BlockInput{Title: "x", Start: "2026-11-28T23:00", End: "2026-11-29T01:00"}, "start"},
		{"two days after", BlockInput{Title: "x", Start: "2026-12-04T23:00", End: "2026-12-05T01:00"}, "start"},
		{"absurd year", BlockInput{Title: "x", Start: "9999-12-01T12:00", End: "9999-12-01T13:00"}, "start"},
		{"unknown venue", BlockInput{Title: "x", Start: "2026-12-01T12:00", End: "2026-12-01T13:00", VenueID: "atlantis"}, "venueId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := CheckBlock(snap, tt.in)
			if tt.field == "" {
				if err != nil || !b.End.After(b.Start) || b.Start.Location() != time.UTC {
					t.Errorf("CheckBlock = %+v, %v", b, err)
				}
				return
			}
			if FieldOf(err) != tt.field || httpStatusIs422(err) == false {
				t.Errorf("CheckBlock: %v (field %q), want a 422 about %s", err, FieldOf(err), tt.field)
			}
		})
	}
}

func httpStatusIs422(err error) bool {
	e, ok := err.(*errcode.Error)
	return ok && e.Code == errcode.Invalid && e.Unprocessable
}

func TestParsePriority(t *testing.T) {
	for in, want := range map[string]Priority{"must": Must, " Want ": Want, "MAYBE": Maybe, "": "", "high": "", "none": ""} {
		got, err := ParsePriority(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ParsePriority(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// BenchmarkHash is one argon2id hash at OWASP's parameters: the CPU cost of
// one sign-in or sign-up.
func BenchmarkHash(b *testing.B) {
	h := NewHasher(1, time.Minute)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
