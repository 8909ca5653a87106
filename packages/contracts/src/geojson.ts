import { type Static, Type } from 'typebox'
import { LiteralUnion } from './literal-union'

/**
 * GeoJSON geometry as the API accepts it (RFC 7946, [lon, lat] in WGS84). The schema checks the shape;
 * packages/geo checks what a schema cannot (ranges, closed rings, vertex limits) and PostGIS checks validity.
 */
export const Position = Type.Array(Type.Number(), {
  minItems: 2,
  maxItems: 3,
  description: '[longitude, latitude] in WGS84, optional altitude (dropped).',
})

export const geometryTypes = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
] as const
export const Geometry = Type.Object(
  {
    type: LiteralUnion(geometryTypes),
    coordinates: Type.Array(Type.Unknown(), {
      description: 'Nested positions, as RFC 7946 defines per type.',
    }),
    bbox: Type.Optional(Type.Array(Type.Number())),
  },
  { description: 'A GeoJSON geometry (RFC 7946), longitude/latitude WGS84.' },
)
export type GeometryInput = Static<typeof Geometry>
