import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { changeRole, listRoleChanges } from '@quartiere/auth'
import {
  RoleChangeBody,
  RoleChangeList,
  RoleChangeResult,
  RoleChangesQuery,
  UserIdParams,
} from '@quartiere/contracts'
import { roleChangeProblem, roleChangesPageProblem, unwrap } from '../outcome-problems'
import type { AccountPresence } from '../plugins/account-presence'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

/**
 * Admins give and take platform roles; every change is in an audit log they can read. After a change this
 * instance forgets the role it remembered for the member, so their tokens carry the new role here at once (and
 * on other instances within ACCOUNT_RECHECK_MS, when account presence reads it again).
 */
export function adminRoutes(
  { database }: RouteContext,
  presence: Pick<AccountPresence, 'forget'>,
): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.put(
      '/api/admin/users/:id/role',
      {
        schema: {
          tags: ['admin'],
          summary: 'Give a member a platform role: member, moderator, researcher or admin (admins)',
          description:
            'The change is recorded in the role changes log. Tokens already issued carry the new role within ' +
            'ACCOUNT_RECHECK_MS. Giving the role a member has already changes nothing (`change` is null). The ' +
            'last admin cannot lose the role (409 `last_admin`).',
          security: [{ bearer: [] }],
          params: UserIdParams,
          body: RoleChangeBody,
          response: { 200: RoleChangeResult, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const outcome = unwrap(
          await db.transaction().execute((trx) =>
            changeRole(trx, {
              actorId: actor.userId,
              userId: request.params.id,
              role: request.body.role,
              ...(request.body.reason === undefined ? {} : { reason: request.body.reason }),
            }),
          ),
          roleChangeProblem,
        )
        if (outcome.change) presence.forget(outcome.userId)
        return { id: outcome.userId, role: outcome.role, change: outcome.change }
      },
    )

    app.get(
      '/api/admin/role-changes',
      {
        schema: {
          tags: ['admin'],
          summary: 'The log of every role change, newest first (admins)',
          security: [{ bearer: [] }],
          querystring: RoleChangesQuery,
          response: { 200: RoleChangeList, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => {
        // The actor's role is the database's (account presence puts it on the request), not the token's.
        if (requireActor(request).role !== 'admin') {
          throw new ApiError(403, 'forbidden', 'only an admin may read the role changes log')
        }
        const page = unwrap(await listRoleChanges(db, request.query), roleChangesPageProblem)
        return { items: page.items, nextCursor: page.nextCursor }
      },
    )
  }
}
