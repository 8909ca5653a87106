import type { Bbox } from './bbox'

/** A 2D position, [longitude, latitude] in WGS84 degrees. Altitude is dropped because the database stores 2D. */
export type Position = [number, number]
export type Point = { type: 'Point'; coordinates: Position }
export type MultiPoint = { type: 'MultiPoint'; coordinates: Position[] }
export type LineString = { type: 'LineString'; coordinates: Position[] }
export type MultiLineString = { type: 'MultiLineString'; coordinates: Position[][] }
export type Polygon = { type: 'Polygon'; coordinates: Position[][] }
export type MultiPolygon = { type: 'MultiPolygon'; coordinates: Position[][][] }
export type Geometry = Point | MultiPoint | LineString | MultiLineString | Polygon | MultiPolygon

/** Total positions in one geometry; it bounds the work the database does per write. */
export const geometryVerticesMax = 10_000
/** Parts of one Multi* geometry. */
export const geometryPartsMax = 1_000
/** Rings (exterior plus holes) of one polygon. */
export const polygonRingsMax = 1_000

export type GeometryLimits = { verticesMax: number; partsMax: number; ringsMax: number }
export const geometryLimitsDefault: GeometryLimits = {
  verticesMax: geometryVerticesMax,
  partsMax: geometryPartsMax,
  ringsMax: polygonRingsMax,
}

export type GeometryErrorCode = 'invalid_geometry' | 'geometry_too_large'
export type GeometryFailure = { ok: false; code: GeometryErrorCode; message: string; path: string }
export type GeometryResult = { ok: true; value: Geometry } | GeometryFailure

type Context = { type: string; limits: GeometryLimits; vertices: number }

function invalid(message: string, path: string): GeometryFailure {
  return { ok: false, code: 'invalid_geometry', message, path }
}

function tooLarge(message: string, path: string): GeometryFailure {
  return { ok: false, code: 'geometry_too_large', message, path }
}

