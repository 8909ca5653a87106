import { entityKinds } from '@quartiere/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app'
import { type Seeded, seedOpenData } from './support'

interface FeatureCollection {
  type: 'FeatureCollection'
  numberMatched: number
  numberReturned: number
  timeStamp: string
  links: { href: string; rel: string; type?: string }[]
  features: { id: string; geometry: unknown; properties: Record<string, unknown>; links?: unknown }[]
}

let t: TestApp
let seeded: Seeded
const synthetic = 1200

beforeAll(async () => {
  t = await createTestApp()
  seeded = await seedOpenData(t, synthetic)
})
afterAll(async () => {
  await t?.close()
})

async function get(url: string) {
  return t.request({ method: 'GET', url, headers: { host: 'quartiere.test' } })
}

async function items(url: string): Promise<FeatureCollection> {
  const response = await get(url)
  expect(response.statusCode, response.body).toBe(200)
  expect(response.headers['content-type']).toContain('application/geo+json')
  return response.json() as FeatureCollection
}

async function dbCount(where = sql`true`): Promise<number> {
  const { rows } = await sql<{
    n: string
  }>`SELECT count(*) AS n FROM visible_entities e WHERE ${where}`.execute(t.database.db)
  return Number(rows[0]?.n)
}

const rel = <L extends { rel: string }>(links: L[], name: string) => links.find((l) => l.rel === name)

describe('OGC API - Features metadata', () => {
  it('landing page links to itself, the API definition, conformance and the data', async () => {
    const response = await get('/ogc')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('application/json')
    const body = response.json() as { links: { rel: string; href: string; type: string }[] }
    for (const name of ['self', 'service-desc', 'conformance', 'data']) {
      expect(rel(body.links, name)?.href, name).toMatch(/^http:\/\/quartiere\.test\/ogc/)
    }
    expect(rel(body.links, 'service-desc')?.type).toBe('application/vnd.oai.openapi+json;version=3.0')
  })

  it('conformance lists Core, GeoJSON and OpenAPI 3.0', async () => {
    const body = (await get('/ogc/conformance')).json() as { conformsTo: string[] }
    expect(body.conformsTo).toEqual(
      expect.arrayContaining([
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
      ]),
    )
  })

  it('the OpenAPI document declares the equality filters of each collection', async () => {
    const response = await t.request({
      method: 'GET',
      url: '/ogc/api',
      headers: { accept: 'application/vnd.oai.openapi+json;version=3.0' },
    })
    expect(response.headers['content-type']).toContain('application/vnd.oai.openapi+json')
    const api = response.json() as {
      openapi: string
      paths: Record<string, { get: { parameters: { name?: string; $ref?: string }[] } }>
    }
    expect(api.openapi).toMatch(/^3\.0/)
    const names = (path: string) => api.paths[path]!.get.parameters.map((p) => p.name ?? p.$ref)
    expect(names('/collections/offer/items')).toEqual(
      expect.arrayContaining(['skillCategory', 'hours', 'kind']),
    )
    expect(names('/collections/project/items')).toEqual(expect.arrayContaining(['status', 'programme']))
    expect(names('/collections/offer/items')).not.toContain('status')
  })

  it('one collection per kind plus all, with extents computed from the data', async () => {
    const body = (await get('/ogc/collections')).json() as {
      collections: {
        id: string
        links: { rel: string }[]
        extent: { spatial: { bbox: number[][] }; temporal: { interval: (string | null)[][] } }
      }[]
    }
    expect(body.collections.map((c) => c.id).sort()).toEqual(['all', ...entityKinds].sort())
    const { rows } = await sql<{ kind: string; x0: number; y0: number; x1: number; y1: number }>`
      SELECT kind, ST_XMin(ext) AS x0, ST_YMin(ext) AS y0, ST_XMax(ext) AS x1, ST_YMax(ext) AS y1
      FROM (SELECT kind, ST_Extent(geom) AS ext FROM visible_entities GROUP BY kind) s`.execute(t.database.db)
    for (const row of rows) {
      const collection = body.collections.find((c) => c.id === row.kind)!
      const [x0, y0, x1, y1] = collection.extent.spatial.bbox[0]!
      expect([x0, y0, x1, y1].map((v) => v!.toFixed(6))).toEqual(
        [row.x0, row.y0, row.x1, row.y1].map((v) => Number(v).toFixed(6)),
      )
      expect(rel(collection.links as never, 'items')).toBeDefined()
    }
    // The synthetic things have open ends (valid_to NULL for a third of them): the interval is open at the end.
    const all = body.collections.find((c) => c.id === 'all')!
    expect(all.extent.temporal.interval[0]![1]).toBeNull()
    const single = (await get('/ogc/collections/offer')).json()
    expect(single).toEqual(body.collections.find((c) => c.id === 'offer'))
    expect((await get('/ogc/collections/nothing')).statusCode).toBe(404)
  })
})

