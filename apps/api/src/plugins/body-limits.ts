import type { FastifyInstance } from 'fastify'

/**
 * Routes whose bodies are legitimately large: a geometry of up to 10,000 positions, a currency's terms of up to
 * 100,000 characters. They get the server-wide limit (BODY_BYTES_MAX); every other JSON route gets the small
 * one, enough for its longest text field in four-byte characters. Image uploads (multipart) are bounded by the
 * media plugin's own file-size limit instead.
 */
const largeBodyRoutes = new Set([
  'POST /api/entities',
  'PATCH /api/entities/:id',
  'POST /api/ledger/currencies',
])
const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const multipartRoutes = new Set(['POST /api/media'])

/** Must be installed before the routes: it sets each route's `bodyLimit` as the route is added. */
export function installBodyLimits(app: FastifyInstance, limits: { small: number; large: number }) {
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (!bodyMethods.has(method) || route.bodyLimit !== undefined) continue
      const key = `${method} ${route.url}`
      if (multipartRoutes.has(key)) continue
      route.bodyLimit = largeBodyRoutes.has(key) ? limits.large : limits.small
    }
  })
}
