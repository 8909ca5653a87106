import { type OgcPropertyDescriptor, openDataLicence } from '@quartiere/contracts'
import type { CursorReads, DB } from '@quartiere/db'
import { stringify } from 'csv-stringify/sync'
import type { ColumnMeta } from 'flatgeobuf/lib/mjs/column-meta.js'
import { magicbytes } from 'flatgeobuf/lib/mjs/constants.js'
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js'
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js'
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js'
import { buildHeader } from 'flatgeobuf/lib/mjs/generic/featurecollection.js'
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js'
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import { describeFilters, filtersWhere, type PublicFilters } from './filters'
import { exportProperties, isKindSpecific, propertyValueSql } from './properties'

/** Rows read per round trip: memory holds one batch whatever the size of the export. */
export const exportBatchRows = 2000

/**
 * Where an export reads from. On PostgreSQL, a server-side cursor (`cursors`) runs the export's query once and
 * reads only the matching rows, by whatever plan suits the filter: a box or a kind is read through its index.
 * Without one (the embedded database, or every cursor taken by other exports), the export seeks batch after
 * batch in id order; that holds no connection between batches, but a filter matching part of a large table
 * still walks all of it in id order.
 */
export interface ExportSource {
  db: Kysely<DB>
  cursors: CursorReads | null
}

/**
 * The rows of `SELECT columns FROM visible_entities e WHERE where` through a cursor, in the database's order,
 * each batch passed through `map`; returns false, having yielded nothing, when no cursor is to be had. A reader
 * that stops early closes the cursor (the `finally`).
 */
async function* cursorBatches<R, T>(
  source: ExportSource,
  columns: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
  map: (rows: R[]) => T,
): AsyncGenerator<T, boolean> {
  if (!source.cursors) return false
  const query = sql`SELECT ${columns} FROM visible_entities e WHERE ${where}`.compile(source.db)
  const batches = source.cursors.read<R>(query, exportBatchRows)
  try {
    for (;;) {
      const next = await batches.next()
      if (next.done) return next.value
      yield map(next.value)
    }
  } finally {
    await batches.return(false)
  }
}

export interface ExportRow {
  id: string
  geometry: string
  values: Record<string, unknown>
}

/** The columns of every export, in order: id, the scalar properties, the two lists. */
export function exportColumns(): (OgcPropertyDescriptor | { name: 'categories' | 'tags'; type: 'list' })[] {
  return [...exportProperties(), { name: 'categories', type: 'list' }, { name: 'tags', type: 'list' }]
}

const toExportRows = (rows: Record<string, unknown>[]): ExportRow[] =>
  rows.map(({ id, geometry, export_total: _total, ...values }) => ({
    id: id as string,
    geometry: geometry as string,
    values,
  }))

/**
 * Every public entity matching the filters, batch by batch, its geometry as GeoJSON (what the FlatGeobuf
 * encoder reads): through a cursor when the source has one, else by keyset seeks in id order. Pulling from the
 * generator is what asks the database for more: a slow client slows the reads.
 *
 * `onTotal`, when given, hears how many rows the export holds before the first batch comes. Through a cursor
 * the count is a subquery of the export's own query, run once in its snapshot, so it is exactly the number of
 * rows that follow; by keyset seeks it is counted first, and writes meanwhile may make it differ.
 */
