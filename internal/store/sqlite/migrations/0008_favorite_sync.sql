-- Favourites sync (docs/offline.md, "Favourites sync"): per user and
-- content (repeat group) the current state, starred or a tombstone, with
-- the server time it was set and seq, the store's sequence number of that
-- write: the sync cursor. Every write gives the row the next seq, so a
-- device asks for "seq > my cursor". favorites holds exactly the starred
-- states; both are written in one transaction.
CREATE TABLE favorite_changes (
	user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	repeat_group TEXT    NOT NULL,
	session_id   TEXT    NOT NULL,
	starred      INTEGER NOT NULL CHECK (starred IN (0, 1)),
	priority     TEXT    NOT NULL CHECK ((starred = 1 AND priority IN ('must', 'want', 'maybe')) OR (starred = 0 AND priority = '')),
	at           TEXT    NOT NULL,
	seq          INTEGER NOT NULL UNIQUE CHECK (seq > 0),
	PRIMARY KEY (user_id, repeat_group)
) STRICT, WITHOUT ROWID;

CREATE INDEX favorite_changes_user_seq ON favorite_changes (user_id, seq);

-- The favourites starred before sync existed are its first changes.
INSERT INTO favorite_changes (user_id, repeat_group, session_id, starred, priority, at, seq)
SELECT user_id, repeat_group, session_id, 1, priority, updated_at,
	row_number() OVER (ORDER BY updated_at, user_id, repeat_group)
FROM favorites;
