package postgres

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"venuehop/internal/errcode"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/store/storetest"
)

// TestOpenUnreachable: a database that is not there is reported in one
// sentence, coded unavailable, within the connect timeout — not a hang.
func TestOpenUnreachable(t *testing.T) {
	refused := func() string { // a port nobody listens on
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	tests := []struct {
		name, url string
		within    time.Duration
		want      string
	}{
		{"refused", "postgres://venuehop:s3cret@" + refused + "/x?sslmode=disable", 2 * time.Second, "connection refused"},
		{"silent, URL timeout", "postgres://venuehop@" + silent.Addr().String() + "/x?sslmode=disable&connect_timeout=1", 3 * time.Second, "timed out"},
		{"silent, default timeout", "postgres://venuehop@" + silent.Addr().String() + "/x?sslmode=disable", ConnectTimeout + 3*time.Second, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			s, err := Open(context.Background(), tt.url)
			took := time.Since(start)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !errcode.Is(err, errcode.Unavailable) || !strings.Contains(msg, "cannot reach PostgreSQL") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want unavailable naming %q", msg, tt.want)
			}
			if strings.Contains(msg, "s3cret") || strings.Count(msg, "\n") > 0 {
				t.Errorf("error leaks the password or spans lines: %q", msg)
			}
			if took > tt.within {
				t.Errorf("Open took %v, want under %v", took, tt.within)
			}
		})
	}
}

