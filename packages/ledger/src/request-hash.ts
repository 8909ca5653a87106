import { createHash } from 'node:crypto'
import type { LedgerCommand } from './types'

/**
 * A fingerprint of what a command asks, to tell a retry (same key, same request: same answer) from a
 * different request reusing a key (refused). Field order is fixed here, so the hash does not depend on how
 * the client ordered its JSON.
 */
export function requestHash(command: LedgerCommand): string {
  const fields =
    command.kind === 'create'
      ? [
          'create',
          command.debitAccountId,
          command.creditAccountId,
          command.amount.toString(),
          command.currency,
          command.pending,
          command.timeoutSeconds,
          command.memo,
          command.entityId,
          command.reversalOf,
          command.createdBy,
        ]
      : command.kind === 'post'
        ? ['post', command.pendingId, command.amount?.toString() ?? null, command.createdBy]
        : ['void', command.pendingId, command.memo, command.createdBy]
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url')
}
