import type { CommunityLedgerFailure, LedgerFailure } from '@quartiere/ledger'
import type { CommunityFailure, MapFailure } from '@quartiere/map'
import type { OpenDataFailure } from '@quartiere/opendata'
import type { PushFailure } from '@quartiere/push'
import {
  type AccessTokenFailure,
  type AuthenticationFailure,
  accessTokenProblem,
  authenticationProblem,
  communityLedgerProblem,
  communityProblem,
  type EmailLinkFailure,
  type ErasureFailure,
  emailLinkProblem,
  erasureProblem,
  type ImageFailure,
  imageProblem,
  ledgerProblem,
  type MemberSearchFailure,
  mapProblem,
  memberSearchProblem,
  openDataProblem,
  type PasswordChangeFailure,
  type PasswordResetFailure,
  type ProfileChangeFailure,
  passwordChangeProblem,
  passwordResetProblem,
  profileChangeProblem,
  pushProblem,
  type RefreshFailure,
  type RegistrationFailure,
  type RoleChangeFailure,
  type RoleChangesPageFailure,
  refreshProblem,
  registrationProblem,
  roleChangeProblem,
  roleChangesPageProblem,
  type VerificationRequestFailure,
  verificationRequestProblem,
} from './outcome-problems'
import type { ApiError } from './problem'

/**
 * Samples of every refusal the domain packages can give, for the tests: the mapping's own test, and the check
 * that the web client words each of them for people.
 *
 * One refusal of each code a union can carry. The mapped type makes the compiler demand every code of the union
 * and nothing else: a code added to a domain package fails `pnpm typecheck` here until it has a sample, and the
 * sample then has to map to a client error (outcome-problems.test.ts).
 */
export type Samples<F extends { code: string }> = { [C in F['code']]: F & { code: C } }

export const message = 'refused'

export const mapSamples: Samples<MapFailure> = {
  invalid_geometry: { ok: false, code: 'invalid_geometry', message, path: '/body/geometry' },
  geometry_too_large: { ok: false, code: 'geometry_too_large', message },
  invalid_properties: {
    ok: false,
    code: 'invalid_properties',
    message,
    errors: [{ path: '/body/properties/capacity', message }],
  },
  invalid_time_window: { ok: false, code: 'invalid_time_window', message },
  invalid_query: { ok: false, code: 'invalid_query', message },
  bbox_too_large: { ok: false, code: 'bbox_too_large', message },
  invalid_cursor: { ok: false, code: 'invalid_cursor', message },
  parent_not_found: { ok: false, code: 'parent_not_found', message },
  parent_cycle: { ok: false, code: 'parent_cycle', message },
  invalid_status_transition: { ok: false, code: 'invalid_status_transition', message },
  not_found: { ok: false, code: 'not_found', message },
  forbidden: { ok: false, code: 'forbidden', message },
  version_mismatch: { ok: false, code: 'version_mismatch', message, currentVersion: 3 },
}

export const communitySamples: Samples<CommunityFailure> = {
  ...mapSamples,
  rate_limited: { ok: false, code: 'rate_limited', message, retryAfterSeconds: 60 },
  already_member: { ok: false, code: 'already_member', message },
  already_requested: { ok: false, code: 'already_requested', message },
  last_owner: { ok: false, code: 'last_owner', message },
  not_a_member: { ok: false, code: 'not_a_member', message },
  not_a_group: { ok: false, code: 'not_a_group', message },
  not_a_pact: { ok: false, code: 'not_a_pact', message },
  request_not_pending: { ok: false, code: 'request_not_pending', message },
  invalid_link: { ok: false, code: 'invalid_link', message },
  invalid_media: { ok: false, code: 'invalid_media', message },
  already_hidden: { ok: false, code: 'already_hidden', message },
  not_hidden: { ok: false, code: 'not_hidden', message },
  report_not_open: { ok: false, code: 'report_not_open', message },
  slug_taken: { ok: false, code: 'slug_taken', message },
  removed: { ok: false, code: 'removed', message },
}

const ledger = <C extends LedgerFailure['code']>(code: C) => ({ ok: false as const, code, message })

