import { randomUUID } from 'node:crypto'
import type { Database } from '@quartiere/db'
import {
  appendOutboxEvent,
  appendOutboxEvents,
  type OutboxEvent,
  outboxRecordsInsertSql,
} from '@quartiere/realtime'
import { type KyselyPlugin, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase } from '../support/test-database'

/**
 * The one writer of `events_outbox`: every column an event carries arrives as given, in the order given, in one
 * statement however many events there are.
 */

let database: Database

beforeAll(async () => {
  database = await openTestDatabase()
})

afterAll(async () => {
  await database?.close()
})

interface StoredRow {
  topic: string
  entity_id: string | null
  min_lon: number | null
  min_lat: number | null
  max_lon: number | null
  max_lat: number | null
  audience: string[] | null
  payload: unknown
  previous: unknown
}

async function storedWithTopic(prefix: string): Promise<StoredRow[]> {
  const result = await sql<StoredRow>`
    SELECT topic, entity_id, min_lon, min_lat, max_lon, max_lat, audience, payload, previous
      FROM events_outbox WHERE starts_with(topic, ${prefix}) ORDER BY seq`.execute(database.db)
  return result.rows
}

/** Counts the statements run through the returned handle. */
function counting() {
  let statements = 0
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      statements += 1
      return args.node
    },
    async transformResult(args) {
      return args.result
    },
  }
  return { db: database.db.withPlugin(plugin), statements: () => statements }
}

describe('appendOutboxEvents', () => {
  it('writes every event, every column, in order, in one statement', async () => {
    const entityId = randomUUID()
    const reader = randomUUID()
    const events: OutboxEvent[] = [
      {
        topic: 'writer.moved',
        entityId,
        bbox: [7.6869012345678, 45.0702987654321, 7.6901, 45.0733],
        payload: { id: entityId, title: 'Giardino', nested: [1, { deep: null }] },
        previous: {
          bbox: [7.1, 45.1, 7.2, 45.2],
          kind: 'space',
          validFrom: null,
          validTo: '2027-01-01T00:00:00Z',
        },
      },
      { topic: 'writer.private', audience: [reader], payload: { note: 'for one reader' } },
      { topic: 'writer.public', entityId: null, audience: null, payload: 'a bare string' },
    ]
    const { db, statements } = counting()
    await appendOutboxEvents(db, events)
    expect(statements()).toBe(1)

    expect(await storedWithTopic('writer.')).toEqual([
      {
        topic: 'writer.moved',
        entity_id: entityId,
        min_lon: 7.6869012345678,
        min_lat: 45.0702987654321,
        max_lon: 7.6901,
        max_lat: 45.0733,
        audience: null,
        payload: { id: entityId, title: 'Giardino', nested: [1, { deep: null }] },
        previous: {
          bbox: [7.1, 45.1, 7.2, 45.2],
          kind: 'space',
          validFrom: null,
          validTo: '2027-01-01T00:00:00Z',
        },
      },
      {
        topic: 'writer.private',
        entity_id: null,
        min_lon: null,
        min_lat: null,
        max_lon: null,
        max_lat: null,
        audience: [reader],
        payload: { note: 'for one reader' },
        previous: null,
      },
      {
        topic: 'writer.public',
        entity_id: null,
        min_lon: null,
        min_lat: null,
        max_lon: null,
        max_lat: null,
        audience: null,
        payload: 'a bare string',
        previous: null,
      },
    ])
  })

  it('runs no statement for no events', async () => {
    const { db, statements } = counting()
    await appendOutboxEvents(db, [])
    expect(statements()).toBe(0)
  })

  it('stores a null payload as the JSON null (the column is NOT NULL)', async () => {
    await appendOutboxEvent(database.db, { topic: 'nullish.payload', payload: null })
    const rows = await sql<{ is_json_null: boolean }>`
      SELECT payload = 'null'::jsonb AS is_json_null FROM events_outbox WHERE topic = 'nullish.payload'`.execute(
      database.db,
    )
    expect(rows.rows).toEqual([{ is_json_null: true }])
  })
})

describe('outboxRecordsInsertSql', () => {
  it('inserts records a statement builds in SQL, with the same columns', async () => {
    const reader = randomUUID()
    await outboxRecordsInsertSql(sql`(
      SELECT json_agg(json_build_object('topic', 'built.' || n, 'audience', json_build_array(${reader}::uuid),
                                        'min_lon', n, 'payload', json_build_object('n', n)) ORDER BY n)
        FROM generate_series(1, 3) AS n)`).execute(database.db)
    const rows = await storedWithTopic('built.')
    expect(rows.map((row) => [row.topic, row.audience, row.min_lon, row.payload, row.max_lat])).toEqual([
      ['built.1', [reader], 1, { n: 1 }, null],
      ['built.2', [reader], 2, { n: 2 }, null],
      ['built.3', [reader], 3, { n: 3 }, null],
    ])
  })
})
