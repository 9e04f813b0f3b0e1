package app

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDependencyRules checks the import rules of docs/architecture.md on
// every non-test file of the module: the domain never reaches storage,
// HTTP or the wiring; services do not pick a backend; nothing but main
// imports app.
func TestDependencyRules(t *testing.T) {
	const mod = "venuehop/internal/"
	domain := []string{"conference", "catalog", "travel", "planner", "reservation", "account", "live", "formats", "demo", "clock", "errcode", "notify"}
	surfaces := []string{"httpapi", "httpx", "web", "app", "loadtest", "config"}
	rules := []struct {
		pkgs   []string // package paths under internal/, with their subpackages
		forbid []string // import paths under internal/, with their subpackages
		why    string
	}{
		{domain, append([]string{"store", "agenda", "calfeed", "importer"}, surfaces...), "domain packages do no I/O of their own and know no surface"},
		{[]string{"agenda", "calfeed", "importer"}, append([]string{"store/sqlite", "store/postgres"}, surfaces...), "services work on the store contracts, never on a backend or a surface"},
		{[]string{"store"}, append([]string{"importer"}, surfaces...), "backends implement contracts; they know no surface"},
		{[]string{"reservation/seatstate"}, []string{"reservation"}, "the seat state decides nothing (reservation does)"},
		{[]string{""}, []string{"app"}, "app is wiring: only main imports it"},
	}
	under := func(pkg, prefix string) bool {
		return prefix == "" || pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
	}
	checked := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "../")))
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, im := range f.Imports {
			imp, _ := strconv.Unquote(im.Path.Value)
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			imp = strings.TrimPrefix(imp, mod)
			for _, r := range rules {
				for _, p := range r.pkgs {
					if !under(pkg, p) || (p == "" && pkg == "app") {
						continue
					}
					for _, f := range r.forbid {
						if under(imp, f) {
							t.Errorf("%s imports internal/%s: %s", path, imp, r.why)
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Errorf("checked only %d files: the walk no longer finds the module", checked)
	}
}