describe('OGC API - Features items', () => {
  it('a first page: default limit 10, numberMatched from the database, self, alternate and next links', async () => {
    const page = await items('/ogc/collections/all/items')
    expect(page.numberReturned).toBe(10)
    expect(page.features).toHaveLength(10)
    expect(page.numberMatched).toBe(await dbCount())
    expect(Date.parse(page.timeStamp)).not.toBeNaN()
    for (const name of ['self', 'alternate', 'next', 'collection'])
      expect(rel(page.links, name), name).toBeDefined()
    expect(rel(page.links, 'next')!.href).toMatch(/^http:\/\/quartiere\.test\/ogc\/collections\/all\/items\?/)
    const alternate = await get(rel(page.links, 'alternate')!.href.replace('http://quartiere.test', ''))
    expect(alternate.headers['content-type']).toContain('application/json')
  })

  it('pages through everything by following next: no duplicates, no gaps, never the deleted thing', async () => {
    const seen: string[] = []
    let url: string | undefined = '/ogc/collections/all/items?limit=500'
    let matched = -1
    while (url) {
      const page: FeatureCollection = await items(url)
      if (matched < 0) matched = page.numberMatched
      expect(page.numberMatched).toBe(matched)
      seen.push(...page.features.map((f) => f.id))
      url = rel(page.links, 'next')?.href.replace('http://quartiere.test', '')
    }
    expect(seen).toHaveLength(matched)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual([...seen].sort())
    expect(seen).not.toContain(seeded.deleted.id)
  })

  it('a limit above the maximum is clamped, not refused; zero or text is a 400', async () => {
    const page = await items('/ogc/collections/all/items?limit=50000')
    expect(page.numberReturned).toBe(Math.min(10_000, page.numberMatched))
    for (const bad of ['0', '-1', 'ten']) {
      const response = await get(`/ogc/collections/all/items?limit=${bad}`)
      expect(response.statusCode, bad).toBe(400)
      expect(response.headers['content-type']).toContain('application/problem+json')
    }
  })

  it('kind collections hold only their kind, with their own flat properties and no personal data', async () => {
    const page = await items(`/ogc/collections/offer/items?limit=10000`)
    expect(page.numberMatched).toBe(await dbCount(sql`e.kind = 'offer'`))
    expect(page.features.every((f) => f.properties.kind === 'offer')).toBe(true)
    const mine = page.features.find((f) => f.id === seeded.byKind.offer.id)!
    expect(mine.properties).toMatchObject({
      hours: '1.50',
      skillCategory: 'education',
      availability: 'martedì sera',
    })
    const text = JSON.stringify(page)
    expect(text).not.toMatch(/@example\.org|author|email/i)
  })

  it('bbox keeps what intersects the box', async () => {
    const box = [7.6, 45.02, 7.65, 45.06]
    const page = await items(`/ogc/collections/all/items?limit=10000&bbox=${box.join(',')}`)
    const expected = await dbCount(
      sql`ST_Intersects(e.geom, ST_MakeEnvelope(${box[0]}, ${box[1]}, ${box[2]}, ${box[3]}, 4326))`,
    )
    expect(expected).toBeGreaterThan(0)
    expect(page.numberMatched).toBe(expected)
    expect(page.numberReturned).toBe(expected)
  })

  it("datetime: GDAL's bare-T interval, open intervals and instants", async () => {
    const overlaps = (from: string | null, to: string | null) =>
      dbCount(sql`e.validity && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[]')`)
    const closed = await items('/ogc/collections/all/items?datetime=2020-01-05T/2020-03-20T')
    expect(closed.numberMatched).toBe(await overlaps('2020-01-05T00:00:00Z', '2020-03-20T00:00:00Z'))
    const open = await items('/ogc/collections/all/items?datetime=2024-01-01T00:00:00Z/..')
    expect(open.numberMatched).toBe(await overlaps('2024-01-01T00:00:00Z', null))
    const instant = await items('/ogc/collections/event/items?datetime=2019-06-19T15:00:00Z&limit=10000')
    expect(instant.features.map((f) => f.id)).toContain(seeded.byKind.event.id)
    expect((await get('/ogc/collections/all/items?datetime=yesterday')).statusCode).toBe(400)
    expect((await get('/ogc/collections/all/items?datetime=2024-02-01/2024-01-01')).statusCode).toBe(400)
  })

  it('equality filters on simple properties, typed per property', async () => {
    const care = await items('/ogc/collections/request/items?skillCategory=care&limit=10000')
    expect(care.numberMatched).toBe(
      await dbCount(sql`e.kind = 'request' AND e.properties->>'skillCategory' = 'care'`),
    )
    expect(care.numberMatched).toBeGreaterThan(0)
    const zoom = await items('/ogc/collections/all/items?zoomLevel=12&limit=10000')
    expect(zoom.numberMatched).toBe(await dbCount(sql`e.zoom_level = 12`))
    const accessible = await items('/ogc/collections/space/items?accessible=1')
    expect(accessible.features.map((f) => f.id)).toEqual([seeded.byKind.space.id])
    const capacity = await items('/ogc/collections/space/items?capacity=80')
    expect(capacity.features.map((f) => f.id)).toEqual([seeded.byKind.space.id])
  })

  it('unknown parameters, properties of another kind and bad values are 400 problems', async () => {
    for (const query of [
      'colour=red',
      'status=active',
      'zoomLevel=high',
      'accessible=maybe',
      'bbox=1,2,3',
      'bbox=10,50,5,40',
      'cursor=not-ours',
      'f=xml',
    ]) {
      const response = await get(`/ogc/collections/space/items?${query}`)
      expect(response.statusCode, query).toBe(400)
      expect(response.headers['content-type'], query).toContain('application/problem+json')
    }
    expect((await get('/ogc/collections/nothing/items')).statusCode).toBe(404)
  })

  it('one feature with self, alternate and collection links; deleted or of another kind is a 404', async () => {
    const id = seeded.byKind.event.id
    const response = await get(`/ogc/collections/event/items/${id}`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('application/geo+json')
    const feature = response.json() as {
      id: string
      links: { rel: string }[]
      properties: Record<string, unknown>
    }
    expect(feature.id).toBe(id)
    expect(feature.properties.organizer).toBe('Città')
    for (const name of ['self', 'alternate', 'collection'])
      expect(rel(feature.links as never, name), name).toBeDefined()
    expect((await get(`/ogc/collections/all/items/${id}`)).statusCode).toBe(200)
    expect((await get(`/ogc/collections/space/items/${id}`)).statusCode).toBe(404)
    expect((await get(`/ogc/collections/space/items/${seeded.deleted.id}`)).statusCode).toBe(404)
    expect((await get('/ogc/collections/space/items/not-a-uuid')).statusCode).toBe(404)
  })
})
