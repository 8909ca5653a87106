import type { EntityCollection } from '@quartiere/contracts'
import { type ApiClient, entitiesQuery } from './client'

/** Enough things to choose from in a combobox without a long read-out. */
export const placeSearchLimit = 10
/** The things around a drawn shape the parent picker offers before anything is typed. */
export const nearbyThingsLimit = 20

const entitiesPath = '/api/entities'

/** Things whose title or text matches (the API's full-text search, Italian and English), anywhere. */
export function searchThings(api: ApiClient, text: string, signal?: AbortSignal) {
  return api.request<EntityCollection>(entitiesPath, {
    query: { ...entitiesQuery({ q: text, limit: placeSearchLimit }) },
    ...(signal ? { signal } : {}),
  })
}

/** Things in a box (minLon, minLat, maxLon, maxLat): the candidates near a drawn shape. */
export function thingsNear(api: ApiClient, bbox: [number, number, number, number], signal?: AbortSignal) {
  return api.request<EntityCollection>(entitiesPath, {
    query: { ...entitiesQuery({ bbox, limit: nearbyThingsLimit }) },
    ...(signal ? { signal } : {}),
  })
}