const ledgerSamples: Samples<LedgerFailure> = {
  exceeds_credit_limit: ledger('exceeds_credit_limit'),
  exceeds_upper_limit: ledger('exceeds_upper_limit'),
  accounts_must_be_different: ledger('accounts_must_be_different'),
  currency_mismatch: ledger('currency_mismatch'),
  exists_with_different_fields: ledger('exists_with_different_fields'),
  account_not_found: ledger('account_not_found'),
  pending_not_found: ledger('pending_not_found'),
  pending_already_resolved: ledger('pending_already_resolved'),
  pending_expired: ledger('pending_expired'),
  exceeds_pending_amount: ledger('exceeds_pending_amount'),
  reversal_not_found: ledger('reversal_not_found'),
  reversal_not_allowed: ledger('reversal_not_allowed'),
  already_reversed: ledger('already_reversed'),
  exceeds_transfer_amount_max: ledger('exceeds_transfer_amount_max'),
  exceeds_daily_amount_max: ledger('exceeds_daily_amount_max'),
  exceeds_daily_transfers_max: ledger('exceeds_daily_transfers_max'),
  exceeds_unverified_transfer_max: ledger('exceeds_unverified_transfer_max'),
  not_found: ledger('not_found'),
  forbidden: ledger('forbidden'),
  invalid_amount: ledger('invalid_amount'),
  currency_not_found: ledger('currency_not_found'),
  idempotency_key_mismatch: ledger('idempotency_key_mismatch'),
  invalid_cursor: ledger('invalid_cursor'),
  not_exchangeable: ledger('not_exchangeable'),
  own_entity: ledger('own_entity'),
  limit_below_balance: ledger('limit_below_balance'),
}

const communityLedger = <C extends CommunityLedgerFailure['code']>(code: C) => ({
  ok: false as const,
  code,
  message,
})

const communityLedgerSamples: Samples<CommunityLedgerFailure> = {
  ...ledgerSamples,
  currency_exists: communityLedger('currency_exists'),
  supply_cap_reached: communityLedger('supply_cap_reached'),
  not_redeemable: communityLedger('not_redeemable'),
  credit_line_with_cap: communityLedger('credit_line_with_cap'),
  invalid_campaign: communityLedger('invalid_campaign'),
  entity_not_linkable: communityLedger('entity_not_linkable'),
  campaign_exists: communityLedger('campaign_exists'),
  campaign_locked: communityLedger('campaign_locked'),
  campaign_not_started: communityLedger('campaign_not_started'),
  campaign_closed: communityLedger('campaign_closed'),
  campaign_full: communityLedger('campaign_full'),
  own_campaign: communityLedger('own_campaign'),
  already_deposited: communityLedger('already_deposited'),
  too_many_pledges: communityLedger('too_many_pledges'),
}

export const openDataSamples: Samples<OpenDataFailure> = {
  invalid_query: { ok: false, code: 'invalid_query', message, path: '/bbox' },
  invalid_filter: { ok: false, code: 'invalid_filter', message, position: 7 },
  invalid_cursor: { ok: false, code: 'invalid_cursor', message },
  not_found: { ok: false, code: 'not_found', message },
  forbidden: { ok: false, code: 'forbidden', message },
}

export const accessTokenSamples: Samples<AccessTokenFailure> = {
  invalid_token: { ok: false, code: 'invalid_token', reason: 'no key with kid k-1' },
}

export const registrationSamples: Samples<RegistrationFailure> = {
  email_taken: { ok: false, code: 'email_taken' },
  weak_password: { ok: false, code: 'weak_password', reason: 'too_short' },
}

const authenticationSamples: Samples<AuthenticationFailure> = {
  invalid_credentials: { ok: false, code: 'invalid_credentials' },
}

export const passwordChangeSamples: Samples<PasswordChangeFailure> = {
  invalid_credentials: { ok: false, code: 'invalid_credentials' },
  weak_password: { ok: false, code: 'weak_password', reason: 'matches_identity' },
}

const profileChangeSamples: Samples<ProfileChangeFailure> = {
  blank_display_name: { ok: false, code: 'blank_display_name' },
  not_found: { ok: false, code: 'not_found' },
}

const refreshSamples: Samples<RefreshFailure> = {
  invalid_refresh_token: { ok: false, code: 'invalid_refresh_token' },
  refresh_token_reused: { ok: false, code: 'refresh_token_reused' },
}

const memberSearchSamples: Samples<MemberSearchFailure> = {
  invalid_cursor: { ok: false, code: 'invalid_cursor' },
}

