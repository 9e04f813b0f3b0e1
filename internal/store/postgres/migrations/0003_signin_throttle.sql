-- The sign-in throttle's counters (account.ThrottleStore, throttle.go), so
-- that every node on the database counts the same failed sign-ins: in
-- memory, N nodes would allow N times the guesses. PostgreSQL-only: SQLite
-- serves one process, which keeps them in memory.
--
-- key is the throttle's key ("e\0" + email, "i\0" + address or /64) as
-- bytes: it may hold any byte, and it holds emails, like users does.
-- Times are Unix milliseconds, like the seat tables.
CREATE TABLE signin_throttle (
	key       bytea   PRIMARY KEY,
	failures  INTEGER NOT NULL CHECK (failures > 0),
	last_ms   BIGINT  NOT NULL, -- the latest failure
	locked_ms BIGINT  NOT NULL DEFAULT 0 -- sign-ins refused until then
);
-- For the prune of rows with no failure for a while (throttle.go).
CREATE INDEX signin_throttle_by_last ON signin_throttle (last_ms);
