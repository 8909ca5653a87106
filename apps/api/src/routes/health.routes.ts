import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Health } from '@quartiere/contracts'
import { isDatabaseReachable } from '@quartiere/db'
import type { RouteContext } from './context'

export const apiVersion = '0.1.0'

export function healthRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['meta'],
          summary: 'Liveness and database reachability',
          response: { 200: Health, 503: Health },
        },
      },
      async (_request, reply) => {
        const reachable = await isDatabaseReachable(database.db)
        return reply.status(reachable ? 200 : 503).send({
          status: reachable ? 'ok' : 'degraded',
          database: database.backend,
          databaseReachable: reachable,
          version: apiVersion,
        })
      },
    )
  }
}
