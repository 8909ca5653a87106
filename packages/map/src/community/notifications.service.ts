import type { Notification, Subscription } from '@quartiere/contracts'
import { type DB, now } from '@quartiere/db'
import { appendOutboxEvents } from '@quartiere/realtime'
import { type Kysely, sql } from 'kysely'
import type { Actor } from '../actor'
import { readEntity } from './access'
import {
  cursorTime,
  decodeFlaggedTimeKey,
  encodeTimeKey,
  iso,
  isoOrNull,
  keysetPage,
  readCursor,
} from './keys'
import { type CommunityOutcome, refuse } from './outcome'

/** What a notification says: its topic, the entity it is about (if any) and a small JSON payload. */
export interface NotificationInput {
  topic: string
  entityId?: string | null
  payload: Record<string, unknown>
}

/** A member follows at most this many things; beyond it, notifications would be noise anyway. */
export const subscriptionsPerUserMax = 5_000

/**
 * Tells each of `userIds` (duplicates and `except` removed) something, in the caller's transaction: a stored
 * notification each, and a `notification.created` outbox event addressed to that member alone, so the
 * websocket feed delivers it live when they are connected and it waits in the list when they are not.
 * Returns how many members were notified.
 */
export async function notifyUsers(
  db: Kysely<DB>,
  userIds: readonly string[],
  input: NotificationInput,
  options: { except?: string | null } = {},
): Promise<number> {
  const recipients = [...new Set(userIds)].filter((id) => id !== options.except)
  if (recipients.length === 0) return 0
  const rows = await db
    .insertInto('notifications')
    .values(
      recipients.map((userId) => ({
        user_id: userId,
        topic: input.topic,
        entity_id: input.entityId ?? null,
        payload: JSON.stringify(input.payload),
      })),
    )
    .returning(['id', 'user_id', 'topic', 'entity_id', 'payload', 'created_at', 'read_at'])
    .execute()
  await appendOutboxEvents(
    db,
    rows.map((row) => ({
      topic: 'notification.created',
      ...(row.entity_id ? { entityId: row.entity_id } : {}),
      audience: [row.user_id],
      payload: toNotification(row),
    })),
  )
  return rows.length
}

/** The members following an entity. */
export async function subscribersOf(db: Kysely<DB>, entityIds: readonly string[]): Promise<string[]> {
  if (entityIds.length === 0) return []
  const rows = await db
    .selectFrom('subscriptions')
    .select('user_id')
    .distinct()
    .where('entity_id', 'in', entityIds)
    .execute()
  return rows.map((row) => row.user_id)
}

/** Tells an entity's followers (and any `also`), except whoever caused it. */
export async function notifyFollowers(
  db: Kysely<DB>,
  entityIds: readonly string[],
  input: NotificationInput,
  options: { except?: string | null; also?: readonly string[] } = {},
): Promise<number> {
  const followers = await subscribersOf(db, entityIds)
  return notifyUsers(db, [...followers, ...(options.also ?? [])], input, { except: options.except ?? null })
}

/** Follows an entity (idempotent). */
export async function subscribe(
  db: Kysely<DB>,
  actor: Actor,
  entityId: string,
): Promise<CommunityOutcome<{ created: boolean }>> {
  const entity = await readEntity(db, actor, entityId)
  if (!entity) return refuse('not_found', `no entity ${entityId}`)
  const count = await db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', actor.userId)
    .executeTakeFirstOrThrow()
  if (Number(count.n) >= subscriptionsPerUserMax) {
    return refuse(
      'invalid_query',
      `you follow ${subscriptionsPerUserMax} things already, the most one member may; unfollow some first`,
    )
  }
  const inserted = await db
    .insertInto('subscriptions')
    .values({ user_id: actor.userId, entity_id: entityId })
    .onConflict((oc) => oc.columns(['user_id', 'entity_id']).doNothing())
    .returning('entity_id')
    .executeTakeFirst()
  return { ok: true, created: inserted !== undefined }
}

/** Whether the member follows a thing they may see. */
export async function followingOf(
  db: Kysely<DB>,
  actor: Actor,
  entityId: string,
): Promise<CommunityOutcome<{ following: boolean }>> {
  const entity = await readEntity(db, actor, entityId)
  if (!entity) return refuse('not_found', `no entity ${entityId}`)
  const row = await db
    .selectFrom('subscriptions')
    .select('entity_id')
    .where('user_id', '=', actor.userId)
    .where('entity_id', '=', entityId)
    .executeTakeFirst()
  return { ok: true, following: row !== undefined }
}

