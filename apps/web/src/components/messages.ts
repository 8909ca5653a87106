import { ApiProblem } from '../api/problem'
import type { MessageKey } from '../i18n/dictionaries'
import type { I18n } from '../i18n/i18n'

/**
 * The stable problem codes the UI explains in the reader's language. Anything else shows the server's own
 * detail, which is written for people too (in English).
 */
const explained = new Set<string>([
  'network_error',
  'unauthorized',
  'forbidden',
  'not_found',
  'version_mismatch',
  'email_taken',
  'weak_password',
  'invalid_credentials',
  'refresh_token_reused',
  'exceeds_credit_limit',
  'exceeds_upper_limit',
  'accounts_must_be_different',
  'currency_mismatch',
  'account_not_found',
  'pending_already_resolved',
  'pending_expired',
  'exceeds_pending_amount',
  'not_exchangeable',
  'own_entity',
  'invalid_amount',
  'too_many_requests',
  'rate_limited',
  'invalid_status_transition',
  'parent_not_found',
  'parent_cycle',
  'invalid_geometry',
  'supply_cap_reached',
  'not_redeemable',
  'credit_line_with_cap',
  'currency_exists',
  'currency_not_found',
  'entity_not_linkable',
  'campaign_locked',
  'campaign_not_started',
  'campaign_closed',
  'campaign_full',
  'own_campaign',
  'too_many_pledges',
  'invalid_campaign',
  'campaign_exists',
  'already_deposited',
  'exists_with_different_fields',
  'reversal_not_found',
  'reversal_not_allowed',
  'already_reversed',
  'limit_below_balance',
  'pending_not_found',
  'ledger_overloaded',
  'exceeds_transfer_amount_max',
  'exceeds_daily_amount_max',
  'exceeds_daily_transfers_max',
  'overloaded',
  'already_member',
  'already_requested',
  'last_owner',
  'not_a_member',
  'not_a_group',
  'removed',
  'invalid_media',
  // The groups and moderation screens.
  'request_not_pending',
  'already_hidden',
  'not_hidden',
  'report_not_open',
  'invalid_query',
  // The account page.
  'pending_transfers',
  'sole_group_owner',
  'campaign_running',
  'blank_display_name',
  // Photos and reports
  'file_too_large',
  'unsupported_media_type',
  'not_an_image',
  'unsupported_image_type',
  'image_too_large',
  'invalid_upload',
  // Pacts of collaboration
  'not_a_pact',
  'invalid_link',
  'invalid_cursor',
])

export function problemMessage(i18n: I18n, problem: ApiProblem): string {
  if (problem.status === 429) return i18n.t('problem.rate_limited')
  if (explained.has(problem.code)) return i18n.t(`problem.${problem.code}` as MessageKey)
  return problem.detail
}

/** What went wrong, for a person: a problem the API answered, in the reader's words; anything else as it is. */
export function messageOf(i18n: I18n, failure: unknown): string {
  return failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure)
}
