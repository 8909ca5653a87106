import type { IssuanceBody, Statement, Transfer, TransferCreateBody } from '@quartiere/contracts'
import { type DB, defineCursor } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
import type { Static } from 'typebox'
import {
  type Actor,
  currencyScale,
  findAccount,
  findIssuanceAccount,
  mayOperate,
  timeCurrency,
} from './accounts'
import { parseWireAmount } from './amounts'
import { deterministicUuid } from './deterministic-id'
import { expiredHoldsPerSweepMax, type Ledger } from './ledger'
import { type LedgerFailure, type LedgerOutcome, refuse } from './outcome'
import { toTransferRecord } from './transfer-engine'
import { statementLine, transferStates, transferView } from './transfer-views'
import type { CommandOutcome, LedgerCommand, TransferRecord } from './types'

export type TransferResult = LedgerOutcome<{ transfer: Transfer; replayed: boolean }>
type AccountRef = TransferCreateBody['to']

/**
 * Moves credits from one account to another, or holds them (`pending`). The id is the client's idempotency
 * key: the same key with the same request gives the same answer (also a refusal), with another request a
 * conflict. Only the owner of the paying account, or a manager of the group owning it, may pay from it.
 *
 * @example
 * const result = await createTransfer(ledger, actor, { id, to: { userId }, amount: '1.50', memo: 'Spesa' })
 * if (!result.ok) switch (result.code) { case 'exceeds_credit_limit': … }
 */
export async function createTransfer(
  ledger: Ledger,
  actor: Actor,
  input: TransferCreateBody & { id: string },
): Promise<TransferResult> {
  const { db } = ledger
  const currency =
    input.currency ??
    (input.from ? (await ledger.accounts.byId(input.from))?.currency : undefined) ??
    timeCurrency
  const amount = await amountIn(db, currency, input.amount)
  if (!amount.ok) return amount
  const { scale } = amount

  const from = input.from
    ? await ledger.accounts.byId(input.from)
    : await ledger.accounts.byOwner({ userId: actor.userId }, currency, false)
  if (!from)
    return refuse(
      'account_not_found',
      input.from ? `no account ${input.from}` : `you have no ${currency} account`,
    )
  const isAdminReversal = actor.role === 'admin' && input.reversalOf !== undefined
  if (!isAdminReversal && !(await mayOperate(db, actor, from))) {
    return refuse('forbidden', 'only the owner of an account, or a manager of its group, may pay from it')
  }
  const to = await resolveAccountRef(ledger, input.to, currency)
  if (!to) return refuse('account_not_found', 'the receiving account does not exist')
  // Units enter a community currency's issuance account only as a redemption, and a campaign's accounts only
  // as pledges and deposits: each has its own service that keeps the books that explain them.
  if (
    to.owner_type === 'system' &&
    !isAdminReversal &&
    (currency !== timeCurrency || to.system_name !== 'issuance')
  ) {
    return refuse('forbidden', 'pay into this account through its own service (redemption, campaign pledge)')
  }

  return submit(ledger, scale, {
    kind: 'create',
    id: input.id,
    debitAccountId: from.id,
    creditAccountId: to.id,
    amount: amount.minor,
    currency,
    pending: input.pending ?? false,
    timeoutSeconds: input.pending ? (input.timeoutSeconds ?? null) : null,
    memo: input.memo ?? '',
    entityId: input.entityId ?? null,
    reversalOf: input.reversalOf ?? null,
    createdBy: actor.userId,
  })
}

/**
 * Posts (in full or for less) or voids a hold, exactly once. The payer posts; the payer or the payee voids;
 * an admin may do either. Without a key of the client's, the resolution's id is derived from the hold and
 * the action, so a retried post is recognised as the same post.
 */
