package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The baseline is what venuehop's seat engine is measured against: the
// conventional server, where every reservation request is one PostgreSQL
// transaction that locks the attendee's and the session's rows (SELECT …
// FOR UPDATE), checks them, writes the reservation and the counter and
// commits before it answers. It runs in the loadtest process, on a schema
// of its own in the database given, with the target's reservable sessions
// (ids, capacities, times) and as many attendees, and the rush client
// sends it the same requests. It is written to be fast, not to lose: the
// reads go out in one pipelined round trip, statements are prepared, the
// token check and the quota are in memory (as venuehop's are), and the
// pool is sized for the rush (BaselineConns).

// BaselineConns is the baseline's pool: enough connections for every
// request that can make progress while others wait on a popular
// session's lock.
const BaselineConns = 32

type baselineSession struct {
	id         string
	capacity   int
	start, end int64 // Unix ms
	day        string
	release    time.Time
}

// baselineServer is the comparison server.
type baselineServer struct {
	pool    *pgxpool.Pool
	schema  string
	tokens  map[string]string // Bearer token -> attendee
	quotaMu sync.Mutex
	quota   map[string]*bucket
	cap     int // daily cap, as venuehop's default
}

type bucket struct {
	tokens   float64
	refilled time.Time
}

// startBaseline creates the baseline's schema and data and serves it on a
// free local port. close stops it and drops the schema.
func startBaseline(ctx context.Context, dbURL string, sessions []baselineSession, attendees int) (base string, tokens []string, srv *baselineServer, close func(), err error) {
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "vh_baseline_" + hex.EncodeToString(rnd[:])
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("baseline database: %w", err)
	}
	defer admin.Close(ctx)
	ddl := `CREATE SCHEMA ` + schema + `;
		CREATE TABLE ` + schema + `.sessions (id text PRIMARY KEY, capacity int NOT NULL, reserved int NOT NULL DEFAULT 0,
			start_ms bigint NOT NULL, end_ms bigint NOT NULL, day text NOT NULL, CHECK (reserved <= capacity));
		CREATE TABLE ` + schema + `.attendees (id text PRIMARY KEY);
		CREATE TABLE ` + schema + `.reservations (attendee text NOT NULL, session text NOT NULL, start_ms bigint NOT NULL,
			end_ms bigint NOT NULL, day text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (attendee, session));`
	if _, err := admin.Exec(ctx, ddl); err != nil {
		return "", nil, nil, nil, fmt.Errorf("baseline schema: %w", err)
	}
	drop := func() {
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(c, dbURL); err == nil {
			conn.Exec(c, `DROP SCHEMA `+schema+` CASCADE`)
			conn.Close(c)
		}
	}
	rows := make([][]any, len(sessions))
	for i, s := range sessions {
		rows[i] = []any{s.id, s.capacity, s.start, s.end, s.day}
	}
	ids := make([]string, attendees)
	tokens = make([]string, attendees)
	srv = &baselineServer{schema: schema, tokens: make(map[string]string, attendees), quota: map[string]*bucket{}, cap: 12}
	arows := make([][]any, attendees)
	for i := range ids {
		ids[i] = fmt.Sprintf("b_%06d", i)
		var t [16]byte
		rand.Read(t[:])
		tokens[i] = hex.EncodeToString(t[:])
		srv.tokens[tokens[i]] = ids[i]
		arows[i] = []any{ids[i]}
	}
	if _, err := admin.CopyFrom(ctx, pgx.Identifier{schema, "sessions"}, []string{"id", "capacity", "start_ms", "end_ms", "day"}, pgx.CopyFromRows(rows)); err != nil {
		drop()
		return "", nil, nil, nil, fmt.Errorf("baseline sessions: %w", err)
	}
	if _, err := admin.CopyFrom(ctx, pgx.Identifier{schema, "attendees"}, []string{"id"}, pgx.CopyFromRows(arows)); err != nil {
		drop()
		return "", nil, nil, nil, fmt.Errorf("baseline attendees: %w", err)
	}
	admin.Exec(ctx, `ANALYZE `+schema+`.sessions; ANALYZE `+schema+`.attendees`)
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		drop()
		return "", nil, nil, nil, err
	}
	cfg.MaxConns = BaselineConns
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	if srv.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		drop()
		return "", nil, nil, nil, err
	}
	releases := make(map[string]baselineSession, len(sessions))
	for _, s := range sessions {
		releases[s.id] = s
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.pool.Close()
		drop()
		return "", nil, nil, nil, err
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { srv.reserve(w, r, releases) })}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), tokens, srv, func() { hs.Close(); srv.pool.Close(); drop() }, nil
}

// reserve is POST /api/v1/me/reservations, one transaction per session id.
func (b *baselineServer) reserve(w http.ResponseWriter, r *http.Request, sessions map[string]baselineSession) {
	attendee := b.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if attendee == "" || r.Method != http.MethodPost {
		http.Error(w, `{"error":{"code":"unauthorized","message":"sign in"}}`, http.StatusUnauthorized)
		return
	}
	var in struct {
		SessionIDs []string `json:"sessionIds"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&in); err != nil || len(in.SessionIDs) == 0 || len(in.SessionIDs) > 10 {
		http.Error(w, `{"error":{"code":"invalid","message":"sessionIds"}}`, http.StatusBadRequest)
		return
	}
	if wait, ok := b.take(attendee, len(in.SessionIDs)); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		http.Error(w, `{"error":{"code":"rate_limited","message":"over the quota"}}`, http.StatusTooManyRequests)
		return
	}
	type result struct {
		SessionID    string `json:"sessionId"`
		Status       string `json:"status"`
		ConflictWith string `json:"conflictWith,omitempty"`
	}
	out := struct {
		Results []result `json:"results"`
	}{}
	for _, id := range in.SessionIDs {
		status, with, err := b.reserveOne(r.Context(), attendee, id, sessions)
		if err != nil {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"code":"unavailable","message":"retry"}}`, http.StatusServiceUnavailable)
			return
		}
		out.Results = append(out.Results, result{id, status, with})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(out)
}

