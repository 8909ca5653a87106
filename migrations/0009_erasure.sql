-- Quartiere: erasure of a member's personal data (GDPR Art. 17). Frozen once landed. Runs on PostgreSQL 15 +
-- PostGIS 3 and on PGlite alike.
--
-- Erasing a member must leave no row that links to them, by email, by name or by their id, while the ledger's
-- transfers stay (the books must balance). So the erasure (packages/auth/src/personal-data/erasure.ts) inserts
-- a tombstone: a users row of its own, with a fresh random id, the name "Former member", an unreachable email
-- and no usable password, marked by `erased_at`. Everything that must stay (accounts and so the transfers,
-- exchanges, entities, posts and comments, pact history …) is moved onto the tombstone; what is only theirs
-- (sessions, memberships, follows, notifications, reports) is deleted; then their own row is deleted. One
-- tombstone per erased member keeps each account's owner distinct, as the ledger's unique indexes require.

ALTER TABLE users ADD COLUMN erased_at timestamptz;
-- A tombstone's email is never a real address: the reserved .invalid top-level domain (RFC 2606) cannot receive
-- mail, so no reset or notice can ever reach anyone through it.
ALTER TABLE users ADD CONSTRAINT users_erased_email CHECK (erased_at IS NULL OR email LIKE '%@erased.invalid');

-- JSON documents that other members keep (their notifications) and the realtime outbox name people as
-- {"id": …, "displayName": …} objects (authors, members) and by bare id strings (providerId, createdBy …). This
-- returns the document with every string equal to `old_id` replaced by `new_id`, and the display name beside
-- that id (or, in an object without an id, a displayName equal to `old_name`) replaced by `new_name`. Free text
-- that merely mentions someone is left alone: it is the writer's own words.
CREATE FUNCTION quartiere_json_forget_user(doc jsonb, old_id text, old_name text, new_id text, new_name text)
  RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  result jsonb;
BEGIN
  CASE jsonb_typeof(doc)
    WHEN 'string' THEN
      RETURN CASE WHEN doc #>> '{}' = old_id THEN to_jsonb(new_id) ELSE doc END;
    WHEN 'array' THEN
      SELECT coalesce(jsonb_agg(quartiere_json_forget_user(element, old_id, old_name, new_id, new_name)
                                ORDER BY position), '[]'::jsonb)
        INTO result
        FROM jsonb_array_elements(doc) WITH ORDINALITY AS elements (element, position);
      RETURN result;
    WHEN 'object' THEN
      SELECT coalesce(jsonb_object_agg(key, CASE
               WHEN key = 'displayName'
                    AND (doc ->> 'id' = old_id OR (doc -> 'id' IS NULL AND value #>> '{}' = old_name))
                 THEN to_jsonb(new_name)
               ELSE quartiere_json_forget_user(value, old_id, old_name, new_id, new_name)
             END), '{}'::jsonb)
        INTO result
        FROM jsonb_each(doc) AS members (key, value);
      RETURN result;
    ELSE
      RETURN doc;
  END CASE;
END $$;
