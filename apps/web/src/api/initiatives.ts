import type { EntityCollection, Initiative, InitiativeList } from '@quartiere/contracts'
import type { ApiClient } from './client'

/** The initiatives screens' calls: the list, one initiative, its things, and its curators' changes. */

export function listInitiatives(api: ApiClient) {
  return api.request<InitiativeList>('/api/initiatives')
}

export function getInitiative(api: ApiClient, ref: string, signal?: AbortSignal) {
  return api.request<Initiative>(`/api/initiatives/${encodeURIComponent(ref)}`, signal ? { signal } : {})
}

/** The things of an initiative, wherever they are (a list, not the map's view). */
export const initiativeThingsMax = 100

export function initiativeThings(api: ApiClient, slug: string, signal?: AbortSignal) {
  return api.request<EntityCollection>('/api/entities', {
    query: { initiative: slug, limit: initiativeThingsMax },
    ...(signal ? { signal } : {}),
  })
}

export function searchAnyThing(api: ApiClient, q: string, signal?: AbortSignal) {
  return api.request<EntityCollection>('/api/entities', {
    query: { q, limit: 10 },
    ...(signal ? { signal } : {}),
  })
}

export function setInitiativeThing(api: ApiClient, slug: string, entityId: string, member: boolean) {
  return api.request<Initiative>(
    `/api/initiatives/${encodeURIComponent(slug)}/entities/${encodeURIComponent(entityId)}`,
    { method: member ? 'PUT' : 'DELETE', auth: 'required' },
  )
}
