// Package pgtest gives tests a PostgreSQL schema of their own on the
// server named by VENUEHOP_TEST_POSTGRES_URL. Each call creates a fresh
// schema and drops it when the test ends, so tests never see or touch each
// other's data (or anything else on that server). Without the variable, or
// with the server unreachable, the test is skipped with a message; with
// VENUEHOP_TEST_STRICT=1 (CI) it fails instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the test server's URL.
const EnvURL = "VENUEHOP_TEST_POSTGRES_URL"

// Server returns the test server's URL (no schema chosen), or skips (fails
// when strict) when there is none or it does not answer.
func Server(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(EnvURL)
	if raw == "" {
		unavailable(t, EnvURL+" is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, raw)
	if err != nil {
		unavailable(t, "the PostgreSQL test server in "+EnvURL+" does not answer: "+err.Error())
		return ""
	}
	conn.Close(ctx)
	return raw
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("VENUEHOP_TEST_STRICT") == "1" {
		t.Fatalf("PostgreSQL tests cannot run (VENUEHOP_TEST_STRICT=1): %s", why)
	}
	t.Skipf("skipping PostgreSQL test: %s", why)
}

var unsafe = regexp.MustCompile(`[^a-z0-9_]+`)

// URL creates an empty schema for this test and returns the server URL
// with search_path set to it. The schema is dropped (CASCADE) when the test
// and its subtests end.
func URL(t testing.TB) string {
	t.Helper()
	server := Server(t)
	name := Schema(t, server)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// Schema creates a fresh, empty schema on server and returns its name; it
// is dropped when the test ends.
func Schema(t testing.TB, server string) string {
	t.Helper()
	var rnd [4]byte
	rand.Read(rnd[:])
	base := unsafe.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(base) > 40 {
		base = base[len(base)-40:]
	}
	name := "vh_t_" + strings.Trim(base, "_") + "_" + hex.EncodeToString(rnd[:])
	exec(t, server, `CREATE SCHEMA `+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() { exec(t, server, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`) })
	return name
}

// Exec runs one statement on server, outside any test schema.
func exec(t testing.TB, server, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connecting to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
