-- Quartiere: roles granted through the API, and limits counted in the database. Frozen once landed. Runs on
-- PostgreSQL 15 + PostGIS 3 and on PGlite alike.

-- Every change of a member's platform role (member, moderator, researcher, admin), append-only: who changed
-- whose role, from what to what, and why. `changed_by` is NULL for a change made at the server's console
-- (`pnpm admin:grant`), which is how the first admin comes to exist.
CREATE TABLE role_changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id),
  old_role    text NOT NULL CHECK (old_role IN ('member', 'moderator', 'admin', 'researcher')),
  new_role    text NOT NULL CHECK (new_role IN ('member', 'moderator', 'admin', 'researcher')),
  changed_by  uuid REFERENCES users (id),
  reason      text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 2000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (old_role <> new_role)
);
CREATE INDEX role_changes_user_idx ON role_changes (user_id, id);

-- The log is history: no row may be changed or deleted, except that erasure moves a member's references
-- (`user_id`, `changed_by`) onto their tombstone, a users row with erased_at set, before deleting their own row.
CREATE FUNCTION quartiere_role_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id AND NEW.old_role = OLD.old_role AND NEW.new_role = OLD.new_role
     AND NEW.reason = OLD.reason AND NEW.created_at = OLD.created_at
     AND (NEW.user_id = OLD.user_id
          OR EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.user_id AND u.erased_at IS NOT NULL))
     AND (NEW.changed_by IS NOT DISTINCT FROM OLD.changed_by
          OR EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.changed_by AND u.erased_at IS NOT NULL)) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'role_changes is an audit log: its rows cannot be changed or deleted'
    USING ERRCODE = 'QH001';
END $$;
CREATE TRIGGER role_changes_append_only BEFORE UPDATE OR DELETE ON role_changes
  FOR EACH ROW EXECUTE FUNCTION quartiere_role_changes_append_only();
CREATE TRIGGER role_changes_no_truncate BEFORE TRUNCATE ON role_changes
  FOR EACH STATEMENT EXECUTE FUNCTION quartiere_role_changes_append_only();

-- The platform keeps at least one admin: an admin's role may only be taken away while another admin remains.
-- Two admins demoting each other at once must not both succeed, so the check takes a transaction-level advisory
-- lock (the key is the one packages/auth/src/roles.service.ts takes before it checks, to answer `last_admin`)
-- and then counts in a fresh snapshot, which sees what the transaction that held the lock before committed.
CREATE FUNCTION quartiere_keep_an_admin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(4242012);
  IF NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND erased_at IS NULL) THEN
    RAISE EXCEPTION 'the last admin cannot lose the admin role: make someone else an admin first'
      USING ERRCODE = 'QA001';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER users_keep_an_admin AFTER UPDATE OF role ON users
  FOR EACH ROW WHEN (OLD.role = 'admin' AND NEW.role <> 'admin')
  EXECUTE FUNCTION quartiere_keep_an_admin();

-- Rate limits shared by every API instance (@fastify/rate-limit's store, apps/api/src/plugins/rate-limit-store.ts).
-- One row per limited key: the window starts at the key's first hit, as the in-memory store counted it, and
-- `expires_at` ends it; a hit after that starts a new window. Keys are SHA-256 digests of what they count (an
-- address, a member's id), so no personal data sits here. Unlogged: counters are worth no WAL, and losing them
-- in a crash only forgives a minute of requests.
CREATE UNLOGGED TABLE rate_limit_counters (
  key           bytea PRIMARY KEY CHECK (octet_length(key) = 32),
  window_start  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  hits          integer NOT NULL CHECK (hits > 0)
);
CREATE INDEX rate_limit_counters_expiry_idx ON rate_limit_counters (expires_at);

-- Failed logins per account (packages/auth/src/login-throttle.ts), counted by every instance alike. The account
-- is a SHA-256 digest of the normalised email, for the same reason. Unlogged, as above.
CREATE UNLOGGED TABLE login_failures (
  account    bytea NOT NULL CHECK (octet_length(account) = 32),
  failed_at  timestamptz NOT NULL
);
CREATE INDEX login_failures_account_idx ON login_failures (account, failed_at);
CREATE INDEX login_failures_time_idx ON login_failures (failed_at);
