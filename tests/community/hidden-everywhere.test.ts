import type { AuthTokens } from '@quartiere/contracts'
import { lonLatToTile } from '@quartiere/geo'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listen } from '../opendata/support'
import { connectFeed, type FeedClient, helloFeed, subscribeFeed, turinBbox } from '../realtime/ws-client'
import { turin, validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'

// Content a moderator hides disappears for everyone but its author in every way the map is served: the entities
// query and single read, the OGC API, vector tiles, the exports, and the realtime feed (live clients drop it).
// Restoring it brings it back everywhere, which proves each check below can see the thing at all.

let t: TestApp
let origin: string
let author: AuthTokens
let other: AuthTokens
let moderator: AuthTokens
let feed: FeedClient

const z = 14
const { x, y } = lonLatToTile(turin[0], turin[1], z)

beforeAll(async () => {
  t = await createTestApp()
  origin = await listen(t)
  ;[author, other, moderator] = await Promise.all([
    t.signUp(),
    t.signUp(),
    t.signUp({ as: 'moderator', displayName: 'Moderatrice' }),
  ])
  feed = await connectFeed(`${origin.replace('http', 'ws')}/ws`)
  await helloFeed(feed)
  await subscribeFeed(feed, { id: 'turin', bbox: turinBbox })
})

afterAll(async () => {
  await feed?.close()
  await t?.close()
})

/** Where the thing can be seen by someone who is not its author, one flag per way the map is served. */
async function seenBy(id: string, reader?: AuthTokens) {
  const headers = reader ? bearer(reader) : {}
  const get = (url: string) => t.request({ method: 'GET', url, headers })
  const list = await get(`/api/entities?bbox=${turinBbox.join(',')}&limit=500`)
  const single = await get(`/api/entities/${id}`)
  const ogcItems = await get(`/ogc/collections/space/items?bbox=${turinBbox.join(',')}&limit=1000`)
  const ogcItem = await get(`/ogc/collections/all/items/${id}`)
  const tile = await get(`/tiles/${z}/${x}/${y}.mvt`)
  const geojson = await get('/api/export/entities.geojson')
  const csv = await get('/api/export/entities.csv')
  return {
    list: list.json().features.some((f: { id: string }) => f.id === id),
    single: single.statusCode === 200,
    ogcItems: ogcItems.json().features.some((f: { id: string }) => f.id === id),
    ogcItem: ogcItem.statusCode === 200,
    // A tile carries each feature's id as a string property: its bytes contain the id when the thing is in it.
    tile: tile.statusCode === 200 && tile.rawPayload.includes(Buffer.from(id)),
    geojson: geojson.body.includes(id),
    csv: csv.body.includes(id),
  }
}

const everywhere = {
  list: true,
  single: true,
  ogcItems: true,
  ogcItem: true,
  tile: true,
  geojson: true,
  csv: true,
}
const nowhere = Object.fromEntries(Object.keys(everywhere).map((k) => [k, false]))

describe('hidden content', () => {
  it('disappears for others from the map query, OGC, tiles, exports and the live feed, and comes back', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(author),
      payload: { ...validEntityByKind.space, title: 'Da nascondere', zoomLevel: 10 },
    })
    expect(created.statusCode, created.body).toBe(201)
    const id = created.json().id as string
    await feed.next(
      (m) => m.type === 'event' && m.topic === 'entity.created' && (m.data as { id: string }).id === id,
    )
    expect(await seenBy(id)).toEqual(everywhere)

    const hide = await t.request({
      method: 'POST',
      url: '/api/moderation/hide',
      headers: bearer(moderator),
      payload: { targetType: 'entity', targetId: id, reason: 'indirizzo privato' },
    })
    expect(hide.statusCode, hide.body).toBe(200)
    // Live clients are told to drop it.
    await feed.next(
      (m) => m.type === 'event' && m.topic === 'entity.deleted' && (m.data as { id: string }).id === id,
    )
    expect(await seenBy(id)).toEqual(nowhere)
    expect(await seenBy(id, other)).toEqual(nowhere)
    // Its author still sees it, marked hidden.
    const own = await t.request({ method: 'GET', url: `/api/entities/${id}`, headers: bearer(author) })
    expect(own.statusCode).toBe(200)
    expect(own.json().properties.hidden).toBe(true)

    const restore = await t.request({
      method: 'POST',
      url: '/api/moderation/restore',
      headers: bearer(moderator),
      payload: { targetType: 'entity', targetId: id, reason: 'indirizzo rimosso' },
    })
    expect(restore.statusCode, restore.body).toBe(200)
    expect(await seenBy(id)).toEqual(everywhere)
  })
})
