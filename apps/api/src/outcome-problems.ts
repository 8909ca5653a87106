import type {
  AccessTokenVerification,
  AuthenticationOutcome,
  EmailVerificationOutcome,
  MemberSearchOutcome,
  PasswordChangeOutcome,
  PasswordResetOutcome,
  ProfileChangeOutcome,
  RefreshTokenRotation,
  RegistrationOutcome,
  RoleChangeOutcome,
  RoleChangesPage,
  VerificationRequestOutcome,
  WeakPasswordReason,
} from '@quartiere/auth'
import type { CommunityLedgerFailure, LedgerFailure } from '@quartiere/ledger'
import type { CommunityFailure, MapFailure } from '@quartiere/map'
import type { ProcessedImage } from '@quartiere/media'
import type { OpenDataFailure } from '@quartiere/opendata'
import type { ErasureOutcome } from '@quartiere/personal-data'
import type { PushFailure } from '@quartiere/push'
import { ApiError } from './problem'

/**
 * Every business outcome a domain package can refuse with, turned into the problem the API answers. One
 * function per outcome union, each an exhaustive `switch` the compiler checks: a new code in a domain package
 * does not compile until it has a status here. A code may mean different things in different unions
 * (`invalid_credentials` is a failed login, 401, but a wrong current password, 403), so the mapping is per
 * union rather than per code.
 */

/** The refusal of an outcome, whatever its union. */
type Refusal<O> = Extract<O, { ok: false }>

export type AccessTokenFailure = Refusal<AccessTokenVerification>
export type RegistrationFailure = Refusal<RegistrationOutcome>
export type AuthenticationFailure = Refusal<AuthenticationOutcome>
export type PasswordChangeFailure = Refusal<PasswordChangeOutcome>
export type RefreshFailure = Refusal<RefreshTokenRotation>
export type ProfileChangeFailure = Refusal<ProfileChangeOutcome>
export type MemberSearchFailure = Refusal<MemberSearchOutcome>
export type ErasureFailure = Refusal<ErasureOutcome>
export type ImageFailure = Refusal<ProcessedImage>
export type RoleChangeFailure = Refusal<RoleChangeOutcome>
export type RoleChangesPageFailure = Refusal<RoleChangesPage>
export type PasswordResetFailure = Refusal<PasswordResetOutcome>
export type EmailLinkFailure = Refusal<EmailVerificationOutcome>
export type VerificationRequestFailure = Refusal<VerificationRequestOutcome>

/**
 * An outcome's value, or its refusal thrown as the problem `toProblem` makes of it.
 *
 * @example
 * const { post } = unwrap(await getPost(db, actor, id), communityProblem)
 */
export function unwrap<O extends { ok: boolean }>(
  outcome: O,
  toProblem: (failure: Extract<O, { ok: false }>) => ApiError,
): Extract<O, { ok: true }> {
  if (!outcome.ok) throw toProblem(outcome as Extract<O, { ok: false }>)
  return outcome as Extract<O, { ok: true }>
}

/** The map domain: geometry, queries, versions, who may edit. */
export function mapProblem(failure: MapFailure): ApiError {
  switch (failure.code) {
    case 'invalid_geometry':
    case 'geometry_too_large':
    case 'invalid_time_window':
    case 'invalid_query':
    case 'bbox_too_large':
    case 'invalid_cursor':
      // A failure passed on from the geometry or time-window parsers may name the field, whatever its code.
      return new ApiError(400, failure.code, failure.message, {
        ...('path' in failure && failure.path
          ? { errors: [{ path: failure.path, message: failure.message }] }
          : {}),
      })
    case 'invalid_properties':
      return new ApiError(400, failure.code, failure.message, { errors: failure.errors })
    case 'parent_not_found':
    case 'parent_cycle':
    case 'invalid_status_transition':
      return new ApiError(422, failure.code, failure.message)
    case 'not_found':
      return new ApiError(404, failure.code, failure.message)
    case 'forbidden':
      return new ApiError(403, failure.code, failure.message)
    case 'version_mismatch':
      return new ApiError(412, failure.code, failure.message, {
        headers: { ETag: `"${failure.currentVersion}"` },
      })
    default:
      return unhandled('map', failure)
  }
}

