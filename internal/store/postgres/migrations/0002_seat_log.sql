-- The shared seat log (reservation.SharedLog), for several nodes on one
-- database. Every committed batch of seat ops is one entry; seat_head holds
-- the newest entry's number. A node commits only on top of the newest
-- entry it has seen: its ApplyAt updates the one head row first (the row
-- lock serializes all nodes' commits) and fails on the constraint below
-- when the head moved meanwhile (see log.go). PostgreSQL-only: nothing in
-- SQLite corresponds, one process being the only writer there.

CREATE TABLE seat_head (
	one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
	seq BIGINT  NOT NULL DEFAULT 0,
	-- ApplyAt writes -1 when the head is not the one it expected: the
	-- violation of this named constraint is the "stale" answer.
	CONSTRAINT seat_head_newest CHECK (seq >= 0)
);
INSERT INTO seat_head (one, seq) VALUES (true, 0);

-- ops is the batch as JSON (log.go, logOp); old entries are pruned, so a
-- node that fell far behind reloads everything instead of replaying.
CREATE TABLE seat_log (
	seq          BIGINT      PRIMARY KEY CHECK (seq > 0),
	ops          bytea       NOT NULL,
	committed_at timestamptz NOT NULL DEFAULT now()
);
