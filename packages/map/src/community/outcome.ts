import type { MapFailure } from '../outcome'

/**
 * Why a community operation did not happen: the map's own outcomes (not found, forbidden, stale version…)
 * and those only the community layer has. Each is a business outcome the caller handles; bugs are thrown.
 */
export type CommunityFailure =
  | MapFailure
  | { ok: false; code: 'rate_limited'; message: string; retryAfterSeconds: number }
  | { ok: false; code: 'already_member'; message: string }
  | { ok: false; code: 'already_requested'; message: string }
  | { ok: false; code: 'last_owner'; message: string }
  | { ok: false; code: 'not_a_member'; message: string }
  | { ok: false; code: 'not_a_group'; message: string }
  | { ok: false; code: 'not_a_pact'; message: string }
  | { ok: false; code: 'request_not_pending'; message: string }
  | { ok: false; code: 'invalid_link'; message: string }
  | { ok: false; code: 'invalid_media'; message: string }
  | { ok: false; code: 'already_hidden'; message: string }
  | { ok: false; code: 'not_hidden'; message: string }
  | { ok: false; code: 'report_not_open'; message: string }
  | { ok: false; code: 'slug_taken'; message: string }
  | { ok: false; code: 'removed'; message: string }

export type CommunityFailureCode = CommunityFailure['code']
export type CommunityOutcome<T> = ({ ok: true } & T) | CommunityFailure

type Extra<C extends CommunityFailureCode> = Omit<
  Extract<CommunityFailure, { code: C }>,
  'ok' | 'code' | 'message'
>

export function refuse<C extends CommunityFailureCode>(
  code: C,
  message: string,
  ...extra: keyof Extra<C> extends never ? [] : [Extra<C>]
): Extract<CommunityFailure, { code: C }> {
  return { ok: false, code, message, ...(extra[0] ?? {}) } as Extract<CommunityFailure, { code: C }>
}
