-- The conference is one versioned JSON document (see store.ConferenceStore):
-- it is read whole into an in-memory snapshot, so a row per revision is all
-- the structure it needs. saved_at is UTC, RFC 3339 with milliseconds.
CREATE TABLE conference_revisions (
	rev      INTEGER PRIMARY KEY CHECK (rev > 0),
	saved_at TEXT    NOT NULL,
	body     BLOB    NOT NULL
) STRICT;
