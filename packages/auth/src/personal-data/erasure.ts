import { randomUUID } from 'node:crypto'
import type { DB } from '@quartiere/db'
import { type Kysely, sql, type Transaction } from 'kysely'
import { verifyPassword } from '../password'
import { findUserById } from '../users.repository'

/** What an erased member is called wherever their contributions stay (posts, comments, map things, transfers). */
export const tombstoneDisplayName = 'Former member'
/** Tombstone emails end so (RFC 2606's reserved .invalid domain); migration 0009 checks it. */
export const tombstoneEmailDomain = 'erased.invalid'
/** A password hash no password verifies against: `verifyPassword` cannot parse it. */
const unusablePasswordHash = '!erased'

export type ErasureOutcome =
  | {
      ok: true
      /** The tombstone that now owns the member's accounts and contributions. */
      tombstoneId: string
      /** Media store keys of the member's images: the caller deletes the files once the erasure committed. */
      mediaStorageKeys: string[]
    }
  | { ok: false; code: 'not_found'; message: string }
  | { ok: false; code: 'invalid_credentials'; message: string }
  | { ok: false; code: 'pending_transfers'; message: string; accountIds: string[] }
  | { ok: false; code: 'sole_group_owner'; message: string; groupIds: string[] }
  | { ok: false; code: 'campaign_running'; message: string; campaignIds: string[] }

export type ErasureFailureCode = Extract<ErasureOutcome, { ok: false }>['code']

type UserTable = keyof DB & string

/**
 * Every column that holds a user id, and what erasure does with it. The gdpr test compares this list with the
 * database's foreign keys to `users`, so a new table that points at users cannot be forgotten here.
 *
 * - `deleted`: rows that are only the member's (sessions, memberships, follows, their notifications).
 * - `moved`: rows that stay, because others rely on them (the books, threads, the map, audit logs); they are
 *   moved onto the tombstone.
 * - `special`: handled by a statement of their own in {@link eraseMember} (see the comments there).
 */
export const userReferences = {
  deleted: [
    ['refresh_tokens', 'user_id'],
    ['group_members', 'user_id'],
    ['group_join_requests', 'user_id'],
    ['subscriptions', 'user_id'],
    ['notifications', 'user_id'],
  ],
  moved: [
    ['entities', 'author_id'],
    ['posts', 'author_id'],
    ['comments', 'author_id'],
    ['media', 'owner_id'],
    ['transfers', 'created_by'],
    ['transfer_requests', 'created_by'],
    ['exchanges', 'provider_id'],
    ['exchanges', 'receiver_id'],
    ['exchanges', 'created_by'],
    ['currencies', 'created_by'],
    ['campaigns', 'owner_user_id'],
    ['campaigns', 'created_by'],
    ['campaign_pledges', 'backer_id'],
    ['pact_documents', 'added_by'],
    ['pact_history', 'actor_id'],
    ['initiatives', 'created_by'],
    ['initiative_entities', 'added_by'],
    ['group_join_requests', 'decided_by'],
    ['reports', 'reporter_id'],
    ['reports', 'resolved_by'],
    ['moderation_actions', 'moderator_id'],
  ],
  special: [['accounts', 'owner_user_id']],
} as const satisfies Record<string, readonly (readonly [UserTable, string])[]>

/**
 * Erases a member (GDPR Art. 17) after checking their password once more: see {@link eraseMember}. The password
 * is checked before the transaction, so the scrypt work holds no locks; the transaction then makes sure the
 * hash it checked is still the stored one.
 */
export async function eraseAccount(
  db: Kysely<DB>,
  userId: string,
  password: string,
): Promise<ErasureOutcome> {
  const user = await findUserById(db, userId)
  if (!user) return { ok: false, code: 'not_found', message: 'the account no longer exists' }
  if (!(await verifyPassword(password, user.password_hash))) {
    return { ok: false, code: 'invalid_credentials', message: 'the password is wrong' }
  }
  return db.transaction().execute((trx) => eraseMember(trx, userId, user.password_hash))
}

/**
 * Removes a member's personal data in the caller's transaction, so that afterwards no row links to them, by
 * email, name or id, while the ledger's books still balance.
 *
 * Refuses, changing nothing, while erasing would break promises made to others: a hold or an exchange still in
 * progress on one of their accounts (`pending_transfers`: resolve it first; the hours are someone's), a group
 * they alone own (`sole_group_owner`: hand it over first, as leaving it would require), or a campaign of theirs
 * still running (`campaign_running`: its settlement pays its owner).
 *
 * Then: a tombstone user with a fresh random id takes over their accounts (balances stay, debts included: a
 * debt is not erased by leaving) and everything others rely on; those accounts are frozen at their balance
 * (nobody can pay into or out of them any more). Map things stay, anonymous, except those with a private
 * location (their home): those are deleted and their exact place and text wiped. Their images are marked
 * deleted and their storage keys returned for the caller to delete the files after commit. Sessions,
 * memberships, follows, their notifications and the reports they made are deleted (a report a moderator acted
 * on stays, anonymous and without its details, beside the action). Other members' notifications and the
 * realtime outbox are rewritten to name the tombstone instead. Last, their own row is deleted: a reference this
 * function forgot makes that fail, and the whole erasure with it.
 *
 * `expectedPasswordHash` is the hash the caller verified the password against; a different stored hash (the
 * password changed meanwhile) is `invalid_credentials`.
 */
