-- What venuehop tells one attendee (internal/notify): a seat offer, a
-- planned session moved, a recording. A notice with the same (user, topic)
-- replaces the older one; each attendee keeps only the newest few hundred,
-- and expired ones are swept.
CREATE TABLE notices (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	category   TEXT NOT NULL,
	title      TEXT NOT NULL,
	body       TEXT NOT NULL,
	url        TEXT NOT NULL,
	session_id TEXT NOT NULL DEFAULT '',
	offer_id   TEXT NOT NULL DEFAULT '',
	topic      TEXT NOT NULL DEFAULT '',
	urgency    TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	created_at TEXT NOT NULL,
	read_at    TEXT
) STRICT;
CREATE INDEX notices_by_user ON notices (user_id, created_at);
CREATE UNIQUE INDEX notices_by_topic ON notices (user_id, topic) WHERE topic <> '';
CREATE INDEX notices_by_expiry ON notices (expires_at);

-- The notice categories an attendee turned off (none: all on).
CREATE TABLE notice_prefs (
	user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	category TEXT NOT NULL,
	PRIMARY KEY (user_id, category)
) STRICT;
