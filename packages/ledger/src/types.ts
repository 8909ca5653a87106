/** How a transfer row came to be: a plain posting, a hold, or the post or void that resolves a hold. */
export type TransferType = 'posted' | 'pending' | 'post_pending' | 'void_pending'

/** A transfer as the ledger stores it. Amounts and balances are exact minor units. */
export interface TransferRecord {
  id: string
  seq: string
  type: TransferType
  debitAccountId: string
  creditAccountId: string
  amount: bigint
  currency: string
  pendingId: string | null
  reversalOf: string | null
  expiresAt: Date | null
  memo: string
  entityId: string | null
  createdBy: string | null
  createdAt: Date
  debitBalanceAfter: bigint
  creditBalanceAfter: bigint
}

/** What the ledger is asked to do, after the service resolved accounts, amounts and permissions. */
export type LedgerCommand =
  | {
      kind: 'create'
      /** Client-chosen: the idempotency key and the transfer's id. */
      id: string
      debitAccountId: string
      creditAccountId: string
      amount: bigint
      currency: string
      /** A hold: reserved now, posted or voided later (or voided by expiry). */
      pending: boolean
      timeoutSeconds: number | null
      memo: string
      entityId: string | null
      reversalOf: string | null
      createdBy: string | null
    }
  | {
      kind: 'post'
      /** The id of the resolving transfer: an idempotency key of its own. */
      id: string
      pendingId: string
      /** Post less than was held; null posts the full amount. */
      amount: bigint | null
      createdBy: string | null
    }
  | { kind: 'void'; id: string; pendingId: string; memo: string; createdBy: string | null }

/** Expected business results, as values. Each maps to a problem response with the same `code`. */
export type LedgerFailureCode =
  | 'exceeds_credit_limit'
  | 'exceeds_upper_limit'
  | 'accounts_must_be_different'
  | 'currency_mismatch'
  | 'exists_with_different_fields'
  | 'account_not_found'
  | 'pending_not_found'
  | 'pending_already_resolved'
  | 'pending_expired'
  | 'exceeds_pending_amount'
  | 'reversal_not_found'
  | 'reversal_not_allowed'
  | 'already_reversed'
  | 'exceeds_transfer_amount_max'
  | 'exceeds_daily_amount_max'
  | 'exceeds_daily_transfers_max'
  | 'exceeds_unverified_transfer_max'

export type CommandOutcome =
  | { ok: true; transfer: TransferRecord; replayed: boolean }
  | { ok: false; code: LedgerFailureCode; message: string; replayed: boolean }

/**
 * Rules of one deployment that the ledger applies to every transfer it creates (createLedger's
 * `transferPolicy`, from the API's configuration).
 */
export interface TransferPolicy {
  /**
   * The largest transfer, in whole units of its currency (a decimal string, e.g. "5"), that a member whose email
   * address is not confirmed may make, or receive from another member or a group. Null or absent: no such cap.
   * Reversals, and what system accounts pay out (issuance, campaign refunds and payouts), are not capped.
   */
  unverifiedTransferMax?: string | null
}
