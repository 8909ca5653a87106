const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Keyset cursors: the opaque `cursor` of a `next` link names the last id of the page, so the next page starts
 * right after it whatever was inserted or deleted meanwhile (no duplicates, no gaps), at the cost of an index
 * seek instead of an OFFSET that grows with the page number.
 */
export function encodeIdCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url')
}

export function decodeIdCursor(cursor: string): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (typeof value === 'object' && value !== null && 'after' in value) {
      const after = (value as { after: unknown }).after
      if (typeof after === 'string' && uuidPattern.test(after)) return after
    }
  } catch {
    // A cursor that is not ours is bad input, answered below.
  }
  return undefined
}
