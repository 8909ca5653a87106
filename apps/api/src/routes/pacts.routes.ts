import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  IdParams,
  Pact,
  PactCreateBody,
  PactDocumentBody,
  PactList,
  PactListQuery,
  PactPatchBody,
  PactReportBody,
  PactTransitionBody,
} from '@quartiere/contracts'
import {
  addPactDocument,
  getPact,
  listPacts,
  proposePact,
  reportPactActivity,
  transitionPact,
  updatePactLinks,
} from '@quartiere/map'
import { communityProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { errorResponses } from '../problem'
import type { RouteContext } from './context'
import { IfMatchHeaders, ifMatchVersion } from './if-match'

const errors = errorResponses(400, 401, 403, 404, 409, 422)

export function pactsRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.post(
      '/api/pacts',
      {
        schema: {
          tags: ['pacts'],
          summary: 'Propose a pact of collaboration (a resident, or a group you manage)',
          security: [{ bearer: [] }],
          body: PactCreateBody,
          response: { 201: Pact, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const { pact } = unwrap(
          await db.transaction().execute((trx) => proposePact(trx, actor, request.body)),
          communityProblem,
        )
        return reply.status(201).header('Location', `/api/pacts/${pact.id}`).send(pact)
      },
    )

    app.get(
      '/api/pacts',
      {
        schema: {
          tags: ['pacts'],
          summary: 'The pacts of collaboration, a page at a time, optionally those at one step',
          querystring: PactListQuery,
          response: { 200: PactList, ...errorResponses(400) },
        },
      },
      async (request) => unwrap(await listPacts(db, request.query), communityProblem).page,
    )

    app.get(
      '/api/pacts/:id',
      {
        schema: {
          tags: ['pacts'],
          summary:
            'A pact: status, spaces, signatory groups, duration, documents, history and your next steps',
          params: IdParams,
          response: { 200: Pact, ...errorResponses(400, 404, 422) },
        },
      },
      async (request) => {
        const outcome = await getPact(db, request.actor, request.params.id)
        return unwrap(outcome, communityProblem).pact
      },
    )

    app.patch(
      '/api/pacts/:id',
      {
        schema: {
          tags: ['pacts'],
          summary:
            'Change its spaces, signatory groups or duration (proposer until signed; admins); If-Match: its version',
          security: [{ bearer: [] }],
          params: IdParams,
          headers: IfMatchHeaders,
          body: PactPatchBody,
          response: { 200: Pact, ...errors, ...errorResponses(412) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const version = ifMatchVersion(request, 'of the pact')
        const outcome = await db
          .transaction()
          .execute((trx) => updatePactLinks(trx, actor, request.params.id, request.body, version))
        return unwrap(outcome, communityProblem).pact
      },
    )

    app.post(
      '/api/pacts/:id/transitions',
      {
        schema: {
          tags: ['pacts'],
          summary:
            'Take a step: admins open co-design, record the signing or reject; signatory groups start and conclude',
          security: [{ bearer: [] }],
          params: IdParams,
          body: PactTransitionBody,
          response: { 200: Pact, ...errors },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const outcome = await db
          .transaction()
          .execute((trx) => transitionPact(trx, actor, request.params.id, request.body))
        return unwrap(outcome, communityProblem).pact
      },
    )

    app.post(
      '/api/pacts/:id/reports',
      {
        schema: {
          tags: ['pacts'],
          summary: 'A signatory group reports its activity (signed or active pacts)',
          security: [{ bearer: [] }],
          params: IdParams,
          body: PactReportBody,
          response: { 201: Pact, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const outcome = await db
          .transaction()
          .execute((trx) => reportPactActivity(trx, actor, request.params.id, request.body))
        return reply.status(201).send(unwrap(outcome, communityProblem).pact)
      },
    )

    app.post(
      '/api/pacts/:id/documents',
      {
        schema: {
          tags: ['pacts'],
          summary: 'Attach a document (a link, or an uploaded image)',
          security: [{ bearer: [] }],
          params: IdParams,
          body: PactDocumentBody,
          response: { 201: Pact, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const outcome = await db
          .transaction()
          .execute((trx) => addPactDocument(trx, actor, request.params.id, request.body))
        return reply.status(201).send(unwrap(outcome, communityProblem).pact)
      },
    )
  }
}
