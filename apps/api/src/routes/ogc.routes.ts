import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  jsonSchemaMediaType,
  OgcCollectionParams,
  OgcConformance,
  OgcFeatureParams,
  OgcFeatureQuery,
  OgcItemsQuery,
  OgcMetadataQuery,
  openApiMediaType,
} from '@quartiere/contracts'
import {
  type ExtentCache,
  getOgcItem,
  isOgcCollectionId,
  listOgcItems,
  ogcCollection,
  ogcCollections,
  ogcConformance,
  ogcLandingPage,
  ogcOpenApi,
  ogcQueryables,
  parseOgcItemsQuery,
} from '@quartiere/opendata'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { openDataProblem, unwrap } from '../outcome-problems'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

const jsonType = 'application/json; charset=utf-8'
const geoJsonType = 'application/geo+json; charset=utf-8'

/**
 * The absolute URL of /ogc as this request reached us. Links must be absolute: GDAL resolves a link that
 * starts with "/" against the URL it was given (…/ogc), which would double the prefix.
 */
export function ogcBase(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}/ogc`
}

function absolute(request: FastifyRequest, pathAndQuery: string): string {
  return `${request.protocol}://${request.host}${pathAndQuery}`
}

function withParams(request: FastifyRequest, changes: Record<string, string | null>): string {
  const url = new URL(request.url, 'http://localhost')
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(name)
    else url.searchParams.set(name, value)
  }
  return absolute(request, `${url.pathname}${url.search}`)
}

/** `f=json` asks for plain JSON; the default for features is GeoJSON. */
function featureType(request: FastifyRequest): string {
  return (request.query as { f?: string }).f === 'json' ? jsonType : geoJsonType
}

function requireCollection(id: string) {
  if (!isOgcCollectionId(id)) throw new ApiError(404, 'not_found', `no collection ${id}`)
  return id
}

function sendJson(reply: FastifyReply, body: unknown, type = jsonType) {
  return reply.type(type).send(JSON.stringify(body) as never)
}

/**
 * `extents` holds the collections' extents between changes (app.ts drops them on every entity event the outbox
 * relay hands on).
 */
export function ogcRoutes({ database }: RouteContext, extents: ExtentCache): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    const metadata = (summary: string, extra: Record<string, unknown> = {}) => ({
      schema: {
        tags: ['ogc'],
        summary,
        querystring: OgcMetadataQuery,
        response: errorResponses(400, 404),
        ...extra,
      },
    })

    app.get('/ogc', metadata('OGC API - Features: landing page'), async (request, reply) =>
      sendJson(reply, ogcLandingPage(ogcBase(request))),
    )

    app.get(
      '/ogc/conformance',
      metadata('OGC API - Features: conformance classes', {
        response: { 200: OgcConformance, ...errorResponses(400, 404) },
      }),
      async (_request, reply) => sendJson(reply, ogcConformance()),
    )

    app.get('/ogc/api', metadata('OGC API - Features: OpenAPI 3.0 definition'), async (request, reply) => {
      // Asked for by its OpenAPI media type (GDAL does) or as plain JSON (browsers, everyone else).
      const accept = String(request.headers.accept ?? '')
      const type = accept.includes('application/vnd.oai.openapi+json') ? openApiMediaType : jsonType
      return sendJson(reply, ogcOpenApi(ogcBase(request)), type)
    })

    app.get('/ogc/collections', metadata('OGC API - Features: the collections'), async (request, reply) =>
      sendJson(reply, ogcCollections(ogcBase(request), await extents.get())),
    )

    app.get(
      '/ogc/collections/:collectionId',
      metadata('OGC API - Features: one collection', { params: OgcCollectionParams }),
      async (request, reply) => {
        const id = requireCollection((request.params as { collectionId: string }).collectionId)
        const extent = (await extents.get()).find((e) => e.id === id)
        if (!extent) throw new Error(`no extent computed for collection ${id}`)
        return sendJson(reply, ogcCollection(ogcBase(request), extent))
      },
    )

    app.get(
      '/ogc/collections/:collectionId/queryables',
      metadata('OGC API - Features Part 3: what a filter on the collection may name (JSON Schema)', {
        params: OgcCollectionParams,
      }),
      async (request, reply) => {
        const id = requireCollection((request.params as { collectionId: string }).collectionId)
        return sendJson(reply, ogcQueryables(ogcBase(request), id), jsonSchemaMediaType)
      },
    )

    app.get(
      '/ogc/collections/:collectionId/items',
      {
        schema: {
          tags: ['ogc'],
          summary: 'OGC API - Features: features of a collection, keyset-paged',
          params: OgcCollectionParams,
          querystring: OgcItemsQuery,
          response: {
            200: Type.Unknown({ description: 'A GeoJSON FeatureCollection' }),
            ...errorResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const id = requireCollection(request.params.collectionId)
        const parsed = unwrap(
          parseOgcItemsQuery(id, request.query as Record<string, string | undefined>),
          openDataProblem,
        )
        const page = await listOgcItems(db, id, parsed.request)
        const isJson = request.query.f === 'json'
        const links = [
          {
            href: withParams(request, {}),
            rel: 'self',
            type: isJson ? 'application/json' : 'application/geo+json',
          },
          {
            href: withParams(request, { f: isJson ? null : 'json' }),
            rel: 'alternate',
            type: isJson ? 'application/geo+json' : 'application/json',
          },
          { href: `${ogcBase(request)}/collections/${id}`, rel: 'collection', type: 'application/json' },
        ]
        if (page.nextCursor) {
          links.push({
            href: withParams(request, { cursor: page.nextCursor }),
            rel: 'next',
            type: isJson ? 'application/json' : 'application/geo+json',
          })
        }
        // Features are JSON text built by the database; they are spliced rather than parsed and serialised.
        const body = `{"type":"FeatureCollection","numberMatched":${page.numberMatched},"numberReturned":${page.featuresJson.length},"timeStamp":"${new Date().toISOString()}","links":${JSON.stringify(links)},"features":[${page.featuresJson.join(',')}]}`
        return reply.type(featureType(request)).send(body as never)
      },
    )

    app.get(
      '/ogc/collections/:collectionId/items/:featureId',
      {
        schema: {
          tags: ['ogc'],
          summary: 'OGC API - Features: one feature',
          params: OgcFeatureParams,
          querystring: OgcFeatureQuery,
          response: { 200: Type.Unknown({ description: 'A GeoJSON Feature' }), ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const id = requireCollection(request.params.collectionId)
        if (request.query.f !== undefined && request.query.f !== 'json' && request.query.f !== 'geojson')
          throw new ApiError(400, 'invalid_query', 'f must be json or geojson')
        const outcome = unwrap(await getOgcItem(db, id, request.params.featureId), openDataProblem)
        const isJson = request.query.f === 'json'
        const links = [
          {
            href: withParams(request, {}),
            rel: 'self',
            type: isJson ? 'application/json' : 'application/geo+json',
          },
          {
            href: withParams(request, { f: isJson ? null : 'json' }),
            rel: 'alternate',
            type: isJson ? 'application/geo+json' : 'application/json',
          },
          { href: `${ogcBase(request)}/collections/${id}`, rel: 'collection', type: 'application/json' },
        ]
        const feature = outcome.featureJson
        const body = `${feature.slice(0, -1)},"links":${JSON.stringify(links)}}`
        return reply.type(featureType(request)).send(body as never)
      },
    )
  }
}
