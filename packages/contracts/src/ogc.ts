import { type Static, type TSchema, Type } from 'typebox'
import { type EntityKind, propertiesSchemaByKind } from './entity-properties'
import { entityKinds } from './enums'

/**
 * OGC API - Features, Part 1 (Core), with GeoJSON and OpenAPI 3.0, served under /ogc. GDAL, QGIS and the
 * OGC client libraries of R and Python read it without a client of ours.
 */

export const ogcConformanceClasses = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  // Part 3: queryables and the `filter` parameter in CQL2 text. Basic CQL2 with LIKE, BETWEEN and IN, and
  // S_INTERSECTS with points and boxes (polygons and lines too, though not the multi-geometries that
  // basic-spatial-functions-plus would promise). T_INTERSECTS, T_BEFORE and T_AFTER are served as well, but
  // the temporal-functions class asks for all eleven others, so it is not claimed.
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
  'http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions',
] as const

/** The link relation of a collection's queryables (Part 3), and the media type of that JSON Schema. */
export const ogcQueryablesRel = 'http://www.opengis.net/def/rel/ogc/1.0/queryables'
export const jsonSchemaMediaType = 'application/schema+json'
/** The longest `filter` accepted, in characters. */
export const ogcFilterLengthMax = 8000

/** One collection per public entity kind, plus `all`. */
export const ogcCollectionIds = ['all', ...entityKinds] as const
export type OgcCollectionId = (typeof ogcCollectionIds)[number]

export const ogcItemsPageSizeDefault = 10
/** A larger `limit` is clamped to this, as the standard asks, rather than refused. */
export const ogcItemsPageSizeMax = 10_000

/** The media type of the OpenAPI document, as OGC API clients (GDAL among them) ask for it. */
export const openApiMediaType = 'application/vnd.oai.openapi+json;version=3.0'

export const OgcLink = Type.Object({
  href: Type.String(),
  rel: Type.String(),
  type: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  templated: Type.Optional(Type.Boolean()),
})
export type OgcLink = Static<typeof OgcLink>

export const OgcLandingPage = Type.Object({
  title: Type.String(),
  description: Type.String(),
  links: Type.Array(OgcLink),
})
export type OgcLandingPage = Static<typeof OgcLandingPage>

export const OgcConformance = Type.Object({ conformsTo: Type.Array(Type.String()) })
export type OgcConformance = Static<typeof OgcConformance>

const Interval = Type.Array(Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), {
  minItems: 2,
  maxItems: 2,
})

export const OgcCollection = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  itemType: Type.Literal('feature'),
  crs: Type.Array(Type.String()),
  extent: Type.Object({
    spatial: Type.Object({
      bbox: Type.Array(Type.Array(Type.Number(), { minItems: 4, maxItems: 4 })),
      crs: Type.String(),
    }),
    temporal: Type.Object({ interval: Type.Array(Interval), trs: Type.String() }),
  }),
  links: Type.Array(OgcLink),
})
export type OgcCollection = Static<typeof OgcCollection>

export const OgcCollections = Type.Object({
  links: Type.Array(OgcLink),
  collections: Type.Array(OgcCollection),
})
export type OgcCollections = Static<typeof OgcCollections>

export const OgcCollectionParams = Type.Object(
  { collectionId: Type.String({ maxLength: 40, description: `One of ${ogcCollectionIds.join(', ')}.` }) },
  { additionalProperties: false },
)

export const OgcFeatureParams = Type.Object(
  {
    collectionId: Type.String({ maxLength: 40 }),
    featureId: Type.String({ maxLength: 100, description: 'The uuid of the entity.' }),
  },
  { additionalProperties: false },
)

/** The type of a simple (scalar) property, as researchers' tools see it. */
export type OgcPropertyType = 'string' | 'integer' | 'boolean' | 'date-time'

export interface OgcPropertyDescriptor {
  name: string
  type: OgcPropertyType
  description: string
  /** An equality filter `?name=value` is accepted on /items (and declared in the OpenAPI document). */
  filterable: boolean
}

/** Properties every collection has. Authors are left out: open data carries no personal identifiers. */
export const ogcCommonProperties: readonly OgcPropertyDescriptor[] = [
  { name: 'kind', type: 'string', description: 'What the thing is.', filterable: true },
  { name: 'title', type: 'string', description: 'Its title.', filterable: true },
  { name: 'description', type: 'string', description: 'Free text.', filterable: false },
  {
    name: 'validFrom',
    type: 'date-time',
    description: 'When it starts to exist or happen (null: open).',
    filterable: false,
  },
  {
    name: 'validTo',
    type: 'date-time',
    description: 'When it ends (null: open).',
    filterable: false,
  },
  { name: 'zoomLevel', type: 'integer', description: 'The map scale it belongs to.', filterable: true },
  { name: 'parentId', type: 'string', description: 'The thing it belongs to (uuid).', filterable: true },
  { name: 'createdAt', type: 'date-time', description: 'When it was mapped.', filterable: false },
  { name: 'updatedAt', type: 'date-time', description: 'When it last changed.', filterable: false },
]