func TestOpenRefusesForeignOrNewerSchemas(t *testing.T) {
	ctx := context.Background()
	server := pgtest.Server(t)
	withPath := func(schema string) string {
		u, _ := url.Parse(server)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	run := func(t *testing.T, u, sql string) {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("newer schema", func(t *testing.T) {
		u := withPath(pgtest.Schema(t, server))
		s, err := Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		latest := s.SchemaVersion()
		s.Close()
		run(t, u, `INSERT INTO schema_migrations (version) VALUES (99)`)
		_, err = Open(ctx, u)
		if !errcode.Is(err, errcode.Invalid) || !strings.Contains(err.Error(), "schema version 99 is newer than this venuehop") {
			t.Fatalf("Open of a newer schema: %v", err)
		}
		if latest >= 99 {
			t.Fatalf("the test needs fewer than 99 migrations")
		}
	})
	t.Run("foreign tables", func(t *testing.T) {
		u := withPath(pgtest.Schema(t, server))
		run(t, u, `CREATE TABLE invoices (id int)`)
		_, err := Open(ctx, u)
		if !errcode.Is(err, errcode.Invalid) || !strings.Contains(err.Error(), "not venuehop's") {
			t.Fatalf("Open of someone else's schema: %v", err)
		}
	})
	t.Run("missing schema", func(t *testing.T) {
		_, err := Open(ctx, withPath("vh_no_such_schema_here"))
		if !errcode.Is(err, errcode.Invalid) || !strings.Contains(err.Error(), "CREATE SCHEMA") {
			t.Fatalf("Open of a missing schema: %v", err)
		}
	})
	t.Run("several nodes start at once", func(t *testing.T) {
		u := withPath(pgtest.Schema(t, server))
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for range 6 {
			wg.Go(func() {
				s, err := Open(ctx, u)
				if err == nil {
					s.Close()
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent Open: %v", err)
			}
		}
		s, err := Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if p, err := s.Check(ctx); err != nil || len(p) != 0 {
			t.Errorf("Check after concurrent migrations: %q %v", p, err)
		}
	})
}

// TestDatabaseLostMidRun cuts the connection to the server: calls fail
// fast as unavailable, and work again once it is back, on the same Store.
func TestDatabaseLostMidRun(t *testing.T) {
	ctx := context.Background()
	proxy, u := pgtest.NewProxy(t, pgtest.URL(t))
	s, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rev, err := s.SaveConference(ctx, storetest.Sample("before"), 0)
	if err != nil {
		t.Fatal(err)
	}

	proxy.Cut()
	for _, call := range []struct {
		name string
		run  func() error
	}{
		{"LoadConference", func() error { _, _, err := s.LoadConference(ctx); return err }},
		{"SaveConference", func() error { _, err := s.SaveConference(ctx, storetest.Sample("lost"), rev); return err }},
		{"Apply", func() error { return s.Apply(ctx, nil) }},
		{"UserByID", func() error { _, err := s.Accounts().UserByID(ctx, "u_1"); return err }},
	} {
		start := time.Now()
		err := call.run()
		if call.name == "Apply" {
			continue // an empty batch touches nothing
		}
		if !errcode.Is(err, errcode.Unavailable) {
			t.Errorf("%s with the database gone: %v, want unavailable", call.name, err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s took %v with the database gone, want a fast failure", call.name, took)
		}
	}

	proxy.Restore()
	var got error
	for range 50 { // the pool replaces its dead connections on use
		if _, _, got = s.LoadConference(ctx); got == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got != nil {
		t.Fatalf("after the database came back: %v", got)
	}
	if _, err := s.SaveConference(ctx, storetest.Sample("after"), rev); err != nil {
		t.Errorf("save after recovery: %v", err)
	}
}

func TestTransactionsRetrySerializationFailures(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		failures  int // how many attempts fail before one succeeds
		code      string
		wantRuns  int
		wantCode  errcode.Code // "" = success
		wantRetry int64
	}{
		{"serialization failure twice", 2, sqlSerializationFailure, 3, "", 2},
		{"deadlock once", 1, sqlDeadlockDetected, 2, "", 1},
		{"unique violation is not retried", 1, sqlUniqueViolation, 1, errcode.Internal, 0},
		{"never succeeds", 100, sqlSerializationFailure, maxAttempts, errcode.Unavailable, maxAttempts - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.Retries()
			runs := 0
			err := s.inTx(ctx, "testing", pgx.TxOptions{}, func(tx pgx.Tx) error {
				runs++
				if _, err := tx.Exec(ctx, `SELECT 1`); err != nil {
					return err
				}
				if runs <= tt.failures {
					return &pgconn.PgError{Code: tt.code, Message: "injected"}
				}
				return nil
			})
			if runs != tt.wantRuns || s.Retries()-before != tt.wantRetry {
				t.Errorf("ran %d times with %d retries, want %d and %d", runs, s.Retries()-before, tt.wantRuns, tt.wantRetry)
			}
			if tt.wantCode == "" && err != nil || tt.wantCode != "" && !errcode.Is(err, tt.wantCode) {
				t.Errorf("err = %v, want code %q", err, tt.wantCode)
			}
		})
	}
	// A real deadlock between two transactions: the one PostgreSQL aborts
	// runs again and both end up committed.
	if _, err := s.pool.Exec(ctx, `CREATE TABLE lockpair (id int PRIMARY KEY, n int); INSERT INTO lockpair VALUES (1, 0), (2, 0)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var both sync.WaitGroup
	both.Add(2)
	errs := make([]error, 2)
	for i, order := range [][2]int{{1, 2}, {2, 1}} {
		wg.Go(func() {
			first := true
			errs[i] = s.inTx(ctx, "deadlock", pgx.TxOptions{}, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `UPDATE lockpair SET n = n + 1 WHERE id = $1`, order[0]); err != nil {
					return err
				}
				if first { // both hold their first row before taking the second
					first = false
					both.Done()
					both.Wait()
				}
				_, err := tx.Exec(ctx, `UPDATE lockpair SET n = n + 1 WHERE id = $1`, order[1])
				return err
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("deadlocked transactions: %v", err)
	}
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT sum(n) FROM lockpair`).Scan(&total); err != nil || total != 4 {
		t.Errorf("after the deadlock and retry: total %d (%v), want 4", total, err)
	}
}
