import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { searchMembers } from '@quartiere/auth'
import { MemberList, MembersQuery, membersPageSizeDefault } from '@quartiere/contracts'
import { memberSearchProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { errorResponses } from '../problem'
import type { RouteContext } from './context'

/**
 * `GET /api/members?q=`: find a member by display name to send them credits. Signed-in members only, and only
 * ids and display names: an email never leaves the server. Keyset paged by (lower(display name), id).
 */
export function membersRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/members',
      {
        schema: {
          tags: ['members'],
          summary: 'Members whose display name has a word starting with q (ids and names only)',
          security: [{ bearer: [] }],
          querystring: MembersQuery,
          response: { 200: MemberList, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        requireActor(request)
        const { q, limit = membersPageSizeDefault, cursor } = request.query
        const found = unwrap(
          await searchMembers(db, { q, limit, ...(cursor === undefined ? {} : { cursor }) }),
          memberSearchProblem,
        )
        return { items: found.items, nextCursor: found.nextCursor }
      },
    )
  }
}
