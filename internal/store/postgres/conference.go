package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
	"venuehop/internal/store/seatcheck"
)

// keepRevisions is how many conference revisions are kept (as in SQLite).
const keepRevisions = 10

// LoadConference returns the newest revision, or an errcode.NotFound error
// when nothing has been saved yet.
func (s *Store) LoadConference(ctx context.Context) (*conference.Conference, int64, error) {
	var rev int64
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT rev, body FROM conference_revisions ORDER BY rev DESC LIMIT 1`).Scan(&rev, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, errcode.New(errcode.NotFound, "no conference is stored yet; import one or run `venuehop demo`")
	}
	if err != nil {
		return nil, 0, dbErr(err, "loading the conference")
	}
	c, err := decodeConference(rev, body)
	if err != nil {
		return nil, 0, err
	}
	return c, rev, nil
}

func decodeConference(rev int64, body []byte) (*conference.Conference, error) {
	var c conference.Conference
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "stored conference revision %d does not decode", rev)
	}
	return &c, nil
}

// SaveConference stores c as revision baseRev+1 if the newest stored
// revision is still baseRev; otherwise errcode.Conflict. Two saves from the
// same base race for the same primary key: the loser's insert fails with a
// unique violation, reported as the same conflict. The seat guard's
// capacities and times (session_seats) change in the same transaction.
func (s *Store) SaveConference(ctx context.Context, c *conference.Conference, baseRev int64) (int64, error) {
	body, err := store.EncodeConference(c)
	if err != nil {
		return 0, err
	}
	op := &reservation.Op{Kind: reservation.OpConference, Conference: c, Seq: baseRev}
	if err := s.inPipeline(ctx, func(p *seatPipe) error { queueConference(p, op, body); return nil }); err != nil {
		return 0, dbErr(seatErr(err), "saving the conference")
	}
	return baseRev + 1, nil
}

// guardCapacity is the most seats Apply lets a session's reservations and
// offers reach: its reservable capacity while it is scheduled and not
// cancelled, else 0. It may be below what is already reserved (an
// organizer lowered it); Apply then refuses increases, never a release.
func guardCapacity(se *conference.Session, capacities map[string]int) int64 {
	if se.Cancelled || !se.Scheduled() {
		return 0
	}
	return int64(max(0, capacities[se.ID]))
}

// queueSessions writes the guard's inputs for c's sessions into
// session_seats; sessions no longer in c get capacity 0. Rows whose values
// do not change are not rewritten, so a save during a rush leaves the hot
// counter rows alone.
func queueSessions(b queuer, c *conference.Conference) {
	caps := seatcheck.Capacities(c)
	n := len(c.Sessions)
	ids := make([]string, n)
	capacity := make([]int64, n)
	starts := make([]*int64, n)
	ends := make([]*int64, n)
	for i := range c.Sessions {
		se := &c.Sessions[i]
		ids[i] = se.ID
		capacity[i] = guardCapacity(se, caps)
		if se.Scheduled() {
			st, en := se.Start.UnixMilli(), se.End.UnixMilli()
			starts[i], ends[i] = &st, &en
		}
	}
	b.Queue(`INSERT INTO session_seats (session, capacity, start_at, end_at)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
		ON CONFLICT (session) DO UPDATE SET capacity = EXCLUDED.capacity, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at
		WHERE (session_seats.capacity, session_seats.start_at, session_seats.end_at)
		      IS DISTINCT FROM (EXCLUDED.capacity, EXCLUDED.start_at, EXCLUDED.end_at)`,
		ids, capacity, starts, ends)
	b.Queue(`UPDATE session_seats SET capacity = 0, start_at = NULL, end_at = NULL
		WHERE NOT (session = ANY($1::text[])) AND (capacity <> 0 OR start_at IS NOT NULL)`, ids)
}

// Check verifies the database: a schema version this binary knows, a
// stored conference that decodes and validates, the seat invariants
// (seatcheck), the guard's capacities agreeing with the conference and
// the favourites agreeing with their sync states. It
// reads everything in one REPEATABLE READ snapshot, so a check running
// beside live traffic sees one consistent state.
func (s *Store) Check(ctx context.Context) ([]string, error) {
	var problems []string
	err := s.inTx(ctx, "checking the database", pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		problems = nil
		p, err := s.checkTx(ctx, tx)
		problems = p
		return err
	})
	if err != nil {
		return nil, err
	}
	return problems, nil
}

func (s *Store) checkTx(ctx context.Context, tx pgx.Tx) ([]string, error) {
	problems, err := s.checkSchema(ctx, tx)
	if err != nil {
		return nil, err
	}
	stored, more, err := checkConference(ctx, tx)
	if err != nil {
		return nil, err
	}
	problems = append(problems, more...)
	in, guards, err := readSeats(ctx, tx, stored)
	if err != nil {
		return nil, err
	}
	problems = append(problems, seatcheck.Problems(in)...)
	var disagree int64
	if err := tx.QueryRow(ctx, favoritesAgreeSQL).Scan(&disagree); err != nil {
		return nil, err
	}
	if disagree > 0 {
		problems = append(problems, fmt.Sprintf("favourites: %d favourite(s) disagree with their sync state (favorites and favorite_changes must hold the same starred contents)", disagree))
	}
	return append(problems, checkGuards(stored, guards)...), nil
}

// favoritesAgreeSQL counts favourites without their starred sync state
// and starred states without their favourite.
const favoritesAgreeSQL = `SELECT (SELECT count(*) FROM favorites f WHERE NOT EXISTS (SELECT 1 FROM favorite_changes c
		WHERE c.user_id = f.user_id AND c.repeat_group = f.repeat_group AND c.starred AND c.priority = f.priority AND c.session_id = f.session_id))
	+ (SELECT count(*) FROM favorite_changes c WHERE c.starred AND NOT EXISTS (SELECT 1 FROM favorites f
		WHERE f.user_id = c.user_id AND f.repeat_group = c.repeat_group))`

// checkSchema compares the applied migrations with this binary's.
func (s *Store) checkSchema(ctx context.Context, tx pgx.Tx) ([]string, error) {
	applied, err := collect(ctx, tx, `SELECT version FROM schema_migrations ORDER BY version`, nil, func(r pgx.Rows) (int64, error) {
		var v int64
		return v, r.Scan(&v)
	})
	if err != nil {
		return nil, err
	}
	var problems []string
	have := map[int64]bool{}
	for _, v := range applied {
		have[v] = true
	}
	known := map[int64]bool{}
	for _, m := range s.migrations {
		known[m.Version] = true
		if !have[m.Version] {
			problems = append(problems, fmt.Sprintf("schema: migration %s is not applied", m.Name))
		}
	}
	for _, v := range applied {
		if !known[v] {
			problems = append(problems, fmt.Sprintf("schema: version %d is unknown to this venuehop (max %d)", v, len(s.migrations)))
		}
	}
	return problems, nil
}

// checkConference decodes and validates the newest revision (nil when
// none is stored: an empty store is healthy).
func checkConference(ctx context.Context, tx pgx.Tx) (*conference.Conference, []string, error) {
	var rev int64
	var body []byte
	err := tx.QueryRow(ctx, `SELECT rev, body FROM conference_revisions ORDER BY rev DESC LIMIT 1`).Scan(&rev, &body)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil, nil
	case err != nil:
		return nil, nil, err
	}
	c, err := decodeConference(rev, body)
	if err != nil {
		return nil, []string{err.Error()}, nil
	}
	var problems []string
	for _, p := range conference.Validate(c, conference.ValidateOptions{RoomOverlapIsWarning: true}) {
		if !p.Warning {
			problems = append(problems, fmt.Sprintf("conference revision %d: %s", rev, p))
		}
	}
	return c, problems, nil
}

// guardRow is one session's seat guard inputs (session_seats).
type guardRow struct {
	capacity   int64
	start, end *int64
}

// readSeats reads what seatcheck checks, and the guard rows.
func readSeats(ctx context.Context, tx pgx.Tx, stored *conference.Conference) (seatcheck.Input, map[string]guardRow, error) {
	in := seatcheck.Input{Conf: stored, Counters: map[string]seatcheck.Counter{}, OpenOffers: map[string]int64{}}
	guards := map[string]guardRow{}
	rows, err := tx.Query(ctx, `SELECT session, reserved, held, capacity, start_at, end_at FROM session_seats`)
	if err != nil {
		return in, nil, err
	}
	for rows.Next() {
		var id string
		var c seatcheck.Counter
		var g guardRow
		if err := rows.Scan(&id, &c.Reserved, &c.Held, &g.capacity, &g.start, &g.end); err != nil {
			rows.Close()
			return in, nil, err
		}
		// Rows written only for the guard (no seat ever) are not seats.
		if c.Reserved != 0 || c.Held != 0 {
			in.Counters[id] = c
		}
		guards[id] = g
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return in, nil, err
	}
	in.Active, err = collect(ctx, tx, `SELECT attendee, session FROM reservations WHERE ended = 0 ORDER BY attendee, session`, nil,
		func(r pgx.Rows) (seatcheck.Holding, error) {
			var h seatcheck.Holding
			return h, r.Scan(&h.Attendee, &h.Session)
		})
	if err != nil {
		return in, nil, err
	}
	type offerCount struct {
		session string
		n       int64
	}
	counts, err := collect(ctx, tx, `SELECT session, count(*) FROM offers WHERE state = 'open' GROUP BY session`, nil,
		func(r pgx.Rows) (offerCount, error) {
			var o offerCount
			return o, r.Scan(&o.session, &o.n)
		})
	for _, o := range counts {
		in.OpenOffers[o.session] = o.n
	}
	if err != nil {
		return in, nil, err
	}
	// Check-ins of attendees without an account (the API refuses them;
	// older stores may hold some). A store with no account at all keeps
	// seats without accounts (tests of the engine): nobody to compare with.
	in.StrayCheckIns, err = collect(ctx, tx, `SELECT attendee, session FROM checkins
		WHERE attendee NOT IN (SELECT id FROM users) AND EXISTS (SELECT 1 FROM users) ORDER BY attendee, session`, nil,
		func(r pgx.Rows) (seatcheck.Holding, error) {
			var h seatcheck.Holding
			return h, r.Scan(&h.Attendee, &h.Session)
		})
	return in, guards, err
}

// checkGuards: the guard must see what the conference says, or it would
// refuse good reservations or let bad ones through.
func checkGuards(stored *conference.Conference, guards map[string]guardRow) []string {
	if stored == nil {
		return nil
	}
	var problems []string
	caps := seatcheck.Capacities(stored)
	for i := range stored.Sessions {
		se := &stored.Sessions[i]
		g, ok := guards[se.ID]
		want := guardCapacity(se, caps)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("session %s: no seat guard row (session_seats)", se.ID))
		case g.capacity != want:
			problems = append(problems, fmt.Sprintf("session %s: the seat guard allows %d seats but the conference gives %d", se.ID, g.capacity, want))
		case se.Scheduled() && (g.start == nil || g.end == nil || *g.start != se.Start.UnixMilli() || *g.end != se.End.UnixMilli()):
			problems = append(problems, fmt.Sprintf("session %s: the seat guard has other times than the conference", se.ID))
		}
	}
	return problems
}

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, args []any, scan func(pgx.Rows) (T, error)) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
