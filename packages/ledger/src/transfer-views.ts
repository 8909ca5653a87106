import type { StatementLine, Transfer } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { formatAmount } from './amounts'
import type { TransferRecord } from './types'

/**
 * The state a client sees: a plain transfer is posted; a hold is pending until a post or a void resolves it;
 * the resolving transfers are themselves posted or voided.
 */
export async function transferStates(
  db: Kysely<DB>,
  records: TransferRecord[],
): Promise<Map<string, Transfer['state']>> {
  const holds = records.filter((r) => r.type === 'pending').map((r) => r.id)
  const resolutions = holds.length
    ? await db
        .selectFrom('transfers')
        .select(['pending_id', 'type'])
        .where('pending_id', 'in', holds)
        .execute()
    : []
  const resolvedAs = new Map(resolutions.map((r) => [r.pending_id!, r.type]))
  return new Map(
    records.map((r) => {
      if (r.type === 'pending') {
        const how = resolvedAs.get(r.id)
        return [r.id, how === 'post_pending' ? 'posted' : how === 'void_pending' ? 'voided' : 'pending']
      }
      return [r.id, r.type === 'void_pending' ? 'voided' : 'posted']
    }),
  )
}

export function transferView(record: TransferRecord, state: Transfer['state'], scale: number): Transfer {
  return {
    id: record.id,
    debitAccountId: record.debitAccountId,
    creditAccountId: record.creditAccountId,
    amount: formatAmount(record.amount, scale),
    currency: record.currency,
    state,
    memo: record.memo,
    entityId: record.entityId,
    pendingId: record.pendingId,
    reversalOf: record.reversalOf,
    expiresAt: record.expiresAt?.toISOString() ?? null,
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
  }
}

export function statementLine(
  record: TransferRecord,
  accountId: string,
  state: Transfer['state'],
  scale: number,
): StatementLine {
  const direction = record.debitAccountId === accountId ? 'debit' : 'credit'
  return {
    ...transferView(record, state, scale),
    direction,
    balance: formatAmount(
      direction === 'debit' ? record.debitBalanceAfter : record.creditBalanceAfter,
      scale,
    ),
  }
}
