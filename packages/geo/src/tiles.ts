import type { Bbox } from './bbox'
import { fail, ok, type Result } from './result'

/** The deepest zoom level served; beyond it tiles are smaller than a few centimetres and not worth asking for. */
export const tileZoomMax = 22
/** Tiles one request may ask for; it bounds the work behind a single map view. */
export const tilesPerRequestMax = 4096
/** Web mercator is cut off at this latitude so that the world is a square; beyond it lies no tile. */
export const mercatorLatitudeMaxDeg = 85.05112877980659

export type Tile = { z: number; x: number; y: number }

// Fractional tile coordinates; their integer parts are the tile numbers.
function lonToTileX(lon: number, n: number): number {
  return ((lon + 180) / 360) * n
}

function latToTileY(lat: number, n: number): number {
  const clamped = Math.max(-mercatorLatitudeMaxDeg, Math.min(mercatorLatitudeMaxDeg, lat))
  const rad = (clamped * Math.PI) / 180
  return ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n
}

function tileYToLat(y: number, n: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI
}

function clampIndex(i: number, n: number): number {
  return Math.max(0, Math.min(n - 1, i))
}

/** The lon/lat box of an XYZ tile (y grows southwards, as in OpenStreetMap's scheme). */
export function tileToBbox(z: number, x: number, y: number): Bbox {
  const n = 2 ** z
  return [(x / n) * 360 - 180, tileYToLat(y + 1, n), ((x + 1) / n) * 360 - 180, tileYToLat(y, n)]
}

/**
 * The tile containing a point. Latitudes beyond web mercator's limit and longitude 180 are clamped into the
 * edge tiles, so every lon/lat in range gives a valid tile.
 */
export function lonLatToTile(lon: number, lat: number, z: number): Tile {
  const n = 2 ** z
  let x = clampIndex(Math.floor(lonToTileX(lon, n)), n)
  let y = clampIndex(Math.floor(latToTileY(lat, n)), n)
  // The forward and inverse projections round differently, so a point within a rounding error of a tile edge
  // can land in the neighbour; stepping back guarantees that the tile's own box contains the point.
  const [west, south, east, north] = tileToBbox(z, x, y)
  if (lon < west && x > 0) x -= 1
  else if (lon > east && x < n - 1) x += 1
  if (lat > north && y > 0) y -= 1
  else if (lat < south && y < n - 1) y += 1
  return { z, x, y }
}

export function isValidTile(z: number, x: number, y: number, zMax = tileZoomMax): boolean {
  if (![z, x, y].every(Number.isInteger) || z < 0 || z > zMax) return false
  const n = 2 ** z
  return x >= 0 && x < n && y >= 0 && y < n
}

// Slack, in tiles, so that a box edge computed from a tile edge does not spill into the next tile through
// rounding. A millionth of a tile is far below a pixel, so nothing visible is lost by ignoring such slivers.
const tileEdgeSlack = 1e-6

/**
 * Tiles at zoom z that cover a box, row by row. A box edge lying exactly on a tile edge does not pull in the
 * neighbouring tile, so the box of one tile is covered by that tile alone.
 */
export function tilesCoveringBbox(bbox: Bbox, z: number): Result<Tile[]> {
  if (!Number.isInteger(z) || z < 0 || z > tileZoomMax) {
    return fail('invalid_tile', `zoom ${z} is not an integer in [0, ${tileZoomMax}]`)
  }
  const [minLon, minLat, maxLon, maxLat] = bbox
  if (!bbox.every(Number.isFinite) || minLon > maxLon || minLat > maxLat) {
    return fail('invalid_bbox', `bbox ${bbox.join(',')} is not a valid box`)
  }
  const n = 2 ** z
  const xMin = clampIndex(Math.floor(lonToTileX(minLon, n) + tileEdgeSlack), n)
  const xMax = Math.max(xMin, clampIndex(Math.ceil(lonToTileX(maxLon, n) - tileEdgeSlack) - 1, n))
  const yMin = clampIndex(Math.floor(latToTileY(maxLat, n) + tileEdgeSlack), n)
  const yMax = Math.max(yMin, clampIndex(Math.ceil(latToTileY(minLat, n) - tileEdgeSlack) - 1, n))
  const count = (xMax - xMin + 1) * (yMax - yMin + 1)
  // Checked before building the list, so that a huge box costs nothing.
  if (count > tilesPerRequestMax) {
    return fail(
      'too_many_tiles',
      `the box needs ${count} tiles at zoom ${z}; the maximum is ${tilesPerRequestMax}`,
    )
  }
  const tiles: Tile[] = []
  for (let y = yMin; y <= yMax; y++) for (let x = xMin; x <= xMax; x++) tiles.push({ z, x, y })
  return ok(tiles)
}
