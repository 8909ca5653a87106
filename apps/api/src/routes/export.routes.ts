import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  EventsIcsQuery,
  ExportFormatParams,
  ExportQuery,
  exportFormats,
  LedgerFlowsQuery,
  OpenDataCatalog,
  openDataLicence,
} from '@quartiere/contracts'
import {
  csvExport,
  eventsIcs,
  exportProvenance,
  fgbExport,
  geojsonExport,
  ledgerFlows,
  mayReadLedgerFlows,
  parseLedgerFlowsQuery,
  parseMapStyleFilters,
} from '@quartiere/opendata'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { openDataProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

/** Bulk exports are heavy: a client may start this many per minute. */
export const exportsPerMinuteMax = 10

const mediaTypes = {
  geojson: 'application/geo+json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  fgb: 'application/flatgeobuf',
} as const

function origin(request: FastifyRequest) {
  return `${request.protocol}://${request.host}`
}

/** Licence and provenance travel with every download, in headers (the GeoJSON also carries them inside). */
function provenanceHeaders(
  reply: FastifyReply,
  provenance: { exportedAt: string; filters: unknown; source: string },
) {
  return reply
    .header('Link', `<${openDataLicence.url}>; rel="license"`)
    .header('X-Data-License', openDataLicence.name)
    .header('X-Data-Attribution', openDataLicence.attribution)
    .header('X-Data-Source', provenance.source)
    .header('X-Exported-At', provenance.exportedAt)
    .header('X-Export-Filters', JSON.stringify(provenance.filters))
    .header('Cache-Control', 'no-store')
}

export function exportRoutes({ database, config }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/export/entities.:format',
      {
        config: { rateLimit: { max: exportsPerMinuteMax, timeWindow: '1 minute' } },
        schema: {
          tags: ['open data'],
          summary:
            'Every public thing on the map (filtered like the map query), streamed as GeoJSON, CSV or FlatGeobuf',
          params: ExportFormatParams,
          querystring: ExportQuery,
          response: { 200: Type.Unknown(), ...errorResponses(400, 404, 429) },
        },
      },
      async (request, reply) => {
        const format = request.params.format
        if (!(exportFormats as readonly string[]).includes(format))
          throw new ApiError(
            404,
            'route_not_found',
            `no export format ${format}; formats are ${exportFormats.join(', ')}`,
          )
        const { filters } = unwrap(parseMapStyleFilters(request.query), openDataProblem)
        const provenance = exportProvenance(format, filters, `${origin(request)}${request.url}`)
        provenanceHeaders(reply, provenance)
          .header('Content-Disposition', `attachment; filename="quartiere-entities.${format}"`)
          .type(mediaTypes[format as keyof typeof mediaTypes])
        // A stream pulled by the socket: the next batch is read from the database only when the client has taken
        // the previous one, so memory stays flat however large the export and however slow the reader.
        const source = { db, cursors: database.cursors }
        const body =
          format === 'geojson'
            ? geojsonExport(source, filters, provenance)
            : format === 'csv'
              ? csvExport(source, filters)
              : fgbExport(source, filters)
        return reply.send(Readable.from(body as AsyncIterable<string | Uint8Array>, { objectMode: false }))
      },
    )

    app.get(
      '/api/export/ledger-flows.csv',
      {
        config: { rateLimit: { max: exportsPerMinuteMax, timeWindow: '1 minute' } },
        schema: {
          tags: ['open data'],
          summary:
            'Time-bank exchanges per calendar month × category × grid cell, k-anonymous with a floor no caller can lower (researchers and admins)',
          security: [{ bearer: [] }],
          querystring: LedgerFlowsQuery,
          response: { 200: Type.String(), ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        if (!mayReadLedgerFlows(actor.role))
          throw new ApiError(403, 'forbidden', 'the ledger statistics are for researchers and admins')
        const parsed = unwrap(parseLedgerFlowsQuery(request.query, config.researchKMin), openDataProblem)
        const flows = await ledgerFlows(db, parsed.request)
        provenanceHeaders(reply, {
          exportedAt: new Date().toISOString(),
          filters: {
            from: parsed.request.fromMonth,
            to: parsed.request.toMonth,
            before: parsed.request.before.toISOString(),
            cellDeg: parsed.request.cellDeg,
            k: parsed.request.k,
            floor: parsed.request.floor,
          },
          source: `${origin(request)}${request.url}`,
        })
          .header('X-K-Anonymity', String(parsed.request.k))
          .header('X-Suppressed-Cells', String(flows.suppressedCells))
          .header('Content-Disposition', 'attachment; filename="quartiere-ledger-flows.csv"')
        return reply.type('text/csv; charset=utf-8').send(flows.csv)
      },
    )

    app.get(
      '/api/open-data',
      {
        schema: {
          tags: ['open data'],
          summary: 'Where the open data is: OGC API, vector tiles, exports, calendar, with their licence',
          description:
            'Absolute URLs of this deployment. `ledgerFlows.offered` says whether the reader (by the access token ' +
            'sent, if any) may download the ledger statistics, by the same rule the statistics route applies.',
          response: { 200: OpenDataCatalog },
        },
      },
      async (request) => {
        const site = origin(request)
        return {
          licence: { ...openDataLicence },
          ogcLandingPage: `${site}/ogc`,
          tileJson: `${site}/tiles.json`,
          tileTemplate: `${site}/tiles/{z}/{x}/{y}.mvt`,
          exports: exportFormats.map((format) => ({
            format,
            url: `${site}/api/export/entities.${format}`,
            mediaType: mediaTypes[format].split(';')[0] ?? mediaTypes[format],
            licence: openDataLicence.name,
          })),
          eventsCalendar: `${site}/api/events.ics`,
          ledgerFlows: {
            url: `${site}/api/export/ledger-flows.csv`,
            offered: mayReadLedgerFlows(request.actor?.role ?? null),
          },
        }
      },
    )

    app.get(
      '/api/events.ics',
      {
        schema: {
          tags: ['open data'],
          summary: 'Events in a bbox and time window as an iCalendar feed',
          querystring: EventsIcsQuery,
          response: { 200: Type.String(), ...errorResponses(400) },
        },
      },
      async (request, reply) => {
        const outcome = unwrap(await eventsIcs(db, request.query, { site: origin(request) }), openDataProblem)
        if (request.query.id)
          reply.header(
            'Content-Disposition',
            `attachment; filename="quartiere-event-${request.query.id}.ics"`,
          )
        return reply
          .type('text/calendar; charset=utf-8')
          .header('Cache-Control', 'public, max-age=300')
          .header('Link', `<${openDataLicence.url}>; rel="license"`)
          .send(outcome.ics)
      },
    )
  }
}