export async function eraseMember(
  trx: Transaction<DB>,
  userId: string,
  expectedPasswordHash: string,
): Promise<ErasureOutcome> {
  // Accounts first, in id order as the ledger locks them, then the user row: a payment in flight on one of the
  // accounts finishes (its transfer row takes a key-share lock on the user) before this goes on.
  const accounts = await sql<{ id: string; pending: boolean }>`
    SELECT id, (debits_pending <> 0 OR credits_pending <> 0) AS pending
      FROM accounts WHERE owner_type = 'user' AND owner_user_id = ${userId}::uuid
     ORDER BY id FOR UPDATE`.execute(trx)
  const user = await sql<{ password_hash: string; display_name: string; email: string }>`
    SELECT password_hash, display_name, email FROM users WHERE id = ${userId}::uuid FOR UPDATE`.execute(trx)
  const member = user.rows[0]
  if (!member) return { ok: false, code: 'not_found', message: 'the account no longer exists' }
  if (member.password_hash !== expectedPasswordHash) {
    return { ok: false, code: 'invalid_credentials', message: 'the password is wrong' }
  }

  const pending = accounts.rows.filter((account) => account.pending).map((account) => account.id)
  if (pending.length > 0) {
    return {
      ok: false,
      code: 'pending_transfers',
      message:
        'a hold, an exchange or a pledge is still in progress on your accounts: confirm, cancel or withdraw it first',
      accountIds: pending,
    }
  }
  const soleOwned = await sql<{ group_id: string }>`
    SELECT m.group_id FROM group_members m
      JOIN entities g ON g.id = m.group_id AND g.deleted_at IS NULL
     WHERE m.user_id = ${userId}::uuid AND m.role = 'owner'
       AND NOT EXISTS (SELECT 1 FROM group_members o
                        WHERE o.group_id = m.group_id AND o.role = 'owner' AND o.user_id <> m.user_id)
     ORDER BY m.group_id`.execute(trx)
  if (soleOwned.rows.length > 0) {
    return {
      ok: false,
      code: 'sole_group_owner',
      message: 'you are the only owner of a group: make someone else an owner first, or delete the group',
      groupIds: soleOwned.rows.map((row) => row.group_id),
    }
  }
  const running = await sql<{ id: string }>`
    SELECT id FROM campaigns WHERE owner_user_id = ${userId}::uuid AND state IN ('locked', 'open')
     ORDER BY id`.execute(trx)
  if (running.rows.length > 0) {
    return {
      ok: false,
      code: 'campaign_running',
      message: 'a campaign of yours is still running: stop it first (its settlement pays its owner)',
      campaignIds: running.rows.map((row) => row.id),
    }
  }

  const tombstoneId = randomUUID()
  await trx
    .insertInto('users')
    .values({
      id: tombstoneId,
      email: `${tombstoneId}@${tombstoneEmailDomain}`,
      display_name: tombstoneDisplayName,
      password_hash: unusablePasswordHash,
      erased_at: sql<Date>`now()`,
    })
    .execute()
  // The insert trigger of 0002 opened a TIME account for the tombstone; it takes the member's own instead. The
  // new one is empty and has no transfers.
  await trx.deleteFrom('accounts').where('owner_user_id', '=', tombstoneId).execute()
  // Frozen at their balance: nobody may pay a member who left (the hours would be lost), and nobody may spend
  // in their name. The books keep what they owed or were owed.
  await sql`
    UPDATE accounts
       SET owner_user_id = ${tombstoneId}::uuid,
           lower_limit = credits_posted - debits_posted,
           upper_limit = credits_posted - debits_posted
     WHERE owner_type = 'user' AND owner_user_id = ${userId}::uuid`.execute(trx)

  await wipePrivateLocations(trx, userId)
  // Images: their files go (after commit, by the caller); the rows stay, deleted, because posts and pact
  // documents point at them.
  const media = await sql<{ storage_key: string }>`
    UPDATE media SET deleted_at = coalesce(deleted_at, now())
     WHERE owner_id = ${userId}::uuid RETURNING storage_key`.execute(trx)
  // A report a moderator acted on is part of the moderation log: it stays, moved onto the tombstone below, but
  // without the reporter's own words (the action keeps the moderator's reason).
  await sql`
    DELETE FROM reports r
     WHERE r.reporter_id = ${userId}::uuid
       AND NOT EXISTS (SELECT 1 FROM moderation_actions a WHERE a.report_id = r.id)`.execute(trx)
  await trx.updateTable('reports').set({ details: '' }).where('reporter_id', '=', userId).execute()

  for (const [table, column] of userReferences.deleted) {
    await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${userId}::uuid`.execute(trx)
  }
  // Moving entities.author_id makes the trigger of 0003 rebuild each stored Feature with the tombstone's name.
  for (const [table, column] of userReferences.moved) {
    await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${tombstoneId}::uuid
               WHERE ${sql.ref(column)} = ${userId}::uuid`.execute(trx)
  }
  await forgetInDocuments(trx, userId, member.display_name, tombstoneId)

  await trx.deleteFrom('users').where('id', '=', userId).execute()
  return { ok: true, tombstoneId, mediaStorageKeys: media.rows.map((row) => row.storage_key) }
}

