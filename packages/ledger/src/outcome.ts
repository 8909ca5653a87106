import type { LedgerFailureCode } from './types'

/** Why a ledger request was refused before or by the ledger itself. */
export type LedgerServiceFailureCode =
  | LedgerFailureCode
  | 'not_found'
  | 'forbidden'
  | 'invalid_amount'
  | 'currency_not_found'
  | 'idempotency_key_mismatch'
  | 'invalid_cursor'
  | 'not_exchangeable'
  | 'own_entity'
  | 'limit_below_balance'

export type LedgerFailure = { ok: false; code: LedgerServiceFailureCode; message: string }
export type LedgerOutcome<T> = ({ ok: true } & T) | LedgerFailure

export function refuse(code: LedgerServiceFailureCode, message: string): LedgerFailure {
  return { ok: false, code, message }
}

/**
 * Refusals of community currencies and campaigns, on top of the ledger's own. Kept apart from
 * `LedgerServiceFailureCode` so that the time-credit routes' exhaustive mapping stays as it is; the currency and
 * campaign routes map these and delegate the rest.
 */
export type CommunityLedgerFailureCode =
  | 'currency_exists'
  | 'supply_cap_reached'
  | 'not_redeemable'
  | 'credit_line_with_cap'
  | 'invalid_campaign'
  | 'entity_not_linkable'
  | 'campaign_exists'
  | 'campaign_locked'
  | 'campaign_not_started'
  | 'campaign_closed'
  | 'campaign_full'
  | 'own_campaign'
  | 'already_deposited'
  | 'too_many_pledges'

export type CommunityLedgerFailure = {
  ok: false
  code: LedgerServiceFailureCode | CommunityLedgerFailureCode
  message: string
}
export type CommunityLedgerOutcome<T> = ({ ok: true } & T) | CommunityLedgerFailure

export function refuseCommunity(
  code: LedgerServiceFailureCode | CommunityLedgerFailureCode,
  message: string,
): CommunityLedgerFailure {
  return { ok: false, code, message }
}