export async function* exportRows(
  source: ExportSource,
  filters: PublicFilters,
  onTotal?: (total: number) => void,
): AsyncGenerator<ExportRow[]> {
  const properties = sql.join(
    exportProperties().map((p) => sql`${propertyValueSql(p)} AS ${sql.ref(p.name)}`),
  )
  const columns = sql`e.id::text AS id, ST_AsGeoJSON(e.geom, 7) AS geometry, ${properties}, e.categories, e.tags`
  const where = filtersWhere(filters)
  const count = sql`SELECT count(*) FROM visible_entities e WHERE ${where}`
  const counted = onTotal ? sql`${columns}, (${count}) AS export_total` : columns
  let told = false
  const tellTotal = (rows: Record<string, unknown>[]) => {
    if (onTotal && !told && rows[0]) onTotal(Number(rows[0].export_total))
    told = true
    return toExportRows(rows)
  }
  if (yield* cursorBatches(source, counted, where, tellTotal)) return
  if (onTotal) {
    const { rows } = await sql<{ count: string }>`${count}`.execute(source.db)
    onTotal(Number(rows[0]?.count ?? 0))
  }
  let after: string | null = null
  for (;;) {
    const { rows }: { rows: Record<string, unknown>[] } = await sql<Record<string, unknown>>`
      SELECT ${columns}
      FROM visible_entities e
      WHERE ${where} ${after ? sql`AND e.id > ${after}::uuid` : sql``}
      ORDER BY e.id
      LIMIT ${exportBatchRows}`.execute(source.db)
    if (!rows.length) return
    yield toExportRows(rows)
    if (rows.length < exportBatchRows) return
    after = rows.at(-1)!.id as string
  }
}

/** Features the database joins into one piece of text: about 100 KiB of GeoJSON, 60 KiB of CSV. */
export const exportPieceRows = 100

/**
 * Each public entity rendered as text by the database (a GeoJSON Feature, a CSV record) and joined there into
 * pieces of `exportPieceRows` features, sent as they come. The server handles a few strings per batch rather
 * than an object per row and a string per field: what it allocates for a million features is then mostly
 * short-lived, and its heap stays near its size at rest.
 */
async function* renderedExport(
  source: ExportSource,
  filters: PublicFilters,
  render: RawBuilder<string>,
  separator: string,
): AsyncGenerator<string> {
  const where = filtersWhere(filters)
  // Every piece but the first follows the one before it with the separator, whichever way the pieces are read.
  let first = true
  const continued = (text: string) => {
    const piece = first ? text : separator + text
    first = false
    return piece
  }
  // Through a cursor, each row's text comes on its own and a batch is joined here: one string per batch still.
  const joined = (rows: { text: string }[]) => continued(rows.map((row) => row.text).join(separator))
  if (yield* cursorBatches(source, sql`${render} AS text`, where, joined)) return
  let after: string | null = null
  for (;;) {
    const { rows }: { rows: { last: string; n: number; text: string }[] } = await sql<{
      last: string
      n: number
      text: string
    }>`
      SELECT (array_agg(b.id ORDER BY b.id DESC))[1]::text AS last, count(*)::int AS n,
        string_agg(b.text, ${separator} ORDER BY b.id) AS text
      FROM (
        SELECT e.id, ${render} AS text, (row_number() OVER (ORDER BY e.id) - 1) / ${exportPieceRows} AS piece
        FROM visible_entities e
        WHERE ${where} ${after ? sql`AND e.id > ${after}::uuid` : sql``}
        ORDER BY e.id
        LIMIT ${exportBatchRows}
      ) b
      GROUP BY b.piece
      ORDER BY b.piece`.execute(source.db)
    let served = 0
    for (const row of rows) {
      yield continued(row.text)
      served += row.n
    }
    if (served < exportBatchRows) return
    after = rows.at(-1)!.last
  }
}

/** A value as JSON text, `null` for SQL NULL; jsonb members are JSON already. */
function jsonTextSql(property: OgcPropertyDescriptor): RawBuilder<string> {
  return isKindSpecific(property.name)
    ? sql<string>`coalesce((e.properties -> ${sql.lit(property.name)})::text, 'null')`
    : sql<string>`coalesce(to_json(${propertyValueSql(property)})::text, 'null')`
}

