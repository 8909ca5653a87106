import type { EntityKind } from '@quartiere/contracts'
import { entityKindList } from '../map/kinds'
import { formatWindow, parseWindow, type TimeWindow } from './timeline'

/**
 * Everything a shared link must reproduce: where the map looks, the time window, the filters and the selected
 * thing. The URL is the source of truth for it; the app reads it on load and writes it back as the view changes.
 */
export interface ViewState {
  center: [number, number]
  zoom: number
  /** null: no time filter (everything, whenever it exists). */
  window: TimeWindow | null
  kinds: EntityKind[]
  categories: string[]
  tags: string[]
  q: string
  selected: string | null
  /** The initiative (its slug) whose things alone the map shows; null: every thing. */
  initiative: string | null
}

/** Turin, Piazza Castello, at neighbourhood scale: where the demo data is. */
export const defaultViewState: ViewState = {
  center: [7.6858, 45.0711],
  zoom: 12,
  window: null,
  kinds: [],
  categories: [],
  tags: [],
  q: '',
  selected: null,
  initiative: null,
}

/** An initiative's slug, as the API names them (`co-city-2017`). */
const initiativeSlugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** The API's own limits for labels and text, so a link never produces a request the API refuses. */
const labelsMax = 20
const labelLengthMax = 50
const queryLengthMax = 200

function list(text: string | null): string[] {
  if (!text) return []
  const values = text
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0 && value.length <= labelLengthMax)
  return [...new Set(values)].slice(0, labelsMax)
}

function clamp(value: number, min: number, max: number) {
  return Math.min(max, Math.max(min, value))
}

/** Reads a view from a query string; what is missing or malformed falls back to the default, silently. */
export function parseViewState(search: string, defaults: ViewState = defaultViewState): ViewState {
  const params = new URLSearchParams(search)
  const state: ViewState = { ...defaults }
  const center = params.get('c')?.split(',').map(Number)
  if (center?.length === 2 && center.every(Number.isFinite)) {
    state.center = [clamp(center[0] as number, -180, 180), clamp(center[1] as number, -85, 85)]
  }
  const zoom = Number(params.get('z'))
  if (params.has('z') && Number.isFinite(zoom)) state.zoom = clamp(zoom, 0, 22)
  const window = params.get('t')
  state.window = window ? parseWindow(window) : defaults.window
  const kinds = list(params.get('k')).filter((kind): kind is EntityKind =>
    (entityKindList as readonly string[]).includes(kind),
  )
  if (params.has('k')) state.kinds = kinds
  if (params.has('cat')) state.categories = list(params.get('cat'))
  if (params.has('tag')) state.tags = list(params.get('tag'))
  if (params.has('q')) state.q = (params.get('q') ?? '').slice(0, queryLengthMax)
  const selected = params.get('sel')
  state.selected = selected && uuidPattern.test(selected) ? selected.toLowerCase() : null
  const initiative = params.get('init')
  state.initiative = initiative && initiativeSlugPattern.test(initiative) ? initiative : defaults.initiative
  return state
}

/**
 * Writes a view as a query string in a fixed order, leaving out what equals the default so links stay short.
 * Coordinates keep 5 decimals (about a metre) and zoom 2.
 */
export function formatViewState(state: ViewState, defaults: ViewState = defaultViewState): string {
  const params = new URLSearchParams()
  const sameCenter =
    Math.abs(state.center[0] - defaults.center[0]) < 1e-6 &&
    Math.abs(state.center[1] - defaults.center[1]) < 1e-6
  if (!sameCenter) params.set('c', `${state.center[0].toFixed(5)},${state.center[1].toFixed(5)}`)
  if (Math.abs(state.zoom - defaults.zoom) > 1e-3) params.set('z', String(Number(state.zoom.toFixed(2))))
  if (state.window) params.set('t', formatWindow(state.window))
  if (state.kinds.length) params.set('k', state.kinds.join(','))
  if (state.categories.length) params.set('cat', state.categories.join(','))
  if (state.tags.length) params.set('tag', state.tags.join(','))
  if (state.q) params.set('q', state.q)
  if (state.selected) params.set('sel', state.selected)
  if (state.initiative) params.set('init', state.initiative)
  const text = params.toString().replaceAll('%2C', ',')
  return text ? `?${text}` : ''
}

/**
 * The client's own pages and their paths; everything else about the view lives in the query. A new screen adds
 * its path here and its definition in `pages.tsx`.
 */
export const pagePaths = {
  wallet: '/wallet',
  groups: '/groups',
  moderation: '/moderation',
  currencies: '/currencies',
  admin: '/admin',
  account: '/account',
  'open-data': '/open-data',
  pacts: '/pacts',
  initiatives: '/initiatives',
  'reset-password': '/reset-password',
  'verify-email': '/verify-email',
  unsubscribe: '/unsubscribe',
} as const satisfies Record<string, `/${string}`>

export type Page = 'map' | keyof typeof pagePaths

const pageByPath = new Map<string, Page>(
  Object.entries(pagePaths).map(([page, path]) => [path, page as keyof typeof pagePaths]),
)

export function pageOf(pathname: string): Page {
  return pageByPath.get(pathname.replace(/\/+$/, '')) ?? 'map'
}

export function pathOf(page: Page): string {
  return page === 'map' ? '/' : pagePaths[page]
}

/**
 * A page's own item in its URL (`/pacts?id=…`: the pact the page shows), read and written by the page. The shell
 * keeps it while that page stays open, so a link to one item opens it and a reload keeps it.
 */
const pageItemParam = 'id'
const pageItemPattern = /^[a-z0-9][a-z0-9-]{0,62}$/i

export function pageItemOf(search: string): string | null {
  const item = new URLSearchParams(search).get(pageItemParam)
  return item && pageItemPattern.test(item) ? item : null
}

/** The URL with this page item (or none), the rest of its query kept as it is. */
export function withPageItem(url: string, item: string | null): string {
  const [path, query = ''] = url.split('?', 2) as [string, string?]
  const params = new URLSearchParams(query)
  params.delete(pageItemParam)
  if (item) params.set(pageItemParam, item)
  const text = params.toString().replaceAll('%2C', ',')
  return text ? `${path}?${text}` : path
}

/**
 * The token of an emailed link (`/reset-password?token=…`, `/verify-email?token=…`), read once when the app loads:
 * the shell then rewrites the address to its own form, which leaves the token out of the history.
 */
export function linkTokenOf(search: string): string | null {
  const token = new URLSearchParams(search).get('token')
  return token && token.length <= 256 ? token : null
}
