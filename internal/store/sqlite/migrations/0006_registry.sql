-- Settings shared by the server and the organizers (the sign-up mode, the
-- device cookie key), and the attendee registry: who may claim an account
-- when sign-up is for registered attendees only, with the one-time code
-- that proves it ('' once claimed; user_id then names the account).
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE attendee_registry (
	email      TEXT PRIMARY KEY,             -- normalised, as users.email
	name       TEXT NOT NULL,
	badge_id   TEXT NOT NULL DEFAULT '',
	code       TEXT NOT NULL DEFAULT '',
	user_id    TEXT REFERENCES users (id) ON DELETE SET NULL,
	created_at TEXT NOT NULL,
	claimed_at TEXT,
	CHECK ((user_id IS NULL) OR (code = ''))
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX attendee_registry_by_badge ON attendee_registry (badge_id) WHERE badge_id <> '';