export async function resolveHold(
  ledger: Ledger,
  actor: Actor,
  pendingId: string,
  action: 'post' | 'void',
  options: { amount?: string; key?: string } = {},
): Promise<TransferResult> {
  const { db } = ledger
  const hold = await db.selectFrom('transfers').selectAll().where('id', '=', pendingId).executeTakeFirst()
  if (hold?.type !== 'pending') return refuse('pending_not_found', `no hold ${pendingId}`)
  const [debit, credit] = await Promise.all([
    findAccount(db, hold.debit_account_id),
    findAccount(db, hold.credit_account_id),
  ])
  const isPayer = debit !== undefined && (await mayOperate(db, actor, debit))
  const isPayee = credit !== undefined && (await mayOperate(db, actor, credit))
  // Someone who is neither party is told the hold does not exist, as GET /api/ledger/transfers/:id tells them:
  // a 403 would confirm that the id is a hold.
  if (actor.role !== 'admin' && !isPayer && !isPayee)
    return refuse('pending_not_found', `no hold ${pendingId}`)
  const allowed = actor.role === 'admin' || isPayer || (action === 'void' && isPayee)
  if (!allowed) {
    return refuse(
      'forbidden',
      action === 'post'
        ? 'only the payer may post this hold'
        : 'only the payer or the payee may void this hold',
    )
  }
  const scale = (await currencyScale(db, hold.currency)) ?? 0
  let amount: bigint | null = null
  if (options.amount !== undefined) {
    const parsed = parseWireAmount(options.amount, scale)
    if (!parsed.ok) return refuse('invalid_amount', parsed.message)
    amount = parsed.minor
  }
  const id = options.key ?? deterministicUuid(`${pendingId}:${action}:${actor.userId}:${amount ?? 'full'}`)
  const command: LedgerCommand =
    action === 'post'
      ? { kind: 'post', id, pendingId, amount, createdBy: actor.userId }
      : { kind: 'void', id, pendingId, memo: 'cancelled', createdBy: actor.userId }
  return submit(ledger, scale, command)
}

/** New units from a currency's issuance account into a member's or group's account (welcome credits). */
export async function issueCredits(
  ledger: Ledger,
  actor: Actor,
  input: Static<typeof IssuanceBody> & { id: string },
): Promise<TransferResult> {
  if (actor.role !== 'admin') return refuse('forbidden', 'only an admin issues credits')
  const { db } = ledger
  const currency = input.currency ?? timeCurrency
  if (currency !== timeCurrency) {
    return refuse(
      'forbidden',
      `a community currency is minted by its issuing group: POST /api/ledger/currencies/${currency}/mint`,
    )
  }
  const amount = await amountIn(db, currency, input.amount)
  if (!amount.ok) return amount
  const { scale } = amount
  const issuance = await findIssuanceAccount(db, currency)
  if (!issuance) throw new Error(`currency ${currency} has no issuance account`)
  const to = await resolveAccountRef(ledger, input.to, currency)
  if (!to) return refuse('account_not_found', 'the receiving account does not exist')
  return submit(ledger, scale, {
    kind: 'create',
    id: input.id,
    debitAccountId: issuance.id,
    creditAccountId: to.id,
    amount: amount.minor,
    currency,
    pending: false,
    timeoutSeconds: null,
    memo: input.memo,
    entityId: null,
    reversalOf: null,
    createdBy: actor.userId,
  })
}

/** Voids holds whose timeout passed, releasing what they reserved. Safe to run on several instances at once. */
export async function voidExpiredHolds(ledger: Ledger): Promise<number> {
  const expired = await sql<{ id: string }>`
    SELECT t.id FROM transfers t
    WHERE t.type = 'pending' AND t.expires_at IS NOT NULL AND t.expires_at <= now()
      AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id)
    ORDER BY t.expires_at LIMIT ${expiredHoldsPerSweepMax}`.execute(ledger.db)
  const outcomes = await Promise.all(
    expired.rows.map((row) =>
      ledger.batcher.submit({
        kind: 'void',
        id: deterministicUuid(`${row.id}:expired`),
        pendingId: row.id,
        memo: 'expired',
        createdBy: null,
      }),
    ),
  )
  return outcomes.filter((o) => o.ok && !o.replayed).length
}

