import type { Campaign, CampaignCreateBody } from '@quartiere/contracts'
import type { ApiClient, Page } from './client'

/** The campaigns listing as `CampaignList` declares it. */
export type CampaignListAnswer = Page<Campaign> & { canOpen?: boolean }

/** The campaigns of one place or project, with whether the reader may open one there (`canOpen`). */
export function campaignsOn(api: ApiClient, entityId: string, signal?: AbortSignal) {
  return api.request<CampaignListAnswer>('/api/campaigns', {
    query: { entityId, limit: 1 },
    ...(signal ? { signal } : {}),
  })
}

/** Opens a campaign on an existing place or project; the key makes a retry open it once. */
export function openCampaign(api: ApiClient, body: Omit<CampaignCreateBody, 'id'>, idempotencyKey: string) {
  return api.request<Campaign>('/api/campaigns', {
    method: 'POST',
    body,
    headers: { 'idempotency-key': idempotencyKey },
    auth: 'required',
  })
}
