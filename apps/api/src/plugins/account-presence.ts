import type { DB } from '@quartiere/db'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { ApiError } from '../problem'

/** How long a member known to exist is not looked up again, on each instance. */
export const accountPresenceRecheckMs = 30_000
/** Members remembered at most; past it the oldest are forgotten (and looked up again on their next request). */
export const accountPresenceMembersMax = 10_000

export interface AccountPresence {
  /** Whether the member a verified token names still exists (remembered for a while when they do). */
  exists(userId: string): Promise<boolean>
  /** Forgets what this instance knew of a member: their next request looks them up (after an erasure, 401). */
  forget(userId: string): void
}

/**
 * Access tokens are verified without the database (a signature and claims), so a token outlives the account it
 * names: after `DELETE /api/me` the member's tokens would work for the rest of their 15 minutes. This hook
 * refuses, with 401, a token whose member no longer exists. Checking the database on every request would put
 * a query in every request's path, so a member found to exist is remembered for {@link accountPresenceRecheckMs}:
 * the instance that erased the member forgets them at once (their tokens stop immediately); other instances
 * notice within that time.
 *
 * Installed after the authentication hook, which sets `request.actor`.
 */
export function installAccountPresence(app: FastifyInstance, db: Kysely<DB>): AccountPresence {
  const confirmedAt = new Map<string, number>()
  const exists = async (userId: string) => {
    if (!uuidPattern.test(userId)) return false
    const now = Date.now()
    const at = confirmedAt.get(userId)
    if (at !== undefined && now - at < accountPresenceRecheckMs) return true
    const found = await db
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .where('erased_at', 'is', null)
      .executeTakeFirst()
    // Re-inserted so the map's order is the order of last confirmation: the first key is the stalest.
    confirmedAt.delete(userId)
    if (!found) return false
    if (confirmedAt.size >= accountPresenceMembersMax) {
      const stalest = confirmedAt.keys().next().value
      if (stalest !== undefined) confirmedAt.delete(stalest)
    }
    confirmedAt.set(userId, now)
    return true
  }
  app.addHook('onRequest', async (request) => {
    if (request.actor && !(await exists(request.actor.userId))) throw gone()
  })
  return {
    exists,
    forget(userId) {
      confirmedAt.delete(userId)
    },
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function gone() {
  return new ApiError(401, 'unauthorized', 'the account of this access token no longer exists', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  })
}
