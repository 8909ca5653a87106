import type { Media, MediaList, MediaPatchBody } from '@quartiere/contracts'
import { mediaUploadBytesMax, mediaUploadTypes } from '@quartiere/contracts/community-limits'
import type { ApiClient, TokenSource } from './client'
import { ApiProblem, networkProblem, problemFrom } from './problem'

/** The images of a thing, oldest first, with what the reader may do with each. */
export function entityMedia(api: ApiClient, entityId: string, signal?: AbortSignal): Promise<MediaList> {
  return api.request<MediaList>(`/api/entities/${encodeURIComponent(entityId)}/media`, {
    ...(signal ? { signal } : {}),
  })
}

export function describeMedia(api: ApiClient, id: string, altText: string): Promise<Media> {
  const body: MediaPatchBody = { altText }
  return api.request<Media>(`/api/media/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body,
    auth: 'required',
  })
}

export async function deleteMedia(api: ApiClient, id: string): Promise<void> {
  await api.requestResponse(`/api/media/${encodeURIComponent(id)}`, { method: 'DELETE', auth: 'required' })
}

/** Why a file cannot be sent, found before sending it, from the API's own limits (the contracts). */
export type FileRefusal = 'wrong_type' | 'too_large'

const acceptedTypes = new Set<string>(mediaUploadTypes)

export function fileRefusal(file: Pick<File, 'type' | 'size'>): FileRefusal | null {
  if (!acceptedTypes.has(file.type.toLowerCase())) return 'wrong_type'
  if (file.size > mediaUploadBytesMax) return 'too_large'
  return null
}

export const mediaUploadBytesMaxMiB = mediaUploadBytesMax / (1024 * 1024)

/**
 * Uploads one image as multipart/form-data with XMLHttpRequest, the one browser API that reports upload progress
 * (`onProgress` gets 0..1). The bearer token comes from the session, refreshed once if the API answers 401, as
 * ApiClient does. Refusals are thrown as the API's problem.
 */
export async function uploadMedia(
  api: ApiClient,
  tokens: TokenSource,
  file: File,
  options: { entityId?: string; altText?: string },
  onProgress: (fraction: number) => void,
): Promise<Media> {
  const query: Record<string, string> = {}
  if (options.entityId) query.entityId = options.entityId
  if (options.altText?.trim()) query.altText = options.altText.trim()
  const url = api.url('/api/media', query)
  let token = await tokens.accessToken()
  if (!token)
    throw new ApiProblem({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'unauthorized' })
  let response = await send(url, token, file, onProgress)
  if (response.status === 401) {
    token = await tokens.refreshAfterUnauthorized(token)
    if (!token)
      throw new ApiProblem({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'unauthorized' })
    response = await send(url, token, file, onProgress)
  }
  if (!response.ok) throw await problemFrom(response)
  return (await response.json()) as Media
}

function send(
  url: string,
  token: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('POST', url)
    request.setRequestHeader('authorization', `Bearer ${token}`)
    request.setRequestHeader('accept', 'application/json')
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
    }
    request.onload = () => {
      onProgress(1)
      const headers = new Headers()
      const type = request.getResponseHeader('content-type')
      if (type) headers.set('content-type', type)
      resolve(
        new Response(request.status === 204 ? null : request.responseText, {
          status: request.status,
          statusText: request.statusText,
          headers,
        }),
      )
    }
    request.onerror = () => reject(networkProblem(new Error('the upload did not reach the server')))
    const form = new FormData()
    form.append('file', file, file.name || 'photo')
    request.send(form)
  })
}
