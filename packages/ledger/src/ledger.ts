import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { AccountDirectory } from './account-directory'
import { TransferBatcher } from './batcher'

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
}

export function createLedger(db: Kysely<DB>, options: { batchesInFlightMax?: number } = {}): Ledger {
  return {
    db,
    accounts: new AccountDirectory(db),
    batcher: new TransferBatcher(
      db,
      options.batchesInFlightMax ? { inFlightMax: options.batchesInFlightMax } : {},
    ),
  }
}
