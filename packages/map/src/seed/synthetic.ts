import type { DB } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
import { disabledPasswordHash } from './load-demo'

/** Rows per INSERT … SELECT: large enough to be fast, small enough to show progress and keep WAL bounded. */
export const syntheticBatchRows = 50_000
/** The area the synthetic things are spread over: greater Turin. */
export const syntheticArea = { minLon: 7.58, minLat: 45.0, maxLon: 7.75, maxLat: 45.14 } as const

/**
 * Loads `count` random things around Turin for load tests and benchmarks, generated inside the database
 * (INSERT … SELECT over generate_series), so a million rows take seconds rather than a million round trips.
 * Most are points; some are small polygons; times, kinds, categories and zoom levels vary. They are authored by
 * a synthetic account and, being a bulk load rather than live changes, write no outbox events.
 */
export async function seedSynthetic(
  db: Kysely<DB>,
  count: number,
  onProgress: (done: number) => void = () => {},
): Promise<void> {
  const author = await db
    .insertInto('users')
    .values({
      email: 'synthetic@example.org',
      display_name: 'Synthetic data',
      password_hash: disabledPasswordHash,
    })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doUpdateSet({ display_name: 'Synthetic data' }))
    .returning('id')
    .executeTakeFirstOrThrow()
  const { minLon, minLat, maxLon, maxLat } = syntheticArea
  for (let done = 0; done < count; ) {
    const rows = Math.min(syntheticBatchRows, count - done)
    await db.transaction().execute(async (trx) => {
      // A bulk batch may take longer than the timeout that guards request traffic.
      await sql`SET LOCAL statement_timeout = 0`.execute(trx)
      await sql`
      INSERT INTO entities (kind, title, description, geom, valid_from, valid_to, zoom_level, categories, tags, properties, author_id)
      SELECT
        k.kind,
        initcap(k.kind) || ' ' || (${done} + p.g) || ' ' || (ARRAY['Orto condiviso', 'Laboratorio', 'Mercato', 'Biblioteca', 'Cortile', 'Festa di via', 'Ciclofficina', 'Coro'])[1 + (p.g % 8)],
        'Dati sintetici per i test di carico. ' || (ARRAY['Comunità', 'Quartiere', 'Città', 'Giardino', 'Scuola'])[1 + (p.g % 5)],
        CASE WHEN g % 10 = 0
          THEN ST_MakeEnvelope(p.lon, p.lat, p.lon + 0.0008, p.lat + 0.0006, 4326)
          ELSE ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) END,
        p.start,
        CASE WHEN g % 3 = 0 THEN NULL ELSE p.start + ((1 + p.g % 90) || ' days')::interval END,
        10 + (p.g % 9),
        ARRAY[(ARRAY['cultura', 'ambiente', 'welfare', 'lavoro', 'formazione', 'beni comuni'])[1 + (p.g % 6)]],
        ARRAY['synthetic'],
        k.properties,
        ${author.id}::uuid
      -- random() sits in the same SELECT as generate_series so that it is drawn per row: in a LATERAL
      -- subquery that does not refer to g, PostgreSQL would draw it once for the whole batch.
      FROM (
        SELECT g,
          ${minLon}::float8 + random() * ${maxLon - minLon}::float8 AS lon,
          ${minLat}::float8 + random() * ${maxLat - minLat}::float8 AS lat,
          timestamptz '2015-01-01' + random() * interval '4000 days' AS start
        FROM generate_series(1, ${rows}::int) AS g
      ) AS p
      CROSS JOIN LATERAL (SELECT
        (ARRAY['space', 'group', 'event', 'project', 'news', 'story', 'offer', 'request'])[1 + (p.g % 8)] AS kind,
        CASE (p.g % 8)
          WHEN 2 THEN jsonb_build_object('startsAt', to_char(p.start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                         'endsAt', to_char((p.start + interval '2 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
          WHEN 3 THEN jsonb_build_object('status', 'active')
          WHEN 6 THEN jsonb_build_object('hours', '1.50', 'skillCategory', 'repairs')
          WHEN 7 THEN jsonb_build_object('hours', '2.00', 'skillCategory', 'care')
          ELSE '{}'::jsonb END AS properties) AS k
    `.execute(trx)
    })
    done += rows
    onProgress(done)
  }
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL statement_timeout = 0`.execute(trx)
    await sql`ANALYZE entities`.execute(trx)
  })
}