// Every successful reader returns an array, so anything else is a failure.
function failed<T>(x: T | GeometryFailure): x is GeometryFailure {
  return !Array.isArray(x)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function readPosition(value: unknown, path: string, ctx: Context): Position | GeometryFailure {
  if (!Array.isArray(value)) {
    return invalid(
      `expected a position (an array of 2 or 3 numbers) at ${path} but found ${describe(value)}; ` +
        `check the nesting depth for a ${ctx.type}`,
      path,
    )
  }
  // Types are checked before the length so that a position nested one level too deep is named as such.
  for (const [i, n] of value.slice(0, 3).entries()) {
    const at = `${path}/${i}`
    if (Array.isArray(n)) {
      return invalid(
        `position ${path} holds an array where a number is expected; a ${ctx.type} is nested too deeply`,
        at,
      )
    }
    if (typeof n !== 'number') {
      return invalid(`position ${path} has ${describe(n)} where a number is expected`, at)
    }
    if (!Number.isFinite(n)) return invalid(`position ${path} has ${n}`, at)
  }
  if (value.length < 2 || value.length > 3) {
    return invalid(
      `position ${path} has ${value.length} values; expected [longitude, latitude] or with altitude`,
      path,
    )
  }
  const [lon, lat] = value as [number, number]
  if (lon < -180 || lon > 180) {
    return invalid(`longitude ${lon} at ${path} is outside [-180, 180]`, `${path}/0`)
  }
  if (lat < -90 || lat > 90) return invalid(`latitude ${lat} at ${path} is outside [-90, 90]`, `${path}/1`)
  ctx.vertices += 1
  if (ctx.vertices > ctx.limits.verticesMax) {
    return tooLarge(
      `geometry has more than ${ctx.limits.verticesMax} positions; simplify it before sending`,
      path,
    )
  }
  return [lon, lat]
}

type Reader<T> = (value: unknown, path: string, ctx: Context) => T | GeometryFailure

// Reads a non-empty array item by item. Its length is checked first so that an enormous array is refused
// without walking it.
function readEach<T>(value: unknown, path: string, what: string, max: number, ctx: Context, read: Reader<T>) {
  if (!Array.isArray(value)) {
    return invalid(`${what} ${path} must be an array but is ${describe(value)}`, path)
  }
  if (value.length === 0) return invalid(`${what} ${path} is empty`, path)
  if (value.length > max) {
    return tooLarge(`${what} ${path} has ${value.length} entries; the maximum is ${max}`, path)
  }
  const out: T[] = []
  for (const [i, item] of value.entries()) {
    const r = read(item, `${path}/${i}`, ctx)
    if (failed(r)) return r
    out.push(r)
  }
  return out
}

function distinctCount(positions: Position[]): number {
  return new Set(positions.map(([lon, lat]) => `${lon},${lat}`)).size
}

function readLineString(value: unknown, path: string, ctx: Context): Position[] | GeometryFailure {
  const line = readEach(value, path, 'line', ctx.limits.verticesMax, ctx, readPosition)
  if (failed(line)) return line
  if (line.length < 2 || distinctCount(line) < 2) {
    return invalid(`line ${path} needs at least 2 distinct positions`, path)
  }
  return line
}

function readRing(value: unknown, path: string, ctx: Context): Position[] | GeometryFailure {
  const ring = readEach(value, path, 'ring', ctx.limits.verticesMax, ctx, readPosition)
  if (failed(ring)) return ring
  if (ring.length < 4) {
    return invalid(`ring ${path} has ${ring.length} positions; a closed ring needs at least 4`, path)
  }
  const first = ring[0]!
  const last = ring[ring.length - 1]!
  // Compared in 2D because altitude is dropped; a ring closed on the map is closed for the database.
  if (first[0] !== last[0] || first[1] !== last[1]) {
    return invalid(`ring ${path} is not closed: the first and last positions differ`, path)
  }
  if (distinctCount(ring) < 3) return invalid(`ring ${path} needs at least 3 distinct positions`, path)
  return ring
}

function readPolygon(value: unknown, path: string, ctx: Context): Position[][] | GeometryFailure {
  const rings = readEach(value, path, 'polygon', ctx.limits.ringsMax, ctx, readRing)
  return failed(rings) ? rings : rewindPolygonRings(rings)
}

// One reader per supported type. The points of a MultiPoint are its parts, so the parts limit applies to them
// as well as the vertex limit.
const readers: Record<string, Reader<unknown[]>> = {
  Point: readPosition,
  MultiPoint: (v, path, ctx) => readEach(v, path, 'MultiPoint', ctx.limits.partsMax, ctx, readPosition),
  LineString: readLineString,
  MultiLineString: (v, path, ctx) =>
    readEach(v, path, 'MultiLineString', ctx.limits.partsMax, ctx, readLineString),
  Polygon: readPolygon,
  MultiPolygon: (v, path, ctx) => readEach(v, path, 'MultiPolygon', ctx.limits.partsMax, ctx, readPolygon),
}
const supportedTypes = Object.keys(readers)

/**
 * Checks a GeoJSON geometry (RFC 7946) from an untrusted client and returns a normalized copy: 2D positions,
 * no `bbox`, rings wound by the right-hand rule. Self-intersection is deliberately not checked here: doing it
 * right is expensive and PostGIS's ST_IsValidReason does it later, with better messages than we could write.
 */
export function validateGeometry(input: unknown, limits: Partial<GeometryLimits> = {}): GeometryResult {
  const ctx: Context = { type: '', limits: { ...geometryLimitsDefault, ...limits }, vertices: 0 }
  if (!isPlainObject(input)) {
    return invalid(`a geometry must be an object with "type" and "coordinates", not ${describe(input)}`, '')
  }
  const { type, coordinates } = input
  if (type === 'GeometryCollection') {
    return invalid('GeometryCollection is not supported; send one geometry per thing', '/type')
  }
  if (type === undefined) return invalid('the geometry has no "type"', '/type')
  if (typeof type !== 'string' || !Object.hasOwn(readers, type)) {
    return invalid(
      `geometry type ${describe(type)} is not supported; use one of ${supportedTypes.join(', ')}`,
      '/type',
    )
  }
  ctx.type = type
  if (coordinates === undefined) return invalid(`the ${type} has no "coordinates"`, '/coordinates')
  const result = readers[type]!(coordinates, '/coordinates', ctx)
  if (failed(result)) return result
  return { ok: true, value: { type, coordinates: result } as Geometry }
}

/**
 * Twice the signed area of a ring in the lon/lat plane (shoelace formula): positive when counterclockwise.
 * Coordinates are taken relative to the first position to keep the products small and the sum accurate.
 */
export function ringSignedArea(ring: Position[]): number {
  const origin = ring[0]
  if (!origin) return 0
  let sum = 0
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i]!
    const [x2, y2] = ring[i + 1]!
    sum += (x1 - origin[0]) * (y2 - origin[1]) - (x2 - origin[0]) * (y1 - origin[1])
  }
  return sum
}

/**
 * Returns the rings wound by RFC 7946's right-hand rule: the exterior counterclockwise, holes clockwise.
 * A ring with zero area is left alone; it is degenerate and PostGIS will say so.
 */
export function rewindPolygonRings(rings: Position[][]): Position[][] {
  return rings.map((ring, i) => {
    const area = ringSignedArea(ring)
    const reverse = i === 0 ? area < 0 : area > 0
    const copy = ring.map(([lon, lat]): Position => [lon, lat])
    return reverse ? copy.reverse() : copy
  })
}

function positionsOf(geometry: Geometry): Position[] {
  switch (geometry.type) {
    case 'Point':
      return [geometry.coordinates]
    case 'MultiPoint':
    case 'LineString':
      return geometry.coordinates
    case 'MultiLineString':
    case 'Polygon':
      return geometry.coordinates.flat()
    case 'MultiPolygon':
      return geometry.coordinates.flat(2)
  }
}

/** Counts positions as they are stored, so the closing position of a ring counts too. */
export function countVertices(geometry: Geometry): number {
  return positionsOf(geometry).length
}

/** The smallest lon/lat box around a geometry. It does not handle geometries crossing the antimeridian. */
export function geometryBbox(geometry: Geometry): Bbox {
  const box: Bbox = [Infinity, Infinity, -Infinity, -Infinity]
  for (const [lon, lat] of positionsOf(geometry)) {
    box[0] = Math.min(box[0], lon)
    box[1] = Math.min(box[1], lat)
    box[2] = Math.max(box[2], lon)
    box[3] = Math.max(box[3], lat)
  }
  return box
}
