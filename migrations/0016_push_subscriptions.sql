-- Quartiere: web push (issue #21). Frozen once landed. Runs on PostgreSQL 15 + PostGIS 3 and on PGlite.

-- One row per device (browser profile) a member turned push notifications on: the push service's endpoint and
-- the keys its messages are encrypted with (RFC 8291). An endpoint is one device's: subscribing it again, even
-- as another member (a shared computer), moves it to whoever subscribed last. Erasure deletes the member's.
CREATE TABLE push_subscriptions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id),
  endpoint     text NOT NULL UNIQUE CHECK (char_length(endpoint) BETWEEN 1 AND 1024),
  -- The browser's P-256 public key (65 bytes, uncompressed) and auth secret (16 bytes), base64url as sent.
  p256dh       text NOT NULL CHECK (char_length(p256dh) BETWEEN 1 AND 128),
  auth         text NOT NULL CHECK (char_length(auth) BETWEEN 1 AND 64),
  -- What the member sees in their list of devices (the browser's description of itself), never trusted.
  label        text NOT NULL DEFAULT '' CHECK (char_length(label) <= 200),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_sent_at timestamptz,
  -- Deliveries that failed in a row (not 404/410, which delete the row); reset by a success.
  failures     integer NOT NULL DEFAULT 0 CHECK (failures >= 0)
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id, created_at);

-- Several API instances each tail the outbox: the one that moves this mark past a notification's seq is the one
-- that pushes it, so a notification is pushed once, not once per instance. One row.
CREATE TABLE push_progress (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  through_seq  bigint NOT NULL
);
INSERT INTO push_progress (singleton, through_seq) VALUES (true, 0);
