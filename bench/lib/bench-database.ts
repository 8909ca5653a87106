import { performance } from 'node:perf_hooks'
import { type DB, migrate, openDatabase } from '@quartiere/db'
import { seedSynthetic } from '@quartiere/map/seed'
import { type Kysely, sql } from 'kysely'
import { createDatabaseIfMissing } from './ensure-database'

export const benchDatabaseUrlDefault = 'postgres://postgres@127.0.0.1:5432/quartiere_bench'

/**
 * Makes sure the benchmark database exists, is migrated and holds at least `entities` live entities, seeding only
 * the difference: the data is kept between runs, so only the first run pays for it.
 */
export async function prepareBenchDatabase(databaseUrl: string, entities: number): Promise<{ live: number }> {
  if (await createDatabaseIfMissing(databaseUrl))
    console.log(`created database ${new URL(databaseUrl).pathname}`)
  const database = await openDatabase({ databaseUrl })
  try {
    const migrated = await migrate(database)
    if (!migrated.ok) throw new Error(`bench database refused migrations: ${migrated.message}`)
    const { db } = database
    const countLive = async () =>
      Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM entities WHERE deleted_at IS NULL`.execute(db))
          .rows[0]?.n,
      )
    const live = await countLive()
    const missing = entities - live
    if (missing <= 0) {
      console.log(`bench database kept from an earlier run: ${live.toLocaleString('en')} live entities`)
      await assertSpread(db)
      return { live }
    }
    console.log(`seeding ${missing.toLocaleString('en')} synthetic entities (kept for later runs)`)
    const startedMs = performance.now()
    await seedSynthetic(db, missing, (done) => {
      const rate = Math.round(done / ((performance.now() - startedMs) / 1000))
      console.log(
        `  ${done.toLocaleString('en')} / ${missing.toLocaleString('en')} rows, ${rate.toLocaleString('en')} rows/s`,
      )
    })
    // Fresh rows have no hint bits or visibility map yet; the first reads would write them while we measure.
    await sql`VACUUM (ANALYZE) entities`.execute(db)
    console.log(
      `seeded in ${((performance.now() - startedMs) / 1000).toFixed(1)} s (VACUUM ANALYZE included)`,
    )
    await assertSpread(db)
    return { live: await countLive() }
  } finally {
    await database.close()
  }
}

/** Rows read to judge whether the synthetic data is spread over the area. */
const spreadSampleRows = 10_000

/**
 * Random points almost never coincide. If many do, the data was generated with one random position per batch
 * (an uncorrelated LATERAL subquery evaluates random() once), and every viewport figure would be meaningless.
 */
async function assertSpread(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ sampled: number; distinct: number }>`
    SELECT count(*)::int AS sampled, count(DISTINCT geom)::int AS distinct
    FROM (SELECT geom FROM entities WHERE deleted_at IS NULL LIMIT ${spreadSampleRows}) AS sample`.execute(db)
  const { sampled = 0, distinct = 0 } = rows[0] ?? {}
  if (distinct < sampled * 0.9)
    throw new Error(
      `the bench data is clustered: ${distinct} distinct geometries among ${sampled} entities. ` +
        'Fix the generator, drop the bench database and run again.',
    )
}
