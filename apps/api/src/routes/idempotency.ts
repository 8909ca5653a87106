import {
  claimIdempotencyKey,
  type DB,
  idempotencyRequestHash,
  recordIdempotentAnswer,
  type StoredAnswer,
} from '@quartiere/db'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import { requireActor } from '../plugins/authentication'
import { ApiError } from '../problem'
import { idempotencyKey } from './ledger-http'

export { IdempotencyHeaders } from './ledger-http'

/** What a creating route answers: its status, the headers a retry must get again, and the body. */
export interface Creation {
  status: number
  headers: Record<string, string>
  payload: unknown
}

/**
 * Creates something at most once per member and Idempotency-Key (things, posts, comments), with the ledger's
 * semantics: the same key with the same request is answered again with the first answer, status, headers and
 * body, plus `Idempotent-Replayed: true`; the same key with another request (another route, target or body) is a
 * 422 `idempotency_key_reused`. The key is claimed in the creating transaction (packages/db's
 * idempotency.repository.ts), so concurrent retries create one thing and wait for its answer. A refusal rolls the
 * claim back with everything else: a retry after the cause is gone (logged in again, the rate limit passed, the
 * text fixed) is done then, once. Without the header the route creates as it always did.
 */
export async function sendCreated(
  request: FastifyRequest,
  reply: FastifyReply,
  db: Kysely<DB>,
  retentionHours: number,
  create: (trx: Transaction<DB>) => Promise<Creation>,
): Promise<FastifyReply> {
  const actor = requireActor(request)
  const key = idempotencyKey(request, undefined, false)
  const answer = await db.transaction().execute(async (trx) => {
    if (key) {
      const requestHash = idempotencyRequestHash({
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        params: request.params,
        body: request.body,
      })
      const claim = await claimIdempotencyKey(trx, { userId: actor.userId, key, requestHash, retentionHours })
      switch (claim.kind) {
        case 'mismatch':
          throw new ApiError(
            422,
            'idempotency_key_reused',
            `the key ${key} was used already for a different request: choose a new key for a new request`,
          )
        case 'replay':
          return { ...claim.answer, replayed: true }
        case 'claimed':
          break
      }
    }
    const created = await create(trx)
    reply.status(created.status)
    const stored: StoredAnswer = {
      status: created.status,
      headers: created.headers,
      // The route's own serializer (its response schema for this status), so a replay is byte for byte the same.
      body: String(reply.serialize(created.payload)),
    }
    if (key) await recordIdempotentAnswer(trx, actor.userId, key, stored)
    return { ...stored, replayed: false }
  })
  reply.status(answer.status).headers(answer.headers)
  if (answer.replayed) reply.header('Idempotent-Replayed', 'true')
  return reply.send(answer.body)
}
