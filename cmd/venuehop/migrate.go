package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/store/postgres"
	"venuehop/internal/store/sqlite"
)

// runMigrate copies the embedded SQLite store into an empty PostgreSQL
// schema in one transaction, then compares row counts and runs the
// invariant check on both sides.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "migrate --from DIR --to postgres://…", stderr)
	from := fs.String("from", "", "data directory of the SQLite store to copy (stop `venuehop serve` on it first)")
	to := fs.String("to", "", "postgres:// URL of an empty database or schema (search_path=…)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	switch {
	case *from == "":
		return usageError{"--from is required: the data directory of the SQLite store"}
	case *to == "":
		return usageError{"--to is required: a postgres:// URL"}
	case !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://"):
		return usageError{fmt.Sprintf("--to must be a postgres:// URL, got %q", postgres.Redact(*to))}
	}
	// Opening would create an empty store: say what is missing instead.
	if _, err := os.Stat(filepath.Join(*from, sqlite.FileName)); err != nil {
		return fmt.Errorf("%s holds no venuehop store (%s is missing)", *from, sqlite.FileName)
	}
	src, err := sqlite.OpenReadOnly(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()

	started := time.Now()
	read, _ := src.DB()
	// One read transaction: under WAL it is a snapshot, so the copy is
	// consistent even if a straggling writer commits meanwhile.
	rtx, err := read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("reading %s: %w", *from, err)
	}
	defer rtx.Rollback()
	srcCounts, err := sqliteCounts(ctx, rtx)
	if err != nil {
		return err
	}
	// Counts are compared inside the PostgreSQL transaction: a copy that
	// differs is rolled back, leaving the target empty.
	var dstCounts map[string]int64
	if err := dst.Load(ctx, func(ctx context.Context, tx pgx.Tx) error {
		for _, c := range copies {
			if err := c.run(ctx, rtx, tx); err != nil {
				return fmt.Errorf("copying %s: %w", c.table, err)
			}
		}
		var err error
		dstCounts, err = postgres.CountRows(ctx, tx)
		if err != nil {
			return err
		}
		var mismatched []string
		for name, n := range srcCounts {
			if dstCounts[name] != n {
				mismatched = append(mismatched, fmt.Sprintf("%s (%d rows, copied %d)", name, n, dstCounts[name]))
			}
		}
		if len(mismatched) > 0 {
			sort.Strings(mismatched)
			return fmt.Errorf("the copy differs from the source in %s; nothing was written", strings.Join(mismatched, ", "))
		}
		return nil
	}); err != nil {
		return err
	}
	rtx.Rollback()

	names := make([]string, 0, len(srcCounts))
	for name := range srcCounts {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(stdout, "copied %s to %s in %s (rows per table, equal on both sides):\n", *from, dst.Where(), time.Since(started).Round(time.Millisecond))
	for _, name := range names {
		fmt.Fprintf(stdout, "  %-22s %8d\n", name, srcCounts[name])
	}

	srcProblems, err := src.Check(ctx)
	if err != nil {
		return err
	}
	dstProblems, err := dst.Check(ctx)
	if err != nil {
		return err
	}
	for _, p := range srcProblems {
		fmt.Fprintln(stderr, "violation in the SQLite store:", p)
	}
	for _, p := range dstProblems {
		fmt.Fprintln(stderr, "violation in PostgreSQL:", p)
	}
	if len(dstProblems) > len(srcProblems) {
		return fmt.Errorf("the copy has %d invariant violation(s) the source has not, first: %s", len(dstProblems)-len(srcProblems), dstProblems[0])
	}
	if len(srcProblems) > 0 {
		fmt.Fprintf(stdout, "check: the source's %d violation(s) were copied as they are (venuehop check names them)\n", len(srcProblems))
	} else {
		fmt.Fprintln(stdout, "check: every invariant holds on both sides")
	}
	fmt.Fprintf(stdout, "Start the nodes with --db %s (start the first one with this --data: its calendar-feed.key becomes every node's).\n", dst.Where())
	return nil
}

