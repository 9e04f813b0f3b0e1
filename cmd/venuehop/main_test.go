package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"venuehop/internal/errcode"
)

func venuehop(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// Every command's --help prints its usage once, and its usage line names
// exactly the flags the command has.
func TestHelpOnEveryCommand(t *testing.T) {
	flagRE := regexp.MustCompile(`(?:^|[\s\[|])--?([a-z][a-z0-9-]*)`)
	defRE := regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`)
	// Subcommands with flags of their own print their own usage.
	subcommands := []string{"travel correct", "pack list", "pack show", "pack check", "pack apply"}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	for _, name := range append(names, subcommands...) {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := venuehop(t, append(strings.Fields(name), "--help")...)
			if code != 0 || !strings.Contains(stderr, "Usage: venuehop "+name) || stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			if n := strings.Count(stderr, "Usage:"); n != 1 {
				t.Errorf("the usage is printed %d times:\n%s", n, stderr)
			}
			line, _, _ := strings.Cut(stderr, "\n\nFlags:")
			inLine := map[string]bool{}
			for _, m := range flagRE.FindAllStringSubmatch(line, -1) {
				inLine[m[1]] = true
			}
			defined := map[string]bool{}
			for _, m := range defRE.FindAllStringSubmatch(stderr, -1) {
				defined[m[1]] = true
				if !inLine[m[1]] {
					t.Errorf("flag --%s is not in the usage line %q", m[1], line)
				}
			}
			for f := range inLine {
				if !defined[f] && f != "help" {
					t.Errorf("the usage line %q names --%s, which the command does not have", line, f)
				}
			}
		})
	}
}

// A coded error whose message quotes its cause is printed with the cause
// once.
func TestErrorCausePrintedOnce(t *testing.T) {
	cause := errors.New("disk on fire")
	err := fmt.Errorf("loading: %w", errcode.Wrap(errcode.Invalid, cause, "cannot read x.csv: %v", cause))
	if got := errorText(err); got != "loading: cannot read x.csv: disk on fire" {
		t.Errorf("errorText = %q", got)
	}
	plain := errcode.Wrap(errcode.Unavailable, cause, "cannot open database x")
	if got := errorText(plain); got != "cannot open database x: disk on fire" {
		t.Errorf("errorText = %q: the cause must be kept when the message lacks it", got)
	}
	dir := t.TempDir()
	code, _, stderr := venuehop(t, "import", filepath.Join(dir, "gone.csv"), "--data", filepath.Join(dir, "data"))
	if code != 1 || strings.Count(stderr, "no such file or directory") != 1 {
		t.Errorf("exit %d, stderr %q: want the cause once", code, stderr)
	}
}

func TestBadUsageExits2(t *testing.T) {
	tests := [][]string{
		{},
		{"frobnicate"},
		{"serve", "--no-such-flag"},
		{"serve", "--now", "yesterday"},
		{"serve", "--commit", "sometimes"},
		{"import"},
		{"import", "a.json", "--format", "yaml"},
		{"import", "a.json", "--timezone", "Mars/Olympus"},
		{"export"},
		{"demo", "--start", "2026-12-02"},
		{"demo", "--start", "soon"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := venuehop(t, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", code, stderr)
			}
			if strings.Contains(stderr, "goroutine") || stderr == "" {
				t.Errorf("stderr %q: want one clear message", stderr)
			}
		})
	}
}

func TestDemoImportExportCheck(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	demoFile := filepath.Join(dir, "demo.json")

	if code, _, stderr := venuehop(t, "demo", "-o", demoFile, "--start", "2026-11-30"); code != 0 {
		t.Fatalf("demo: %d %s", code, stderr)
	}
	code, stdout, stderr := venuehop(t, "import", demoFile, "--data", data, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "would import") {
		t.Fatalf("dry run: %d %q %q", code, stdout, stderr)
	}
	if code, _, _ := venuehop(t, "export", "--format", "json", "--data", data); code != 1 {
		t.Errorf("export after a dry run found a conference (exit %d): the dry run stored something", code)
	}
	code, stdout, stderr = venuehop(t, "import", demoFile, "--data", data)
	if code != 0 || !strings.Contains(stdout, "added") {
		t.Fatalf("import: %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = venuehop(t, "import", demoFile, "--data", data)
	if code != 0 || !strings.Contains(stdout, "(0 added, 0 changed, 0 removed)") {
		t.Errorf("re-import of the same file: %q", stdout)
	}
	if code, stdout, stderr := venuehop(t, "check", "--data", data); code != 0 || !strings.Contains(stdout, "ok") {
		t.Errorf("check: %d %q %q", code, stdout, stderr)
	}
	exported := filepath.Join(dir, "out.json")
	if code, _, stderr := venuehop(t, "export", "--format", "json", "-o", exported, "--data", data); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	a, _ := os.ReadFile(demoFile)
	b, _ := os.ReadFile(exported)
	if !bytes.Equal(a, b) {
		t.Error("export differs from the imported file")
	}

	// A broken file: every problem named, exit 1, the store unchanged.
	broken := filepath.Join(dir, "broken.json")
	text := strings.Replace(string(a), `"capacity": `, `"capacity": "x", "oops": `, 2)
	text = strings.Replace(text, `"timeZone": "America/Los_Angeles"`, `"timeZone": "Nowhere/Land"`, 1)
	os.WriteFile(broken, []byte(text), 0o600)
	code, _, stderr = venuehop(t, "import", broken, "--data", data)
	if code != 1 {
		t.Fatalf("broken import exit %d", code)
	}
	for _, want := range []string{"broken.json", "rooms[0].capacity: expected an integer", "rooms[1].oops: unknown field", "timeZone: expected an IANA time zone"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%.1500s", want, stderr)
		}
	}
	after := filepath.Join(dir, "after.json")
	venuehop(t, "export", "--format", "json", "-o", after, "--data", data)
	c, _ := os.ReadFile(after)
	if !bytes.Equal(a, c) {
		t.Error("a rejected import changed the store")
	}

	for _, args := range [][]string{
		{"import", filepath.Join(dir, "missing.json"), "--data", data},
		{"import", dir, "--data", data},
	} {
		if code, _, stderr := venuehop(t, args...); code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q: want 1 and one line", args, code, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := venuehop(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "venuehop ") {
		t.Errorf("version: %d %q", code, stdout)
	}
}
