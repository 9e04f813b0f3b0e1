package sqlite

import "context"

// Locks lists the attendee's locked items, sorted (agenda.PlanStore).
func (p *Plans) Locks(ctx context.Context, attendeeID string) ([]string, error) {
	rows, err := p.read.QueryContext(ctx, `SELECT item FROM plan_locks WHERE attendee = ? ORDER BY item`, attendeeID)
	if err != nil {
		return nil, dbErr(err, "reading locks")
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var item string
		if err := rows.Scan(&item); err != nil {
			return nil, dbErr(err, "reading locks")
		}
		out = append(out, item)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "reading locks")
	}
	return out, nil
}

// SetLock locks or unlocks one item; doing it twice is doing it once.
func (p *Plans) SetLock(ctx context.Context, attendeeID, item string, locked bool) error {
	q := `DELETE FROM plan_locks WHERE attendee = ? AND item = ?`
	if locked {
		q = `INSERT OR IGNORE INTO plan_locks (attendee, item) VALUES (?, ?)`
	}
	if _, err := p.write.ExecContext(ctx, q, attendeeID, item); err != nil {
		return dbErr(err, "saving a lock")
	}
	return nil
}
