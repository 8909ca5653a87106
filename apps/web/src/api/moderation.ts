import type {
  ModerationAction,
  ModerationActionList,
  ModerationActionsQuery,
  ModerationQueue,
} from '@quartiere/contracts'
import type { ApiClient } from './client'

/** The calls of the moderation screen: the queue, hiding and restoring, dismissing, the audit log. */

export const moderationPageSize = 20

export type ModerationTarget = ModerationAction['targetType']
export type ModerationLogFilters = Omit<ModerationActionsQuery, 'limit' | 'cursor'>

export function moderationQueue(api: ApiClient, cursor?: string) {
  return api.request<ModerationQueue>('/api/moderation/queue', {
    query: { cursor, limit: moderationPageSize },
    auth: 'required',
  })
}

export function setHidden(
  api: ApiClient,
  target: { targetType: ModerationTarget; targetId: string },
  hide: boolean,
  reason: string,
) {
  return api.request<ModerationAction>(`/api/moderation/${hide ? 'hide' : 'restore'}`, {
    method: 'POST',
    body: { ...target, reason },
    auth: 'required',
  })
}

export function dismissReport(api: ApiClient, reportId: string, reason: string) {
  return api.request<ModerationAction>(`/api/moderation/reports/${encodeURIComponent(reportId)}/dismiss`, {
    method: 'POST',
    body: { reason },
    auth: 'required',
  })
}

export function moderationLog(api: ApiClient, filters: ModerationLogFilters, cursor?: string) {
  return api.request<ModerationActionList>('/api/moderation/actions', {
    query: { ...filters, cursor, limit: moderationPageSize },
    auth: 'required',
  })
}
