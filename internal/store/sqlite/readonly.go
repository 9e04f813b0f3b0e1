package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"venuehop/internal/errcode"
)

// OpenReadOnly opens the store in dir for reading only, for the commands
// that never write (export, check, ...): it takes no lock, so it works
// beside a running server, creates nothing (a missing store is an error),
// and never migrates (a schema older or newer than this binary's is an
// error naming what to do). Every connection is query_only, so a write
// through it fails instead of competing with the store's writer.
func OpenReadOnly(ctx context.Context, dir string) (*Store, error) {
	if dir == "" {
		return nil, errcode.New(errcode.Invalid, "data directory is not set")
	}
	list, err := loadMigrations()
	if err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "embedded migrations are broken")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errcode.Wrap(errcode.Invalid, err, "data directory %s", dir)
	}
	path := filepath.Join(abs, FileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, errcode.New(errcode.NotFound, "%s holds no venuehop store (%s is missing); import a conference first (venuehop import FILE)", abs, FileName)
	} else if err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot open database %s", path)
	}
	read, err := openPool(ctx, path, readOnlyParams(), max(2, runtime.GOMAXPROCS(0)))
	if err != nil {
		return nil, err
	}
	if err := schemaCurrent(ctx, read, path, list[len(list)-1].Version); err != nil {
		read.Close()
		return nil, err
	}
	// The "writer" is one more read-only connection: the stores built on
	// DB() keep working for reads, and any write is refused by SQLite.
	write, err := openPool(ctx, path, readOnlyParams(), 1)
	if err != nil {
		read.Close()
		return nil, err
	}
	return assemble(ctx, path, read, write, list)
}

// assemble prepares the statements of a store on its two pools; on an
// error it closes them.
func assemble(ctx context.Context, path string, read, write *sql.DB, list []migration) (*Store, error) {
	tokenUser, err := read.PrepareContext(ctx, tokenUserSQL)
	if err != nil {
		read.Close()
		write.Close()
		return nil, openErr(err, path)
	}
	ws, err := prepareWriteStmts(ctx, write)
	if err != nil {
		tokenUser.Close()
		read.Close()
		write.Close()
		return nil, openErr(err, path)
	}
	return &Store{path: path, read: read, write: write, migrations: list, tokenUser: tokenUser, ws: ws}, nil
}

// readOnlyParams: query_only refuses every write. The file is opened
// read-write at the OS level all the same: a WAL reader shares the
// writer's -shm index, and a mode=ro connection that finds none creates
// -wal and -shm files it can then never clean up, while a query_only one
// leaves the directory as it found it.
func readOnlyParams() url.Values {
	return url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis),
			"query_only(1)",
			fmt.Sprintf("mmap_size(%d)", readerMmapBytes),
		},
	}
}

// schemaCurrent checks that the schema is the one this binary writes.
func schemaCurrent(ctx context.Context, db *sql.DB, path string, latest int64) error {
	var hasTable int
	if err := db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&hasTable); err != nil {
		return openErr(err, path)
	}
	if hasTable == 0 {
		return errcode.New(errcode.Invalid, "%s is not a venuehop store (it has no schema_migrations table)", path)
	}
	var current int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return openErr(err, path)
	}
	switch {
	case current > latest:
		return errcode.New(errcode.Invalid,
			"%s: database schema version %d is newer than this venuehop (max %d); upgrade venuehop", path, current, latest)
	case current < latest:
		return errcode.New(errcode.Invalid,
			"%s: database schema version %d is older than this venuehop's (%d); start venuehop serve or run an import once to upgrade it", path, current, latest)
	}
	return nil
}
