import type { PersonalDataExport } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { appendOutboxEvents } from '@quartiere/realtime'
import { type RawBuilder, sql, type Transaction } from 'kysely'

/**
 * The map's part of a member's personal data (GDPR Art. 15, 17 and 20): its sections of the export, and what
 * erasing a member does to the map and the community. packages/personal-data runs the parts of every domain in
 * order.
 */

/** The export sections the map holds. */
export type MapPersonalDataSection =
  | 'entities'
  | 'posts'
  | 'comments'
  | 'media'
  | 'groups'
  | 'joinRequests'
  | 'follows'
  | 'notifications'
  | 'reports'
  | 'pactHistory'
  | 'pactDocuments'
  | 'initiatives'
  | 'moderationActions'

/**
 * Reads one section of the export: `query` selects the section's fields and a `sort_key` and `sort_id`; the
 * reader caps the rows and records the section as truncated when there were more.
 */
export type MapSectionReader = <K extends MapPersonalDataSection>(
  name: K,
  query: RawBuilder<unknown>,
) => Promise<PersonalDataExport[K]>

type UserTable = keyof DB & string

/**
 * Every map column that holds a user id, and what erasure does with it (see packages/personal-data's
 * `userReferences`, which a test compares with the database's foreign keys to `users`).
 *
 * - `deleted`: rows that are only the member's (memberships, follows, their notifications).
 * - `moved`: rows that stay, because others rely on them (threads, the map, audit logs): moved onto the
 *   tombstone.
 */
export const mapUserReferences = {
  deleted: [
    ['group_members', 'user_id'],
    ['group_join_requests', 'user_id'],
    ['subscriptions', 'user_id'],
    ['notifications', 'user_id'],
    // The first answers of their creations, kept for retries (migration 0017): they hold the member's text.
    ['idempotency_keys', 'user_id'],
  ],
  moved: [
    ['entities', 'author_id'],
    ['posts', 'author_id'],
    ['comments', 'author_id'],
    ['media', 'owner_id'],
    ['pact_documents', 'added_by'],
    ['pact_history', 'actor_id'],
    ['initiatives', 'created_by'],
    ['initiative_entities', 'added_by'],
    ['group_join_requests', 'decided_by'],
    ['reports', 'reporter_id'],
    ['reports', 'resolved_by'],
    ['moderation_actions', 'moderator_id'],
  ],
  special: [],
} as const satisfies Record<string, readonly (readonly [UserTable, string])[]>

/**
 * The map's sections of the member's export, each read through `section` (in the reader's snapshot).
 *
 * @example
 * const map = await exportMemberMapData(userId, section)
 * map.entities // what the member put on the map, exact locations included
 */
export async function exportMemberMapData(
  userId: string,
  section: MapSectionReader,
): Promise<Pick<PersonalDataExport, MapPersonalDataSection>> {
  const me = sql`${userId}::uuid`
  // The exact geometry: these are the member's own, private locations included.
  const entities = await section(
    'entities',
    sql`SELECT id, kind, title, description, ST_AsGeoJSON(geom, 7)::json AS geometry,
               location_private AS "locationPrivate", quartiere_iso(valid_from) AS "validFrom",
               quartiere_iso(valid_to) AS "validTo", parent_id AS "parentId", categories, tags, properties,
               quartiere_iso(created_at) AS "createdAt", quartiere_iso(updated_at) AS "updatedAt",
               quartiere_iso(deleted_at) AS "deletedAt", quartiere_iso(hidden_at) AS "hiddenAt",
               created_at AS sort_key, id AS sort_id
          FROM entities WHERE author_id = ${me}`,
  )

  const posts = await section(
    'posts',
    sql`SELECT id, entity_id AS "entityId", title, body, tags, media_ids::text[] AS "mediaIds",
               quartiere_iso(created_at) AS "createdAt", quartiere_iso(updated_at) AS "updatedAt",
               quartiere_iso(deleted_at) AS "deletedAt", quartiere_iso(hidden_at) AS "hiddenAt",
               created_at AS sort_key, id AS sort_id
          FROM posts WHERE author_id = ${me}`,
  )

  const comments = await section(
    'comments',
    sql`SELECT id, post_id AS "postId", body, quartiere_iso(created_at) AS "createdAt",
               quartiere_iso(updated_at) AS "updatedAt", quartiere_iso(deleted_at) AS "deletedAt",
               quartiere_iso(hidden_at) AS "hiddenAt", created_at AS sort_key, id AS sort_id
          FROM comments WHERE author_id = ${me}`,
  )

  const media = await section(
    'media',
    sql`SELECT id, entity_id AS "entityId", content_type AS "contentType", width, height, bytes,
               '/api/media/' || id AS url, '/api/media/' || id || '/thumbnail' AS "thumbnailUrl",
               quartiere_iso(created_at) AS "createdAt", quartiere_iso(deleted_at) AS "deletedAt",
               quartiere_iso(hidden_at) AS "hiddenAt", created_at AS sort_key, id AS sort_id
          FROM media WHERE owner_id = ${me}`,
  )

  const groups = await section(
    'groups',
    sql`SELECT m.group_id AS "groupId", g.title, m.role, quartiere_iso(m.created_at) AS since,
               m.created_at AS sort_key, m.group_id AS sort_id
          FROM group_members m JOIN entities g ON g.id = m.group_id
         WHERE m.user_id = ${me}`,
  )

  const joinRequests = await section(
    'joinRequests',
    sql`SELECT id, group_id AS "groupId", message, status, quartiere_iso(created_at) AS "createdAt",
               quartiere_iso(decided_at) AS "decidedAt", created_at AS sort_key, id AS sort_id
          FROM group_join_requests WHERE user_id = ${me}`,
  )

  const follows = await section(
    'follows',
    sql`SELECT s.entity_id AS "entityId", e.title, quartiere_iso(s.created_at) AS since,
               s.created_at AS sort_key, s.entity_id AS sort_id
          FROM subscriptions s JOIN entities e ON e.id = s.entity_id
         WHERE s.user_id = ${me}`,
  )

  const notifications = await section(
    'notifications',
    sql`SELECT id, topic, entity_id AS "entityId", payload, quartiere_iso(created_at) AS "createdAt",
               quartiere_iso(read_at) AS "readAt", created_at AS sort_key, id AS sort_id
          FROM notifications WHERE user_id = ${me}`,
  )

  const reports = await section(
    'reports',
    sql`SELECT id, target_type AS "targetType", target_id AS "targetId", reason, details, status,
               quartiere_iso(created_at) AS "createdAt", quartiere_iso(resolved_at) AS "resolvedAt",
               created_at AS sort_key, id AS sort_id
          FROM reports WHERE reporter_id = ${me}`,
  )

  const pactHistory = await section(
    'pactHistory',
    sql`SELECT id, pact_id AS "pactId", type, from_status AS "fromStatus", to_status AS "toStatus",
               group_id AS "groupId", note, quartiere_iso(created_at) AS "createdAt",
               created_at AS sort_key, id AS sort_id
          FROM pact_history WHERE actor_id = ${me}`,
  )

  const pactDocuments = await section(
    'pactDocuments',
    sql`SELECT id, pact_id AS "pactId", title, url, media_id AS "mediaId",
               quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, id AS sort_id
          FROM pact_documents WHERE added_by = ${me}`,
  )

  const initiatives = await section(
    'initiatives',
    sql`SELECT id, slug, name, quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, id AS sort_id
          FROM initiatives WHERE created_by = ${me}`,
  )

  const moderationActions = await section(
    'moderationActions',
    sql`SELECT id, action, target_type AS "targetType", target_id AS "targetId", reason,
               quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, id AS sort_id
          FROM moderation_actions WHERE moderator_id = ${me}`,
  )

  return {
    entities,
    posts,
    comments,
    media,
    groups,
    joinRequests,
    follows,
    notifications,
    reports,
    pactHistory,
    pactDocuments,
    initiatives,
    moderationActions,
  }
}

