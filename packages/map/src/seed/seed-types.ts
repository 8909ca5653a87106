import type { EntityKind } from '@quartiere/contracts'

/** A GeoJSON geometry, [lon, lat] in WGS84. */
export interface SeedGeometry {
  type: 'Point' | 'LineString' | 'Polygon' | 'MultiPoint' | 'MultiLineString' | 'MultiPolygon'
  coordinates: unknown[]
}

/**
 * One thing of the demo data set. `key` is a stable local name that other seed entries use to point at it as
 * their parent (an event in a space, a space run by a group); the loader turns keys into database ids.
 * `properties` follows the kind's schema in packages/contracts/src/entity-properties.ts.
 */
export interface SeedEntity {
  key: string
  kind: EntityKind
  title: string
  description: string
  geometry: SeedGeometry
  /** RFC 3339; when the thing starts to exist or happen. Omitted: open start. */
  validFrom?: string
  /** RFC 3339; when it ends. Omitted: open end. */
  validTo?: string
  /** The map zoom from which the thing is meant to show (0–22). */
  zoomLevel?: number
  categories?: string[]
  tags?: string[]
  parentKey?: string
  properties: Record<string, unknown>
  /**
   * A pact of collaboration's signatory groups, by key. The loader creates every pact as a proposal and walks it
   * to the status in `properties` through the pact's own transitions, as the city would; signing needs these.
   */
  signatoryKeys?: string[]
}

/** A demo member account; seeded entities are authored by these. */
export interface SeedUser {
  key: string
  email: string
  displayName: string
  role: 'member' | 'moderator' | 'admin'
}
