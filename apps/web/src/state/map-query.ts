import type { EntitiesFilter } from '../api/client'
import { type Bbox, clampBbox } from './entity-cache'
import { windowQuery } from './timeline'
import type { ViewState } from './url-state'
import { queryZoom } from './zoom-levels'

/** At most this many things are drawn for one view (ten pages of the API's largest). */
export const viewEntitiesMax = 10_000
/**
 * The first page is small, so that something is drawn as soon as possible (a page of 1000 takes the server,
 * the network and the map's worker several times as long); the rest comes in the API's largest pages.
 */
export const firstPageEntitiesMax = 250
/** The API's largest page, for every page after the first. */
export const pageEntitiesMax = 1000

/**
 * The view's filters as the map query takes them: kinds, categories, tags, text, the time window, and the
 * map's zoom — a thing is drawn only from its zoomLevel in, the API's own rule (the tiles keep it too).
 */
export function viewFilter(
  view: Pick<ViewState, 'kinds' | 'categories' | 'tags' | 'q' | 'window' | 'zoom'> &
    Partial<Pick<ViewState, 'initiative'>>,
): Omit<EntitiesFilter, 'bbox'> {
  return {
    zoom: queryZoom(view.zoom),
    ...(view.initiative ? { initiative: view.initiative } : {}),
    ...(view.kinds.length ? { kinds: view.kinds } : {}),
    ...(view.categories.length ? { categories: view.categories } : {}),
    ...(view.tags.length ? { tags: view.tags } : {}),
    ...(view.q ? { q: view.q } : {}),
    ...(view.window ? windowQuery(view.window) : {}),
  }
}

/** The box a Web Mercator map of this size shows around a centre at a zoom (512-pixel tiles). */
export function estimatedBounds(center: [number, number], zoom: number, width: number, height: number): Bbox {
  const worldPx = 512 * 2 ** zoom
  const halfLon = (width / 2 / worldPx) * 360
  const mercatorY = Math.log(Math.tan(Math.PI / 4 + (center[1] * Math.PI) / 360))
  const latAt = (offsetPx: number) =>
    (Math.atan(Math.sinh(mercatorY + (offsetPx / worldPx) * 2 * Math.PI)) * 180) / Math.PI
  return [center[0] - halfLon, latAt(-height / 2), center[0] + halfLon, latAt(height / 2)]
}

/**
 * The first page the map asks for when a view opens: its filters, the box the camera will show (estimated from
 * the window's size until the map reports its own), and the small first page. The page's entry script sends
 * this very request before the app's code has loaded (`prefetch.ts`), and the app adopts its answer, so both
 * must build it here.
 */
export function firstPageFilter(
  view: Pick<ViewState, 'kinds' | 'categories' | 'tags' | 'q' | 'window' | 'zoom'> &
    Partial<Pick<ViewState, 'initiative'>>,
  bounds: Bbox,
): EntitiesFilter {
  return { ...viewFilter(view), bbox: clampBbox(bounds), limit: firstPageEntitiesMax }
}
