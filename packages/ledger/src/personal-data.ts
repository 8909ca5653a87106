import type { PersonalDataExport } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { type RawBuilder, sql, type Transaction } from 'kysely'

/**
 * The ledger's part of a member's personal data (GDPR Art. 15, 17 and 20): its sections of the export, and what
 * erasing a member does to the books. packages/personal-data runs the parts of every domain in order.
 */

/** The export sections the ledger holds. */
export type LedgerPersonalDataSection =
  | 'accounts'
  | 'transfers'
  | 'exchanges'
  | 'campaigns'
  | 'pledges'
  | 'currencies'

/**
 * Reads one section of the export: `query` selects the section's fields and a `sort_key` and `sort_id`; the
 * reader caps the rows and records the section as truncated when there were more.
 */
export type LedgerSectionReader = <K extends LedgerPersonalDataSection>(
  name: K,
  query: RawBuilder<unknown>,
) => Promise<PersonalDataExport[K]>

type UserTable = keyof DB & string

/**
 * Every ledger column that holds a user id, and what erasure does with it (see packages/personal-data's
 * `userReferences`, which a test compares with the database's foreign keys to `users`).
 *
 * - `moved`: rows that stay, because others rely on them (the books): moved onto the tombstone.
 * - `special`: accounts, taken over and frozen by {@link moveMemberAccounts}.
 */
export const ledgerUserReferences = {
  deleted: [],
  moved: [
    ['transfers', 'created_by'],
    ['transfer_requests', 'created_by'],
    ['exchanges', 'provider_id'],
    ['exchanges', 'receiver_id'],
    ['exchanges', 'created_by'],
    ['currencies', 'created_by'],
    ['campaigns', 'owner_user_id'],
    ['campaigns', 'created_by'],
    ['campaign_pledges', 'backer_id'],
  ],
  special: [['accounts', 'owner_user_id']],
} as const satisfies Record<string, readonly (readonly [UserTable, string])[]>

/**
 * The ledger's sections of the member's export, each read through `section` (in the reader's snapshot).
 *
 * @example
 * const ledger = await exportMemberLedgerData(userId, section)
 * ledger.accounts // the member's accounts with their balances, as decimal strings
 */
export async function exportMemberLedgerData(
  userId: string,
  section: LedgerSectionReader,
): Promise<Pick<PersonalDataExport, LedgerPersonalDataSection>> {
  const me = sql`${userId}::uuid`
  const accounts = await section(
    'accounts',
    sql`SELECT a.id, a.currency, ${amount(sql`a.credits_posted - a.debits_posted`)} AS balance,
               ${amount(sql`a.debits_pending`)} AS "debitsPending",
               ${amount(sql`a.credits_pending`)} AS "creditsPending",
               ${amount(sql`a.lower_limit`)} AS "lowerLimit", ${amount(sql`a.upper_limit`)} AS "upperLimit",
               quartiere_iso(a.created_at) AS "createdAt", a.created_at AS sort_key, a.id AS sort_id
          FROM accounts a JOIN currencies c ON c.code = a.currency
         WHERE a.owner_type = 'user' AND a.owner_user_id = ${me}`,
  )

  // Each transfer once per account of mine it touches (a member has one account per currency, so at most once).
  const transfers = await section(
    'transfers',
    sql`SELECT t.id, mine.id AS "accountId",
               CASE WHEN t.debit_account_id = mine.id THEN 'debit' ELSE 'credit' END AS direction,
               t.type, ${amount(sql`t.amount`)} AS amount, t.currency,
               ${amount(sql`CASE WHEN t.debit_account_id = mine.id THEN t.debit_balance_after
                                 ELSE t.credit_balance_after END`)} AS "balanceAfter",
               json_build_object(
                 'accountId', other.id,
                 'ownerType', other.owner_type,
                 'name', CASE other.owner_type
                           WHEN 'user' THEN (SELECT display_name FROM users WHERE id = other.owner_user_id)
                           WHEN 'group' THEN (SELECT title FROM entities WHERE id = other.owner_group_id)
                           ELSE other.system_name END
               ) AS counterparty,
               t.memo, t.entity_id AS "entityId", t.pending_id AS "pendingId", t.reversal_of AS "reversalOf",
               quartiere_iso(t.expires_at) AS "expiresAt", coalesce(t.created_by = ${me}, false) AS "createdByMe",
               quartiere_iso(t.created_at) AS "createdAt", t.seq AS sort_key, t.id AS sort_id
          FROM accounts mine
          JOIN currencies c ON c.code = mine.currency
          JOIN transfers t ON t.debit_account_id = mine.id OR t.credit_account_id = mine.id
          JOIN accounts other ON other.id = CASE WHEN t.debit_account_id = mine.id THEN t.credit_account_id
                                                 ELSE t.debit_account_id END
         WHERE mine.owner_type = 'user' AND mine.owner_user_id = ${me}`,
  )

  const exchanges = await section(
    'exchanges',
    sql`SELECT x.id, x.entity_id AS "entityId",
               CASE WHEN x.provider_id = ${me} THEN 'provider' ELSE 'receiver' END AS role, x.hold_id AS "holdId",
               CASE r.type WHEN 'post_pending' THEN 'confirmed' WHEN 'void_pending' THEN 'cancelled' ELSE 'open' END
                 AS state,
               quartiere_iso(x.created_at) AS "createdAt", x.created_at AS sort_key, x.id AS sort_id
          FROM exchanges x LEFT JOIN transfers r ON r.pending_id = x.hold_id
         WHERE x.provider_id = ${me} OR x.receiver_id = ${me}`,
  )

  const campaigns = await section(
    'campaigns',
    sql`SELECT k.id, k.entity_id AS "entityId", k.title, k.description,
               coalesce(k.owner_user_id = ${me}, false) AS "ownedByMe", k.accept_currency AS "acceptCurrency",
               k.give_currency AS "giveCurrency", ${amount(sql`k.goal`)} AS goal, ${amount(sql`k.cap`)} AS cap,
               k.state, quartiere_iso(k.starts_at) AS "startsAt", quartiere_iso(k.ends_at) AS "endsAt",
               quartiere_iso(k.created_at) AS "createdAt", k.created_at AS sort_key, k.id AS sort_id
          FROM campaigns k JOIN currencies c ON c.code = k.accept_currency
         WHERE k.owner_user_id = ${me} OR k.created_by = ${me}`,
  )

  const pledges = await section(
    'pledges',
    sql`SELECT p.id, p.campaign_id AS "campaignId", k.title AS "campaignTitle", c.code AS currency,
               ${amount(sql`p.requested`)} AS requested, ${amount(sql`p.amount`)} AS amount,
               CASE r.type WHEN 'post_pending' THEN 'posted' WHEN 'void_pending' THEN 'voided' ELSE 'held' END
                 AS state,
               quartiere_iso(p.created_at) AS "createdAt", p.seq AS sort_key, p.id AS sort_id
          FROM campaign_pledges p
          JOIN campaigns k ON k.id = p.campaign_id
          JOIN currencies c ON c.code = k.accept_currency
          LEFT JOIN transfers r ON r.pending_id = p.id
         WHERE p.backer_id = ${me}`,
  )

  const currencies = await section(
    'currencies',
    sql`SELECT code, name, kind, quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, code AS sort_id
          FROM currencies WHERE created_by = ${me}`,
  )

  return { accounts, transfers, exchanges, campaigns, pledges, currencies }
}

