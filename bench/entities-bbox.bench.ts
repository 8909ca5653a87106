import { performance } from 'node:perf_hooks'
import { listEntities, parseEntitiesQuery } from '@quartiere/map'
import { syntheticArea } from '@quartiere/map/seed'
import autocannon from 'autocannon'
import pg from 'pg'
import { type ApiServer, startApiServer } from './lib/api-server'
import { benchDatabaseUrlDefault, prepareBenchDatabase } from './lib/bench-database'
import { captureQueries } from './lib/capture-sql'
import { positiveIntegerEnv } from './lib/env'
import { type CpuSplit, machineInfo, startCpuSplit } from './lib/machine'
import { mulberry32 } from './lib/prng'
import { LatencyRecorder, type PhaseSummary } from './lib/stats'

/** How many different viewports the load cycles through, all requested in the same order by both phases. */
const bboxCount = 500
const prngSeed = 42
/**
 * A neighbourhood on screen: about 235 m × 265 m in Turin. At a million entities over the synthetic area that
 * is some 320 features, comfortably under the page of 500, so every response is a complete viewport.
 */
const bboxWidthDeg = 0.003
const bboxHeightDeg = 0.0024
const pageLimit = 500
const warmupSeconds = 3
const checkConcurrency = 4
/** The targets from the issue: a neighbourhood viewport is fast, and the API costs little over its SQL. */
const apiP95MsMax = 25
const throughputRatioMin = 0.6

type Bbox = [number, number, number, number]
interface RawQuery {
  text: string
  values: readonly unknown[]
}

function makeBboxes(): Bbox[] {
  const random = mulberry32(prngSeed)
  const { minLon, minLat, maxLon, maxLat } = syntheticArea
  const round = (value: number) => Number(value.toFixed(6))
  return Array.from({ length: bboxCount }, () => {
    const lon = round(minLon + random() * (maxLon - minLon - bboxWidthDeg))
    const lat = round(minLat + random() * (maxLat - minLat - bboxHeightDeg))
    return [lon, lat, round(lon + bboxWidthDeg), round(lat + bboxHeightDeg)]
  })
}

/** The SQL the API runs for each bbox, compiled by the same service and repository code the route calls. */
async function compileQueries(bboxes: Bbox[]): Promise<RawQuery[]> {
  return captureQueries(async (db) => {
    for (const bbox of bboxes) {
      const parsed = parseEntitiesQuery({ bbox: bbox.join(','), limit: pageLimit })
      if (!parsed.ok) throw new Error(`bench bbox rejected: ${parsed.message}`)
      await listEntities(db, parsed.filters, pageLimit)
    }
  }).then((captured) => {
    if (captured.length !== bboxes.length || new Set(captured.map((q) => q.sql)).size !== 1)
      throw new Error('expected one query of the same text per bbox; the map query changed shape')
    return captured.map((query) => ({ text: query.sql, values: query.parameters }))
  })
}

/** Before timing anything: the API answers every bbox, with the same features in the same order as the SQL. */
async function checkResponses(baseUrl: string, paths: string[], queries: RawQuery[], pool: pg.Pool) {
  const counts: number[] = []
  let next = 0
  const check = async () => {
    for (let i = next++; i < paths.length; i = next++) {
      const response = await fetch(baseUrl + paths[i])
      if (!response.ok)
        throw new Error(`GET ${paths[i]} answered ${response.status}: ${await response.text()}`)
      const body = (await response.json()) as { features: { id: string }[] }
      const rows = (await pool.query<{ id: string }>(queries[i]!.text, queries[i]!.values as unknown[])).rows
      const expected = rows.slice(0, pageLimit).map((row) => row.id)
      if (body.features.map((feature) => feature.id).join() !== expected.join())
        throw new Error(`GET ${paths[i]}: the API and the raw SQL disagree`)
      counts[i] = body.features.length
    }
  }
  await Promise.all(Array.from({ length: checkConcurrency }, check))
  return {
    mean: counts.reduce((sum, n) => sum + n, 0) / counts.length,
    min: Math.min(...counts),
    max: Math.max(...counts),
  }
}

interface Phase {
  summary: PhaseSummary
  cpu: CpuSplit
  failures: number
}

/** HTTP load with autocannon; every connection takes the next bbox of one shared cycle. */
async function runApi(
  server: ApiServer,
  paths: string[],
  connections: number,
  seconds: number,
): Promise<Phase> {
  const recorder = new LatencyRecorder()
  let next = 0
  let failures = 0
  const stopCpu = startCpuSplit(server.pid)
  const startedMs = performance.now()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: server.baseUrl,
        connections,
        duration: seconds,
        requests: [
          { method: 'GET', setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) },
        ],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    )
    // autocannon 8 passes the client first; its type definitions still show the older signature.
    const onResponse = (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) recorder.record(ms)
      else failures++
    }
    instance.on('response', onResponse as never)
  })
  const elapsedMs = performance.now() - startedMs
  return {
    summary: recorder.summarise(elapsedMs),
    cpu: stopCpu(),
    failures: failures + result.errors + result.timeouts,
  }
}

/** The reference: the same SQL from `connections` loops over a pg.Pool of that size, timed per query. */
async function runRaw(
  pool: pg.Pool,
  queries: RawQuery[],
  connections: number,
  seconds: number,
): Promise<Phase> {
  const recorder = new LatencyRecorder()
  let next = 0
  const stopCpu = startCpuSplit()
  const startedMs = performance.now()
  const endMs = startedMs + seconds * 1000
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < endMs) {
        const query = queries[next++ % queries.length]!
        const queryStartedMs = performance.now()
        await pool.query(query.text, query.values as unknown[])
        recorder.record(performance.now() - queryStartedMs)
      }
    }),
  )
  const elapsedMs = performance.now() - startedMs
  return { summary: recorder.summarise(elapsedMs), cpu: stopCpu(), failures: 0 }
}

