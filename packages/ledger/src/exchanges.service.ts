import { randomUUID } from 'node:crypto'
import type { Exchange } from '@quartiere/contracts'
import { cursorTime, type DB, defineCursor } from '@quartiere/db'
import { appendOutboxEvent } from '@quartiere/realtime'
import { type Kysely, sql } from 'kysely'
import { type Actor, findUserAccount, timeCurrency } from './accounts'
import { formatAmount, parseWireAmount } from './amounts'
import type { Ledger } from './ledger'
import { type LedgerOutcome, refuse } from './outcome'
import { executeBatch } from './transfer-engine'
import { resolveHold, type TransferResult } from './transfers.service'

/** An exchange's hold waits this long for the receiver to confirm, then is released. */
export const exchangeHoldTimeoutSeconds = 7 * 24 * 3600
/** Hours one exchange may hold at most: a day of work. */
export const exchangeHoursMax = 24n * 100n

/**
 * Opens an exchange on an offer or a request: the member who receives the service will pay the one who gives
 * it, and the hours are held on the receiver's account until the receiver confirms (posting them, possibly
 * fewer) or either side cancels; an unconfirmed hold expires after a week. On an offer the caller receives;
 * on a request the caller gives.
 */
export async function openExchange(
  ledger: Ledger,
  actor: Actor,
  entityId: string,
  hoursText: string,
  key?: string,
): Promise<LedgerOutcome<{ exchange: Exchange; replayed: boolean }>> {
  const { db } = ledger
  const entity = await db
    .selectFrom('entities')
    .select(['id', 'kind', 'title', 'author_id'])
    .where('id', '=', entityId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (!entity) return refuse('not_found', `no entity ${entityId}`)
  if (entity.kind !== 'offer' && entity.kind !== 'request') {
    return refuse('not_exchangeable', 'exchanges are opened on offers and requests only')
  }
  if (entity.author_id === actor.userId)
    return refuse('own_entity', 'you cannot open an exchange on your own offer or request')
  const hours = parseWireAmount(hoursText, 2)
  if (!hours.ok) return refuse('invalid_amount', hours.message)
  if (hours.minor > exchangeHoursMax) return refuse('invalid_amount', 'one exchange holds at most 24 hours')
  const [providerId, receiverId] =
    entity.kind === 'offer' ? [entity.author_id, actor.userId] : [actor.userId, entity.author_id]
  const [payer, payee] = await Promise.all([
    findUserAccount(db, receiverId, timeCurrency),
    findUserAccount(db, providerId, timeCurrency),
  ])
  if (!payer || !payee) throw new Error('a member has no TIME account')

  const holdId = key ?? randomUUID()
  // The hold and the exchange that explains it are written in one transaction: neither exists without the other.
  const result = await db.transaction().execute(async (trx) => {
    const [outcome] = await executeBatch(
      trx,
      [
        {
          kind: 'create',
          id: holdId,
          debitAccountId: payer.id,
          creditAccountId: payee.id,
          amount: hours.minor,
          currency: timeCurrency,
          pending: true,
          timeoutSeconds: exchangeHoldTimeoutSeconds,
          memo: `Scambio: ${entity.title}`.slice(0, 500),
          entityId: entity.id,
          reversalOf: null,
          createdBy: actor.userId,
        },
      ],
      ledger.policy,
    )
    if (!outcome!.ok) return outcome!
    if (!outcome!.replayed) {
      const exchange = await trx
        .insertInto('exchanges')
        .values({
          entity_id: entity.id,
          provider_id: providerId,
          receiver_id: receiverId,
          hold_id: holdId,
          created_by: actor.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      // Both parties see the exchange open live (its hold's own event says transfer.pending).
      await appendOutboxEvent(trx, {
        topic: 'exchange.opened',
        entityId: entity.id,
        audience: [providerId, receiverId],
        payload: {
          id: exchange.id,
          holdId,
          entityId: entity.id,
          providerId,
          receiverId,
          state: 'opened',
          hours: formatAmount(hours.minor, 2),
        },
      })
    }
    return outcome!
  })
  if (!result.ok) return refuse(result.code, result.message)
  const exchange = await findExchange(db, { holdId })
  if (!exchange) throw new Error(`exchange of hold ${holdId} vanished`)
  return { ok: true, exchange, replayed: result.replayed }
}

/** The receiver confirms the service was given: the hold is posted, for the hours held or fewer. */
export async function confirmExchange(ledger: Ledger, actor: Actor, exchangeId: string, hours?: string) {
  const exchange = await findExchange(ledger.db, { id: exchangeId })
  if (!exchange || (exchange.receiverId !== actor.userId && exchange.providerId !== actor.userId)) {
    return refuse('not_found', `no exchange ${exchangeId} of yours`)
  }
  if (exchange.receiverId !== actor.userId)
    return refuse('forbidden', 'only who received the service confirms it')
  return withExchange(
    ledger,
    await resolveHold(ledger, actor, exchange.holdId, 'post', hours ? { amount: hours } : {}),
    exchangeId,
  )
}

/** Either side calls the exchange off: the hold is voided and the hours released. */
export async function cancelExchange(ledger: Ledger, actor: Actor, exchangeId: string) {
  const exchange = await findExchange(ledger.db, { id: exchangeId })
  if (!exchange || (exchange.receiverId !== actor.userId && exchange.providerId !== actor.userId)) {
    return refuse('not_found', `no exchange ${exchangeId} of yours`)
  }
  return withExchange(ledger, await resolveHold(ledger, actor, exchange.holdId, 'void'), exchangeId)
}

async function withExchange(ledger: Ledger, result: TransferResult, exchangeId: string) {
  if (!result.ok) return result
  const exchange = await findExchange(ledger.db, { id: exchangeId })
  return { ok: true as const, exchange: exchange!, replayed: result.replayed }
}

/** The key of an exchange in the list: newest first, by creation time to the microsecond, then id. */
const exchangeCursor = defineCursor({ createdAt: 'timestamp', id: 'uuid' })

/** My exchanges, as giver or receiver, newest first. */
export async function listExchanges(
  db: Kysely<DB>,
  actor: Actor,
  page: { limit: number; cursor?: string },
): Promise<LedgerOutcome<{ items: Exchange[]; nextCursor: string | null }>> {
  const after = page.cursor === undefined ? undefined : exchangeCursor.decode(page.cursor)
  if (page.cursor !== undefined && !after)
    return refuse('invalid_cursor', 'the cursor is not one this API gave out')
  const rows = await exchangeQuery(db)
    .select(cursorTime('x.created_at').as('key_at'))
    .where((eb) => eb.or([eb('x.provider_id', '=', actor.userId), eb('x.receiver_id', '=', actor.userId)]))
    .$if(after !== undefined, (q) =>
      q.where(sql<boolean>`(x.created_at, x.id) < (${after!.createdAt}::timestamptz, ${after!.id}::uuid)`),
    )
    .orderBy('x.created_at', 'desc')
    .orderBy('x.id', 'desc')
    .limit(page.limit + 1)
    .execute()
  const items = rows.slice(0, page.limit).map(toExchange)
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined
  return {
    ok: true,
    items,
    nextCursor: last ? exchangeCursor.encode({ createdAt: last.key_at, id: last.id }) : null,
  }
}

function exchangeQuery(db: Kysely<DB>) {
  return db
    .selectFrom('exchanges as x')
    .innerJoin('entities as e', 'e.id', 'x.entity_id')
    .innerJoin('transfers as h', 'h.id', 'x.hold_id')
    .leftJoin('transfers as r', 'r.pending_id', 'x.hold_id')
    .select([
      'x.id',
      'x.entity_id',
      'e.kind',
      'e.title',
      'x.provider_id',
      'x.receiver_id',
      'x.hold_id',
      'x.created_at',
      'h.amount',
      'h.expires_at',
      'r.type as resolution',
      'r.amount as posted_amount',
    ])
}

async function findExchange(db: Kysely<DB>, by: { id: string } | { holdId: string }) {
  const row = await exchangeQuery(db)
    .$if('id' in by, (q) => q.where('x.id', '=', (by as { id: string }).id))
    .$if('holdId' in by, (q) => q.where('x.hold_id', '=', (by as { holdId: string }).holdId))
    .executeTakeFirst()
  return row ? toExchange(row) : undefined
}

function toExchange(row: {
  id: string
  entity_id: string
  kind: string
  title: string
  provider_id: string
  receiver_id: string
  hold_id: string
  created_at: Date
  amount: string
  expires_at: Date | null
  resolution: string | null
  posted_amount: string | null
}): Exchange {
  return {
    id: row.id,
    entityId: row.entity_id,
    entityKind: row.kind as Exchange['entityKind'],
    entityTitle: row.title,
    providerId: row.provider_id,
    receiverId: row.receiver_id,
    hours: formatAmount(row.amount, 2),
    state:
      row.resolution === 'post_pending' ? 'posted' : row.resolution === 'void_pending' ? 'voided' : 'pending',
    postedHours:
      row.resolution === 'post_pending' && row.posted_amount ? formatAmount(row.posted_amount, 2) : null,
    holdId: row.hold_id,
    expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
  }
}
