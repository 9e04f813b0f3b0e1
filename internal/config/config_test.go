package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	c := Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.ServeFlags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestFlagsAndEnvironment(t *testing.T) {
	now := time.Date(2026, 12, 1, 18, 5, 0, 0, time.UTC)
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(Config) bool
		err   string
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return c.Addr == ":8080" && c.DataDir == "./venuehop-data" && c.Demo && c.Commit == "group" && c.Now.IsZero()
		}, ""},
		{"environment", map[string]string{"VENUEHOP_ADDR": ":9000", "VENUEHOP_DATA": "/tmp/x", "VENUEHOP_DEMO": "false", "VENUEHOP_NOW": "2026-12-01T10:05:00-08:00"}, nil,
			func(c Config) bool { return c.Addr == ":9000" && c.DataDir == "/tmp/x" && !c.Demo && c.Now.Equal(now) }, ""},
		{"a flag wins over the environment", map[string]string{"VENUEHOP_ADDR": ":9000", "VENUEHOP_NOW": "2026-12-01T10:05:00-08:00"},
			[]string{"--addr", ":9100", "--now", "2026-12-02T10:05:00-08:00"},
			func(c Config) bool { return c.Addr == ":9100" && c.Now.Equal(now.Add(24*time.Hour)) }, ""},
		{"bad time flag", nil, []string{"--now", "tomorrow"}, nil, "RFC 3339"},
		{"bad commit", nil, []string{"--commit", "sometimes"}, nil, "--commit must be group or per-request"},
		{"push contact", map[string]string{"VENUEHOP_PUSH_CONTACT": "mailto:ops@example.org"}, nil,
			func(c Config) bool { return c.PushContact == "mailto:ops@example.org" }, ""},
		{"bad push contact", nil, []string{"--push-contact", "ops@example.org"}, nil, "--push-contact must be mailto:"},
		{"bad db url hides the password", nil, []string{"--db", "mysql://u:secret@h/db"}, nil, "--db must be a postgres:// URL"},
		{"bad boolean in the environment", map[string]string{"VENUEHOP_DEMO": "maybe"}, nil, nil, "VENUEHOP_DEMO: expected true or false"},
		{"bad time in the environment", map[string]string{"VENUEHOP_NOW": "noon"}, nil, nil, "VENUEHOP_NOW: expected an RFC 3339 instant"},
		{"bad log level", map[string]string{"VENUEHOP_LOG_LEVEL": "loud"}, nil, nil, "--log-level"},
		{"stream and anonymous limits", map[string]string{"VENUEHOP_MAX_STREAMS": "500", "VENUEHOP_ANONYMOUS_STREAM_TIMEOUT": "2m", "VENUEHOP_ANONYMOUS_RATE": "2.5"},
			[]string{"--streams-per-attendee", "2", "--streams-per-address", "3", "--anonymous-burst", "9"},
			func(c Config) bool {
				return c.Streams == StreamLimits{Max: 500, PerAttendee: 2, PerAddress: 3, AnonymousMaxAge: 2 * time.Minute} &&
					c.AnonymousRate == 2.5 && c.AnonymousBurst == 9
			}, ""},
		{"stream defaults", nil, nil, func(c Config) bool {
			return c.Streams.Max == 0 && c.Streams.PerAttendee > 0 && c.Streams.PerAddress > 0 && c.Streams.AnonymousMaxAge > 0 && c.AnonymousRate > 0
		}, ""},
		{"bad stream number in the environment", map[string]string{"VENUEHOP_MAX_STREAMS": "lots"}, nil, nil, "VENUEHOP_MAX_STREAMS: expected a whole number"},
		{"bad duration in the environment", map[string]string{"VENUEHOP_ANONYMOUS_STREAM_TIMEOUT": "soon"}, nil, nil, "VENUEHOP_ANONYMOUS_STREAM_TIMEOUT: expected a duration"},
		{"no streams per attendee", nil, []string{"--streams-per-attendee", "0"}, nil, "--streams-per-attendee must be at least 1"},
		{"negative stream total", nil, []string{"--max-streams", "-1"}, nil, "--max-streams must be 0"},
		{"negative anonymous rate", nil, []string{"--anonymous-rate", "-1"}, nil, "--anonymous-rate must be 0"},
		{"metrics on its own listener", map[string]string{"VENUEHOP_METRICS_TOKEN": "t0ken"}, []string{"--metrics-addr", "127.0.0.1:9100"},
			func(c Config) bool { return c.MetricsAddr == "127.0.0.1:9100" && c.MetricsToken == "t0ken" }, ""},
		{"metrics on the same address", nil, []string{"--addr", ":9000", "--metrics-addr", ":9000"}, nil, "--metrics-addr must differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(t, tt.env, tt.args...)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("config %+v", c)
			}
		})
	}
}
