// Package sqlite is venuehop's embedded storage backend: one SQLite file in
// the data directory, opened as a read pool plus a single-connection writer
// (the PocketBase shape). SQLite allows one writer at a time anyway; giving
// writes their own connection makes them queue in Go instead of failing with
// SQLITE_BUSY, while reads run in parallel under WAL.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	msqlite "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"venuehop/internal/errcode"
	"venuehop/internal/store"
)

// FileName is the database file inside the data directory.
const FileName = "venuehop.db"

// busyTimeoutMillis is how long a connection waits for another process's
// lock (e.g. `venuehop import` while `serve` runs) before SQLITE_BUSY.
const busyTimeoutMillis = 5000

// Store is the SQLite backend. It is safe for concurrent use.
type Store struct {
	path       string
	read       *sql.DB
	write      *sql.DB
	migrations []migration
	// tokenUser is prepared once: every authenticated request whose token
	// is not in the account cache runs it, and parsing it each time cost
	// about half of its time in the rush.
	tokenUser *sql.Stmt
	// ws are Apply's statements, prepared on the writer.
	ws *writeStmts
	// crashAt is called at each step of Apply (crash tests only).
	crashAt func(step string)
}

var _ store.Store = (*Store)(nil)

// Open opens (creating on first use) the database in dir and brings its
// schema up to date. dir is created with mode 0700: it holds attendee data.
func Open(ctx context.Context, dir string) (*Store, error) {
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
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot create data directory %s", abs)
	}
	path := filepath.Join(abs, FileName)

	// The writer is opened and migrated first: it switches the file to WAL,
	// which the readers then inherit (journal_mode is stored in the file).
	write, err := openWriter(ctx, path, list)
	if err != nil {
		return nil, err
	}
	read, err := openPool(ctx, path, readerParams(), max(4, runtime.GOMAXPROCS(0)))
	if err != nil {
		write.Close()
		return nil, err
	}
	return assemble(ctx, path, read, write, list) // readonly.go
}

// openWriter opens the writer and applies the migrations. Two processes
// opening a fresh file at once can meet SQLITE_BUSY while one switches it to
// WAL (that pragma does not wait on busy_timeout), so a busy open is retried
// for as long as busy_timeout would have waited.
func openWriter(ctx context.Context, path string, list []migration) (*sql.DB, error) {
	deadline := time.Now().Add(busyTimeoutMillis * time.Millisecond)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		write, err := openPool(ctx, path, writerParams(), 1)
		if err == nil {
			if err = migrate(ctx, write, path, list); err == nil {
				return write, nil
			}
			write.Close()
		}
		if primaryCode(err) != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, openErr(ctx.Err(), path)
		case <-time.After(wait):
		}
	}
}

// writerParams configures the single writer connection.
//   - WAL: readers never block the writer and vice versa.
//   - synchronous=FULL: in WAL mode NORMAL may lose the last commits on power
//     loss; a confirmed write (a reservation) must survive it, so every commit
//     is fsynced before the caller hears "done".
//   - _txlock=immediate: every transaction takes the write lock at BEGIN, so a
//     read-then-write transaction never fails halfway with SQLITE_BUSY when
//     another process holds the lock; it waits busy_timeout instead.
func writerParams() url.Values {
	return url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis),
			"journal_mode(WAL)",
			"synchronous(FULL)",
			"foreign_keys(1)",
		},
		"_txlock": {"immediate"},
	}
}

// readerParams configures the read pool; query_only turns an accidental
// write through it into an error instead of a second, competing writer.
// mmap_size: a reader drops its whole page cache whenever the writer has
// committed since its last read (SQLite's rule), which in a rush is every
// read: each token lookup then re-read its B-tree pages with pread calls.
// Memory-mapped, the pages not in the WAL are reached without a system
// call or a copy. The mapping is the OS page cache, not heap.
func readerParams() url.Values {
	return url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis),
			"foreign_keys(1)",
			"query_only(1)",
			fmt.Sprintf("mmap_size(%d)", readerMmapBytes),
		},
	}
}

// readerMmapBytes bounds the readers' memory map (a bigger file is read
// the ordinary way past it).
const readerMmapBytes = 256 << 20

// openPool opens a pool of at most conns connections and pings it, so a file
// that is not a database is reported now and not at the first query.
func openPool(ctx context.Context, path string, params url.Values, conns int) (*sql.DB, error) {
	// A file: URI, escaped, so a directory name with '?', '#' or '%' in it
	// cannot be mistaken for DSN parameters.
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String() + "?" + params.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, openErr(err, path)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openErr(err, path)
	}
	return db, nil
}

// openErr turns a failure to open or migrate the file into a coded error
// naming it.
func openErr(err error, path string) error {
	var coded *errcode.Error
	if errors.As(err, &coded) {
		return err
	}
	if primaryCode(err) == sqlite3.SQLITE_NOTADB {
		return errcode.Wrap(errcode.Invalid, err, "%s is not an SQLite database; move it away or choose another data directory", path)
	}
	return errcode.Wrap(errcode.Unavailable, err, "cannot open database %s", path)
}

// primaryCode returns the SQLite primary result code in err, or 0.
func primaryCode(err error) int {
	var se *msqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// dbErr codes a failed database operation: busy and cancelled are
// Unavailable (retry later); anything else is Internal.
func dbErr(err error, what string) error {
	var coded *errcode.Error
	switch {
	case errors.As(err, &coded):
		return err
	case store.NoSpace(err, what) != nil:
		return store.NoSpace(err, what)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errcode.Wrap(errcode.Unavailable, err, "%s: cancelled", what)
	case primaryCode(err) == sqlite3.SQLITE_BUSY, primaryCode(err) == sqlite3.SQLITE_LOCKED:
		return errcode.Wrap(errcode.Unavailable, err, "%s: database is busy", what)
	}
	return errcode.Wrap(errcode.Internal, err, "%s", what)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DB returns the read pool and the single-connection writer, for the other
// stores of this backend (reservations, accounts). Transactions begun on
// write are IMMEDIATE.
func (s *Store) DB() (read, write *sql.DB) { return s.read, s.write }

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.tokenUser.Close(), s.ws.close(), s.read.Close(), s.write.Close())
}

// Stores hands over every store of this database.
func (s *Store) Stores() store.Stores {
	return store.Stores{Store: s, Seats: s, Accounts: s.Accounts(), Bulk: s, Plans: s.Plans(), Calendar: s, Revisions: s, Push: s, Notices: s, SeatHolders: s}
}
