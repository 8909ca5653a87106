import { estimatedBounds, firstPageFilter } from '../state/map-query'
import { parseViewState } from '../state/url-state'
import { apiUrl, entitiesPath, entitiesQuery, type PrefetchedResponses } from './client'

/** A request sent early, waiting for the client to ask for the same URL with the same bearer. */
interface Early {
  url: string
  bearer: string | null
  response: Promise<Response>
}

/**
 * The requests the page sent before the app's code had loaded. One at most (the map's first page); it is kept
 * until the client takes it or the page goes.
 */
export class EarlyRequests {
  private early: Early | null = null

  constructor(private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)) {}

  /** Sends a GET now, to be handed to the client later. */
  send(url: string, bearer: string | null) {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (bearer) headers.authorization = `Bearer ${bearer}`
    const response = this.fetchImpl(url, { headers })
    // Unhandled until it is taken: a failure is the client's to report, when it asks.
    response.catch(() => undefined)
    this.early = { url, bearer, response }
  }

  /** The early response for exactly this request, once; null when none was sent for it. */
  take: PrefetchedResponses = (url, bearer) => {
    const early = this.early
    if (!early || early.url !== url || early.bearer !== bearer) return null
    this.early = null
    return early.response
  }
}

/**
 * The URL of the map's first page for a page address and window size: what `useMapData` will ask for when the
 * app starts, built from the same functions.
 */
export function firstPageUrl(baseUrl: string, search: string, width: number, height: number): string {
  const view = parseViewState(search)
  const bounds = estimatedBounds(view.center, view.zoom, width, height)
  return apiUrl(baseUrl, entitiesPath, { ...entitiesQuery(firstPageFilter(view, bounds)) })
}
