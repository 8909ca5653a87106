import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { VectorTile } from '@mapbox/vector-tile'
import { lonLatToTile } from '@quartiere/geo'
import { bufferedTileBbox, TileCache } from '@quartiere/opendata'
import { sql } from 'kysely'
import { PbfReader } from 'pbf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, turin } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { createEntity, gdal, seedOpenData } from './support'

let t: TestApp
let dir: string
const z = 14
const { x, y } = lonLatToTile(turin[0], turin[1], z)

beforeAll(async () => {
  t = await createTestApp()
  await seedOpenData(t, 4000)
  dir = mkdtempSync(join(tmpdir(), 'quartiere-tiles-'))
})
afterAll(async () => {
  await t?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function fetchTile(path: string, headers: Record<string, string> = {}) {
  return t.request({ method: 'GET', url: path, headers })
}

function decode(body: Buffer) {
  return new VectorTile(new PbfReader(body))
}

/** What the database says a tile holds, by kind: things meeting the buffered tile, shown at this zoom. */
async function expectedIds(zz: number, xx: number, yy: number, extra = sql`true`, bufferUnits = 64) {
  const box = bufferedTileBbox({ z: zz, x: xx, y: yy })
  const { rows } = await sql<{ kind: string; id: string }>`
    SELECT kind, id FROM visible_entities e
    WHERE ST_Intersects(ST_Transform(e.geom, 3857), ST_TileEnvelope(${zz}::int, ${xx}::int, ${yy}::int, margin => ${bufferUnits / 4096}::float8))
      AND e.zoom_level <= ${zz} AND ${extra}`.execute(t.database.db)
  const byKind = new Map<string, Set<string>>()
  for (const row of rows) byKind.set(row.kind, (byKind.get(row.kind) ?? new Set()).add(row.id))
  expect(box[0]).toBeLessThan(box[2])
  return byKind
}

/**
 * The tile holds every thing meeting its buffered box (64 units), and may hold one lying less than a unit
 * beyond it: ST_AsMVTGeom snaps to the unit grid before it clips, so a point 64.3 units out is drawn on the
 * edge. Random data puts one there now and then; such a thing is allowed, not required.
 */
async function expectTileHolds(tile: VectorTile, extra = sql`true`) {
  const required = await expectedIds(z, x, y, extra)
  const allowed = await expectedIds(z, x, y, extra, 65)
  const drawn = tileIds(tile)
  for (const [kind, ids] of required)
    expect([...(drawn.get(kind) ?? [])]).toEqual(expect.arrayContaining([...ids]))
  for (const [kind, ids] of drawn)
    expect([...(allowed.get(kind) ?? [])]).toEqual(expect.arrayContaining([...ids]))
  return required
}

function tileIds(tile: VectorTile) {
  const byKind = new Map<string, Set<string>>()
  for (const [name, layer] of Object.entries(tile.layers)) {
    const ids = new Set<string>()
    for (let i = 0; i < layer.length; i++) ids.add(String(layer.feature(i).properties.id))
    byKind.set(name, ids)
  }
  return byKind
}

describe('vector tiles', () => {
  it('a tile decodes into one layer per kind holding exactly what the database has there', async () => {
    const response = await fetchTile(`/tiles/${z}/${x}/${y}.mvt`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/vnd.mapbox-vector-tile')
    const tile = decode(response.rawPayload)
    const expected = await expectTileHolds(tile)
    // Not a near-empty tile: 4,000 random things put about 34 here at this zoom (Poisson: fewer than 10 about
    // once in a million runs; "more than 20" failed about once in a hundred).
    expect([...expected.values()].reduce((n, s) => n + s.size, 0)).toBeGreaterThanOrEqual(10)
    // Points land where they are, within a tile unit. Every kind's points are checked: the spaces alone, a few
    // in a tile of random data, were sometimes all polygons, and then nothing was checked.
    const { rows } = await sql<{ id: string; lon: number; lat: number }>`
      SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM visible_entities
      WHERE GeometryType(geom) = 'POINT' AND id = ANY(${[...expected.values()].flatMap((ids) => [...ids])}::uuid[])`.execute(
      t.database.db,
    )
    const unitDeg = 360 / 2 ** z / 4096
    let points = 0
    for (const layer of Object.values(tile.layers)) {
      for (let i = 0; i < layer.length; i++) {
        const feature = layer.feature(i)
        const row = rows.find((r) => r.id === feature.properties.id)
        if (!row) continue
        points += 1
        const geometry = feature.toGeoJSON(x, y, z).geometry as { coordinates: number[] }
        expect(Math.abs(geometry.coordinates[0]! - row.lon)).toBeLessThan(unitDeg * 2)
        expect(Math.abs(geometry.coordinates[1]! - row.lat)).toBeLessThan(unitDeg * 2)
        expect(typeof feature.properties.title).toBe('string')
        expect(feature.properties.zoomLevel).toBeLessThanOrEqual(z)
      }
    }
    expect(points).toBe(rows.length)
    expect(points).toBeGreaterThan(0)
    // Polygons stay polygons (the synthetic data has small squares).
    const { rows: squares } = await sql<{ id: string }>`
      SELECT id::text AS id FROM visible_entities WHERE GeometryType(geom) = 'POLYGON'`.execute(t.database.db)
    const polygonIds = new Set(squares.map((r) => r.id))
    let polygons = 0
    for (const layer of Object.values(tile.layers)) {
      for (let i = 0; i < layer.length; i++) {
        const feature = layer.feature(i)
        if (!polygonIds.has(String(feature.properties.id))) continue
        polygons += 1
        expect(feature.type).toBe(3)
        expect(feature.loadGeometry()[0]!.length).toBeGreaterThanOrEqual(4)
      }
    }
    expect(polygons).toBeGreaterThan(0)
  })

  it('kinds and time-window filters', async () => {
    const kinds = decode((await fetchTile(`/tiles/${z}/${x}/${y}.mvt?kinds=event,offer`)).rawPayload)
    // Which of the two kinds the tile holds depends on the random data: compare with the database.
    await expectTileHolds(kinds, sql`e.kind IN ('event', 'offer')`)
    expect(Object.keys(kinds.layers).length).toBeGreaterThan(0)
    const window = decode(
      (await fetchTile(`/tiles/${z}/${x}/${y}.mvt?from=2020-01-01&to=2020-06-30`)).rawPayload,
    )
    await expectTileHolds(window, sql`e.validity && tstzrange('2020-01-01Z', '2020-06-30Z', '[]')`)
  })

  it('ETag and Cache-Control; If-None-Match answers 304; an empty tile is a 204', async () => {
    const first = await fetchTile(`/tiles/${z}/${x}/${y}.mvt`)
    expect(first.headers.etag).toMatch(/^".+"$/)
    expect(first.headers['cache-control']).toMatch(/max-age=\d+/)
    const again = await fetchTile(`/tiles/${z}/${x}/${y}.mvt`, {
      'if-none-match': String(first.headers.etag),
    })
    expect(again.statusCode).toBe(304)
    const ocean = await fetchTile('/tiles/14/0/0.mvt')
    expect(ocean.statusCode).toBe(204)
  })

  it('bad tiles and filters are 400 problems', async () => {
    for (const path of [
      '/tiles/3/10/1.mvt',
      '/tiles/25/1/1.mvt',
      `/tiles/${z}/${x}/${y}.mvt?kinds=dragons`,
      `/tiles/${z}/${x}/${y}.mvt?from=soon`,
      `/tiles/${z}/${x}/${y}.mvt?colour=red`,
    ]) {
      const response = await fetchTile(path)
      expect(response.statusCode, path).toBe(400)
      expect(response.headers['content-type'], path).toContain('application/problem+json')
    }
  })

  it('a change drops the cached tiles it touches (through the outbox relay)', async () => {
    const path = `/tiles/${z}/${x}/${y}.mvt?kinds=space`
    const before = tileIds(decode((await fetchTile(path)).rawPayload)).get('space') ?? new Set()
    const author = await t.signUp()
    const created = await createEntity(t, author, {
      kind: 'space',
      title: 'Nuova casa del quartiere',
      geometry: point(turin[0] + 0.0001, turin[1] + 0.0001),
      zoomLevel: 10,
    })
    expect(before.has(created.id)).toBe(false)
    let seen = false
    for (let attempt = 0; attempt < 50 && !seen; attempt++) {
      const ids = tileIds(decode((await fetchTile(path)).rawPayload)).get('space') ?? new Set()
      seen = ids.has(created.id)
      if (!seen) await new Promise((r) => setTimeout(r, 100))
    }
    expect(seen).toBe(true)
  })

  it("GDAL's MVT driver reads a tile with the same features per layer", async () => {
    const response = await fetchTile(`/tiles/${z}/${x}/${y}.mvt`)
    const folder = join(dir, String(z), String(x))
    mkdirSync(folder, { recursive: true })
    const file = join(folder, `${y}.pbf`)
    writeFileSync(file, response.rawPayload)
    const text = await gdal('ogrinfo', [
      '-ro',
      '-so',
      '-al',
      '-oo',
      `Z=${z}`,
      '-oo',
      `X=${x}`,
      '-oo',
      `Y=${y}`,
      file,
    ])
    const counts = new Map<string, number>()
    for (const block of text.split(/\nLayer name: /).slice(1)) {
      counts.set(block.split('\n')[0]!.trim(), Number(/Feature Count: (\d+)/.exec(block)?.[1]))
    }
    const tile = decode(response.rawPayload)
    expect(counts.size).toBeGreaterThan(0)
    // The same layers both ways: a layer GDAL did not list would otherwise be compared with nothing.
    expect(Object.keys(tile.layers).sort()).toEqual([...counts.keys()].sort())
    for (const [name, layer] of Object.entries(tile.layers)) expect(counts.get(name), name).toBe(layer.length)
  })
})

describe('TileCache', () => {
  it('serves from memory, and invalidateBbox drops exactly the tiles that draw inside the box', async () => {
    const cache = new TileCache()
    let renders = 0
    const render = async () => {
      renders += 1
      return new Uint8Array([1, 2, 3])
    }
    const here = lonLatToTile(turin[0], turin[1], 14)
    const far = lonLatToTile(12.49, 41.89, 14)
    await cache.getOrRender('here', here, render)
    await cache.getOrRender('far', far, render)
    const hit = await cache.getOrRender('here', here, render)
    expect(renders).toBe(2)
    expect(hit.etag).toMatch(/^".+"$/)
    expect(cache.invalidateBbox([turin[0], turin[1], turin[0], turin[1]])).toBe(1)
    await cache.getOrRender('here', here, render)
    await cache.getOrRender('far', far, render)
    expect(renders).toBe(3)
  })

  it('does not store a render that an invalidation overtook, and evicts the least recently used', async () => {
    const cache = new TileCache(2)
    const tile = lonLatToTile(turin[0], turin[1], 14)
    let release: () => void = () => {}
    const slow = cache.getOrRender(
      'slow',
      tile,
      () =>
        new Promise((r) => {
          release = () => r(new Uint8Array([9]))
        }),
    )
    cache.invalidateBbox([turin[0], turin[1], turin[0], turin[1]])
    release()
    await slow
    expect(cache.size).toBe(0)
    for (const key of ['a', 'b', 'c']) await cache.getOrRender(key, tile, async () => new Uint8Array([1]))
    expect(cache.size).toBe(2)
  })
})