export async function getTransfer(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
): Promise<LedgerOutcome<{ transfer: Transfer }>> {
  const row = await db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) return refuse('not_found', `no transfer ${id}`)
  const [debit, credit] = await Promise.all([
    findAccount(db, row.debit_account_id),
    findAccount(db, row.credit_account_id),
  ])
  const party =
    actor.role === 'admin' ||
    (debit !== undefined && (await mayOperate(db, actor, debit))) ||
    (credit !== undefined && (await mayOperate(db, actor, credit)))
  // Someone else's transfer is answered as absent: its existence is none of the asker's business.
  if (!party) return refuse('not_found', `no transfer ${id}`)
  const record = toTransferRecord(row)
  const states = await transferStates(db, [record])
  return {
    ok: true,
    transfer: transferView(record, states.get(id)!, (await currencyScale(db, row.currency)) ?? 0),
  }
}

/** A statement line's key: the transfer's sequence number, which orders the statement. */
const statementCursor = defineCursor({ seq: 'seq' })

/**
 * An account's statement, newest first, each line with the posted balance right after it. Keyset paging on
 * the transfers' sequence, so a statement of any length pages in constant time.
 */
export async function accountStatement(
  db: Kysely<DB>,
  actor: Actor,
  accountId: string,
  page: { limit: number; cursor?: string },
): Promise<LedgerOutcome<{ statement: Static<typeof Statement>; scale: number }>> {
  const account = await findAccount(db, accountId)
  if (!account || (actor.role !== 'admin' && !(await mayOperate(db, actor, account)))) {
    return refuse('not_found', `no account ${accountId} of yours`)
  }
  const before = page.cursor === undefined ? undefined : statementCursor.decode(page.cursor)?.seq
  if (page.cursor !== undefined && !before)
    return refuse('invalid_cursor', 'the cursor is not one this API gave out')
  const limit = page.limit + 1
  const beforeClause = before ? sql`AND seq < ${before}::bigint` : sql``
  const rows = await sql<Parameters<typeof toTransferRecord>[0]>`
    SELECT * FROM (
      (SELECT * FROM transfers WHERE debit_account_id = ${accountId}::uuid ${beforeClause} ORDER BY seq DESC LIMIT ${limit})
      UNION ALL
      (SELECT * FROM transfers WHERE credit_account_id = ${accountId}::uuid ${beforeClause} ORDER BY seq DESC LIMIT ${limit})
    ) lines ORDER BY seq DESC LIMIT ${limit}`.execute(db)
  const records = rows.rows.slice(0, page.limit).map(toTransferRecord)
  const scale = (await currencyScale(db, account.currency)) ?? 0
  const states = await transferStates(db, records)
  const last = records.at(-1)
  return {
    ok: true,
    scale,
    statement: {
      items: records.map((r) => statementLine(r, accountId, states.get(r.id)!, scale)),
      nextCursor: rows.rows.length > page.limit && last ? statementCursor.encode({ seq: last.seq }) : null,
    },
  }
}

/** An amount from the wire in a currency's minor units, or why not. */
async function amountIn(
  db: Kysely<DB>,
  currency: string,
  text: string,
): Promise<{ ok: true; scale: number; minor: bigint } | LedgerFailure> {
  const scale = await currencyScale(db, currency)
  if (scale === undefined) return refuse('currency_not_found', `no currency ${currency}`)
  const amount = parseWireAmount(text, scale)
  if (!amount.ok) return refuse('invalid_amount', amount.message)
  return { ok: true, scale, minor: amount.minor }
}

async function resolveAccountRef(ledger: Ledger, ref: AccountRef, currency: string) {
  return typeof ref === 'string' ? ledger.accounts.byId(ref) : ledger.accounts.byOwner(ref, currency, true)
}

async function submit(ledger: Ledger, scale: number, command: LedgerCommand): Promise<TransferResult> {
  const outcome: CommandOutcome = await ledger.batcher.submit(command)
  if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message } satisfies LedgerFailure
  const states = await transferStates(ledger.db, [outcome.transfer])
  return {
    ok: true,
    replayed: outcome.replayed,
    transfer: transferView(outcome.transfer, states.get(outcome.transfer.id)!, scale),
  }
}

export type { TransferRecord }