/**
 * An amount in minor units as the decimal string of the currency in scope as `c` (its `scale`): 150 at scale 2
 * is "1.50". Exact: numeric division, never floating point. NULL stays NULL.
 */
function amount(minor: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`round((${minor})::numeric / power(10::numeric, c.scale), c.scale)::text`
}

/**
 * The member's accounts, locked in id order as the ledger locks them, each with whether a hold is in progress
 * on it. Erasure takes these locks first, before the user row: a payment in flight on one of the accounts
 * finishes (its transfer row takes a key-share lock on the user) before erasure goes on.
 */
export async function lockMemberAccounts(
  trx: Transaction<DB>,
  userId: string,
): Promise<{ id: string; pending: boolean }[]> {
  const accounts = await sql<{ id: string; pending: boolean }>`
    SELECT id, (debits_pending <> 0 OR credits_pending <> 0) AS pending
      FROM accounts WHERE owner_type = 'user' AND owner_user_id = ${userId}::uuid
     ORDER BY id FOR UPDATE`.execute(trx)
  return accounts.rows
}

/** The member's campaigns still running (locked or open), in id order: their settlement pays their owner. */
export async function runningCampaignsOf(trx: Transaction<DB>, userId: string): Promise<string[]> {
  const running = await sql<{ id: string }>`
    SELECT id FROM campaigns WHERE owner_user_id = ${userId}::uuid AND state IN ('locked', 'open')
     ORDER BY id`.execute(trx)
  return running.rows.map((row) => row.id)
}

/**
 * The tombstone takes over the member's accounts, balances and debts included (a debt is not erased by
 * leaving), frozen at their balance. Call it after {@link lockMemberAccounts}, with the tombstone user just
 * inserted.
 */
export async function moveMemberAccounts(
  trx: Transaction<DB>,
  userId: string,
  tombstoneId: string,
): Promise<void> {
  // The insert trigger of 0002 opened a TIME account for the tombstone; it takes the member's own instead. The
  // new one is empty and has no transfers.
  await trx.deleteFrom('accounts').where('owner_user_id', '=', tombstoneId).execute()
  // Frozen at their balance: nobody may pay a member who left (the hours would be lost), and nobody may spend
  // in their name. The books keep what they owed or were owed.
  await sql`
    UPDATE accounts
       SET owner_user_id = ${tombstoneId}::uuid,
           lower_limit = credits_posted - debits_posted,
           upper_limit = credits_posted - debits_posted
     WHERE owner_type = 'user' AND owner_user_id = ${userId}::uuid`.execute(trx)
}

/** Moves the member's place in the books (who made a transfer, an exchange, a currency, a campaign, a pledge) onto the tombstone. */
export async function moveMemberLedgerReferences(
  trx: Transaction<DB>,
  userId: string,
  tombstoneId: string,
): Promise<void> {
  for (const [table, column] of ledgerUserReferences.moved) {
    await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${tombstoneId}::uuid
               WHERE ${sql.ref(column)} = ${userId}::uuid`.execute(trx)
  }
}
