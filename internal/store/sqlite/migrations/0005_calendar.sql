-- Attendee calendar feeds (/ical/{secret}.ics, internal/calfeed). The
-- secret itself is not stored: it is derived from a key kept outside the
-- database, the user and gen (bumped by each rotation); hash is its
-- SHA-256, which a presented secret is looked up by.
CREATE TABLE calendar_feeds (
	user_id    TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	gen        INTEGER NOT NULL CHECK (gen >= 1),
	hash       BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
	created_at TEXT    NOT NULL
) STRICT;
