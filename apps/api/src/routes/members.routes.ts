import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { searchMembers } from '@quartiere/auth'
import { MemberList, MembersQuery, membersPageSizeDefault, Problem } from '@quartiere/contracts'
import { requireActor } from '../plugins/authentication'
import { ApiError } from '../problem'
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
          response: { 200: MemberList, 400: Problem, 401: Problem },
        },
      },
      async (request) => {
        requireActor(request)
        const { q, limit = membersPageSizeDefault, cursor } = request.query
        const found = await searchMembers(db, { q, limit, ...(cursor === undefined ? {} : { cursor }) })
        if (!found.ok) throw new ApiError(400, 'invalid_cursor', 'the cursor is not one we gave')
        return { items: found.items, nextCursor: found.nextCursor }
      },
    )
  }
}
