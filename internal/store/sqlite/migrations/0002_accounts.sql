-- Accounts: users, their sign-in sessions and API tokens, favourites and
-- personal blocks. Times are UTC text, 2006-01-02T15:04:05.000Z, so text
-- order is time order. Tokens are stored only as their SHA-256.
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,          -- normalised (lower case)
	name          TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('attendee', 'organizer', 'admin')),
	password_hash TEXT NOT NULL DEFAULT '',      -- argon2id PHC string; '' = no password sign-in
	created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE auth_tokens (
	hash       BLOB PRIMARY KEY CHECK (length(hash) = 32),
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('session', 'api')),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX auth_tokens_by_user ON auth_tokens (user_id);
CREATE INDEX auth_tokens_by_expiry ON auth_tokens (expires_at);

-- One row per content (repeat group) and user; session_id is the sitting it
-- was starred through.
CREATE TABLE favorites (
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	repeat_group TEXT NOT NULL,
	session_id   TEXT NOT NULL,
	priority     TEXT NOT NULL CHECK (priority IN ('must', 'want', 'maybe')),
	updated_at   TEXT NOT NULL,
	PRIMARY KEY (user_id, repeat_group)
) STRICT, WITHOUT ROWID;

CREATE TABLE blocks (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	start_at   TEXT NOT NULL,
	end_at     TEXT NOT NULL,
	venue_id   TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	CHECK (end_at > start_at)
) STRICT;
CREATE INDEX blocks_by_user ON blocks (user_id, start_at);
