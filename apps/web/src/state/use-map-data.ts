import type { EntityFeature } from '@quartiere/contracts'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ApiClient, EntitiesFilter } from '../api/client'
import { type Bbox, clampBbox, EntityCache } from './entity-cache'
import {
  countPerSlot,
  type KindCounts,
  slotsAround,
  slotsRange,
  type TimeWindow,
  windowOf,
  windowQuery,
} from './timeline'
import type { ViewState } from './url-state'

/** At most this many things are drawn for one view (ten pages of the API's largest). */
export const viewEntitiesMax = 10_000
/**
 * The first page is small, so that something is drawn as soon as possible (a page of 1000 takes the server,
 * the network and the map's worker several times as long); the rest comes in the API's largest pages.
 */
export const firstPageEntitiesMax = 250
/** The timeline counts one page of the API's largest; past it the counts say "at least". */
export const timelineSampleMax = 1000
/** Wait this long after the map stops before asking, so a fling is one request and not twenty. */
const moveDebounceMs = 120
/**
 * After the first page (drawn at once), further pages are handed to the map at most this often: each hand-over
 * re-sends and re-clusters everything loaded, so ten pages in quick succession would cost ten re-clusterings.
 */
const pageRedrawIntervalMs = 400
/** The timeline's sample waits for the map's first page: the things on the map come first. */
const timelineDelayMs = 800

export interface MapData {
  /** Everything loaded for the current filters (in view and around it). */
  features: EntityFeature[]
  /** Bumped on every change, so memoised consumers refresh without comparing arrays. */
  revision: number
  loading: boolean
  /** False when the view holds more than viewEntitiesMax things and only part is drawn. */
  complete: boolean
  error: string | null
  timeline: { reference: TimeWindow; slots: TimeWindow[]; counts: KindCounts[]; truncated: boolean }
  /** Live updates and the editor put a changed thing in place without a reload. */
  upsert(feature: EntityFeature): void
  remove(id: string): void
  reload(): void
}

function filterOf({ kinds, categories, tags, q }: Pick<ViewState, 'kinds' | 'categories' | 'tags' | 'q'>) {
  const filter: Omit<EntitiesFilter, 'bbox'> = {
    ...(kinds.length ? { kinds } : {}),
    ...(categories.length ? { categories } : {}),
    ...(tags.length ? { tags } : {}),
    ...(q ? { q } : {}),
  }
  return filter
}

/**
 * Loads the things in the viewport for the view's filters and time window, page by page (the first page is
 * drawn at once), and the timeline's counts per kind per slot around the window.
 */
export function useMapData(api: ApiClient, view: ViewState, bounds: Bbox | null): MapData {
  // The filter parts only: moving the map does not make a new filter.
  const { kinds, categories, tags, q } = view
  const filter = useMemo(() => filterOf({ kinds, categories, tags, q }), [kinds, categories, tags, q])
  const windowFilter = useMemo(() => (view.window ? windowQuery(view.window) : {}), [view.window])
  const cacheKey = JSON.stringify([filter, windowFilter])
  const cacheRef = useRef(new EntityCache(cacheKey))
  const [revision, setRevision] = useState(0)
  const [loading, setLoading] = useState(false)
  const [complete, setComplete] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [reloads, setReloads] = useState(0)
  const bump = useCallback(() => setRevision((value) => value + 1), [])
  const firstRequest = useRef(true)

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` asks for the same query again.
  useEffect(() => {
    if (!bounds) return
    const controller = new AbortController()
    const bbox = clampBbox(bounds)
    let redraw: ReturnType<typeof setTimeout> | undefined
    let pages = 0
    // The first view is asked for at once: only later moves wait for the map to settle.
    const delayMs = firstRequest.current ? 0 : moveDebounceMs
    firstRequest.current = false
    const timer = setTimeout(() => {
      const fresh = cacheRef.current.key === cacheKey ? null : new EntityCache(cacheKey)
      setLoading(true)
      setError(null)
      api
        .eachEntitiesPage(
          { ...filter, ...windowFilter, bbox, limit: 1000 },
          viewEntitiesMax,
          (features) => {
            // A new filter's cache replaces the old one with its first page: the map never shows nothing.
            if (fresh && cacheRef.current !== fresh) cacheRef.current = fresh
            if (performance.getEntriesByName('quartiere:first-page').length === 0)
              performance.mark('quartiere:first-page')
            cacheRef.current.upsert(features)
            pages += 1
            if (pages === 1) bump()
            else if (redraw === undefined)
              redraw = setTimeout(() => {
                redraw = undefined
                bump()
              }, pageRedrawIntervalMs)
          },
          controller.signal,
          firstPageEntitiesMax,
        )
        .then((result) => {
          clearTimeout(redraw)
          if (fresh && cacheRef.current !== fresh) cacheRef.current = fresh
          cacheRef.current.trim(bbox)
          // The browser test reports the time from navigation to the whole view loaded.
          performance.mark('quartiere:view-loaded')
          setComplete(result.complete)
          setLoading(false)
          bump()
        })
        .catch((failure: unknown) => {
          if (controller.signal.aborted) return
          setLoading(false)
          setError(failure instanceof Error ? failure.message : String(failure))
        })
    }, delayMs)
    return () => {
      clearTimeout(timer)
      clearTimeout(redraw)
      controller.abort()
    }
  }, [api, bounds, cacheKey, filter, windowFilter, bump, reloads])

  // The timeline: one sample over all the slots shown, counted per slot and kind on this side.
  const reference = useMemo(() => view.window ?? windowOf('year', new Date()), [view.window])
  const slots = useMemo(() => slotsAround(reference), [reference])
  const [timelineCounts, setTimelineCounts] = useState<{ counts: KindCounts[]; truncated: boolean }>({
    counts: [],
    truncated: false,
  })
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` asks for the same query again.
  useEffect(() => {
    if (!bounds) return
    const controller = new AbortController()
    const range = slotsRange(slots)
    const timer = setTimeout(() => {
      api
        .listEntities(
          {
            ...filter,
            bbox: clampBbox(bounds),
            from: range.from.toISOString(),
            to: new Date(range.to.getTime() - 1).toISOString(),
            limit: timelineSampleMax,
          },
          controller.signal,
        )
        .then((page) => {
          const things = page.features.map((feature) => feature.properties)
          setTimelineCounts({
            counts: countPerSlot(things, slots),
            truncated: page.links.some((link) => link.rel === 'next'),
          })
        })
        .catch(() => {
          // The counts are a guide; the map's own error line reports a failing API.
        })
    }, timelineDelayMs)
    return () => {
      clearTimeout(timer)
      controller.abort()
    }
  }, [api, bounds, filter, slots, reloads])

  const upsert = useCallback(
    (feature: EntityFeature) => {
      cacheRef.current.upsert([feature])
      bump()
    },
    [bump],
  )
  const remove = useCallback(
    (id: string) => {
      cacheRef.current.remove(id)
      bump()
    },
    [bump],
  )
  const reload = useCallback(() => setReloads((value) => value + 1), [])

  // biome-ignore lint/correctness/useExhaustiveDependencies: revision is the cache's change counter.
  const features = useMemo(() => cacheRef.current.all(), [revision])
  return {
    features,
    revision,
    loading,
    complete,
    error,
    timeline: { reference, slots, counts: timelineCounts.counts, truncated: timelineCounts.truncated },
    upsert,
    remove,
    reload,
  }
}
