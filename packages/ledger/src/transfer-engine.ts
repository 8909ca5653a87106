import { type DB, groupManagerRoleSql, type TransfersTable } from '@quartiere/db'
import { outboxInsertSql, outboxRecordsInsertSql } from '@quartiere/realtime'
import Decimal from 'decimal.js'
import { type Kysely, type Selectable, sql } from 'kysely'
import { formatAmount } from './amounts'
import { requestHash } from './request-hash'
import { transferView } from './transfer-views'
import type {
  CommandOutcome,
  LedgerCommand,
  LedgerFailureCode,
  TransferPolicy,
  TransferRecord,
} from './types'

interface AccountState {
  id: string
  currency: string
  /** Decimal places of the account's currency, for the events' amounts. */
  scale: number
  ownerUserId: string | null
  ownerGroupId: string | null
  /** Whether the owning member confirmed their email address; null for a group's or a system account. */
  ownerVerified: boolean | null
  /**
   * Who hears of this account's transfers: its owner, or a group's owners and managers; for a community
   * currency's issuance account, the issuing group's (they see their mints and redemptions live).
   */
  audience: string[]
  debitsPosted: bigint
  creditsPosted: bigint
  debitsPending: bigint
  creditsPending: bigint
  lowerLimit: bigint | null
  upperLimit: bigint | null
  /** The currency's caps on what a member's account sends (0010_transfer_caps); null: no cap. */
  caps: { transferAmountMax: bigint | null; dailyAmountMax: bigint | null; dailyTransfersMax: number | null }
  /** What the account sent on `sentDay` (a UTC date, YYYY-MM-DD), its latest day of sending. */
  sentDay: string | null
  sentDayAmount: bigint
  sentDayCount: number
  changed: boolean
}

/** Rows of one batch's writes, gathered while the commands are applied in memory. */
interface BatchWrites {
  transfers: TransferRecord[]
  requests: { id: string; hash: string; outcome: string; detail: string; createdBy: string | null }[]
}

/**
 * Applies a batch of ledger commands in one database transaction (the caller's `trx`), in order, each with
 * its own outcome, as if they had run one after another.
 *
 * The accounts involved are locked `FOR UPDATE` in id order (so concurrent batches, on this instance or
 * another, queue instead of deadlocking), then the commands run against their balances in memory, and the
 * results are written with one statement per table. Everything that decides an outcome is read after the
 * locks are held, so a batch sees every earlier batch that touched the same accounts.
 */
export async function executeBatch(
  trx: Kysely<DB>,
  commands: readonly LedgerCommand[],
  policy: TransferPolicy = {},
): Promise<CommandOutcome[]> {
  const pendingIds = unique(commands.flatMap((c) => (c.kind === 'create' ? [] : [c.pendingId])))
  const reversedIds = unique(
    commands.flatMap((c) => (c.kind === 'create' && c.reversalOf ? [c.reversalOf] : [])),
  )
  const referenced = await loadTransfers(trx, unique([...pendingIds, ...reversedIds]))

  const accountIds = unique(
    commands.flatMap((c) => {
      if (c.kind === 'create') return [c.debitAccountId, c.creditAccountId]
      const pending = referenced.get(c.pendingId)
      return pending ? [pending.debitAccountId, pending.creditAccountId] : []
    }),
  ).sort()
  const { accounts, now } = await lockAccounts(trx, accountIds)

  const ids = unique(commands.map((c) => c.id))
  const { previous, resolved, reversed } = await loadDecidingState(trx, ids, pendingIds, reversedIds)

  const writes: BatchWrites = { transfers: [], requests: [] }
  const newTransfers = new Map<string, TransferRecord>()
  const outcomes: CommandOutcome[] = []

  for (const command of commands) {
    const hash = requestHash(command)
    const earlier = previous.get(command.id)
    if (earlier) {
      outcomes.push(await replay(trx, command.id, hash, earlier, newTransfers))
      continue
    }
    const outcome = apply(command, { accounts, referenced, resolved, reversed, now, policy })
    const detail = outcome.ok ? '' : outcome.message
    previous.set(command.id, { hash, outcome: outcome.ok ? 'ok' : outcome.code, detail })
    writes.requests.push({
      id: command.id,
      hash,
      outcome: outcome.ok ? 'ok' : outcome.code,
      detail,
      createdBy: command.createdBy,
    })
    if (outcome.ok) {
      writes.transfers.push(outcome.transfer)
      newTransfers.set(outcome.transfer.id, outcome.transfer)
      if (outcome.transfer.type === 'pending') referenced.set(outcome.transfer.id, outcome.transfer)
    }
    outcomes.push(outcome)
  }

  await writeBatch(trx, writes, accounts)
  return outcomes
}

