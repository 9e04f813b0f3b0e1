package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/app"
	"venuehop/internal/config"
)

func TestUserAdd(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	generated := regexp.MustCompile(`password: (\S+)`)
	tests := []struct {
		name     string
		args     []string
		stdin    string
		code     int    // exit status
		out      string // in stdout (exit 0) or stderr
		role     account.Role
		password string // "" = the generated one
	}{
		{"generated password", []string{"add", "Org@Example.com", "--role", "organizer", "--name", "Olu O", "--data", data}, "", 0, "added organizer org@example.com (Olu O", account.Organizer, ""},
		{"password from stdin", []string{"user", "add", "ada@example.com", "--role", "attendee", "--password-stdin", "--data", data}[1:], "correct horse battery\n", 0, "added attendee ada@example.com", account.Attendee, "correct horse battery"},
		{"duplicate", []string{"add", "ada@example.com", "--role", "admin", "--data", data}, "", 1, "already exists", "", ""},
		{"weak stdin password", []string{"add", "bob@example.com", "--role", "admin", "--password-stdin", "--data", data}, "short\n", 1, "password: use at least 10 characters", "", ""},
		{"no role", []string{"add", "bob@example.com", "--data", data}, "", 2, "--role must be", "", ""},
		{"bad role", []string{"add", "bob@example.com", "--role", "root", "--data", data}, "", 2, "--role must be", "", ""},
		{"bad email", []string{"add", "bob", "--role", "admin", "--data", data}, "", 2, "email", "", ""},
		{"no subcommand", []string{"bob@example.com", "--role", "admin"}, "", 2, "subcommand add", "", ""},
		{"two emails", []string{"add", "a@example.com", "b@example.com", "--role", "admin"}, "", 2, "exactly one EMAIL", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runUserWith(context.Background(), tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			code := 0
			if err != nil {
				code = 1
				if _, ok := err.(usageError); ok {
					code = 2
				}
			}
			msg := stdout.String()
			if err != nil {
				msg = err.Error()
			}
			if code != tt.code || !strings.Contains(msg, tt.out) {
				t.Fatalf("exit %d (want %d), message %q lacks %q", code, tt.code, msg, tt.out)
			}
			if code != 0 {
				return
			}
			pw := tt.password
			if pw == "" {
				m := generated.FindStringSubmatch(stdout.String())
				if m == nil {
					t.Fatalf("no generated password printed: %q", stdout.String())
				}
				pw = m[1]
			} else if strings.Contains(stdout.String(), pw) {
				t.Error("a password given on stdin was printed")
			}
			email := strings.ToLower(tt.args[1])
			cfg := config.Defaults()
			cfg.DataDir = data
			st, err := app.OpenStore(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			as, _ := app.AccountStore(st)
			u, _, err := account.NewService(as, account.Options{}).Login(context.Background(), email, pw, "127.0.0.1", account.APIToken)
			if err != nil || u.Role != tt.role {
				t.Errorf("sign-in with the new account: %+v, %v", u, err)
			}
		})
	}
}

func TestUserThroughRun(t *testing.T) {
	code, _, stderr := venuehop(t, "user", "add", "x@example.com")
	if code != 2 || !strings.Contains(stderr, "--role") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
