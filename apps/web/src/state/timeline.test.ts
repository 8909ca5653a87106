import { describe, expect, it } from 'vitest'
import {
  changeUnit,
  countPerSlot,
  formatWindow,
  parseWindow,
  slotsAround,
  stepWindow,
  type TimeWindow,
  windowOf,
  windowRange,
} from './timeline'

const day = (year: number, month: number, d: number): TimeWindow => ({ unit: 'day', year, month, day: d })

describe('timeline maths', () => {
  it('steps across month and year ends', () => {
    expect(stepWindow(day(2019, 12, 31), 1)).toEqual(day(2020, 1, 1))
    expect(stepWindow(day(2020, 3, 1), -1)).toEqual(day(2020, 2, 29))
    expect(stepWindow({ unit: 'month', year: 2019, month: 12, day: 1 }, 1)).toEqual({
      unit: 'month',
      year: 2020,
      month: 1,
      day: 1,
    })
    expect(stepWindow({ unit: 'year', year: 2019, month: 1, day: 1 }, -3).year).toBe(2016)
  })

  it('gives each window its calendar range, end exclusive', () => {
    const { from, to } = windowRange({ unit: 'month', year: 2019, month: 6, day: 1 })
    expect(from).toEqual(new Date(2019, 5, 1))
    expect(to).toEqual(new Date(2019, 6, 1))
    expect(windowRange(day(2024, 2, 29)).to).toEqual(new Date(2024, 2, 1))
  })

  it('changes unit keeping the start, and finds the window of an instant', () => {
    expect(changeUnit(day(2019, 6, 19), 'month')).toEqual({ unit: 'month', year: 2019, month: 6, day: 1 })
    expect(changeUnit(day(2019, 6, 19), 'year')).toEqual({ unit: 'year', year: 2019, month: 1, day: 1 })
    expect(windowOf('day', new Date(2019, 5, 19, 15))).toEqual(day(2019, 6, 19))
  })

  it('shows the days of the month, the months of the year, the years of the decade', () => {
    expect(slotsAround(day(2024, 2, 10))).toHaveLength(29)
    expect(slotsAround({ unit: 'month', year: 2019, month: 6, day: 1 })).toHaveLength(12)
    const years = slotsAround({ unit: 'year', year: 2019, month: 1, day: 1 })
    expect(years.map((slot) => slot.year)).toEqual([
      2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019,
    ])
  })

  it('counts things per kind per slot by overlap, open ends reaching forever', () => {
    const slots = slotsAround({ unit: 'year', year: 2019, month: 1, day: 1 })
    const counts = countPerSlot(
      [
        {
          kind: 'event',
          validFrom: new Date(2019, 5, 19, 14).toISOString(),
          validTo: new Date(2019, 5, 19, 18).toISOString(),
        },
        { kind: 'space', validFrom: new Date(2017, 4, 18).toISOString(), validTo: null },
        { kind: 'story', validFrom: null, validTo: null },
        { kind: 'project', validFrom: null, validTo: new Date(2012, 0, 1).toISOString() },
      ],
      slots,
    )
    expect(counts[9]).toEqual({ event: 1, space: 1, story: 1 })
    expect(counts[7]).toEqual({ space: 1, story: 1 })
    expect(counts[0]).toEqual({ story: 1, project: 1 })
    expect(counts[2]).toEqual({ story: 1, project: 1 })
    expect(counts[3]).toEqual({ story: 1 })
  })

  it('round-trips the URL form and refuses impossible dates', () => {
    for (const text of ['2019', '2019-06', '2019-06-19', '2024-02-29']) {
      const parsed = parseWindow(text)
      expect(parsed).not.toBeNull()
      expect(formatWindow(parsed as TimeWindow)).toBe(text)
    }
    expect(parseWindow('2019-06-19')?.unit).toBe('day')
    expect(parseWindow('2019-13')).toBeNull()
    expect(parseWindow('2023-02-29')).toBeNull()
    expect(parseWindow('19')).toBeNull()
    expect(parseWindow('2019-06-19T10:00')).toBeNull()
  })
})