/** The live groups the member alone owns, in id order: leaving them would leave them ownerless. */
export async function groupsSolelyOwnedBy(trx: Transaction<DB>, userId: string): Promise<string[]> {
  const soleOwned = await sql<{ group_id: string }>`
    SELECT m.group_id FROM group_members m
      JOIN entities g ON g.id = m.group_id AND g.deleted_at IS NULL
     WHERE m.user_id = ${userId}::uuid AND m.role = 'owner'
       AND NOT EXISTS (SELECT 1 FROM group_members o
                        WHERE o.group_id = m.group_id AND o.role = 'owner' AND o.user_id <> m.user_id)
     ORDER BY m.group_id`.execute(trx)
  return soleOwned.rows.map((row) => row.group_id)
}

/**
 * Erases the member from the map, in the caller's transaction, with the tombstone user already inserted: map
 * things at a private location are deleted and wiped ({@link wipePrivateLocations}), the rest stays under the
 * tombstone; their images are marked deleted; memberships, follows, their notifications and the reports they
 * made go (a report a moderator acted on stays, anonymous and without its details, beside the action). Returns
 * the media store keys of their images: the caller deletes the files once the erasure committed.
 */
export async function eraseMemberMapData(
  trx: Transaction<DB>,
  userId: string,
  tombstoneId: string,
): Promise<{ mediaStorageKeys: string[] }> {
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

  for (const [table, column] of mapUserReferences.deleted) {
    await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${userId}::uuid`.execute(trx)
  }
  // Moving entities.author_id makes the trigger of 0003 rebuild each stored Feature with the tombstone's name.
  for (const [table, column] of mapUserReferences.moved) {
    await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${tombstoneId}::uuid
               WHERE ${sql.ref(column)} = ${userId}::uuid`.execute(trx)
  }
  return { mediaStorageKeys: media.rows.map((row) => row.storage_key) }
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
  await appendOutboxEvents(
    trx,
    wiped.rows
      .filter((row) => row.was_live)
      .map((row) => {
        const bbox: [number, number, number, number] = [
          Number(row.min_lon),
          Number(row.min_lat),
          Number(row.max_lon),
          Number(row.max_lat),
        ]
        return {
          topic: 'entity.deleted',
          entityId: row.id,
          bbox,
          audience: null,
          payload: { id: row.id },
          previous: { bbox, kind: row.kind, validFrom: row.valid_from, validTo: row.valid_to },
        }
      }),
  )
}

/**
 * Other members' notifications carry people as JSON ({"id", "displayName"} objects and bare ids): there the
 * member becomes the tombstone (migration 0009's quartiere_json_forget_user). Call it after
 * {@link eraseMemberMapData}, which deleted the member's own.
 *
 * This reads every notification's text once: erasure is rare.
 */
export async function forgetMemberInNotifications(
  trx: Transaction<DB>,
  member: { id: string; displayName: string },
  tombstone: { id: string; displayName: string },
): Promise<void> {
  const nameJson = JSON.stringify(member.displayName)
  await sql`
    UPDATE notifications
       SET payload = quartiere_json_forget_user(payload, ${member.id}, ${member.displayName}, ${tombstone.id},
                                                ${tombstone.displayName})
     WHERE strpos(payload::text, ${member.id}) > 0 OR strpos(payload::text, ${nameJson}) > 0`.execute(trx)
}
