/**
 * Digest periods are days and ISO weeks of the platform's time zone, Europe/Rome: a neighbourhood's members live
 * there, and "the morning digest" means their morning, summer time included. A period's key names it:
 * `daily:2026-12-07`, `weekly:2026-W50`.
 */
export const digestTimeZone = 'Europe/Rome'

export type PeriodKind = 'daily' | 'weekly'

export interface DigestSchedule {
  /** The hour of the day (0–23, Europe/Rome) from which a day's digest, and the week's on its weekday, is due. */
  hour: number
  /** The day of the week (1 = Monday … 7 = Sunday) from which the week's digest is due. */
  weekday: number
}

/** How far back a member's first digest of a kind looks. */
export const periodLengthMs: Record<PeriodKind, number> = {
  daily: 24 * 60 * 60 * 1000,
  weekly: 7 * 24 * 60 * 60 * 1000,
}

const localParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: digestTimeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
})

interface LocalTime {
  year: number
  month: number
  day: number
  hour: number
}

function local(now: Date): LocalTime {
  const parts = Object.fromEntries(localParts.formatToParts(now).map((part) => [part.type, part.value]))
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
  }
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** The ISO 8601 week (year and number) and weekday (1 = Monday) of a calendar date. */
export function isoWeek(
  year: number,
  month: number,
  day: number,
): { year: number; week: number; weekday: number } {
  const date = new Date(Date.UTC(year, month - 1, day))
  const weekday = date.getUTCDay() || 7
  // The week belongs to the year of its Thursday.
  date.setUTCDate(date.getUTCDate() + 4 - weekday)
  const weekYear = date.getUTCFullYear()
  const firstDay = Date.UTC(weekYear, 0, 1)
  const week = Math.ceil(((date.getTime() - firstDay) / 86_400_000 + 1) / 7)
  return { year: weekYear, week, weekday }
}

/**
 * The periods whose digests are due at `now`: the day's once its hour has come, the week's once its weekday and
 * hour have come (and for the rest of that week, so a job that was down catches up within the period).
 */
export function duePeriods(now: Date, schedule: DigestSchedule): { kind: PeriodKind; key: string }[] {
  const time = local(now)
  const due: { kind: PeriodKind; key: string }[] = []
  if (time.hour >= schedule.hour) {
    due.push({ kind: 'daily', key: `daily:${time.year}-${pad(time.month)}-${pad(time.day)}` })
  }
  const week = isoWeek(time.year, time.month, time.day)
  if (week.weekday > schedule.weekday || (week.weekday === schedule.weekday && time.hour >= schedule.hour)) {
    due.push({ kind: 'weekly', key: `weekly:${week.year}-W${pad(week.week)}` })
  }
  return due
}

export function periodKindOf(key: string): PeriodKind {
  return key.startsWith('daily:') ? 'daily' : 'weekly'
}