/** The community layer (posts, groups, moderation, media, pacts, initiatives); the map's own as the map's. */
export function communityProblem(failure: CommunityFailure): ApiError {
  switch (failure.code) {
    case 'rate_limited':
      return new ApiError(429, failure.code, failure.message, {
        headers: { 'Retry-After': String(failure.retryAfterSeconds) },
      })
    case 'already_member':
    case 'already_requested':
    case 'last_owner':
    case 'request_not_pending':
    case 'already_hidden':
    case 'not_hidden':
    case 'report_not_open':
    case 'slug_taken':
    case 'removed':
      return new ApiError(409, failure.code, failure.message)
    case 'not_a_member':
      return new ApiError(404, failure.code, failure.message)
    case 'not_a_group':
    case 'not_a_pact':
    case 'invalid_link':
    case 'invalid_media':
      return new ApiError(422, failure.code, failure.message)
    default:
      // What is left is a map outcome: a new community code fails to compile here.
      return mapProblem(failure)
  }
}

/** The time-credit ledger: transfers, holds, accounts, exchanges. */
export function ledgerProblem(failure: LedgerFailure): ApiError {
  switch (failure.code) {
    case 'invalid_amount':
    case 'invalid_cursor':
    case 'idempotency_key_mismatch':
      return new ApiError(400, failure.code, failure.message)
    case 'forbidden':
      return new ApiError(403, failure.code, failure.message)
    case 'not_found':
    case 'pending_not_found':
      return new ApiError(404, failure.code, failure.message)
    case 'exists_with_different_fields':
      return new ApiError(409, failure.code, failure.message)
    case 'exceeds_credit_limit':
    case 'exceeds_upper_limit':
    case 'accounts_must_be_different':
    case 'currency_mismatch':
    case 'account_not_found':
    case 'currency_not_found':
    case 'pending_already_resolved':
    case 'pending_expired':
    case 'exceeds_pending_amount':
    case 'reversal_not_found':
    case 'reversal_not_allowed':
    case 'already_reversed':
    case 'not_exchangeable':
    case 'own_entity':
    case 'limit_below_balance':
    case 'exceeds_transfer_amount_max':
    case 'exceeds_daily_amount_max':
    case 'exceeds_daily_transfers_max':
    case 'exceeds_unverified_transfer_max':
      return new ApiError(422, failure.code, failure.message)
    default:
      return unhandled('ledger', failure.code)
  }
}

/** Community currencies and campaigns; the ledger's own refusals as the ledger's. */
export function communityLedgerProblem(failure: CommunityLedgerFailure): ApiError {
  switch (failure.code) {
    case 'invalid_campaign':
      return new ApiError(400, failure.code, failure.message)
    case 'currency_exists':
    case 'campaign_exists':
    case 'already_deposited':
      return new ApiError(409, failure.code, failure.message)
    case 'supply_cap_reached':
    case 'not_redeemable':
    case 'credit_line_with_cap':
    case 'entity_not_linkable':
    case 'campaign_locked':
    case 'campaign_not_started':
    case 'campaign_closed':
    case 'campaign_full':
    case 'own_campaign':
    case 'too_many_pledges':
      return new ApiError(422, failure.code, failure.message)
    default:
      // What is left is a ledger code: a new currency or campaign code fails to compile here.
      return ledgerProblem({ ok: false, code: failure.code, message: failure.message })
  }
}

/** Open data: OGC API queries and filters, exports, the iCalendar feed, the ledger statistics. */
export function openDataProblem(failure: OpenDataFailure): ApiError {
  switch (failure.code) {
    case 'invalid_query':
      return new ApiError(400, failure.code, failure.message, {
        ...(failure.path ? { errors: [{ path: failure.path, message: failure.message }] } : {}),
      })
    case 'invalid_filter':
      return new ApiError(400, failure.code, `filter, at character ${failure.position}: ${failure.message}`, {
        errors: [{ path: '/filter', message: `at character ${failure.position}: ${failure.message}` }],
      })
    case 'invalid_cursor':
      return new ApiError(400, failure.code, failure.message)
    case 'not_found':
      return new ApiError(404, failure.code, failure.message)
    case 'forbidden':
      return new ApiError(403, failure.code, failure.message)
    default:
      return unhandled('open-data', failure)
  }
}