interface BatchState {
  accounts: Map<string, AccountState>
  referenced: Map<string, TransferRecord>
  /** Pending ids already posted or voided, with how. */
  resolved: Map<string, 'post_pending' | 'void_pending'>
  /** Transfer ids already reversed. */
  reversed: Set<string>
  now: Date
  policy: TransferPolicy
}

function fail(code: LedgerFailureCode, message: string): CommandOutcome {
  return { ok: false, code, message, replayed: false }
}

function apply(command: LedgerCommand, state: BatchState): CommandOutcome {
  switch (command.kind) {
    case 'create':
      return applyCreate(command, state)
    case 'post':
    case 'void':
      return applyResolution(command, state)
    default: {
      const unknown: never = command
      throw new Error(`unknown ledger command ${JSON.stringify(unknown)}`)
    }
  }
}

function applyCreate(command: Extract<LedgerCommand, { kind: 'create' }>, state: BatchState): CommandOutcome {
  if (command.debitAccountId === command.creditAccountId) {
    return fail('accounts_must_be_different', 'a transfer needs two different accounts')
  }
  const debit = state.accounts.get(command.debitAccountId)
  const credit = state.accounts.get(command.creditAccountId)
  if (!debit) return fail('account_not_found', `no account ${command.debitAccountId}`)
  if (!credit) return fail('account_not_found', `no account ${command.creditAccountId}`)
  if (debit.currency !== command.currency || credit.currency !== command.currency) {
    return fail('currency_mismatch', `both accounts must hold ${command.currency}`)
  }
  if (command.reversalOf) {
    const original = state.referenced.get(command.reversalOf)
    if (!original) return fail('reversal_not_found', `no transfer ${command.reversalOf} to reverse`)
    if (original.type === 'pending' || original.type === 'void_pending') {
      return fail('reversal_not_allowed', 'only posted transfers can be reversed; void a hold instead')
    }
    if (state.reversed.has(original.id))
      return fail('already_reversed', `transfer ${original.id} was reversed already`)
    if (
      original.debitAccountId !== command.creditAccountId ||
      original.creditAccountId !== command.debitAccountId ||
      original.amount < command.amount
    ) {
      return fail(
        'reversal_not_allowed',
        'a reversal goes back between the same accounts, for at most the amount',
      )
    }
  }
  const amount = command.amount
  if (debit.lowerLimit !== null && available(debit) - amount < debit.lowerLimit) {
    return fail(
      'exceeds_credit_limit',
      'the paying account does not have enough available within its credit line',
    )
  }
  if (credit.upperLimit !== null && balance(credit) + credit.creditsPending + amount > credit.upperLimit) {
    return fail('exceeds_upper_limit', 'the receiving account would go over its upper limit')
  }
  if (!command.reversalOf) {
    const refused = checkUnverified(debit, credit, amount, state.policy)
    if (refused) return refused
  }
  // Corrections are not the member's own sending: only payments and holds from a member's account count.
  const capped = debit.ownerUserId !== null && !command.reversalOf
  if (capped) {
    const refused = checkCaps(debit, amount, state.now)
    if (refused) return refused
  }
  if (command.pending) {
    debit.debitsPending += amount
    credit.creditsPending += amount
  } else {
    debit.debitsPosted += amount
    credit.creditsPosted += amount
  }
  if (capped) countSent(debit, amount, state.now)
  debit.changed = true
  credit.changed = true
  if (command.reversalOf) state.reversed.add(command.reversalOf)
  return {
    ok: true,
    replayed: false,
    transfer: record(command.id, command.pending ? 'pending' : 'posted', debit, credit, amount, state.now, {
      currency: command.currency,
      reversalOf: command.reversalOf,
      expiresAt:
        command.pending && command.timeoutSeconds
          ? new Date(state.now.getTime() + command.timeoutSeconds * 1000)
          : null,
      memo: command.memo,
      entityId: command.entityId,
      createdBy: command.createdBy,
    }),
  }
}

