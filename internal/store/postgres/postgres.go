// Package postgres is venuehop's PostgreSQL backend, for organizers who run
// several nodes or already operate PostgreSQL. It implements the same
// contracts as internal/store/sqlite (store.Store, account.Store,
// reservation.Store, agenda.PlanStore, calfeed.Store) and passes the same
// conformance suites (internal/store/storetest).
//
// Dialect differences are kept few and visible: every query is plain SQL
// with $n parameters; the PostgreSQL-only pieces are listed in dialect.go
// (error classes, the migration lock, arrays for multi-row statements), and
// the schema differences at the top of migrations/0001_init.sql.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"venuehop/internal/errcode"
	"venuehop/internal/store"
)

// ConnectTimeout bounds each connection attempt when the URL sets no
// connect_timeout, and the whole first contact at Open: an unreachable
// database is reported within seconds, not after the OS gives up on TCP.
const ConnectTimeout = 5 * time.Second

// Store is the PostgreSQL backend. It is safe for concurrent use by many
// goroutines and by several processes on the same database.
type Store struct {
	pool       *pgxpool.Pool
	where      string // the redacted URL, for messages
	migrations []migration
	retries    atomic.Int64 // transactions run again after 40001/40P01
	// logIdle bounds how long a seat log transaction may sit idle holding
	// seat_head's lock (a frozen node must not stop every other one).
	logIdle time.Duration
	// crashAt is called at each step of a seat commit (crash tests only).
	crashAt func(step string)
}

// logIdleDefault is logIdle's value: far above a healthy commit's pauses
// (milliseconds), short enough that the other nodes carry on.
const logIdleDefault = 5 * time.Second

var _ store.Store = (*Store)(nil)

// Open connects to the database at rawURL (postgres://…; a search_path
// parameter selects the schema) and brings its schema up to date. It fails
// within about ConnectTimeout when the server cannot be reached, and with
// errcode.Invalid when the schema is newer than this binary.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	list, err := loadMigrations()
	if err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "embedded migrations are broken")
	}
	where := Redact(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		// pgx's message may repeat the URL with its password: name it
		// redacted and leave the cause out.
		return nil, errcode.New(errcode.Invalid, "%s is not a valid PostgreSQL URL", where)
	}
	if !hasParam(rawURL, "connect_timeout") {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	// JIT compilation pays off for long analytical queries, never for
	// venuehop's short ones; left on, a query whose estimate is off (a
	// fresh table without statistics) was compiled at every execution and
	// cost PostgreSQL most of its CPU in the rush. A URL may still set it.
	if !hasParam(rawURL, "jit") {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	// A pool of connections that die with the server are replaced by new
	// ones as it comes back: nothing to restart. Idle connections are
	// checked now and then so a failover does not greet the next request
	// with a dead one.
	cfg.HealthCheckPeriod = 15 * time.Second
	cfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, errcode.New(errcode.Invalid, "%s is not a usable PostgreSQL URL", where)
	}
	s := &Store{pool: pool, where: where, migrations: list, logIdle: logIdleDefault}
	first, cancel := context.WithTimeout(ctx, ConnectTimeout)
	defer cancel()
	if err := pool.Ping(first); err != nil {
		pool.Close()
		return nil, unreachable(where, err)
	}
	if err := s.migrate(first); err != nil {
		pool.Close()
		if errors.Is(first.Err(), context.DeadlineExceeded) {
			return nil, unreachable(where, err)
		}
		return nil, err
	}
	return s, nil
}

// unreachable is the one-sentence error of a failed first contact.
func unreachable(where string, err error) error {
	return errcode.New(errcode.Unavailable, "cannot reach PostgreSQL at %s within %s (%s); is the server running and is --db right?",
		where, ConnectTimeout, rootCause(err))
}

// rootCause is the innermost error's text: "connection refused" rather
// than pgx's whole chain, which repeats user and database names.
func rootCause(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	for {
		if _, ok := err.(interface{ SQLState() string }); ok {
			return err.Error() // the server's own words
		}
		var next error
		switch e := err.(type) {
		case interface{ Unwrap() error }:
			next = e.Unwrap()
		case interface{ Unwrap() []error }:
			// Several attempts (TLS, then plain): the last one says most.
			if list := e.Unwrap(); len(list) > 0 {
				next = list[len(list)-1]
			}
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func hasParam(rawURL, name string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has(name)
}

// Redact hides the password of a postgres:// URL, for messages and logs.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "the --db URL"
	}
	return u.Redacted()
}

// Pool is the connection pool, for tools (migrate) and tests.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Where is the redacted URL of the database.
func (s *Store) Where() string { return s.where }

// Retries counts transactions run again after a serialization failure or
// a deadlock since Open.
func (s *Store) Retries() int64 { return s.retries.Load() }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// SchemaVersion is the newest migration this binary has.
func (s *Store) SchemaVersion() int64 { return s.migrations[len(s.migrations)-1].Version }

func (s *Store) String() string { return fmt.Sprintf("PostgreSQL at %s", s.where) }

// Stores hands over every store of this database, the shared seat log and
// calendar key included: several nodes may share it.
func (s *Store) Stores() store.Stores {
	return store.Stores{Store: s, Seats: s, SeatLog: s, Accounts: s.Accounts(), Bulk: s, Plans: s.Plans(), Calendar: s, CalendarKey: s, Revisions: s, Push: s, Notices: s, SeatHolders: s}
}
