import { VectorTile } from '@mapbox/vector-tile'
import type { AuthTokens, EntityFeature, RealtimeServerMessage } from '@quartiere/contracts'
import { lonLatToTile } from '@quartiere/geo'
import { geojson as fgb } from 'flatgeobuf'
import { sql } from 'kysely'
import { PbfReader } from 'pbf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { code, money } from '../currencies/helpers'
import { listen } from '../opendata/support'
import { connectFeed, type FeedClient, helloFeed, subscribeFeed } from '../realtime/ws-client'
import { point, validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'

// A location marked private (a member's home, a request for help at home) is stored exactly and served exactly to
// its author alone. Everyone else (anonymous readers, other members, moderators) gets a point snapped to a grid
// of 250 m cells (migrations/0008_private_locations.sql), the same point whichever way the map is served: the
// entities query and single read, the OGC API, vector tiles, the exports and the realtime feed. Searching by
// bbox matches that point too, so narrowing a box around the real place finds nothing.

type Position = [number, number]
type Box = [number, number, number, number]

/** The blur grid's cell side in metres, and the farthest a served point can be from the real one. */
const cellM = 250
const blurDistanceMaxM = (cellM * Math.SQRT2) / 2 + 1
const metresPerDegree = (Math.PI * 6371008.8) / 180

let t: TestApp
let origin: string
let author: AuthTokens
let other: AuthTokens
let moderator: AuthTokens
let feed: FeedClient

beforeAll(async () => {
  // Not a test of overload protection: on a busy machine the embedded database can stall the event loop.
  t = await createTestApp({ EVENT_LOOP_DELAY_MAX_MS: '0' })
  origin = await listen(t)
  ;[author, other, moderator] = await Promise.all([
    t.signUp({ displayName: 'Chi abita qui' }),
    t.signUp(),
    t.signUp({ as: 'moderator' }),
  ])
})

afterAll(async () => {
  await feed?.close()
  await t?.close()
})

function metres(a: Position, b: Position): number {
  const rad = Math.PI / 180
  const dLat = (b[1] - a[1]) * rad
  const dLon = (b[0] - a[0]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h))
}

function around(p: Position, halfDeg: number): Box {
  return [p[0] - halfDeg, p[1] - halfDeg, p[0] + halfDeg, p[1] + halfDeg]
}

/** A box around `exact` that does not hold `blurred`. */
function aroundExcluding(exact: Position, blurred: Position): Box {
  const half = Math.max(Math.abs(blurred[0] - exact[0]), Math.abs(blurred[1] - exact[1])) / 2
  return around(exact, half)
}

function positionOf(feature: { geometry: unknown }): Position {
  const geometry = feature.geometry as { type: string; coordinates: Position }
  expect(geometry.type).toBe('Point')
  return geometry.coordinates
}

function expectNear(actual: Position, expected: Position, toleranceDeg = 1e-6) {
  expect(Math.abs(actual[0] - expected[0]), `${actual} vs ${expected}`).toBeLessThan(toleranceDeg)
  expect(Math.abs(actual[1] - expected[1]), `${actual} vs ${expected}`).toBeLessThan(toleranceDeg)
}

/** The exact coordinates as they would appear in any JSON, CSV or WKT text (they have 6 decimals). */
function expectNoExact(body: string, exact: Position) {
  expect(body).not.toContain(String(exact[0]))
  expect(body).not.toContain(String(exact[1]))
}

function headersOf(reader?: AuthTokens) {
  return reader ? bearer(reader) : {}
}

async function get(url: string, reader?: AuthTokens) {
  return t.request({ method: 'GET', url, headers: headersOf(reader) })
}

async function single(id: string, reader?: AuthTokens): Promise<EntityFeature> {
  const response = await get(`/api/entities/${id}`, reader)
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as EntityFeature
}

async function listIn(box: Box, reader?: AuthTokens): Promise<{ body: string; features: EntityFeature[] }> {
  const response = await get(`/api/entities?bbox=${box.join(',')}&limit=1000`, reader)
  expect(response.statusCode, response.body).toBe(200)
  return { body: response.body, features: response.json().features }
}

