package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/config"
)

// TestMetricsAreNotPublic: on the public listener /metrics needs an
// admin's token or the metrics token (401 without, 403 for others); with
// --metrics-addr it is on that listener only (404 on the public one).
func TestMetricsAreNotPublic(t *testing.T) {
	const metricsToken = "a-long-random-scrape-token"
	a, srv := newAppWith(t, func(c *config.Config) { c.MetricsToken = metricsToken })
	tokens := demoTokens(t, a, srv.URL)
	tests := []struct {
		name, token string
		status      int
	}{
		{"anonymous", "", 401},
		{"a wrong token", "not-the-token", 401},
		{"an attendee", tokens[account.Attendee], 403},
		{"an organizer", tokens[account.Organizer], 403},
		{"an admin", tokens[account.Admin], 200},
		{"the metrics token", metricsToken, 200},
	}
	for _, tt := range tests {
		st, _, body := call(t, nil, "GET", srv.URL+"/metrics", tt.token, nil)
		if st != tt.status || (st == 200) != strings.Contains(string(body), "process_resident_memory_bytes") {
			t.Errorf("%s: %d %.200s, want %d", tt.name, st, body, tt.status)
		}
	}

	// Its own listener.
	cfg := config.Defaults()
	cfg.Addr, cfg.MetricsAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.DemoStart = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	b, err := New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	admin := demoTokens(t, b, strings.TrimSuffix(b.URL(), "/"))[account.Admin]
	if st, _, _ := call(t, nil, "GET", b.URL()+"metrics", admin, nil); st != 404 {
		t.Errorf("the public listener with --metrics-addr: %d, want 404", st)
	}
	resp, err := http.Get(b.MetricsURL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "venuehop_http_requests_total") {
		t.Errorf("the metrics listener: %d %.200s", resp.StatusCode, body)
	}
}
