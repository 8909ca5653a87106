import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Initiative,
  InitiativeCreateBody,
  InitiativeEntityParams,
  InitiativeList,
  InitiativeRefParams,
} from '@quartiere/contracts'
import { createInitiative, getInitiative, listInitiatives, setInitiativeMembership } from '@quartiere/map'
import { communityProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

const errors = errorResponses(400, 401, 403, 404, 409)

export function initiativesRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/initiatives',
      {
        schema: {
          tags: ['initiatives'],
          summary:
            'Named collections of things across kinds ("Co-City 2017", "AxTO"); filter the map with ?initiative=',
          response: { 200: InitiativeList },
        },
      },
      async (request) => ({ items: await listInitiatives(db, request.actor), nextCursor: null }),
    )

    app.post(
      '/api/initiatives',
      {
        schema: {
          tags: ['initiatives'],
          summary: 'Create an initiative (moderators and admins)',
          security: [{ bearer: [] }],
          body: InitiativeCreateBody,
          response: { 201: Initiative, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const { initiative } = unwrap(
          await db.transaction().execute((trx) => createInitiative(trx, actor, request.body)),
          communityProblem,
        )
        return reply.status(201).header('Location', `/api/initiatives/${initiative.slug}`).send(initiative)
      },
    )

    app.get(
      '/api/initiatives/:ref',
      {
        schema: {
          tags: ['initiatives'],
          summary: 'One initiative, by id or slug',
          params: InitiativeRefParams,
          response: { 200: Initiative, ...errorResponses(404) },
        },
      },
      async (request) => {
        const initiative = await getInitiative(db, request.params.ref, request.actor)
        if (!initiative) throw new ApiError(404, 'not_found', `no initiative ${request.params.ref}`)
        return initiative
      },
    )

    for (const [method, member] of [
      ['PUT', true],
      ['DELETE', false],
    ] as const) {
      app.route({
        method,
        url: '/api/initiatives/:ref/entities/:entityId',
        schema: {
          tags: ['initiatives'],
          summary: member ? 'Put a thing in an initiative' : 'Take a thing out of an initiative',
          security: [{ bearer: [] }],
          params: InitiativeEntityParams,
          response: { 200: Initiative, ...errors },
        },
        handler: async (request) => {
          const actor = requireActor(request)
          const outcome = await db
            .transaction()
            .execute((trx) =>
              setInitiativeMembership(trx, actor, request.params.ref, request.params.entityId, member),
            )
          return unwrap(outcome, communityProblem).initiative
        },
      })
    }
  }
}
