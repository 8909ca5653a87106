import {
  entityKinds,
  type OgcCollectionId,
  ogcCollectionIds,
  ogcCollectionProperties,
  ogcItemsPageSizeDefault,
  ogcItemsPageSizeMax,
  ogcListProperties,
} from '@quartiere/contracts'
import { type DB, defineCursor, uuidPattern } from '@quartiere/db'
import { type Bbox, parseBbox, parseOgcDatetime } from '@quartiere/geo'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import { cql2Condition, cql2FilterCrs, cql2FilterLanguages } from './cql2-sql'
import { filtersWhere, type PublicFilters } from './filters'
import { invalidQuery, type OpenDataFailure, type OpenDataOutcome } from './outcome'
import { equalityCondition, propertyValueSql } from './properties'

export function isOgcCollectionId(id: string): id is OgcCollectionId {
  return (ogcCollectionIds as readonly string[]).includes(id)
}

/** The Feature of an entity as JSON text, with the flat properties of its collection. Expects `e`. */
export function ogcFeatureJsonSql(collectionId: OgcCollectionId): RawBuilder<string> {
  const pairs: RawBuilder<unknown>[] = []
  for (const property of ogcCollectionProperties(collectionId)) {
    pairs.push(sql`${sql.lit(property.name)}, ${propertyValueSql(property)}`)
  }
  for (const name of ogcListProperties) pairs.push(sql`${sql.lit(name)}, e.${sql.ref(name)}`)
  return sql<string>`json_build_object(
    'type', 'Feature',
    'id', e.id,
    'geometry', ST_AsGeoJSON(e.geom, 7)::json,
    'properties', json_build_object(${sql.join(pairs)})
  )::text`
}

export interface OgcItemsRequest {
  limit: number
  filters: PublicFilters
  afterId?: string
  /** numberMatched as counted for the first page, carried by the cursor so later pages skip the count. */
  matched?: number
}

const reservedParameters = new Set([
  'limit',
  'bbox',
  'datetime',
  'cursor',
  'f',
  'filter',
  'filter-lang',
  'filter-crs',
])

/** The cursor of a `next` link: the last id served (`a`) and the count of the first page (`m`). */
const ogcCursor = defineCursor({ a: 'uuid', m: 'count' })

export function encodeOgcCursor(afterId: string, matched: number): string {
  return ogcCursor.encode({ a: afterId, m: matched })
}

function decodeOgcCursor(cursor: string): { afterId: string; matched: number } | undefined {
  const value = ogcCursor.decode(cursor)
  return value && { afterId: value.a, matched: value.m }
}

/** Parses the query of /collections/{id}/items. Unknown parameters were refused by the route's schema. */
export function parseOgcItemsQuery(
  collectionId: OgcCollectionId,
  query: Record<string, string | undefined>,
): OpenDataOutcome<{ request: OgcItemsRequest }> {
  let limit = ogcItemsPageSizeDefault
  if (query.limit !== undefined) {
    if (!/^\d{1,9}$/.test(query.limit) || Number(query.limit) < 1)
      return invalidQuery('limit must be a positive integer', 'limit')
    // The standard asks a server to clamp a limit above its maximum rather than refuse it.
    limit = Math.min(Number(query.limit), ogcItemsPageSizeMax)
  }
  const filters: PublicFilters = { conditions: [] }
  if (collectionId !== 'all') filters.kinds = [collectionId]
  if (query.bbox !== undefined) {
    const bbox = parseOgcBbox(query.bbox)
    if (!bbox.ok) return bbox
    filters.bbox = bbox.bbox
  }
  if (query.datetime !== undefined) {
    const window = parseOgcDatetime(query.datetime)
    if (!window.ok) return invalidQuery(window.message, 'datetime')
    filters.from = window.value.from
    filters.to = window.value.to
  }
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || reservedParameters.has(name)) continue
    const condition = equalityCondition(collectionId, name, value)
    if (!condition.ok) return condition
    filters.conditions!.push(condition.condition)
  }
  if (
    query['filter-lang'] !== undefined &&
    !(cql2FilterLanguages as readonly string[]).includes(query['filter-lang'])
  )
    return invalidQuery(`filter-lang must be one of ${cql2FilterLanguages.join(', ')}`, 'filter-lang')
  if (query['filter-crs'] !== undefined && query['filter-crs'] !== cql2FilterCrs)
    return invalidQuery(
      `filter-crs must be ${cql2FilterCrs}: coordinates in filters are lon/lat`,
      'filter-crs',
    )
  if (query.filter !== undefined) {
    const filter = cql2Condition(collectionId, query.filter)
    if (!filter.ok) return filter
    filters.conditions!.push(filter.condition)
  }
  if (query.f !== undefined && query.f !== 'json' && query.f !== 'geojson')
    return invalidQuery('f must be json or geojson', 'f')
  const request: OgcItemsRequest = { limit, filters }
  if (query.cursor !== undefined) {
    const cursor = decodeOgcCursor(query.cursor)
    if (!cursor) return { ok: false, code: 'invalid_cursor', message: 'cursor is not one this API gave out' }
    request.afterId = cursor.afterId
    request.matched = cursor.matched
  }
  return { ok: true, request }
}

