package agenda

import (
	"testing"
	"time"

	"venuehop/internal/errcode"
)

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		who   string
		at    time.Duration
		wantE bool
	}{
		{"first", "ada", 0, false},
		{"second", "ada", 0, false},
		{"third", "ada", 0, false},
		{"over the quota", "ada", time.Second, true},
		{"someone else is not limited", "bob", time.Second, false},
		{"a token back after 20 s", "ada", 21 * time.Second, false},
		{"and spent again", "ada", 22 * time.Second, true},
	}
	l := newLimiter(3, time.Minute)
	for _, tc := range tests {
		err := l.take(tc.who, t0.Add(tc.at))
		if (err != nil) != tc.wantE {
			t.Fatalf("%s: err %v", tc.name, err)
		}
		if err != nil && !errcode.Is(err, errcode.RateLimited) {
			t.Errorf("%s: %v is not rate_limited", tc.name, err)
		}
	}
}
