import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  EntitiesQuery,
  EntityCollection,
  EntityCreateBody,
  EntityFeature,
  EntityIdParams,
  EntityPatchBody,
  entitiesPageSizeDefault,
  Problem,
} from '@quartiere/contracts'
import {
  createEntity,
  deleteEntity,
  getEntity,
  listEntities,
  parseEntitiesQuery,
  updateEntity,
} from '@quartiere/map'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { requireActor } from '../plugins/authentication'
import { ApiError, mapFailureToApiError } from '../problem'
import type { RouteContext } from './context'
import { urlWithCursor } from './links'

export const geoJsonType = 'application/geo+json; charset=utf-8'

const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 100, description: 'The ETag (version) you last read.' }),
  ),
})

export function entitiesRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/entities',
      {
        schema: {
          tags: ['entities'],
          summary: 'Things on the map: by bbox, time window, kind, text, category, tag, parent, author, zoom',
          querystring: EntitiesQuery,
          response: { 200: EntityCollection, 400: Problem },
        },
      },
      async (request, reply) => {
        const parsed = parseEntitiesQuery(request.query)
        if (!parsed.ok) throw mapFailureToApiError(parsed)
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
          security: [{ bearer: [] }],
          body: EntityCreateBody,
          response: { 201: EntityFeature, 400: Problem, 401: Problem, 422: Problem },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const outcome = await db.transaction().execute((trx) => createEntity(trx, actor, request.body))
        if (!outcome.ok) throw mapFailureToApiError(outcome)
        return reply
          .status(201)
          .header('ETag', `"${outcome.version}"`)
          .header('Location', `/api/entities/${outcome.feature.id}`)
          .type(geoJsonType)
          .send(outcome.feature)
      },
    )

    app.get(
      '/api/entities/:id',
      {
        schema: {
          tags: ['entities'],
          summary: 'One thing on the map',
          params: EntityIdParams,
          response: { 200: EntityFeature, 400: Problem, 404: Problem },
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
          response: {
            200: EntityFeature,
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
            412: Problem,
            422: Problem,
            428: Problem,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const version = expectedVersion(request)
        if (version === undefined) {
          throw new ApiError(
            428,
            'if_match_required',
            "send If-Match with the ETag you read, so that no one else's change is overwritten",
          )
        }
        const outcome = await db
          .transaction()
          .execute((trx) => updateEntity(trx, actor, request.params.id, version, request.body))
        if (!outcome.ok) throw mapFailureToApiError(outcome)
        return sendFeature(reply, outcome)
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
          response: {
            204: Type.Null(),
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
            412: Problem,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const version = expectedVersion(request)
        const outcome = await db
          .transaction()
          .execute((trx) => deleteEntity(trx, actor, request.params.id, version))
        if (!outcome.ok) throw mapFailureToApiError(outcome)
        return reply.status(204).send(null)
      },
    )
  }
}

function sendFeature(reply: FastifyReply, entity: { feature: unknown; version: number }) {
  return reply.header('ETag', `"${entity.version}"`).type(geoJsonType).send(entity.feature)
}

const ifMatchPattern = /^(?:W\/)?"?(\d{1,9})"?$/

/** The version an If-Match header names: `"3"`, `W/"3"` or `3`. Anything else is a 400. */
function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined) return undefined
  const match = ifMatchPattern.exec(String(header).trim())
  if (!match?.[1])
    throw new ApiError(400, 'invalid_if_match', 'If-Match must be the ETag of the entity, e.g. "3"')
  return Number(match[1])
}
