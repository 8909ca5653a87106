import type { EntityFeature } from '@quartiere/contracts'

export type Bbox = [number, number, number, number]

/** The API refuses boxes over 400 square degrees; a world view asks for the part around its centre. */
export const bboxAreaMax = 400

/** Clamps a viewport to the API's bbox rules: valid ranges, and at most bboxAreaMax around its centre. */
export function clampBbox([west, south, east, north]: Bbox): Bbox {
  let minLon = Math.max(-180, west)
  let maxLon = Math.min(180, east)
  let minLat = Math.max(-90, south)
  let maxLat = Math.min(90, north)
  if (maxLon < minLon) [minLon, maxLon] = [-180, 180]
  const area = (maxLon - minLon) * (maxLat - minLat)
  if (area > bboxAreaMax) {
    const shrink = Math.sqrt(bboxAreaMax / area) * 0.999
    const centerLon = (minLon + maxLon) / 2
    const centerLat = (minLat + maxLat) / 2
    const halfLon = ((maxLon - minLon) / 2) * shrink
    const halfLat = ((maxLat - minLat) / 2) * shrink
    minLon = centerLon - halfLon
    maxLon = centerLon + halfLon
    minLat = centerLat - halfLat
    maxLat = centerLat + halfLat
  }
  return [minLon, minLat, maxLon, maxLat]
}

/** The bounding box of a GeoJSON geometry, or null for an empty one. */
export function geometryBbox(geometry: EntityFeature['geometry']): Bbox | null {
  let west = Number.POSITIVE_INFINITY
  let south = Number.POSITIVE_INFINITY
  let east = Number.NEGATIVE_INFINITY
  let north = Number.NEGATIVE_INFINITY
  const visit = (value: unknown): void => {
    if (!Array.isArray(value)) return
    if (typeof value[0] === 'number' && typeof value[1] === 'number') {
      const [lon, lat] = value as [number, number]
      west = Math.min(west, lon)
      east = Math.max(east, lon)
      south = Math.min(south, lat)
      north = Math.max(north, lat)
      return
    }
    for (const item of value) visit(item)
  }
  visit((geometry as { coordinates?: unknown }).coordinates)
  return Number.isFinite(west) ? [west, south, east, north] : null
}

export function bboxIntersects(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1]
}

/** Keep at most this many things in memory; beyond it, what is out of view is forgotten first. */
export const cachedEntitiesMax = 20_000

/**
 * The things loaded for the current filters. Moving the map adds what the new viewport brings and keeps what
 * was there, so nothing blinks out while the next page loads; a change of filters starts a new cache that
 * replaces the old one when its first page arrives.
 */
export class EntityCache {
  private readonly byId = new Map<string, { feature: EntityFeature; bbox: Bbox | null }>()

  constructor(readonly key: string) {}

  get size() {
    return this.byId.size
  }

  /** Things read over HTTP (map pages, the editor's answers): as exact as the reader may see them. */
  upsert(features: readonly EntityFeature[]) {
    for (const feature of features) {
      const existing = this.byId.get(feature.id)
      // Live updates may arrive before or after a page that still holds the older version: keep the newest.
      if (existing && existing.feature.properties.version > feature.properties.version) continue
      this.byId.set(feature.id, { feature, bbox: geometryBbox(feature.geometry) })
    }
  }

  /**
   * A thing from the live feed, seen by `viewerId` (null: signed out). The feed sends one Feature to everyone,
   * so a private location comes blurred even to its author, whose HTTP reads are exact: the author's copy keeps
   * its exact geometry. Returns `reread` when the author's thing changed (its place may have moved too) and
   * only an HTTP read can give its exact new geometry; meanwhile the new properties sit on the old geometry,
   * and a thing the cache did not hold is not added blurred.
   */
  upsertLive(feature: EntityFeature, viewerId: string | null): 'stored' | 'reread' | 'ignored' {
    const existing = this.byId.get(feature.id)
    const version = feature.properties.version
    if (existing && existing.feature.properties.version > version) return 'ignored'
    const authorsPrivate = feature.properties.locationPrivate && feature.properties.author.id === viewerId
    if (!authorsPrivate) {
      this.byId.set(feature.id, { feature, bbox: geometryBbox(feature.geometry) })
      return 'stored'
    }
    if (!existing) return 'reread'
    if (existing.feature.properties.version === version) return 'ignored'
    this.byId.set(feature.id, {
      feature: { ...feature, geometry: existing.feature.geometry },
      bbox: existing.bbox,
    })
    return 'reread'
  }

  remove(id: string) {
    this.byId.delete(id)
  }

  get(id: string): EntityFeature | undefined {
    return this.byId.get(id)?.feature
  }

  all(): EntityFeature[] {
    return Array.from(this.byId.values(), (entry) => entry.feature)
  }

  inView(view: Bbox): EntityFeature[] {
    const result: EntityFeature[] = []
    for (const entry of this.byId.values()) {
      if (entry.bbox && bboxIntersects(entry.bbox, view)) result.push(entry.feature)
    }
    return result
  }

  /** Drops what lies outside the view until the cache is back under its limit. */
  trim(view: Bbox, max = cachedEntitiesMax) {
    if (this.byId.size <= max) return
    for (const [id, entry] of this.byId) {
      if (this.byId.size <= max) break
      if (!entry.bbox || !bboxIntersects(entry.bbox, view)) this.byId.delete(id)
    }
  }
}

/**
 * Wall order: the most recently active first. The API writes every instant alike (UTC, same precision), so the
 * text order is the time order, and comparing code units is many times cheaper than `localeCompare`.
 */
export function byRecentActivity(a: EntityFeature, b: EntityFeature): number {
  const x = a.properties.lastActivityAt
  const y = b.properties.lastActivityAt
  return x < y ? 1 : x > y ? -1 : 0
}
