import { type DB, defineCursor } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'

/** A page of the member directory: ids and display names only, an email never leaves the server. */
export type MemberSearchOutcome =
  | { ok: true; items: { id: string; displayName: string }[]; nextCursor: string | null }
  | { ok: false; code: 'invalid_cursor' }

/** A member's key in the directory's order: the lower-cased display name, then the id. */
const memberCursor = defineCursor({ name: 'text', id: 'uuid' })

/** `%`, `_` and `\` typed by a person are literal characters, not patterns. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`)
}

/**
 * Members whose display name has a word starting with `q`, by (lower(display name), id), `limit` a page.
 * Erased members' tombstones ("Former member") are nobody to pay or to find.
 */
export async function searchMembers(
  db: Kysely<DB>,
  query: { q: string; limit: number; cursor?: string },
): Promise<MemberSearchOutcome> {
  const { q, limit } = query
  const after = query.cursor === undefined ? null : (memberCursor.decode(query.cursor) ?? null)
  if (query.cursor !== undefined && !after) return { ok: false, code: 'invalid_cursor' }
  const prefix = escapeLike(q.trim().toLowerCase())
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name', sql<string>`lower(display_name)`.as('sort_key')])
    .where('erased_at', 'is', null)
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
    ok: true,
    items: page.map((row) => ({ id: row.id, displayName: row.display_name })),
    nextCursor:
      rows.length > limit && last ? memberCursor.encode({ name: last.sort_key, id: last.id }) : null,
  }
}
