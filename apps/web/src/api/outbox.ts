import type { ApiClient } from './client'
import { ApiProblem } from './problem'

/** A creation as the queue keeps it: its path, its body, and its Idempotency-Key. */
export interface QueuedWrite {
  id: string
  path: string
  /** A change (PATCH with If-Match) rather than a creation (POST with the key). */
  method?: 'PATCH'
  ifMatch?: number
  body: Record<string, unknown>
}

/** The API's answer to a creation, with the version its ETag names. */
export interface Created {
  value: unknown
  version: number
}

/**
 * Sends a creation with its Idempotency-Key: sent again with the same key (from the queue, after a reload, from
 * another tab), it is answered with the first answer and never creates twice.
 */
export async function sendWrite(api: ApiClient, write: QueuedWrite): Promise<Created> {
  const response = await api.requestResponse(write.path, {
    method: write.method ?? 'POST',
    body: write.body,
    // A change is made once by its If-Match: sent again after it landed, it is a 412 (see `changeLanded`).
    headers:
      write.method === 'PATCH' ? { 'if-match': `"${write.ifMatch ?? 0}"` } : { 'idempotency-key': write.id },
    auth: 'required',
  })
  const match = /"?(\d+)"?$/.exec(response.headers.get('etag') ?? '')
  return { value: await response.json(), version: match?.[1] ? Number(match[1]) : 0 }
}

/** Whether a failure is the network's (offline, the server out of reach), not an answer of the API. */
export function isNetworkFailure(failure: unknown): boolean {
  return failure instanceof ApiProblem ? failure.status === 0 : failure instanceof TypeError
}

/** The words of a thing's change that a person compares: its title and description. */
export const comparedFields = ['title', 'description'] as const

/**
 * Whether a change refused as stale (412) is in fact the one the queue sent before, whose answer was lost: the
 * thing's title and description are already the ones it sets.
 */
export function changeLanded(change: Record<string, unknown>, current: Record<string, unknown>): boolean {
  return comparedFields.every((key) => !(key in change) || (current[key] ?? '') === (change[key] ?? ''))
}
