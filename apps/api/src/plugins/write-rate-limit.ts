import type { FastifyInstance, FastifyRequest } from 'fastify'

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** Sign-up, login and refresh have their own, tighter limit per IP (auth.routes.ts). */
const ownLimitPrefix = '/api/auth/'

/**
 * Each member (or, before login, each IP) may make `perMinute` writes a minute across the whole API, so one
 * account cannot flood the map, the threads or the ledger. Reads are not limited here. Counted before the body
 * is validated, so a stream of invalid requests is limited too. Needs @fastify/rate-limit registered first.
 */
export function installWriteRateLimit(app: FastifyInstance, perMinute: number) {
  if (perMinute <= 0) return
  const limit = app.rateLimit({
    max: perMinute,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) =>
      request.actor ? `writes:user:${request.actor.userId}` : `writes:ip:${request.ip}`,
  })
  app.addHook('preValidation', async (request, reply) => {
    if (!writeMethods.has(request.method) || request.url.startsWith(ownLimitPrefix)) return
    await limit.call(app, request, reply)
  })
}
