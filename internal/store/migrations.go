package store

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migration is one embedded schema change, numbered by its file name
// (0001_init.sql is version 1). Each backend embeds its own SQL files.
type Migration struct {
	Version int64
	Name    string
	SQL     string
}

// LoadMigrations reads the *.sql files of dir in fsys in version order.
// Versions must run 1, 2, 3, ... without gaps, so that "the schema version"
// is one number a newer binary can compare against.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var list []Migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", e.Name())
		}
		body, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		list = append(list, Migration{Version: v, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
	for i, m := range list {
		if m.Version != int64(i+1) {
			return nil, fmt.Errorf("migration %s: expected version %d", m.Name, i+1)
		}
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return list, nil
}
