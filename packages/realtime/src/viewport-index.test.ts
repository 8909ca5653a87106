import type { Bbox } from '@quartiere/geo'
import { bboxIntersects } from '@quartiere/geo'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ViewportIndex } from './viewport-index'

const lon = fc.double({ min: 7.5, max: 7.8, noNaN: true })
const lat = fc.double({ min: 44.9, max: 45.2, noNaN: true })
/** Neighbourhood viewports, a few city-wide ones (which go on the wide list), and points. */
const box = fc
  .oneof(
    fc.tuple(
      lon,
      lat,
      fc.double({ min: 0, max: 0.03, noNaN: true }),
      fc.double({ min: 0, max: 0.03, noNaN: true }),
    ),
    fc.tuple(
      lon,
      lat,
      fc.double({ min: 0.2, max: 1, noNaN: true }),
      fc.double({ min: 0.2, max: 1, noNaN: true }),
    ),
    fc.tuple(lon, lat, fc.constant(0), fc.constant(0)),
  )
  .map(([x, y, w, h]): Bbox => [x, y, x + w, y + h])

function visited<Holder>(index: ViewportIndex<Holder>, boxes: (Bbox | null)[]) {
  const seen: Holder[] = []
  index.near(boxes, (holder) => seen.push(holder))
  return seen
}

describe('ViewportIndex', () => {
  it('visits every holder whose viewport meets an event box, each once', () => {
    let meetings = 0
    fc.assert(
      fc.property(
        fc.array(fc.array(box, { minLength: 0, maxLength: 3 }), { maxLength: 60 }),
        fc.array(fc.option(box), { minLength: 1, maxLength: 2 }),
        (holders, events) => {
          const index = new ViewportIndex<number>()
          holders.forEach((viewports, holder) => {
            index.set(holder, viewports)
          })
          const seen = visited(index, events)
          expect(new Set(seen).size).toBe(seen.length)
          holders.forEach((viewports, holder) => {
            const meets = viewports.some((v) => events.some((e) => e !== null && bboxIntersects(v, e)))
            if (meets) {
              meetings += 1
              expect(seen).toContain(holder)
            }
          })
        },
      ),
      { seed: 20261123, numRuns: 300 },
    )
    // The random boxes must meet often enough for the containment above to have been checked at all.
    expect(meetings).toBeGreaterThan(100)
  })

  it('narrows: a point far from a neighbourhood viewport does not visit it', () => {
    const index = new ViewportIndex<string>()
    index.set('centre', [[7.68, 45.06, 7.7, 45.074]])
    index.set('north', [[7.68, 45.1, 7.7, 45.114]])
    expect(visited(index, [[7.69, 45.07, 7.69, 45.07]])).toEqual(['centre'])
  })

  it('moves a holder when its viewports change, and forgets it', () => {
    const index = new ViewportIndex<string>()
    index.set('a', [[7.68, 45.06, 7.7, 45.074]])
    index.set('a', [[7.68, 45.1, 7.7, 45.114]])
    expect(visited(index, [[7.69, 45.07, 7.69, 45.07]])).toEqual([])
    expect(visited(index, [[7.69, 45.11, 7.69, 45.11]])).toEqual(['a'])
    index.set('a', [])
    expect(index.size).toBe(0)
    index.set('b', [[0, 0, 2, 2]])
    expect(visited(index, [[7.69, 45.11, 7.69, 45.11]])).toEqual(['b'])
    index.delete('b')
    expect(index.size).toBe(0)
    expect(visited(index, [[0, 0, 2, 2]])).toEqual([])
  })

  it('an event box wider than the cell budget visits every holder', () => {
    const index = new ViewportIndex<string>()
    index.set('a', [[7.68, 45.06, 7.7, 45.074]])
    index.set('b', [[-3, 40, -2.99, 40.01]])
    expect(visited(index, [[-10, 30, 20, 50]]).sort()).toEqual(['a', 'b'])
  })
})
