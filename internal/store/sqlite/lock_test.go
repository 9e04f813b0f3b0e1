package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

func TestLockDirOneHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	l, err := LockDir(dir, "venuehop serve")
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockDir(dir, "venuehop import")
	want := fmt.Sprintf("in use by venuehop serve (pid %d)", os.Getpid())
	if !errcode.Is(err, errcode.Conflict) || !strings.Contains(err.Error(), want) {
		t.Fatalf("second lock: %v, want a conflict naming %q", err, want)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := LockDir(dir, "venuehop import")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.Release()
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := OpenReadOnly(ctx, dir); !errcode.Is(err, errcode.NotFound) {
		t.Fatalf("no store: %v, want not found", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("a read-only open created the data directory")
	}
	w, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := &conference.Conference{Format: conference.FormatVersion, ID: "c", Name: "C", TimeZone: "UTC", Days: []string{"2026-01-01"}}
	if _, err := w.SaveConference(ctx, c, 0); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, rev, err := r.LoadConference(ctx)
	if err != nil || rev != 1 || got.ID != "c" {
		t.Fatalf("read-only load: %v %d %v", got, rev, err)
	}
	if _, err := r.SaveConference(ctx, c, 1); err == nil {
		t.Fatal("a read-only store saved a revision")
	}
	if _, rev, _ := w.LoadConference(ctx); rev != 1 {
		t.Fatalf("revision %d after a refused write", rev)
	}
}
