-- The key that signs the attendees' calendar feed URLs (calfeed), shared by
-- every node on the database so that each shows an attendee the same URL.
-- The first node to start stores the key of its --data directory; the
-- others adopt it. PostgreSQL-only: one SQLite process keeps it in --data.
CREATE TABLE calendar_key (
	one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
	key bytea   NOT NULL CHECK (length(key) >= 32)
);
