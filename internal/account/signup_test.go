package account

import (
	"strings"
	"testing"
	"time"

	"venuehop/internal/errcode"
)

func TestReadRegistrations(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, file string
		want       int    // attendees read
		err        string // "" = none
	}{
		{"with a header", "email,name,badge id\nada@example.com,Ada,B-1\ngrace@example.com,Grace,B-2\n", 2, ""},
		{"without a header, no badge", "ada@example.com,Ada\n", 1, ""},
		{"an E-mail header", "E-mail,Name,Badge\nada@example.com,Ada,\n", 1, ""},
		{"blank lines", "\nada@example.com,Ada,B-1\n\n", 1, ""},
		{"quoted fields", "\"ada@example.com\",\"Lovelace, Ada\",\"B 1\"\n", 1, ""},
		{"a bad address", "ada@example.com,Ada\nnot-an-address,Bad\n", 0, "line 2: email"},
		{"too many fields", "ada@example.com,Ada,B-1,extra\n", 0, "line 1: expected email, name"},
		{"one field", "ada@example.com\n", 0, "line 1: expected email, name"},
		{"the same address twice", "ada@example.com,Ada\nADA@example.com,Ada again\n", 0, "line 2: ada@example.com is already on line 1"},
		{"a look-alike twice", "ada@example.com,Ada\nａｄａ@example.com,Ada again\n", 0, "already on line 1"},
		{"a badge twice", "ada@example.com,Ada,B-1\ngrace@example.com,Grace,B-1\n", 0, "line 2: badge id"},
		{"a long badge", "ada@example.com,Ada," + strings.Repeat("b", 65) + "\n", 0, "line 1: badge id"},
		{"a long name", "ada@example.com," + strings.Repeat("n", 101) + "\n", 0, "line 1: name"},
		{"a broken quote", "ada@example.com,\"Ada\n", 0, "line 1"},
		{"empty", "", 0, "no attendees"},
		{"only a header", "email,name,badge id\n", 0, "no attendees"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := readRegistrations(strings.NewReader(tt.file), now)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errcode.Is(err, errcode.Invalid) {
					t.Fatalf("err %v, want an invalid error with %q", err, tt.err)
				}
				return
			}
			if err != nil || len(list) != tt.want {
				t.Fatalf("read %d, %v; want %d", len(list), err, tt.want)
			}
			for _, r := range list {
				if normalizeCode(r.Code) != r.Code || !r.CreatedAt.Equal(now) || r.Email != strings.ToLower(r.Email) {
					t.Errorf("registration %+v", r)
				}
			}
		})
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := newCode()
		if len(c) != 11 || c[5] != '-' || normalizeCode(c) != c || seen[c] {
			t.Fatalf("newCode() = %q (or a repeat)", c)
		}
		seen[c] = true
	}
	for in, want := range map[string]string{
		"k7qmz-3xtpa": "k7qmz-3xtpa", "K7QMZ3XTPA": "k7qmz-3xtpa", " k7qmz 3xtpa ": "k7qmz-3xtpa",
		"k7qmz-3xtp": "", "k7qmz-3xtpaa": "", "k7qmz-3xtp1": "", "": "", "k7qmz-3xtp!": "",
	} {
		if got := normalizeCode(in); got != want {
			t.Errorf("normalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSignupLimiter: a burst per address, then one per interval; the
// total bounds every address together, and a refusal by the total does
// not use up the address's share.
func TestSignupLimiter(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	l := newSignupLimiter(NewSignupRate(3, time.Minute), NewSignupRate(5, time.Second))
	for i := range 3 {
		if err := l.allow("192.0.2.1", now); err != nil {
			t.Fatalf("sign-up %d: %v", i+1, err)
		}
	}
	err := l.allow("192.0.2.1", now)
	e, _ := err.(*errcode.Error)
	if !errcode.Is(err, errcode.RateLimited) || e.Details.(RetryAfter).Seconds != 60 {
		t.Fatalf("a fourth at once: %v, want rate_limited for a minute", err)
	}
	if err := l.allow("2001:db8::1", now); err != nil {
		t.Fatal(err)
	}
	if err := l.allow("2001:db8::2", now); err != nil { // the same /64, its second
		t.Fatal(err)
	}
	if err := l.allow("198.51.100.1", now); !errcode.Is(err, errcode.RateLimited) {
		t.Fatalf("a sixth from anywhere at once: %v, want the total's limit", err)
	}
	now = now.Add(time.Minute)
	if err := l.allow("192.0.2.1", now); err != nil {
		t.Errorf("a minute later: %v", err)
	}
	if err := l.allow("198.51.100.1", now); err != nil {
		t.Errorf("the address the total refused, later: %v", err)
	}
}
