import { defaultZoomLevelByKind, type entityKinds } from '@quartiere/contracts/enums'

type EntityKind = (typeof entityKinds)[number]

/**
 * The scales a person picks "visible from" in the editor, each the map zoom it stands for. A thing shows on the
 * map from its zoomLevel in: at zoom 12 a whole city fits a laptop screen, at 14 a neighbourhood (a quartiere),
 * at 15 a few streets, at 17 a building and its courtyard. The kinds' defaults (the contract's
 * defaultZoomLevelByKind) are each one of these scales.
 */
export const visibilityScales = [
  { scale: 'region', zoom: 10 },
  { scale: 'city', zoom: 12 },
  { scale: 'district', zoom: 13 },
  { scale: 'neighbourhood', zoom: 14 },
  { scale: 'street', zoom: 15 },
  { scale: 'building', zoom: 17 },
] as const
export type VisibilityScale = (typeof visibilityScales)[number]['scale']

export const zoomLevelMin = 0
export const zoomLevelMax = 22

/** The zoomLevel the editor proposes for a new thing of a kind: the one the API would store if none were sent. */
export function defaultZoomLevel(kind: EntityKind): number {
  return defaultZoomLevelByKind[kind]
}

/** The named scale of a zoom level, or null when it is none of them (set through the API, say). */
export function scaleOf(zoomLevel: number): VisibilityScale | null {
  return visibilityScales.find((entry) => entry.zoom === zoomLevel)?.scale ?? null
}

/**
 * The map's zoom as the API's `zoom` query and the vector tiles take it: the whole zoom the map is at (a map at
 * 12.7 draws the tiles of zoom 12), within 0–22.
 */
export function queryZoom(mapZoom: number): number {
  if (!Number.isFinite(mapZoom)) return zoomLevelMin
  return Math.min(zoomLevelMax, Math.max(zoomLevelMin, Math.floor(mapZoom)))
}

/** The API's rule (`zoom_level <= zoom`, packages/map and the tiles): is a thing drawn at this map zoom? */
export function shownAtZoom(zoomLevel: number, mapZoom: number): boolean {
  return zoomLevel <= queryZoom(mapZoom)
}
