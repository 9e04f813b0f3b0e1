-- Plans (internal/agenda): the proposals made for an attendee, at most one
-- of them accepted. Instants are Unix milliseconds, UTC. body is the
-- proposal as JSON; plan_sessions lists the sessions of each accepted plan
-- so a change to a session finds the attendees to re-plan for.
CREATE TABLE plans (
	id         TEXT    PRIMARY KEY,
	attendee   TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	origin     TEXT    NOT NULL CHECK (origin IN ('request', 'change', 'reserve')),
	state      TEXT    NOT NULL DEFAULT 'proposed'
	           CHECK (state IN ('proposed', 'accepted', 'rejected', 'superseded')),
	body       TEXT    NOT NULL
) STRICT;
CREATE INDEX plans_attendee ON plans (attendee, state, created_at);
CREATE UNIQUE INDEX plans_one_accepted ON plans (attendee) WHERE state = 'accepted';

CREATE TABLE plan_sessions (
	session  TEXT NOT NULL,
	attendee TEXT NOT NULL,
	plan_id  TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	PRIMARY KEY (session, attendee)
) STRICT, WITHOUT ROWID;
CREATE INDEX plan_sessions_attendee ON plan_sessions (attendee);
