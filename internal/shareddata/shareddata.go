// Package shareddata finds the real third-party schedules and venue data
// tests run on: a folder "shared/data" beside the repository or one of its
// ancestors. Without it a test is skipped, or fails when
// VENUEHOP_TEST_STRICT=1 (CI).
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the path of rel (slash-separated) under the shared data
// folder, or skips (fails, in strict mode) the test when it is missing.
// In -short mode it skips: those tests are long sweeps over real files.
func Path(t testing.TB, rel string) string {
	t.Helper()
	if testing.Short() {
		// CI's race pass runs with -short: the real schedules are read by
		// one goroutine, and the full pass before it reads every one.
		t.Skip("real-data test: runs without -short")
	}
	dir, ok := Dir()
	if !ok {
		Missing(t, "no shared/data folder beside the repository (../shared/data)")
		return ""
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		Missing(t, "shared test data file "+p+" is missing")
	}
	return p
}

// Dir returns the shared data folder; ok is false when there is none.
func Dir() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		cand := filepath.Join(dir, "shared", "data")
		if fi, err := os.Stat(cand); err == nil && fi.IsDir() {
			return cand, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Missing skips the test for an absent optional tool or file, or fails it
// in strict mode (CI).
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("VENUEHOP_TEST_STRICT") == "1" {
		t.Fatal(why + " (VENUEHOP_TEST_STRICT=1)")
	}
	t.Skip(why)
}
