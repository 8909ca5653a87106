import type { TokenIssuer } from '@quartiere/auth'
import type { Actor } from '@quartiere/map'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { accessTokenProblem } from '../outcome-problems'
import { ApiError } from '../problem'
import { cachingVerifier } from './verified-token-cache'

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, when the request carried a valid access token. */
    actor: Actor | null
  }
}

const bearerPattern = /^Bearer ([A-Za-z0-9\-_=.]+)$/

/**
 * Reads `Authorization: Bearer <JWT>` on every request. Reading public data needs no token, but a token that
 * is sent must be valid: a client holding an expired one learns it must refresh, instead of silently seeing
 * less.
 */
export function installAuthentication(app: FastifyInstance, tokens: TokenIssuer) {
  const verify = cachingVerifier(tokens)
  app.decorateRequest('actor', null)
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization
    if (header === undefined) return
    const match = bearerPattern.exec(header)
    if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <access token>"')
    const verified = await verify(match[1])
    if (!verified.ok) {
      request.log.info({ reason: verified.reason }, 'access token refused')
      throw accessTokenProblem(verified)
    }
    request.actor = { userId: verified.claims.userId, role: verified.claims.role }
  })
  // A route that declares bearer security answers 401 to the anonymous before it looks at their input.
  app.addHook('onRoute', (route) => {
    const security = (route.schema as { security?: unknown[] } | undefined)?.security
    if (!security?.length) return
    const existing = route.preValidation ? [route.preValidation].flat() : []
    route.preValidation = [
      ...existing,
      async (request: FastifyRequest) => {
        requireActor(request)
      },
    ]
  })
}

/** The signed-in user, or a 401 problem. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthorized('log in first: this needs an access token')
  return request.actor
}

function unauthorized(detail: string) {
  return new ApiError(401, 'unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } })
}
