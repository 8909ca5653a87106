import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'

export interface OutboxEvent {
  topic: string
  entityId?: string
  bbox?: [number, number, number, number]
  /** User ids that may see the event; absent for a public event. */
  audience?: string[]
  payload: unknown
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
    })
    .execute()
}
