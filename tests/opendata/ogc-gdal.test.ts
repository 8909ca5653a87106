import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { entityKinds } from '@quartiere/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app'
import { gdal, listen, seedOpenData } from './support'

/**
 * Debian's GDAL reads the API as a researcher's QGIS would: ogrinfo lists the collections with their counts and
 * extents, and ogr2ogr copies each into a GeoPackage, paging through several thousand features.
 */
let t: TestApp
let origin: string
let dir: string
const synthetic = 3000
const pageSize = '700'

beforeAll(async () => {
  t = await createTestApp()
  await seedOpenData(t, synthetic)
  origin = await listen(t)
  dir = mkdtempSync(join(tmpdir(), 'quartiere-gdal-'))
})
afterAll(async () => {
  await t?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface DbRow {
  id: string
  kind: string
  title: string
  zoom_level: number
  geojson: string
}

async function dbRows(where = sql`true`): Promise<Map<string, DbRow>> {
  const { rows } = await sql<DbRow>`
    SELECT e.id, e.kind, e.title, e.zoom_level, ST_AsGeoJSON(e.geom, 7) AS geojson
    FROM visible_entities e WHERE ${where}`.execute(t.database.db)
  return new Map(rows.map((r) => [r.id, r]))
}

/** ogrinfo -so -al: per layer, its feature count and extent. */
function parseSummary(text: string) {
  const layers = new Map<string, { count: number; extent: number[] }>()
  for (const block of text.split(/\nLayer name: /).slice(1)) {
    const name = block.split('\n')[0]!.trim()
    const count = Number(/Feature Count: (\d+)/.exec(block)?.[1])
    const m = /Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)/.exec(block)
    layers.set(name, { count, extent: m ? m.slice(1, 5).map(Number) : [] })
  }
  return layers
}

/** Copies one collection through OGC API into a GeoPackage, then reads the GeoPackage back as GeoJSON. */
async function copyToGpkg(layer: string, extra: string[] = []) {
  const file = join(dir, `${layer}-${Math.random().toString(36).slice(2)}.gpkg`)
  await gdal('ogr2ogr', [
    '-f',
    'GPKG',
    file,
    `OAPIF:${origin}/ogc`,
    layer,
    '-oo',
    `PAGE_SIZE=${pageSize}`,
    ...extra,
  ])
  const text = await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', file, layer])
  return JSON.parse(text) as {
    features: { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }[]
  }
}

function expectSameGeometry(actual: { type: string; coordinates: unknown }, expected: string) {
  const want = JSON.parse(expected) as { type: string; coordinates: unknown }
  expect(actual.type).toBe(want.type)
  const flat = (c: unknown): number[] => (Array.isArray(c) ? c.flatMap(flat) : [c as number])
  const a = flat(actual.coordinates)
  const b = flat(want.coordinates)
  expect(a).toHaveLength(b.length)
  for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i]!, 7)
}

describe('GDAL reads OGC API - Features', () => {
  it('ogrinfo lists every collection with the right feature count and extent', async () => {
    const summary = parseSummary(await gdal('ogrinfo', ['-ro', '-so', '-al', `OAPIF:${origin}/ogc`]))
    expect([...summary.keys()].sort()).toEqual(['all', ...entityKinds].sort())
    const { rows } = await sql<{ kind: string; n: string; x0: number; y0: number; x1: number; y1: number }>`
      SELECT kind, count(*) AS n, ST_XMin(ST_Extent(geom)) AS x0, ST_YMin(ST_Extent(geom)) AS y0,
        ST_XMax(ST_Extent(geom)) AS x1, ST_YMax(ST_Extent(geom)) AS y1
      FROM visible_entities GROUP BY ROLLUP (kind)`.execute(t.database.db)
    for (const row of rows) {
      const layer = summary.get(row.kind ?? 'all')!
      expect(layer.count, row.kind ?? 'all').toBe(Number(row.n))
      // ogrinfo prints the extent rounded: compare within that precision, not digit by digit (45.00005 may
      // round either way).
      const expected = [row.x0, row.y0, row.x1, row.y1].map(Number)
      // An extent ogrinfo printed in a form the summary did not parse would leave nothing to compare.
      expect(layer.extent, `${row.kind ?? 'all'} extent`).toHaveLength(4)
      layer.extent.forEach((value, i) => {
        expect(Math.abs(value - expected[i]!), `${row.kind ?? 'all'} extent[${i}]`).toBeLessThan(2e-4)
      })
    }
  })

  it('ogr2ogr copies each collection into a GeoPackage equal to the database', async () => {
    for (const layer of ['all', ...entityKinds]) {
      const copy = await copyToGpkg(layer)
      const expected = await dbRows(layer === 'all' ? sql`true` : sql`e.kind = ${layer}`)
      expect(copy.features.length, layer).toBe(expected.size)
      const ids = new Set<string>()
      for (const feature of copy.features) {
        const id = String(feature.properties.id)
        ids.add(id)
        const row = expected.get(id)
        expect(row, `${layer} ${id}`).toBeDefined()
        expect(feature.properties.title).toBe(row!.title)
        expect(feature.properties.kind).toBe(row!.kind)
        expect(Number(feature.properties.zoomLevel)).toBe(row!.zoom_level)
        expectSameGeometry(feature.geometry, row!.geojson)
      }
      expect(ids.size, layer).toBe(expected.size)
    }
  })

  it('a bbox spatial filter (-spat) and an attribute filter (-where) give what the database gives', async () => {
    const box = [7.62, 45.03, 7.68, 45.08] as const
    const spat = await copyToGpkg('all', ['-spat', ...box.map(String)])
    const inBox = await dbRows(
      sql`ST_Intersects(e.geom, ST_MakeEnvelope(${box[0]}, ${box[1]}, ${box[2]}, ${box[3]}, 4326))`,
    )
    expect(inBox.size).toBeGreaterThan(50)
    expect(new Set(spat.features.map((f) => String(f.properties.id)))).toEqual(new Set(inBox.keys()))

    const where = await copyToGpkg('request', ['-where', "skillCategory = 'care'"])
    const care = await dbRows(sql`e.kind = 'request' AND e.properties->>'skillCategory' = 'care'`)
    expect(care.size).toBeGreaterThan(50)
    expect(new Set(where.features.map((f) => String(f.properties.id)))).toEqual(new Set(care.keys()))
    for (const f of where.features) expect(f.properties.skillCategory).toBe('care')
  })
})