export async function unsubscribe(db: Kysely<DB>, actor: Actor, entityId: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('subscriptions')
    .where('user_id', '=', actor.userId)
    .where('entity_id', '=', entityId)
    .executeTakeFirst()
  return Number(deleted.numDeletedRows) > 0
}

export async function listSubscriptions(
  db: Kysely<DB>,
  actor: Actor,
  limit: number,
  cursor?: string,
): Promise<CommunityOutcome<{ items: Subscription[]; nextCursor: string | null }>> {
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  let query = db
    .selectFrom('subscriptions as s')
    .innerJoin('entities as e', 'e.id', 's.entity_id')
    .select(['s.entity_id', 'e.kind', 'e.title', 's.created_at', cursorTime('s.created_at').as('key_at')])
    .where('s.user_id', '=', actor.userId)
    .where('e.deleted_at', 'is', null)
  if (after) {
    query = query.where(
      sql<boolean>`(s.created_at, s.entity_id) < (${after.at}::timestamptz, ${after.id}::uuid)`,
    )
  }
  const rows = await query
    .orderBy('s.created_at', 'desc')
    .orderBy('s.entity_id', 'desc')
    .limit(limit + 1)
    .execute()
  const { page, nextCursor } = keysetPage(rows, limit, (row) => ({ at: row.key_at, id: row.entity_id }))
  return {
    ok: true,
    items: page.map((row) => ({
      entityId: row.entity_id,
      kind: row.kind,
      title: row.title,
      since: iso(row.created_at),
    })),
    nextCursor,
  }
}

/** My notifications, unread first, newest first within each, with how many are unread. */
export async function listNotifications(
  db: Kysely<DB>,
  actor: Actor,
  options: { limit: number; cursor?: string; unreadOnly?: boolean },
): Promise<CommunityOutcome<{ items: Notification[]; unreadCount: number; nextCursor: string | null }>> {
  const after = options.cursor === undefined ? undefined : decodeFlaggedTimeKey(options.cursor)
  if (options.cursor !== undefined && !after) {
    return refuse('invalid_cursor', 'the cursor is not one this API gave out; start again without it')
  }
  let query = db
    .selectFrom('notifications')
    .select([
      'id',
      'user_id',
      'topic',
      'entity_id',
      'payload',
      'created_at',
      'read_at',
      cursorTime('created_at').as('key_at'),
    ])
    .where('user_id', '=', actor.userId)
  if (options.unreadOnly) query = query.where('read_at', 'is', null)
  if (after) {
    // The order is (unread, created_at, id) descending, unread = true first.
    query = query.where(
      sql<boolean>`((read_at IS NULL), created_at, id) < (${after.flag}::boolean, ${after.at}::timestamptz, ${after.id}::uuid)`,
    )
  }
  const rows = await query
    .orderBy(sql`(read_at IS NULL)`, 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute()
  const unread = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', actor.userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return {
    ok: true,
    items: page.map(toNotification),
    unreadCount: Number(unread.n),
    nextCursor:
      rows.length > options.limit && last
        ? encodeTimeKey({ at: last.key_at, id: last.id, flag: last.read_at === null })
        : null,
  }
}

/** Marks one of my notifications read; someone else's is not found. */
export async function markNotificationRead(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
): Promise<CommunityOutcome<{ notification: Notification }>> {
  const row = await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where('id', '=', id)
    .where('user_id', '=', actor.userId)
    .returning(['id', 'user_id', 'topic', 'entity_id', 'payload', 'created_at', 'read_at'])
    .executeTakeFirst()
  if (!row) return refuse('not_found', `no notification ${id}`)
  return { ok: true, notification: toNotification(row) }
}

export async function markAllNotificationsRead(db: Kysely<DB>, actor: Actor): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: now() })
    .where('user_id', '=', actor.userId)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

function toNotification(row: {
  id: string
  topic: string
  entity_id: string | null
  payload: Record<string, unknown>
  created_at: Date
  read_at: Date | null
}): Notification {
  return {
    id: row.id,
    topic: row.topic,
    entityId: row.entity_id,
    payload: row.payload,
    createdAt: iso(row.created_at),
    readAt: isoOrNull(row.read_at),
  }
}
