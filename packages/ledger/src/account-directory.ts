import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { type AccountRow, ensureOwnerAccount, findAccount, findOwnerAccount } from './accounts'

/** What never changes about an account once it is opened: who owns it and in which currency. */
export type AccountIdentity = Pick<
  AccountRow,
  'id' | 'currency' | 'owner_type' | 'owner_user_id' | 'owner_group_id' | 'system_name'
>

/** Identities remembered at most per process; past it the directory starts over. */
export const accountIdentitiesMax = 100_000

/**
 * Remembers account identities, so that a payment does not look up its two accounts in the database before
 * its batch: accounts are never deleted and their owner and currency never change. Balances and limits are
 * not here; the batch reads those under its row locks.
 */
export class AccountDirectory {
  readonly #db: Kysely<DB>
  readonly #byId = new Map<string, AccountIdentity>()
  readonly #byOwner = new Map<string, AccountIdentity>()

  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  async byId(id: string): Promise<AccountIdentity | undefined> {
    return this.#byId.get(id) ?? this.#remember(await findAccount(this.#db, id))
  }

  /** A member's or a group's account in a currency; `open` opens it when missing (to pay someone new). */
  async byOwner(
    owner: { userId: string } | { groupId: string },
    currency: string,
    open: boolean,
  ): Promise<AccountIdentity | undefined> {
    const key = 'userId' in owner ? `user:${owner.userId}:${currency}` : `group:${owner.groupId}:${currency}`
    const known = this.#byOwner.get(key)
    if (known) return known
    const row = open
      ? await ensureOwnerAccount(this.#db, owner, currency)
      : await findOwnerAccount(this.#db, owner, currency)
    const identity = this.#remember(row)
    if (identity) this.#byOwner.set(key, identity)
    return identity
  }

  #remember(row: AccountRow | undefined): AccountIdentity | undefined {
    if (!row) return undefined
    if (this.#byId.size >= accountIdentitiesMax) {
      this.#byId.clear()
      this.#byOwner.clear()
    }
    const identity: AccountIdentity = {
      id: row.id,
      currency: row.currency,
      owner_type: row.owner_type,
      owner_user_id: row.owner_user_id,
      owner_group_id: row.owner_group_id,
      system_name: row.system_name,
    }
    this.#byId.set(row.id, identity)
    return identity
  }
}
