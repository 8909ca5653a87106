import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Health } from '@quartiere/contracts'
import { sql } from 'kysely'
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
        const reachable = await sql`SELECT 1`
          .execute(database.db)
          .then(() => true)
          .catch(() => false)
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
