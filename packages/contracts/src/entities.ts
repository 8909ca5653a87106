import { type Static, Type } from 'typebox'
import { EntityCapabilities } from './community'
import { EntityKind } from './entity-properties'
import { Geometry } from './geojson'

export const entityTitleLengthMax = 200
export const entityDescriptionLengthMax = 20_000
export const entityLabelsMax = 20
export const entityLabelLengthMax = 50
export const entitiesPageSizeMax = 1000
export const entitiesPageSizeDefault = 100

const Label = Type.String({ minLength: 1, maxLength: entityLabelLengthMax, pattern: '^[^,]+$' })
const Labels = Type.Array(Label, { maxItems: entityLabelsMax, uniqueItems: true })
const DateTime = Type.String({ format: 'date-time', description: 'RFC 3339, e.g. 2019-06-19T15:00:00+02:00' })
const Uuid = Type.String({ format: 'uuid' })
const KindProperties = Type.Record(Type.String(), Type.Unknown(), {
  description:
    "Kind-specific properties, validated against the kind's schema (see the entity kinds section).",
})
const LocationPrivate = Type.Boolean({
  description:
    'The location is private (a home, a request for help at home): stored exactly, served exactly to the author ' +
    'alone and to everyone else as a point snapped to a grid of 250 m cells, the same point every time. ' +
    'Only the author may change it. Default false.',
})

export const EntityCreateBody = Type.Object(
  {
    kind: EntityKind,
    title: Type.String({ minLength: 1, maxLength: entityTitleLengthMax }),
    description: Type.Optional(Type.String({ maxLength: entityDescriptionLengthMax })),
    geometry: Geometry,
    validFrom: Type.Optional(Type.Union([DateTime, Type.Null()])),
    validTo: Type.Optional(Type.Union([DateTime, Type.Null()])),
    zoomLevel: Type.Optional(Type.Integer({ minimum: 0, maximum: 22 })),
    categories: Type.Optional(Labels),
    tags: Type.Optional(Labels),
    parentId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    properties: Type.Optional(KindProperties),
    locationPrivate: Type.Optional(LocationPrivate),
  },
  { additionalProperties: false },
)
export type EntityCreateBody = Static<typeof EntityCreateBody>

/** A partial update: fields present replace the stored ones; `properties` is replaced as a whole. */
export const EntityPatchBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: entityTitleLengthMax })),
    description: Type.Optional(Type.String({ maxLength: entityDescriptionLengthMax })),
    geometry: Type.Optional(Geometry),
    validFrom: Type.Optional(Type.Union([DateTime, Type.Null()])),
    validTo: Type.Optional(Type.Union([DateTime, Type.Null()])),
    zoomLevel: Type.Optional(Type.Integer({ minimum: 0, maximum: 22 })),
    categories: Type.Optional(Labels),
    tags: Type.Optional(Labels),
    parentId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    properties: Type.Optional(KindProperties),
    locationPrivate: Type.Optional(LocationPrivate),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type EntityPatchBody = Static<typeof EntityPatchBody>

export const EntityFeatureProperties = Type.Object({
  kind: EntityKind,
  title: Type.String(),
  description: Type.String(),
  validFrom: Type.Union([DateTime, Type.Null()]),
  validTo: Type.Union([DateTime, Type.Null()]),
  zoomLevel: Type.Integer(),
  parentId: Type.Union([Uuid, Type.Null()]),
  categories: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  properties: KindProperties,
  locationPrivate: Type.Boolean({
    description:
      'The location is private: unless you are the author, `geometry` is a point up to ~180 m from the real ' +
      'place (the centre of a 250 m cell around it), and bbox searches match that point.',
  }),
  author: Type.Object({ id: Uuid, displayName: Type.String() }),
  version: Type.Integer({ minimum: 1 }),
  createdAt: DateTime,
  updatedAt: DateTime,
  lastActivityAt: DateTime,
  hidden: Type.Optional(
    Type.Boolean({ description: 'Hidden by a moderator: served only to its author (and moderators).' }),
  ),
  hiddenReason: Type.Optional(
    Type.String({ description: 'Why a moderator hid it: for its author and moderators, on a direct read.' }),
  ),
})

export const EntityFeature = Type.Object(
  {
    type: Type.Literal('Feature'),
    id: Uuid,
    geometry: Geometry,
    properties: EntityFeatureProperties,
    can: Type.Optional(EntityCapabilities),
  },
  { description: 'A map entity as a GeoJSON Feature.' },
)
export type EntityFeature = Static<typeof EntityFeature>

export const Link = Type.Object({
  href: Type.String(),
  rel: Type.String(),
  type: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
})
export type Link = Static<typeof Link>

export const EntityCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(EntityFeature),
  numberReturned: Type.Integer({ minimum: 0 }),
  links: Type.Array(Link),
})
export type EntityCollection = Static<typeof EntityCollection>

const CommaList = (description: string) => Type.String({ maxLength: 1100, description })

export const EntitiesQuery = Type.Object(
  {
    bbox: Type.Optional(Type.String({ maxLength: 200, description: 'minLon,minLat,maxLon,maxLat (WGS84).' })),
    kinds: Type.Optional(CommaList('Comma-separated kinds, e.g. event,space.')),
    from: Type.Optional(
      Type.String({ maxLength: 40, description: 'Start of the time window (RFC 3339 or YYYY-MM-DD).' }),
    ),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'End of the time window.' })),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Full-text search, Italian and English.' }),
    ),
    categories: Type.Optional(CommaList('Comma-separated; things with any of them.')),
    tags: Type.Optional(CommaList('Comma-separated; things with any of them.')),
    parent: Type.Optional(Uuid),
    author: Type.Optional(Uuid),
    zoom: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 22, description: 'Only things meant to show at this zoom.' }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: entitiesPageSizeMax, default: entitiesPageSizeDefault }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `next` link carries it.' })),
    initiative: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'Things of an initiative, by its id or slug.',
      }),
    ),
    sort: Type.Optional(
      Type.Union([Type.Literal('id'), Type.Literal('activity')], {
        description: 'id (default): a stable order; activity: the latest post or comment first (the wall).',
      }),
    ),
  },
  { additionalProperties: false },
)
export type EntitiesQuery = Static<typeof EntitiesQuery>

export const EntityIdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
