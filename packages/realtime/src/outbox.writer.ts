import type { DB } from '@quartiere/db'
import { type Kysely, type RawBuilder, sql } from 'kysely'

/** Where an entity was, as a viewport subscription matches it: used to tell a viewport the entity left it. */
export interface OutboxMatchState {
  bbox: [number, number, number, number]
  kind: string
  validFrom: string | null
  validTo: string | null
}

/** A change that clients may see, as every domain writes it to `events_outbox`. */
export interface OutboxEvent {
  topic: string
  entityId?: string | null
  bbox?: [number, number, number, number]
  /** User ids that may see the event; absent for a public event. */
  audience?: readonly string[] | null
  payload: unknown
  /**
   * For an entity update or delete: the entity as it was before, so that subscriptions whose viewport (or time
   * window) it leaves still get the event and can drop it.
   */
  previous?: OutboxMatchState
}

/**
 * One event as a row of the JSON recordset that {@link outboxRecordsInsertSql} inserts: the keys are the
 * columns of `events_outbox`. A writer that builds its events in SQL (from rows its own statement returns)
 * builds objects with these keys; a missing key is NULL.
 */
export interface OutboxRecord {
  topic: string
  entity_id: string | null
  min_lon: number | null
  min_lat: number | null
  max_lon: number | null
  max_lat: number | null
  audience: readonly string[] | null
  payload: unknown
  previous: OutboxMatchState | null
}

/** The event as its recordset row. */
export function toOutboxRecord(event: OutboxEvent): OutboxRecord {
  return {
    topic: event.topic,
    entity_id: event.entityId ?? null,
    min_lon: event.bbox?.[0] ?? null,
    min_lat: event.bbox?.[1] ?? null,
    max_lon: event.bbox?.[2] ?? null,
    max_lat: event.bbox?.[3] ?? null,
    audience: event.audience ?? null,
    payload: event.payload,
    previous: event.previous ?? null,
  }
}

/**
 * The one INSERT into `events_outbox`: `records` is a SQL expression of type json, an array of
 * {@link OutboxRecord}s, inserted in array order (so their seqs follow it). A statement that computes its events
 * from its own data-modifying parts passes them here as a `json_agg` over its CTE; everything else passes a
 * parameter through {@link outboxInsertSql}.
 */
export function outboxRecordsInsertSql(records: RawBuilder<unknown>): RawBuilder<unknown> {
  // json_to_recordset reads a JSON null as SQL NULL; the column is NOT NULL and a null payload is stored as
  // the JSON null, as it always was.
  return sql`INSERT INTO events_outbox (topic, entity_id, min_lon, min_lat, max_lon, max_lat, audience, payload,
                                        previous)
    SELECT topic, entity_id, min_lon, min_lat, max_lon, max_lat, audience, coalesce(payload, 'null'::jsonb),
           previous
      FROM json_to_recordset(${records})
        AS e(topic text, entity_id uuid, min_lon double precision, min_lat double precision,
             max_lon double precision, max_lat double precision, audience uuid[], payload jsonb, previous jsonb)`
}

/**
 * The INSERT of `events` as a SQL fragment, for a statement that writes them among other things (the ledger's
 * batch writes its transfers and their events in one statement, as a CTE: `WITH events AS (${outboxInsertSql(
 * events)}) …`). The events are one JSON parameter, however many there are.
 */
export function outboxInsertSql(events: readonly OutboxEvent[]): RawBuilder<unknown> {
  return outboxRecordsInsertSql(sql`${JSON.stringify(events.map(toOutboxRecord))}::json`)
}

/**
 * Records changes that clients may see, in one INSERT, in the order given. Call it with the same transaction as
 * the change itself, so the events exist exactly when the change does.
 *
 * @example
 * await appendOutboxEvents(trx, [{ topic: 'post.created', entityId, audience: null, payload: post }])
 */
export async function appendOutboxEvents(db: Kysely<DB>, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return
  await outboxInsertSql(events).execute(db)
}

/** Records one change that clients may see, in the caller's transaction: see {@link appendOutboxEvents}. */
export async function appendOutboxEvent(db: Kysely<DB>, event: OutboxEvent): Promise<void> {
  await appendOutboxEvents(db, [event])
}

/**
 * Erasing a member (GDPR Art. 17): outbox events addressed to the member alone are deleted; from the others'
 * audiences the member is removed; payloads that name them (as {"id", "displayName"} objects and bare ids)
 * name the tombstone instead (migration 0009's quartiere_json_forget_user). In the erasure's transaction.
 *
 * This reads every outbox row's text once: erasure is rare, and the outbox keeps a week.
 */
export async function forgetUserInOutbox(
  db: Kysely<DB>,
  member: { id: string; displayName: string },
  tombstone: { id: string; displayName: string },
): Promise<void> {
  const nameJson = JSON.stringify(member.displayName)
  await sql`DELETE FROM events_outbox WHERE audience <@ ARRAY[${member.id}::uuid]`.execute(db)
  await sql`UPDATE events_outbox SET audience = array_remove(audience, ${member.id}::uuid)
             WHERE ${member.id}::uuid = ANY (audience)`.execute(db)
  await sql`
    UPDATE events_outbox
       SET payload = quartiere_json_forget_user(payload, ${member.id}, ${member.displayName}, ${tombstone.id},
                                                ${tombstone.displayName})
     WHERE strpos(payload::text, ${member.id}) > 0 OR strpos(payload::text, ${nameJson}) > 0`.execute(db)
}
