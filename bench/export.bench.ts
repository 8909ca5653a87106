import { performance } from 'node:perf_hooks'
import { openDatabase } from '@quartiere/db'
import { sql } from 'kysely'
import { startApiServer } from './lib/api-server'
import { benchDatabaseUrlDefault, prepareBenchDatabase } from './lib/bench-database'
import { positiveIntegerEnv } from './lib/env'
import { machineInfo } from './lib/machine'
import { rssMiB } from './lib/peak-rss'

const formats = ['geojson', 'csv', 'fgb'] as const

/** The whole database, and the south-west quarter of its extent: the same export at two sizes. */
interface Scope {
  name: string
  query: string
  features: number
  /** The API's settings for this run: the keyset reference runs with no export cursors. */
  env?: Record<string, string>
}

interface ExportRun {
  bytes: number
  seconds: number
  beforeMiB: number
  growthMiB: number
}

/** Whole-export growth over quarter-export growth at most this: memory does not follow the row count. */
const boundedRatioMax = 1.5
/** The figure first set for this bench; reported beside the ratio, which is what "bounded" means. */
const growthTargetMiB = 200
/** A quarter of the features read through a cursor should take at most this share of the whole export's time. */
const quarterTimeShareMax = 0.5

/**
 * Downloads the public entities as GeoJSON, CSV and FlatGeobuf, each from a fresh API process, reading the body
 * as it streams and throwing it away: once over a quarter of the data, once over all of it, and the quarter once
 * more with the API's export cursors off (EXPORT_CURSORS_MAX=0: id-ordered keyset batches, the embedded
 * database's way and the reference). Reports features/s and the server's peak RSS growth. A streamed export's
 * memory must not depend on its size, so the whole export should grow the server no more than the quarter did
 * (what growth there is, is the heap sizing itself to the allocation rate, the same at any size); and a filtered
 * export should read only what matches, so the quarter should take a fraction of the whole's time.
 */
export async function exportBench(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || benchDatabaseUrlDefault
  const entities = positiveIntegerEnv('BENCH_ENTITIES', 1_000_000)
  const { live } = await prepareBenchDatabase(databaseUrl, entities)
  const quarter = await southWestQuarter(databaseUrl)
  const keysetQuarter: Scope = { ...quarter, name: 'quarter, keyset', env: { EXPORT_CURSORS_MAX: '0' } }
  const scopes: Scope[] = [quarter, { name: 'all', query: '', features: live }, keysetQuarter]
  const rows: string[] = []
  let worstRatio = 0
  let worstGrowthMiB = 0
  let worstQuarterShare = 0
  for (const format of formats) {
    const runs: ExportRun[] = []
    for (const scope of scopes) {
      const run = await exportOnce(databaseUrl, format, scope.query, scope.env)
      runs.push(run)
      rows.push(
        `  ${format.padEnd(8)}${scope.name.padEnd(16)}${scope.features.toLocaleString('en').padStart(10)}${(run.bytes / 1024 / 1024).toFixed(0).padStart(7)} MiB${run.seconds.toFixed(1).padStart(7)} s${Math.round(
          scope.features / run.seconds,
        )
          .toLocaleString('en')
          .padStart(
            9,
          )} /s   RSS before ${run.beforeMiB.toFixed(0)} MiB, growth ${run.growthMiB.toFixed(0)} MiB`,
      )
    }
    const [part, whole, keyset] = runs as [ExportRun, ExportRun, ExportRun]
    const ratio = whole.growthMiB / Math.max(part.growthMiB, 1)
    const quarterShare = part.seconds / whole.seconds
    worstRatio = Math.max(worstRatio, ratio)
    worstGrowthMiB = Math.max(worstGrowthMiB, whole.growthMiB)
    worstQuarterShare = Math.max(worstQuarterShare, quarterShare)
    rows.push(
      `  ${format.padEnd(8)}growth all ÷ quarter ${ratio.toFixed(2)}; time quarter ÷ all ${quarterShare.toFixed(2)}; quarter by cursor ÷ by keyset ${(part.seconds / keyset.seconds).toFixed(2)}`,
    )
  }
  const machine = machineInfo()
  console.log(`
export: GET /api/export/entities.{geojson,csv,fgb}, a quarter of the area, all of it, the quarter by keyset; a fresh API process each
  data       ${live.toLocaleString('en')} live entities; quarter = bbox ${quarter.query.replace('?bbox=', '')}
  machine    ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}; client, API and PostgreSQL share them
  format  scope             features   size        time  features/s
${rows.join('\n')}
  target bounded: peak RSS growth of the whole export ≤ ${boundedRatioMax} × that of a quarter   ${worstRatio <= boundedRatioMax ? 'PASS' : 'MISS'} (worst ${worstRatio.toFixed(2)})
  target filtered: the quarter in ≤ ${quarterTimeShareMax} of the whole export's time   ${worstQuarterShare <= quarterTimeShareMax ? 'PASS' : 'MISS'} (worst ${worstQuarterShare.toFixed(2)})
  first target: peak RSS growth < ${growthTargetMiB} MiB   ${worstGrowthMiB < growthTargetMiB ? 'PASS' : 'MISS'} (worst ${worstGrowthMiB.toFixed(0)} MiB)
`)
}

