import { cursorTime, defineCursor } from '@quartiere/db'
import { type CommunityOutcome, refuse } from './outcome'

/**
 * Keyset cursors over (timestamp, id) pairs. The timestamp travels with microseconds, as PostgreSQL stores it
 * (`cursorTime` selects it so): a JavaScript Date keeps only milliseconds, and two rows a few microseconds apart
 * would otherwise be skipped or repeated at a page boundary.
 */
export { cursorTime }

export interface TimeKey {
  at: string
  id: string
  /** For orders with a leading flag (unread notifications first). */
  flag?: boolean
}

const timeKeyCursor = defineCursor({ at: 'timestamp', id: 'uuid' })
const flaggedTimeKeyCursor = defineCursor({ at: 'timestamp', id: 'uuid', flag: 'boolean' })

export function encodeTimeKey(key: TimeKey): string {
  return key.flag === undefined
    ? timeKeyCursor.encode({ at: key.at, id: key.id })
    : flaggedTimeKeyCursor.encode({ at: key.at, id: key.id, flag: key.flag })
}

/** The (timestamp, id) key a cursor names, or undefined when it is not exactly one (the caller answers invalid_cursor). */
export function decodeTimeKey(cursor: string): TimeKey | undefined {
  return timeKeyCursor.decode(cursor)
}

/** The (flag, timestamp, id) key of an order with a leading flag, or undefined when it is not exactly one. */
export function decodeFlaggedTimeKey(cursor: string): Required<TimeKey> | undefined {
  return flaggedTimeKeyCursor.decode(cursor)
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
