-- Quartiere: password recovery and verified email addresses. Frozen once landed. Runs on PostgreSQL 15 + PostGIS 3
-- and on PGlite.

-- When the member proved that they read mail at their address, by opening the link sent there; null until then.
-- Accounts made before this migration start unconfirmed too: nobody ever proved their address, and a member
-- confirms it from the account page or the wallet with one click on the link sent again.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- The single-use links sent by email: a password reset, or the confirmation of an address. Only a SHA-256 digest
-- of each token is kept (the tokens are 256-bit random values, so a fast hash is enough): a copy of this table
-- lets nobody reset a password. `email` is the address the link was sent to: confirming it confirms that address
-- only. A link is spent once used (`used_at`); an expired or spent one is refused with its own reason. Rows are
-- the member's alone: an erasure deletes them.
CREATE TABLE email_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id),
  purpose     text NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
  token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  email       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);
-- Expired links are pruned by age.
CREATE INDEX email_tokens_expires ON email_tokens (expires_at);
