import { describe, expect, it } from 'vitest'
import { parseInstant, parseOgcDatetime, parseTimeWindow } from './time-window'

const iso = (d: Date | null) => d?.toISOString() ?? null
const window = (r: ReturnType<typeof parseOgcDatetime>) =>
  r.ok ? [iso(r.value.from), iso(r.value.to)] : r.code

describe('parseInstant', () => {
  it.each([
    ['2024-01-05', '2024-01-05T00:00:00.000Z'],
    ['2024-01-05T10:20:30Z', '2024-01-05T10:20:30.000Z'],
    ['2024-01-05t10:20:30.1234z', '2024-01-05T10:20:30.123Z'],
    ['2024-01-05 10:20:30+02:00', '2024-01-05T08:20:30.000Z'],
    ['2024-01-05T23:30:00-01:45', '2024-01-06T01:15:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['0050-06-01', '0050-06-01T00:00:00.000Z'],
  ])('parses %s', (text, expected) => {
    const r = parseInstant(text)
    expect(r.ok && r.value.toISOString()).toBe(expected)
  })

  it.each([
    ['2024-02-30', /day 30 does not exist/],
    ['2023-02-29', /day 29 does not exist/],
    ['1900-02-29', /day 29 does not exist/],
    ['2024-04-31', /day 31/],
    ['2024-13-01', /month 13/],
    ['2024-00-10', /month 0/],
    ['2024-01-00', /day 0/],
    ['2024-01-05T24:00:00Z', /time 24:0/],
    ['2024-01-05T10:60:00Z', /does not exist/],
    ['2024-01-05T10:00:60Z', /second 60 is not supported/],
    ['2024-01-05T10:00:00+24:00', /offset \+24:00/],
    ['2024-01-05T10:00:00', /expected an RFC 3339/],
    ['2024-01-05T10:00Z', /expected an RFC 3339/],
    ['2024-1-5', /expected/],
    ['Jan 5 2024', /expected/],
    ['1704412800000', /expected/],
    ['', /expected/],
  ])('rejects %j', (text, message) => {
    const r = parseInstant(text)
    expect(r).toMatchObject({ ok: false, code: 'invalid_datetime' })
    if (!r.ok) expect(r.message).toMatch(message)
  })
})

describe('parseTimeWindow', () => {
  it('leaves absent or empty sides open', () => {
    expect(parseTimeWindow()).toEqual({ ok: true, value: { from: null, to: null } })
    expect(parseTimeWindow('2024-01-05', '')).toEqual({
      ok: true,
      value: { from: new Date('2024-01-05'), to: null },
    })
    expect(parseTimeWindow(undefined, '2024-01-05')).toMatchObject({ ok: true, value: { from: null } })
    expect(parseTimeWindow('2024-01-05', '2024-01-05')).toMatchObject({ ok: true })
  })

  it('rejects a bad side or from after to', () => {
    expect(parseTimeWindow('2024-01-05', 'tomorrow')).toMatchObject({
      code: 'invalid_time_window',
      path: '/to',
    })
    const r = parseTimeWindow('2024-01-06', '2024-01-05T23:59:59Z')
    expect(r).toMatchObject({ ok: false, code: 'invalid_time_window', path: '/from' })
    if (!r.ok) expect(r.message).toMatch(/is after to/)
  })
})

describe('parseOgcDatetime', () => {
  it.each([
    ['2024-01-05T10:00:00Z', ['2024-01-05T10:00:00.000Z', '2024-01-05T10:00:00.000Z']],
    ['2024-01-05/2024-01-20T12:00:00Z', ['2024-01-05T00:00:00.000Z', '2024-01-20T12:00:00.000Z']],
    ['../2024-01-20', [null, '2024-01-20T00:00:00.000Z']],
    ['/2024-01-20', [null, '2024-01-20T00:00:00.000Z']],
    ['2024-01-05/..', ['2024-01-05T00:00:00.000Z', null]],
    ['2024-01-05/', ['2024-01-05T00:00:00.000Z', null]],
    ['../..', [null, null]],
    ['2024-01-05T/2024-01-20T', ['2024-01-05T00:00:00.000Z', '2024-01-20T00:00:00.000Z']],
    ['2024-01-05T/..', ['2024-01-05T00:00:00.000Z', null]],
    ['2024-01-05T', ['2024-01-05T00:00:00.000Z', '2024-01-05T00:00:00.000Z']],
  ])('parses %s', (text, expected) => {
    expect(window(parseOgcDatetime(text))).toEqual(expected)
  })

  it.each([
    '',
    '..',
    'a/b',
    '2024-01-05/2024-01-06/2024-01-07',
    '2024-02-30/..',
    '2024-01-05TT',
    '2024-01-20/2024-01-05',
  ])('rejects %j', (text) => {
    expect(parseOgcDatetime(text)).toMatchObject({ ok: false, code: 'invalid_datetime' })
  })

  it('returns separate Date objects for an instant', () => {
    const r = parseOgcDatetime('2024-01-05')
    expect(r.ok && r.value.from !== r.value.to).toBe(true)
  })
})
