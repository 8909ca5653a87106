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
