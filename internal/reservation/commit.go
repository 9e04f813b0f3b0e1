package reservation

import (
	"context"
	"time"
)

// committer makes the sequencer's decisions durable. There are two:
// singleCommit for one node (Store.Apply) and logCommit for several nodes
// that share one log (SharedLog, shared.go). Nothing else in the engine
// differs between one node and several.
type committer interface {
	// loadSeats reads the stored seat state to rebuild memory from.
	loadSeats(ctx context.Context, since time.Time) (*Stored, error)
	// commitLoad makes the repairs a load found durable. An error
	// wrapping ErrStale means another node committed between the read
	// and the write: load again.
	commitLoad(ctx context.Context, ops []Op) error
	// run decides the batch and commits its ops. On an error nothing of
	// the batch is durable (the caller reloads).
	run(ctx context.Context, rs []*request) error
}

// singleCommit is one node: the store is this engine's alone, so a batch
// is decided once and written with one Apply.
type singleCommit struct {
	q     *sequencer
	store Store
}

func (c *singleCommit) loadSeats(ctx context.Context, since time.Time) (*Stored, error) {
	return c.store.LoadSeats(ctx, since)
}

func (c *singleCommit) commitLoad(ctx context.Context, ops []Op) error {
	if !writes(ops) {
		return nil
	}
	return c.store.Apply(ctx, ops)
}

func (c *singleCommit) run(ctx context.Context, rs []*request) error {
	b := batch{q: c.q, rs: rs}
	b.decide(false)
	if !writes(c.q.ops) {
		return nil // every answer is a refusal, or the quota alone was spent
	}
	defer c.q.e.timeStore(time.Now())
	return c.store.Apply(ctx, c.q.ops)
}

// batch is one group of requests decided together, and what is needed to
// take the decisions back.
type batch struct {
	q       *sequencer
	rs      []*request
	decided bool
	// offered and changes mark where this batch's notes start.
	offered, changes int
}

// decide processes the work due now and decides every request, recording
// the inverse of every change when journal is set.
func (b *batch) decide(journal bool) {
	q := b.q
	b.decided = true
	b.offered, b.changes = len(q.offered), len(q.changes)
	now := q.e.clock.Now()
	q.ops = q.ops[:0]
	if journal {
		q.st.Record()
	}
	q.due(now)
	for _, r := range b.rs {
		r.reset()
		q.decide(r, now)
	}
	q.st.Pause()
}

// takeBack undoes the last decide: the state, the ops and what it would
// announce. What replaying other nodes' entries announced stays (sessions
// marked changed stay marked: publishing a count again is harmless).
func (b *batch) takeBack() {
	if !b.decided {
		return
	}
	b.decided = false
	q := b.q
	q.st.Rollback()
	clear(q.offered[b.offered:])
	q.offered = q.offered[:b.offered]
	clear(q.changes[b.changes:])
	q.changes = q.changes[:b.changes]
	q.ops = q.ops[:0]
}

// only reports whether every request of the batch is of kind k.
func (b *batch) only(k reqKind) bool {
	for _, r := range b.rs {
		if r.kind != k {
			return false
		}
	}
	return true
}

// any reports whether some request of the batch is of kind k.
func (b *batch) any(k reqKind) bool {
	for _, r := range b.rs {
		if r.kind == k {
			return true
		}
	}
	return false
}