function applyResolution(
  command: Extract<LedgerCommand, { kind: 'post' | 'void' }>,
  state: BatchState,
): CommandOutcome {
  const pending = state.referenced.get(command.pendingId)
  if (pending?.type !== 'pending') return fail('pending_not_found', `no hold ${command.pendingId}`)
  const how = state.resolved.get(pending.id)
  if (how) {
    return fail(
      'pending_already_resolved',
      `hold ${pending.id} was ${how === 'post_pending' ? 'posted' : 'voided'} already`,
    )
  }
  const expired = pending.expiresAt !== null && pending.expiresAt.getTime() <= state.now.getTime()
  // An expired hold can still be voided (that is how expiry releases it), but never posted.
  if (expired && command.kind === 'post')
    return fail('pending_expired', `hold ${pending.id} expired unresolved`)
  const amount = command.kind === 'post' ? (command.amount ?? pending.amount) : pending.amount
  if (amount > pending.amount) {
    return fail('exceeds_pending_amount', `cannot post more than the ${pending.amount} minor units held`)
  }
  const debit = state.accounts.get(pending.debitAccountId)
  const credit = state.accounts.get(pending.creditAccountId)
  if (!debit || !credit) throw new Error(`accounts of hold ${pending.id} were not locked`)
  debit.debitsPending -= pending.amount
  credit.creditsPending -= pending.amount
  if (command.kind === 'post') {
    debit.debitsPosted += amount
    credit.creditsPosted += amount
  }
  if (debit.debitsPending < 0n || credit.creditsPending < 0n) {
    throw new Error(`pending totals went negative resolving ${pending.id}: the ledger is corrupt`)
  }
  debit.changed = true
  credit.changed = true
  const type = command.kind === 'post' ? 'post_pending' : 'void_pending'
  state.resolved.set(pending.id, type)
  return {
    ok: true,
    replayed: false,
    transfer: record(command.id, type, debit, credit, amount, state.now, {
      currency: pending.currency,
      pendingId: pending.id,
      memo: command.kind === 'void' ? command.memo : pending.memo,
      entityId: pending.entityId,
      createdBy: command.createdBy,
    }),
  }
}

function record(
  id: string,
  type: TransferRecord['type'],
  debit: AccountState,
  credit: AccountState,
  amount: bigint,
  now: Date,
  fields: Partial<TransferRecord> & { currency: string },
): TransferRecord {
  return {
    id,
    seq: '',
    type,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amount,
    currency: fields.currency,
    pendingId: fields.pendingId ?? null,
    reversalOf: fields.reversalOf ?? null,
    expiresAt: fields.expiresAt ?? null,
    memo: fields.memo ?? '',
    entityId: fields.entityId ?? null,
    createdBy: fields.createdBy ?? null,
    createdAt: now,
    debitBalanceAfter: balance(debit),
    creditBalanceAfter: balance(credit),
  }
}

/** The UTC calendar day of `now`, as the database's `date` prints it. */
const utcDay = (now: Date) => now.toISOString().slice(0, 10)

/** What the account has sent today so far: a new day starts from nothing. */
function sentToday(account: AccountState, now: Date) {
  return account.sentDay === utcDay(now)
    ? { amount: account.sentDayAmount, count: account.sentDayCount }
    : { amount: 0n, count: 0 }
}

/** Refuses a transfer past its currency's caps on one member's sending (0010_transfer_caps). */
function checkCaps(debit: AccountState, amount: bigint, now: Date): CommandOutcome | undefined {
  const { transferAmountMax, dailyAmountMax, dailyTransfersMax } = debit.caps
  if (transferAmountMax !== null && amount > transferAmountMax) {
    return fail('exceeds_transfer_amount_max', `one transfer in ${debit.currency} may move at most its cap`)
  }
  const sent = sentToday(debit, now)
  if (dailyTransfersMax !== null && sent.count + 1 > dailyTransfersMax) {
    return fail(
      'exceeds_daily_transfers_max',
      `this account has made its ${dailyTransfersMax} transfers in ${debit.currency} for today (UTC)`,
    )
  }
  if (dailyAmountMax !== null && sent.amount + amount > dailyAmountMax) {
    return fail(
      'exceeds_daily_amount_max',
      `this account would send more ${debit.currency} today than its daily cap`,
    )
  }
  return undefined
}

/**
 * Refuses a transfer above the policy's cap when the paying member, or the member paid by another member or a
 * group, has not confirmed their email address. What system accounts pay out (issuance, a campaign's refunds and
 * payouts) is not capped: those transfers are the platform's own and must never fail.
 */