/** The GeoJSON Feature of `e` as text, properties in the order of exportColumns(). */
function geojsonFeatureSql(): RawBuilder<string> {
  const members = [
    ...exportProperties().map((p) => sql`${sql.lit(`${JSON.stringify(p.name)}:`)} || ${jsonTextSql(p)}`),
    sql`'"categories":' || coalesce(to_json(e.categories)::text, 'null')`,
    sql`'"tags":' || coalesce(to_json(e.tags)::text, 'null')`,
  ]
  // Concatenation rather than json_build_object, which takes at most 100 arguments: kinds gain properties.
  return sql<string>`'{"type":"Feature","id":"' || e.id::text || '","geometry":' || ST_AsGeoJSON(e.geom, 7) || ',"properties":{' || ${sql.join(members, sql` || ',' || `)} || '}}'`
}

/**
 * A text field as csv-stringify writes it (RFC 4180): quoted, quotes doubled, when it holds a comma, a quote or
 * a line break; empty for NULL. `value` is a column or a jsonb member, cheap to read more than once.
 */
function csvTextSql(value: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`(CASE WHEN ${value} ~ '[",\r\n]' THEN '"' || replace(${value}, '"', '""') || '"' ELSE coalesce(${value}, '') END)`
}

/** The CSV record of `e`, line break included, columns in the order of exportColumns() then the WKT. */
function csvRecordSql(): RawBuilder<string> {
  const fields = [
    sql`e.id::text`,
    ...exportProperties().map((p) => {
      const value = isKindSpecific(p.name) ? sql`(e.properties ->> ${sql.lit(p.name)})` : propertyValueSql(p)
      // Numbers, booleans and timestamps never hold a comma, a quote or a line break.
      return p.type === 'string' ? csvTextSql(sql`(${value})::text`) : sql`coalesce((${value})::text, '')`
    }),
    csvTextSql(sql`array_to_string(e.categories, ';')`),
    csvTextSql(sql`array_to_string(e.tags, ';')`),
    // WKT has commas unless it is a single point; reading it once, it is quoted by its type.
    sql`(CASE WHEN GeometryType(e.geom) = 'POINT' THEN ST_AsText(e.geom, 7) ELSE '"' || ST_AsText(e.geom, 7) || '"' END)`,
  ]
  return sql<string>`${sql.join(fields, sql` || ',' || `)} || chr(10)`
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

/** A GeoJSON FeatureCollection, streamed: the provenance as a foreign member, then the features piece by piece. */
export async function* geojsonExport(
  source: ExportSource,
  filters: PublicFilters,
  provenance: ExportProvenance,
): AsyncGenerator<string> {
  yield `{"type":"FeatureCollection","metadata":${JSON.stringify(provenance)},"features":[`
  yield* renderedExport(source, filters, geojsonFeatureSql(), ',')
  yield ']}\n'
}

/** CSV (RFC 4180) with a header row, one column per scalar property, lists joined by ";", WKT geometry last. */
export async function* csvExport(source: ExportSource, filters: PublicFilters): AsyncGenerator<string> {
  yield stringify([['id', ...exportColumns().map((c) => c.name), 'wkt']])
  yield* renderedExport(source, filters, csvRecordSql(), '')
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
 * count (see exportRows' `onTotal`), so readers can size their buffers, and goes out with the first batch.
 */
export async function* fgbExport(source: ExportSource, filters: PublicFilters): AsyncGenerator<Uint8Array> {
  const header: HeaderMeta = {
    geometryType: GeometryType.Unknown,
    columns: fgbColumns(),
    envelope: null,
    featuresCount: 0,
    indexNodeSize: 0,
    crs: null,
    title: null,
    description: null,
    metadata: null,
  }
  const start = () => {
    const headerBytes = buildHeader(header, 4326)
    const bytes = new Uint8Array(magicbytes.length + headerBytes.length)
    bytes.set(magicbytes)
    bytes.set(headerBytes, magicbytes.length)
    return bytes
  }
  let started = false
  const listColumns = new Set(['categories', 'tags'])
  for await (const batch of exportRows(source, filters, (total) => {
    header.featuresCount = total
  })) {
    if (!started) {
      started = true
      yield start()
    }
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
  // Nothing matched: a valid file with no features.
  if (!started) yield start()
}
