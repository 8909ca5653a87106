import { type OgcPropertyDescriptor, openDataLicence } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { stringify } from 'csv-stringify/sync'
import type { ColumnMeta } from 'flatgeobuf/lib/mjs/column-meta.js'
import { magicbytes } from 'flatgeobuf/lib/mjs/constants.js'
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js'
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js'
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js'
import { buildHeader } from 'flatgeobuf/lib/mjs/generic/featurecollection.js'
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js'
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js'
import { type Kysely, sql } from 'kysely'
import { describeFilters, filtersWhere, type PublicFilters } from './filters'
import { exportProperties, propertyValueSql } from './properties'

/**
 * Rows read per round trip. Each batch is a keyset seek after the last id, so memory holds one batch whatever
 * the size of the export, and the database never keeps a cursor open across the client's slow reads.
 */
export const exportBatchRows = 2000

export interface ExportRow {
  id: string
  geometry: string
  values: Record<string, unknown>
}

/** The columns of every export, in order: id, the scalar properties, the two lists. */
export function exportColumns(): (OgcPropertyDescriptor | { name: 'categories' | 'tags'; type: 'list' })[] {
  return [...exportProperties(), { name: 'categories', type: 'list' }, { name: 'tags', type: 'list' }]
}

/**
 * Every public entity matching the filters, batch by batch in id order. `geometry` is GeoJSON, or WKT when
 * asked (CSV). Pulling from the generator is what asks the database for more: a slow client slows the reads.
 */
export async function* exportRows(
  db: Kysely<DB>,
  filters: PublicFilters,
  geometryAs: 'geojson' | 'wkt',
): AsyncGenerator<ExportRow[]> {
  const properties = exportProperties()
  const values = sql.join(properties.map((p) => sql`${propertyValueSql(p)} AS ${sql.ref(p.name)}`))
  const geometry = geometryAs === 'wkt' ? sql`ST_AsText(e.geom, 7)` : sql`ST_AsGeoJSON(e.geom, 7)`
  const where = filtersWhere(filters)
  let after: string | null = null
  for (;;) {
    const { rows }: { rows: Record<string, unknown>[] } = await sql<Record<string, unknown>>`
      SELECT e.id::text AS id, ${geometry} AS geometry, ${values}, e.categories, e.tags
      FROM visible_entities e
      WHERE ${where} ${after ? sql`AND e.id > ${after}::uuid` : sql``}
      ORDER BY e.id
      LIMIT ${exportBatchRows}`.execute(db)
    if (!rows.length) return
    yield rows.map((row) => {
      const { id, geometry: g, ...rest } = row
      return { id: id as string, geometry: g as string, values: rest }
    })
    if (rows.length < exportBatchRows) return
    after = rows.at(-1)!.id as string
  }
}

export interface ExportProvenance {
  source: string
  licence: typeof openDataLicence
  exportedAt: string
  filters: Record<string, unknown>
  format: string
  columns: string[]
  note: string
}

export function exportProvenance(format: string, filters: PublicFilters, source: string): ExportProvenance {
  return {
    source,
    licence: openDataLicence,
    exportedAt: new Date().toISOString(),
    filters: describeFilters(filters),
    format,
    columns: ['id', ...exportColumns().map((c) => c.name), 'geometry'],
    note: 'Public things on the Quartiere map, read through its visibility rules. No personal data: authors are not included.',
  }
}

/** A GeoJSON FeatureCollection, streamed: the provenance as a foreign member, then the features batch by batch. */
export async function* geojsonExport(
  db: Kysely<DB>,
  filters: PublicFilters,
  provenance: ExportProvenance,
): AsyncGenerator<string> {
  yield `{"type":"FeatureCollection","metadata":${JSON.stringify(provenance)},"features":[`
  let first = true
  for await (const batch of exportRows(db, filters, 'geojson')) {
    const parts = batch.map(
      (row) =>
        `{"type":"Feature","id":"${row.id}","geometry":${row.geometry},"properties":${JSON.stringify(row.values)}}`,
    )
    yield (first ? '' : ',') + parts.join(',')
    first = false
  }
  yield ']}\n'
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.join(';')
  return String(value)
}

/** CSV (RFC 4180) with a header row, one column per scalar property, lists joined by ";", WKT geometry last. */
export async function* csvExport(db: Kysely<DB>, filters: PublicFilters): AsyncGenerator<string> {
  const columns = exportColumns().map((c) => c.name)
  yield stringify([['id', ...columns, 'wkt']])
  for await (const batch of exportRows(db, filters, 'wkt')) {
    yield stringify(
      batch.map((row) => [row.id, ...columns.map((c) => csvValue(row.values[c])), row.geometry]),
    )
  }
}

const fgbColumnType: Record<string, ColumnType> = {
  string: ColumnType.String,
  integer: ColumnType.Int,
  boolean: ColumnType.Bool,
  'date-time': ColumnType.DateTime,
  list: ColumnType.String,
}

function fgbColumns(): ColumnMeta[] {
  return [{ name: 'id', type: 'string' as const }, ...exportColumns()].map((c) => ({
    name: c.name,
    type: fgbColumnType[c.type] ?? ColumnType.String,
    title: null,
    description: null,
    width: -1,
    precision: -1,
    scale: -1,
    nullable: true,
    unique: c.name === 'id',
    primary_key: c.name === 'id',
  }))
}

/**
 * FlatGeobuf written feature by feature with the flatgeobuf package's own header and feature builders. Without
 * the optional spatial index, which would need every feature before the first byte; the header carries the
 * count, taken first, so readers can size their buffers.
 */
export async function* fgbExport(db: Kysely<DB>, filters: PublicFilters): AsyncGenerator<Uint8Array> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM visible_entities e WHERE ${filtersWhere(filters)}`.execute(db)
  const header: HeaderMeta = {
    geometryType: GeometryType.Unknown,
    columns: fgbColumns(),
    envelope: null,
    featuresCount: Number(rows[0]?.n ?? 0),
    indexNodeSize: 0,
    crs: null,
    title: null,
    description: null,
    metadata: null,
  }
  const headerBytes = buildHeader(header, 4326)
  const start = new Uint8Array(magicbytes.length + headerBytes.length)
  start.set(magicbytes)
  start.set(headerBytes, magicbytes.length)
  yield start
  const listColumns = new Set(['categories', 'tags'])
  for await (const batch of exportRows(db, filters, 'geojson')) {
    const parts = batch.map((row) => {
      const properties: Record<string, string | number | boolean | null> = { id: row.id }
      for (const column of header.columns!) {
        if (column.name === 'id') continue
        const value = row.values[column.name]
        properties[column.name] =
          value === null || value === undefined
            ? null
            : listColumns.has(column.name)
              ? (value as string[]).join(';')
              : (value as string | number | boolean)
      }
      return buildFeature(parseGeometry(JSON.parse(row.geometry)), properties, header)
    })
    const size = parts.reduce((n, p) => n + p.length, 0)
    const chunk = new Uint8Array(size)
    let offset = 0
    for (const part of parts) {
      chunk.set(part, offset)
      offset += part.length
    }
    yield chunk
  }
}
