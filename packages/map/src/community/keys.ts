import { type RawBuilder, sql } from 'kysely'
import { type CommunityOutcome, refuse } from './outcome'

/**
 * Keyset cursors over (timestamp, id) pairs. The timestamp travels with microseconds, as PostgreSQL stores it:
 * a JavaScript Date keeps only milliseconds, and two rows a few microseconds apart would otherwise be skipped
 * or repeated at a page boundary.
 */
export function cursorTime(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const timePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

export interface TimeKey {
  at: string
  id: string
  /** For orders with a leading flag (unread notifications first). */
  flag?: boolean
}

export function encodeTimeKey(key: TimeKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

export function decodeTimeKey(cursor: string): TimeKey | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<TimeKey>
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof value.at === 'string' &&
      timePattern.test(value.at) &&
      typeof value.id === 'string' &&
      uuidPattern.test(value.id) &&
      (value.flag === undefined || typeof value.flag === 'boolean')
    ) {
      return value.flag === undefined
        ? { at: value.at, id: value.id }
        : { at: value.at, id: value.id, flag: value.flag }
    }
  } catch {
    // Not one of ours: the caller answers invalid_cursor.
  }
  return undefined
}

/** The position a `cursor` query parameter names, or a refusal when it is not one this API gave out. */
export function readCursor(cursor: string | undefined): CommunityOutcome<{ after: TimeKey | undefined }> {
  if (cursor === undefined) return { ok: true, after: undefined }
  const after = decodeTimeKey(cursor)
  if (!after)
    return refuse('invalid_cursor', 'the cursor is not one this API gave out; start again without it')
  return { ok: true, after }
}

/**
 * One page of a keyset list read with `limit + 1` rows: the extra row only says that there is a next page,
 * whose cursor is the key of the page's last row.
 */
export function keysetPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => TimeKey,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { page, nextCursor: rows.length > limit && last ? encodeTimeKey(keyOf(last)) : null }
}

export function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString()
}

export function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : iso(value)
}
