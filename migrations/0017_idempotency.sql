-- Quartiere: idempotent creation of things, posts and comments. Frozen once landed. Runs on PostgreSQL 15 +
-- PostGIS 3 and on PGlite.

-- A member's Idempotency-Key and the first answer it got. The row is inserted in the same transaction as the
-- creation it guards, before it: a concurrent retry with the same key waits on the row and then reads the answer,
-- so one key creates one thing whatever the number of instances. A refused creation rolls back with its row, so
-- only answers of creations that happened are kept. `request_hash` is a SHA-256 digest of the route and the body:
-- the same key with another request is refused. Rows older than the retention (IDEMPOTENCY_KEY_RETENTION_HOURS)
-- are deleted by the API.
CREATE TABLE idempotency_keys (
  user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key            uuid NOT NULL,
  request_hash   bytea NOT NULL CHECK (octet_length(request_hash) = 32),
  status         smallint CHECK (status BETWEEN 200 AND 299),
  headers        jsonb NOT NULL DEFAULT '{}'::jsonb,
  body           text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
