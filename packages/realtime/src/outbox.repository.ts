import type { DB } from '@quartiere/db'
import type { Bbox } from '@quartiere/geo'
import { type Kysely, sql } from 'kysely'
import type { MatchState } from './matching'

/** A committed outbox event, as the relay hands it on. */
export interface OutboxEventRow {
  seq: number
  topic: string
  entityId: string | null
  /** The thing's bbox now (for `entity.deleted`: where it was); null for non-spatial events. */
  bbox: Bbox | null
  /** User ids that may see it; null for a public event. */
  audience: string[] | null
  payload: unknown
  createdAt: Date
  /** Where an entity matched before an update or a delete (see migrations/0005_realtime.sql). */
  previous: MatchState | null
  /** Where it matches now, derived from the entity Feature when the payload is one. */
  current: MatchState | null
  /**
   * False when a public entity event's entity is no longer something the public may see (deleted since, or
   * hidden by moderation): such an event is withheld from the public feed; the delete (or hide) that made it
   * invisible is what clients get.
   */
  publicVisible: boolean
}

interface RawRow {
  seq: string
  topic: string
  entity_id: string | null
  min_lon: number | null
  min_lat: number | null
  max_lon: number | null
  max_lat: number | null
  audience: string[] | null
  payload: unknown
  previous: unknown
  created_at: Date | string
  visible: boolean
  snap: string
}

export interface OutboxPage {
  rows: OutboxEventRow[]
  /** The database snapshot the page was read in (`pg_current_snapshot()` as text). */
  snapshot: string | null
}

/**
 * Reads events after `afterSeq`, in seq order, together with the snapshot they were read in. `throughSeq` bounds
 * the page from above (a replay stops where the relay is); `userId` keeps only what that reader may see (public
 * events and those whose audience holds them), so private events of others never leave the database.
 */
export async function readOutbox(
  db: Kysely<DB>,
  options: { afterSeq: number; limit: number; throughSeq?: number; userId?: string | null },
): Promise<OutboxPage> {
  const through = options.throughSeq === undefined ? sql`` : sql`AND o.seq <= ${options.throughSeq}`
  const audience =
    options.userId === undefined
      ? sql``
      : options.userId === null
        ? sql`AND o.audience IS NULL`
        : sql`AND (o.audience IS NULL OR ${options.userId}::uuid = ANY (o.audience))`
  // Entity payloads, and a campaign's progress on its place, go out only while the entity is in
  // visible_entities, the public's view of the map: a place a moderator hid does not go on showing its campaign.
  // A scalar subquery on the primary key rather than EXISTS: in a select list PostgreSQL may run EXISTS as a
  // hashed subplan, building a hash of every visible entity (a full scan of the map) for each page read.
  const result = await sql<RawRow>`
    SELECT o.seq, o.topic, o.entity_id, o.min_lon, o.min_lat, o.max_lon, o.max_lat, o.audience, o.payload,
           o.previous, o.created_at,
           CASE WHEN o.topic IN ('entity.created', 'entity.updated') OR o.topic LIKE 'campaign.%'
                THEN COALESCE((SELECT true FROM visible_entities v WHERE v.id = o.entity_id), false)
                ELSE true END AS visible,
           pg_current_snapshot()::text AS snap
      FROM events_outbox o
     WHERE o.seq > ${options.afterSeq} ${through} ${audience}
     ORDER BY o.seq
     LIMIT ${options.limit}`.execute(db)
  return {
    rows: result.rows.map(toEventRow),
    snapshot: result.rows[0]?.snap ?? null,
  }
}

function toEventRow(row: RawRow): OutboxEventRow {
  const bbox: Bbox | null =
    row.min_lon === null || row.min_lat === null || row.max_lon === null || row.max_lat === null
      ? null
      : [Number(row.min_lon), Number(row.min_lat), Number(row.max_lon), Number(row.max_lat)]
  const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload
  const previous = typeof row.previous === 'string' ? JSON.parse(row.previous) : row.previous
  return {
    seq: Number(row.seq),
    topic: row.topic,
    entityId: row.entity_id,
    bbox,
    audience: row.audience,
    payload,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
    previous: previous ? previousState(previous as Record<string, unknown>) : null,
    current: bbox ? currentState(bbox, row.topic, payload) : null,
    publicVisible: row.visible,
  }
}