function checkUnverified(
  debit: AccountState,
  credit: AccountState,
  amount: bigint,
  policy: TransferPolicy,
): CommandOutcome | undefined {
  const max = policy.unverifiedTransferMax
  if (max === undefined || max === null) return undefined
  const paysUnverified = debit.ownerVerified === false
  const paidUnverified =
    credit.ownerVerified === false && (debit.ownerUserId !== null || debit.ownerGroupId !== null)
  if (!paysUnverified && !paidUnverified) return undefined
  const maxMinor = BigInt(
    new Decimal(max).times(new Decimal(10).pow(debit.scale)).toFixed(0, Decimal.ROUND_DOWN),
  )
  if (amount <= maxMinor) return undefined
  return fail(
    'exceeds_unverified_transfer_max',
    `until ${paysUnverified ? 'the paying' : 'the receiving'} member confirms their email address, one transfer ` +
      `may move at most ${formatAmount(maxMinor, debit.scale)} ${debit.currency}`,
  )
}

function countSent(debit: AccountState, amount: bigint, now: Date) {
  const sent = sentToday(debit, now)
  debit.sentDay = utcDay(now)
  debit.sentDayAmount = sent.amount + amount
  debit.sentDayCount = sent.count + 1
}

const balance = (a: AccountState) => a.creditsPosted - a.debitsPosted
const available = (a: AccountState) => balance(a) - a.debitsPending

async function replay(
  trx: Kysely<DB>,
  id: string,
  hash: string,
  earlier: { hash: string; outcome: string; detail: string },
  newTransfers: Map<string, TransferRecord>,
): Promise<CommandOutcome> {
  if (earlier.hash !== hash) {
    return {
      ok: false,
      code: 'exists_with_different_fields',
      message: `the key ${id} was used already for a different request`,
      replayed: true,
    }
  }
  if (earlier.outcome !== 'ok') {
    return { ok: false, code: earlier.outcome as LedgerFailureCode, message: earlier.detail, replayed: true }
  }
  const transfer = newTransfers.get(id) ?? (await loadTransfers(trx, [id])).get(id)
  if (!transfer) throw new Error(`transfer ${id} is recorded as done but does not exist`)
  return { ok: true, transfer, replayed: true }
}

async function lockAccounts(trx: Kysely<DB>, ids: string[]) {
  const result = await sql<{
    id: string
    currency: string
    scale: number
    owner_user_id: string | null
    owner_group_id: string | null
    owner_verified: boolean | null
    audience: string[] | null
    debits_posted: string
    credits_posted: string
    debits_pending: string
    credits_pending: string
    lower_limit: string | null
    upper_limit: string | null
    transfer_amount_max: string | null
    daily_amount_max: string | null
    daily_transfers_max: number | null
    sent_day: string | null
    sent_day_amount: string
    sent_day_count: number
    now: Date
  }>`SELECT a.id, a.currency, c.scale, a.owner_user_id, a.owner_group_id,
         (SELECT u.email_verified_at IS NOT NULL FROM users u WHERE u.id = a.owner_user_id) AS owner_verified,
         CASE WHEN a.owner_user_id IS NOT NULL THEN ARRAY[a.owner_user_id]
              ELSE (SELECT array_agg(m.user_id) FROM group_members m
                    WHERE m.group_id = coalesce(a.owner_group_id,
                                                CASE WHEN a.system_name = 'issuance' THEN c.issuer_group_id END)
                      AND ${groupManagerRoleSql('m.role')}) END AS audience,
         a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, a.lower_limit, a.upper_limit,
         c.transfer_amount_max, c.daily_amount_max, c.daily_transfers_max,
         a.sent_day::text AS sent_day, a.sent_day_amount, a.sent_day_count,
         now() AS now
       FROM accounts a JOIN currencies c ON c.code = a.currency
       WHERE a.id = ANY(${ids}::uuid[]) ORDER BY a.id FOR UPDATE OF a`.execute(trx)
  const accounts = new Map<string, AccountState>()
  for (const row of result.rows) {
    accounts.set(row.id, {
      id: row.id,
      currency: row.currency,
      scale: row.scale,
      ownerUserId: row.owner_user_id,
      ownerGroupId: row.owner_group_id,
      ownerVerified: row.owner_verified,
      audience: row.audience ?? [],
      debitsPosted: BigInt(row.debits_posted),
      creditsPosted: BigInt(row.credits_posted),
      debitsPending: BigInt(row.debits_pending),
      creditsPending: BigInt(row.credits_pending),
      lowerLimit: row.lower_limit === null ? null : BigInt(row.lower_limit),
      upperLimit: row.upper_limit === null ? null : BigInt(row.upper_limit),
      caps: {
        transferAmountMax: row.transfer_amount_max === null ? null : BigInt(row.transfer_amount_max),
        dailyAmountMax: row.daily_amount_max === null ? null : BigInt(row.daily_amount_max),
        dailyTransfersMax: row.daily_transfers_max,
      },
      sentDay: row.sent_day,
      sentDayAmount: BigInt(row.sent_day_amount),
      sentDayCount: row.sent_day_count,
      changed: false,
    })
  }
  const now = result.rows[0]?.now ?? (await sql<{ now: Date }>`SELECT now() AS now`.execute(trx)).rows[0]!.now
  return { accounts, now: new Date(now) }
}

