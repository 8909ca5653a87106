import { entitiesBbox } from './entities-bbox.bench'
import { exportBench } from './export.bench'
import { ledgerTransfers } from './ledger-transfers.bench'
import { ogcPaging } from './ogc-paging.bench'
import { rateLimitBench } from './rate-limit.bench'
import { realtimeFeed } from './realtime-feed.bench'
import { soak } from './soak.bench'
import { tiles } from './tiles.bench'

/**
 * `pnpm bench` runs every benchmark but those marked `onlyByName` (the soak, ten minutes and more);
 * `pnpm bench -- NAME …` runs the named ones. A benchmark is a module that exports one async function; add it
 * here. A miss against a target is reported, never a failed exit: only a crash exits non-zero.
 */
const benchmarks: Record<string, { description: string; run: () => Promise<void>; onlyByName?: boolean }> = {
  'ogc-paging': {
    description:
      'OGC API items: page through 1,000,000 features with limit=10000; last page against the first',
    run: ogcPaging,
  },
  tiles: {
    description: 'vector tiles z12–z16: API cold and warm against the same ST_AsMVT SQL through pg',
    run: tiles,
  },
  export: {
    description: 'bulk exports (GeoJSON, CSV, FlatGeobuf) of 1,000,000 features: features/s and peak RSS',
    run: exportBench,
  },
  'entities-bbox': {
    description: 'the map query for a neighbourhood bbox: API over HTTP against the same SQL through pg',
    run: entitiesBbox,
  },
  'ledger-transfers': {
    description:
      'durable transfers over HTTP (uniform and one hot account) against pgbench TPC-B on the same server',
    run: ledgerTransfers,
  },
  'rate-limit': {
    description:
      '2,000 limited writes in-process: the write limit counted in the database against the in-memory store',
    run: rateLimitBench,
  },
  'realtime-feed': {
    description:
      '5,000 websocket clients on Turin viewports, 200 entity writes/s over HTTP, against a bare ws broadcast server',
    run: realtimeFeed,
  },
  soak: {
    description:
      'only when named: 10 min of mixed traffic (reads, writes, transfers, 300 websockets); RSS growth, p99 drift',
    run: soak,
    onlyByName: true,
  },
}

const names = process.argv.slice(2).filter((arg) => arg !== '--')
const unknown = names.filter((name) => !(name in benchmarks))
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(', ')}\navailable:`)
  for (const [name, { description }] of Object.entries(benchmarks))
    console.error(`  ${name.padEnd(16)}${description}`)
  process.exit(2)
}

const everyBenchmark = Object.keys(benchmarks).filter((name) => !benchmarks[name]!.onlyByName)
for (const name of names.length ? names : everyBenchmark) {
  console.log(`== ${name}`)
  try {
    await benchmarks[name]!.run()
  } catch (error) {
    console.error(`${name} crashed:`, error instanceof Error ? error.message : error)
    if (process.env.BENCH_DEBUG) console.error(error)
    process.exitCode = 1
  }
}
