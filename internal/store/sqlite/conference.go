package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/store"
)

// keepRevisions is how many conference revisions are kept. Older ones are
// deleted by the save that makes them old. A demo-sized document is a few MB
// and organizers may save often during set-up, so keeping all would grow the
// file without bound; the last few are enough to inspect or restore a recent
// mistake by hand (`sqlite3 venuehop.db "SELECT body ..."`).
const keepRevisions = 10

// LoadConference returns the newest revision, or an errcode.NotFound error
// when nothing has been saved yet.
func (s *Store) LoadConference(ctx context.Context) (*conference.Conference, int64, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT rev, body FROM conference_revisions ORDER BY rev DESC LIMIT 1`)
	if err != nil {
		return nil, 0, dbErr(err, "loading the conference")
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, 0, dbErr(err, "loading the conference")
		}
		return nil, 0, errcode.New(errcode.NotFound, "no conference is stored yet; import one or run `venuehop demo`")
	}
	var rev int64
	// RawBytes decodes the document where the driver put it, saving a copy
	// of a few MB on the restart path.
	var body sql.RawBytes
	if err := rows.Scan(&rev, &body); err != nil {
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

// SaveConference stores c as revision baseRev+1 if the newest stored revision
// is still baseRev (0: nothing stored yet); otherwise it returns an
// errcode.Conflict error. The check and the insert share one IMMEDIATE
// transaction, so concurrent saves from the same base cannot both win, and a
// failing save writes nothing.
func (s *Store) SaveConference(ctx context.Context, c *conference.Conference, baseRev int64) (int64, error) {
	body, err := store.EncodeConference(c)
	if err != nil {
		return 0, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, dbErr(err, "saving the conference")
	}
	defer tx.Rollback()
	rev, err := saveConferenceTx(ctx, tx, body, baseRev)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, dbErr(err, "saving the conference")
	}
	return rev, nil
}

// saveConferenceTx stores body as the revision after baseRev in tx, or
// returns an errcode.Conflict error when baseRev is not the newest.
func saveConferenceTx(ctx context.Context, tx *sql.Tx, body []byte, baseRev int64) (int64, error) {
	var newest int64
	if err := tx.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(rev), 0) FROM conference_revisions`).Scan(&newest); err != nil {
		return 0, dbErr(err, "saving the conference")
	}
	if newest != baseRev {
		return 0, errcode.New(errcode.Conflict,
			"the conference changed meanwhile: newest revision is %d, this change was based on %d; reload and retry", newest, baseRev)
	}
	rev := newest + 1
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO conference_revisions (rev, saved_at, body) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?)`,
		rev, body); err != nil {
		return 0, dbErr(err, "saving the conference")
	}
	if _, err := tx.ExecContext(ctx,
		`DELETE FROM conference_revisions WHERE rev <= ?`, rev-keepRevisions); err != nil {
		return 0, dbErr(err, "pruning old conference revisions")
	}
	return rev, nil
}

// Check verifies the database: SQLite's own integrity check, a schema
// version this binary knows, a stored conference that decodes and
// validates, the seat invariants and the favourites agreeing with their
// sync states. It returns one string per violation.
func (s *Store) Check(ctx context.Context) ([]string, error) {
	var problems []string

	rows, err := s.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, dbErr(err, "checking integrity")
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, dbErr(err, "checking integrity")
		}
		if line != "ok" {
			problems = append(problems, "integrity_check: "+line)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, dbErr(err, "checking integrity")
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "checking integrity")
	}

	applied := map[int64]bool{}
	rows, err = s.read.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, dbErr(err, "checking the schema version")
	}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, dbErr(err, "checking the schema version")
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "checking the schema version")
	}
	known := map[int64]bool{}
	for _, m := range s.migrations {
		known[m.Version] = true
		if !applied[m.Version] {
			problems = append(problems, fmt.Sprintf("schema: migration %s is not applied", m.Name))
		}
	}
	for v := range applied {
		if !known[v] {
			problems = append(problems, fmt.Sprintf("schema: version %d is unknown to this venuehop (max %d)", v, len(s.migrations)))
		}
	}

	var rev int64
	var body []byte
	var stored *conference.Conference
	err = s.read.QueryRowContext(ctx,
		`SELECT rev, body FROM conference_revisions ORDER BY rev DESC LIMIT 1`).Scan(&rev, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// An empty store is healthy.
	case err != nil:
		return nil, dbErr(err, "checking the conference")
	default:
		c, err := decodeConference(rev, body)
		if err != nil {
			problems = append(problems, err.Error())
			break
		}
		stored = c
		// Room overlaps are warnings: imports of real schedules may carry
		// them (conference.ValidateOptions), so they are not corruption.
		for _, p := range conference.Validate(c, conference.ValidateOptions{RoomOverlapIsWarning: true}) {
			if !p.Warning {
				problems = append(problems, fmt.Sprintf("conference revision %d: %s", rev, p))
			}
		}
	}
	var disagree int64
	if err := s.read.QueryRowContext(ctx, favoritesAgreeSQL).Scan(&disagree); err != nil {
		return nil, dbErr(err, "checking favourites")
	}
	if disagree > 0 {
		problems = append(problems, fmt.Sprintf("favourites: %d favourite(s) disagree with their sync state (favorites and favorite_changes must hold the same starred contents)", disagree))
	}
	seats, err := s.checkSeats(ctx, stored)
	if err != nil {
		return nil, err
	}
	return append(problems, seats...), nil
}

// favoritesAgreeSQL counts favourites without their starred sync state
// and starred states without their favourite.
const favoritesAgreeSQL = `SELECT (SELECT count(*) FROM favorites f WHERE NOT EXISTS (SELECT 1 FROM favorite_changes c
		WHERE c.user_id = f.user_id AND c.repeat_group = f.repeat_group AND c.starred = 1 AND c.priority = f.priority AND c.session_id = f.session_id))
	+ (SELECT count(*) FROM favorite_changes c WHERE c.starred = 1 AND NOT EXISTS (SELECT 1 FROM favorites f
		WHERE f.user_id = c.user_id AND f.repeat_group = c.repeat_group))`
