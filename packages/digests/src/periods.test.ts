import { describe, expect, it } from 'vitest'
import { duePeriods, isoWeek } from './periods'

describe('digest periods (Europe/Rome)', () => {
  it('numbers ISO weeks as ISO 8601 does, across years', () => {
    expect(isoWeek(2026, 12, 7)).toEqual({ year: 2026, week: 50, weekday: 1 })
    expect(isoWeek(2027, 1, 1)).toEqual({ year: 2026, week: 53, weekday: 5 })
    expect(isoWeek(2024, 12, 30)).toEqual({ year: 2025, week: 1, weekday: 1 })
  })

  it('makes the day and the week due from their hour, in Rome’s time', () => {
    const schedule = { hour: 7, weekday: 1 }
    // 05:30 UTC on Monday 7 December 2026 is 06:30 in Rome (winter time): not yet.
    expect(duePeriods(new Date('2026-12-07T05:30:00Z'), schedule)).toEqual([])
    // 06:00 UTC is 07:00 in Rome.
    expect(duePeriods(new Date('2026-12-07T06:00:00Z'), schedule)).toEqual([
      { kind: 'daily', key: 'daily:2026-12-07' },
      { kind: 'weekly', key: 'weekly:2026-W50' },
    ])
    // 23:30 UTC on Sunday is already Monday in Rome, before the hour: nothing; the week before is over.
    expect(duePeriods(new Date('2026-12-06T23:30:00Z'), schedule)).toEqual([])
    // Wednesday before the hour: the week's digest is still due (catching up), the day's not yet.
    expect(duePeriods(new Date('2026-12-09T03:00:00Z'), schedule)).toEqual([
      { kind: 'weekly', key: 'weekly:2026-W50' },
    ])
    // Summer time: 05:00 UTC is 07:00 in Rome.
    expect(duePeriods(new Date('2026-07-06T05:00:00Z'), schedule).map((p) => p.key)).toEqual([
      'daily:2026-07-06',
      'weekly:2026-W28',
    ])
  })
})
