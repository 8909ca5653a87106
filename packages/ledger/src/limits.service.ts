import type { Account } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { type Actor, accountView, currencyScale } from './accounts'
import { type LedgerOutcome, refuse } from './outcome'

const signedDecimal = /^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?$/

function toMinor(text: string, scale: number): bigint | undefined {
  if (!signedDecimal.test(text)) return undefined
  const [whole, fraction = ''] = text.replace('-', '').split('.')
  if (fraction.length > scale) return undefined
  const minor = BigInt(whole! + fraction.padEnd(scale, '0'))
  return text.startsWith('-') ? -minor : minor
}

/** Who changes an account's limits, and so reads any member's accounts to do it: an admin. */
function mayChangeLimits(actor: Actor): boolean {
  return actor.role === 'admin'
}

/**
 * A member's accounts in every currency, for an admin about to change their limits (the same rule as the change).
 */
export async function memberAccountsForLimits(
  db: Kysely<DB>,
  actor: Actor,
  userId: string,
): Promise<LedgerOutcome<{ accounts: Account[] }>> {
  if (!mayChangeLimits(actor)) return refuse('forbidden', "only an admin reads a member's accounts")
  const user = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()
  if (!user) return refuse('not_found', `no member ${userId}`)
  const rows = await db
    .selectFrom('accounts as a')
    .innerJoin('currencies as c', 'c.code', 'a.currency')
    .selectAll('a')
    .select('c.scale')
    .where('a.owner_type', '=', 'user')
    .where('a.owner_user_id', '=', userId)
    .orderBy('a.currency')
    .limit(memberAccountsMax)
    .execute()
  return { ok: true, accounts: rows.map(({ scale, ...row }) => accountView(row, scale)) }
}

/** The most accounts one member's listing answers (one per currency). */
export const memberAccountsMax = 500

/**
 * An admin sets an account's credit line (lower limit, zero or below) and ceiling. Refused when the account is
 * already outside the new limits: limits bound future transfers, they do not rewrite the past.
 */
export async function setAccountLimits(
  db: Kysely<DB>,
  actor: Actor,
  accountId: string,
  limits: { lowerLimit: string | null; upperLimit: string | null },
): Promise<LedgerOutcome<{ account: Account }>> {
  if (!mayChangeLimits(actor)) return refuse('forbidden', "only an admin changes an account's limits")
  return db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .forUpdate()
      .executeTakeFirst()
    if (!account) return refuse('not_found', `no account ${accountId}`)
    const scale = (await currencyScale(trx, account.currency)) ?? 0
    const lower = limits.lowerLimit === null ? null : toMinor(limits.lowerLimit, scale)
    const upper = limits.upperLimit === null ? null : toMinor(limits.upperLimit, scale)
    if (lower === undefined || upper === undefined) {
      return refuse('invalid_amount', `limits must be decimal strings with at most ${scale} decimals`)
    }
    if (lower !== null && lower > 0n)
      return refuse('invalid_amount', 'the lower limit (credit line) must be zero or negative')
    if (lower !== null && upper !== null && upper < lower)
      return refuse('invalid_amount', 'the upper limit is below the lower one')
    const balance = BigInt(account.credits_posted) - BigInt(account.debits_posted)
    if (lower !== null && balance - BigInt(account.debits_pending) < lower) {
      return refuse('limit_below_balance', 'the account is already below that credit line')
    }
    if (upper !== null && balance + BigInt(account.credits_pending) > upper) {
      return refuse('limit_below_balance', 'the account is already above that upper limit')
    }
    const updated = await trx
      .updateTable('accounts')
      .set({
        lower_limit: lower === null ? null : lower.toString(),
        upper_limit: upper === null ? null : upper.toString(),
      })
      .where('id', '=', accountId)
      .returningAll()
      .executeTakeFirstOrThrow()
    return { ok: true, account: accountView(updated, scale) }
  })
}
