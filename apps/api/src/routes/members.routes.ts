import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemberList, MembersQuery, membersPageSizeDefault, Problem } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
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
        const after = cursor === undefined ? null : decodeCursor(cursor)
        if (cursor !== undefined && !after)
          throw new ApiError(400, 'invalid_cursor', 'the cursor is not one we gave')
        return searchMembers(db, q, limit, after)
      },
    )
  }
}

interface MemberCursor {
  name: string
  id: string
}

function encodeCursor(cursor: MemberCursor): string {
  return Buffer.from(JSON.stringify([cursor.name, cursor.id])).toString('base64url')
}

function decodeCursor(text: string): MemberCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      if (!/^[0-9a-f-]{36}$/i.test(value[1])) return null
      return { name: value[0], id: value[1] }
    }
  } catch {
    // Fall through: a cursor that does not decode is refused.
  }
  return null
}

/** `%`, `_` and `\` typed by a person are literal characters, not patterns. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`)
}

/**
 * The lookup itself. It reads the users table directly because no domain package offers a member directory
 * yet; the natural home is packages/auth's users repository (noted in issue 6).
 */
async function searchMembers(db: Kysely<DB>, q: string, limit: number, after: MemberCursor | null) {
  const prefix = escapeLike(q.trim().toLowerCase())
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name', sql<string>`lower(display_name)`.as('sort_key')])
    .where((eb) =>
      eb.or([
        eb(sql`lower(display_name)`, 'like', `${prefix}%`),
        eb(sql`lower(display_name)`, 'like', `% ${prefix}%`),
      ]),
    )
    .$if(after !== null, (query) =>
      query.where(
        sql<boolean>`(lower(display_name), id) > (${after?.name ?? ''}, ${after?.id ?? null}::uuid)`,
      ),
    )
    .orderBy(sql`lower(display_name)`)
    .orderBy('id')
    .limit(limit + 1)
    .execute()
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return {
    items: page.map((row) => ({ id: row.id, displayName: row.display_name })),
    nextCursor: rows.length > limit && last ? encodeCursor({ name: last.sort_key, id: last.id }) : null,
  }
}
