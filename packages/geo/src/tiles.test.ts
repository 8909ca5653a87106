import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bboxContainsPoint } from './bbox'
import { isValidTile, lonLatToTile, tilesCoveringBbox, tilesPerRequestMax, tileToBbox } from './tiles'

const close = (a: number[], b: number[]) => {
  for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i]!, 9)
}

describe('tile math', () => {
  it('matches known tiles', () => {
    close(tileToBbox(0, 0, 0), [-180, -85.0511287798066, 180, 85.0511287798066])
    close(tileToBbox(1, 1, 0), [0, 0, 180, 85.0511287798066])
    expect(lonLatToTile(9.19, 45.46, 12)).toEqual({ z: 12, x: 2152, y: 1466 })
    // Longitude 180 and latitudes beyond web mercator fall into the edge tiles.
    expect(lonLatToTile(180, -90, 3)).toEqual({ z: 3, x: 7, y: 7 })
    expect(lonLatToTile(-180, 90, 3)).toEqual({ z: 3, x: 0, y: 0 })
  })

  it('validates tile coordinates', () => {
    expect(isValidTile(0, 0, 0)).toBe(true)
    expect(isValidTile(22, 2 ** 22 - 1, 0)).toBe(true)
    expect(isValidTile(23, 0, 0)).toBe(false)
    expect(isValidTile(23, 0, 0, 23)).toBe(true)
    expect(isValidTile(2, 4, 0)).toBe(false)
    expect(isValidTile(2, 0, -1)).toBe(false)
    expect(isValidTile(1.5, 0, 0)).toBe(false)
    expect(isValidTile(Number.NaN, 0, 0)).toBe(false)
  })

  it('puts every point inside the box of the tile containing it', () => {
    const lon = fc.double({ min: -180, max: 180, noNaN: true })
    const lat = fc.double({ min: -85.05, max: 85.05, noNaN: true })
    fc.assert(
      fc.property(lon, lat, fc.integer({ min: 0, max: 22 }), (x, y, z) => {
        const tile = lonLatToTile(x, y, z)
        return (
          isValidTile(tile.z, tile.x, tile.y) && bboxContainsPoint(tileToBbox(tile.z, tile.x, tile.y), [x, y])
        )
      }),
      { seed: 42 },
    )
  })

  it('round-trips a tile through its box: the centre maps back and the box is covered by the tile alone', () => {
    const tile = fc
      .integer({ min: 0, max: 22 })
      .chain((z) => fc.record({ z: fc.constant(z), x: fc.nat(2 ** z - 1), y: fc.nat(2 ** z - 1) }))
    fc.assert(
      fc.property(tile, ({ z, x, y }) => {
        const [w, s, e, n] = tileToBbox(z, x, y)
        expect(lonLatToTile((w + e) / 2, (s + n) / 2, z)).toEqual({ z, x, y })
        expect(tilesCoveringBbox([w, s, e, n], z)).toEqual({ ok: true, value: [{ z, x, y }] })
      }),
      { seed: 42 },
    )
  })
})

describe('tilesCoveringBbox', () => {
  it('covers a box with whole rows of tiles', () => {
    const r = tilesCoveringBbox([-10, -10, 10, 10], 2)
    expect(r.ok && r.value.map(({ z, x, y }) => `${z}/${x}/${y}`)).toEqual([
      '2/1/1',
      '2/2/1',
      '2/1/2',
      '2/2/2',
    ])
    expect(tilesCoveringBbox([-180, -90, 180, 90], 0)).toEqual({ ok: true, value: [{ z: 0, x: 0, y: 0 }] })
    expect(tilesCoveringBbox([5, 5, 5, 5], 22)).toMatchObject({ ok: true, value: [lonLatToTile(5, 5, 22)] })
  })

  it('refuses more tiles than the limit, and a bad zoom or box', () => {
    expect(tilesCoveringBbox([-180, -90, 180, 90], 6)).toMatchObject({ ok: true, value: { length: 4096 } })
    const r = tilesCoveringBbox([-180, -90, 180, 90], 7)
    expect(r).toMatchObject({ ok: false, code: 'too_many_tiles' })
    if (!r.ok)
      expect(r.message).toBe(`the box needs 16384 tiles at zoom 7; the maximum is ${tilesPerRequestMax}`)
    expect(tilesCoveringBbox([0, 0, 1, 1], 23)).toMatchObject({ ok: false, code: 'invalid_tile' })
    expect(tilesCoveringBbox([1, 0, 0, 1], 3)).toMatchObject({ ok: false, code: 'invalid_bbox' })
  })
})