async function exportOnce(
  databaseUrl: string,
  format: string,
  query: string,
  env: Record<string, string> = {},
): Promise<ExportRun> {
  const server = await startApiServer(databaseUrl, env)
  try {
    const before = rssMiB(server.pid)
    const startedMs = performance.now()
    const response = await fetch(`${server.baseUrl}/api/export/entities.${format}${query}`)
    if (!response.ok || !response.body) throw new Error(`${format}${query}: ${response.status}`)
    let bytes = 0
    let peakMiB = before.peakMiB
    let chunks = 0
    const reader = response.body.getReader()
    for (;;) {
      const { done, value: chunk } = await reader.read()
      if (done) break
      bytes += chunk.byteLength
      if (++chunks % 200 === 0) peakMiB = Math.max(peakMiB, rssMiB(server.pid).peakMiB)
    }
    const seconds = (performance.now() - startedMs) / 1000
    peakMiB = Math.max(peakMiB, rssMiB(server.pid).peakMiB)
    return { bytes, seconds, beforeMiB: before.currentMiB, growthMiB: peakMiB - before.currentMiB }
  } finally {
    await server.stop()
  }
}

/** The south-west quarter of the live entities' extent, and how many public things it holds. */
async function southWestQuarter(databaseUrl: string): Promise<Scope> {
  const database = await openDatabase({ databaseUrl })
  try {
    const extent = (
      await sql<{ xmin: number; ymin: number; xmax: number; ymax: number }>`
        SELECT ST_XMin(b) AS xmin, ST_YMin(b) AS ymin, ST_XMax(b) AS xmax, ST_YMax(b) AS ymax
        FROM (SELECT ST_Extent(geom)::geometry AS b FROM visible_entities) x`.execute(database.db)
    ).rows[0]
    if (!extent) throw new Error('export bench: no entities')
    const bbox = [
      extent.xmin,
      extent.ymin,
      (extent.xmin + extent.xmax) / 2,
      (extent.ymin + extent.ymax) / 2,
    ].map((n) => Number(n.toFixed(5)))
    const counted = await sql<{ n: string }>`
      SELECT count(*) AS n FROM visible_entities
      WHERE ST_Intersects(geom, ST_MakeEnvelope(${bbox[0]}, ${bbox[1]}, ${bbox[2]}, ${bbox[3]}, 4326))`.execute(
      database.db,
    )
    return { name: 'quarter', query: `?bbox=${bbox.join(',')}`, features: Number(counted.rows[0]?.n ?? 0) }
  } finally {
    await database.close()
  }
}