// reserveOne is the per-request transaction: lock the attendee and the
// session, read the attendee's reservations (one pipelined round trip),
// decide, write, commit.
func (b *baselineServer) reserveOne(ctx context.Context, attendee, id string, sessions map[string]baselineSession) (status, conflictWith string, err error) {
	s, ok := sessions[id]
	switch {
	case !ok:
		return "unknown", "", nil
	case !time.Now().Before(s.release):
		return "closed", "", nil
	}
	err = pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		var capacity, reserved int
		var already bool
		var onDay int
		var with *string
		batch := &pgx.Batch{}
		batch.Queue(`SELECT 1 FROM attendees WHERE id = $1 FOR UPDATE`, attendee)
		batch.Queue(`SELECT capacity, reserved FROM sessions WHERE id = $1 FOR UPDATE`, id).QueryRow(func(row pgx.Row) error {
			return row.Scan(&capacity, &reserved)
		})
		batch.Queue(`SELECT COALESCE(bool_or(session = $2), false),
				(array_agg(session) FILTER (WHERE session <> $2 AND start_ms < $4 AND $3 < end_ms))[1],
				count(*) FILTER (WHERE day = $5)
			FROM reservations WHERE attendee = $1`, attendee, id, s.start, s.end, s.day).QueryRow(func(row pgx.Row) error {
			return row.Scan(&already, &with, &onDay)
		})
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		switch {
		case already:
			status = "already"
		case with != nil:
			status, conflictWith = "conflict", *with
		case onDay >= b.cap:
			status = "cap_reached"
		case reserved >= capacity:
			status = "full"
		default:
			status = "reserved"
			w := &pgx.Batch{}
			w.Queue(`INSERT INTO reservations (attendee, session, start_ms, end_ms, day) VALUES ($1, $2, $3, $4, $5)`,
				attendee, id, s.start, s.end, s.day)
			w.Queue(`UPDATE sessions SET reserved = reserved + 1 WHERE id = $1`, id)
			return tx.SendBatch(ctx, w).Close()
		}
		return nil
	})
	return status, conflictWith, err
}

// take spends n of the attendee's quota tokens (30 a minute, as
// venuehop's default).
func (b *baselineServer) take(attendee string, n int) (time.Duration, bool) {
	const perMinute = 30.0
	b.quotaMu.Lock()
	defer b.quotaMu.Unlock()
	now := time.Now()
	q := b.quota[attendee]
	if q == nil {
		q = &bucket{tokens: perMinute, refilled: now}
		b.quota[attendee] = q
	}
	q.tokens = min(perMinute, q.tokens+now.Sub(q.refilled).Minutes()*perMinute)
	q.refilled = now
	if q.tokens >= float64(n) {
		q.tokens -= float64(n)
		return 0, true
	}
	return time.Duration((float64(n) - q.tokens) / perMinute * float64(time.Minute)), false
}

// outcome counts the seats the baseline holds beyond capacity, and its
// reservations (the counters must agree with the rows).
func (b *baselineServer) outcome(ctx context.Context) (overbooked, reserved int, err error) {
	var rows int
	err = b.pool.QueryRow(ctx, `SELECT COALESCE(sum(GREATEST(0, reserved - capacity)), 0), COALESCE(sum(reserved), 0),
			(SELECT count(*) FROM reservations) FROM sessions`).Scan(&overbooked, &reserved, &rows)
	if err == nil && rows != reserved {
		err = fmt.Errorf("the baseline's counters say %d reserved but it holds %d reservations", reserved, rows)
	}
	return overbooked, reserved, err
}

// targetSessions reads the target's reservable sessions with their
// capacities (occupancy) and times (the catalog).
func targetSessions(ctx context.Context, client *http.Client, base string, occ []sessionOccupancy) ([]baselineSession, error) {
	capOf := make(map[string]int, len(occ))
	for _, o := range occ {
		capOf[o.SessionID] = o.Capacity - o.Reserved - o.Held
	}
	var out []baselineSession
	cursor := ""
	for {
		var page struct {
			Sessions []struct {
				ID         string
				Start, End *time.Time
				Reservable bool
			}
			Next string
		}
		q := url.Values{"reservable": {"true"}, "limit": {"200"}, "sort": {"start"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if err := doJSON(ctx, client, http.MethodGet, base+"/api/v1/sessions?"+q.Encode(), "", nil, &page); err != nil {
			return nil, err
		}
		for _, s := range page.Sessions {
			c, ok := capOf[s.ID]
			if !ok || s.Start == nil || s.End == nil {
				continue
			}
			out = append(out, baselineSession{id: s.ID, capacity: max(0, c), start: s.Start.UnixMilli(), end: s.End.UnixMilli(),
				day: s.Start.Format(time.DateOnly), release: s.Start.Add(-10 * time.Minute)})
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if len(out) == 0 {
		return nil, errors.New("the target lists no reservable sessions for the baseline")
	}
	return out, nil
}
