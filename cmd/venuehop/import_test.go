package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"venuehop/internal/app"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/formats"
	"venuehop/internal/store/sqlite"
)

// TestReimportOnStoreWithReservations runs `venuehop import` on a store a
// server left behind with reservations: the moved session keeps its seat,
// the removed one's is cancelled, in the store, and check still passes.
func TestReimportOnStoreWithReservations(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ctx := context.Background()

	// A server's store: the demo (a week ahead, so that nothing has lapsed
	// by the system clock the command uses) and one attendee's seats.
	cfg := config.Defaults()
	cfg.DataDir = data
	start := time.Now().UTC().AddDate(0, 0, 7)
	for start.Weekday() != time.Monday {
		start = start.AddDate(0, 0, 1)
	}
	cfg.DemoStart = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	snap := a.Snapshot()
	var moved, removed *conference.Session
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if !s.Reservable || !s.Scheduled() || s.Cancelled {
			continue
		}
		if moved == nil {
			if roomFree(snap, s, time.Hour) {
				moved = s
			}
		} else if !conference.Overlaps(s.Start, s.End, moved.Start, moved.End) {
			removed = s
			break
		}
	}
	ans, err := a.Seats().Reserve(ctx, "u-cli", []string{moved.ID, removed.ID}, "")
	if err != nil || ans.Results[0].Status != "reserved" || ans.Results[1].Status != "reserved" {
		t.Fatalf("reserve: %v %+v", err, ans.Results)
	}
	c := *snap.Conf
	a.Close()

	// The new schedule: one reserved session an hour later, the other gone.
	c.Sessions = nil
	for _, s := range snap.Conf.Sessions {
		switch s.ID {
		case moved.ID:
			s.Start, s.End = s.Start.Add(time.Hour), s.End.Add(time.Hour)
		case removed.ID:
			continue
		}
		c.Sessions = append(c.Sessions, s)
	}
	var buf bytes.Buffer
	if err := formats.WriteNative(&buf, &c); err != nil {
		t.Fatal(err)
	}
	file := writeTemp(t, dir, "new.json", buf.String())

	tests := []struct {
		name       string
		args       []string
		want       []string
		cancelled  bool
		revisionUp bool
	}{
		{"dry run", []string{"--dry-run"}, []string{"would import", "(0 added, 1 changed, 1 removed)",
			"seats: 1 reservations cancelled", "1 reservations of moved sessions kept", "removed   " + removed.ID, "moved     " + moved.ID}, false, false},
		{"import", nil, []string{"imported", "(0 added, 1 changed, 1 removed)", "seats: 1 reservations cancelled", "stored as revision 2"}, true, true},
		{"again: nothing left to do", nil, []string{"(0 added, 0 changed, 0 removed)"}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := venuehop(t, append([]string{"import", file, "--data", data}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
			st, err := sqlite.Open(ctx, data)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			res, err := st.AttendeeReservations(ctx, "u-cli")
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]string{}
			for _, r := range res {
				status[r.SessionID] = string(r.Status)
			}
			wantRemoved := "active"
			if tc.cancelled {
				wantRemoved = "session_cancelled"
			}
			if status[moved.ID] != "active" || status[removed.ID] != wantRemoved {
				t.Errorf("reservations %v", status)
			}
			_, rev, _ := st.LoadConference(ctx)
			if (rev > 1) != tc.revisionUp {
				t.Errorf("revision %d", rev)
			}
		})
	}
	if code, stdout, stderr := venuehop(t, "check", "--data", data); code != 0 {
		t.Errorf("check after the re-import: %s %s", stdout, stderr)
	}

	// The stored conference keeps its id when a CSV (which names none) is
	// imported over it.
	out := filepath.Join(dir, "out.csv")
	if code, _, stderr := venuehop(t, "export", "--format", "csv", "-o", out, "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	// (CSV has no column for keynotes' overflow rooms: those few change.)
	if code, stdout, stderr := venuehop(t, "import", out, "--data", data); code != 0 || !strings.Contains(stdout, "(0 added, ") || !strings.Contains(stdout, " 0 removed)") {
		t.Fatalf("CSV re-import: %d %s %s", code, stdout, stderr)
	}
	jsonOut := filepath.Join(dir, "after.json")
	venuehop(t, "export", "--format", "json", "-o", jsonOut, "--data", data)
	b, _ := os.ReadFile(jsonOut)
	var after struct{ ID, Name string }
	json.Unmarshal(b, &after)
	if after.ID != c.ID || after.Name != c.Name {
		t.Errorf("the CSV re-import renamed the conference to %q %q", after.ID, after.Name)
	}
}

