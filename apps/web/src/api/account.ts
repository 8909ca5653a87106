import type {
  AuthTokens,
  EntityCollection,
  PostList,
  ProfilePatchBody,
  SessionsRevoked,
  User,
} from '@quartiere/contracts'
import type { ApiClient } from './client'
import { downloadFile } from './download'

/** The calls of the account page: my profile, password, sessions, my things and posts, my data, erasure. */

/** Rows per page of "my things" and "my posts". */
export const accountListPageSize = 20

export function updateProfile(api: ApiClient, body: ProfilePatchBody): Promise<User> {
  return api.request<User>('/api/me', { method: 'PATCH', body, auth: 'required' })
}

/** Answers a fresh pair for this session: every other session is signed out by the change. */
export function changePassword(
  api: ApiClient,
  body: { currentPassword: string; newPassword: string },
): Promise<AuthTokens> {
  return api.request<AuthTokens>('/api/me/password', { method: 'POST', body, auth: 'required' })
}

export function signOutEverywhere(api: ApiClient): Promise<SessionsRevoked> {
  return api.request<SessionsRevoked>('/api/me/sessions', { method: 'DELETE', auth: 'required' })
}

/** The things I put on the map, newest first. */
export function myThings(api: ApiClient, userId: string, cursor?: string): Promise<EntityCollection> {
  return api.request<EntityCollection>('/api/entities', {
    query: { author: userId, limit: accountListPageSize, cursor },
    auth: 'required',
  })
}

export function myPosts(api: ApiClient, cursor?: string): Promise<PostList> {
  return api.request<PostList>('/api/me/posts', {
    query: { limit: accountListPageSize, cursor },
    auth: 'required',
  })
}

/** Everything the platform holds about me, saved as the dated JSON file the server names. */
export function downloadPersonalData(api: ApiClient): Promise<string> {
  return downloadFile(api, '/api/me/export', 'quartiere-personal-data.json')
}

export async function eraseAccount(api: ApiClient, password: string): Promise<void> {
  await api.requestResponse('/api/me', { method: 'DELETE', body: { password }, auth: 'required' })
}
