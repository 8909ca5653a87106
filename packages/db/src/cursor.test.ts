import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cursorBytesMax, cursorTimestamp, defineCursor } from './cursor'
import { uuidPattern } from './uuid'

/** Fixed, so a run can be repeated; fast-check prints it (and the shrunk counterexample) on failure. */
const seed = Number(process.env.CURSOR_SEED ?? 20_261_207)
const numRuns = 300

const cursor = defineCursor({ id: 'uuid', at: 'timestamp', rank: 'number' })
const every = defineCursor({
  id: 'uuid',
  at: 'timestamp',
  seq: 'seq',
  matched: 'count',
  rank: 'number',
  name: 'text',
  unread: 'boolean',
})

const wire = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const good = { id: '6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b', at: '2026-01-10T09:00:00.123456Z', rank: 1.5 }

/** Instants PostgreSQL can hold, as the codec's canonical text. */
const timestamp = fc
  .date({
    min: new Date('0001-01-01T00:00:00.000Z'),
    max: new Date('9999-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  })
  .chain((date) =>
    fc
      .integer({ min: 0, max: 999 })
      .map((micros) => cursorTimestamp(date).replace(/000Z$/, `${String(micros).padStart(3, '0')}Z`)),
  )

const values = fc.record({
  id: fc.uuid().chain((id) => fc.boolean().map((upper) => (upper ? id.toUpperCase() : id))),
  at: timestamp,
  seq: fc.bigInt({ min: 1n, max: 9_223_372_036_854_775_807n }).map(String),
  matched: fc.maxSafeNat(),
  // JSON writes -0 as 0, which is the same key.
  rank: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0),
  name: fc.string({ maxLength: 40 }).filter((s) => !s.includes('\u0000')),
  unread: fc.boolean(),
})

describe('defineCursor', () => {
  it('decodes what it encodes, for every value of every field type', () => {
    fc.assert(
      fc.property(values, (v) => {
        expect(every.decode(every.encode(v))).toEqual(v)
      }),
      { seed, numRuns },
    )
  })

  it('refuses text that is not base64url, not JSON, or not an object', () => {
    for (const text of [
      '',
      'not a cursor',
      'a+b/c=',
      `${wire(good)}=`,
      Buffer.from('{"id":').toString('base64url'),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url'),
      wire(null),
      wire([good.id, good.at, good.rank]),
      wire('text'),
      wire(7),
    ]) {
      expect(cursor.decode(text), text).toBeUndefined()
    }
  })

  it('refuses base64url that only decodes leniently (stray bits, an impossible length)', () => {
    const text = wire(good)
    const last = text.at(-1)!
    // The last character of a text whose length is 2 or 3 mod 4 carries unused bits; flipping one is not ours.
    if (text.length % 4 !== 0) {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const flipped = alphabet[alphabet.indexOf(last) ^ 1]!
      expect(cursor.decode(`${text.slice(0, -1)}${flipped}`)).toBeUndefined()
    }
    expect(cursor.decode(`${text}A`)).toBeUndefined()
  })

  it('refuses a missing field, an extra field, and fields of the wrong type', () => {
    expect(cursor.decode(wire(good))).toEqual(good)
    expect(cursor.decode(wire({ id: good.id, at: good.at }))).toBeUndefined()
    expect(cursor.decode(wire({ ...good, extra: 1 }))).toBeUndefined()
    expect(
      cursor.decode(
        Buffer.from(`{"__proto__":{"x":1},"id":"${good.id}","at":"${good.at}","rank":1}`).toString(
          'base64url',
        ),
      ),
    ).toBeUndefined()
    const wrong: Record<string, unknown[]> = {
      id: [
        'x',
        '',
        7,
        null,
        true,
        '6f1c2b9e3a4d4e5f8a7b1c2d3e4f5a6b',
        '6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6',
        `${good.id} `,
        'gggggggg-3a4d-4e5f-8a7b-1c2d3e4f5a6b',
      ],
      at: [
        '2020-01-01T00:00:00Z',
        '2020-01-01T00:00:00.000Z',
        '2020-01-01',
        '2020-02-30T00:00:00.000000Z',
        '2021-02-29T00:00:00.000000Z',
        '2020-13-01T00:00:00.000000Z',
        '2020-01-01T24:00:00.000000Z',
        '2020-01-01T00:60:00.000000Z',
        '2020-01-01T00:00:60.000000Z',
        '0000-01-01T00:00:00.000000Z',
        '+275760-09-13T00:00:00.000000Z',
        '2020-01-01T00:00:00.000000+01:00',
        '2020-01-01 00:00:00.000000Z',
        1_577_836_800_000,
        null,
      ],
      rank: ['1', null, true, [], {}],
    }
    for (const [field, list] of Object.entries(wrong)) {
      for (const value of list) {
        expect(cursor.decode(wire({ ...good, [field]: value })), `${field}: ${String(value)}`).toBeUndefined()
      }
    }
    // JSON has no Infinity, but its numbers can overflow into it.
    const huge = Buffer.from(`{"id":"${good.id}","at":"${good.at}","rank":1e400}`).toString('base64url')
    expect(cursor.decode(huge)).toBeUndefined()
  })

  it('accepts leap days and either case of a uuid', () => {
    expect(cursor.decode(wire({ ...good, at: '2024-02-29T23:59:59.999999Z' }))).toBeDefined()
    expect(cursor.decode(wire({ ...good, at: '2000-02-29T00:00:00.000000Z' }))).toBeDefined()
    expect(cursor.decode(wire({ ...good, at: '1900-02-29T00:00:00.000000Z' }))).toBeUndefined()
    expect(cursor.decode(wire({ ...good, id: good.id.toUpperCase() }))?.id).toBe(good.id.toUpperCase())
  })

  it('refuses a seq outside int8, a count that is not a whole number, and text PostgreSQL cannot store', () => {
    const seq = defineCursor({ seq: 'seq' })
    expect(seq.decode(wire({ seq: '9223372036854775807' }))).toEqual({ seq: '9223372036854775807' })
    for (const value of ['9223372036854775808', '9999999999999999999', '0', '-1', '01', '1.0', 1, '']) {
      expect(seq.decode(wire({ seq: value })), String(value)).toBeUndefined()
    }
    const count = defineCursor({ m: 'count' })
    for (const value of [-1, 1.5, 2 ** 53, '3']) expect(count.decode(wire({ m: value }))).toBeUndefined()
    const text = defineCursor({ name: 'text' })
    expect(text.decode(wire({ name: 'città 🏳️‍🌈' }))).toEqual({ name: 'città 🏳️‍🌈' })
    for (const value of ['a\u0000b', 'a\ud800b', '\udc00', 7])
      expect(text.decode(wire({ name: value }))).toBeUndefined()
    const flag = defineCursor({ flag: 'boolean' })
    for (const value of ['true', 0, null]) expect(flag.decode(wire({ flag: value }))).toBeUndefined()
  })

  it(`refuses a cursor longer than cursorBytesMax (${cursorBytesMax})`, () => {
    const text = defineCursor({ name: 'text' })
    const fits = 'x'.repeat(Math.floor((cursorBytesMax * 3) / 4) - '{"name":""}'.length)
    expect(text.decode(text.encode({ name: fits }))).toEqual({ name: fits })
    const tooLong = wire({ name: `${fits}xxxx` })
    expect(tooLong.length).toBeGreaterThan(cursorBytesMax)
    expect(text.decode(tooLong)).toBeUndefined()
    expect(() => text.encode({ name: `${fits}xxxx` })).toThrow(/cursorBytesMax/)
  })

  it('refuses every other JSON value a client could send', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(cursor.decode(wire(value))).toBeUndefined()
      }),
      { seed, numRuns },
    )
  })

  it('refuses a real cursor with one field broken, dropped or added', () => {
    const fieldNames = ['id', 'at', 'rank'] as const
    const breakage = fc.oneof(
      fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom(...fieldNames) }),
      fc.record({
        kind: fc.constant('add' as const),
        field: fc.string().filter((name) => !(fieldNames as readonly string[]).includes(name)),
        value: fc.jsonValue(),
      }),
      fc.record({
        kind: fc.constant('replace' as const),
        field: fc.constantFrom(...fieldNames),
        value: fc.oneof(fc.jsonValue(), fc.string(), fc.date().map(String), fc.constantFrom('1e400', 'NaN')),
      }),
    )
    fc.assert(
      fc.property(
        fc.uuid(),
        timestamp,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        breakage,
        (id, at, rank, b) => {
          const real: Record<string, unknown> = { id, at, rank }
          if (b.kind === 'drop') delete real[b.field]
          else if (b.kind === 'add') real[b.field] = b.value
          else {
            fc.pre(
              !(b.field === 'rank'
                ? typeof b.value === 'number'
                : typeof b.value === 'string' &&
                  (b.field === 'id' ? uuidPattern.test(b.value) : /^\d{4}-/.test(b.value))),
            )
            real[b.field] = b.value
          }
          expect(cursor.decode(wire(real))).toBeUndefined()
        },
      ),
      { seed, numRuns },
    )
  })
})

describe('uuidPattern', () => {
  it('matches uuids in either case and nothing else', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        expect(uuidPattern.test(id)).toBe(true)
        expect(uuidPattern.test(id.toUpperCase())).toBe(true)
        expect(uuidPattern.test(`${id}0`)).toBe(false)
        expect(uuidPattern.test(id.replaceAll('-', ''))).toBe(false)
      }),
      { seed, numRuns },
    )
  })
})
