-- Quartiere: email digests, one-click unsubscribe, delivery failures. Frozen once landed. Runs on PostgreSQL 15 +
-- PostGIS 3 and on PGlite.

-- How often a member gets a digest of what happened on the things they follow and of their unread notifications.
ALTER TABLE users ADD COLUMN digest_frequency text NOT NULL DEFAULT 'weekly'
  CHECK (digest_frequency IN ('none', 'daily', 'weekly'));

-- A member's mail standing: the unsubscribe token their digests carry (random, 248 bits, good for nothing but
-- setting the digest to none), and the delivery record that stops mail to an address that keeps bouncing.
CREATE TABLE mail_recipients (
  user_id                        uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  unsubscribe_token              text NOT NULL UNIQUE CHECK (unsubscribe_token ~ '^[0-9a-f]{62}$'),
  consecutive_permanent_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_permanent_failures >= 0),
  suppressed_at                  timestamptz,
  last_delivered_at              timestamptz,
  created_at                     timestamptz NOT NULL DEFAULT now()
);

-- Each message that did not leave: permanent (a 5xx answer) or not. A member keeps the newest ones only.
CREATE TABLE mail_failures (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  permanent    boolean NOT NULL,
  reason       text NOT NULL CHECK (char_length(reason) <= 500)
);
CREATE INDEX mail_failures_user_idx ON mail_failures (user_id, occurred_at DESC);

-- One row per member and period (`daily:2026-12-07`, `weekly:2026-W50`): the job's claim and its record, so
-- several instances and restarts never send a period twice. States:
--   pending  → sending (claimed, SELECT … FOR UPDATE SKIP LOCKED, committed before the message is sent)
--   sending  → sent | empty (nothing to say) | failed | pending (a temporary failure, tried again later)
--   sending  → abandoned (an instance died after claiming: never sent again, at most once)
--   pending  → skipped (the member chose none, or their address is suppressed, by the time it was claimed)
CREATE TABLE digest_deliveries (
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  period         text NOT NULL CHECK (period ~ '^(daily:[0-9]{4}-[0-9]{2}-[0-9]{2}|weekly:[0-9]{4}-W[0-9]{2})$'),
  state          text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sending', 'sent', 'empty', 'failed', 'abandoned', 'skipped')),
  attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  not_before     timestamptz NOT NULL DEFAULT now(),
  claimed_at     timestamptz,
  covered_from   timestamptz,
  covered_until  timestamptz,
  finished_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, period)
);
CREATE INDEX digest_deliveries_pending_idx ON digest_deliveries (not_before) WHERE state = 'pending';
CREATE INDEX digest_deliveries_sending_idx ON digest_deliveries (claimed_at) WHERE state = 'sending';
CREATE INDEX digest_deliveries_covered_idx ON digest_deliveries (user_id, covered_until DESC)
  WHERE covered_until IS NOT NULL;
