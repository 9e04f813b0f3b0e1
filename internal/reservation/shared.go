package reservation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/live"
)

// maxAttempts bounds how often a batch is decided again because other
// nodes kept committing first (and how often a load is read again); past
// it the batch is answered unavailable (retry) rather than waiting without
// end.
const maxAttempts = 8

// contendedFor is how long after another node's last commit a batch goes
// straight to the log's lock (ApplyLocked) instead of trying ApplyAt
// first, which mostly loses while the others are busy too.
const contendedFor = time.Second

// errReload aborts an ApplyLocked whose entries cannot be replayed (the
// conference changed, or entries were pruned): sync reloads instead.
var errReload = errors.New("the seat log needs a full reload")

// logCommit is several nodes on one SharedLog: a batch is committed on
// top of the newest log entry this node has seen. If another node
// committed first, the decisions are taken back (the seat state's
// journal) and the batch goes again through ApplyLocked, which waits for
// this node's turn on the log, so a node that lost once cannot keep
// losing. docs/seats.md walks through it.
type logCommit struct {
	q   *sequencer
	log SharedLog

	// head is the newest log entry the state includes; loaded is the
	// head a load read, until its repairs are committed.
	head, loaded int64
	// needSync says other nodes may have committed since.
	needSync bool
	// lastForeign is when another node's commit was last seen (real
	// time): while it is recent, commit under the log's lock at once.
	lastForeign time.Time
}

func (c *logCommit) loadSeats(ctx context.Context, since time.Time) (*Stored, error) {
	stored, head, err := c.log.LoadSeatsAt(ctx, since)
	c.loaded = head
	return stored, err
}

func (c *logCommit) commitLoad(ctx context.Context, ops []Op) error {
	head, err := c.log.ApplyAt(ctx, c.loaded, ops)
	if err != nil {
		return err
	}
	c.setHead(head)
	c.needSync = false
	return nil
}

// run catches up with the other nodes, decides, and commits on top of the
// newest entry: optimistically first (ApplyAt) unless other nodes are
// busy, then under the log's lock.
func (c *logCommit) run(ctx context.Context, rs []*request) error {
	b := &batch{q: c.q, rs: rs}
	defer c.q.st.Forget()
	// A tick and an organizer's change start from the newest state of
	// all nodes. While other nodes commit, a batch with requests goes to
	// the log's lock, which hands it the entries it missed anyway: a
	// tick riding along (another node's commit woke this one) needs no
	// read of its own then.
	if b.any(kUpdate) || b.any(kTick) && (b.only(kTick) || !c.contended()) {
		c.needSync = true
	}
	for attempt := 1; ; attempt++ {
		if c.needSync {
			if err := c.sync(ctx); err != nil {
				return err
			}
		}
		var err error
		if attempt == 1 && !c.contended() {
			var again bool
			if again, err = c.commitOptimistic(ctx, b); err == nil && !again {
				return nil
			} else if err == nil {
				continue
			}
		} else if err = c.commitLocked(ctx, b); err == nil {
			return nil
		}
		if errors.Is(err, errReload) && attempt < maxAttempts {
			c.needSync = true // sync reloads
			continue
		}
		if !IsStale(err) {
			return err
		}
		c.q.e.staleRuns.Add(1)
		c.needSync = true
		c.lastForeign = time.Now()
		if attempt == maxAttempts {
			return errcode.Wrap(errcode.Unavailable, err, "the seats are very busy (other nodes kept committing first); nothing was changed, retry")
		}
		b.takeBack()
	}
}

// contended reports whether another node committed recently: a first
// optimistic try would then mostly lose.
func (c *logCommit) contended() bool {
	return time.Since(c.lastForeign) <= time.Duration(c.q.e.contendedFor.Load())
}

