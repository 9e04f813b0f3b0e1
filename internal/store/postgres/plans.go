package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"venuehop/internal/agenda"
	"venuehop/internal/errcode"
)

// Plans implements agenda.PlanStore on this database.
type Plans struct{ s *Store }

var _ agenda.PlanStore = (*Plans)(nil)

// Plans returns the plan store of this database.
func (s *Store) Plans() agenda.PlanStore { return &Plans{s: s} }

func planNotFound(id string) error {
	return errcode.New(errcode.NotFound, "you have no plan %q", id)
}

func (p *Plans) SavePlan(ctx context.Context, sp agenda.StoredPlan) error {
	_, err := p.s.pool.Exec(ctx,
		`INSERT INTO plans (id, attendee, created_at, origin, state, body) VALUES ($1, $2, $3, $4, $5, $6)`,
		sp.ID, sp.Attendee, sp.Created.UnixMilli(), sp.Origin, sp.State, string(sp.Body))
	if err != nil {
		return dbErr(err, "saving a plan")
	}
	return nil
}

const planColumns = `id, attendee, created_at, origin, state, body`

func scanPlan(row pgx.Row) (agenda.StoredPlan, error) {
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
	sp, err := scanPlan(p.s.pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE `+q, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return sp, false, nil
	}
	if err != nil {
		return sp, false, dbErr(err, what)
	}
	return sp, true, nil
}

func (p *Plans) Plan(ctx context.Context, attendeeID, planID string) (agenda.StoredPlan, error) {
	sp, ok, err := p.one(ctx, "reading a plan", `id = $1 AND attendee = $2`, planID, attendeeID)
	if err == nil && !ok {
		err = planNotFound(planID)
	}
	return sp, err
}

func (p *Plans) AcceptedPlan(ctx context.Context, attendeeID string) (agenda.StoredPlan, bool, error) {
	return p.one(ctx, "reading the accepted plan", `attendee = $1 AND state = 'accepted'`, attendeeID)
}

func (p *Plans) LatestProposal(ctx context.Context, attendeeID, origin string) (agenda.StoredPlan, bool, error) {
	return p.one(ctx, "reading a proposal",
		`attendee = $1 AND state = 'proposed' AND origin = $2 ORDER BY created_at DESC, seq DESC LIMIT 1`, attendeeID, origin)
}

// AcceptPlan makes the plan the accepted one. Two accepts of different
// plans of one attendee at the same instant meet at the unique index of
// accepted plans; the loser runs again and supersedes the winner, as if
// it had come a moment later.
func (p *Plans) AcceptPlan(ctx context.Context, attendeeID, planID string) error {
	var err error
	for range 3 {
		if err = p.acceptPlan(ctx, attendeeID, planID); !isUnique(err) {
			return err
		}
	}
	return errcode.Wrap(errcode.Conflict, err, "another plan was accepted at the same moment; reload and retry")
}

func (p *Plans) acceptPlan(ctx context.Context, attendeeID, planID string) error {
	return p.s.inTx(ctx, "accepting a plan", pgx.TxOptions{}, func(tx pgx.Tx) error {
		// Locking the plan row first serialises two accepts of the same
		// plan.
		var body, state string
		err := tx.QueryRow(ctx, `SELECT body, state FROM plans WHERE id = $1 AND attendee = $2 FOR UPDATE`, planID, attendeeID).Scan(&body, &state)
		if errors.Is(err, pgx.ErrNoRows) {
			return planNotFound(planID)
		}
		if err != nil {
			return err
		}
		if state == agenda.StateAccepted {
			return nil // accepting twice is accepting once
		}
		var prop agenda.Proposal
		if err := json.Unmarshal([]byte(body), &prop); err != nil {
			return errcode.Wrap(errcode.Internal, err, "reading a stored plan")
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE plans SET state = 'superseded' WHERE attendee = $1 AND state = 'accepted'`, attendeeID)
		// Older proposals of a change are answered by this choice.
		b.Queue(`UPDATE plans SET state = 'rejected' WHERE attendee = $1 AND state = 'proposed' AND origin = 'change' AND id <> $2`, attendeeID, planID)
		b.Queue(`UPDATE plans SET state = 'accepted' WHERE id = $1`, planID)
		b.Queue(`DELETE FROM plan_sessions WHERE attendee = $1`, attendeeID)
		b.Queue(`INSERT INTO plan_sessions (session, attendee, plan_id) SELECT DISTINCT s, $2, $3 FROM unnest($1::text[]) AS s ON CONFLICT DO NOTHING`,
			prop.Sessions(), attendeeID, planID)
		return tx.SendBatch(ctx, b).Close()
	})
}

func (p *Plans) RejectPlan(ctx context.Context, attendeeID, planID string) error {
	tag, err := p.s.pool.Exec(ctx,
		`UPDATE plans SET state = 'rejected' WHERE id = $1 AND attendee = $2 AND state = 'proposed'`, planID, attendeeID)
	if err != nil {
		return dbErr(err, "rejecting a plan")
	}
	if tag.RowsAffected() == 0 {
		if _, err := p.Plan(ctx, attendeeID, planID); err != nil {
			return err // missing, or another attendee's
		}
	}
	return nil
}

func (p *Plans) PlanAttendees(ctx context.Context, sessionID string) ([]string, error) {
	out, err := collect(ctx, p.s.pool, `SELECT attendee FROM plan_sessions WHERE session = $1 ORDER BY attendee`, []any{sessionID},
		func(r pgx.Rows) (string, error) {
			var a string
			return a, r.Scan(&a)
		})
	if err != nil {
		return nil, dbErr(err, "finding plans")
	}
	return out, nil
}