export function toTransferRecord(row: Selectable<TransfersTable>): TransferRecord {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount: BigInt(row.amount),
    currency: row.currency,
    pendingId: row.pending_id,
    reversalOf: row.reversal_of,
    expiresAt: row.expires_at ? new Date(row.expires_at) : null,
    memo: row.memo,
    entityId: row.entity_id,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    debitBalanceAfter: BigInt(row.debit_balance_after),
    creditBalanceAfter: BigInt(row.credit_balance_after),
  }
}

async function loadTransfers(trx: Kysely<DB>, ids: string[]): Promise<Map<string, TransferRecord>> {
  if (!ids.length) return new Map()
  const rows = await trx.selectFrom('transfers').selectAll().where('id', 'in', ids).execute()
  return new Map(rows.map((row) => [row.id, toTransferRecord(row)]))
}

/**
 * What decides each command's outcome besides the balances, read in one round trip after the locks are held
 * (a statement's snapshot is taken when it starts, so these must not share the locking statement): the
 * requests already made with these keys, the holds already resolved, the transfers already reversed.
 */
async function loadDecidingState(
  trx: Kysely<DB>,
  ids: string[],
  pendingIds: string[],
  reversedIds: string[],
) {
  const result = await sql<{
    requests: { id: string; hash: string; outcome: string; detail: string }[]
    resolved: { pendingId: string; type: 'post_pending' | 'void_pending' }[]
    reversed: string[]
  }>`SELECT
      (SELECT coalesce(json_agg(json_build_object('id', r.id, 'hash', r.request_hash, 'outcome', r.outcome,
                                                  'detail', r.detail)), '[]'::json)
         FROM transfer_requests r WHERE r.id = ANY(${ids}::uuid[])) AS requests,
      (SELECT coalesce(json_agg(json_build_object('pendingId', t.pending_id, 'type', t.type)), '[]'::json)
         FROM transfers t WHERE t.pending_id = ANY(${pendingIds}::uuid[])) AS resolved,
      (SELECT coalesce(json_agg(t.reversal_of), '[]'::json)
         FROM transfers t WHERE t.reversal_of = ANY(${reversedIds}::uuid[])) AS reversed`.execute(trx)
  const row = result.rows[0]!
  return {
    previous: new Map(
      row.requests.map((r) => [r.id, { hash: r.hash, outcome: r.outcome, detail: r.detail }]),
    ),
    resolved: new Map(row.resolved.map((r) => [r.pendingId, r.type])),
    reversed: new Set(row.reversed),
  }
}

/**
 * Writes a batch in one statement: the requests (idempotency), the transfers, the accounts' new totals and
 * the realtime events. Foreign keys between rows of the same statement (a hold and its post in one batch) are
 * checked at its end, so the order of the parts does not matter.
 */
