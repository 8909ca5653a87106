import { createHash } from 'node:crypto'
import { tileBuffer, tileExtent, tileFeaturesMax } from '@quartiere/contracts'
import type { Database, DB } from '@quartiere/db'
import { type Bbox, bboxIntersects, tileToBbox } from '@quartiere/geo'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import { fromGeojsonVt, type GeojsonVtFeature } from 'vt-pbf'
import { filtersWhere, type PublicFilters } from './filters'

export interface TileRequest {
  z: number
  x: number
  y: number
  filters: PublicFilters
}

/**
 * The properties each feature of a tile carries: what the map needs to draw and label it and to open it.
 * Arrays are joined with commas, since vector tiles hold only scalars.
 */
const tileColumns = sql`e.id::text AS id, e.title, quartiere_iso(e.valid_from) AS "validFrom",
  quartiere_iso(e.valid_to) AS "validTo", e.zoom_level AS "zoomLevel", array_to_string(e.categories, ',') AS categories`

export const tileFields: Record<string, string> = {
  id: 'String',
  title: 'String',
  validFrom: 'String',
  validTo: 'String',
  zoomLevel: 'Number',
  categories: 'String',
}

/**
 * A thing is drawn from the zoom of the scale it belongs to (its zoom_level) down, as the map query's `zoom`
 * filter does: a neighbourhood's bench does not crowd the city-wide view.
 */
function tileWhere(tile: TileRequest): RawBuilder<unknown> {
  return sql`e.geom && bounds.env4326 AND e.zoom_level <= ${tile.z} AND ${filtersWhere(tile.filters)}`
}

/** Tile bounds in web mercator, and the same with the buffer, in WGS84 for the index. */
function boundsCte(tile: TileRequest): RawBuilder<unknown> {
  return sql`bounds AS (
    SELECT ST_TileEnvelope(${tile.z}::int, ${tile.x}::int, ${tile.y}::int) AS env,
      ST_Transform(ST_TileEnvelope(${tile.z}::int, ${tile.x}::int, ${tile.y}::int,
        margin => ${tileBuffer / tileExtent}::float8), 4326) AS env4326,
      ST_TileEnvelope(${tile.z}::int, ${tile.x}::int, ${tile.y}::int,
        margin => ${tileBuffer / tileExtent}::float8) AS env_buffered
  )`
}

/** Simplification tolerance: one tile unit, in metres of web mercator at this zoom. */
function toleranceSql(tile: TileRequest): RawBuilder<unknown> {
  return sql`(40075016.68557849 / 2 ^ ${tile.z}::int / ${tileExtent}::int)`
}

/**
 * The tile as PostGIS builds it: ST_AsMVTGeom clips, snaps and flips into tile space, and ST_AsMVT encodes one
 * layer per kind; layers, each a protobuf message, are concatenated into the tile. The benchmark runs this very
 * SQL through pg as its reference.
 */
export function mvtSql(tile: TileRequest): RawBuilder<{ tile: Uint8Array | null }> {
  return sql<{ tile: Uint8Array | null }>`
    WITH ${boundsCte(tile)},
    features AS (
      SELECT e.kind, ${tileColumns},
        ST_AsMVTGeom(ST_Simplify(ST_Transform(e.geom, 3857), ${toleranceSql(tile)}, true), bounds.env,
          ${tileExtent}::int, ${tileBuffer}::int, true) AS geom
      FROM visible_entities e, bounds
      WHERE ${tileWhere(tile)}
      LIMIT ${tileFeaturesMax}
    )
    SELECT string_agg(layer, ''::bytea) AS tile FROM (
      SELECT ST_AsMVT(f, f.kind, ${tileExtent}::int, 'geom') AS layer
      FROM features f WHERE f.geom IS NOT NULL GROUP BY f.kind
    ) layers`
}

/**
 * The same features, clipped and simplified the same way in SQL but returned as tile-space GeoJSON, for the
 * embedded database whose PostGIS has no protobuf (ST_AsMVT and ST_AsMVTGeom are missing there). The affine
 * transform maps the tile's mercator box onto 0..extent with y pointing down; after that flip, exterior rings
 * are made counterclockwise in tile numbers, which is the winding ST_AsMVTGeom produces (positive area).
 */
export function preparedTileSql(tile: TileRequest) {
  const scale = sql`(${tileExtent}::float8 / (ST_XMax(bounds.env) - ST_XMin(bounds.env)))`
  return sql<{ kind: string; geometry: string } & Record<string, string | number | null>>`
    WITH ${boundsCte(tile)},
    features AS (
      SELECT e.kind, ${tileColumns},
        ST_ForcePolygonCCW(ST_RemoveRepeatedPoints(ST_SnapToGrid(ST_Affine(
          ST_ClipByBox2D(ST_Simplify(ST_Transform(e.geom, 3857), ${toleranceSql(tile)}, true), bounds.env_buffered),
          ${scale}, 0, 0, -${scale}, -ST_XMin(bounds.env) * ${scale}, ST_YMax(bounds.env) * ${scale}
        ), 1))) AS geom
      FROM visible_entities e, bounds
      WHERE ${tileWhere(tile)}
      LIMIT ${tileFeaturesMax}
    )
    SELECT f.kind, f.id, f.title, f."validFrom", f."validTo", f."zoomLevel", f.categories,
      ST_AsGeoJSON(f.geom, 0) AS geometry
    FROM features f WHERE NOT ST_IsEmpty(f.geom)`
}

type Ring = number[][]
interface TileGeometry {
  type: string
  coordinates: unknown
}

