import type { Dashboard } from '@quartiere/contracts'
import type { ApiClient } from './client'

/** The organisers' figures for whole months `from`..`to` (YYYY-MM, both included); admins. */
export function dashboard(api: ApiClient, from: string, to: string, signal?: AbortSignal) {
  return api.request<Dashboard>('/api/admin/dashboard', {
    query: { from, to },
    auth: 'required',
    ...(signal ? { signal } : {}),
  })
}