async function create(tokens: AuthTokens, body: Record<string, unknown>): Promise<EntityFeature> {
  const response = await t.request({
    method: 'POST',
    url: '/api/entities',
    headers: bearer(tokens),
    payload: body,
  })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as EntityFeature
}

async function patch(tokens: AuthTokens, feature: EntityFeature, body: Record<string, unknown>) {
  const current = await single(feature.id, tokens)
  return t.request({
    method: 'PATCH',
    url: `/api/entities/${feature.id}`,
    headers: { ...bearer(tokens), 'if-match': `"${current.properties.version}"` },
    payload: body,
  })
}

function eventFor(id: string, topic: string) {
  return (m: RealtimeServerMessage) =>
    m.type === 'event' &&
    m.topic === topic &&
    ((m.data as { id?: string; entityId?: string }).id === id ||
      (m.data as { entityId?: string }).entityId === id)
}

/** Every outbox row about the entity with a place (viewports match on it): its bbox, and the row as text. */
async function outboxRows(id: string) {
  const { rows } = await sql<{ topic: string; box: (number | null)[]; text: string }>`
    SELECT topic, ARRAY[min_lon, min_lat, max_lon, max_lat] AS box, o::text AS text
      FROM events_outbox o WHERE entity_id = ${id}::uuid AND min_lon IS NOT NULL ORDER BY seq`.execute(
    t.database.db,
  )
  return rows.map((r) => ({ ...r, box: r.box.map(Number) }))
}

