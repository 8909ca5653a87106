import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Position } from './geometry'
import { countVertices, geometryBbox, rewindPolygonRings, ringSignedArea, validateGeometry } from './geometry'

// Positions written as "lon lat, lon lat" keep the cases on one line each; Number() also reads NaN and Infinity.
const P = (text: string): Position[] =>
  text.split(',').map((p) => p.trim().split(/\s+/).map(Number) as Position)
const ccwSquare = P('0 0, 1 0, 1 1, 0 1, 0 0')
const cwHole = P('.2 .2, .2 .8, .8 .8, .8 .2, .2 .2')

function bad(type: unknown, coordinates: unknown, path: string, message: RegExp, code = 'invalid_geometry') {
  const r = validateGeometry({ type, coordinates })
  expect(r).toMatchObject({ ok: false, code, path })
  if (!r.ok) expect(r.message).toMatch(message)
}

describe('validateGeometry rejects', () => {
  it('input that is not a plain object', () => {
    for (const input of [null, undefined, 'Point', 42, [], [1, 2], new Date()]) {
      expect(validateGeometry(input)).toMatchObject({ ok: false, code: 'invalid_geometry', path: '' })
    }
  })

  it('GeometryCollection, unknown and missing types, missing coordinates', () => {
    bad(
      'GeometryCollection',
      undefined,
      '/type',
      /^GeometryCollection is not supported; send one geometry per thing$/,
    )
    bad('Circle', [0, 0], '/type', /"Circle" is not supported; use one of Point,/)
    bad(undefined, [0, 0], '/type', /has no "type"/)
    bad('Point', undefined, '/coordinates', /no "coordinates"/)
  })

  it('NaN, Infinity, strings and null as numbers', () => {
    bad('MultiPoint', P('0 0, 1 1, NaN 0'), '/coordinates/2/0', /^position \/coordinates\/2 has NaN$/)
    bad('Point', [0, Number.POSITIVE_INFINITY], '/coordinates/1', /has Infinity/)
    bad('LineString', P('0 0, -Infinity 0'), '/coordinates/1/0', /has -Infinity/)
    bad('Point', ['12.5', 45], '/coordinates/0', /the string "12.5" where a number is expected/)
    bad('Point', [12.5, null], '/coordinates/1', /null where a number/)
  })

  it('out-of-range longitude and latitude', () => {
    bad(
      'LineString',
      P('0 0, 0 123.4'),
      '/coordinates/1/1',
      /^latitude 123.4 at \/coordinates\/1 is outside \[-90, 90\]$/,
    )
    bad(
      'Point',
      [-180.5, 0],
      '/coordinates/0',
      /^longitude -180.5 at \/coordinates is outside \[-180, 180\]$/,
    )
    bad('Point', [0, -90.001], '/coordinates/1', /latitude -90.001/)
  })

  it('positions with too few or too many values', () => {
    bad('Point', [1], '/coordinates', /has 1 values/)
    bad('Point', [1, 2, 3, 4], '/coordinates', /has 4 values/)
  })

  it('an unclosed ring, a ring with 3 positions, too few distinct positions', () => {
    const open = P('0 0, 1 0, 1 1, 0 1')
    bad('Polygon', [open], '/coordinates/0', /^ring \/coordinates\/0 is not closed: the first and last/)
    bad('Polygon', [ccwSquare, P('0 0, 1 0, 0 0')], '/coordinates/1', /has 3 positions; a closed ring/)
    bad('Polygon', [P('0 0, 1 0, 0 0, 0 0')], '/coordinates/0', /at least 3 distinct/)
    bad('LineString', P('0 0'), '/coordinates', /at least 2 distinct/)
    // Positions that differ only in the dropped altitude are the same position.
    bad('LineString', P('0 0 1, 0 0 2'), '/coordinates', /at least 2 distinct/)
  })

  it('empty coordinates at each level', () => {
    bad('Point', [], '/coordinates', /has 0 values/)
    bad('MultiPoint', [], '/coordinates', /is empty/)
    bad('LineString', [], '/coordinates', /is empty/)
    bad('MultiLineString', [], '/coordinates', /is empty/)
    bad('MultiLineString', [[]], '/coordinates/0', /is empty/)
    bad('Polygon', [], '/coordinates', /is empty/)
    bad('Polygon', [ccwSquare, []], '/coordinates/1', /^ring \/coordinates\/1 is empty$/)
    bad('MultiPolygon', [], '/coordinates', /is empty/)
    bad('MultiPolygon', [[ccwSquare], []], '/coordinates/1', /is empty/)
    bad('MultiPolygon', [[[]]], '/coordinates/0/0', /is empty/)
  })

  it('wrong nesting depth', () => {
    bad('Point', [[0, 0]], '/coordinates/0', /nested too deeply/)
    bad('LineString', [0, 0], '/coordinates/0', /check the nesting depth for a LineString/)
    bad('Polygon', ccwSquare, '/coordinates/0/0', /check the nesting depth for a Polygon/)
    bad('MultiPolygon', [ccwSquare], '/coordinates/0/0/0', /check the nesting depth for a MultiPolygon/)
    bad('MultiLineString', [[ccwSquare]], '/coordinates/0/0/0', /nested too deeply/)
    bad('Polygon', 'x', '/coordinates', /must be an array but is the string "x"/)
  })

  it('too many vertices, parts and rings', () => {
    const line = Array.from({ length: 10_001 }, (_, i): Position => [i / 1000, 0])
    bad('LineString', line, '/coordinates', /10001 entries; the maximum is 10000/, 'geometry_too_large')
    // The vertex limit counts positions over all parts, not per part.
    const part = line.slice(0, 6_000)
    bad('MultiLineString', [part, part], '/coordinates/1/4000', /more than 10000/, 'geometry_too_large')
    const points = Array.from({ length: 1_001 }, (): Position => [0, 0])
    bad('MultiPoint', points, '/coordinates', /maximum is 1000/, 'geometry_too_large')
    const tooLarge = { ok: false, code: 'geometry_too_large' }
    const rings = [ccwSquare, cwHole, cwHole]
    expect(validateGeometry({ type: 'Polygon', coordinates: rings }, { ringsMax: 2 })).toMatchObject(tooLarge)
    const twoParts = { type: 'MultiPolygon', coordinates: [[ccwSquare], [ccwSquare]] }
    expect(validateGeometry(twoParts, { partsMax: 1 })).toMatchObject(tooLarge)
    const polygon = { type: 'Polygon', coordinates: [ccwSquare, cwHole] }
    const path = '/coordinates/1/3'
    expect(validateGeometry(polygon, { verticesMax: 8 })).toMatchObject({ ...tooLarge, path })
    expect(validateGeometry(polygon, { verticesMax: 10 })).toMatchObject({ ok: true })
  })
})

