import type {
  EntityCollection,
  Pact,
  PactCreateBody,
  PactDocumentBody,
  PactList,
  PactPatchBody,
  PactReportBody,
  PactStatus,
} from '@quartiere/contracts'
import type { ApiClient } from './client'

/** The pacts screens' calls: the list by step, one pact, and each of its writes. */

export function listPacts(api: ApiClient, filter: { status?: PactStatus; cursor?: string }) {
  return api.request<PactList>('/api/pacts', {
    query: { status: filter.status, cursor: filter.cursor, limit: 20 },
  })
}

export function getPact(api: ApiClient, id: string, signal?: AbortSignal) {
  return api.request<Pact>(`/api/pacts/${encodeURIComponent(id)}`, signal ? { signal } : {})
}

export function proposePact(api: ApiClient, body: PactCreateBody) {
  return api.request<Pact>('/api/pacts', { method: 'POST', body, auth: 'required' })
}

/** Changes the pact as it was at `version`: a change made meanwhile is refused (412), not overwritten. */
export function updatePact(api: ApiClient, id: string, version: number, body: PactPatchBody) {
  return api.request<Pact>(`/api/pacts/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body,
    headers: { 'if-match': `"${version}"` },
    auth: 'required',
  })
}

export function transitionPact(api: ApiClient, id: string, to: PactStatus, note?: string) {
  return api.request<Pact>(`/api/pacts/${encodeURIComponent(id)}/transitions`, {
    method: 'POST',
    body: { to, ...(note ? { note } : {}) },
    auth: 'required',
  })
}

export function addPactDocument(api: ApiClient, id: string, body: PactDocumentBody) {
  return api.request<Pact>(`/api/pacts/${encodeURIComponent(id)}/documents`, {
    method: 'POST',
    body,
    auth: 'required',
  })
}

export function reportPactActivity(api: ApiClient, id: string, body: PactReportBody) {
  return api.request<Pact>(`/api/pacts/${encodeURIComponent(id)}/reports`, {
    method: 'POST',
    body,
    auth: 'required',
  })
}

/** Things of one kind whose text matches, to choose a pact's spaces and groups from the map. */
export function searchThings(api: ApiClient, kind: 'space' | 'group', q: string, signal?: AbortSignal) {
  return api.request<EntityCollection>('/api/entities', {
    query: { kinds: kind, q, limit: 10 },
    ...(signal ? { signal } : {}),
  })
}