// sqliteCounts counts what copies copy, in the names Counts uses.
func sqliteCounts(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	out := map[string]int64{}
	for _, c := range copies {
		if c.table == "session_seats" {
			// PostgreSQL keeps a row per session of the conference (the
			// seat guard); compare the counter sums below instead.
			continue
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+c.table).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting %s: %w", c.table, err)
		}
		out[c.table] = n
	}
	var r, h int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(reserved), 0), COALESCE(SUM(held), 0) FROM session_seats`).Scan(&r, &h); err != nil {
		return nil, fmt.Errorf("counting seats: %w", err)
	}
	out["seats.reserved"], out["seats.held"] = r, h
	return out, nil
}

// tableCopy moves one table: query selects the SQLite columns in the order
// of columns (the PostgreSQL names); convert, when set for a column,
// changes SQLite's representation into PostgreSQL's.
type tableCopy struct {
	table   string
	columns []string
	query   string
	convert map[int]func(any) (any, error)
}

// sqliteTime reads the SQLite backend's UTC text times.
func sqliteTime(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("expected a text time, got %T", v)
	}
	return time.Parse("2006-01-02T15:04:05.000Z", s)
}

func sqliteBool(v any) (any, error) {
	n, ok := v.(int64)
	if !ok {
		return nil, fmt.Errorf("expected 0 or 1, got %T", v)
	}
	return n != 0, nil
}

// copies lists every table the SQLite store has (schema_migrations aside:
// each backend keeps its own), parents before children.
var copies = []tableCopy{
	{table: "conference_revisions", columns: []string{"rev", "saved_at", "body"},
		query: `SELECT rev, saved_at, body FROM conference_revisions ORDER BY rev`, convert: map[int]func(any) (any, error){1: sqliteTime}},
	{table: "users", columns: []string{"id", "email", "name", "role", "password_hash", "created_at"},
		query: `SELECT id, email, name, role, password_hash, created_at FROM users`, convert: map[int]func(any) (any, error){5: sqliteTime}},
	{table: "auth_tokens", columns: []string{"hash", "user_id", "kind", "created_at", "expires_at"},
		query: `SELECT hash, user_id, kind, created_at, expires_at FROM auth_tokens`, convert: map[int]func(any) (any, error){3: sqliteTime, 4: sqliteTime}},
	{table: "favorites", columns: []string{"user_id", "repeat_group", "session_id", "priority", "updated_at"},
		query: `SELECT user_id, repeat_group, session_id, priority, updated_at FROM favorites`, convert: map[int]func(any) (any, error){4: sqliteTime}},
	// The sync states keep their seqs: the devices' cursors stay valid.
	{table: "favorite_changes", columns: []string{"user_id", "repeat_group", "session_id", "starred", "priority", "at", "seq"},
		query:   `SELECT user_id, repeat_group, session_id, starred, priority, at, seq FROM favorite_changes`,
		convert: map[int]func(any) (any, error){3: sqliteBool, 5: sqliteTime}},
	{table: "blocks", columns: []string{"id", "user_id", "title", "start_at", "end_at", "venue_id", "created_at"},
		query:   `SELECT id, user_id, title, start_at, end_at, venue_id, created_at FROM blocks`,
		convert: map[int]func(any) (any, error){3: sqliteTime, 4: sqliteTime, 6: sqliteTime}},
	{table: "reservations", columns: []string{"id", "attendee", "session", "status", "ended", "created_at", "ended_at", "checked_in_at"},
		query: `SELECT id, attendee, session, status, ended, created_at, ended_at, checked_in_at FROM reservations ORDER BY id`},
	// The counters as they are; capacities and times follow from the
	// conference (postgres.Store.Load).
	{table: "session_seats", columns: []string{"session", "reserved", "held"},
		query: `SELECT session, reserved, held FROM session_seats`},
	{table: "waitlist", columns: []string{"session", "attendee", "seq", "created_at"},
		query: `SELECT session, attendee, seq, created_at FROM waitlist`},
	{table: "offers", columns: []string{"id", "attendee", "session", "created_at", "expires_at", "state", "ended_at"},
		query: `SELECT id, attendee, session, created_at, expires_at, state, ended_at FROM offers`},
	{table: "checkins", columns: []string{"session", "attendee", "at"},
		query: `SELECT session, attendee, at FROM checkins`},
	{table: "idempotency", columns: []string{"attendee", "key", "hash", "body", "created_at"},
		query: `SELECT attendee, key, hash, body, created_at FROM idempotency`},
	{table: "reservation_settings", columns: []string{"attendee", "auto_accept"},
		query: `SELECT attendee, auto_accept FROM reservation_settings`, convert: map[int]func(any) (any, error){1: sqliteBool}},
	// seq keeps SQLite's rowid order, the plans' tie-break.
	{table: "plans", columns: []string{"seq", "id", "attendee", "created_at", "origin", "state", "body"},
		query: `SELECT rowid, id, attendee, created_at, origin, state, body FROM plans ORDER BY rowid`},
	{table: "plan_sessions", columns: []string{"session", "attendee", "plan_id"},
		query: `SELECT session, attendee, plan_id FROM plan_sessions`},
	{table: "plan_locks", columns: []string{"attendee", "item"},
		query: `SELECT attendee, item FROM plan_locks`},
	{table: "calendar_feeds", columns: []string{"user_id", "gen", "hash", "created_at"},
		query: `SELECT user_id, gen, hash, created_at FROM calendar_feeds`, convert: map[int]func(any) (any, error){3: sqliteTime}},
	{table: "notices", columns: []string{"id", "user_id", "category", "title", "body", "url", "session_id", "offer_id", "topic", "urgency", "expires_at", "created_at", "read_at"},
		query:   `SELECT id, user_id, category, title, body, url, session_id, offer_id, topic, urgency, expires_at, created_at, read_at FROM notices`,
		convert: map[int]func(any) (any, error){10: sqliteTime, 11: sqliteTime, 12: sqliteTime}},
	{table: "notice_prefs", columns: []string{"user_id", "category"},
		query: `SELECT user_id, category FROM notice_prefs`},
	// The sign-up mode and the device cookie key (the browsers' device
	// cookies stay valid), and the attendee list with its codes.
	{table: "settings", columns: []string{"name", "value"},
		query: `SELECT name, value FROM settings`},
	{table: "attendee_registry", columns: []string{"email", "name", "badge_id", "code", "user_id", "created_at", "claimed_at"},
		query:   `SELECT email, name, badge_id, code, user_id, created_at, claimed_at FROM attendee_registry`,
		convert: map[int]func(any) (any, error){5: sqliteTime, 6: sqliteTime}},
	// The devices' Web Push subscriptions and the VAPID key pair they are
	// bound to (a new pair would silence every device).
	{table: "push_subscriptions", columns: []string{"endpoint", "attendee", "p256dh", "auth", "categories", "user_agent", "created_at"},
		query:   `SELECT endpoint, attendee, p256dh, auth, categories, user_agent, created_at FROM push_subscriptions`,
		convert: map[int]func(any) (any, error){6: sqliteTime}},
	{table: "vapid_keys", columns: []string{"one", "public_key", "private_key", "created_at"},
		query:   `SELECT one, public_key, private_key, created_at FROM vapid_keys`,
		convert: map[int]func(any) (any, error){0: sqliteBool, 3: sqliteTime}},
}

func (c tableCopy) run(ctx context.Context, src *sql.Tx, dst pgx.Tx) error {
	rows, err := src.QueryContext(ctx, c.query)
	if err != nil {
		return err
	}
	defer rows.Close()
	_, err = dst.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, &sqlRows{rows: rows, c: c, vals: make([]any, len(c.columns))})
	return err
}

// sqlRows streams database/sql rows into COPY without holding the table in
// memory.
type sqlRows struct {
	rows *sql.Rows
	c    tableCopy
	vals []any
}

func (r *sqlRows) Next() bool { return r.rows.Next() }

func (r *sqlRows) Values() ([]any, error) {
	ptrs := make([]any, len(r.vals))
	for i := range r.vals {
		ptrs[i] = &r.vals[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make([]any, len(r.vals))
	for i, v := range r.vals {
		if conv := r.c.convert[i]; conv != nil && v != nil {
			cv, err := conv(v)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", r.c.columns[i], err)
			}
			v = cv
		}
		out[i] = v
	}
	return out, nil
}

func (r *sqlRows) Err() error { return r.rows.Err() }
