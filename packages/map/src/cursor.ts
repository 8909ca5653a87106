import { defineCursor } from '@quartiere/db'

/**
 * Keyset cursors: the opaque `cursor` of a `next` link names the last id of the page, so the next page starts
 * right after it whatever was inserted or deleted meanwhile (no duplicates, no gaps), at the cost of an index
 * seek instead of an OFFSET that grows with the page number.
 */
const idCursor = defineCursor({ after: 'uuid' })

export function encodeIdCursor(lastId: string): string {
  return idCursor.encode({ after: lastId })
}

/** The id a cursor names, or undefined for a cursor that is not one of ours (the caller answers invalid_cursor). */
export function decodeIdCursor(cursor: string): string | undefined {
  return idCursor.decode(cursor)?.after
}
