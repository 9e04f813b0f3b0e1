package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"venuehop/internal/agenda"
	"venuehop/internal/errcode"
)

// Plans implements agenda.PlanStore on this database.
type Plans struct {
	read, write *sql.DB
}

var _ agenda.PlanStore = (*Plans)(nil)

// Plans returns the plan store of this database.
func (s *Store) Plans() *Plans { return &Plans{read: s.read, write: s.write} }

func planNotFound(id string) error {
	return errcode.New(errcode.NotFound, "you have no plan %q", id)
}

func (p *Plans) SavePlan(ctx context.Context, sp agenda.StoredPlan) error {
	_, err := p.write.ExecContext(ctx,
		`INSERT INTO plans (id, attendee, created_at, origin, state, body) VALUES (?, ?, ?, ?, ?, ?)`,
		sp.ID, sp.Attendee, sp.Created.UnixMilli(), sp.Origin, sp.State, string(sp.Body))
	if err != nil {
		return dbErr(err, "saving a plan")
	}
	return nil
}

const planColumns = `id, attendee, created_at, origin, state, body`

func scanPlan(row interface{ Scan(...any) error }) (agenda.StoredPlan, error) {
	var sp agenda.StoredPlan
	var created int64
	var body string
	if err := row.Scan(&sp.ID, &sp.Attendee, &created, &sp.Origin, &sp.State, &body); err != nil {
		return sp, err
	}
	sp.Created, sp.Body = time.UnixMilli(created).UTC(), []byte(body)
	return sp, nil
}

func (p *Plans) one(ctx context.Context, what, q string, args ...any) (agenda.StoredPlan, bool, error) {
	sp, err := scanPlan(p.read.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE `+q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return sp, false, nil
	}
	if err != nil {
		return sp, false, dbErr(err, what)
	}
	return sp, true, nil
}

func (p *Plans) Plan(ctx context.Context, attendeeID, planID string) (agenda.StoredPlan, error) {
	sp, ok, err := p.one(ctx, "reading a plan", `id = ? AND attendee = ?`, planID, attendeeID)
	if err == nil && !ok {
		err = planNotFound(planID)
	}
	return sp, err
}

func (p *Plans) AcceptedPlan(ctx context.Context, attendeeID string) (agenda.StoredPlan, bool, error) {
	return p.one(ctx, "reading the accepted plan", `attendee = ? AND state = 'accepted'`, attendeeID)
}

func (p *Plans) LatestProposal(ctx context.Context, attendeeID, origin string) (agenda.StoredPlan, bool, error) {
	return p.one(ctx, "reading a proposal",
		`attendee = ? AND state = 'proposed' AND origin = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`, attendeeID, origin)
}

func (p *Plans) AcceptPlan(ctx context.Context, attendeeID, planID string) error {
	tx, err := p.write.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "accepting a plan")
	}
	defer tx.Rollback()
	var body, state string
	err = tx.QueryRowContext(ctx, `SELECT body, state FROM plans WHERE id = ? AND attendee = ?`, planID, attendeeID).Scan(&body, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return planNotFound(planID)
	}
	if err != nil {
		return dbErr(err, "accepting a plan")
	}
	if state == agenda.StateAccepted {
		return nil // accepting twice is accepting once
	}
	var prop agenda.Proposal
	if err := json.Unmarshal([]byte(body), &prop); err != nil {
		return errcode.Wrap(errcode.Internal, err, "reading a stored plan")
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE plans SET state = 'superseded' WHERE attendee = ? AND state = 'accepted'`, []any{attendeeID}},
		// Older proposals of a change are answered by this choice.
		{`UPDATE plans SET state = 'rejected' WHERE attendee = ? AND state = 'proposed' AND origin = 'change' AND id != ?`, []any{attendeeID, planID}},
		{`UPDATE plans SET state = 'accepted' WHERE id = ?`, []any{planID}},
		{`DELETE FROM plan_sessions WHERE attendee = ?`, []any{attendeeID}},
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return dbErr(err, "accepting a plan")
		}
	}
	ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO plan_sessions (session, attendee, plan_id) VALUES (?, ?, ?)`)
	if err != nil {
		return dbErr(err, "accepting a plan")
	}
	defer ins.Close()
	for _, id := range prop.Sessions() {
		if _, err := ins.ExecContext(ctx, id, attendeeID, planID); err != nil {
			return dbErr(err, "accepting a plan")
		}
	}
	if err := tx.Commit(); err != nil {
		return dbErr(err, "accepting a plan")
	}
	return nil
}

func (p *Plans) RejectPlan(ctx context.Context, attendeeID, planID string) error {
	res, err := p.write.ExecContext(ctx,
		`UPDATE plans SET state = 'rejected' WHERE id = ? AND attendee = ? AND state = 'proposed'`, planID, attendeeID)
	if err != nil {
		return dbErr(err, "rejecting a plan")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := p.Plan(ctx, attendeeID, planID); err != nil {
			return err // missing, or another attendee's
		}
	}
	return nil
}

func (p *Plans) PlanAttendees(ctx context.Context, sessionID string) ([]string, error) {
	rows, err := p.read.QueryContext(ctx, `SELECT attendee FROM plan_sessions WHERE session = ? ORDER BY attendee`, sessionID)
	if err != nil {
		return nil, dbErr(err, "finding plans")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, dbErr(err, "finding plans")
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "finding plans")
	}
	return out, nil
}
