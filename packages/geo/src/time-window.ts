import { type Failure, fail, ok, type Result } from './result'

export type TimeWindow = { from: Date | null; to: Date | null }

// RFC 3339 date-time. The space separator is allowed by the RFC's note and is what many databases print.
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/
// GDAL writes a date alone followed by a bare "T" in OGC API Features requests; it means midnight UTC.
const gdalDatePattern = /^\d{4}-\d{2}-\d{2}T$/

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
}

/**
 * Builds the instant from checked fields. Date.parse alone is not used because it accepts many non-RFC forms
 * and rolls impossible dates like 2024-02-30 over into March.
 */
function utc(fields: number[], offsetMinutes: number): Date | string {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0] = fields
  if (month < 1 || month > 12) return `month ${month} does not exist`
  if (day < 1 || day > daysInMonth(year, month)) {
    return `day ${day} does not exist in month ${month} of ${year}`
  }
  if (hour > 23 || minute > 59) return `time ${hour}:${minute} does not exist`
  // A leap second cannot be represented by a JavaScript Date, so it is refused rather than silently moved.
  if (second > 59) return `second ${second} is not supported`
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute - offsetMinutes, second, ms)
  return date
}

/** Parses an RFC 3339 date-time with an offset, or a plain date meaning midnight UTC. */
export function parseInstant(text: string): Result<Date> {
  const t = text.trim()
  const invalid = (why: string): Failure =>
    fail('invalid_datetime', `${JSON.stringify(t.slice(0, 40))} is not a valid instant: ${why}`)
  const m = datePattern.exec(t) ?? dateTimePattern.exec(t)
  if (!m) return invalid('expected an RFC 3339 date-time like 2024-01-05T10:00:00Z or a date like 2024-01-05')
  const fields = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0))
  // Fractions finer than a millisecond are truncated, since a Date cannot hold them.
  fields.push(Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)))
  const offsetHours = Number(m[10] ?? 0)
  const offsetMinutes = Number(m[11] ?? 0)
  if (offsetHours > 23 || offsetMinutes > 59) return invalid(`offset ${m[9]}${m[10]}:${m[11]} does not exist`)
  const sign = m[9] === '-' ? -1 : 1
  const date = utc(fields, sign * (offsetHours * 60 + offsetMinutes))
  return typeof date === 'string' ? invalid(date) : ok(date)
}

/** A window for query parameters `from` and `to`; a side left out or empty is open. */
export function parseTimeWindow(from?: string, to?: string): Result<TimeWindow> {
  const window: TimeWindow = { from: null, to: null }
  for (const side of ['from', 'to'] as const) {
    const text = side === 'from' ? from : to
    if (text === undefined || text.trim() === '') continue
    const parsed = parseInstant(text)
    if (!parsed.ok) return fail('invalid_time_window', `${side}: ${parsed.message}`, `/${side}`)
    window[side] = parsed.value
  }
  if (window.from && window.to && window.from > window.to) {
    return fail(
      'invalid_time_window',
      `from ${window.from.toISOString()} is after to ${window.to.toISOString()}`,
      '/from',
    )
  }
  return ok(window)
}

/**
 * Parses OGC API Features' `datetime`: an instant, `a/b`, or an interval open at either end written as `..`
 * or nothing. GDAL's `2024-01-05T` (a date with a bare T) is accepted as that date at 00:00Z.
 */
export function parseOgcDatetime(text: string): Result<TimeWindow> {
  const parts = text.trim().split('/')
  if (text.trim() === '' || parts.length > 2) {
    return fail(
      'invalid_datetime',
      'datetime must be an instant or an interval "start/end" with ".." for an open end',
    )
  }
  const ends: (Date | null)[] = []
  for (const raw of parts) {
    const part = raw.trim()
    if (parts.length === 2 && (part === '' || part === '..')) {
      ends.push(null)
      continue
    }
    const parsed = parseInstant(gdalDatePattern.test(part) ? part.slice(0, -1) : part)
    if (!parsed.ok) return fail('invalid_datetime', parsed.message)
    ends.push(parsed.value)
  }
  const [from = null, to = null] = ends
  if (parts.length === 1) return ok({ from, to: from && new Date(from.getTime()) })
  if (from && to && from > to) {
    return fail(
      'invalid_datetime',
      `datetime interval starts at ${from.toISOString()}, after its end ${to.toISOString()}`,
    )
  }
  return ok({ from, to })
}
