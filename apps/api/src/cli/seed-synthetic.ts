import { performance } from 'node:perf_hooks'
import { seedSynthetic } from '@quartiere/map/seed'
import { describeApplied, openMigratedDatabase } from './database'

/** A guard against a typo of a zero or two: ten million rows is already several GB of table and indexes. */
const syntheticCountMax = 10_000_000

/** `pnpm seed:synthetic N`: adds N random things around Turin, for load tests and benchmarks. */
const usage = `usage: pnpm seed:synthetic N   (N: a whole number of entities, 1 to ${syntheticCountMax.toLocaleString('en')})`
const args = process.argv.slice(2).filter((arg) => arg !== '--')
const count =
  args.length === 1 && /^\d[\d_,]*$/.test(args[0] ?? '') ? Number(args[0]?.replace(/[_,]/g, '')) : Number.NaN
if (!Number.isSafeInteger(count) || count < 1 || count > syntheticCountMax) {
  console.error(usage)
  process.exit(2)
}

const { database, applied } = await openMigratedDatabase()
try {
  console.log(describeApplied(applied))
  console.log(`seeding ${count.toLocaleString('en')} synthetic entities`)
  const startedMs = performance.now()
  await seedSynthetic(database.db, count, (done) => {
    const seconds = (performance.now() - startedMs) / 1000
    const rate = Math.round(done / seconds)
    console.log(
      `  ${done.toLocaleString('en')} / ${count.toLocaleString('en')} rows, ${rate.toLocaleString('en')} rows/s`,
    )
  })
  // The total includes the ANALYZE after the last batch.
  const totalSeconds = (performance.now() - startedMs) / 1000
  console.log(`done: ${count.toLocaleString('en')} entities in ${totalSeconds.toFixed(1)} s`)
} finally {
  await database.close()
}
