import type { Polygon, Position } from './geometry'
import { fail, ok, type Result } from './result'

/** [minLon, minLat, maxLon, maxLat] in WGS84 degrees, as in RFC 7946 and OGC API Features. */
export type Bbox = [number, number, number, number]

// Plain decimals only: no exponent (so no "1e999"), no hex, no "Infinity", which Number() would all accept.
const decimalPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/
const partNames = ['minLon', 'minLat', 'maxLon', 'maxLat'] as const

/**
 * Parses the query parameter "minLon,minLat,maxLon,maxLat". A box crossing the antimeridian is refused rather
 * than guessed at, because minLon > maxLon is far more often a swapped pair than a deliberate wrap.
 */
export function parseBbox(text: string, opts: { areaDeg2Max?: number } = {}): Result<Bbox> {
  const parts = text.split(',')
  if (parts.length !== 4) {
    return fail(
      'invalid_bbox',
      `bbox needs exactly 4 comma-separated numbers (minLon,minLat,maxLon,maxLat); got ${parts.length}`,
    )
  }
  const values: number[] = []
  for (const [i, raw] of parts.entries()) {
    const part = raw.trim()
    const name = partNames[i]!
    if (part === '') return fail('invalid_bbox', `bbox ${name} is empty`)
    const n = Number(part)
    if (!decimalPattern.test(part) || !Number.isFinite(n)) {
      return fail('invalid_bbox', `bbox ${name} ${JSON.stringify(part.slice(0, 40))} is not a decimal number`)
    }
    values.push(n)
  }
  const [minLon, minLat, maxLon, maxLat] = values as Bbox
  for (const [i, n] of values.entries()) {
    const limit = i % 2 === 0 ? 180 : 90
    if (n < -limit || n > limit) {
      return fail('invalid_bbox', `bbox ${partNames[i]} ${n} is outside [-${limit}, ${limit}]`)
    }
  }
  if (minLon > maxLon) {
    return fail(
      'invalid_bbox',
      `bbox minLon ${minLon} is greater than maxLon ${maxLon}; boxes crossing the antimeridian are not supported, ` +
        'send two boxes instead',
    )
  }
  if (minLat > maxLat) return fail('invalid_bbox', `bbox minLat ${minLat} is greater than maxLat ${maxLat}`)
  const bbox: Bbox = [minLon, minLat, maxLon, maxLat]
  const area = bboxArea(bbox)
  if (opts.areaDeg2Max !== undefined && area > opts.areaDeg2Max) {
    return fail(
      'bbox_too_large',
      `bbox area is ${Number(area.toPrecision(6))} square degrees; the maximum is ${opts.areaDeg2Max}`,
    )
  }
  return ok(bbox)
}

/** Area in square degrees: a cheap, projection-free measure that is good enough for bounding request sizes. */
export function bboxArea(b: Bbox): number {
  return (b[2] - b[0]) * (b[3] - b[1])
}

/** Boxes that only touch on an edge or corner count as intersecting, as with PostGIS's && operator. */
export function bboxIntersects(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/** Points on the edge are inside, so that a point on a tile boundary belongs to both tiles' boxes. */
export function bboxContainsPoint(b: Bbox, [lon, lat]: Position): boolean {
  return lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3]
}

/** The box as a polygon with a counterclockwise ring. A box of zero width or height gives a degenerate polygon. */
export function bboxToPolygon([minLon, minLat, maxLon, maxLat]: Bbox): Polygon {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [minLon, minLat],
        [maxLon, minLat],
        [maxLon, maxLat],
        [minLon, maxLat],
        [minLon, minLat],
      ],
    ],
  }
}
