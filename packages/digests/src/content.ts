import type { DB } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'

/** Followed things listed in one digest at most; the rest are counted. */
export const digestFollowedThingsMax = 20
/** Notifications listed in one digest at most; the rest are counted. */
export const digestNotificationsMax = 20

export interface FollowedActivity {
  entityId: string
  title: string
  posts: number
  comments: number
}

export interface DigestNotification {
  topic: string
  entityId: string | null
  payload: Record<string, unknown>
  createdAt: Date
}

/** What one member's digest says: activity on what they follow and their unread notifications, in a window. */
export interface DigestContent {
  followed: FollowedActivity[]
  followedMore: number
  notifications: DigestNotification[]
  notificationsMore: number
}

export function isEmpty(content: DigestContent): boolean {
  return content.followed.length === 0 && content.notifications.length === 0
}

/**
 * Reads, read-only, what the map's community holds for a member between `from` (exclusive) and `until`
 * (inclusive): new posts and comments by others on the things they follow that anyone may still see, and their
 * notifications created in the window and still unread. The map owns these tables; the digest only reads them.
 */
export async function readDigestContent(
  db: Kysely<DB>,
  userId: string,
  from: Date,
  until: Date,
): Promise<DigestContent> {
  const followed = await sql<{ entity_id: string; title: string; posts: string; comments: string }>`
    SELECT entity_id, title, posts, comments FROM (
      SELECT e.id AS entity_id, e.title,
             (SELECT count(*) FROM posts p
               WHERE p.entity_id = e.id AND p.author_id <> ${userId}::uuid
                 AND p.created_at > ${from} AND p.created_at <= ${until} AND p.created_at > s.created_at
                 AND p.deleted_at IS NULL AND p.hidden_at IS NULL) AS posts,
             (SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id
               WHERE p.entity_id = e.id AND c.author_id <> ${userId}::uuid
                 AND c.created_at > ${from} AND c.created_at <= ${until} AND c.created_at > s.created_at
                 AND c.deleted_at IS NULL AND c.hidden_at IS NULL
                 AND p.deleted_at IS NULL AND p.hidden_at IS NULL) AS comments
        FROM subscriptions s JOIN visible_entities e ON e.id = s.entity_id
       WHERE s.user_id = ${userId}::uuid
    ) AS activity
    WHERE posts + comments > 0
    ORDER BY posts + comments DESC, entity_id
    LIMIT ${digestFollowedThingsMax + 1}`.execute(db)
  const followedCount = followed.rows.length > digestFollowedThingsMax ? await countFollowed() : 0

  async function countFollowed(): Promise<number> {
    const counted = await sql<{ n: string }>`
      SELECT count(*) AS n FROM subscriptions s JOIN visible_entities e ON e.id = s.entity_id
       WHERE s.user_id = ${userId}::uuid
         AND (EXISTS (SELECT 1 FROM posts p WHERE p.entity_id = e.id AND p.author_id <> ${userId}::uuid
                       AND p.created_at > ${from} AND p.created_at <= ${until} AND p.created_at > s.created_at
                       AND p.deleted_at IS NULL AND p.hidden_at IS NULL)
          OR EXISTS (SELECT 1 FROM comments c JOIN posts p ON p.id = c.post_id
                      WHERE p.entity_id = e.id AND c.author_id <> ${userId}::uuid
                        AND c.created_at > ${from} AND c.created_at <= ${until} AND c.created_at > s.created_at
                        AND c.deleted_at IS NULL AND c.hidden_at IS NULL
                        AND p.deleted_at IS NULL AND p.hidden_at IS NULL))`.execute(db)
    return Number(counted.rows[0]?.n ?? 0)
  }

  const notifications = await db
    .selectFrom('notifications')
    .select(['topic', 'entity_id', 'payload', 'created_at'])
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .where('created_at', '>', from)
    .where('created_at', '<=', until)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(digestNotificationsMax + 1)
    .execute()
  let notificationsMore = 0
  if (notifications.length > digestNotificationsMax) {
    const counted = await db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .where('created_at', '>', from)
      .where('created_at', '<=', until)
      .executeTakeFirstOrThrow()
    notificationsMore = Number(counted.n) - digestNotificationsMax
  }

  return {
    followed: followed.rows.slice(0, digestFollowedThingsMax).map((row) => ({
      entityId: row.entity_id,
      title: row.title,
      posts: Number(row.posts),
      comments: Number(row.comments),
    })),
    followedMore: Math.max(0, followedCount - digestFollowedThingsMax),
    notifications: notifications.slice(0, digestNotificationsMax).map((row) => ({
      topic: row.topic,
      entityId: row.entity_id,
      payload: row.payload,
      createdAt: row.created_at,
    })),
    notificationsMore,
  }
}