/** OGC's bbox: 4 numbers, or 6 (with heights, which a 2D map ignores). */
function parseOgcBbox(text: string): OpenDataOutcome<{ bbox: Bbox }> {
  const parts = text.split(',')
  const flat = parts.length === 6 ? [parts[0], parts[1], parts[3], parts[4]].join(',') : text
  const bbox = parseBbox(flat)
  if (!bbox.ok) return invalidQuery(bbox.message, 'bbox')
  return { ok: true, bbox: bbox.value }
}

export interface OgcItemsPage {
  featuresJson: string[]
  numberMatched: number
  nextCursor: string | null
}

/**
 * One page of a collection, in id order after the cursor: an index seek, so the last page of a million costs
 * what the first does. The count is taken on the first page only and carried on by the cursor.
 */
export async function listOgcItems(
  db: Kysely<DB>,
  collectionId: OgcCollectionId,
  request: OgcItemsRequest,
): Promise<OgcItemsPage> {
  const where = filtersWhere(request.filters)
  const after = request.afterId ? sql`AND e.id > ${request.afterId}::uuid` : sql``
  const [rows, matched] = await Promise.all([
    sql<{ id: string; feature: string }>`
      SELECT e.id, ${ogcFeatureJsonSql(collectionId)} AS feature
      FROM visible_entities e
      WHERE ${where} ${after}
      ORDER BY e.id
      LIMIT ${request.limit + 1}`.execute(db),
    request.matched !== undefined
      ? Promise.resolve(request.matched)
      : sql<{ n: string }>`SELECT count(*) AS n FROM visible_entities e WHERE ${where}`
          .execute(db)
          .then((r) => Number(r.rows[0]?.n ?? 0)),
  ])
  const page = rows.rows.slice(0, request.limit)
  const last = page.at(-1)
  return {
    featuresJson: page.map((r) => r.feature),
    numberMatched: matched,
    nextCursor: rows.rows.length > request.limit && last ? encodeOgcCursor(last.id, matched) : null,
  }
}

export async function getOgcItem(
  db: Kysely<DB>,
  collectionId: OgcCollectionId,
  featureId: string,
): Promise<OpenDataOutcome<{ featureJson: string }> | OpenDataFailure> {
  const notFound: OpenDataFailure = {
    ok: false,
    code: 'not_found',
    message: `no feature ${featureId} in collection ${collectionId}`,
  }
  if (!uuidPattern.test(featureId)) return notFound
  const kind = collectionId === 'all' ? sql`true` : sql`e.kind = ${collectionId}`
  const { rows } = await sql<{ feature: string }>`
    SELECT ${ogcFeatureJsonSql(collectionId)} AS feature
    FROM visible_entities e WHERE e.id = ${featureId}::uuid AND ${kind}`.execute(db)
  const row = rows[0]
  return row ? { ok: true, featureJson: row.feature } : notFound
}

export interface CollectionExtent {
  id: OgcCollectionId
  bbox: Bbox | null
  /** [start, end]; null for an open end. */
  interval: [string | null, string | null]
  count: number
}

/**
 * The spatial and temporal extent of every collection, computed from the data: the bbox of the geometries and
 * the span of their validity (an open end if any thing is open at that end).
 */
export async function ogcCollectionExtents(db: Kysely<DB>): Promise<CollectionExtent[]> {
  const { rows } = await sql<{
    kind: string
    n: string
    min_lon: number | null
    min_lat: number | null
    max_lon: number | null
    max_lat: number | null
    first: Date | null
    last: Date | null
    open_start: boolean
    open_end: boolean
  }>`
    SELECT kind, n, ST_XMin(ext) AS min_lon, ST_YMin(ext) AS min_lat, ST_XMax(ext) AS max_lon,
      ST_YMax(ext) AS max_lat, first, last, open_start, open_end
    FROM (
      SELECT e.kind, count(*) AS n, ST_Extent(e.geom) AS ext, min(e.valid_from) AS first, max(e.valid_to) AS last,
        bool_or(e.valid_from IS NULL) AS open_start, bool_or(e.valid_to IS NULL) AS open_end
      FROM visible_entities e GROUP BY e.kind
    ) s`.execute(db)
  const byKind = new Map(rows.map((r) => [r.kind, r]))
  const extentOf = (id: OgcCollectionId, of: typeof rows): CollectionExtent => {
    if (!of.length) return { id, bbox: null, interval: [null, null], count: 0 }
    const bbox: Bbox = [
      Math.min(...of.map((r) => Number(r.min_lon))),
      Math.min(...of.map((r) => Number(r.min_lat))),
      Math.max(...of.map((r) => Number(r.max_lon))),
      Math.max(...of.map((r) => Number(r.max_lat))),
    ]
    const firsts = of.map((r) => r.first).filter((d): d is Date => d !== null)
    const lasts = of.map((r) => r.last).filter((d): d is Date => d !== null)
    const start =
      of.some((r) => r.open_start) || !firsts.length
        ? null
        : new Date(Math.min(...firsts.map((d) => new Date(d).getTime()))).toISOString()
    const end =
      of.some((r) => r.open_end) || !lasts.length
        ? null
        : new Date(Math.max(...lasts.map((d) => new Date(d).getTime()))).toISOString()
    return { id, bbox, interval: [start, end], count: of.reduce((sum, r) => sum + Number(r.n), 0) }
  }
  return [
    extentOf('all', rows),
    ...entityKinds.map((kind) => {
      const row = byKind.get(kind)
      return extentOf(kind, row ? [row] : [])
    }),
  ]
}
