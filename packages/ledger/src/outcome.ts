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
