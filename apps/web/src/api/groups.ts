import type {
  GroupMember,
  GroupMemberList,
  GroupRole,
  JoinRequest,
  JoinRequestList,
  MyGroupList,
} from '@quartiere/contracts'
import type { ApiClient } from './client'

/** The calls of the groups screens: my groups, a group's members and requests, roles and removals. */

/** Members and requests shown per page (the API's maximum is 100). */
export const groupPageSize = 20

const groupPath = (groupId: string) => `/api/entities/${encodeURIComponent(groupId)}`

export function myGroups(api: ApiClient, cursor?: string) {
  return api.request<MyGroupList>('/api/me/groups', {
    query: { cursor, limit: 100 },
    auth: 'required',
  })
}

export function groupMembers(api: ApiClient, groupId: string, cursor?: string) {
  return api.request<GroupMemberList>(`${groupPath(groupId)}/members`, {
    query: { cursor, limit: groupPageSize },
    auth: 'optional',
  })
}

export function joinRequests(api: ApiClient, groupId: string, cursor?: string) {
  return api.request<JoinRequestList>(`${groupPath(groupId)}/join-requests`, {
    query: { cursor, limit: groupPageSize },
    auth: 'required',
  })
}

export function decideJoinRequest(api: ApiClient, groupId: string, requestId: string, approve: boolean) {
  return api.request<JoinRequest>(
    `${groupPath(groupId)}/join-requests/${encodeURIComponent(requestId)}/${approve ? 'approve' : 'reject'}`,
    { method: 'POST', auth: 'required' },
  )
}

export function changeMemberRole(api: ApiClient, groupId: string, userId: string, role: GroupRole) {
  return api.request<GroupMember>(`${groupPath(groupId)}/members/${encodeURIComponent(userId)}`, {
    method: 'PATCH',
    body: { role },
    auth: 'required',
  })
}

export async function removeMember(api: ApiClient, groupId: string, userId: string): Promise<void> {
  await api.requestResponse(`${groupPath(groupId)}/members/${encodeURIComponent(userId)}`, {
    method: 'DELETE',
    auth: 'required',
  })
}