/** Array properties: served as JSON arrays in GeoJSON, joined with ";" in CSV. Not filterable by equality. */
export const ogcListProperties = ['categories', 'tags'] as const

function simpleTypeOf(schema: TSchema): OgcPropertyType | undefined {
  const s = schema as { type?: string; format?: string; anyOf?: { const?: unknown }[] }
  if (s.type === 'string') return s.format === 'date-time' ? 'date-time' : 'string'
  if (s.type === 'integer') return 'integer'
  if (s.type === 'boolean') return 'boolean'
  if (s.anyOf?.every((member) => typeof member.const === 'string')) return 'string'
  return undefined
}

/**
 * The kind-specific properties of one kind that are scalars, read from the kind's schema so that a property
 * added there shows up in OGC API, the exports and the OpenAPI document without another list to update.
 */
export function ogcKindProperties(kind: EntityKind): OgcPropertyDescriptor[] {
  const schema = propertiesSchemaByKind[kind] as unknown as { properties: Record<string, TSchema> }
  const out: OgcPropertyDescriptor[] = []
  for (const [name, property] of Object.entries(schema.properties)) {
    const type = simpleTypeOf(property)
    if (!type) continue
    const description = (property as { description?: string }).description ?? `${kind} property ${name}.`
    // Free-text and date-time properties are not equality filters: nobody asks for an exact timestamp.
    out.push({ name, type, description, filterable: type !== 'date-time' })
  }
  return out
}

/** The scalar properties of a collection: the common ones, then (for a kind) its own. */
export function ogcCollectionProperties(collectionId: OgcCollectionId): OgcPropertyDescriptor[] {
  return collectionId === 'all'
    ? [...ogcCommonProperties]
    : [...ogcCommonProperties, ...ogcKindProperties(collectionId)]
}

/** Every filterable property name of any collection: the closed set of query parameters /items may carry. */
export const ogcFilterParameterNames: readonly string[] = [
  ...new Set(
    ogcCollectionIds.flatMap((id) =>
      ogcCollectionProperties(id)
        .filter((p) => p.filterable)
        .map((p) => p.name),
    ),
  ),
]

const filterParameters = Object.fromEntries(
  ogcFilterParameterNames.map((name) => [
    name,
    Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Equality filter on this property (declared per collection in /ogc/api).',
      }),
    ),
  ]),
)

/**
 * The query string of /items. Every parameter is a string here (the service parses them, so that a bad value
 * gets a message naming the parameter); the set is closed, so an unknown parameter is a 400.
 */
export const OgcItemsQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({
        maxLength: 12,
        description: `Features per page (default ${ogcItemsPageSizeDefault}; above ${ogcItemsPageSizeMax} it is clamped).`,
      }),
    ),
    bbox: Type.Optional(
      Type.String({ maxLength: 200, description: 'minLon,minLat,maxLon,maxLat in CRS84.' }),
    ),
    datetime: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'An instant or an interval start/end, ".." for an open end (RFC 3339).',
      }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 300, description: 'The `next` link carries it.' })),
    f: Type.Optional(Type.String({ maxLength: 20, description: 'json or geojson.' })),
    filter: Type.Optional(
      Type.String({
        maxLength: ogcFilterLengthMax,
        description: 'A CQL2 text filter over the queryables of the collection (OGC API - Features Part 3).',
      }),
    ),
    'filter-lang': Type.Optional(
      Type.String({ maxLength: 20, description: 'cql2-text (the default; cql-text is taken as the same).' }),
    ),
    'filter-crs': Type.Optional(
      Type.String({ maxLength: 100, description: 'Only CRS84: coordinates in filters are lon/lat.' }),
    ),
    ...filterParameters,
  },
  { additionalProperties: false },
)
export type OgcItemsQuery = Static<typeof OgcItemsQuery>

export const OgcFeatureQuery = Type.Object(
  { f: Type.Optional(Type.String({ maxLength: 20, description: 'json or geojson.' })) },
  { additionalProperties: false },
)

/**
 * The queryables of a collection: a JSON Schema (2020-12) of the properties a `filter` may name. The draft form
 * that GDAL 3.6's driver reads (a `queryables` list of ids) rides along, a keyword JSON Schema ignores.
 */
export interface OgcQueryables {
  $schema: string
  $id: string
  type: 'object'
  title: string
  properties: Record<string, Record<string, unknown>>
  additionalProperties: boolean
  queryables: { id: string; type: string }[]
}

/** Metadata endpoints take only `f`. */
export const OgcMetadataQuery = OgcFeatureQuery