/**
 * Things the member marked as at a private location (their home, a request for help at home) do not stay on
 * the map even anonymously: where someone lives is theirs. They are deleted, as their author would delete them
 * (an `entity.deleted` event tells live maps to drop them), and the exact geometry is replaced by the blurred
 * point others were shown, the text and the properties (an address) wiped, so the deleted row keeps nothing
 * of the place.
 */
async function wipePrivateLocations(trx: Transaction<DB>, userId: string): Promise<void> {
  const wiped = await sql<{
    id: string
    kind: string
    was_live: boolean
    valid_from: string | null
    valid_to: string | null
    min_lon: number
    min_lat: number
    max_lon: number
    max_lat: number
  }>`
    WITH marked AS (
      SELECT id, kind, deleted_at IS NULL AS was_live, quartiere_iso(valid_from) AS valid_from,
             quartiere_iso(valid_to) AS valid_to, ST_XMin(public_geom) AS min_lon, ST_YMin(public_geom) AS min_lat,
             ST_XMax(public_geom) AS max_lon, ST_YMax(public_geom) AS max_lat
        FROM entities
       WHERE author_id = ${userId}::uuid AND location_private
         FOR UPDATE
    ), wiped AS (
      UPDATE entities e
         SET geom = e.public_geom, title = 'Removed', description = '', properties = '{}'::jsonb,
             tags = '{}', categories = '{}', deleted_at = coalesce(e.deleted_at, now()),
             version = e.version + CASE WHEN e.deleted_at IS NULL THEN 1 ELSE 0 END
        FROM marked m
       WHERE e.id = m.id
      RETURNING e.id
    )
    SELECT m.* FROM marked m JOIN wiped w ON w.id = m.id`.execute(trx)
  for (const row of wiped.rows) {
    if (!row.was_live) continue
    const bbox = [row.min_lon, row.min_lat, row.max_lon, row.max_lat].map(Number)
    await trx
      .insertInto('events_outbox')
      .values({
        topic: 'entity.deleted',
        entity_id: row.id,
        min_lon: bbox[0]!,
        min_lat: bbox[1]!,
        max_lon: bbox[2]!,
        max_lat: bbox[3]!,
        audience: null,
        payload: JSON.stringify({ id: row.id }),
        previous: JSON.stringify({ bbox, kind: row.kind, validFrom: row.valid_from, validTo: row.valid_to }),
      })
      .execute()
  }
}

/**
 * Other members' notifications and the realtime outbox carry people as JSON ({"id", "displayName"} objects and
 * bare ids): there the member becomes the tombstone (migration 0009's quartiere_json_forget_user). Outbox
 * events addressed to the member alone are deleted; from the others' audiences the member is removed.
 *
 * This reads every notification and outbox row's text once: erasure is rare, and the outbox keeps a week.
 */
async function forgetInDocuments(
  trx: Transaction<DB>,
  userId: string,
  displayName: string,
  tombstoneId: string,
): Promise<void> {
  const nameJson = JSON.stringify(displayName)
  const mentions = (column: 'payload') => sql`
    (strpos(${sql.ref(column)}::text, ${userId}) > 0 OR strpos(${sql.ref(column)}::text, ${nameJson}) > 0)`
  const rewrite = sql`quartiere_json_forget_user(payload, ${userId}, ${displayName}, ${tombstoneId},
    ${tombstoneDisplayName})`
  await sql`UPDATE notifications SET payload = ${rewrite} WHERE ${mentions('payload')}`.execute(trx)
  await sql`DELETE FROM events_outbox WHERE audience <@ ARRAY[${userId}::uuid]`.execute(trx)
  await sql`UPDATE events_outbox SET audience = array_remove(audience, ${userId}::uuid)
             WHERE ${userId}::uuid = ANY (audience)`.execute(trx)
  await sql`UPDATE events_outbox SET payload = ${rewrite} WHERE ${mentions('payload')}`.execute(trx)
}
