package postgres

import (
	"context"
	"embed"

	"github.com/jackc/pgx/v5"

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

// migrate brings the schema up to the newest embedded version in one
// transaction (PostgreSQL's DDL is transactional: a failed migration leaves
// the previous schema). The schema_migrations table is locked for the
// transaction, so several nodes starting at once apply each migration once;
// the others wait, then find nothing to do.
func (s *Store) migrate(ctx context.Context) error {
	latest := s.migrations[len(s.migrations)-1].Version
	// Two nodes creating schema_migrations at the same instant: one of the
	// CREATEs fails on the catalog's unique index; the next attempt sees
	// the table and waits on its lock instead.
	var err error
	for range 3 {
		err = s.inTx(ctx, "migrating the schema", pgx.TxOptions{}, func(tx pgx.Tx) error {
			return s.migrateTx(ctx, tx, latest)
		})
		if !isUnique(err) && sqlState(err) != "42P07" {
			return err
		}
	}
	return err
}

func (s *Store) migrateTx(ctx context.Context, tx pgx.Tx, latest int64) error {
	var schema *string
	if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	if schema == nil {
		return errcode.New(errcode.Invalid, "%s: the search_path names no existing schema; create it first (CREATE SCHEMA ...)", s.where)
	}
	var hasTable, foreign int
	if err := tx.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE table_name = 'schema_migrations'),
			count(*) FILTER (WHERE table_name <> 'schema_migrations')
		FROM information_schema.tables WHERE table_schema = $1`, *schema).Scan(&hasTable, &foreign); err != nil {
		return err
	}
	if hasTable == 0 && foreign > 0 {
		// Someone else's tables: adding ours would mix two applications.
		return errcode.New(errcode.Invalid, "%s: schema %s has tables but no schema_migrations table, so it is not venuehop's; use an empty schema (search_path=...)", s.where, *schema)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    BIGINT      PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE schema_migrations IN EXCLUSIVE MODE`); err != nil {
		return err
	}
	var current int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	if current > latest {
		return errcode.New(errcode.Invalid,
			"%s: database schema version %d is newer than this venuehop (max %d); upgrade venuehop", s.where, current, latest)
	}
	for _, m := range s.migrations[current:] {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return errcode.Wrap(errcode.Internal, err, "%s: applying migration %s", s.where, m.Name)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
			return errcode.Wrap(errcode.Internal, err, "%s: recording migration %s", s.where, m.Name)
		}
	}
	return nil
}
