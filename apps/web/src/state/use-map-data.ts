import type { EntityFeature } from '@quartiere/contracts'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ApiClient } from '../api/client'
import { type Bbox, clampBbox, EntityCache } from './entity-cache'
import { firstPageFilter, pageEntitiesMax, viewEntitiesMax, viewFilter } from './map-query'
import { countPerSlot, type KindCounts, slotsAround, slotsRange, type TimeWindow, windowOf } from './timeline'
import type { ViewState } from './url-state'
import { queryZoom } from './zoom-levels'

/** The timeline counts one page of the API's largest; past it the counts say "at least". */
export const timelineSampleMax = 1000
/** Wait this long after the map stops before asking, so a fling is one request and not twenty. */
const moveDebounceMs = 120
/**
 * After the first page (drawn at once), further pages are handed to the map at most this often: each hand-over
 * re-sends and re-clusters everything loaded, so ten pages in quick succession would cost ten re-clusterings.
 */
const pageRedrawIntervalMs = 400
/**
 * The rest of the first view waits until its first page is on screen, or this long after it arrived at most:
 * on a busy machine the server's work on the next pages, their parsing and the map's re-clustering would
 * otherwise compete with drawing the first page. The wait happens once (a view with nothing to draw, or the
 * wallet page, where no map draws, pays it once).
 */
const firstDrawWaitMaxMs = 1500
/** The timeline's sample waits for the map's first things too, this long at most from the start. */
const timelineFirstDrawWaitMaxMs = 3000
/** The timeline's sample comes after the map's first things, and this much later still. */
const timelineDelayMs = 300

/** Resolves when `promise` does or after `ms`, whichever comes first; never rejects. */
function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    void promise.then(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

export interface MapData {
  /** Everything loaded for the current filters (in view and around it). */
  features: EntityFeature[]
  /** Bumped on every change, so memoised consumers refresh without comparing arrays. */
  revision: number
  loading: boolean
  /** False when the view holds more than viewEntitiesMax things and only part is drawn. */
  complete: boolean
  /** The first view has been loaded (or failed): from then on, no things means nothing to draw. */
  firstViewSettled: boolean
  error: string | null
  timeline: { reference: TimeWindow; slots: TimeWindow[]; counts: KindCounts[]; truncated: boolean }
  /** The editor puts a changed thing in place without a reload (an HTTP answer: exact for its author). */
  upsert(feature: EntityFeature): void
  /** A changed thing from the live feed, as `viewerId` sees it: see EntityCache.upsertLive. */
  upsertLive(feature: EntityFeature, viewerId: string | null): void
  remove(id: string): void
  reload(): void
}

/**
 * Loads the things in the viewport for the view's filters and time window, page by page (the first page is
 * drawn at once), and the timeline's counts per kind per slot around the window. `firstDrawn` resolves when the
 * map has drawn its first things.
 */
export function useMapData(
  api: ApiClient,
  view: ViewState,
  bounds: Bbox | null,
  firstDrawn: Promise<void>,
): MapData {
  // The filter parts only: moving the map does not make a new filter.
  const { kinds, categories, tags, q, window: timeWindow, initiative } = view
  // Only the whole zoom counts (the API's rule): zooming within a level asks for nothing new.
  const zoom = queryZoom(view.zoom)
  const filter = useMemo(
    () => viewFilter({ kinds, categories, tags, q, window: null, zoom, initiative }),
    [kinds, categories, tags, q, zoom, initiative],
  )
  const cacheKey = JSON.stringify([filter, timeWindow])
  const cacheRef = useRef(new EntityCache(cacheKey))
  const [revision, setRevision] = useState(0)
  const [loading, setLoading] = useState(false)
  const [complete, setComplete] = useState(true)
  const [firstViewSettled, setFirstViewSettled] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [reloads, setReloads] = useState(0)
  const bump = useCallback(() => setRevision((value) => value + 1), [])
  const firstRequest = useRef(true)
  // Started by the first call, right after the first page was handed to the map; shared by every later one.
  const firstDrawGate = useRef<Promise<void> | null>(null)
  const afterFirstDraw = useCallback(() => {
    firstDrawGate.current ??= atMost(firstDrawn, firstDrawWaitMaxMs)
    return firstDrawGate.current
  }, [firstDrawn])

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
          // Built by the very function the page's entry used for its early request, so that the API client
          // adopts that answer (api/prefetch.ts).
          firstPageFilter({ kinds, categories, tags, q, window: timeWindow, zoom, initiative }, bbox),
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
          {
            signal: controller.signal,
            nextPageLimit: pageEntitiesMax,
            beforeNextPage: afterFirstDraw,
          },
        )
        .then((result) => {
          clearTimeout(redraw)
          if (fresh && cacheRef.current !== fresh) cacheRef.current = fresh
          cacheRef.current.trim(bbox)
          // The browser test reports the time from navigation to the whole view loaded.
          performance.mark('quartiere:view-loaded')
          setComplete(result.complete)
          setLoading(false)
          setFirstViewSettled(true)
          bump()
        })
        .catch((failure: unknown) => {
          if (controller.signal.aborted) return
          setLoading(false)
          setFirstViewSettled(true)
          setError(failure instanceof Error ? failure.message : String(failure))
        })
    }, delayMs)
    return () => {
      clearTimeout(timer)
      clearTimeout(redraw)
      controller.abort()
    }
  }, [api, bounds, cacheKey, bump, reloads, afterFirstDraw])

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
    let timer: ReturnType<typeof setTimeout> | undefined
    void atMost(firstDrawn, timelineFirstDrawWaitMaxMs).then(() => {
      if (controller.signal.aborted) return
      timer = setTimeout(ask, timelineDelayMs)
    })
    const ask = () => {
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
    }
    return () => {
      clearTimeout(timer)
      controller.abort()
    }
  }, [api, bounds, filter, slots, reloads, firstDrawn])

  const upsert = useCallback(
    (feature: EntityFeature) => {
      cacheRef.current.upsert([feature])
      bump()
    },
    [bump],
  )
  const upsertLive = useCallback(
    (feature: EntityFeature, viewerId: string | null) => {
      const cache = cacheRef.current
      const outcome = cache.upsertLive(feature, viewerId)
      if (outcome === 'ignored') return
      bump()
      if (outcome === 'stored') return
      // The author's own private thing changed: only an HTTP read gives them its exact place.
      api
        .getEntity(feature.id)
        .then(({ value }) => {
          cache.upsert([value])
          bump()
        })
        .catch(() => {
          // Deleted or hidden meanwhile: the feed says so on its own.
        })
    },
    [api, bump],
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
    firstViewSettled,
    error,
    timeline: { reference, slots, counts: timelineCounts.counts, truncated: timelineCounts.truncated },
    upsert,
    upsertLive,
    remove,
    reload,
  }
}
