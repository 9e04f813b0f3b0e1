package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"venuehop/internal/errcode"
	"venuehop/internal/store"
	"venuehop/internal/store/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
	storetest.RunPersistence(t, func(t *testing.T) func() (store.Store, error) {
		// Odd characters check that the path is escaped in the DSN.
		dir := filepath.Join(t.TempDir(), "data dir ?x=1#%20")
		return func() (store.Store, error) { return Open(context.Background(), dir) }
	})
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	// Names with URI syntax in them check that the path is escaped in the
	// DSN: the file must land exactly at dir/venuehop.db.
	for _, name := range []string{"a/b", "odd ?x=1#%20 é"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			s, err := Open(context.Background(), dir)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			info, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if perm := info.Mode().Perm(); perm != 0o700 {
				t.Errorf("data dir mode = %v, want 0700", perm)
			}
			if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
				t.Errorf("database file not created: %v", err)
			}
			if s.Path() != filepath.Join(dir, FileName) {
				t.Errorf("Path() = %q, want %q", s.Path(), filepath.Join(dir, FileName))
			}
		})
	}
}

func TestPragmasInEffect(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	read, write := s.DB()
	ctx := context.Background()

	tests := []struct {
		pool   string
		db     *sql.DB
		conns  int
		pragma string
		want   string
	}{
		{"writer", write, 1, "journal_mode", "wal"},
		{"writer", write, 1, "busy_timeout", "5000"},
		{"writer", write, 1, "foreign_keys", "1"},
		{"writer", write, 1, "synchronous", "2"}, // FULL
		{"writer", write, 1, "query_only", "0"},
		// Pragmas are per connection: look at several reader connections.
		{"reader", read, 3, "journal_mode", "wal"},
		{"reader", read, 3, "busy_timeout", "5000"},
		{"reader", read, 3, "foreign_keys", "1"},
		{"reader", read, 3, "query_only", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.pool+"/"+tt.pragma, func(t *testing.T) {
			var held []*sql.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for range tt.conns {
				c, err := tt.db.Conn(ctx) // held, so each iteration gets another connection
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, c)
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("PRAGMA %s on a %s connection = %q, want %q", tt.pragma, tt.pool, got, tt.want)
				}
			}
		})
	}
}

func TestWriterIsSingleConnection(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	read, write := s.DB()
	if got := write.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", got)
	}
	if got := read.Stats().MaxOpenConnections; got < 2 {
		t.Errorf("reader MaxOpenConnections = %d, want a pool", got)
	}
}

func TestReaderRefusesWrites(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	read, _ := s.DB()
	_, err := read.Exec(`INSERT INTO conference_revisions (rev, saved_at, body) VALUES (1, 'now', X'7B7D')`)
	if err == nil {
		t.Fatal("a write through the read pool succeeded")
	}
}

// TestWriterTransactionsAreImmediate shows that BEGIN on the writer takes the
// write lock at once: a second connection cannot write until it commits.
func TestWriterTransactionsAreImmediate(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	_, write := s.DB()
	tx, err := write.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	// A separate connection that does not wait for locks.
	other, err := sql.Open("sqlite", s.Path()+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Exec(`INSERT INTO conference_revisions (rev, saved_at, body) VALUES (1, 'now', X'7B7D')`)
	if err == nil {
		t.Fatal("another connection wrote while a writer transaction that ran no statement was open; BEGIN is not IMMEDIATE")
	}
	if !strings.Contains(strings.ToLower(err.Error()), "locked") && !strings.Contains(strings.ToLower(err.Error()), "busy") {
		t.Errorf("error = %v, want a busy/locked error", err)
	}
}

func TestMigrationsRecorded(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	read, _ := s.DB()
	var n, maxVersion int64
	if err := read.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &maxVersion); err != nil {
		t.Fatal(err)
	}
	want := int64(len(s.migrations))
	if n != want || maxVersion != want {
		t.Errorf("schema_migrations has %d rows, max %d; want %d and %d", n, maxVersion, want, want)
	}
}

func TestOpenIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		s, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, write := s.DB()
	if _, err := write.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'later')`); err != nil {
		t.Fatal(err)
	}
	problems, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "999") {
		t.Errorf("Check with version 999 = %q, want one problem naming it", problems)
	}
	s.Close()

	_, err = Open(context.Background(), dir)
	if !errcode.Is(err, errcode.Invalid) {
		t.Fatalf("Open of a newer schema: err = %v, want invalid", err)
	}
	list, _ := loadMigrations()
	maxVersion := fmt.Sprintf("schema version 999 is newer than this venuehop (max %d)", len(list))
	for _, want := range []string{maxVersion, "upgrade venuehop", dir} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestBadLocations(t *testing.T) {
	base := t.TempDir()
	aFile := filepath.Join(base, "plain-file")
	if err := os.WriteFile(aFile, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	notDB := filepath.Join(base, "notdb")
	if err := os.MkdirAll(notDB, 0o700); err != nil {
		t.Fatal(err)
	}
	junk := strings.Repeat("this is a text file, not a database\n", 200)
	if err := os.WriteFile(filepath.Join(notDB, FileName), []byte(junk), 0o600); err != nil {
		t.Fatal(err)
	}
	otherApp := filepath.Join(base, "other")
	if err := os.MkdirAll(otherApp, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(otherApp, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	dbIsDir := filepath.Join(base, "dbisdir")
	if err := os.MkdirAll(filepath.Join(dbIsDir, FileName), 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		dir      string
		wantCode errcode.Code
		wantText []string
	}{
		{"empty", "", errcode.Invalid, []string{"data directory is not set"}},
		{"dir under a file", filepath.Join(aFile, "data"), errcode.Unavailable, []string{"cannot create data directory", aFile}},
		{"dir is a file", aFile, errcode.Unavailable, []string{"cannot create data directory", aFile}},
		{"file is not a database", notDB, errcode.Invalid, []string{filepath.Join(notDB, FileName), "is not an SQLite database"}},
		{"database of another program", otherApp, errcode.Invalid, []string{filepath.Join(otherApp, FileName), "not a venuehop one"}},
		{"database path is a directory", dbIsDir, errcode.Unavailable, []string{"cannot open database", filepath.Join(dbIsDir, FileName)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.dir)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if got := errcode.Of(err); got != tt.wantCode {
				t.Errorf("code = %s, want %s (%v)", got, tt.wantCode, err)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	// The junk file must be left as it was.
	if got, _ := os.ReadFile(filepath.Join(notDB, FileName)); string(got) != junk {
		t.Error("Open modified a file that is not a database")
	}
}

func TestCheckFindsBrokenConference(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"not json", `{"format": "venuehop/1", "sessions": [`, "does not decode"},
		{"invalid conference", `{"format":"venuehop/1","id":"x","name":"","timeZone":"Mars/Olympus","days":["2026-12-01"]}`, "conference revision 2: name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTemp(t)
			defer s.Close()
			if _, err := s.SaveConference(context.Background(), storetest.Sample("ok"), 0); err != nil {
				t.Fatal(err)
			}
			_, write := s.DB()
			if _, err := write.Exec(`INSERT INTO conference_revisions (rev, saved_at, body) VALUES (2, 'now', ?)`, []byte(tt.body)); err != nil {
				t.Fatal(err)
			}
			problems, err := s.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range problems {
				found = found || strings.Contains(p, tt.want)
			}
			if !found {
				t.Errorf("Check = %q, want a problem containing %q", problems, tt.want)
			}
		})
	}
}

func TestOldRevisionsPruned(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	var rev int64
	for range keepRevisions + 5 {
		var err error
		if rev, err = s.SaveConference(context.Background(), storetest.Sample("r"), rev); err != nil {
			t.Fatal(err)
		}
	}
	read, _ := s.DB()
	var n, oldest int64
	if err := read.QueryRow(`SELECT count(*), min(rev) FROM conference_revisions`).Scan(&n, &oldest); err != nil {
		t.Fatal(err)
	}
	if n != keepRevisions || oldest != rev-keepRevisions+1 {
		t.Errorf("kept %d revisions from %d, want %d from %d", n, oldest, keepRevisions, rev-keepRevisions+1)
	}
}

// TestTwoStoresOnOneDirectory stands in for two processes (serve and a CLI
// import) on the same data directory: both open a fresh directory at once,
// the migrations are applied once, and a save from a stale base is refused
// across them.
func TestTwoStoresOnOneDirectory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	stores := make([]*Store, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, dir) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		defer stores[i].Close()
	}
	a, b := stores[0], stores[1]
	read, _ := a.DB()
	var applied int
	if err := read.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != len(a.migrations) {
		t.Errorf("%d migrations recorded, want %d", applied, len(a.migrations))
	}

	rev, err := a.SaveConference(ctx, storetest.Sample("from a"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.SaveConference(ctx, storetest.Sample("from b"), 0); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("stale save through the second store: err = %v, want conflict", err)
	}
	got, gotRev, err := b.LoadConference(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if gotRev != rev || got.Name != "from a" {
		t.Errorf("second store loads rev %d %q, want rev %d %q", gotRev, got.Name, rev, "from a")
	}
}
