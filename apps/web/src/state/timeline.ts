/**
 * Timeline maths: calendar windows (a day, a month or a year in the browser's time zone), stepping through
 * them, the slots the timeline bar shows around a window, and how many things of each kind exist in each slot.
 * Pure functions over plain values, so the timeline and the URL agree and the unit tests need no DOM.
 */

export type TimeUnit = 'day' | 'month' | 'year'
export const timeUnits: readonly TimeUnit[] = ['day', 'month', 'year']

/** A calendar window: month and day are 1-based and present as far as the unit needs them. */
export interface TimeWindow {
  unit: TimeUnit
  year: number
  month: number
  day: number
}

/** The window's first instant and the first instant after it (exclusive), in local time. */
export function windowRange(window: TimeWindow): { from: Date; to: Date } {
  const { unit, year, month, day } = window
  switch (unit) {
    case 'day':
      return { from: new Date(year, month - 1, day), to: new Date(year, month - 1, day + 1) }
    case 'month':
      return { from: new Date(year, month - 1, 1), to: new Date(year, month, 1) }
    case 'year':
      return { from: new Date(year, 0, 1), to: new Date(year + 1, 0, 1) }
  }
}

/** The window of `unit` containing an instant. */
export function windowOf(unit: TimeUnit, at: Date): TimeWindow {
  return normalise({ unit, year: at.getFullYear(), month: at.getMonth() + 1, day: at.getDate() })
}

/** Day and month are meaningless below the unit: keep them at 1 so equal windows compare equal. */
function normalise(window: TimeWindow): TimeWindow {
  const date = new Date(window.year, window.month - 1, window.day)
  return {
    unit: window.unit,
    year: date.getFullYear(),
    month: window.unit === 'year' ? 1 : date.getMonth() + 1,
    day: window.unit === 'day' ? date.getDate() : 1,
  }
}

/** The window `count` units later (negative: earlier). Month steps from 31 January land on 1 February's month. */
export function stepWindow(window: TimeWindow, count: number): TimeWindow {
  switch (window.unit) {
    case 'day':
      return normalise({ ...window, day: window.day + count })
    case 'month':
      return normalise({ ...window, month: window.month + count, day: 1 })
    case 'year':
      return normalise({ ...window, year: window.year + count })
  }
}

/** Switching unit keeps the start of the current window: a month becomes its first day, or its year. */
export function changeUnit(window: TimeWindow, unit: TimeUnit): TimeWindow {
  return normalise({ ...window, unit })
}

export function sameWindow(a: TimeWindow | null, b: TimeWindow | null): boolean {
  if (!a || !b) return a === b
  return a.unit === b.unit && a.year === b.year && a.month === b.month && a.day === b.day
}

/**
 * The slots the timeline bar shows for a window: the days of its month, the months of its year, or the years
 * of its decade. The selected window is always one of them.
 */
export function slotsAround(window: TimeWindow): TimeWindow[] {
  switch (window.unit) {
    case 'day': {
      const days = new Date(window.year, window.month, 0).getDate()
      return Array.from({ length: days }, (_, index) => ({ ...window, day: index + 1 }))
    }
    case 'month':
      return Array.from({ length: 12 }, (_, index) => ({ ...window, month: index + 1, day: 1 }))
    case 'year': {
      const decade = Math.floor(window.year / 10) * 10
      return Array.from({ length: 10 }, (_, index) => ({ ...window, year: decade + index, month: 1, day: 1 }))
    }
  }
}

/** The span covered by a list of consecutive slots. */
export function slotsRange(slots: readonly TimeWindow[]): { from: Date; to: Date } {
  const first = slots[0]
  const last = slots[slots.length - 1]
  if (!first || !last) throw new Error('slotsRange needs at least one slot')
  return { from: windowRange(first).from, to: windowRange(last).to }
}

/** What the counting needs of a thing: its kind and its validity (null = open end). */
export interface Timed {
  kind: string
  validFrom: string | null
  validTo: string | null
}

/**
 * Does a validity overlap [from, to)? The same rule as the API's `from`/`to` filter: open ends reach forever,
 * so a thing with no validity at all exists in every window.
 */
export function overlaps(thing: Timed, from: Date, to: Date): boolean {
  const start = thing.validFrom ? Date.parse(thing.validFrom) : Number.NEGATIVE_INFINITY
  const end = thing.validTo ? Date.parse(thing.validTo) : Number.POSITIVE_INFINITY
  return start < to.getTime() && end >= from.getTime()
}

export type KindCounts = Record<string, number>

/** For each slot, how many of the things exist in it, by kind. */
export function countPerSlot(things: readonly Timed[], slots: readonly TimeWindow[]): KindCounts[] {
  const ranges = slots.map((slot) => {
    const range = windowRange(slot)
    return { from: range.from.getTime(), to: range.to.getTime() }
  })
  const counts: KindCounts[] = slots.map(() => ({}))
  for (const thing of things) {
    const start = thing.validFrom ? Date.parse(thing.validFrom) : Number.NEGATIVE_INFINITY
    const end = thing.validTo ? Date.parse(thing.validTo) : Number.POSITIVE_INFINITY
    ranges.forEach((range, index) => {
      if (start < range.to && end >= range.from) {
        const slot = counts[index] as KindCounts
        slot[thing.kind] = (slot[thing.kind] ?? 0) + 1
      }
    })
  }
  return counts
}

export function totalOf(counts: KindCounts): number {
  let total = 0
  for (const value of Object.values(counts)) total += value
  return total
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** The window as it appears in URLs: `2019`, `2019-06` or `2019-06-19` (the form says the unit). */
export function formatWindow(window: TimeWindow): string {
  switch (window.unit) {
    case 'year':
      return pad(window.year, 4)
    case 'month':
      return `${pad(window.year, 4)}-${pad(window.month)}`
    case 'day':
      return `${pad(window.year, 4)}-${pad(window.month)}-${pad(window.day)}`
  }
}

/** The inverse of formatWindow; anything else (an impossible date, text) is null. */
export function parseWindow(text: string): TimeWindow | null {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text)
  if (!match) return null
  const year = Number(match[1])
  const month = match[2] ? Number(match[2]) : 1
  const day = match[3] ? Number(match[3]) : 1
  const unit: TimeUnit = match[3] ? 'day' : match[2] ? 'month' : 'year'
  if (year < 1 || month < 1 || month > 12 || day < 1) return null
  if (day > new Date(year, month, 0).getDate()) return null
  return { unit, year, month, day }
}

/** The window as the API's `from`/`to` (RFC 3339 instants; `to` is the window's last millisecond). */
export function windowQuery(window: TimeWindow): { from: string; to: string } {
  const { from, to } = windowRange(window)
  return { from: from.toISOString(), to: new Date(to.getTime() - 1).toISOString() }
}
