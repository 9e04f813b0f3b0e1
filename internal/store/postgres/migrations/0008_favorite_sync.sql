-- Favourites sync (docs/offline.md, "Favourites sync"): per user and
-- content (repeat group) the current state, starred or a tombstone, with
-- the server time it was set and seq, the store's sequence number of that
-- write: the sync cursor. Every write gives the row the next seq, so a
-- device asks for "seq > my cursor". favorites holds exactly the starred
-- states; both are written in one transaction. Writers of one user hold
-- the user's row lock while they take seqs and commit, so one user's
-- seqs become visible in order (a sequence alone would not: a lower
-- value can commit after a higher one).
CREATE SEQUENCE favorite_change_seq;

CREATE TABLE favorite_changes (
	user_id      TEXT        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	repeat_group TEXT        NOT NULL,
	session_id   TEXT        NOT NULL,
	starred      BOOLEAN     NOT NULL,
	priority     TEXT        NOT NULL CHECK ((starred AND priority IN ('must', 'want', 'maybe')) OR (NOT starred AND priority = '')),
	at           timestamptz NOT NULL,
	seq          BIGINT      NOT NULL UNIQUE CHECK (seq > 0),
	PRIMARY KEY (user_id, repeat_group)
);

CREATE INDEX favorite_changes_user_seq ON favorite_changes (user_id, seq);

-- The favourites starred before sync existed are its first changes.
INSERT INTO favorite_changes (user_id, repeat_group, session_id, starred, priority, at, seq)
SELECT user_id, repeat_group, session_id, true, priority, updated_at, nextval('favorite_change_seq')
FROM (SELECT * FROM favorites ORDER BY updated_at, user_id, repeat_group) f;
