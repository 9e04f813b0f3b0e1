package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"venuehop/internal/errcode"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema change, numbered by its file name
// (0001_init.sql is version 1).
type migration struct {
	version int64
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations in version order. Versions
// must run 1, 2, 3, ... without gaps so "the schema version" is one number.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		list = append(list, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	for i, m := range list {
		if m.version != int64(i+1) {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return list, nil
}

// migrate brings the database up to the newest embedded schema. All pending
// migrations run in one IMMEDIATE transaction (the writer's _txlock), so a
// failure leaves the previous schema intact and two processes opening the
// same new directory do not both apply them.
func migrate(ctx context.Context, write *sql.DB, path string, list []migration) error {
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		return openErr(err, path)
	}
	defer tx.Rollback()

	var hasTable int
	if err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&hasTable); err != nil {
		return openErr(err, path)
	}
	if hasTable == 0 {
		// A database with tables but no migration record belongs to some
		// other program; adding ours to it would mix two applications' data.
		var foreign int
		if err := tx.QueryRowContext(ctx,
			`SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`).Scan(&foreign); err != nil {
			return openErr(err, path)
		}
		if foreign > 0 {
			return errcode.New(errcode.Invalid, "%s is an SQLite database but not a venuehop one (it has no schema_migrations table); use an empty data directory", path)
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at TEXT NOT NULL
		) STRICT`); err != nil {
			return openErr(err, path)
		}
	}

	var current int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return openErr(err, path)
	}
	latest := list[len(list)-1].version
	if current > latest {
		return errcode.New(errcode.Invalid,
			"%s: database schema version %d is newer than this venuehop (max %d); upgrade venuehop", path, current, latest)
	}
	for _, m := range list[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return errcode.Wrap(errcode.Internal, err, "%s: applying migration %s", path, m.name)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
			m.version); err != nil {
			return errcode.Wrap(errcode.Internal, err, "%s: recording migration %s", path, m.name)
		}
	}
	if err := tx.Commit(); err != nil {
		return openErr(err, path)
	}
	return nil
}
