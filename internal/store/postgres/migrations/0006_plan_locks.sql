-- Locks (internal/agenda): the fixed items an attendee keeps "no matter
-- what", which a plan never moves or drops. item is "session:ID" (a
-- reservation or a starred keynote) or "block:ID" (a personal block).
CREATE TABLE plan_locks (
	attendee TEXT NOT NULL,
	item     TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 200),
	PRIMARY KEY (attendee, item)
);
