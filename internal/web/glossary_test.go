package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// banned are phrasings docs/glossary.md replaces, with the words to use.
var banned = []struct{ re, use string }{
	{`(?i)reservation required`, "Needs a reservation"},
	{`(?i)\bno reservation\b`, "Needs a reservation, or walk-up"},
	{`(?i)walk-up only`, "walk-up"},
	{`(?i)seat reserved`, "your seat"},
	{`(?i)from the previous one`, "from your previous item"},
	{`sessions=ID,ID`, "the day's plan on /map"},
}

// TestPagesFollowTheGlossary greps the page templates and the pages' Go
// sources (their messages) for the phrasings the glossary replaced.
func TestPagesFollowTheGlossary(t *testing.T) {
	var files []string
	walk := func(dir, ext string) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ext) && !strings.HasSuffix(e.Name(), "_test.go") {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	walk("templates", ".html")
	walk(".", ".go")
	walk(filepath.Join("..", "agenda"), ".go")
	walk(filepath.Join("..", "planner"), ".go")
	if len(files) < 10 {
		t.Fatalf("only %d files to check", len(files))
	}
	for _, b := range banned {
		re := regexp.MustCompile(b.re)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "//") {
					continue // comments may name what they replace
				}
				if re.MatchString(line) {
					t.Errorf("%s:%d says %q; the glossary says %s", f, i+1, re.FindString(line), b.use)
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join("..", "..", "docs", "glossary.md")); err != nil {
		t.Errorf("the glossary the pages follow: %v", err)
	}
}