const weakPasswordMessages: Record<WeakPasswordReason, string> = {
  too_short: 'the password must have at least 10 characters',
  too_long: 'the password must have at most 256 characters',
  matches_identity: 'the password must not be your email or your name',
}

/** A weak password, with the field it was sent in. */
function weakPassword(reason: WeakPasswordReason, field: string): ApiError {
  const message = weakPasswordMessages[reason]
  return new ApiError(400, 'weak_password', message, { errors: [{ path: field, message }] })
}

/** An access token that was sent but does not verify: its reason is for the log, never for the client. */
export function accessTokenProblem(failure: AccessTokenFailure): ApiError {
  switch (failure.code) {
    case 'invalid_token':
      return new ApiError(
        401,
        'unauthorized',
        'the access token is invalid or expired; refresh it or log in again',
        { headers: { 'WWW-Authenticate': 'Bearer' } },
      )
    default:
      return unhandled('access token', failure.code)
  }
}

/** Signing up. */
export function registrationProblem(failure: RegistrationFailure): ApiError {
  switch (failure.code) {
    case 'email_taken':
      return new ApiError(409, failure.code, 'an account with this email exists already; log in instead')
    case 'weak_password':
      return weakPassword(failure.reason, '/body/password')
    default:
      return unhandled('registration', failure)
  }
}

/** A link sent by email that cannot be used: unknown (or malformed), expired, or used already. */
export function emailLinkProblem(failure: EmailLinkFailure): ApiError {
  switch (failure.code) {
    case 'email_link_unknown':
      return new ApiError(400, failure.code, 'this link is not valid: ask for a new one')
    case 'email_link_expired':
      return new ApiError(410, failure.code, 'this link has expired: ask for a new one')
    case 'email_link_used':
      return new ApiError(409, failure.code, 'this link was used already')
    default:
      return unhandled('email link', failure.code)
  }
}

/** Setting a new password from a reset link: the link's refusals, or the password rules'. */
export function passwordResetProblem(failure: PasswordResetFailure): ApiError {
  switch (failure.code) {
    case 'weak_password':
      return weakPassword(failure.reason, '/body/password')
    default:
      return emailLinkProblem(failure)
  }
}

/** Asking for a new confirmation link. */
export function verificationRequestProblem(failure: VerificationRequestFailure): ApiError {
  switch (failure.code) {
    case 'email_already_verified':
      return new ApiError(409, failure.code, 'your email address is confirmed already')
    case 'not_found':
      return new ApiError(401, 'unauthorized', 'the account no longer exists')
    default:
      return unhandled('verification request', failure)
  }
}

/** Logging in: a wrong email and a wrong password read alike. */
export function authenticationProblem(failure: AuthenticationFailure): ApiError {
  switch (failure.code) {
    case 'invalid_credentials':
      return new ApiError(401, failure.code, 'the email or the password is wrong')
    default:
      return unhandled('authentication', failure.code)
  }
}

/** Changing one's password: the caller is signed in, so a wrong current password is a 403, not a 401. */
export function passwordChangeProblem(failure: PasswordChangeFailure): ApiError {
  switch (failure.code) {
    case 'invalid_credentials':
      return new ApiError(403, failure.code, 'the current password is wrong')
    case 'weak_password':
      return weakPassword(failure.reason, '/body/newPassword')
    default:
      return unhandled('password change', failure)
  }
}

/** Changing my display name or language. */
export function profileChangeProblem(failure: ProfileChangeFailure): ApiError {
  switch (failure.code) {
    case 'blank_display_name': {
      const message = 'the display name must have a visible character'
      return new ApiError(400, failure.code, message, { errors: [{ path: '/body/displayName', message }] })
    }
    case 'not_found':
      return new ApiError(401, 'unauthorized', 'the account no longer exists')
    default:
      return unhandled('profile change', failure)
  }
}

