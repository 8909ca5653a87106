-- Quartiere: history the database itself keeps. Frozen once landed. Runs on PostgreSQL 15 + PostGIS 3 and on
-- PGlite alike.
--
-- The ledger (transfers, the idempotency records of transfer requests, exchanges), the moderation log and the
-- pacts' history are append-only: a mistake is corrected by a new row (a reversing transfer, a restore, a new
-- transition), never by an edit. Until now only the code kept that promise and ledger_audit() noticed a broken
-- one afterwards; these triggers make the database refuse UPDATE, DELETE and TRUNCATE of those rows for every
-- role, the API's included, with SQLSTATE QH001 and a message that names the table.
--
-- The one rewrite that must stay possible is erasure (packages/personal-data/src/erasure.ts): it moves a
-- member's references onto a tombstone user (a users row with erased_at set) and then deletes the member's row.
-- So an UPDATE passes only when every column other than the table's person-reference columns is unchanged, and
-- each reference it changes now names a tombstone. The old rows keep pointing at a user that exists, and nothing
-- else about them changes.
--
-- What is deliberately not covered:
-- * pact_documents: documents a pact links, not a log; deleting an image removes the documents that showed it.
-- * reports: the moderators' queue. An open report changes as it is resolved, and erasure deletes the reports a
--   member made (a report a moderation action points at stays: the foreign key keeps it). Once resolved, though,
--   a report is part of the record: its decision can no longer be changed (see quartiere_refuse_report_rewrite).
-- * Superusers can still disable triggers (ALTER TABLE … DISABLE TRIGGER, session_replication_role): this guards
--   against the application and its role, not against the database's owner. Tests use that door to set up a
--   past the API cannot make (a hold whose deadline has passed, exchanges in months long over):
--   tests/support/past.ts.
-- * A hold's deadline is part of its row like the rest: a hold ends by being posted, voided, or swept once its
--   deadline passes, each a new transfer.

-- Person references in `refs` (the trigger's arguments) may move onto a tombstone; nothing else may change. The
-- rows are read as jsonb so that one function serves tables of different columns.
CREATE FUNCTION quartiere_refuse_history_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  refs text[] := TG_ARGV;
  old_doc jsonb;
  new_doc jsonb;
  ref text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'the rows of % are history: they cannot be truncated', TG_TABLE_NAME
      USING ERRCODE = 'QH001';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'the rows of % are history: they cannot be deleted (correct a mistake with a new row)',
      TG_TABLE_NAME
      USING ERRCODE = 'QH001';
  END IF;
  old_doc := to_jsonb(OLD) - refs;
  new_doc := to_jsonb(NEW) - refs;
  IF old_doc IS DISTINCT FROM new_doc THEN
    RAISE EXCEPTION 'the rows of % are history: they cannot be changed (correct a mistake with a new row)',
      TG_TABLE_NAME
      USING ERRCODE = 'QH001';
  END IF;
  FOREACH ref IN ARRAY refs LOOP
    IF (to_jsonb(OLD) ->> ref) IS DISTINCT FROM (to_jsonb(NEW) ->> ref)
       AND NOT EXISTS (SELECT 1 FROM users u
                        WHERE u.id = (to_jsonb(NEW) ->> ref)::uuid AND u.erased_at IS NOT NULL) THEN
      RAISE EXCEPTION 'the rows of % are history: %.% may only move onto an erased member''s tombstone',
        TG_TABLE_NAME, TG_TABLE_NAME, ref
        USING ERRCODE = 'QH001';
    END IF;
  END LOOP;
  RETURN NEW;
END $$;

CREATE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON transfers
  FOR EACH ROW EXECUTE FUNCTION quartiere_refuse_history_rewrite('created_by');
CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers
  FOR EACH STATEMENT EXECUTE FUNCTION quartiere_refuse_history_rewrite();

CREATE TRIGGER transfer_requests_append_only BEFORE UPDATE OR DELETE ON transfer_requests
  FOR EACH ROW EXECUTE FUNCTION quartiere_refuse_history_rewrite('created_by');
CREATE TRIGGER transfer_requests_no_truncate BEFORE TRUNCATE ON transfer_requests
  FOR EACH STATEMENT EXECUTE FUNCTION quartiere_refuse_history_rewrite();

-- An exchange's row never changes once opened: its state (open, confirmed, cancelled, expired) lives in its
-- hold and the transfer that resolves the hold, which are append-only above.
CREATE TRIGGER exchanges_append_only BEFORE UPDATE OR DELETE ON exchanges
  FOR EACH ROW EXECUTE FUNCTION quartiere_refuse_history_rewrite('provider_id', 'receiver_id', 'created_by');
CREATE TRIGGER exchanges_no_truncate BEFORE TRUNCATE ON exchanges
  FOR EACH STATEMENT EXECUTE FUNCTION quartiere_refuse_history_rewrite();

CREATE TRIGGER moderation_actions_append_only BEFORE UPDATE OR DELETE ON moderation_actions
  FOR EACH ROW EXECUTE FUNCTION quartiere_refuse_history_rewrite('moderator_id');
CREATE TRIGGER moderation_actions_no_truncate BEFORE TRUNCATE ON moderation_actions
  FOR EACH STATEMENT EXECUTE FUNCTION quartiere_refuse_history_rewrite();

CREATE TRIGGER pact_history_append_only BEFORE UPDATE OR DELETE ON pact_history
  FOR EACH ROW EXECUTE FUNCTION quartiere_refuse_history_rewrite('actor_id');
CREATE TRIGGER pact_history_no_truncate BEFORE TRUNCATE ON pact_history
  FOR EACH STATEMENT EXECUTE FUNCTION quartiere_refuse_history_rewrite();

-- A resolved report keeps its decision: status, who resolved it and when, what it was about. Erasure may still
-- move its reporter and resolver onto tombstones and blank the reporter's own words (details), and may delete
-- it when no moderation action points at it (the foreign key keeps the others).
CREATE FUNCTION quartiere_refuse_report_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'open' THEN
    RETURN NEW;
  END IF;
  IF (to_jsonb(OLD) - ARRAY['reporter_id', 'resolved_by', 'details'])
       IS DISTINCT FROM (to_jsonb(NEW) - ARRAY['reporter_id', 'resolved_by', 'details'])
     OR (NEW.details IS DISTINCT FROM OLD.details AND NEW.details <> '') THEN
    RAISE EXCEPTION 'a resolved report is history: its decision cannot be changed'
      USING ERRCODE = 'QH001';
  END IF;
  IF (NEW.reporter_id IS DISTINCT FROM OLD.reporter_id
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.reporter_id AND u.erased_at IS NOT NULL))
     OR (NEW.resolved_by IS DISTINCT FROM OLD.resolved_by
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.resolved_by AND u.erased_at IS NOT NULL)) THEN
    RAISE EXCEPTION 'a resolved report is history: its reporter and resolver may only move onto an erased member''s tombstone'
      USING ERRCODE = 'QH001';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER reports_resolved_kept BEFORE UPDATE ON reports
  FOR EACH ROW EXECUTE FUNCTION quartiere_refuse_report_rewrite();

-- A pact's history is read in the order of its rows' times. Several steps taken in one transaction (loading
-- existing pacts, which walks each through its transitions) would all carry the transaction's start time and
-- come back in any order: each step gets the moment it was written instead.
ALTER TABLE pact_history ALTER COLUMN created_at SET DEFAULT clock_timestamp();
