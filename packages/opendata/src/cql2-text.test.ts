import { describe, expect, it } from 'vitest'
import { cql2NestingMax, parseCql2Text } from './cql2-text'

function tree(text: string) {
  const parsed = parseCql2Text(text)
  if (!parsed.ok) throw new Error(`${text}: ${parsed.message} at ${parsed.position}`)
  return parsed.node
}

function failure(text: string) {
  const parsed = parseCql2Text(text)
  if (parsed.ok) throw new Error(`${text} parsed`)
  return parsed
}

const p = (name: string, position: number) => ({ name, position })

describe('parseCql2Text', () => {
  it('comparisons of a property with a literal, either way round, keywords in any case', () => {
    expect(tree("title = 'Casa del quartiere'")).toEqual({
      type: 'compare',
      op: '=',
      property: p('title', 1),
      value: { kind: 'string', value: 'Casa del quartiere', position: 9 },
    })
    expect(tree('5 < capacity')).toMatchObject({ type: 'compare', op: '>', property: p('capacity', 5) })
    expect(tree('"zoomLevel" >= -3.5e1')).toMatchObject({ op: '>=', value: { kind: 'number', value: -35 } })
    expect(tree("a = 'x' and not b <> 2 OR c = true")).toEqual({
      type: 'or',
      args: [
        {
          type: 'and',
          args: [
            {
              type: 'compare',
              op: '=',
              property: p('a', 1),
              value: { kind: 'string', value: 'x', position: 5 },
            },
            {
              type: 'not',
              arg: {
                type: 'compare',
                op: '<>',
                property: p('b', 17),
                value: { kind: 'number', value: 2, position: 22 },
              },
            },
          ],
        },
        {
          type: 'compare',
          op: '=',
          property: p('c', 27),
          value: { kind: 'boolean', value: true, position: 31 },
        },
      ],
    })
  })

  it("string literals double their quotes (and GDAL's \\' is read the same)", () => {
    expect(tree("title = 'l''orto'")).toMatchObject({ value: { value: "l'orto" } })
    expect(tree("title = 'l\\'orto'")).toMatchObject({ value: { value: "l'orto" } })
  })

  it('LIKE, ILIKE, BETWEEN, IN and IS NULL, each with NOT', () => {
    expect(tree("title LIKE 'Casa%'")).toMatchObject({ type: 'like', caseInsensitive: false })
    expect(tree("title NOT ILIKE 'casa%'")).toMatchObject({
      type: 'not',
      arg: { type: 'like', caseInsensitive: true },
    })
    expect(tree('capacity BETWEEN 10 AND 20')).toMatchObject({
      type: 'between',
      low: { value: 10 },
      high: { value: 20 },
    })
    expect(tree("kind IN ('space', 'event')")).toMatchObject({
      type: 'in',
      values: [{ value: 'space' }, { value: 'event' }],
    })
    expect(tree("kind NOT IN ('space')")).toMatchObject({ type: 'not', arg: { type: 'in' } })
    expect(tree('validTo IS NULL')).toEqual({ type: 'isNull', property: p('validTo', 1) })
    expect(tree('validTo IS NOT NULL')).toMatchObject({ type: 'not', arg: { type: 'isNull' } })
  })

  it('temporal literals and functions', () => {
    expect(tree("createdAt > TIMESTAMP('2024-01-05T10:00:00Z')")).toMatchObject({
      value: { kind: 'timestamp', value: '2024-01-05T10:00:00Z' },
    })
    expect(tree("createdAt >= DATE('2024-01-05')")).toMatchObject({
      value: { kind: 'date', value: '2024-01-05' },
    })
    expect(tree("T_INTERSECTS(INTERVAL(validFrom, validTo), INTERVAL('2024-01-01', '..'))")).toMatchObject({
      type: 'temporal',
      op: 't_intersects',
      left: { kind: 'interval', start: { kind: 'property' }, end: { kind: 'property' } },
      right: { kind: 'interval', start: { kind: 'date', value: '2024-01-01' }, end: { kind: 'open' } },
    })
    expect(tree("t_before(validTo, TIMESTAMP('2020-01-01T00:00:00Z'))")).toMatchObject({ op: 't_before' })
    expect(failure("createdAt > TIMESTAMP('2024-02-30T10:00:00Z')").position).toBe(23)
  })

  it('S_INTERSECTS with POINT, LINESTRING, POLYGON and BBOX literals', () => {
    expect(tree('S_INTERSECTS(geometry, POINT(7.68 45.07))')).toMatchObject({
      type: 's_intersects',
      geometry: { type: 'Point', coordinates: [7.68, 45.07] },
    })
    expect(tree('s_intersects(BBOX(7.6, 45.0, 7.7, 45.1), geometry)')).toMatchObject({
      geometry: { type: 'BBox', bbox: [7.6, 45.0, 7.7, 45.1] },
    })
    expect(tree('S_INTERSECTS(geometry, LINESTRING(7.6 45, 7.7 45.1))')).toMatchObject({
      geometry: { type: 'LineString' },
    })
    expect(tree('S_INTERSECTS(geometry, POLYGON((7.6 45, 7.7 45, 7.7 45.1, 7.6 45)))')).toMatchObject({
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [7.6, 45],
            [7.7, 45],
            [7.7, 45.1],
            [7.6, 45],
          ],
        ],
      },
    })
  })

  it('errors say what and where (1-based characters)', () => {
    expect(failure("title = 'open")).toMatchObject({ message: 'unterminated string literal', position: 9 })
    expect(failure('title =')).toMatchObject({ position: 8 })
    expect(failure("title = 'a' AND")).toMatchObject({ position: 16 })
    expect(failure("(title = 'a'")).toMatchObject({ position: 13 })
    expect(failure("title = 'a')")).toMatchObject({ position: 12 })
    expect(failure("title == 'a'")).toMatchObject({ position: 8 })
    expect(failure('capacity = capacity').message).toMatch(/two properties/)
    expect(failure('title ; DROP TABLE entities')).toMatchObject({ position: 7 })
    expect(failure('S_INTERSECTS(geometry, POINT(200 45))')).toMatchObject({ position: 30 })
    expect(failure('S_INTERSECTS(geometry, POLYGON((7.6 45, 7.7 45, 7.7 45.1)))').message).toMatch(/closed/)
    expect(failure('S_CONTAINS(geometry, POINT(7 45))').message).toMatch(/not supported/)
    expect(failure('title').message).toMatch(/expected a comparison/)
    expect(failure(`${'NOT '.repeat(cql2NestingMax + 1)}title = 'a'`).message).toMatch(/nests deeper/)
  })
})
