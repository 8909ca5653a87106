import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { AccountDirectory } from './account-directory'
import { TransferBatcher } from './batcher'
import type { TransferPolicy } from './types'

/** Holds checked for expiry per sweep. */
export const expiredHoldsPerSweepMax = 1000

/**
 * The ledger of one API process: its database and the batcher that groups concurrent transfers into shared
 * commits. Several processes on one PostgreSQL database each have their own; row locks keep them consistent.
 */
export interface Ledger {
  db: Kysely<DB>
  batcher: TransferBatcher
  accounts: AccountDirectory
  /** The deployment's rules for every transfer (the cap on members whose address is not confirmed). */
  policy: TransferPolicy
}

export function createLedger(
  db: Kysely<DB>,
  options: { batchesInFlightMax?: number; transferPolicy?: TransferPolicy } = {},
): Ledger {
  const policy = options.transferPolicy ?? {}
  return {
    db,
    accounts: new AccountDirectory(db),
    policy,
    batcher: new TransferBatcher(db, {
      policy,
      ...(options.batchesInFlightMax ? { inFlightMax: options.batchesInFlightMax } : {}),
    }),
  }
}
