import type { Account } from '@quartiere/contracts'
import { type AccountsTable, type DB, managedGroupIds } from '@quartiere/db'
import type { Kysely, Selectable } from 'kysely'
import { sql } from 'kysely'
import { formatAmount } from './amounts'

export type AccountRow = Selectable<AccountsTable>
export interface Actor {
  userId: string
  role: 'member' | 'moderator' | 'admin' | 'researcher'
}

export const timeCurrency = 'TIME'

// A currency's scale never changes once it exists, so it is looked up once per process.
const scales = new Map<string, number>()

export async function currencyScale(db: Kysely<DB>, code: string): Promise<number | undefined> {
  const known = scales.get(code)
  if (known !== undefined) return known
  const row = await db.selectFrom('currencies').select('scale').where('code', '=', code).executeTakeFirst()
  if (row) scales.set(code, row.scale)
  return row?.scale
}

export function findAccount(db: Kysely<DB>, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findUserAccount(db: Kysely<DB>, userId: string, currency: string) {
  return findOwnerAccount(db, { userId }, currency)
}

/** A member's or a group's account in a currency, if it was opened. */
export function findOwnerAccount(
  db: Kysely<DB>,
  owner: { userId: string } | { groupId: string },
  currency: string,
) {
  const isUser = 'userId' in owner
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('owner_type', '=', isUser ? 'user' : 'group')
    .where(isUser ? 'owner_user_id' : 'owner_group_id', '=', isUser ? owner.userId : owner.groupId)
    .where('currency', '=', currency)
    .executeTakeFirst()
}

/** The system account new units of a currency come from. */
export function findIssuanceAccount(db: Kysely<DB>, currency: string) {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('owner_type', '=', 'system')
    .where('system_name', '=', 'issuance')
    .where('currency', '=', currency)
    .executeTakeFirst()
}

/**
 * A member's or a group's account in a currency, opened on first use with the currency's default limits.
 * Member TIME accounts exist from registration; other currencies and groups get theirs when first paid.
 */
export async function ensureOwnerAccount(
  db: Kysely<DB>,
  owner: { userId: string } | { groupId: string },
  currency: string,
): Promise<AccountRow | undefined> {
  const isUser = 'userId' in owner
  const ownerId = isUser ? owner.userId : owner.groupId
  // The common case, an account that exists already, costs one query.
  const existing = await findOwnerAccount(db, owner, currency)
  if (existing) return existing
  const ownerExists = isUser
    ? await db.selectFrom('users').select('id').where('id', '=', ownerId).executeTakeFirst()
    : await db
        .selectFrom('entities')
        .select('id')
        .where('id', '=', ownerId)
        .where('kind', '=', 'group')
        .where('deleted_at', 'is', null)
        .executeTakeFirst()
  if (!ownerExists) return undefined
  const ownerColumn = isUser ? 'owner_user_id' : 'owner_group_id'
  await sql`INSERT INTO accounts (currency, owner_type, ${sql.ref(ownerColumn)}, lower_limit, upper_limit)
    SELECT code, ${isUser ? 'user' : 'group'}, ${ownerId}::uuid, default_lower_limit, default_upper_limit
    FROM currencies WHERE code = ${currency}
    ON CONFLICT DO NOTHING`.execute(db)
  return findOwnerAccount(db, owner, currency)
}

// The owner-or-manager rule of a group is @quartiere/db's, shared with the map; the ledger's public API keeps it.
export { managedGroupIds }

/** The owner of an account, or a manager of the group that owns it: who may spend from it and read it. */
export async function mayOperate(
  db: Kysely<DB>,
  actor: Actor,
  account: Pick<AccountRow, 'owner_type' | 'owner_user_id' | 'owner_group_id'>,
): Promise<boolean> {
  if (account.owner_type === 'user') return account.owner_user_id === actor.userId
  if (account.owner_type === 'group' && account.owner_group_id) {
    return (await managedGroupIds(db, actor.userId)).includes(account.owner_group_id)
  }
  return false
}

export async function toAccountView(db: Kysely<DB>, row: AccountRow): Promise<Account> {
  const scale = (await currencyScale(db, row.currency)) ?? 0
  return accountView(row, scale)
}

export function accountView(row: AccountRow, scale: number): Account {
  const balance = BigInt(row.credits_posted) - BigInt(row.debits_posted)
  const format = (value: bigint | string) => formatAmount(value, scale)
  return {
    id: row.id,
    currency: row.currency,
    owner:
      row.owner_type === 'user'
        ? { type: 'user', userId: row.owner_user_id! }
        : row.owner_type === 'group'
          ? { type: 'group', groupId: row.owner_group_id! }
          : { type: 'system', name: row.system_name! },
    balance: format(balance),
    available: format(balance - BigInt(row.debits_pending)),
    debitsPending: format(row.debits_pending),
    creditsPending: format(row.credits_pending),
    lowerLimit: row.lower_limit === null ? null : format(row.lower_limit),
    upperLimit: row.upper_limit === null ? null : format(row.upper_limit),
  }
}

/** The accounts a member may use: their own, and those of the groups they manage. */
export async function listAccountsOf(db: Kysely<DB>, actor: Actor): Promise<Account[]> {
  const groups = await managedGroupIds(db, actor.userId)
  const rows = await db
    .selectFrom('accounts as a')
    .innerJoin('currencies as c', 'c.code', 'a.currency')
    .selectAll('a')
    .select('c.scale')
    .where((eb) =>
      eb.or([
        eb.and([eb('a.owner_type', '=', 'user'), eb('a.owner_user_id', '=', actor.userId)]),
        ...(groups.length
          ? [eb.and([eb('a.owner_type', '=', 'group'), eb('a.owner_group_id', 'in', groups)])]
          : []),
      ]),
    )
    .orderBy('a.owner_type', 'desc')
    .orderBy('a.currency')
    .orderBy('a.id')
    .execute()
  return rows.map(({ scale, ...row }) => accountView(row, scale))
}
