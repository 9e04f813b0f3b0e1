package formats

import (
	"os"
	"path/filepath"
	"testing"

	"venuehop/internal/conference"
	"venuehop/internal/shareddata"
)

// sharedData, sharedDataDir and missing are the shared data helpers
// (internal/shareddata) under the names these tests use.
func sharedData(t testing.TB, rel string) string { t.Helper(); return shareddata.Path(t, rel) }

func sharedDataDir() (string, bool) { return shareddata.Dir() }

func missing(t testing.TB, why string) { t.Helper(); shareddata.Missing(t, why) }

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
