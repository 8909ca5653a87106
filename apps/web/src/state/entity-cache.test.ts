import type { EntityFeature } from '@quartiere/contracts'
import { describe, expect, it } from 'vitest'
import { bboxAreaMax, clampBbox, EntityCache, geometryBbox } from './entity-cache'

const feature = (id: string, lon: number, lat: number, version = 1): EntityFeature =>
  ({
    type: 'Feature',
    id,
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { version, kind: 'event', title: id, lastActivityAt: '2026-01-01T00:00:00Z' },
  }) as unknown as EntityFeature

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
})
