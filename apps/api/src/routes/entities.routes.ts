import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  EntitiesQuery,
  EntityCollection,
  EntityCreateBody,
  EntityFeature,
  EntityIdParams,
  EntityPatchBody,
  entitiesPageSizeDefault,
} from '@quartiere/contracts'
import {
  createEntity,
  deleteEntity,
  getEntity,
  listEntities,
  parseEntitiesQuery,
  updateEntity,
} from '@quartiere/map'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { mapProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'
import { IdempotencyHeaders, sendCreated } from './idempotency'
import { IfMatchHeaders, ifMatchVersion, requireIfMatch } from './if-match'
import { urlWithCursor } from './links'

export const geoJsonType = 'application/geo+json; charset=utf-8'

/** Whose ETag a malformed If-Match is told to send. */
const entityETag = 'of the entity'

export function entitiesRoutes({ config, database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/entities',
      {
        schema: {
          tags: ['entities'],
          summary: 'Things on the map: by bbox, time window, kind, text, category, tag, parent, author, zoom',
          querystring: EntitiesQuery,
          response: { 200: EntityCollection, ...errorResponses(400) },
        },
      },
      async (request, reply) => {
        const parsed = unwrap(parseEntitiesQuery(request.query), mapProblem)
        const limit = request.query.limit ?? entitiesPageSizeDefault
        const page = await listEntities(db, parsed.filters, limit, request.actor)
        const links = [{ rel: 'self', type: 'application/geo+json', href: request.url }]
        if (page.nextCursor) {
          links.push({
            rel: 'next',
            type: 'application/geo+json',
            href: urlWithCursor(request, page.nextCursor),
          })
        }
        // The features are JSON text built by the database; splicing them saves a parse and a serialise per
        // feature on the hottest read of the map.
        const body = `{"type":"FeatureCollection","numberReturned":${page.featuresJson.length},"links":${JSON.stringify(links)},"features":[${page.featuresJson.join(',')}]}`
        return reply.type(geoJsonType).send(body as never)
      },
    )

    app.post(
      '/api/entities',
      {
        schema: {
          tags: ['entities'],
          summary: 'Put a thing on the map',
          description:
            'With an Idempotency-Key (a uuid of yours), a retry is answered once: the same key and body get the first answer again (`Idempotent-Replayed: true`), the same key with another body 422 idempotency_key_reused.',
          security: [{ bearer: [] }],
          headers: IdempotencyHeaders,
          body: EntityCreateBody,
          response: { 201: EntityFeature, ...errorResponses(400, 401, 422) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        return sendCreated(request, reply, db, config.idempotencyKeyRetentionHours, async (trx) => {
          const outcome = unwrap(await createEntity(trx, actor, request.body), mapProblem)
          return {
            status: 201,
            headers: {
              ETag: `"${outcome.version}"`,
              Location: `/api/entities/${outcome.feature.id}`,
              'Content-Type': geoJsonType,
            },
            payload: outcome.feature,
          }
        })
      },
    )

    app.get(
      '/api/entities/:id',
      {
        schema: {
          tags: ['entities'],
          summary: 'One thing on the map',
          params: EntityIdParams,
          response: { 200: EntityFeature, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const entity = await getEntity(db, request.params.id, request.actor)
        if (!entity) throw new ApiError(404, 'not_found', `no entity ${request.params.id}`)
        return reply.header('ETag', `"${entity.version}"`).type(geoJsonType).send(entity.feature)
      },
    )

    app.patch(
      '/api/entities/:id',
      {
        schema: {
          tags: ['entities'],
          summary: 'Change a thing (If-Match with its version is required)',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          headers: IfMatchHeaders,
          body: EntityPatchBody,
          response: { 200: EntityFeature, ...errorResponses(400, 401, 403, 404, 412, 422, 428) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const version = requireIfMatch(request, entityETag)
        const outcome = await db
          .transaction()
          .execute((trx) => updateEntity(trx, actor, request.params.id, version, request.body))
        return sendFeature(reply, unwrap(outcome, mapProblem))
      },
    )

    app.delete(
      '/api/entities/:id',
      {
        schema: {
          tags: ['entities'],
          summary: 'Remove a thing from the map (soft delete; If-Match optional)',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 412) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const version = ifMatchVersion(request, entityETag)
        unwrap(
          await db.transaction().execute((trx) => deleteEntity(trx, actor, request.params.id, version)),
          mapProblem,
        )
        return reply.status(204).send(null)
      },
    )
  }
}

function sendFeature(reply: FastifyReply, entity: { feature: unknown; version: number }) {
  return reply.header('ETag', `"${entity.version}"`).type(geoJsonType).send(entity.feature)
}
