import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Initiative,
  InitiativeCreateBody,
  InitiativeEntityParams,
  InitiativeList,
  InitiativeRefParams,
  Problem,
} from '@quartiere/contracts'
import { createInitiative, getInitiative, listInitiatives, setInitiativeMembership } from '@quartiere/map'
import { requireActor } from '../plugins/authentication'
import { ApiError } from '../problem'
import type { RouteContext } from './context'
import { communityFailureToApiError } from './posts.routes'

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem }

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
      async () => ({ items: await listInitiatives(db), nextCursor: null }),
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
        const outcome = await db.transaction().execute((trx) => createInitiative(trx, actor, request.body))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply
          .status(201)
          .header('Location', `/api/initiatives/${outcome.initiative.slug}`)
          .send(outcome.initiative)
      },
    )

    app.get(
      '/api/initiatives/:ref',
      {
        schema: {
          tags: ['initiatives'],
          summary: 'One initiative, by id or slug',
          params: InitiativeRefParams,
          response: { 200: Initiative, 404: Problem },
        },
      },
      async (request) => {
        const initiative = await getInitiative(db, request.params.ref)
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
          if (!outcome.ok) throw communityFailureToApiError(outcome)
          return outcome.initiative
        },
      })
    }
  }
}
