import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Dashboard, DashboardQuery } from '@quartiere/contracts'
import { dashboardFigures } from '@quartiere/map'
import { mapProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { errorResponses } from '../problem'
import type { RouteContext } from './context'

/** The organisers' dashboard: a neighbourhood's activity per month, for admins. */
export function dashboardRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/admin/dashboard',
      {
        schema: {
          tags: ['admin'],
          summary:
            'Activity per whole UTC month (things by kind, active members, exchanges and hours) and pacts by status (admin)',
          description:
            '`from` and `to` are months (YYYY-MM), both included, at most 36 apart. Hours are exact decimal strings.',
          security: [{ bearer: [] }],
          querystring: DashboardQuery,
          response: { 200: Dashboard, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) =>
        unwrap(await dashboardFigures(db, requireActor(request), request.query), mapProblem).dashboard,
    )
  }
}