async function writeBatch(trx: Kysely<DB>, writes: BatchWrites, accounts: Map<string, AccountState>) {
  const requests = writes.requests.map((r) => ({
    id: r.id,
    request_hash: r.hash,
    outcome: r.outcome,
    detail: r.detail,
    created_by: r.createdBy,
  }))
  const transfers = writes.transfers.map((t) => ({
    id: t.id,
    type: t.type,
    debit_account_id: t.debitAccountId,
    credit_account_id: t.creditAccountId,
    amount: t.amount.toString(),
    currency: t.currency,
    pending_id: t.pendingId,
    reversal_of: t.reversalOf,
    expires_at: t.expiresAt?.toISOString() ?? null,
    memo: t.memo,
    entity_id: t.entityId,
    created_by: t.createdBy,
    created_at: t.createdAt.toISOString(),
    debit_balance_after: t.debitBalanceAfter.toString(),
    credit_balance_after: t.creditBalanceAfter.toString(),
  }))
  const totals = [...accounts.values()]
    .filter((a) => a.changed)
    .map((a) => ({
      id: a.id,
      dp: a.debitsPosted.toString(),
      cp: a.creditsPosted.toString(),
      dpe: a.debitsPending.toString(),
      cpe: a.creditsPending.toString(),
      sd: a.sentDay,
      sda: a.sentDayAmount.toString(),
      sdc: a.sentDayCount,
    }))
  const events = writes.transfers.length ? await outboxEvents(trx, writes.transfers, accounts) : []
  // The people a transfer or an exchange involves find it among their notifications too (GET
  // /api/notifications), except whoever did it; each notification is announced to its reader live.
  const notifications = events.flatMap((event) =>
    event.audience
      .filter((userId) => userId !== event.actor)
      .map((userId) => ({
        user_id: userId,
        topic: event.topic,
        entity_id: event.entity_id,
        payload: event.sides
          ? { ...(event.payload as object), ...directionOf(userId, event.sides) }
          : event.payload,
      })),
  )
  if (!requests.length && !transfers.length) return
  // What the outbox stores of each event (`sides` and `actor` served the notifications above).
  const outboxInsert = outboxInsertSql(
    events.map((e) => ({ topic: e.topic, entityId: e.entity_id, audience: e.audience, payload: e.payload })),
  )
  const inserted = await sql<{ id: string; seq: string }>`
    WITH requests AS (
      INSERT INTO transfer_requests (id, request_hash, outcome, detail, created_by)
      SELECT id, request_hash, outcome, detail, created_by
      FROM json_to_recordset(${JSON.stringify(requests)}::json)
        AS r(id uuid, request_hash text, outcome text, detail text, created_by uuid)
    ), totals AS (
      UPDATE accounts AS a SET debits_posted = v.dp, credits_posted = v.cp, debits_pending = v.dpe,
                               credits_pending = v.cpe, sent_day = v.sd, sent_day_amount = v.sda,
                               sent_day_count = v.sdc
      FROM json_to_recordset(${JSON.stringify(totals)}::json)
        AS v(id uuid, dp bigint, cp bigint, dpe bigint, cpe bigint, sd date, sda bigint, sdc integer)
      WHERE a.id = v.id
    ), events AS (
      ${outboxInsert}
    ), notified AS (
      INSERT INTO notifications (user_id, topic, entity_id, payload)
      SELECT user_id, topic, entity_id, payload
      FROM json_to_recordset(${JSON.stringify(notifications)}::json)
        AS n(user_id uuid, topic text, entity_id uuid, payload jsonb)
      RETURNING id, user_id, topic, entity_id, payload, created_at
    ), notified_events AS (
      ${outboxRecordsInsertSql(sql`(
        SELECT coalesce(json_agg(json_build_object(
                 'topic', 'notification.created', 'entity_id', n.entity_id, 'audience', json_build_array(n.user_id),
                 'payload', jsonb_build_object('id', n.id, 'topic', n.topic, 'entityId', n.entity_id,
                                               'payload', n.payload, 'createdAt', quartiere_iso(n.created_at),
                                               'readAt', NULL))), '[]'::json)
          FROM notified n)`)}
    )
    INSERT INTO transfers (id, type, debit_account_id, credit_account_id, amount, currency, pending_id,
                           reversal_of, expires_at, memo, entity_id, created_by, created_at,
                           debit_balance_after, credit_balance_after)
    SELECT id, type, debit_account_id, credit_account_id, amount, currency, pending_id, reversal_of, expires_at,
           memo, entity_id, created_by, created_at, debit_balance_after, credit_balance_after
    FROM json_to_recordset(${JSON.stringify(transfers)}::json)
      AS t(id uuid, type text, debit_account_id uuid, credit_account_id uuid, amount bigint, currency text,
           pending_id uuid, reversal_of uuid, expires_at timestamptz, memo text, entity_id uuid, created_by uuid,
           created_at timestamptz, debit_balance_after bigint, credit_balance_after bigint)
    RETURNING id, seq::text`.execute(trx)
  const seqs = new Map(inserted.rows.map((r) => [r.id, r.seq]))
  for (const t of writes.transfers) t.seq = seqs.get(t.id) ?? ''
}