/** A tile-space GeoJSON geometry in the form vt-pbf writes (geojson-vt's), or null if nothing is left. */
function toVtFeature(geometry: TileGeometry, tags: GeojsonVtFeature['tags']): GeojsonVtFeature | null {
  const c = geometry.coordinates
  switch (geometry.type) {
    case 'Point':
      return { type: 1, geometry: [c as number[]], tags }
    case 'MultiPoint':
      return { type: 1, geometry: c as number[][], tags }
    case 'LineString':
      return (c as Ring).length >= 2 ? { type: 2, geometry: [c as Ring], tags } : null
    case 'MultiLineString': {
      const lines = (c as Ring[]).filter((l) => l.length >= 2)
      return lines.length ? { type: 2, geometry: lines, tags } : null
    }
    case 'Polygon': {
      const rings = (c as Ring[]).filter((r) => r.length >= 4)
      return rings.length ? { type: 3, geometry: rings, tags } : null
    }
    case 'MultiPolygon': {
      const rings = (c as Ring[][]).flat().filter((r) => r.length >= 4)
      return rings.length ? { type: 3, geometry: rings, tags } : null
    }
    case 'GeometryCollection':
      // Clipping can leave a mixture; a tile feature has one type, so the first usable part stands for it.
      for (const part of (geometry as unknown as { geometries: TileGeometry[] }).geometries) {
        const feature = toVtFeature(part, tags)
        if (feature) return feature
      }
      return null
    default:
      return null
  }
}

/** Encodes prepared rows with vt-pbf (the embedded database's path). */
export function encodePreparedTile(
  rows: ({ kind: string; geometry: string } & Record<string, string | number | null>)[],
): Uint8Array {
  const layers: Record<string, { features: GeojsonVtFeature[] }> = {}
  for (const row of rows) {
    const { kind, geometry, ...properties } = row
    const tags: GeojsonVtFeature['tags'] = {}
    for (const [name, value] of Object.entries(properties)) if (value !== null) tags[name] = value
    const feature = toVtFeature(JSON.parse(geometry) as TileGeometry, tags)
    if (!feature) continue
    const layer = layers[kind] ?? { features: [] }
    layer.features.push(feature)
    layers[kind] = layer
  }
  if (!Object.keys(layers).length) return new Uint8Array(0)
  return fromGeojsonVt(layers, { version: 2, extent: tileExtent })
}

/** Renders one tile on whichever backend is in use. An empty tile is zero bytes. */
export async function renderTile(database: Database, tile: TileRequest): Promise<Uint8Array> {
  if (database.backend === 'postgres') {
    const { rows } = await mvtSql(tile).execute(database.db)
    const bytes = rows[0]?.tile
    return bytes ? new Uint8Array(bytes) : new Uint8Array(0)
  }
  const { rows } = await preparedTileSql(tile).execute(database.db as Kysely<DB>)
  return encodePreparedTile(rows)
}

export interface CachedTile {
  bytes: Uint8Array
  etag: string
}

export function tileEtag(bytes: Uint8Array): string {
  return `"${createHash('sha1').update(bytes).digest('base64url')}"`
}

/** Tiles kept encoded in memory, and their bytes at most; the least recently used go first. */
export const tileCacheEntriesMax = 4096
export const tileCacheBytesMax = 64 * 1024 * 1024

/**
 * An LRU cache of encoded tiles. A change to an entity invalidates every cached tile whose box (with the
 * buffer that tiles draw beyond their edge) meets the entity's bbox, old or new; a render that started before an
 * invalidation it overlaps is not stored, so a stale tile never outlives the change that made it stale.
 */
export class TileCache {
  private readonly entries = new Map<string, CachedTile & { bbox: Bbox }>()
  private bytes = 0
  private generation = 0
  hits = 0
  misses = 0

  constructor(
    private readonly entriesMax = tileCacheEntriesMax,
    private readonly bytesMax = tileCacheBytesMax,
  ) {}

  get size(): number {
    return this.entries.size
  }

  async getOrRender(
    key: string,
    tile: { z: number; x: number; y: number },
    render: () => Promise<Uint8Array>,
  ) {
    const cached = this.entries.get(key)
    if (cached) {
      this.hits += 1
      // Re-inserting moves the entry to the young end of the Map's order.
      this.entries.delete(key)
      this.entries.set(key, cached)
      return cached
    }
    this.misses += 1
    const startedAt = this.generation
    const bytes = await render()
    const entry = { bytes, etag: tileEtag(bytes), bbox: bufferedTileBbox(tile) }
    if (this.generation === startedAt && bytes.byteLength <= this.bytesMax) this.store(key, entry)
    return entry
  }

  /** Drops every cached tile that draws anything inside the box. Returns how many were dropped. */
  invalidateBbox(bbox: Bbox): number {
    this.generation += 1
    let dropped = 0
    for (const [key, entry] of this.entries) {
      if (bboxIntersects(entry.bbox, bbox)) {
        this.entries.delete(key)
        this.bytes -= entry.bytes.byteLength
        dropped += 1
      }
    }
    return dropped
  }

  clear(): void {
    this.generation += 1
    this.entries.clear()
    this.bytes = 0
  }

  private store(key: string, entry: CachedTile & { bbox: Bbox }) {
    this.entries.set(key, entry)
    this.bytes += entry.bytes.byteLength
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.entriesMax && this.bytes <= this.bytesMax) break
      this.entries.delete(oldKey)
      this.bytes -= old.bytes.byteLength
    }
  }
}

/** The lon/lat box a tile draws, its buffer included. */
export function bufferedTileBbox({ z, x, y }: { z: number; x: number; y: number }): Bbox {
  const [west, south, east, north] = tileToBbox(z, x, y)
  const dx = ((east - west) * tileBuffer) / tileExtent
  const dy = ((north - south) * tileBuffer) / tileExtent
  return [west - dx, south - dy, east + dx, north + dy]
}