function instant(value: unknown): number | null {
  if (typeof value !== 'string') return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : ms
}

function previousState(previous: Record<string, unknown>): MatchState | null {
  const bbox = previous.bbox
  if (!Array.isArray(bbox) || bbox.length !== 4) return null
  return {
    bbox: bbox.map(Number) as Bbox,
    kind: typeof previous.kind === 'string' ? previous.kind : null,
    validFrom: instant(previous.validFrom),
    validTo: instant(previous.validTo),
  }
}

/** A deleted entity is nowhere now: only its `previous` state matches. */
function currentState(bbox: Bbox, topic: string, payload: unknown): MatchState | null {
  if (topic === 'entity.deleted') return null
  const properties = (payload as { type?: unknown; properties?: Record<string, unknown> } | null)?.properties
  if ((payload as { type?: unknown } | null)?.type === 'Feature' && properties) {
    return {
      bbox,
      kind: typeof properties.kind === 'string' ? properties.kind : null,
      validFrom: instant(properties.validFrom),
      validTo: instant(properties.validTo),
    }
  }
  return { bbox, kind: null, validFrom: null, validTo: null }
}

/** The newest seq, and the snapshot it was read in. */
export async function readHead(db: Kysely<DB>): Promise<{ seq: number; snapshot: string }> {
  const result = await sql<{ seq: string | null; snap: string }>`
    SELECT (SELECT max(seq) FROM events_outbox) AS seq, pg_current_snapshot()::text AS snap`.execute(db)
  const row = result.rows[0]!
  return { seq: row.seq === null ? 0 : Number(row.seq), snapshot: row.snap }
}

/**
 * Whether every transaction of this database that was running when `snapshot` was taken has ended (committed or
 * rolled back).
 * A seq missing below a committed one belongs to such a transaction, or to none at all.
 */
export async function snapshotSettled(db: Kysely<DB>, snapshot: string): Promise<boolean> {
  const result = await sql<{ running: string }>`
    SELECT count(*) AS running
      FROM pg_snapshot_xip(${snapshot}::pg_snapshot) AS x
     WHERE pg_xact_status(x) = 'in progress'
       -- A transaction of another database on the same server cannot own one of our seqs: it is not waited for.
       -- (Without the right to see other sessions, nothing is excluded, which is only slower.)
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.datname IS DISTINCT FROM current_database() AND a.backend_xid IS NOT NULL
                          AND a.backend_xid::text = (x::text::numeric % 4294967296)::text)`.execute(db)
  return Number(result.rows[0]?.running ?? 0) === 0
}

/** The highest seq the retention pruner has deleted: resuming at or below it may have missed events. */
export async function readPrunedThrough(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('events_outbox_pruned').select('pruned_through').executeTakeFirst()
  return row ? Number(row.pruned_through) : 0
}

/**
 * Deletes up to `limit` events older than `retentionMs` and at or below `throughSeq` (never what the relay has
 * not handed on yet), and records the highest one deleted. Returns how many were deleted.
 */
export async function pruneOutbox(
  db: Kysely<DB>,
  options: { retentionMs: number; throughSeq: number; limit: number },
): Promise<number> {
  const result = await sql<{ deleted: string }>`
    WITH doomed AS (
      DELETE FROM events_outbox
       WHERE seq IN (SELECT seq FROM events_outbox
                      WHERE created_at < now() - ${options.retentionMs} * interval '1 millisecond'
                        AND seq <= ${options.throughSeq}
                      ORDER BY seq LIMIT ${options.limit})
      RETURNING seq
    ), mark AS (
      UPDATE events_outbox_pruned SET pruned_through = GREATEST(pruned_through, (SELECT max(seq) FROM doomed))
       WHERE EXISTS (SELECT 1 FROM doomed)
    )
    SELECT count(*) AS deleted FROM doomed`.execute(db)
  return Number(result.rows[0]?.deleted ?? 0)
}