export const erasureSamples: Samples<ErasureFailure> = {
  not_found: { ok: false, code: 'not_found', message },
  invalid_credentials: { ok: false, code: 'invalid_credentials', message },
  pending_transfers: { ok: false, code: 'pending_transfers', message, accountIds: ['a1'] },
  sole_group_owner: { ok: false, code: 'sole_group_owner', message, groupIds: ['g1'] },
  campaign_running: { ok: false, code: 'campaign_running', message, campaignIds: ['c1'] },
  last_admin: { ok: false, code: 'last_admin', message },
}

const emailLinkSamples: Samples<EmailLinkFailure> = {
  email_link_unknown: { ok: false, code: 'email_link_unknown' },
  email_link_expired: { ok: false, code: 'email_link_expired' },
  email_link_used: { ok: false, code: 'email_link_used' },
}

const passwordResetSamples: Samples<PasswordResetFailure> = {
  ...emailLinkSamples,
  weak_password: { ok: false, code: 'weak_password', reason: 'too_short' },
}

const verificationRequestSamples: Samples<VerificationRequestFailure> = {
  email_already_verified: { ok: false, code: 'email_already_verified' },
  not_found: { ok: false, code: 'not_found' },
}

const roleChangeSamples: Samples<RoleChangeFailure> = {
  forbidden: { ok: false, code: 'forbidden', message },
  not_found: { ok: false, code: 'not_found', message },
  last_admin: { ok: false, code: 'last_admin', message },
}

const roleChangesPageSamples: Samples<RoleChangesPageFailure> = {
  invalid_cursor: { ok: false, code: 'invalid_cursor', message },
}

const image = <C extends ImageFailure['code']>(code: C) => ({ ok: false as const, code, message })

const imageSamples: Samples<ImageFailure> = {
  not_an_image: image('not_an_image'),
  unsupported_image_type: image('unsupported_image_type'),
  image_too_large: image('image_too_large'),
}

const pushSamples: Samples<PushFailure> = {
  invalid_push_subscription: { ok: false, code: 'invalid_push_subscription', message },
  push_devices_limit: { ok: false, code: 'push_devices_limit', message },
  not_found: { ok: false, code: 'not_found', message },
}

/** Each union with its mapping, as [union, samples, mapping]. */
export const unions: [string, Record<string, { code: string }>, (failure: never) => ApiError][] = [
  ['map', mapSamples, mapProblem],
  ['community', communitySamples, communityProblem],
  ['ledger', ledgerSamples, ledgerProblem],
  ['currencies and campaigns', communityLedgerSamples, communityLedgerProblem],
  ['open data', openDataSamples, openDataProblem],
  ['access token', accessTokenSamples, accessTokenProblem],
  ['registration', registrationSamples, registrationProblem],
  ['authentication', authenticationSamples, authenticationProblem],
  ['password change', passwordChangeSamples, passwordChangeProblem],
  ['profile change', profileChangeSamples, profileChangeProblem],
  ['refresh', refreshSamples, refreshProblem],
  ['member search', memberSearchSamples, memberSearchProblem],
  ['erasure', erasureSamples, erasureProblem],
  ['image', imageSamples, imageProblem],
  ['role change', roleChangeSamples, roleChangeProblem],
  ['role changes page', roleChangesPageSamples, roleChangesPageProblem],
  ['email link', emailLinkSamples, emailLinkProblem],
  ['password reset', passwordResetSamples, passwordResetProblem],
  ['verification request', verificationRequestSamples, verificationRequestProblem],
  ['push', pushSamples, pushProblem],
]

/**
 * Codes a mapping answers under another name: a bad token and an erased account both read as not signed in.
 */
export const renamed: Record<string, Record<string, string>> = {
  'access token': { invalid_token: 'unauthorized' },
  erasure: { not_found: 'unauthorized' },
  'profile change': { not_found: 'unauthorized' },
  'verification request': { not_found: 'unauthorized' },
}

/** Every domain refusal as the API answers it: each union's sample of each code through its mapping. */
export function everyDomainRefusal(): { union: string; code: string; problem: ApiError }[] {
  return unions.flatMap(([union, samples, toProblem]) =>
    Object.entries(samples).map(([code, sample]) => ({ union, code, problem: toProblem(sample as never) })),
  )
}
