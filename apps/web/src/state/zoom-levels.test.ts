import { defaultZoomLevelByKind, entityKinds } from '@quartiere/contracts/enums'
import { describe, expect, it } from 'vitest'
import { defaultZoomLevel, queryZoom, scaleOf, shownAtZoom, visibilityScales } from './zoom-levels'

describe('zoom levels', () => {
  it('proposes for each kind the zoom the API stores by default, and each is a named scale', () => {
    for (const kind of entityKinds) {
      expect(defaultZoomLevel(kind)).toBe(defaultZoomLevelByKind[kind])
      expect(scaleOf(defaultZoomLevel(kind))).not.toBeNull()
    }
    expect(defaultZoomLevel('project')).toBeLessThan(defaultZoomLevel('space'))
    expect(defaultZoomLevel('space')).toBeLessThan(defaultZoomLevel('event'))
  })

  it('names the scales in order, from the widest', () => {
    const zooms = visibilityScales.map((entry) => entry.zoom)
    expect(zooms).toEqual([...zooms].sort((a, b) => a - b))
    expect(scaleOf(12)).toBe('city')
    expect(scaleOf(14)).toBe('neighbourhood')
    expect(scaleOf(15)).toBe('street')
    expect(scaleOf(11)).toBeNull()
  })

  it('asks the API for the whole zoom the map is at, within 0–22', () => {
    expect(queryZoom(12.7)).toBe(12)
    expect(queryZoom(16)).toBe(16)
    expect(queryZoom(-1)).toBe(0)
    expect(queryZoom(30)).toBe(22)
    expect(queryZoom(Number.NaN)).toBe(0)
  })

  it('draws a thing from its zoom level in, as the API and the tiles do', () => {
    expect(shownAtZoom(16, 12)).toBe(false)
    expect(shownAtZoom(16, 15.99)).toBe(false)
    expect(shownAtZoom(16, 16)).toBe(true)
    expect(shownAtZoom(12, 16)).toBe(true)
  })
})
