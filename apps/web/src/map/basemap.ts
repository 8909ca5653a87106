import type { StyleSpecification } from 'maplibre-gl'
import fallbackStyleUrl from '../../.generated/fallback-style.json?url'

/** OpenFreeMap's "liberty": a full street style, free, no key. `VITE_BASEMAP_STYLE_URL` picks another at build. */
export const defaultBasemapUrl = 'https://tiles.openfreemap.org/styles/liberty'
export const basemapUrl: string = import.meta.env.VITE_BASEMAP_STYLE_URL || defaultBasemapUrl
/** How long the street style may take before the offline one is used instead. */
export const basemapTimeoutMs = 5_000

export interface Basemap {
  style: StyleSpecification
  /** True when the street style could not be reached and the bundled offline style is shown. */
  offline: boolean
}

async function fetchStyle(url: string, timeoutMs: number): Promise<StyleSpecification> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  if (!response.ok) throw new Error(`basemap style ${url}: HTTP ${response.status}`)
  const style = (await response.json()) as StyleSpecification
  if (style.version !== 8 || !style.sources || !Array.isArray(style.layers)) {
    throw new Error(`basemap style ${url} is not a MapLibre style`)
  }
  return style
}

/**
 * The street basemap, or the bundled offline one when the street style cannot be fetched (no network, a
 * blocked host, a timeout). The style is fetched here rather than by MapLibre so that the failure is seen
 * before the map is built, instead of leaving a blank map.
 */
export async function loadBasemap(url = basemapUrl): Promise<Basemap> {
  if (url !== 'offline') {
    try {
      return { style: await fetchStyle(url, basemapTimeoutMs), offline: false }
    } catch {
      // Fall through to the offline style; the map says so in its corner.
    }
  }
  return { style: await fetchStyle(fallbackStyleUrl, 30_000), offline: true }
}

/** The basemap's sources and layers take this prefix on the map, so that they never clash with ours. */
export const basemapIdPrefix = 'basemap:'

/**
 * The style the map starts with: nothing to fetch and nothing to draw (the land colour is the map element's CSS
 * background, under a transparent canvas). The things are drawn on it at once; the street (or offline) basemap
 * is slid in underneath later by `addBasemap`, so that the first things on screen never wait for a style, its
 * sprite, its glyphs or its tiles. Not even a background layer: each kind of layer is one more shader program
 * to compile before the first frame, about a tenth of a second each in software WebGL.
 */
export const startStyle: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [],
}

/** The parts of a map `addBasemap` needs (a MapLibre map, or a stand-in in a test). */
export interface BasemapTarget {
  addSource(id: string, source: StyleSpecification['sources'][string]): unknown
  addLayer(layer: StyleSpecification['layers'][number], beforeId?: string): unknown
  getLayer(id: string): unknown
  setGlyphs(url: string | null): unknown
  setSprite(url: string | null): unknown
  addSprite(id: string, url: string): unknown
  once(type: 'idle', listener: () => void): unknown
}

/**
 * The longest a basemap's background waits for its tiles: a source that never loads (an unreachable tile
 * server) must not leave the map without its background for good.
 */
export const basemapBackgroundWaitMs = 10_000

/**
 * Adds a basemap style's sources and layers below `beforeId` (the first of the things' layers), with prefixed
 * ids, and its glyphs and sprite. Idempotent: a second call adds nothing.
 */
export function addBasemap(map: BasemapTarget, style: StyleSpecification, beforeId: string | undefined) {
  // A background comes later (below): whether the basemap is in is told by its first other layer.
  const first = style.layers.find((layer) => layer.type !== 'background') ?? style.layers[0]
  if (first && map.getLayer(`${basemapIdPrefix}${first.id}`)) return
  if (style.glyphs) map.setGlyphs(style.glyphs)
  if (typeof style.sprite === 'string') map.setSprite(style.sprite)
  else if (Array.isArray(style.sprite))
    for (const sprite of style.sprite) map.addSprite(sprite.id, sprite.url)
  for (const [id, source] of Object.entries(style.sources)) map.addSource(`${basemapIdPrefix}${id}`, source)
  const before = beforeId && map.getLayer(beforeId) ? beforeId : undefined
  // A background (the offline style's sea) goes in only once the basemap's tiles are drawn: painted at once, it
  // would cover the land colour the map shows meanwhile, and the offline style's world-wide land takes the
  // worker seconds to tile, seconds of a map all sea.
  const backgrounds: StyleSpecification['layers'] = []
  let bottom: string | undefined
  for (const layer of style.layers) {
    const renamed = { ...layer, id: `${basemapIdPrefix}${layer.id}` } as typeof layer & { source?: string }
    if ('source' in layer && typeof layer.source === 'string')
      renamed.source = `${basemapIdPrefix}${layer.source}`
    if (layer.type === 'background') {
      backgrounds.push(renamed)
      continue
    }
    bottom ??= renamed.id
    map.addLayer(renamed, before)
  }
  if (backgrounds.length === 0) return
  let added = false
  const addBackgrounds = () => {
    if (added) return
    added = true
    for (const layer of backgrounds) map.addLayer(layer, bottom ?? before)
  }
  map.once('idle', addBackgrounds)
  setTimeout(addBackgrounds, basemapBackgroundWaitMs)
}
