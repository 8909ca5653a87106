import { type Static, Type } from 'typebox'
import { LiteralUnion } from './literal-union'

/**
 * Vector tiles, bulk exports and the anonymised ledger statistics for researchers.
 */

export const tileExtent = 4096
/** Pixels (in tile units) of geometry kept beyond the tile edge, so that lines and labels join across tiles. */
export const tileBuffer = 64
/** The deepest zoom served as vector tiles; beyond it the client overzooms. */
export const tileZoomServedMax = 20
/** Features one tile may hold: a bound on the work and bytes of one request. */
export const tileFeaturesMax = 50_000
export const mvtMediaType = 'application/vnd.mapbox-vector-tile'

export const TileParams = Type.Object(
  {
    z: Type.Integer({ minimum: 0, maximum: tileZoomServedMax }),
    x: Type.Integer({ minimum: 0 }),
    y: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)

export const TileQuery = Type.Object(
  {
    kinds: Type.Optional(Type.String({ maxLength: 200, description: 'Comma-separated kinds (layers).' })),
    from: Type.Optional(Type.String({ maxLength: 40, description: 'Start of the time window.' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'End of the time window.' })),
  },
  { additionalProperties: false },
)
export type TileQuery = Static<typeof TileQuery>

export const TileJson = Type.Object({
  tilejson: Type.Literal('3.0.0'),
  name: Type.String(),
  description: Type.String(),
  attribution: Type.String(),
  tiles: Type.Array(Type.String()),
  minzoom: Type.Integer(),
  maxzoom: Type.Integer(),
  bounds: Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }),
  vector_layers: Type.Array(
    Type.Object({
      id: Type.String(),
      description: Type.String(),
      minzoom: Type.Integer(),
      maxzoom: Type.Integer(),
      fields: Type.Record(Type.String(), Type.String()),
    }),
  ),
})

export const exportFormats = ['geojson', 'csv', 'fgb'] as const
export type ExportFormat = (typeof exportFormats)[number]

/** The filters of an export: those of the map query, without paging and without anything about people. */
export const ExportQuery = Type.Object(
  {
    bbox: Type.Optional(Type.String({ maxLength: 200, description: 'minLon,minLat,maxLon,maxLat (WGS84).' })),
    kinds: Type.Optional(Type.String({ maxLength: 200, description: 'Comma-separated kinds.' })),
    from: Type.Optional(Type.String({ maxLength: 40, description: 'Start of the time window.' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'End of the time window.' })),
    categories: Type.Optional(Type.String({ maxLength: 1100, description: 'Comma-separated; any of them.' })),
    tags: Type.Optional(Type.String({ maxLength: 1100, description: 'Comma-separated; any of them.' })),
  },
  { additionalProperties: false },
)
export type ExportQuery = Static<typeof ExportQuery>

export const ExportFormatParams = Type.Object(
  { format: Type.String({ maxLength: 10, description: 'geojson, csv or fgb.' }) },
  { additionalProperties: false },
)

/**
 * The floor of the ledger statistics, which no caller can lower (an admin may raise it for the deployment with
 * RESEARCH_K_MIN): a published cell counts at least this many distinct members…
 */
export const flowMembersMin = 5
/** …and at least this many exchanges. */
export const flowExchangesMin = 5
/** A caller may ask for a stricter k, up to this. */
export const ledgerFlowsKAnonymityMax = 100
/**
 * The finest grid cell, in degrees: 0.01° is about 1.1 km north–south and 0.8 km east–west in Turin, the size of
 * a neighbourhood (a borgo, a few dozen blocks) rather than of a street or a building.
 */
export const flowCellDegreesMin = 0.01
/**
 * The grid cells a caller may ask for, as multiples of the finest one. Every grid starts at 0° lon, 0° lat and each
 * size divides the next (1, 5, 10, 50, 100 × 0.01°), so the grids nest: no two of them can be shifted or
 * overlapped to carve a thin strip, and a coarse cell is always a union of whole finer cells.
 */
export const flowCellMultiples = [1, 5, 10, 50, 100] as const
/** Grid cells are squares of this many degrees by default. */
export const ledgerFlowsCellDegDefault = flowCellDegreesMin

const flowCellSizes = flowCellMultiples.map((m) => Number((m * flowCellDegreesMin).toFixed(6))).join(', ')

export const LedgerFlowsQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({ maxLength: 40, description: 'First calendar month (UTC) of the window, YYYY-MM.' }),
    ),
    to: Type.Optional(
      Type.String({
        maxLength: 40,
        description:
          'Last calendar month (UTC) of the window, YYYY-MM; only months already over are published.',
      }),
    ),
    cell: Type.Optional(
      Type.Number({
        minimum: 0.001,
        maximum: 1,
        description: `Grid cell size in degrees, one of ${flowCellSizes} (default ${ledgerFlowsCellDegDefault}).`,
      }),
    ),
    k: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: ledgerFlowsKAnonymityMax,
        description: `Hide cells with fewer distinct members or exchanges than this; at least the deployment's floor (${flowMembersMin} unless raised), which is also the default.`,
      }),
    ),
  },
  { additionalProperties: false },
)
export type LedgerFlowsQuery = Static<typeof LedgerFlowsQuery>

/** Events one calendar feed may carry. */
export const eventsIcsMax = 5000

export const EventsIcsQuery = Type.Object(
  {
    bbox: Type.Optional(Type.String({ maxLength: 200, description: 'minLon,minLat,maxLon,maxLat (WGS84).' })),
    from: Type.Optional(Type.String({ maxLength: 40, description: 'Events ending after this instant.' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'Events starting before this instant.' })),
    id: Type.Optional(
      Type.String({ format: 'uuid', description: 'Only this event (a calendar file for one event).' }),
    ),
  },
  { additionalProperties: false },
)
export type EventsIcsQuery = Static<typeof EventsIcsQuery>

/** The licence of the open data, stated in every export and in the OGC collections. */
export const openDataLicence = {
  name: 'Open Data Commons Open Database License (ODbL) 1.0',
  url: 'https://opendatacommons.org/licenses/odbl/1-0/',
  attribution: '© Quartiere contributors, ODbL',
} as const

/**
 * `GET /api/open-data`: where the open data is, as absolute URLs of this deployment, with its licence, and whether
 * the reader may download the ledger statistics (decided by the same rule as the statistics route).
 */
export const OpenDataCatalog = Type.Object(
  {
    licence: Type.Object(
      { name: Type.String(), url: Type.String(), attribution: Type.String() },
      { additionalProperties: false },
    ),
    ogcLandingPage: Type.String({ description: 'The OGC API - Features landing page, to paste into QGIS.' }),
    tileJson: Type.String(),
    tileTemplate: Type.String({ description: 'Vector tiles (Mapbox Vector Tile), {z}/{x}/{y}.' }),
    exports: Type.Array(
      Type.Object(
        {
          format: LiteralUnion(exportFormats),
          url: Type.String(),
          mediaType: Type.String(),
          licence: Type.String({ description: 'The licence name, as the download states it.' }),
        },
        { additionalProperties: false },
      ),
    ),
    eventsCalendar: Type.String({ description: 'Every event as an iCalendar feed.' }),
    ledgerFlows: Type.Object(
      {
        url: Type.String(),
        offered: Type.Boolean({
          description: 'Whether the reader may download it (researchers and admins).',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)
export type OpenDataCatalog = Static<typeof OpenDataCatalog>
