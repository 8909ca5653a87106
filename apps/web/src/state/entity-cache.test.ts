import type { EntityFeature } from '@quartiere/contracts'
import { describe, expect, it } from 'vitest'
import { bboxAreaMax, clampBbox, EntityCache, geometryBbox } from './entity-cache'

const feature = (
  id: string,
  lon: number,
  lat: number,
  version = 1,
  extra: { locationPrivate?: boolean; authorId?: string; title?: string } = {},
): EntityFeature =>
  ({
    type: 'Feature',
    id,
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: {
      version,
      kind: 'request',
      title: extra.title ?? id,
      lastActivityAt: '2026-01-01T00:00:00Z',
      locationPrivate: extra.locationPrivate ?? false,
      author: { id: extra.authorId ?? 'someone', displayName: 'Someone' },
    },
  }) as unknown as EntityFeature

/** A private home, as its author reads it over HTTP (exact) and as the live feed sends it (blurred). */
const author = 'author-1'
const exactHome = (version: number, title?: string) =>
  feature('home', 7.68123, 45.07011, version, {
    locationPrivate: true,
    authorId: author,
    ...(title ? { title } : {}),
  })
const blurredHome = (version: number, title?: string) =>
  feature('home', 7.6815, 45.0705, version, {
    locationPrivate: true,
    authorId: author,
    ...(title ? { title } : {}),
  })

describe('entity cache and boxes', () => {
  it('clamps a world view to the API bbox area around its centre', () => {
    const [w, s, e, n] = clampBbox([-200, -95, 200, 95])
    expect((e - w) * (n - s)).toBeLessThanOrEqual(bboxAreaMax)
    expect((w + e) / 2).toBeCloseTo(0)
    expect(clampBbox([7.6, 45, 7.7, 45.1])).toEqual([7.6, 45, 7.7, 45.1])
  })

  it('measures nested geometries', () => {
    expect(
      geometryBbox({
        type: 'Polygon',
        coordinates: [
          [
            [7.6, 45],
            [7.7, 45],
            [7.7, 45.1],
            [7.6, 45],
          ],
        ],
      }),
    ).toEqual([7.6, 45, 7.7, 45.1])
  })

  it('keeps the newest version and forgets what is out of view first', () => {
    const cache = new EntityCache('k')
    cache.upsert([feature('a', 7.6, 45, 2), feature('b', 10, 50)])
    cache.upsert([feature('a', 7.6, 45, 1)])
    expect(cache.get('a')?.properties.version).toBe(2)
    expect(cache.inView([7.5, 44.9, 7.7, 45.1]).map((f) => f.id)).toEqual(['a'])
    cache.trim([7.5, 44.9, 7.7, 45.1], 1)
    expect(cache.all().map((f) => f.id)).toEqual(['a'])
  })

  it("keeps the author's exact private geometry when the live feed brings the blurred one", () => {
    const cache = new EntityCache('k')
    cache.upsert([exactHome(2)])
    // The author's own save comes back over the feed, blurred, at the same version: nothing changes.
    expect(cache.upsertLive(blurredHome(2), author)).toBe('ignored')
    expect(cache.get('home')?.geometry).toEqual(exactHome(2).geometry)
    // Changed elsewhere (another tab): the new title shows at once, on the exact place, and an HTTP read is due.
    expect(cache.upsertLive(blurredHome(3, 'Aiuto con la spesa'), author)).toBe('reread')
    expect(cache.get('home')?.geometry).toEqual(exactHome(2).geometry)
    expect(cache.get('home')?.properties.title).toBe('Aiuto con la spesa')
    expect(cache.inView([7.681, 45.07, 7.6813, 45.0702]).map((f) => f.id)).toEqual(['home'])
    // The read's exact answer replaces it.
    cache.upsert([exactHome(3, 'Aiuto con la spesa')])
    expect(cache.get('home')).toEqual(exactHome(3, 'Aiuto con la spesa'))
  })

  it('does not add an unknown private thing of the author blurred, and asks for a read instead', () => {
    const cache = new EntityCache('k')
    expect(cache.upsertLive(blurredHome(1), author)).toBe('reread')
    expect(cache.get('home')).toBeUndefined()
  })

  it('takes the blurred place for everyone else, and every public thing as the feed sends it', () => {
    const cache = new EntityCache('k')
    cache.upsert([blurredHome(1)])
    expect(cache.upsertLive(blurredHome(2), 'neighbour')).toBe('stored')
    expect(cache.upsertLive(blurredHome(3), null)).toBe('stored')
    expect(cache.get('home')?.properties.version).toBe(3)
    cache.upsert([exactHome(3)])
    // Made public again by its author: the feed's Feature is exact, and taken as it is.
    const madePublic = feature('home', 7.68123, 45.07011, 4, { authorId: author })
    expect(cache.upsertLive(madePublic, author)).toBe('stored')
    expect(cache.get('home')).toEqual(madePublic)
    expect(cache.upsertLive(blurredHome(2), author)).toBe('ignored')
    expect(cache.get('home')?.properties.version).toBe(4)
  })
})
