import type { DB } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'

/** Where an entity was, as a viewport subscription matches it: used to tell a viewport the entity left it. */
export interface OutboxMatchState {
  bbox: [number, number, number, number]
  kind: string
  validFrom: string | null
  validTo: string | null
}

export interface OutboxEvent {
  topic: string
  entityId?: string
  bbox?: [number, number, number, number]
  /** User ids that may see the event; absent for a public event. */
  audience?: string[]
  payload: unknown
  /**
   * For an entity update or delete: the entity as it was before, so that subscriptions whose viewport (or time
   * window) it leaves still get the event and can drop it.
   */
  previous?: OutboxMatchState
}

/**
 * Records a change that clients may see. Call it with the same transaction as the change itself, so the
 * event exists exactly when the change does.
 */
export async function appendOutboxEvent(db: Kysely<DB>, event: OutboxEvent): Promise<void> {
  await db
    .insertInto('events_outbox')
    .values({
      topic: event.topic,
      entity_id: event.entityId ?? null,
      min_lon: event.bbox?.[0] ?? null,
      min_lat: event.bbox?.[1] ?? null,
      max_lon: event.bbox?.[2] ?? null,
      max_lat: event.bbox?.[3] ?? null,
      audience: event.audience ?? null,
      payload: JSON.stringify(event.payload),
      previous: event.previous ? JSON.stringify(event.previous) : null,
    })
    .execute()
}

/**
 * An entity's bbox, kind and time window as stored now: read before a change, it becomes the event's
 * `previous`. One primary-key lookup.
 */
export async function entityMatchState(db: Kysely<DB>, id: string): Promise<OutboxMatchState | undefined> {
  const row = await db
    .selectFrom('entities')
    .select([
      'kind',
      sql<string | null>`quartiere_iso(valid_from)`.as('valid_from'),
      sql<string | null>`quartiere_iso(valid_to)`.as('valid_to'),
      // The public geometry's box: viewports match on it, so it must not give a private location away.
      sql<number>`ST_XMin(public_geom)`.as('min_lon'),
      sql<number>`ST_YMin(public_geom)`.as('min_lat'),
      sql<number>`ST_XMax(public_geom)`.as('max_lon'),
      sql<number>`ST_YMax(public_geom)`.as('max_lat'),
    ])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    bbox: [Number(row.min_lon), Number(row.min_lat), Number(row.max_lon), Number(row.max_lat)],
    kind: row.kind,
    validFrom: row.valid_from,
    validTo: row.valid_to,
  }
}
