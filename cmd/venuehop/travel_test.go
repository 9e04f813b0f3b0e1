package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"venuehop/internal/demo"
)

func demoDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	file, data := filepath.Join(dir, "demo.json"), filepath.Join(dir, "data")
	if code, _, stderr := venuehop(t, "demo", "-o", file, "--start", "2026-11-30"); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	if code, _, stderr := venuehop(t, "import", file, "--data", data); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	return data
}

// firstRoom is a room of a demo venue (the demo's rooms do not depend on
// the start date).
func firstRoom(t *testing.T, venue string) string {
	t.Helper()
	c, err := demo.Generate(demo.Options{Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Rooms {
		if r.VenueID == venue {
			return r.ID
		}
	}
	t.Fatalf("no room at %s", venue)
	return ""
}

func TestTravelCommand(t *testing.T) {
	data := demoDataDir(t)
	venetian, mandalay := firstRoom(t, demo.VenueVenetian), firstRoom(t, demo.VenueMandalayBay)
	cell := regexp.MustCompile(`\b\d+[wsm]\b`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // each must appear
		stderr string
		check  func(t *testing.T, stdout string)
	}{
		{name: "table off-peak", args: []string{"--at", "2026-12-01T14:00:00-08:00"}, code: 0,
			stdout: []string{"venetian", "mandalay-bay", "leaving Tue 1 Dec 2026 14:00 PST", "w walk, s shuttle"},
			check: func(t *testing.T, out string) {
				// Five rows of four trips each, with the mode's initial.
				if n := len(cell.FindAllString(out, -1)); n != 20 {
					t.Errorf("%d cells like 23w, want 20:\n%s", n, out)
				}
				row := rowOf(out, "venetian")
				if !strings.Contains(row, "12w") {
					t.Errorf("Venetian -> Caesars Forum door to door: row %q, want 12w (894 m)", row)
				}
			}},
		{name: "table at a time without offset", args: []string{"--at", "2026-12-01T08:00"}, code: 0,
			stdout: []string{"leaving Tue 1 Dec 2026 08:00 PST"}},
		{name: "a trip across the Strip", args: []string{"--at", "2026-12-01T14:00:00-08:00", "--from", venetian, "--to", mandalay}, code: 0,
			stdout: []string{"by shuttle", "wait", "shuttle", "inside", "Mandalay Bay"}},
		{name: "same room", args: []string{"--at", "2026-12-01T14:00:00-08:00", "--from", venetian, "--to", venetian}, code: 0,
			stdout: []string{"0 min", "Same room"}},
		{name: "no --at", args: nil, code: 2, stderr: "--at is required"},
		{name: "bad --at", args: []string{"--at", "noon"}, code: 2, stderr: "RFC 3339"},
		{name: "--from without --to", args: []string{"--at", "2026-12-01T14:00:00-08:00", "--from", venetian}, code: 2, stderr: "go together"},
		{name: "a stray argument", args: []string{"--at", "2026-12-01T14:00:00-08:00", "extra"}, code: 2, stderr: "unexpected argument"},
		{name: "unknown room", args: []string{"--at", "2026-12-01T14:00:00-08:00", "--from", "nowhere", "--to", mandalay}, code: 1, stderr: `unknown room "nowhere"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"travel", "--data", data}, tt.args...)
			code, stdout, stderr := venuehop(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if tt.stderr != "" && (!strings.Contains(stderr, tt.stderr) || strings.Count(stderr, "\n") > 2) {
				t.Errorf("stderr %q, want one sentence with %q", stderr, tt.stderr)
			}
			if tt.check != nil {
				tt.check(t, stdout)
			}
		})
	}
}

// rowOf returns the table row that starts with a venue id.
func rowOf(out, venue string) string {
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 0 && f[0] == venue {
			return line
		}
	}
	return ""
}

func TestTravelWithoutStore(t *testing.T) {
	code, _, stderr := venuehop(t, "travel", "--at", "2026-12-01T14:00:00-08:00", "--data", t.TempDir())
	if code != 1 || stderr == "" {
		t.Errorf("exit %d, stderr %q: want 1 and a sentence", code, stderr)
	}
}
