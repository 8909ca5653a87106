import {
  entityKinds,
  jsonSchemaMediaType,
  type OgcCollection,
  type OgcCollectionId,
  type OgcConformance,
  type OgcLandingPage,
  type OgcLink,
  type OgcQueryables,
  ogcCollectionIds,
  ogcCollectionProperties,
  ogcConformanceClasses,
  ogcFilterLengthMax,
  ogcItemsPageSizeDefault,
  ogcItemsPageSizeMax,
  ogcQueryablesRel,
  openApiMediaType,
  openDataLicence,
} from '@quartiere/contracts'
import { cql2FilterCrs, cql2FilterLanguages, cql2GeometryProperty } from './cql2-sql'
import type { CollectionExtent } from './ogc.service'

const json = 'application/json'
const geojson = 'application/geo+json'
const crs84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'
const gregorian = 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian'
/** Where there is no data yet, the extent is the world, so that clients still get a valid box. */
const worldBbox = [-180, -90, 180, 90]

const titles: Record<OgcCollectionId, [string, string]> = {
  all: ['Everything on the map', 'Every public thing on the neighbourhood map, whatever its kind.'],
  space: ['Spaces', 'Places: houses of the neighbourhood, gardens, libraries, courtyards.'],
  group: ['Groups', 'Associations, informal groups and public bodies.'],
  event: ['Events', 'Things that happen at a place and a time.'],
  project: ['Projects', 'Projects and pacts of collaboration for the care of urban commons.'],
  news: ['News', 'News of the neighbourhood.'],
  story: ['Stories', 'Memories and stories of places.'],
  offer: ['Offers', 'Time-bank offers: services members give for time credits.'],
  request: ['Requests', 'Time-bank requests: services members ask for.'],
}

/** `/ogc` — the landing page. `base` is the absolute URL of /ogc. */
export function ogcLandingPage(base: string): OgcLandingPage {
  return {
    title: 'Quartiere open data (OGC API - Features)',
    description: `What residents mapped in the neighbourhood, as OGC API - Features. Licence: ${openDataLicence.name}.`,
    links: [
      { href: base, rel: 'self', type: json, title: 'This document' },
      { href: `${base}/api`, rel: 'service-desc', type: openApiMediaType, title: 'The API definition' },
      { href: `${base}/conformance`, rel: 'conformance', type: json, title: 'Conformance classes' },
      { href: `${base}/collections`, rel: 'data', type: json, title: 'The collections' },
      { href: openDataLicence.url, rel: 'license', type: 'text/html', title: openDataLicence.name },
    ],
  }
}

export function ogcConformance(): OgcConformance {
  return { conformsTo: [...ogcConformanceClasses] }
}

export function ogcCollection(base: string, extent: CollectionExtent): OgcCollection {
  const [title, description] = titles[extent.id]
  const self = `${base}/collections/${extent.id}`
  const links: OgcLink[] = [
    { href: self, rel: 'self', type: json, title },
    { href: `${self}/items`, rel: 'items', type: geojson, title: `${title} as GeoJSON` },
    { href: `${self}/queryables`, rel: ogcQueryablesRel, type: jsonSchemaMediaType, title: 'Queryables' },
    // GDAL 3.6's driver looks for the draft's short relation name.
    { href: `${self}/queryables`, rel: 'queryables', type: jsonSchemaMediaType, title: 'Queryables' },
    { href: openDataLicence.url, rel: 'license', type: 'text/html', title: openDataLicence.name },
  ]
  return {
    id: extent.id,
    title,
    description,
    itemType: 'feature',
    crs: [crs84],
    extent: {
      spatial: { bbox: [extent.bbox ?? worldBbox], crs: crs84 },
      temporal: { interval: [extent.interval], trs: gregorian },
    },
    links,
  }
}

export function ogcCollections(base: string, extents: CollectionExtent[]) {
  return {
    links: [{ href: `${base}/collections`, rel: 'self', type: json, title: 'The collections' }],
    collections: extents.map((extent) => ogcCollection(base, extent)),
  }
}

/**
 * `/ogc/collections/{id}/queryables` — what a `filter` on this collection may name: its simple properties with
 * their types, and the geometry (for S_INTERSECTS).
 */
