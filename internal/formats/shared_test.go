package formats

import (
	"os"
	"path/filepath"
	"testing"

	"venuehop/internal/conference"
)

// sharedData returns the path of a file under the shared test data folder
// (a "shared/data" beside an ancestor of the working directory, i.e.
// ../shared/data from the repository). Without it the test is skipped, or
// fails when VENUEHOP_TEST_STRICT=1.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	if dir, ok := sharedDataDir(); ok {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(p); err == nil {
			return p
		}
		missing(t, "shared test data file "+p+" is missing")
	}
	missing(t, "no shared/data folder beside the repository (../shared/data)")
	return ""
}

func sharedDataDir() (string, bool) {
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

// missing skips the test for an absent optional tool or file, or fails it
// in strict mode (CI).
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("VENUEHOP_TEST_STRICT") == "1" {
		t.Fatal(why + " (VENUEHOP_TEST_STRICT=1)")
	}
	t.Skip(why)
}

// readShared imports a shared data file.
func readShared(t testing.TB, rel string, opt ReadOptions) (*conference.Conference, []conference.Problem, error) {
	t.Helper()
	path := sharedData(t, rel)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opt.Name == "" {
		opt.Name = filepath.Base(path)
	}
	return Read(f, opt)
}
