package sqlite

import (
	"context"
	"database/sql"
	"embed"

	"venuehop/internal/errcode"
	"venuehop/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema change (store.LoadMigrations).
type migration = store.Migration

func loadMigrations() ([]migration, error) {
	return store.LoadMigrations(migrationFiles, "migrations")
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
	latest := list[len(list)-1].Version
	if current > latest {
		return errcode.New(errcode.Invalid,
			"%s: database schema version %d is newer than this venuehop (max %d); upgrade venuehop", path, current, latest)
	}
	for _, m := range list[current:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return errcode.Wrap(errcode.Internal, err, "%s: applying migration %s", path, m.Name)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
			m.Version); err != nil {
			return errcode.Wrap(errcode.Internal, err, "%s: recording migration %s", path, m.Name)
		}
	}
	if err := tx.Commit(); err != nil {
		return openErr(err, path)
	}
	return nil
}
