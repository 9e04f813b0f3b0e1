package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const stripSchedule = `type,title,abstract,date,startTime,endTime,room
Breakout session,Queues at scale,Why.,2026-12-01,09:00,10:00,Venetian | Level 2 | Hall B
Workshop,Build a thing,How.,2026-12-02,11:00,13:00,Wynn | Level 1 | Lafite 1
Chalk talk,Going away,Bye.,2026-12-02,15:00,16:00,Caesars Forum | Level 1 | Forum 101
Chalk talk,South end,Far.,2026-12-02,16:00,17:00,Mandalay Bay | Level 2 South | Lagoon F
Breakout session,Grand,Big.,2026-12-03,13:00,14:00,MGM | Level 1 | Room 118
`

// The organizer's way with packs on the command line: the dry run
// proposes the Strip pack, --venues las-vegas-strip applies it, a walk is
// corrected, a timetable sets the hours, and each keeps the others.
func TestPackCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	csv := filepath.Join(dir, "reinvent.csv")
	os.WriteFile(csv, []byte(stripSchedule), 0o600)
	hours := filepath.Join(dir, "hours.csv")
	os.WriteFile(hours, []byte("line,stops,days,from,to,headway\nshuttle-wynn-mandalay-bay,,Tue-Wed,07:00,11:00,15\n"), 0o600)

	steps := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"list", []string{"pack", "list"}, 0, []string{"las-vegas-strip", "ulb-solbosch", "caesars-palace"}, ""},
		{"a dry run proposes", []string{"import", csv, "--timezone", "America/Los_Angeles", "--data", data, "--dry-run"}, 0,
			[]string{"proposed venue pack: las-vegas-strip", "knows 5 of 5 venues", "venuehop import " + csv + " --venues las-vegas-strip"}, ""},
		{"import with the pack", []string{"import", csv, "--timezone", "America/Los_Angeles", "--data", data, "--venues", "las-vegas-strip"}, 0,
			[]string{"venue pack las-vegas-strip: 5 of the file's venues, 5 rooms", "stored as revision 1"}, ""},
		{"the shuttle runs", []string{"travel", "--data", data, "--at", "2026-12-02T14:00"}, 0, []string{"mandalay-bay", "s "}, ""},
		{"correct a walk", []string{"travel", "correct", "venetian", "wynn", "17", "--data", data}, 0,
			[]string{"walk venetian – wynn: 17 min, both ways", "venetian – wynn", "21 min walk", "→ 17 min walk", "stored as revision 2"}, ""},
		{"a timetable, dry run", []string{"timetable", hours, "--dry-run", "--data", data}, 0,
			[]string{"shuttle-wynn-mandalay-bay", "2026-12-01 07:00–11:00, 2026-12-02 07:00–11:00", "dry run: nothing was changed"}, ""},
		{"the timetable", []string{"timetable", hours, "--data", data}, 0, []string{"stored as revision 3"}, ""},
		{"the pack again keeps the correction", []string{"pack", "apply", "las-vegas-strip", "--data", data}, 0,
			[]string{"1 walk corrections kept", "stored as revision 4"}, ""},
		{"remove the correction", []string{"travel", "correct", "wynn", "venetian", "--remove", "--data", data}, 0,
			[]string{"removed (was 17 min)"}, ""},
		{"nothing to remove", []string{"travel", "correct", "wynn", "venetian", "--remove", "--data", data}, 1, nil, "no walk correction between"},
		{"an unknown venue", []string{"travel", "correct", "wynn", "atlantis", "9", "--data", data}, 1, nil, `no venue with id "atlantis"`},
		{"minutes that are none", []string{"travel", "correct", "wynn", "venetian", "soon", "--data", data}, 2, nil, "MINUTES: expected a whole number"},
		{"an unknown pack", []string{"pack", "apply", "atlantis", "--data", data}, 1, nil, "no shipped venue pack \"atlantis\""},
		{"the campus pack does not fit", []string{"pack", "apply", "ulb-solbosch", "--dry-run", "--data", data}, 1, nil, "knows none of the conference's venues"},
		{"no subcommand", []string{"pack"}, 2, nil, "expected a subcommand"},
		{"a timetable that is not one", []string{"timetable", csv, "--data", data}, 1, nil, "expected the columns Date,Time,Event,Location"},
	}
	for _, s := range steps {
		code, stdout, stderr := venuehop(t, s.args...)
		if code != s.code {
			t.Fatalf("%s: exit %d, want %d\nstdout %s\nstderr %s", s.name, code, s.code, stdout, stderr)
		}
		for _, want := range s.stdout {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: stdout lacks %q:\n%s", s.name, want, stdout)
			}
		}
		if !strings.Contains(stderr, s.stderr) {
			t.Errorf("%s: stderr lacks %q:\n%s", s.name, s.stderr, stderr)
		}
	}
}

// --venues still takes a venue map, told from a pack by its content; a
// pack file is checked, every problem located.
func TestVenuesFileKinds(t *testing.T) {
	dir := t.TempDir()
	fosdem := "../../docs/fosdem-venues.json"
	sched := filepath.Join(dir, "fosdem.csv")
	os.WriteFile(sched, []byte("title,date,startTime,endTime,room\nTalk,2026-01-31,10:00,10:30,K.1.105\nOther,2026-01-31,11:00,11:30,H.1301\n"), 0o600)
	code, stdout, stderr := venuehop(t, "import", sched, "--timezone", "Europe/Brussels", "--venues", fosdem, "--data", filepath.Join(dir, "a"))
	if code != 0 || strings.Contains(stdout, "venue pack ulb") || !strings.Contains(stdout, "proposed venue pack: ulb-solbosch") {
		t.Errorf("import with the venue map: %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = venuehop(t, "import", sched, "--timezone", "Europe/Brussels", "--venues", "ulb-solbosch", "--data", filepath.Join(dir, "b"))
	if code != 0 || !strings.Contains(stdout, "venue pack ulb-solbosch: 2 of the file's venues, 2 rooms") {
		t.Errorf("import with the campus pack: %d\n%s\n%s", code, stdout, stderr)
	}
	own := filepath.Join(dir, "campus.json")
	if code, _, stderr := venuehop(t, "pack", "show", "ulb-solbosch", "-o", own); code != 0 {
		t.Fatalf("pack show: %s", stderr)
	}
	if code, stdout, _ := venuehop(t, "pack", "check", own); code != 0 || !strings.Contains(stdout, "ok: venue pack ulb-solbosch") {
		t.Errorf("pack check of the shipped pack: %d %s", code, stdout)
	}
	raw, _ := os.ReadFile(own)
	broken := strings.Replace(strings.Replace(string(raw), `"toId": "h"`, `"toId": "zz"`, 1), `"walkSpeed": 1.4`, `"walkSpeed": 9`, 1)
	os.WriteFile(own, []byte(broken), 0o600)
	code, _, stderr = venuehop(t, "pack", "check", own)
	if code != 1 || !strings.Contains(stderr, "walkSpeed: expected a walking speed") || !strings.Contains(stderr, `toId: expected the id of an entrance, got "zz"`) {
		t.Errorf("pack check of a broken pack: %d\n%s", code, stderr)
	}
	if code, _, stderr := venuehop(t, "pack", "check", fosdem); code != 1 || !strings.Contains(stderr, "is a venue map") {
		t.Errorf("pack check of a venue map: %d %s", code, stderr)
	}
}
