import type { DB, EntitiesTable } from '@quartiere/db'
import { type Insertable, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely'

/**
 * An entity as a GeoJSON Feature, as JSON text: stored by triggers on every write of the entity or rename of
 * its author (migrations/0003), so single reads and lists share one definition, and lists send the text on
 * without building, parsing or serialising any feature per request. Expects the entity as `e`. Its geometry is
 * the public one: blurred when the location is private (migrations/0008).
 */
export const featureJson: RawBuilder<string> = sql<string>`e.feature_json`

/**
 * The Feature as `viewerId` may see it: the stored (public) one, except that the author of a private location
 * gets the exact geometry back, in a Feature built around the stored properties.
 */
function featureJsonFor(viewerId: string | undefined): RawBuilder<string> {
  if (!viewerId) return featureJson
  return sql<string>`CASE WHEN e.location_private AND e.author_id = ${viewerId}::uuid
    THEN json_build_object('type', 'Feature', 'id', e.id, 'geometry', ST_AsGeoJSON(e.geom, 7)::json,
                           'properties', e.feature_json::json -> 'properties')::text
    ELSE e.feature_json END`
}

/**
 * Whether the thing lies in the bbox as `viewerId` may see it: others match on the public geometry (so a
 * narrowing box cannot find a private location's exact spot), the author of a private location on the exact
 * one. Each arm can use an index (entities_public_geom_idx, entities_author_idx).
 */
function intersectsBbox(bbox: [number, number, number, number], viewerId?: string): RawBuilder<SqlBool> {
  const envelope = sql`ST_MakeEnvelope(${bbox[0]}, ${bbox[1]}, ${bbox[2]}, ${bbox[3]}, 4326)`
  if (!viewerId) return sql<SqlBool>`ST_Intersects(e.public_geom, ${envelope})`
  return sql<SqlBool>`((NOT e.location_private OR e.author_id <> ${viewerId}::uuid)
      AND ST_Intersects(e.public_geom, ${envelope})
    OR e.author_id = ${viewerId}::uuid AND e.location_private AND ST_Intersects(e.geom, ${envelope}))`
}

/** The columns a write answers with and publishes: see {@link selectFeatureJson}. */
const exactGeometry = sql<string | null>`CASE WHEN e.location_private THEN ST_AsGeoJSON(e.geom, 7) END`

/**
 * Inserts a thing and its author's subscription to it (authors follow what they put on the map) in one
 * statement, and returns it as {@link selectFeatureJson} does: the stored Feature is built by the BEFORE
 * trigger, so the INSERT's RETURNING has it and no second read is needed.
 */
export function insertEntityWithAuthorSubscription(db: Kysely<DB>, values: Insertable<EntitiesTable>) {
  return db
    .with('e', (qb) =>
      qb
        .insertInto('entities')
        .values(values)
        .returning(['id', 'feature_json', 'version', 'author_id', 'hidden_at', 'location_private', 'geom']),
    )
    .with('s', (qb) =>
      qb
        .insertInto('subscriptions')
        .columns(['user_id', 'entity_id'])
        .expression((eb) => eb.selectFrom('e').select(['e.author_id', 'e.id'])),
    )
    .selectFrom('e')
    .select([
      'e.id',
      featureJson.as('feature'),
      'e.version',
      'e.author_id',
      'e.hidden_at',
      exactGeometry.as('exact_geometry'),
    ])
    .executeTakeFirstOrThrow()
}

export function selectFeatureJson(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('entities as e')
    .select([
      featureJson.as('feature'),
      'e.version',
      'e.author_id',
      'e.hidden_at',
      // Only its author is given it (see getEntity).
      exactGeometry.as('exact_geometry'),
    ])
    .where('e.id', '=', id)
    .where('e.deleted_at', 'is', null)
    .executeTakeFirst()
}

/** What a write needs to know about the stored entity, read with a row lock so concurrent writes queue. */
export function lockEntity(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('entities')
    .select([
      'id',
      'kind',
      'author_id',
      'parent_id',
      'version',
      'properties',
      'valid_from',
      'valid_to',
      'deleted_at',
      'hidden_at',
      'location_private',
    ])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

export type LockedEntity = NonNullable<Awaited<ReturnType<typeof lockEntity>>>

export async function entityExists(db: Kysely<DB>, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('entities')
    .select('id')
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return row !== undefined
}

/** True when `candidateAncestor` is `id` itself or one of its descendants (bounded depth). */
export async function wouldCreateCycle(db: Kysely<DB>, id: string, newParentId: string): Promise<boolean> {
  const result = await sql<{ found: boolean }>`
    WITH RECURSIVE ancestors(id, depth) AS (
      SELECT ${newParentId}::uuid, 0
      UNION ALL
      SELECT e.parent_id, a.depth + 1 FROM entities e JOIN ancestors a ON e.id = a.id
      WHERE e.parent_id IS NOT NULL AND a.depth < ${sql.lit(parentDepthMax)}
    )
    SELECT EXISTS (SELECT 1 FROM ancestors WHERE id = ${id}::uuid) AS found`.execute(db)
  return result.rows[0]?.found === true
}
export const parentDepthMax = 32

/** PostGIS's opinion of a geometry: null when valid, else the reason ("Self-intersection[7.6 45.1]"). */
export async function geometryInvalidReason(db: Kysely<DB>, geojson: string): Promise<string | null> {
  const result = await sql<{ reason: string }>`
    SELECT ST_IsValidReason(ST_GeomFromGeoJSON(${geojson})) AS reason`.execute(db)
  const reason = result.rows[0]?.reason ?? 'unknown'
  return reason === 'Valid Geometry' ? null : reason
}

export interface EntityFilters {
  bbox?: [number, number, number, number]
  kinds?: string[]
  from?: Date | null
  to?: Date | null
  q?: string
  categories?: string[]
  tags?: string[]
  parentId?: string
  authorId?: string
  zoom?: number
  afterId?: string
  /** Things of this initiative (its id or slug). */
  initiative?: string
  /** `activity`: the latest post or comment first (the wall); default: id order. */
  sort?: 'id' | 'activity'
  /** The keyset position after which an activity-sorted page starts. */
  afterActivity?: { at: string; id: string }
  /**
   * Who reads: hidden things are left out except for their author (who sees them marked hidden), and private
   * locations are served (and matched by bbox) blurred except to their author. Absent: an anonymous reader.
   */
  viewerId?: string
}

/** Text search in Italian and English (stemmed) and accent-folded exact words, any of them matching. */
export function searchMatches(q: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`e.search @@ (websearch_to_tsquery('italian', ${q})
    || websearch_to_tsquery('english', ${q})
    || websearch_to_tsquery('simple', quartiere_fold(${q})))`
}

/** The map query: live entities matching every filter given, in id order after the cursor, one extra row. */
export function selectFeaturePage(db: Kysely<DB>, filters: EntityFilters, limit: number) {
  let query = db
    .selectFrom('entities as e')
    .select([
      'e.id',
      featureJsonFor(filters.viewerId).as('feature'),
      // Only what the page needs: this is the map's hottest query.
      (filters.viewerId ? sql<boolean>`e.hidden_at IS NOT NULL` : sql<boolean>`false`).as('hidden'),
      (filters.sort === 'activity'
        ? sql<string | null>`to_char(e.last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
        : sql<string | null>`NULL`
      ).as('activity_key'),
    ])
    .where('e.deleted_at', 'is', null)
  // Moderation: a hidden thing is served to its author alone (marked hidden), never to anyone else's map.
  query = filters.viewerId
    ? query.where(sql<SqlBool>`(e.hidden_at IS NULL OR e.author_id = ${filters.viewerId}::uuid)`)
    : query.where('e.hidden_at', 'is', null)
  if (filters.initiative) {
    query = query.where(
      sql<SqlBool>`e.id IN (SELECT ie.entity_id FROM initiative_entities ie JOIN initiatives i ON i.id = ie.initiative_id
        WHERE i.slug = ${filters.initiative} OR i.id::text = ${filters.initiative})`,
    )
  }
  const { bbox } = filters
  if (bbox) query = query.where(intersectsBbox(bbox, filters.viewerId))
  if (filters.kinds?.length) query = query.where('e.kind', '=', sql<string>`ANY(${filters.kinds}::text[])`)
  if (filters.from || filters.to) {
    query = query.where(
      sql<SqlBool>`e.validity && tstzrange(${filters.from ?? null}::timestamptz, ${filters.to ?? null}::timestamptz, '[]')`,
    )
  }
  if (filters.q) query = query.where(searchMatches(filters.q))
  if (filters.categories?.length)
    query = query.where(sql<SqlBool>`e.categories && ${filters.categories}::text[]`)
  if (filters.tags?.length) query = query.where(sql<SqlBool>`e.tags && ${filters.tags}::text[]`)
  if (filters.parentId) query = query.where('e.parent_id', '=', filters.parentId)
  if (filters.authorId) query = query.where('e.author_id', '=', filters.authorId)
  if (filters.zoom !== undefined) query = query.where('e.zoom_level', '<=', filters.zoom)
  if (filters.sort === 'activity') {
    const after = filters.afterActivity
    if (after) {
      query = query.where(
        sql<SqlBool>`(e.last_activity_at, e.id) < (${after.at}::timestamptz, ${after.id}::uuid)`,
      )
    }
    return query
      .orderBy('e.last_activity_at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(limit + 1)
      .execute()
  }
  if (filters.afterId) query = query.where('e.id', '>', filters.afterId)
  return query
    .orderBy('e.id')
    .limit(limit + 1)
    .execute()
}
