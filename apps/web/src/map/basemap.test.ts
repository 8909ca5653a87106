import type { StyleSpecification } from 'maplibre-gl'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addBasemap, type BasemapTarget, basemapBackgroundWaitMs } from './basemap'

/** A stand-in map that keeps its layers in order, as MapLibre does with `beforeId`. */
function standInMap(ownLayers: string[]) {
  const layers = [...ownLayers]
  const sources: string[] = []
  const idle: (() => void)[] = []
  const map: BasemapTarget = {
    addSource: (id) => sources.push(id),
    addLayer: (layer, beforeId) => {
      const at = beforeId === undefined ? -1 : layers.indexOf(beforeId)
      if (at === -1) layers.push(layer.id)
      else layers.splice(at, 0, layer.id)
    },
    getLayer: (id) => (layers.includes(id) ? { id } : undefined),
    setGlyphs: () => undefined,
    setSprite: () => undefined,
    addSprite: () => undefined,
    once: (_type, listener) => idle.push(listener),
  }
  const settle = () => {
    for (const listener of idle.splice(0)) listener()
  }
  return { map, layers, sources, settle }
}

const offlineLike = {
  version: 8,
  sources: { land: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } } },
  layers: [
    { id: 'ocean', type: 'background', paint: { 'background-color': '#78bced' } },
    { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#ece1cb' } },
    { id: 'coast', type: 'line', source: 'land' },
  ],
} as StyleSpecification

describe('adding the basemap under the things', () => {
  afterEach(() => vi.useRealTimers())

  it('puts its layers under the first of ours and its background only once its tiles are drawn', () => {
    vi.useFakeTimers()
    const { map, layers, sources, settle } = standInMap(['shape-fills', 'clusters'])
    addBasemap(map, offlineLike, 'shape-fills')
    expect(sources).toEqual(['basemap:land'])
    // The sea would cover the map's land colour until the land is tiled: it waits.
    expect(layers).toEqual(['basemap:land', 'basemap:coast', 'shape-fills', 'clusters'])
    settle()
    expect(layers).toEqual(['basemap:ocean', 'basemap:land', 'basemap:coast', 'shape-fills', 'clusters'])
    // Added once: neither the timeout nor a second call adds anything more.
    vi.advanceTimersByTime(basemapBackgroundWaitMs)
    addBasemap(map, offlineLike, 'shape-fills')
    expect(layers).toHaveLength(5)
    expect(sources).toHaveLength(1)
  })

  it('adds the background after a while even if the map never settles', () => {
    vi.useFakeTimers()
    const { map, layers } = standInMap(['shape-fills'])
    addBasemap(map, offlineLike, 'shape-fills')
    expect(layers[0]).toBe('basemap:land')
    vi.advanceTimersByTime(basemapBackgroundWaitMs)
    expect(layers[0]).toBe('basemap:ocean')
  })
})