const topicByType = {
  posted: 'transfer.posted',
  pending: 'transfer.pending',
  post_pending: 'transfer.posted',
  void_pending: 'transfer.voided',
} as const

/** The state a client sees of a transfer row that was just written (see transfer-views.ts). */
const stateByType = {
  posted: 'posted',
  pending: 'pending',
  post_pending: 'posted',
  void_pending: 'voided',
} as const

interface OutboxRow {
  topic: string
  entity_id: string | null
  audience: string[]
  payload: unknown
  /** A transfer's two sides (the people behind each account): each notification says which side its reader is on. */
  sides?: { debit: string[]; credit: string[] }
  /** Who caused it (the transfer's author; null for the expiry sweep): everyone else in the audience is notified. */
  actor: string | null
}

/**
 * The realtime feed's events for a batch's transfers, written in the batch's own statement: each transfer as
 * the API shows it, for the people behind its two accounts only. A hold that belongs to an exchange also
 * raises an `exchange.*` event for both parties.
 */
async function outboxEvents(
  trx: Kysely<DB>,
  transfers: TransferRecord[],
  accounts: Map<string, AccountState>,
): Promise<OutboxRow[]> {
  const audienceOf = (accountId: string) => accounts.get(accountId)?.audience ?? []
  const scaleOf = (t: TransferRecord) => accounts.get(t.debitAccountId)?.scale ?? 0
  const events: OutboxRow[] = transfers.map((t) => ({
    topic: topicByType[t.type],
    entity_id: t.entityId,
    audience: unique([...audienceOf(t.debitAccountId), ...audienceOf(t.creditAccountId)]),
    payload: transferView(t, stateByType[t.type], scaleOf(t)),
    sides: { debit: audienceOf(t.debitAccountId), credit: audienceOf(t.creditAccountId) },
    actor: t.createdBy,
  }))
  events.push(...(await exchangeEvents(trx, transfers, scaleOf)))
  return events
}

/**
 * Exchange events for the transfers of a batch that move an exchange's hold: opened with the hold (the
 * exchange row is written by the caller after the batch, so it is described from the transfer), confirmed
 * by a post, cancelled by a party's void, expired by the sweeper's void (no author).
 */
async function exchangeEvents(
  trx: Kysely<DB>,
  transfers: TransferRecord[],
  scaleOf: (t: TransferRecord) => number,
): Promise<OutboxRow[]> {
  const holdIds = unique(transfers.flatMap((t) => (t.pendingId && t.entityId ? [t.pendingId] : [])))
  if (!holdIds.length) return []
  const rows = await trx
    .selectFrom('exchanges')
    .select(['id', 'hold_id', 'entity_id', 'provider_id', 'receiver_id'])
    .where('hold_id', 'in', holdIds)
    .execute()
  const byHold = new Map(rows.map((r) => [r.hold_id, r]))
  return transfers.flatMap((t) => {
    const exchange = t.pendingId ? byHold.get(t.pendingId) : undefined
    if (!exchange) return []
    const state = t.type === 'post_pending' ? 'confirmed' : t.createdBy === null ? 'expired' : 'cancelled'
    return [
      {
        topic: `exchange.${state}`,
        entity_id: exchange.entity_id,
        audience: [exchange.provider_id, exchange.receiver_id],
        actor: t.createdBy,
        payload: {
          id: exchange.id,
          holdId: exchange.hold_id,
          entityId: exchange.entity_id,
          providerId: exchange.provider_id,
          receiverId: exchange.receiver_id,
          state,
          hours: state === 'confirmed' ? formatAmount(t.amount, scaleOf(t)) : null,
        },
      },
    ]
  })
}

/**
 * Which way a transfer went for one reader: `in` to an account of theirs (their own, or a group's they manage),
 * `out` from one; nothing when they stand on both sides.
 */
function directionOf(userId: string, sides: { debit: string[]; credit: string[] }) {
  const debit = sides.debit.includes(userId)
  const credit = sides.credit.includes(userId)
  return debit === credit ? {} : { direction: credit ? 'in' : 'out' }
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}