// commitOptimistic decides the batch on this node's state and commits it
// on top of the entry that state includes. again is true when the batch
// must be decided again (answers that write nothing were decided on a
// state another node has moved past).
func (c *logCommit) commitOptimistic(ctx context.Context, b *batch) (again bool, err error) {
	q := c.q
	b.decide(true)
	if len(q.ops) == 0 {
		if b.only(kTick) {
			return false, nil // ticks have no answer to vouch for
		}
		// Answers that write nothing (not found, already, a refusal)
		// were still decided on this node's memory: they hold only if no
		// other node committed meanwhile.
		fresh, err := c.stillNewest(ctx)
		if err != nil || fresh {
			return false, err
		}
		b.takeBack()
		c.needSync = true
		return true, nil
	}
	// The notification of this commit may arrive before ApplyAt returns:
	// it is not news. (If the commit fails, sync or reload follows.)
	q.e.seen.Store(c.head + 1)
	t0 := time.Now()
	head, err := c.log.ApplyAt(ctx, c.head, q.ops)
	q.e.timeStore(t0)
	if err != nil {
		return false, err
	}
	c.setHead(head)
	return false, nil
}

// commitLocked waits for this node's turn on the log, replays what it
// missed and decides the batch in the same transaction: it cannot be
// stale.
func (c *logCommit) commitLocked(ctx context.Context, b *batch) error {
	q := c.q
	defer q.e.timeStore(time.Now())
	head, err := c.log.ApplyLocked(ctx, c.head, func(entries []LogEntry, confRev int64, complete bool) ([]Op, error) {
		b.takeBack() // a retried transaction calls again
		if !complete || confRev > q.st.Conference().Snap.Rev {
			return nil, errReload
		}
		c.replayEntries(entries)
		b.decide(true)
		q.e.seen.Store(c.head + 1)
		return q.ops, nil
	})
	if err != nil {
		return err
	}
	c.setHead(head)
	return nil
}

// sync brings the state up to the newest log entry: it replays the other
// nodes' entries, or reloads everything when the conference changed or
// entries were pruned.
func (c *logCommit) sync(ctx context.Context) error {
	q := c.q
	t0 := time.Now()
	entries, confRev, complete, err := c.log.Since(ctx, c.head)
	q.e.timeStore(t0)
	if err != nil {
		return err
	}
	if confRev > q.st.Conference().Snap.Rev {
		conf, rev, err := c.log.LoadConference(ctx)
		if err != nil {
			return err
		}
		st, err := live.Build(conf, rev)
		if err != nil {
			return fmt.Errorf("conference revision %d saved by another node is invalid: %w", rev, err)
		}
		q.e.live.Store(st)
		complete = false
	}
	if !complete {
		before := q.st.Conference().Snap
		if err := q.load(ctx); err != nil {
			return err
		}
		q.st.TouchAll()
		q.remote = append(q.remote, sessionChanges(before, q.st.Conference().Snap)...)
		return nil
	}
	c.replayEntries(entries)
	c.needSync = false
	return nil
}

// stillNewest reports whether the log has no entry beyond this node's
// state (and the conference is the same), so that answers decided on it
// are as if decided now.
func (c *logCommit) stillNewest(ctx context.Context) (bool, error) {
	t0 := time.Now()
	entries, confRev, complete, err := c.log.Since(ctx, c.head)
	c.q.e.timeStore(t0)
	if err != nil {
		return false, err
	}
	return complete && len(entries) == 0 && confRev <= c.q.st.Conference().Snap.Rev, nil
}

// replayEntries applies the other nodes' entries this state does not
// include yet (a retried ApplyLocked hands the same ones again).
func (c *logCommit) replayEntries(entries []LogEntry) {
	for _, en := range entries {
		c.lastForeign = time.Now()
		if en.Seq > c.head {
			c.q.replay(en.Ops)
			c.setHead(en.Seq)
			c.q.e.replayed.Add(1)
		}
	}
}

func (c *logCommit) setHead(h int64) {
	c.head = h
	c.q.e.seen.Store(h)
}
