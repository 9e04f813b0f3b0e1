package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Locks lists the attendee's locked items, sorted (agenda.PlanStore).
func (p *Plans) Locks(ctx context.Context, attendeeID string) ([]string, error) {
	out, err := collect(ctx, p.s.pool, `SELECT item FROM plan_locks WHERE attendee = $1 ORDER BY item`, []any{attendeeID},
		func(r pgx.Rows) (string, error) {
			var item string
			return item, r.Scan(&item)
		})
	if err != nil {
		return nil, dbErr(err, "reading locks")
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// SetLock locks or unlocks one item; doing it twice is doing it once.
func (p *Plans) SetLock(ctx context.Context, attendeeID, item string, locked bool) error {
	q := `DELETE FROM plan_locks WHERE attendee = $1 AND item = $2`
	if locked {
		q = `INSERT INTO plan_locks (attendee, item) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	}
	if _, err := p.s.pool.Exec(ctx, q, attendeeID, item); err != nil {
		return dbErr(err, "saving a lock")
	}
	return nil
}