/** Trading a refresh token for a new pair. */
export function refreshProblem(failure: RefreshFailure): ApiError {
  switch (failure.code) {
    case 'refresh_token_reused':
      return new ApiError(
        401,
        failure.code,
        'this refresh token was used already; every session it started is now signed out, log in again',
      )
    case 'invalid_refresh_token':
      return new ApiError(401, failure.code, 'the refresh token is invalid or expired; log in again')
    default:
      return unhandled('refresh', failure)
  }
}

/** The member directory. */
export function memberSearchProblem(failure: MemberSearchFailure): ApiError {
  switch (failure.code) {
    case 'invalid_cursor':
      return new ApiError(400, failure.code, 'the cursor is not one we gave')
    default:
      return unhandled('member search', failure.code)
  }
}

/** An admin giving or taking a platform role. */
export function roleChangeProblem(failure: RoleChangeFailure): ApiError {
  switch (failure.code) {
    case 'forbidden':
      return new ApiError(403, failure.code, failure.message)
    case 'not_found':
      return new ApiError(404, failure.code, failure.message)
    case 'last_admin':
      return new ApiError(409, failure.code, failure.message)
    default:
      return unhandled('role change', failure)
  }
}

/** Reading the role changes log a page at a time. */
export function roleChangesPageProblem(failure: RoleChangesPageFailure): ApiError {
  switch (failure.code) {
    case 'invalid_cursor':
      return new ApiError(400, failure.code, failure.message)
    default:
      return unhandled('role changes page', failure.code)
  }
}

/** Erasing one's account (GDPR Art. 17): each refusal names what stands in the way. */
export function erasureProblem(failure: ErasureFailure): ApiError {
  switch (failure.code) {
    case 'not_found':
      return new ApiError(401, 'unauthorized', failure.message)
    case 'invalid_credentials':
      return new ApiError(403, failure.code, failure.message)
    case 'pending_transfers':
      return new ApiError(422, failure.code, `${failure.message} (accounts ${failure.accountIds.join(', ')})`)
    // The groups and campaigns that stand in the way travel as `errors` too, one per id (`/groups/<id>`), so that
    // a client can lead the member to each of them.
    case 'sole_group_owner':
      return new ApiError(422, failure.code, `${failure.message} (groups ${failure.groupIds.join(', ')})`, {
        errors: failure.groupIds.map((id) => ({ path: `/groups/${id}`, message: 'you are its only owner' })),
      })
    case 'last_admin':
      return new ApiError(422, failure.code, failure.message)
    case 'campaign_running':
      return new ApiError(
        422,
        failure.code,
        `${failure.message} (campaigns ${failure.campaignIds.join(', ')})`,
        {
          errors: failure.campaignIds.map((id) => ({
            path: `/campaigns/${id}`,
            message: 'it is still running',
          })),
        },
      )
    default:
      return unhandled('erasure', failure)
  }
}

/** An uploaded image the media pipeline would not take. */
export function imageProblem(failure: ImageFailure): ApiError {
  switch (failure.code) {
    case 'image_too_large':
      return new ApiError(413, failure.code, failure.message)
    case 'not_an_image':
    case 'unsupported_image_type':
      return new ApiError(422, failure.code, failure.message)
    default:
      return unhandled('image', failure.code)
  }
}

/**
 * Reached only when a switch above is not exhaustive, which the `never` makes a compile error. A union of
 * several shapes narrows to `never` itself; a single shape with a union of codes narrows its `code`.
 */
function unhandled(union: string, rest: never): never {
  throw new Error(`unhandled ${union} outcome ${JSON.stringify(rest)}`)
}

/** Web push: a subscription the server will not send to, too many devices, a device that is not the member's. */
export function pushProblem(failure: PushFailure): ApiError {
  switch (failure.code) {
    case 'invalid_push_subscription':
      return new ApiError(400, failure.code, failure.message)
    case 'push_devices_limit':
      return new ApiError(409, failure.code, failure.message)
    case 'not_found':
      return new ApiError(404, failure.code, failure.message)
  }
}