// roomFree reports whether s's room is free for s shifted by d.
func roomFree(snap *conference.Snapshot, s *conference.Session, d time.Duration) bool {
	for i := range snap.Conf.Sessions {
		o := &snap.Conf.Sessions[i]
		if o.ID != s.ID && o.RoomID == s.RoomID && conference.Overlaps(o.Start, o.End, s.Start.Add(d), s.End.Add(d)) {
			return false
		}
	}
	return true
}

// A re-import that drops stored model parts or removes every session is
// refused without its confirmation flag, and changes nothing; the dry run
// names each dropped item.
func TestImportConfirmations(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	demoFile := filepath.Join(dir, "demo.json")
	for _, args := range [][]string{{"demo", "-o", demoFile, "--start", "2026-11-30"}, {"import", demoFile, "--data", data}} {
		if code, _, stderr := venuehop(t, args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	csvFile := filepath.Join(dir, "export.csv")
	if code, _, stderr := venuehop(t, "export", "--format", "csv", "-o", csvFile, "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	raw, _ := os.ReadFile(csvFile)
	lines := strings.Split(string(raw), "\r\n")
	var noMGM, renamed []string
	for i, l := range lines {
		if i == 0 || !strings.Contains(l, ",mgm-grand,") {
			noMGM = append(noMGM, l)
		}
		if i > 0 && l != "" {
			l = "x" + l // every id changes
		}
		renamed = append(renamed, l)
	}
	dropFile := writeTemp(t, dir, "no-mgm.csv", strings.Join(noMGM, "\r\n"))
	allFile := writeTemp(t, dir, "renamed.csv", strings.Join(renamed, "\r\n"))
	revision := func() string {
		_, out, _ := venuehop(t, "import", demoFile, "--data", data, "--dry-run")
		return out
	}
	before := revision()

	code, stdout, stderr := venuehop(t, "import", dropFile, "--data", data, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "dropped: travel model: entrance") || !strings.Contains(stdout, "needs confirmation (--confirm)") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, tc := range []struct {
		file, flag string
	}{{dropFile, "--confirm"}, {allFile, "--allow-remove-all"}} {
		code, _, stderr := venuehop(t, "import", tc.file, "--data", data)
		if code != 1 || !strings.Contains(stderr, "nothing was applied") || !strings.Contains(stderr, "run again with "+tc.flag) {
			t.Errorf("%s without %s: exit %d, stderr %q", tc.file, tc.flag, code, stderr)
		}
		if revision() != before {
			t.Fatal("a refused import changed the store")
		}
	}
	if code, _, stderr := venuehop(t, "import", allFile, "--data", data, "--confirm"); code != 1 || !strings.Contains(stderr, "--allow-remove-all") {
		t.Errorf("--confirm alone removed every session: exit %d %s", code, stderr)
	}
	if code, stdout, stderr := venuehop(t, "import", dropFile, "--data", data, "--confirm"); code != 0 || !strings.Contains(stdout, "stored as revision 2") {
		t.Errorf("--confirm: exit %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := venuehop(t, "check", "--data", data); code != 0 {
		t.Errorf("check: %s", stderr)
	}
}