describe('validateGeometry normalizes', () => {
  it('accepts every supported type', () => {
    const inputs = [
      { type: 'Point', coordinates: [180, -90] },
      { type: 'MultiPoint', coordinates: P('0 0, 0 0') },
      { type: 'LineString', coordinates: P('0 0, 1 1') },
      { type: 'MultiLineString', coordinates: [P('0 0, 1 1')] },
      { type: 'Polygon', coordinates: [ccwSquare, cwHole] },
      { type: 'MultiPolygon', coordinates: [[ccwSquare, cwHole], [P('5 5, 6 5, 6 6, 5 5')]] },
    ]
    for (const input of inputs) expect(validateGeometry(input)).toMatchObject({ ok: true, value: input })
  })

  it('drops altitude, bbox and other members', () => {
    const input = { type: 'LineString', coordinates: P('1 2 300, 3 4 -5'), bbox: [1, 2, 3, 4], crs: 'x' }
    expect(validateGeometry(input)).toEqual({
      ok: true,
      value: { type: 'LineString', coordinates: P('1 2, 3 4') },
    })
  })

  it('rewinds a clockwise exterior to counterclockwise and a counterclockwise hole to clockwise', () => {
    const r = validateGeometry({
      type: 'Polygon',
      coordinates: [[...ccwSquare].reverse(), [...cwHole].reverse()],
    })
    expect(r).toEqual({ ok: true, value: { type: 'Polygon', coordinates: [ccwSquare, cwHole] } })
    expect(ringSignedArea(ccwSquare)).toBeGreaterThan(0)
    expect(ringSignedArea(cwHole)).toBeLessThan(0)
  })

  it('leaves an already correct polygon unchanged and does not alter its input', () => {
    const input = { type: 'MultiPolygon', coordinates: [[ccwSquare, cwHole]] }
    const copy = structuredClone(input)
    expect(validateGeometry(input)).toEqual({ ok: true, value: copy })
    expect(input).toEqual(copy)
    expect(rewindPolygonRings([[...ccwSquare].reverse()])).toEqual([ccwSquare])
  })

  it('validates any convex polygon of random points and winds its exterior counterclockwise', () => {
    // Points on a 0.1-degree grid keep the hull's area well away from rounding noise.
    const point = fc.tuple(fc.integer({ min: -1800, max: 1800 }), fc.integer({ min: -900, max: 900 }))
    fc.assert(
      fc.property(fc.array(point, { minLength: 3, maxLength: 40 }), fc.boolean(), (raw, clockwise) => {
        const hull = convexHull(raw.map(([x, y]): Position => [x / 10, y / 10]))
        fc.pre(hull.length >= 3)
        const ring = clockwise ? [...hull].reverse() : hull
        const r = validateGeometry({ type: 'Polygon', coordinates: [[...ring, ring[0]]] })
        return r.ok && r.value.type === 'Polygon' && ringSignedArea(r.value.coordinates[0]!) > 0
      }),
      { seed: 42 },
    )
  })
})

describe('countVertices and geometryBbox', () => {
  it('count stored positions and bound them', () => {
    const r = validateGeometry({
      type: 'MultiPolygon',
      coordinates: [[ccwSquare, cwHole], [P('5 -3, 6 -3, 6 2, 5 -3')]],
    })
    expect(r.ok && countVertices(r.value)).toBe(14)
    expect(r.ok && geometryBbox(r.value)).toEqual([0, -3, 6, 2])
    expect(geometryBbox({ type: 'Point', coordinates: [3, 4] })).toEqual([3, 4, 3, 4])
  })
})

// Andrew's monotone chain; dropping collinear points keeps the hull strictly convex and counterclockwise.
function convexHull(points: Position[]): Position[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const cross = (o: Position, a: Position, b: Position) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
  const half = (list: Position[]) => {
    const out: Position[] = []
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop()
      out.push(p)
    }
    return out.slice(0, -1)
  }
  return [...half(sorted), ...half([...sorted].reverse())]
}