export async function entitiesBbox(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || benchDatabaseUrlDefault
  const entities = positiveIntegerEnv('BENCH_ENTITIES', 1_000_000)
  const connections = positiveIntegerEnv('BENCH_CONNECTIONS', 16)
  const seconds = positiveIntegerEnv('BENCH_SECONDS', 15)

  const { live } = await prepareBenchDatabase(databaseUrl, entities)
  const bboxes = makeBboxes()
  const queries = await compileQueries(bboxes)
  const paths = bboxes.map((bbox) => `/api/entities?bbox=${bbox.join(',')}&limit=${pageLimit}`)
  const pool = new pg.Pool({ connectionString: databaseUrl, max: connections })
  let server: ApiServer | undefined
  try {
    const postgresVersion = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version
    server = await startApiServer(databaseUrl)
    const features = await checkResponses(server.baseUrl, paths, queries, pool)

    console.log(`API: ${warmupSeconds} s warm-up, ${seconds} s measured, ${connections} connections`)
    await runApi(server, paths, connections, warmupSeconds)
    const api = await runApi(server, paths, connections, seconds)
    console.log(`raw SQL: ${warmupSeconds} s warm-up, ${seconds} s measured, ${connections} connections`)
    await runRaw(pool, queries, connections, warmupSeconds)
    const raw = await runRaw(pool, queries, connections, seconds)

    report({ live, connections, seconds, features, api, raw, postgresVersion: postgresVersion ?? 'unknown' })
  } finally {
    await server?.stop()
    await pool.end()
  }
}

function report(run: {
  live: number
  connections: number
  seconds: number
  features: { mean: number; min: number; max: number }
  api: Phase
  raw: Phase
  postgresVersion: string
}): void {
  const { api, raw, features } = run
  const machine = machineInfo()
  const ratio = api.summary.perSecond / raw.summary.perSecond
  const metresPerDegLat = 111_320
  const metresPerDegLon =
    metresPerDegLat * Math.cos((((syntheticArea.minLat + syntheticArea.maxLat) / 2) * Math.PI) / 180)
  const ms = (value: number) => value.toFixed(2).padStart(8)
  const row = (name: string, phase: Phase) =>
    `  ${name.padEnd(20)}${phase.summary.perSecond.toFixed(1).padStart(9)}${ms(phase.summary.p50Ms)}${ms(phase.summary.p95Ms)}${ms(phase.summary.p99Ms)}${ms(phase.summary.maxMs)}` +
    `   ${phase.cpu.loadGeneratorSeconds.toFixed(1)} / ${phase.cpu.serverSeconds.toFixed(1)} / ${phase.cpu.postgresSeconds.toFixed(1)}` +
    (phase.failures ? `   ${phase.failures} FAILED` : '')
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS')

  console.log(`
entities-bbox: GET /api/entities?bbox=…&limit=${pageLimit} against the same SQL through pg.Pool
  data       ${run.live.toLocaleString('en')} live entities; ${bboxCount} bboxes of ${bboxWidthDeg}° × ${bboxHeightDeg}° (≈ ${Math.round(bboxWidthDeg * metresPerDegLon)} m × ${Math.round(bboxHeightDeg * metresPerDegLat)} m), PRNG seed ${prngSeed}
  features   per response: mean ${features.mean.toFixed(1)}, min ${features.min}, max ${features.max}; API and SQL agree on every bbox
  load       ${run.connections} connections, ${warmupSeconds} s warm-up, ${run.seconds} s measured per side
  machine    ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${run.postgresVersion}
             the load generator, the API and PostgreSQL share these cores: the API side pays for HTTP on both ends

                        per s  p50 ms  p95 ms  p99 ms  max ms   CPU s: bench / api / postgres
${row('API (autocannon)', api)}
${row('raw SQL (pg.Pool)', raw)}
  API / raw throughput: ${ratio.toFixed(3)}
  latencies: exact nearest-rank percentiles over every request of the measured window (API: request written
  to response read, as autocannon times it; raw: pool.query called to rows returned)

  target API p95 < ${apiP95MsMax} ms               ${verdict(api.summary.p95Ms < apiP95MsMax)} (${api.summary.p95Ms.toFixed(2)} ms)
  target API ≥ ${throughputRatioMin} × raw SQL throughput  ${verdict(ratio >= throughputRatioMin)} (${ratio.toFixed(3)})
  the seeded database is kept for later runs (drop it to start again)
`)
  const figures = (phase: Phase) => ({
    perSecond: round(phase.summary.perSecond, 1),
    p50Ms: round(phase.summary.p50Ms, 2),
    p95Ms: round(phase.summary.p95Ms, 2),
    p99Ms: round(phase.summary.p99Ms, 2),
    requests: phase.summary.count,
    failures: phase.failures,
  })
  console.log(
    JSON.stringify({
      benchmark: 'entities-bbox',
      entities: run.live,
      featuresMean: round(features.mean, 1),
      connections: run.connections,
      seconds: run.seconds,
      api: figures(api),
      raw: figures(raw),
      throughputRatio: round(ratio, 3),
      cores: machine.cores,
      node: machine.node,
      postgres: run.postgresVersion,
    }),
  )
}

function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals))
}
