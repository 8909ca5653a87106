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
/** The timeline counts one page of the API's largest; past it the counts say "at least". */
export const timelineSampleMax = 1000
/** Wait this long after the map stops before asking, so a fling is one request and not twenty. */
const moveDebounceMs = 120

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

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` asks for the same query again.
  useEffect(() => {
    if (!bounds) return
    const controller = new AbortController()
    const bbox = clampBbox(bounds)
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
            cacheRef.current.upsert(features)
            bump()
          },
          controller.signal,
        )
        .then((result) => {
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
    }, moveDebounceMs)
    return () => {
      clearTimeout(timer)
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
    }, moveDebounceMs * 2)
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
