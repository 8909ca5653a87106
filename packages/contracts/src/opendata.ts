import { type Static, Type } from 'typebox'

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

/** Cells with fewer distinct members than this are suppressed from the ledger statistics. */
export const ledgerFlowsKAnonymityDefault = 5
export const ledgerFlowsKAnonymityMin = 2
export const ledgerFlowsKAnonymityMax = 100
/** Grid cells are squares of this many degrees by default (about 1 km by 0.8 km in Turin). */
export const ledgerFlowsCellDegDefault = 0.01

export const LedgerFlowsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40, description: 'Exchanges posted from this instant.' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'Exchanges posted up to this instant.' })),
    cell: Type.Optional(
      Type.Number({
        minimum: 0.001,
        maximum: 1,
        description: `Grid cell size in degrees (default ${ledgerFlowsCellDegDefault}).`,
      }),
    ),
    k: Type.Optional(
      Type.Integer({
        minimum: ledgerFlowsKAnonymityMin,
        maximum: ledgerFlowsKAnonymityMax,
        description: `Suppress cells with fewer distinct members (default ${ledgerFlowsKAnonymityDefault}).`,
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