describe('private locations', () => {
  let exact: Position
  let blurred: Position
  let privateId: string

  it('are stored exactly, answered exactly to the author, and blurred to everyone else, the same every time', async () => {
    const created = await create(author, {
      ...validEntityByKind.request,
      title: 'Aiuto per la spesa a casa mia',
      geometry: point(7.6731, 45.0622),
      zoomLevel: 10,
      locationPrivate: true,
    })
    privateId = created.id
    expect(created.properties.locationPrivate).toBe(true)
    // The author's own answer carries the exact point.
    expect(positionOf(created)).toEqual([7.6731, 45.0622])

    const first = positionOf(await single(privateId))
    expect(metres(first, [7.6731, 45.0622])).toBeLessThan(blurDistanceMaxM)

    // Put the home well inside its cell (but off its centre), so that every check below can tell the blurred
    // point from the exact one by a wide margin: moving within the cell keeps the point served to others.
    const cellLonDeg = cellM / (metresPerDegree * Math.cos((first[1] * Math.PI) / 180))
    const cellLatDeg = cellM / metresPerDegree
    exact = [
      Number((first[0] + 0.3 * cellLonDeg).toFixed(6)),
      Number((first[1] - 0.35 * cellLatDeg).toFixed(6)),
    ]
    const moved = await patch(author, created, { geometry: point(...exact) })
    expect(moved.statusCode, moved.body).toBe(200)
    expect(positionOf(moved.json())).toEqual(exact)

    blurred = positionOf(await single(privateId))
    expect(blurred).toEqual(first)
    expect(metres(exact, blurred)).toBeGreaterThan(50)
    expect(metres(exact, blurred)).toBeLessThan(blurDistanceMaxM)

    // Stored exactly.
    const stored = await sql<{ lon: number; lat: number }>`
      SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM entities WHERE id = ${privateId}::uuid`.execute(
      t.database.db,
    )
    expect([Number(stored.rows[0]!.lon), Number(stored.rows[0]!.lat)]).toEqual(exact)

    // The author sees it exactly, in the single read and on the map, found by a box around the real place.
    expect(positionOf(await single(privateId, author))).toEqual(exact)
    const own = await listIn(aroundExcluding(exact, blurred), author)
    expect(positionOf(own.features.find((f) => f.id === privateId)!)).toEqual(exact)

    // Anyone else, however often they ask, gets the same blurred point and never the exact one.
    for (const reader of [undefined, other, moderator]) {
      for (let i = 0; i < 3; i++) {
        const response = await get(`/api/entities/${privateId}`, reader)
        expectNoExact(response.body, exact)
        const feature = response.json() as EntityFeature
        expect(positionOf(feature)).toEqual(blurred)
        expect(feature.properties.locationPrivate).toBe(true)
      }
    }
  })

  it('the map query matches others on the blurred point: a box around the real place finds nothing', async () => {
    for (const reader of [undefined, other, moderator]) {
      const near = await listIn(aroundExcluding(exact, blurred), reader)
      expect(near.features.map((f) => f.id)).not.toContain(privateId)
      const tight = await listIn(around(exact, 0.00001), reader)
      expect(tight.features.map((f) => f.id)).not.toContain(privateId)

      const atBlurred = await listIn(around(blurred, 0.0001), reader)
      expect(positionOf(atBlurred.features.find((f) => f.id === privateId)!)).toEqual(blurred)

      const wide = await listIn(around(exact, 0.05), reader)
      expectNoExact(wide.body, exact)
      expect(positionOf(wide.features.find((f) => f.id === privateId)!)).toEqual(blurred)
    }
  })

  it('OGC API items and single items serve the blurred point and match bbox on it', async () => {
    for (const reader of [undefined, other]) {
      const item = await get(`/ogc/collections/request/items/${privateId}`, reader)
      expect(item.statusCode, item.body).toBe(200)
      expectNoExact(item.body, exact)
      expectNear(positionOf(item.json()), blurred)

      const all = await get(`/ogc/collections/all/items/${privateId}`, reader)
      expectNear(positionOf(all.json()), blurred)

      const near = await get(
        `/ogc/collections/request/items?bbox=${aroundExcluding(exact, blurred).join(',')}`,
        reader,
      )
      expect(near.statusCode, near.body).toBe(200)
      expect(near.json().features.map((f: { id: string }) => f.id)).not.toContain(privateId)

      const wide = await get(
        `/ogc/collections/request/items?bbox=${around(exact, 0.05).join(',')}&limit=1000`,
      )
      expectNoExact(wide.body, exact)
      const found = wide.json().features.find((f: { id: string }) => f.id === privateId)
      expectNear(positionOf(found), blurred)
    }
  })

  it('vector tiles draw it at the blurred point', async () => {
    const z = 16
    const tiles = new Map<string, { x: number; y: number }>()
    for (const p of [exact, blurred]) {
      const tile = lonLatToTile(p[0], p[1], z)
      tiles.set(`${tile.x}/${tile.y}`, tile)
    }
    const unitDeg = 360 / 2 ** z / 4096
    let drawn = 0
    for (const { x, y } of tiles.values()) {
      const response = await get(`/tiles/${z}/${x}/${y}.mvt`)
      // 204: an empty tile, as the one around the real place may be.
      expect([200, 204]).toContain(response.statusCode)
      if (response.statusCode === 204) continue
      const tile = new VectorTile(new PbfReader(response.rawPayload))
      for (const layer of Object.values(tile.layers)) {
        for (let i = 0; i < layer.length; i++) {
          const feature = layer.feature(i)
          if (feature.properties.id !== privateId) continue
          drawn += 1
          const position = positionOf(feature.toGeoJSON(x, y, z))
          expectNear(position, blurred, unitDeg * 2)
          expect(metres(position, exact)).toBeGreaterThan(50)
        }
      }
    }
    expect(drawn).toBeGreaterThan(0)
  })

  it('the exports (GeoJSON, CSV, FlatGeobuf) carry the blurred point and filter by bbox on it', async () => {
    const geojson = await get('/api/export/entities.geojson?kinds=request')
    expect(geojson.statusCode).toBe(200)
    expectNoExact(geojson.body, exact)
    const feature = JSON.parse(geojson.body).features.find((f: { id: string }) => f.id === privateId)
    expectNear(positionOf(feature), blurred)

    const csv = await get('/api/export/entities.csv?kinds=request')
    expect(csv.statusCode).toBe(200)
    expectNoExact(csv.body, exact)
    const line = csv.body.split('\n').find((l) => l.startsWith(privateId))!
    const wkt = /POINT\(([-\d.]+) ([-\d.]+)\)/.exec(line)!
    expectNear([Number(wkt[1]), Number(wkt[2])], blurred)

    const flat = await get('/api/export/entities.fgb?kinds=request')
    expect(flat.statusCode).toBe(200)
    let found = 0
    for await (const f of fgb.deserialize(new Uint8Array(flat.rawPayload))) {
      const item = f as unknown as { properties: { id: string }; geometry: unknown }
      if (item.properties.id !== privateId) continue
      found += 1
      expectNear(positionOf(item), blurred)
    }
    expect(found).toBe(1)

    const near = await get(`/api/export/entities.geojson?bbox=${aroundExcluding(exact, blurred).join(',')}`)
    expect(near.statusCode, near.body).toBe(200)
    expect(near.body).not.toContain(privateId)
  })

  it('the live feed sends the blurred point, and only viewports around the blurred point hear of it', async () => {
    feed = await connectFeed(`${origin.replace('http', 'ws')}/ws`)
    await helloFeed(feed)
    await subscribeFeed(feed, { id: 'exact', bbox: aroundExcluding(exact, blurred) })
    await subscribeFeed(feed, { id: 'blurred', bbox: around(blurred, 0.0005) })

    const changed = await patch(author, { id: privateId } as EntityFeature, { title: 'Spesa, martedì' })
    expect(changed.statusCode, changed.body).toBe(200)
    const updated = await feed.next(eventFor(privateId, 'entity.updated'))
    expect(updated.type === 'event' && updated.subscriptions).toEqual(['blurred'])
    expectNoExact(JSON.stringify(updated), exact)
    expect(
      positionOf(updated.type === 'event' ? (updated.data as EntityFeature) : { geometry: null }),
    ).toEqual(blurred)

    // A thread on it goes to the same viewports only.
    const post = await t.request({
      method: 'POST',
      url: `/api/entities/${privateId}/posts`,
      headers: bearer(other),
      payload: { body: 'Passo io giovedì' },
    })
    expect(post.statusCode, post.body).toBe(201)
    const posted = await feed.next(eventFor(privateId, 'post.created'))
    expect(posted.type === 'event' && posted.subscriptions).toEqual(['blurred'])

    // What the outbox keeps for the feed (and for resuming clients): no exact box, no exact coordinates.
    const rows = await outboxRows(privateId)
    expect(rows.length).toBeGreaterThanOrEqual(4)
    for (const row of rows) {
      expectNoExact(row.text, exact)
      expect(metres([row.box[0]!, row.box[1]!], exact)).toBeGreaterThan(50)
      expect(metres([row.box[2]!, row.box[3]!], exact)).toBeGreaterThan(50)
    }
    const latest = rows.at(-1)!
    expectNear([latest.box[0]!, latest.box[1]!], blurred)
    expectNear([latest.box[2]!, latest.box[3]!], blurred)
  })

  it('two private things at the same spot land in different but fixed places', async () => {
    const second = await create(other, {
      ...validEntityByKind.request,
      title: 'Anche io abito qui',
      geometry: point(...exact),
      zoomLevel: 10,
      locationPrivate: true,
    })
    expect(positionOf(second)).toEqual(exact)
    const seen = positionOf(await single(second.id))
    expect(metres(seen, exact)).toBeLessThan(blurDistanceMaxM)
    expect(metres(seen, exact)).toBeGreaterThan(0)
    expect(seen).not.toEqual(blurred)
    for (const reader of [undefined, author, moderator]) {
      expect(positionOf(await single(second.id, reader))).toEqual(seen)
    }
    // Its author sees it exactly; the other's home stays blurred to them.
    expect(positionOf(await single(second.id, other))).toEqual(exact)
    expect(positionOf(await single(privateId, other))).toEqual(blurred)
  })

  it('only the author un-marks it: then it is served exactly again, and marking it again blurs it the same way', async () => {
    // A moderator may edit the thing, but not make a member's home public (nor learn where it is from the answer).
    const byModerator = await patch(moderator, { id: privateId } as EntityFeature, { locationPrivate: false })
    expect(byModerator.statusCode, byModerator.body).toBe(403)
    const edited = await patch(moderator, { id: privateId } as EntityFeature, { description: 'Controllato' })
    expect(edited.statusCode, edited.body).toBe(200)
    expect(positionOf(edited.json())).toEqual(blurred)
    await feed.next(eventFor(privateId, 'entity.updated'))
    expect(positionOf(await single(privateId))).toEqual(blurred)

    const unmarked = await patch(author, { id: privateId } as EntityFeature, { locationPrivate: false })
    expect(unmarked.statusCode, unmarked.body).toBe(200)
    expect(unmarked.json().properties.locationPrivate).toBe(false)
    const live = await feed.next(eventFor(privateId, 'entity.updated'))
    expect(positionOf(live.type === 'event' ? (live.data as EntityFeature) : { geometry: null })).toEqual(
      exact,
    )
    const anonymous = await single(privateId)
    expect(positionOf(anonymous)).toEqual(exact)
    expect(anonymous.properties.locationPrivate).toBe(false)
    const near = await listIn(aroundExcluding(exact, blurred), other)
    expect(positionOf(near.features.find((f) => f.id === privateId)!)).toEqual(exact)
    const ogc = await get(`/ogc/collections/request/items/${privateId}`)
    expectNear(positionOf(ogc.json()), exact)

    const marked = await patch(author, { id: privateId } as EntityFeature, { locationPrivate: true })
    expect(marked.statusCode, marked.body).toBe(200)
    expect(positionOf(marked.json())).toEqual(exact)
    // Viewports around the real place hear of it once more, so that they drop it from where it was public.
    const blurredAgain = await feed.next(eventFor(privateId, 'entity.updated'))
    expect(
      positionOf(blurredAgain.type === 'event' ? (blurredAgain.data as EntityFeature) : { geometry: null }),
    ).toEqual(blurred)
    expect(positionOf(await single(privateId))).toEqual(blurred)
    expect((await listIn(aroundExcluding(exact, blurred), other)).features.map((f) => f.id)).not.toContain(
      privateId,
    )
    const ogcAgain = await get(`/ogc/collections/request/items/${privateId}`)
    expectNear(positionOf(ogcAgain.json()), blurred)
  })

  it('a campaign on a private place is told to viewports around the blurred point only', async () => {
    const m = money(t)
    const home = await create(author, {
      ...validEntityByKind.space,
      title: 'Il mio cortile',
      geometry: point(...exact),
      locationPrivate: true,
    })
    const seen = positionOf(await single(home.id))
    const group = await m.group(author)
    const coin = code('CORTE')
    await m.currency(author, {
      code: coin,
      name: 'Moneta del cortile',
      kind: 'coin',
      issuerGroupId: group.id,
    })
    await m.ok('POST', '/api/campaigns', author, {
      entityId: home.id,
      title: 'Panchina nel cortile',
      acceptCurrency: 'TIME',
      giveCurrency: coin,
      ratio: { accept: '1.00', give: '1.00' },
      cap: '10.00',
      endsAt: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
    })
    const campaignRows = (await outboxRows(home.id)).filter((r) => r.topic.startsWith('campaign.'))
    expect(campaignRows.length).toBeGreaterThan(0)
    for (const row of campaignRows) {
      expectNear([row.box[0]!, row.box[1]!], seen)
      expectNear([row.box[2]!, row.box[3]!], seen)
    }
  })

  it('a thing is public by default, and served exactly to everyone', async () => {
    const open = await create(author, { ...validEntityByKind.space, title: 'Casa del Quartiere' })
    expect(open.properties.locationPrivate).toBe(false)
    const seen = await single(open.id, other)
    expect(seen.properties.locationPrivate).toBe(false)
    expect(seen.geometry).toEqual(validEntityByKind.space.geometry)
  })
})