export function ogcQueryables(base: string, collectionId: OgcCollectionId): OgcQueryables {
  const properties: Record<string, Record<string, unknown>> = {}
  for (const p of ogcCollectionProperties(collectionId))
    properties[p.name] = { title: p.name, description: p.description, ...openApiType[p.type] }
  properties[cql2GeometryProperty] = {
    title: 'geometry',
    description: 'Where the thing is (public location), for S_INTERSECTS.',
    format: 'geometry-any',
    'x-ogc-role': 'primary-geometry',
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${base}/collections/${collectionId}/queryables`,
    type: 'object',
    title: titles[collectionId][0],
    properties,
    additionalProperties: false,
    queryables: ogcCollectionProperties(collectionId).map((p) => ({ id: p.name, type: p.type })),
  }
}

const openApiType: Record<string, Record<string, string>> = {
  string: { type: 'string' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  'date-time': { type: 'string', format: 'date-time' },
}

/** The parameters of /items of one collection: the standard ones, then an equality filter per property. */
function itemsParameters(collectionId: OgcCollectionId | null) {
  const standard = [
    { $ref: '#/components/parameters/limit' },
    { $ref: '#/components/parameters/bbox' },
    { $ref: '#/components/parameters/datetime' },
    { $ref: '#/components/parameters/cursor' },
    { $ref: '#/components/parameters/f' },
    { $ref: '#/components/parameters/filter' },
    { $ref: '#/components/parameters/filter-lang' },
    { $ref: '#/components/parameters/filter-crs' },
  ]
  if (collectionId === null) {
    return [
      {
        name: 'collectionId',
        in: 'path',
        required: true,
        schema: { type: 'string', enum: [...ogcCollectionIds] },
      },
      ...standard,
    ]
  }
  const filters = ogcCollectionProperties(collectionId)
    .filter((p) => p.filterable)
    .map((p) => ({
      name: p.name,
      in: 'query',
      required: false,
      description: `Only features whose ${p.name} equals this value. ${p.description}`,
      schema: openApiType[p.type],
      style: 'form',
      explode: false,
    }))
  return [...standard, ...filters]
}

const featureCollectionResponse = {
  description:
    'A page of features, with numberMatched, numberReturned and a `next` link while there are more.',
  content: { [geojson]: { schema: { $ref: '#/components/schemas/FeatureCollection' } } },
}

/**
 * `/ogc/api` — the OpenAPI 3.0 definition of this API. Each collection's /items path is spelled out with the
 * properties it can be filtered on, which is how GDAL learns which attribute filters it may send to the server.
 */
export function ogcOpenApi(base: string) {
  const paths: Record<string, unknown> = {
    '/': { get: { summary: 'Landing page', operationId: 'getLandingPage', responses: { 200: okJson } } },
    '/conformance': {
      get: { summary: 'Conformance classes', operationId: 'getConformance', responses: { 200: okJson } },
    },
    '/api': { get: { summary: 'This document', operationId: 'getApi', responses: { 200: okJson } } },
    '/collections': {
      get: { summary: 'The collections', operationId: 'getCollections', responses: { 200: okJson } },
    },
    '/collections/{collectionId}': {
      get: {
        summary: 'One collection',
        operationId: 'getCollection',
        parameters: [itemsParameters(null)[0]],
        responses: { 200: okJson, 404: problem },
      },
    },
    '/collections/{collectionId}/queryables': {
      get: {
        summary: 'What a filter on the collection may name (JSON Schema)',
        operationId: 'getQueryables',
        parameters: [itemsParameters(null)[0]],
        responses: {
          200: {
            description: 'The queryables',
            content: { [jsonSchemaMediaType]: { schema: { type: 'object' } } },
          },
          404: problem,
        },
      },
    },
    '/collections/{collectionId}/items': {
      get: {
        summary: 'Features of a collection',
        operationId: 'getFeatures',
        parameters: itemsParameters(null),
        responses: { 200: featureCollectionResponse, 400: problem, 404: problem },
      },
    },
    '/collections/{collectionId}/items/{featureId}': {
      get: {
        summary: 'One feature',
        operationId: 'getFeature',
        parameters: [
          itemsParameters(null)[0],
          { name: 'featureId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          { $ref: '#/components/parameters/f' },
        ],
        responses: {
          200: {
            description: 'The feature',
            content: { [geojson]: { schema: { $ref: '#/components/schemas/Feature' } } },
          },
          404: problem,
        },
      },
    },
  }
  for (const id of ogcCollectionIds) {
    paths[`/collections/${id}/items`] = {
      get: {
        summary: `${titles[id][0]}: features`,
        operationId: `getFeatures_${id}`,
        parameters: itemsParameters(id),
        responses: { 200: featureCollectionResponse, 400: problem },
      },
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Quartiere open data (OGC API - Features)',
      version: '1.0.0',
      description: `Public map data of the neighbourhood. Kinds: ${entityKinds.join(', ')}.`,
      license: { name: openDataLicence.name, url: openDataLicence.url },
    },
    servers: [{ url: base }],
    paths,
    components: {
      parameters: {
        limit: {
          name: 'limit',
          in: 'query',
          required: false,
          description: `Features per page; above ${ogcItemsPageSizeMax} the limit is clamped.`,
          schema: {
            type: 'integer',
            minimum: 1,
            maximum: ogcItemsPageSizeMax,
            default: ogcItemsPageSizeDefault,
          },
          style: 'form',
          explode: false,
        },
        bbox: {
          name: 'bbox',
          in: 'query',
          required: false,
          description: 'minLon,minLat,maxLon,maxLat in CRS84 (6 numbers with heights are accepted).',
          schema: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } },
          style: 'form',
          explode: false,
        },
        datetime: {
          name: 'datetime',
          in: 'query',
          required: false,
          description:
            'An instant or an interval; ".." or nothing for an open end. Matches things whose validity overlaps it.',
          schema: { type: 'string' },
          style: 'form',
          explode: false,
        },
        cursor: {
          name: 'cursor',
          in: 'query',
          required: false,
          description: 'Opaque; the `next` link carries it.',
          schema: { type: 'string' },
        },
        filter: {
          name: 'filter',
          in: 'query',
          required: false,
          description:
            "CQL2 text over the collection's queryables: comparisons, AND/OR/NOT, LIKE, BETWEEN, IN, IS NULL, S_INTERSECTS with POINT/LINESTRING/POLYGON/BBOX, T_INTERSECTS/T_BEFORE/T_AFTER.",
          schema: { type: 'string', maxLength: ogcFilterLengthMax },
          style: 'form',
          explode: false,
        },
        'filter-lang': {
          name: 'filter-lang',
          in: 'query',
          required: false,
          description: 'The language of `filter`: cql2-text (cql-text, the draft name, means the same).',
          schema: { type: 'string', enum: [...cql2FilterLanguages], default: 'cql2-text' },
        },
        'filter-crs': {
          name: 'filter-crs',
          in: 'query',
          required: false,
          description: 'The CRS of geometries in `filter`: CRS84 only.',
          schema: { type: 'string', enum: [cql2FilterCrs], default: cql2FilterCrs },
        },
        f: {
          name: 'f',
          in: 'query',
          required: false,
          description: 'json or geojson (the default).',
          schema: { type: 'string', enum: ['json', 'geojson'] },
        },
      },
      schemas: {
        Feature: {
          type: 'object',
          required: ['type', 'geometry', 'properties'],
          properties: {
            type: { type: 'string', enum: ['Feature'] },
            id: { type: 'string', format: 'uuid' },
            geometry: { type: 'object' },
            properties: { type: 'object' },
            links: { type: 'array', items: { $ref: '#/components/schemas/Link' } },
          },
        },
        FeatureCollection: {
          type: 'object',
          required: ['type', 'features'],
          properties: {
            type: { type: 'string', enum: ['FeatureCollection'] },
            features: { type: 'array', items: { $ref: '#/components/schemas/Feature' } },
            links: { type: 'array', items: { $ref: '#/components/schemas/Link' } },
            timeStamp: { type: 'string', format: 'date-time' },
            numberMatched: { type: 'integer', minimum: 0 },
            numberReturned: { type: 'integer', minimum: 0 },
          },
        },
        Link: {
          type: 'object',
          required: ['href', 'rel'],
          properties: {
            href: { type: 'string' },
            rel: { type: 'string' },
            type: { type: 'string' },
            title: { type: 'string' },
          },
        },
      },
    },
  }
}

const okJson = { description: 'OK', content: { [json]: { schema: { type: 'object' } } } }
const problem = {
  description: 'A problem (RFC 9457)',
  content: { 'application/problem+json': { schema: { type: 'object' } } },
}
