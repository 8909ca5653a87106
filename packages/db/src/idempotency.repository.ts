import { createHash } from 'node:crypto'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from './schema'

type Db = Kysely<DB> | Transaction<DB>

/**
 * The first answer a member's Idempotency-Key got (migration 0017), for the API's creating routes: things, posts,
 * comments. The key is claimed in the creating transaction, before the creation: a concurrent retry with the same
 * key waits on the claimed row until that transaction ends, then reads its answer (or, if it rolled back, claims the
 * key itself). So one key creates one thing, on one instance or on several.
 */
export interface StoredAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

export type IdempotencyClaim =
  /** The key is this request's now: do the work, then `recordIdempotentAnswer` in the same transaction. */
  | { kind: 'claimed' }
  /** The same request was answered before: answer it again. */
  | { kind: 'replay'; answer: StoredAnswer }
  /** The key was used for another request (another route, or another body). */
  | { kind: 'mismatch' }

/** Rows deleted at most per prune, so one prune never holds the table for long. */
export const idempotencyPruneRowsMax = 10_000

/** A SHA-256 digest of what identifies a request: its method and route, its parameters and its body. */
export function idempotencyRequestHash(parts: {
  method: string
  route: string
  params: unknown
  body: unknown
}) {
  return createHash('sha256')
    .update(
      `${parts.method} ${parts.route}\u0000${canonicalJson(parts.params)}\u0000${canonicalJson(parts.body)}`,
    )
    .digest()
}

/** JSON with every object's keys sorted, so that the same body hashes the same whatever the order of its keys. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value)) ?? 'null'
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
    )
  }
  return value
}

/**
 * Claims a member's key for a request, in the caller's transaction (which must go on to create the thing and
 * record its answer, or roll back). A key older than the retention counts as never used.
 */
export async function claimIdempotencyKey(
  trx: Transaction<DB>,
  claim: { userId: string; key: string; requestHash: Buffer; retentionHours: number },
): Promise<IdempotencyClaim> {
  const { userId, key, requestHash, retentionHours } = claim
  await sql`
    DELETE FROM idempotency_keys
     WHERE user_id = ${userId}::uuid AND key = ${key}::uuid
       AND created_at < now() - ${retentionHours}::float8 * interval '1 hour'`.execute(trx)
  // On a conflict with a row another transaction has not committed yet, this waits for that transaction.
  const inserted = await sql<{ key: string }>`
    INSERT INTO idempotency_keys (user_id, key, request_hash)
    VALUES (${userId}::uuid, ${key}::uuid, ${requestHash})
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING key`.execute(trx)
  if (inserted.rows.length === 1) return { kind: 'claimed' }
  const earlier = await trx
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'headers', 'body'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst()
  if (!earlier) throw new Error(`idempotency key ${key} conflicted but is not there`)
  if (!Buffer.from(earlier.request_hash).equals(requestHash)) return { kind: 'mismatch' }
  if (earlier.status === null || earlier.body === null) {
    // Claims and answers are written in one transaction: a committed claim without its answer is a bug.
    throw new Error(`idempotency key ${key} was committed without its answer`)
  }
  return { kind: 'replay', answer: { status: earlier.status, headers: earlier.headers, body: earlier.body } }
}

/** Records the answer of the request that claimed the key, in the same transaction as the claim and the work. */
export async function recordIdempotentAnswer(
  trx: Transaction<DB>,
  userId: string,
  key: string,
  answer: StoredAnswer,
): Promise<void> {
  const result = await trx
    .updateTable('idempotency_keys')
    .set({ status: answer.status, headers: JSON.stringify(answer.headers), body: answer.body })
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst()
  if (result.numUpdatedRows !== 1n) throw new Error(`idempotency key ${key} was not claimed`)
}

/** Deletes keys older than the retention, at most `idempotencyPruneRowsMax` of them; returns how many. */
export async function pruneIdempotencyKeys(db: Db, retentionHours: number): Promise<number> {
  const result = await sql`
    DELETE FROM idempotency_keys WHERE (user_id, key) IN (
      SELECT user_id, key FROM idempotency_keys
       WHERE created_at < now() - ${retentionHours}::float8 * interval '1 hour'
       LIMIT ${idempotencyPruneRowsMax}::int)`.execute(db)
  return Number(result.numAffectedRows ?? 0n)
}
