-- Seats (internal/reservation). Instants are Unix milliseconds, UTC.
-- reservations keeps history: a row is active until it is cancelled by
-- the attendee, lapses at the walk-up release, or its session is
-- cancelled. ended is 0 while active and the row's own id afterwards, so
-- the one index below both finds an attendee's rows and makes "the same
-- attendee holds the same session twice" impossible in the database
-- itself. One index, not three: in a rush every index is a random page
-- written to the WAL per reservation, and that is what a commit costs.
CREATE TABLE reservations (
	id            INTEGER PRIMARY KEY,
	attendee      TEXT    NOT NULL,
	session       TEXT    NOT NULL,
	status        TEXT    NOT NULL DEFAULT 'active'
	              CHECK (status IN ('active', 'cancelled', 'lapsed', 'session_cancelled')),
	ended         INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	ended_at      INTEGER,
	checked_in_at INTEGER,
	CHECK ((status = 'active') = (ended = 0))
) STRICT;
CREATE UNIQUE INDEX reservations_by_attendee ON reservations (attendee, session, ended);

-- Seat counters per session, kept in the same transaction as the rows
-- they count, so `venuehop check` can tell a lost or invented seat.
CREATE TABLE session_seats (
	session  TEXT    PRIMARY KEY,
	reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
	held     INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0)
) STRICT, WITHOUT ROWID;

-- The waitlist: seq orders it (lower = earlier).
CREATE TABLE waitlist (
	session    TEXT    NOT NULL,
	attendee   TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (session, attendee)
) STRICT, WITHOUT ROWID;
CREATE INDEX waitlist_attendee ON waitlist (attendee);

CREATE TABLE offers (
	id         TEXT    PRIMARY KEY,
	attendee   TEXT    NOT NULL,
	session    TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	state      TEXT    NOT NULL DEFAULT 'open'
	           CHECK (state IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
	ended_at   INTEGER
) STRICT;
CREATE INDEX offers_open ON offers (session) WHERE state = 'open';
CREATE INDEX offers_attendee ON offers (attendee, state);

-- Attendance (badge scans), walk-ups included.
CREATE TABLE checkins (
	session  TEXT    NOT NULL,
	attendee TEXT    NOT NULL,
	at       INTEGER NOT NULL,
	PRIMARY KEY (session, attendee)
) STRICT, WITHOUT ROWID;

-- The first answer to a reservation request with an Idempotency-Key.
CREATE TABLE idempotency (
	attendee   TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	hash       BLOB    NOT NULL,
	body       BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (attendee, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE reservation_settings (
	attendee    TEXT    PRIMARY KEY,
	auto_accept INTEGER NOT NULL CHECK (auto_accept IN (0, 1))
) STRICT, WITHOUT ROWID;
