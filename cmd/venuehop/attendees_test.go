package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttendeesCommand: the organizer's CLI sets the sign-up mode,
// imports the attendee list (all or nothing, a bad line named) and lists
// it with the codes.
func TestAttendeesCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(good, []byte("email,name,badge id\nada@example.com,Ada Lovelace,B-1\ngrace@example.com,Grace Hopper,B-2\n"), 0o644)
	os.WriteFile(bad, []byte("alan@example.com,Alan\nthis is not an address,Nobody\n"), 0o644)
	out := filepath.Join(dir, "codes.csv")
	steps := []struct {
		args   []string
		code   int
		stdout string // a part of it
		stderr string
	}{
		{[]string{"attendees", "mode"}, 0, "sign-up: open", ""},
		{[]string{"attendees", "mode", "registered"}, 0, "sign-up: registered", ""},
		{[]string{"attendees", "mode"}, 0, "sign-up: registered", ""},
		{[]string{"attendees", "mode", "sometimes"}, 2, "", "expected open or registered"},
		{[]string{"attendees", "import", bad}, 1, "", "line 2: email"},
		{[]string{"attendees", "import", good}, 0, "2 attendees added, 0 updated", ""},
		{[]string{"attendees", "import", good}, 0, "0 attendees added, 2 updated", ""},
		{[]string{"attendees", "import", filepath.Join(dir, "missing.csv")}, 1, "", "cannot read"},
		{[]string{"attendees", "import"}, 2, "", "expected the CSV file"},
		{[]string{"attendees", "list", "-o", out}, 0, "", ""},
		{[]string{"attendees", "delete"}, 2, "", "unknown subcommand"},
		{[]string{"attendees"}, 2, "", "expected import, list or mode"},
	}
	for _, st := range steps {
		code, stdout, stderr := venuehop(t, append(st.args, "--data", data)...)
		if code != st.code || !strings.Contains(stdout, st.stdout) || !strings.Contains(stderr, st.stderr) {
			t.Fatalf("venuehop %s: exit %d, stdout %q, stderr %q; want exit %d with %q / %q",
				strings.Join(st.args, " "), code, stdout, stderr, st.code, st.stdout, st.stderr)
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][3] != "code" || rows[1][0] != "ada@example.com" || len(rows[1][3]) != 11 {
		t.Errorf("the list: %q, %v", rows, err)
	}
}
