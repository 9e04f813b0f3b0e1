-- Web Push (internal/webpush): each device's PushSubscription, kept for
-- the attendee signed in when it subscribed. endpoint is the push
-- service URL (unique: a browser has one per application server key);
-- p256dh and auth are its keys (base64url); categories the notices it
-- wants, comma-separated (internal/notify categories); user_agent a short
-- label for the attendee's device list.
CREATE TABLE push_subscriptions (
	endpoint   TEXT        NOT NULL PRIMARY KEY CHECK (length(endpoint) BETWEEN 1 AND 2048),
	attendee   TEXT        NOT NULL,
	p256dh     TEXT        NOT NULL CHECK (length(p256dh) BETWEEN 1 AND 200),
	auth       TEXT        NOT NULL CHECK (length(auth) BETWEEN 1 AND 100),
	categories TEXT        NOT NULL CHECK (length(categories) <= 200),
	user_agent TEXT        NOT NULL DEFAULT '' CHECK (length(user_agent) <= 400),
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX push_subscriptions_attendee ON push_subscriptions (attendee, created_at);

-- The VAPID key pair (RFC 8292) every node signs its pushes with: one
-- row, stored by the first node to start (INSERT ... ON CONFLICT DO
-- NOTHING, then read back); subscriptions are bound to its public key.
CREATE TABLE vapid_keys (
	one         BOOLEAN     NOT NULL PRIMARY KEY DEFAULT true CHECK (one),
	public_key  TEXT        NOT NULL,
	private_key TEXT        NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL
);
