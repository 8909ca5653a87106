import type { UserRole } from '@quartiere/auth'
import { type DB, uuidPattern } from '@quartiere/db'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { ApiError } from '../problem'

/** How long a member known to exist is not looked up again, on each instance (ACCOUNT_RECHECK_MS). */
export const accountPresenceRecheckMs = 30_000
/** Members remembered at most; past it the oldest are forgotten (and looked up again on their next request). */
export const accountPresenceMembersMax = 10_000

export interface AccountPresence {
  /** Whether the member a verified token names still exists (remembered for a while when they do). */
  exists(userId: string): Promise<boolean>
  /**
   * The member's role now, or null when they no longer exist (remembered like `exists`). A remembered role
   * that differs from `claimed` (the token's) is read again: the token may be newer than the memory.
   */
  currentRole(userId: string, claimed?: UserRole): Promise<UserRole | null>
  /** Forgets what this instance knew of a member: their next request looks them up (after an erasure, 401). */
  forget(userId: string): void
}

/**
 * Access tokens are verified without the database (a signature and claims), so a token outlives what it says:
 * after `DELETE /api/me` the member's tokens would work for the rest of their 15 minutes, and a moderator or
 * admin whose role was taken away would keep it as long. This hook refuses, with 401, a token whose member no
 * longer exists, and gives the request the member's role as the database has it now, not as the token says.
 * Checking the database on every request would put a query in every request's path, so what was found is
 * remembered for `recheckMs` ({@link accountPresenceRecheckMs} by default): the instance that erased the member
 * forgets them at once (their tokens stop immediately); other instances, and a role changed in the database,
 * take effect within that time.
 *
 * Installed after the authentication hook, which sets `request.actor`.
 */
export function installAccountPresence(
  app: FastifyInstance,
  db: Kysely<DB>,
  recheckMs = accountPresenceRecheckMs,
): AccountPresence {
  const confirmed = new Map<string, { at: number; role: UserRole }>()
  const currentRole = async (userId: string, claimed?: UserRole): Promise<UserRole | null> => {
    if (!uuidPattern.test(userId)) return null
    const now = Date.now()
    const known = confirmed.get(userId)
    if (
      known !== undefined &&
      now - known.at < recheckMs &&
      (claimed === undefined || claimed === known.role)
    )
      return known.role
    const found = await db
      .selectFrom('users')
      .select('role')
      .where('id', '=', userId)
      .where('erased_at', 'is', null)
      .executeTakeFirst()
    // Re-inserted so the map's order is the order of last confirmation: the first key is the stalest.
    confirmed.delete(userId)
    if (!found) return null
    if (confirmed.size >= accountPresenceMembersMax) {
      const stalest = confirmed.keys().next().value
      if (stalest !== undefined) confirmed.delete(stalest)
    }
    const role = found.role as UserRole
    confirmed.set(userId, { at: now, role })
    return role
  }
  app.addHook('onRequest', async (request) => {
    const actor = request.actor
    if (!actor) return
    const role = await currentRole(actor.userId, actor.role)
    if (role === null) throw gone()
    if (role !== actor.role) request.actor = { ...actor, role }
  })
  return {
    currentRole,
    exists: async (userId) => (await currentRole(userId)) !== null,
    forget(userId) {
      confirmed.delete(userId)
    },
  }
}

function gone() {
  return new ApiError(401, 'unauthorized', 'the account of this access token no longer exists', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  })
}
