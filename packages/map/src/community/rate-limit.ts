import type { DB } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
import type { Actor } from '../actor'
import { isModeratorOrAdmin } from '../actor'
import { type CommunityFailure, refuse } from './outcome'

/**
 * How much a member may post (posts and comments together) per rolling hour. New accounts get a tighter
 * budget: most spam comes from accounts made minutes before. Moderators and admins are not limited.
 */
export interface PostingLimits {
  /** An account younger than this is "new". */
  newAccountAgeHours: number
  /** Posts and comments per hour for a new account. */
  newAccountPostsPerHour: number
  /** Posts and comments per hour for everyone else. */
  postsPerHour: number
}

export const postingLimitsDefault: PostingLimits = {
  newAccountAgeHours: 24,
  newAccountPostsPerHour: 10,
  postsPerHour: 120,
}

/**
 * Refuses when the actor has used their hourly budget. It locks the member's row first, so two posts sent at
 * once are counted one after the other instead of both slipping under the limit.
 */
export async function checkPostingRate(
  db: Kysely<DB>,
  actor: Actor,
  limits: PostingLimits,
): Promise<CommunityFailure | undefined> {
  if (isModeratorOrAdmin(actor)) return undefined
  const user = await db
    .selectFrom('users')
    .select(
      sql<boolean>`created_at > now() - make_interval(hours => ${limits.newAccountAgeHours})`.as('is_new'),
    )
    .where('id', '=', actor.userId)
    .forUpdate()
    .executeTakeFirst()
  if (!user) return refuse('forbidden', 'this account no longer exists')
  const budget = user.is_new ? limits.newAccountPostsPerHour : limits.postsPerHour
  const used = await sql<{ n: string; oldest: Date | null }>`
    SELECT count(*) AS n, min(created_at) AS oldest FROM (
      SELECT created_at FROM posts WHERE author_id = ${actor.userId} AND created_at > now() - interval '1 hour'
      UNION ALL
      SELECT created_at FROM comments WHERE author_id = ${actor.userId} AND created_at > now() - interval '1 hour'
    ) recent`.execute(db)
  const row = used.rows[0]
  const count = Number(row?.n ?? 0)
  if (count < budget) return undefined
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : Date.now()
  const retryAfterSeconds = Math.max(1, Math.ceil((oldest + 3_600_000 - Date.now()) / 1000))
  return refuse(
    'rate_limited',
    user.is_new
      ? `new accounts may post ${budget} times per hour; try again in ${retryAfterSeconds} s`
      : `you may post ${budget} times per hour; try again in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  )
}
