import { type RawBuilder, sql } from 'kysely'
import { uuidPattern } from './uuid'

/**
 * Keyset cursors: the opaque `cursor` of a page names the key of the last row served, and the next page starts
 * right after it. On the wire a cursor is a JSON object in unpadded base64url. Clients hold it but cannot be
 * trusted with it: it comes back as query text, so every field is checked for exactly the type its listing
 * declared before any of it reaches SQL (a `::uuid` or `::timestamptz` cast of a wrong value fails the statement,
 * which would answer 500 instead of 400).
 */

/**
 * The longest cursor accepted, in characters of its base64url text (each one byte on the wire). The longest
 * one made is the member directory's, which carries a display name: 100 characters, each up to 6 bytes of
 * JSON, come to about 870.
 */
export const cursorBytesMax = 1024

/**
 * The types a cursor field may have:
 * - `uuid`: a uuid, either case.
 * - `timestamp`: an instant as PostgreSQL keeps it, in canonical ISO 8601 with microseconds
 *   (`2026-01-10T09:00:00.123456Z`); `cursorTimestamp` gives that form for a Date.
 * - `seq`: a positive `bigint` (a sequence number) as decimal text, within PostgreSQL's `int8`.
 * - `count`: a whole number from 0 to 2^53 - 1.
 * - `number`: any finite number.
 * - `text`: a string that PostgreSQL can store (no U+0000, no lone surrogate).
 * - `boolean`.
 */
export type CursorFieldType = 'uuid' | 'timestamp' | 'seq' | 'count' | 'number' | 'text' | 'boolean'

export type CursorShape = Readonly<Record<string, CursorFieldType>>

type FieldValue<T extends CursorFieldType> = T extends 'count' | 'number'
  ? number
  : T extends 'boolean'
    ? boolean
    : string

/** The values a cursor of this shape carries. */
export type CursorValues<S extends CursorShape> = { [F in keyof S]: FieldValue<S[F]> }

export interface CursorCodec<S extends CursorShape> {
  /** The cursor text for these values. Values of the wrong type are a bug here, and throw. */
  encode(values: CursorValues<S>): string
  /** The values of a cursor this codec made, or undefined for any text that is not exactly one. */
  decode(text: string): CursorValues<S> | undefined
}

const int8Max = 9_223_372_036_854_775_807n
const base64urlPattern = /^[A-Za-z0-9_-]+$/
const seqPattern = /^[1-9][0-9]{0,18}$/
const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/
const loneSurrogatePattern = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/**
 * Only real instants in years 1 to 9999: PostgreSQL refuses year 0 and February 30, and a second of 60 would be
 * rolled into the next minute, a key that no row has.
 */
function isCanonicalTimestamp(text: string): boolean {
  const parts = timestampPattern.exec(text)
  if (!parts) return false
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  )
}

function isFieldValue(type: CursorFieldType, value: unknown): boolean {
  switch (type) {
    case 'uuid':
      return typeof value === 'string' && uuidPattern.test(value)
    case 'timestamp':
      return typeof value === 'string' && isCanonicalTimestamp(value)
    case 'seq':
      return typeof value === 'string' && seqPattern.test(value) && BigInt(value) <= int8Max
    case 'count':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'text':
      return typeof value === 'string' && !value.includes('\u0000') && !loneSurrogatePattern.test(value)
    case 'boolean':
      return typeof value === 'boolean'
  }
}

/** The JSON a cursor's base64url text holds, or undefined when the text is not canonical base64url of UTF-8 JSON. */
function parseCursorJson(text: string): unknown {
  if (typeof text !== 'string' || text.length === 0 || text.length > cursorBytesMax) return undefined
  if (!base64urlPattern.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64url')
  // Node decodes leniently (it drops stray trailing bits); only the one text that re-encodes the same is ours.
  if (bytes.toString('base64url') !== text) return undefined
  try {
    return JSON.parse(strictUtf8.decode(bytes)) as unknown
  } catch {
    return undefined
  }
}

/**
 * A codec for the cursors of one listing, whose key has the fields of `shape`.
 *
 * @example
 * const exchangeCursor = defineCursor({ createdAt: 'timestamp', id: 'uuid' })
 * const text = exchangeCursor.encode({ createdAt: '2026-01-10T09:00:00.123456Z', id: row.id })
 * const after = exchangeCursor.decode(query.cursor) // undefined: answer 400 invalid_cursor
 */
export function defineCursor<const S extends CursorShape>(shape: S): CursorCodec<S> {
  const fields = Object.keys(shape) as (keyof S & string)[]
  return {
    encode(values) {
      const wire: Record<string, unknown> = {}
      for (const field of fields) {
        const value = values[field]
        if (!isFieldValue(shape[field]!, value))
          throw new Error(`cursor field ${field} is not a ${shape[field]}: ${String(value)}`)
        wire[field] = value
      }
      const text = Buffer.from(JSON.stringify(wire)).toString('base64url')
      if (text.length > cursorBytesMax)
        throw new Error(`a cursor of ${text.length} bytes exceeds cursorBytesMax`)
      return text
    },
    decode(text) {
      const value = parseCursorJson(text)
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
      const keys = Object.keys(value)
      if (keys.length !== fields.length) return undefined
      const decoded: Record<string, unknown> = {}
      for (const field of fields) {
        if (!Object.hasOwn(value, field)) return undefined
        const fieldValue = (value as Record<string, unknown>)[field]
        if (!isFieldValue(shape[field]!, fieldValue)) return undefined
        decoded[field] = fieldValue
      }
      return decoded as CursorValues<S>
    },
  }
}

/**
 * A timestamp column as a cursor's `timestamp`, with the microseconds PostgreSQL stores: a JavaScript Date keeps
 * only milliseconds, and two rows a few microseconds apart would otherwise be skipped or repeated at a page
 * boundary.
 */
export function cursorTime(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
}

/**
 * The `timestamp` form of the instant a Date holds, to the millisecond. Where rows are ordered by a timestamp
 * column, prefer selecting the key with `cursorTime`, which keeps the microseconds.
 */
export function cursorTimestamp(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z')
}
