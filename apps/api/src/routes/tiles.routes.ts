import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  entityKinds,
  mvtMediaType,
  openDataLicence,
  TileJson,
  TileParams,
  TileQuery,
  tileZoomServedMax,
} from '@quartiere/contracts'
import { isValidTile } from '@quartiere/geo'
import {
  type ExtentCache,
  parseMapStyleFilters,
  renderTile,
  type TileCache,
  tileFields,
} from '@quartiere/opendata'
import { Type } from 'typebox'
import { openDataProblem, unwrap } from '../outcome-problems'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

/**
 * Browsers and CDNs may keep a tile this long without asking; after that they revalidate with the ETag, which
 * costs a 304 from the cache here.
 */
export const tileMaxAgeSeconds = 60

export function tilesRoutes(
  { database }: RouteContext,
  cache: TileCache,
  extents: ExtentCache,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/tiles/:z/:x/:y.mvt',
      {
        schema: {
          tags: ['tiles'],
          summary: 'A Mapbox Vector Tile: one layer per kind, filtered by kinds and time window',
          params: TileParams,
          querystring: TileQuery,
          response: { 200: Type.Unknown(), 204: Type.Null(), 304: Type.Null(), ...errorResponses(400) },
        },
      },
      async (request, reply) => {
        const { z, x, y } = request.params
        if (!isValidTile(z, x, y, tileZoomServedMax))
          throw new ApiError(400, 'invalid_tile', `tile ${z}/${x}/${y} does not exist`)
        const { filters } = unwrap(parseMapStyleFilters(request.query), openDataProblem)
        // Normalised, so that the same tile asked two ways shares one cache entry.
        const key = `${z}/${x}/${y}|${filters.kinds?.slice().sort().join(',') ?? ''}|${filters.from?.toISOString() ?? ''}|${filters.to?.toISOString() ?? ''}`
        const tile = await cache.getOrRender(key, { z, x, y }, () =>
          renderTile(database, { z, x, y, filters }),
        )
        reply
          .header('ETag', tile.etag)
          .header('Cache-Control', `public, max-age=${tileMaxAgeSeconds}`)
          .header('Vary', 'Accept-Encoding')
        if (request.headers['if-none-match'] === tile.etag) return reply.status(304).send(null)
        // An empty tile is a 204, which map clients draw as nothing without parsing a body.
        if (tile.bytes.byteLength === 0) return reply.status(204).send(null)
        return reply
          .type(mvtMediaType)
          .send(Buffer.from(tile.bytes.buffer, tile.bytes.byteOffset, tile.bytes.byteLength))
      },
    )

    app.get(
      '/tiles.json',
      {
        schema: {
          tags: ['tiles'],
          summary: 'TileJSON 3.0 describing the vector tiles',
          response: { 200: TileJson },
        },
      },
      async (request) => {
        const origin = `${request.protocol}://${request.host}`
        const all = (await extents.get()).find((e) => e.id === 'all')
        return {
          tilejson: '3.0.0' as const,
          name: 'Quartiere',
          description: 'Things on the neighbourhood map, one layer per kind.',
          attribution: openDataLicence.attribution,
          tiles: [`${origin}/tiles/{z}/{x}/{y}.mvt`],
          minzoom: 0,
          maxzoom: tileZoomServedMax,
          bounds: all?.bbox ?? [-180, -85.0511, 180, 85.0511],
          vector_layers: entityKinds.map((kind) => ({
            id: kind,
            description: `Things of kind ${kind}; each shows from the zoom of its own scale (zoomLevel) in.`,
            minzoom: 0,
            maxzoom: tileZoomServedMax,
            fields: tileFields,
          })),
        }
      },
    )
  }
}
