import { LedgerOverloadedError } from '@quartiere/ledger'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ApiError, errorResponses } from '../problem'

/** What the ledger's routes (time credits, community currencies, campaigns) share over HTTP. */

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      format: 'uuid',
      description: 'A uuid of your choosing; retries with the same key are answered once.',
    }),
  ),
})

/** The ledger's routes answer these alike: 503 when its queue is full (see `guard`). */
export const ledgerErrors = errorResponses(400, 401, 403, 404, 409, 422, 503)

/** A full ledger queue answers 503 with Retry-After rather than queueing without bound. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof LedgerOverloadedError) {
      throw new ApiError(503, 'ledger_overloaded', error.message, { headers: { 'Retry-After': '1' } })
    }
    throw error
  }
}

/** 201 for a transfer done now, 200 for one this key did before. */
export function sendTransfer(reply: FastifyReply, result: { transfer: unknown; replayed: boolean }) {
  return reply.status(result.replayed ? 200 : 201).send(result.transfer as never)
}

/** The idempotency key from the header or the body; both given must agree. */
export function idempotencyKey(
  request: FastifyRequest,
  bodyId: string | undefined,
  required: boolean,
): string | undefined {
  const header = request.headers['idempotency-key']
  const headerKey = typeof header === 'string' ? header.toLowerCase() : undefined
  const bodyKey = bodyId?.toLowerCase()
  if (headerKey && bodyKey && headerKey !== bodyKey) {
    throw new ApiError(400, 'idempotency_key_mismatch', 'the Idempotency-Key header and the body id differ')
  }
  const key = headerKey ?? bodyKey
  if (!key && required) {
    throw new ApiError(
      400,
      'idempotency_key_required',
      'choose a uuid for this request and send it as the Idempotency-Key header (or the body id), so that a retry cannot do it twice',
    )
  }
  return key
}
