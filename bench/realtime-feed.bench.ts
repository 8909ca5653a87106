import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import pg from 'pg'
import { startApiServer } from './lib/api-server'
import { benchDatabaseUrlDefault, prepareBenchDatabase } from './lib/bench-database'
import { databaseName } from './lib/ensure-database'
import { positiveIntegerEnv } from './lib/env'
import type { FeedClientsData, FeedClientsReady, FeedClientsReport } from './lib/feed-clients.worker'
import { mulberry32 } from './lib/prng'
import { type CpuAccount, startCpuAccount } from './lib/process-cpu'
import { LatencyRecorder } from './lib/stats'

/**
 * realtime-feed: 5,000 websocket clients on loopback, each subscribed to a random neighbourhood-sized viewport in
 * Turin, while 200 entities per second are created through HTTP. Measured: delivery latency from the HTTP 201 to
 * the client's receipt, deliveries per second, events lost (expected: a client whose viewport holds the point),
 * and the server's RSS. The same clients and writes then go through a bare `ws` server that only matches
 * viewports and sends: the yardstick, whose deliveries/s the feed's are compared to.
 *
 * The clients run in worker threads (REALTIME_BENCH_WORKERS) so that they do not starve one event loop. 5,000
 * sockets need about 5,000 file descriptors in this process and as many in the server: `ulimit -n` must allow it
 * (checked below).
 */
const clientsTotal = positiveIntegerEnv('REALTIME_BENCH_CLIENTS', 5000)
const writesPerSecond = positiveIntegerEnv('REALTIME_BENCH_WRITES_PER_SECOND', 200)
const durationSeconds = positiveIntegerEnv('REALTIME_BENCH_SECONDS', 20)
const workersCount = positiveIntegerEnv('REALTIME_BENCH_WORKERS', 4)
/** Handshakes in flight at once, over all workers (see feed-clients.worker.ts). */
const connectingMax = positiveIntegerEnv('REALTIME_BENCH_CONNECTING_MAX', 200)
/** After the last write, deliveries still in flight get this long. */
const drainMs = 3000
/** A client not welcomed within this long (from its own connect) counts as failed. */
const readyTimeoutMs = 30_000
/** All clients of a phase connected (or failed), at most. */
const connectPhaseMsMax = 300_000
/** One HTTP write, at most; past it the write counts as failed. */
const writeTimeoutMs = 15_000
/** The workers' reports, at most. */
const reportTimeoutMs = 60_000
/**
 * The whole benchmark, at most: two phases of connecting, writing (a write may end `writeTimeoutMs` after the
 * last is due), draining and reporting, plus setup. Past it, it says so and exits: it never hangs.
 */
const runMsMax =
  10 * 60_000 + 2 * (connectPhaseMsMax + durationSeconds * 1000 + writeTimeoutMs + drainMs + reportTimeoutMs)
/** Turin, and a neighbourhood: about 1.6 km × 1.5 km. */
const turin = [7.6, 45.0, 7.75, 45.12] as const
const viewportDeg = [0.02, 0.014] as const

type Bbox = [number, number, number, number]

function now() {
  return performance.timeOrigin + performance.now()
}

function rssMb(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN)
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}

/** `promise`, or an error naming what did not happen within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${Math.round(ms / 1000)} s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** The next message of `type` from the worker; rejects if the worker fails or exits first. */
function fromWorker<T>(worker: Worker, type: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== type) return
      cleanup()
      resolve(m as T)
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const onExit = (code: number) => {
      cleanup()
      reject(new Error(`a client worker exited with code ${code} before its ${type}`))
    }
    const cleanup = () => {
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
  })
}

interface PhaseResult {
  latency: ReturnType<LatencyRecorder['summarise']>
  ready: number
  failures: Record<string, number>
  expected: number
  delivered: number
  lost: number
  unexpected: number
  closedEarly: Record<string, number>
  rss: { rss: number; peak: number }
  writesDone: number
  writesFailed: number
  /** Where the CPU went while writing and draining (the clients run in this process's worker threads). */
  cpu: CpuAccount
}

async function runPhase(options: {
  protocol: 'quartiere' | 'bare'
  wsUrl: string
  viewports: Bbox[]
  serverPid: number
  /** The benchmark's database, whose PostgreSQL backends count in the CPU account (none for the bare server). */
  databases: string[]
  /**
   * Writes thing `i` at (lon, lat); the point as the server stores and sends it (the API rounds coordinates to
   * 7 decimals, and which viewports hold a point on an edge depends on it), or null when the write failed.
   */
  write: (
    i: number,
    lon: number,
    lat: number,
    signal: AbortSignal,
  ) => Promise<{ lon: number; lat: number } | null>
}): Promise<PhaseResult> {
  const { viewports } = options
  const slice = Math.ceil(viewports.length / workersCount)
  const workers = Array.from({ length: workersCount }, (_, w) => {
    const data: FeedClientsData = {
      url: options.wsUrl,
      protocol: options.protocol,
      viewports: viewports.slice(w * slice, (w + 1) * slice),
      connectingMax: Math.max(1, Math.ceil(connectingMax / workersCount)),
      readyTimeoutMs,
    }
    return new Worker(new URL('./lib/feed-clients.worker.ts', import.meta.url), {
      workerData: data,
      execArgv: ['--import', 'tsx'],
    })
  })
  try {
    const connectStartedAt = now()
    const readies = await within(
      Promise.all(workers.map((worker) => fromWorker<FeedClientsReady>(worker, 'ready'))),
      connectPhaseMsMax,
      `connecting ${viewports.length} clients`,
    )
    const ready = readies.reduce((n, r) => n + r.ready, 0)
    const failures: Record<string, number> = {}
    for (const r of readies)
      for (const [reason, n] of Object.entries(r.failures)) failures[reason] = (failures[reason] ?? 0) + n
    console.log(
      `  ${ready}/${viewports.length} clients connected and subscribed (${options.protocol}) in ` +
        `${((now() - connectStartedAt) / 1000).toFixed(1)} s` +
        (ready < viewports.length ? `; failed: ${JSON.stringify(failures)}` : ''),
    )
    if (ready === 0) throw new Error(`no client could connect to ${options.wsUrl}`)
    const random = mulberry32(42)
    const written: { at: number; lon: number; lat: number }[] = []
    let writesFailed = 0
    const stopCpu = startCpuAccount({ serverPid: options.serverPid, databases: options.databases })
    const startedAt = now()
    const writes = writesPerSecond * durationSeconds
    const pending: Promise<void>[] = []
    for (let i = 0; i < writes; i += 1) {
      const due = startedAt + (i * 1000) / writesPerSecond
      const wait = due - now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      const lon = turin[0] + random() * (turin[2] - turin[0])
      const lat = turin[1] + random() * (turin[3] - turin[1])
      pending.push(
        options
          .write(i, lon, lat, AbortSignal.timeout(writeTimeoutMs))
          .catch(() => null)
          .then((served) => {
            if (served) written[i] = { at: now(), ...served }
            else writesFailed += 1
          }),
      )
    }
    // Each write is bounded by its own timeout.
    await Promise.all(pending)
    const elapsedMs = now() - startedAt
    await new Promise((resolve) => setTimeout(resolve, drainMs))
    const cpu = stopCpu()
    const rss = rssMb(options.serverPid)
    const reports = await within(
      Promise.all(
        workers.map((worker) => {
          const report = fromWorker<FeedClientsReport>(worker, 'report')
          worker.postMessage({ type: 'report' })
          return report
        }),
      ),
      reportTimeoutMs,
      "collecting the clients' reports",
    )
    const clients = reports.flatMap((r) => r.clients)
    const closedEarly: Record<string, number> = {}
    for (const r of reports)
      for (const [code, n] of Object.entries(r.closedEarly)) closedEarly[code] = (closedEarly[code] ?? 0) + n
    const latency = new LatencyRecorder()
    let expected = 0
    let delivered = 0
    let unexpected = 0
    for (const [c, bbox] of viewports.entries()) {
      const client = clients[c]!
      // A client that never connected expects nothing (it is reported as failed); one that was closed since
      // expects everything: what it missed is lost.
      if (!client.ready) continue
      const got = new Map(client.arrivals)
      for (const [i, w] of written.entries()) {
        if (!w) continue
        const inside = w.lon >= bbox[0] && w.lon <= bbox[2] && w.lat >= bbox[1] && w.lat <= bbox[3]
        const at = got.get(i)
        if (inside) {
          expected += 1
          if (at !== undefined) {
            delivered += 1
            // A socket can get the event before the writer reads its 201: that counts as 0 ms.
            latency.record(Math.max(0, at - w.at))
          }
        } else if (at !== undefined) unexpected += 1
      }
    }
    return {
      latency: latency.summarise(elapsedMs),
      ready,
      failures,
      expected,
      delivered,
      lost: expected - delivered,
      unexpected,
      closedEarly,
      rss,
      writesDone: written.filter(Boolean).length,
      writesFailed,
      cpu,
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}

function print(name: string, r: PhaseResult) {
  const l = r.latency
  const closed = Object.entries(r.closedEarly)
  console.log(
    `  ${name.padEnd(10)} writes ${r.writesDone}${r.writesFailed ? ` (${r.writesFailed} failed)` : ''}  ` +
      `deliveries ${r.delivered}/${r.expected} (${Math.round(l.perSecond)}/s)  ` +
      `lost ${r.lost}  unexpected ${r.unexpected}  latency p50 ${l.p50Ms.toFixed(1)} ms  p95 ${l.p95Ms.toFixed(1)} ms  ` +
      `p99 ${l.p99Ms.toFixed(1)} ms  max ${l.maxMs.toFixed(1)} ms  server RSS ${r.rss.rss.toFixed(0)} MiB (peak ${r.rss.peak.toFixed(0)})` +
      (closed.length ? `  clients closed by the server: ${JSON.stringify(r.closedEarly)}` : ''),
  )
  const c = r.cpu
  console.log(
    `  ${''.padEnd(10)} CPU while writing and draining: server ${c.serverSeconds.toFixed(1)} s, PostgreSQL ` +
      `${c.postgresSeconds.toFixed(1)} s, clients and writer ${c.loadGeneratorSeconds.toFixed(1)} s, other ` +
      `${c.otherSeconds.toFixed(1)} s; machine ${((100 * c.machineBusySeconds) / c.machineSeconds).toFixed(0)}% busy`,
  )
}

export async function realtimeFeed(): Promise<void> {
  const fileLimit = Number(readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+)/)?.[1])
  if (fileLimit < clientsTotal + 512)
    throw new Error(
      `ulimit -n is ${fileLimit}: raise it above ${clientsTotal + 512} (ulimit -n 20000) and run again`,
    )
  // The last resort against a hang: every wait below has its own bound, this one bounds them all. Exiting
  // kills the API server (bench/lib/api-server.ts) and the bare server (below).
  const watchdog = setTimeout(() => {
    console.error(`realtime-feed: still running after ${Math.round(runMsMax / 60_000)} min; giving up`)
    process.exit(1)
  }, runMsMax)
  watchdog.unref()
  try {
    await run()
  } finally {
    clearTimeout(watchdog)
  }
}

/** The writer's accounts: `bench.<time>@example.org`, one per run. */
const benchEmailPattern = 'bench.%@example.org'

/**
 * Soft-deletes the entities the benchmark's writers created, in this run or an earlier one that crashed. They
 * are not part of the bench data: left live, every run would add the same seeded points again, and the bench
 * database check (`assertSpread`) would rightly refuse the duplicates on the third run.
 */
async function removeBenchWrites(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  try {
    await client.connect()
    await client.query(
      `UPDATE entities SET deleted_at = now()
        WHERE deleted_at IS NULL
          AND author_id IN (SELECT id FROM users WHERE email LIKE $1)`,
      [benchEmailPattern],
    )
  } catch (error) {
    // No database or no tables yet: nothing to remove.
    const code = (error as { code?: string }).code
    if (code !== '3D000' && code !== '42P01') throw error
  } finally {
    await client.end().catch(() => {})
  }
}

async function run(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || benchDatabaseUrlDefault
  await removeBenchWrites(databaseUrl)
  await prepareBenchDatabase(databaseUrl, 1000)
  const random = mulberry32(7)
  const viewports: Bbox[] = Array.from({ length: clientsTotal }, () => {
    const lon = turin[0] + random() * (turin[2] - turin[0] - viewportDeg[0])
    const lat = turin[1] + random() * (turin[3] - turin[1] - viewportDeg[1])
    return [lon, lat, lon + viewportDeg[0], lat + viewportDeg[1]]
  })
  console.log(
    `${clientsTotal} clients in ${workersCount} worker threads (at most ${connectingMax} connecting at once), ` +
      `${writesPerSecond} writes/s for ${durationSeconds} s; figures are noisy when other work shares the CPU`,
  )

  const api = await startApiServer(databaseUrl)
  let feature: unknown
  let quartiere: PhaseResult
  try {
    const register = await fetch(`${api.baseUrl}/api/auth/register`, {
      signal: AbortSignal.timeout(writeTimeoutMs),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench.${Date.now()}@example.org`,
        password: 'bench password 123',
        displayName: 'Bench',
      }),
    })
    if (register.status !== 201) throw new Error(`register: ${register.status} ${await register.text()}`)
    const { accessToken } = (await register.json()) as { accessToken: string }
    quartiere = await runPhase({
      protocol: 'quartiere',
      wsUrl: `${api.baseUrl.replace('http', 'ws')}/ws`,
      viewports,
      serverPid: api.pid,
      databases: [databaseName(databaseUrl)],
      write: async (i, lon, lat, signal) => {
        const response = await fetch(`${api.baseUrl}/api/entities`, {
          signal,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
          body: JSON.stringify({
            kind: 'news',
            title: `bench ${i}`,
            geometry: { type: 'Point', coordinates: [lon, lat] },
          }),
        })
        const body = await response.text()
        if (response.status !== 201) return null
        const created = JSON.parse(body) as { geometry: { coordinates: [number, number] } }
        feature ??= created
        const [servedLon, servedLat] = created.geometry.coordinates
        return { lon: servedLon, lat: servedLat }
      },
    })
  } finally {
    await api.stop()
    await removeBenchWrites(databaseUrl)
  }
  print('quartiere', quartiere)

  if (!feature) throw new Error('no write succeeded: nothing to send through the bare ws server')
  const bare = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/bare-broadcast-server.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const killBare = () => bare.kill('SIGKILL')
  process.once('exit', killBare)
  try {
    const port = await within(
      new Promise<number>((resolve, reject) => {
        bare.once('exit', (code) => reject(new Error(`the bare ws server exited with code ${code}`)))
        bare.stdout!.once('data', (chunk: Buffer) =>
          resolve((JSON.parse(chunk.toString()) as { port: number }).port),
        )
      }),
      30_000,
      'starting the bare ws server',
    )
    const base = `http://127.0.0.1:${port}`
    const bareResult = await runPhase({
      protocol: 'bare',
      wsUrl: `ws://127.0.0.1:${port}`,
      viewports,
      serverPid: bare.pid!,
      databases: [],
      write: async (i, lon, lat, signal) => {
        const template = feature as { properties: Record<string, unknown> }
        const response = await fetch(`${base}/publish`, {
          signal,
          method: 'POST',
          body: JSON.stringify({
            seq: i,
            lon,
            lat,
            feature: {
              ...template,
              geometry: { type: 'Point', coordinates: [lon, lat] },
              properties: { ...template.properties, title: `bench ${i}` },
            },
          }),
        })
        await response.arrayBuffer()
        return response.status === 201 ? { lon, lat } : null
      },
    })
    print('bare ws', bareResult)
    // The clients share the machine with the server: what each server spends per delivery (the API's including
    // the HTTP writes and the outbox) says more about the server than latency on an oversubscribed machine.
    const perDelivery = (r: PhaseResult) => (1e6 * r.cpu.serverSeconds) / Math.max(1, r.delivered)
    console.log(
      `  server CPU per delivery: quartiere ${perDelivery(quartiere).toFixed(0)} µs (PostgreSQL ` +
        `${((1e6 * quartiere.cpu.postgresSeconds) / Math.max(1, quartiere.delivered)).toFixed(0)} µs more), bare ws ` +
        `${perDelivery(bareResult).toFixed(0)} µs; the clients and writer ${((1e6 * bareResult.cpu.loadGeneratorSeconds) / Math.max(1, bareResult.delivered)).toFixed(0)} µs`,
    )
    console.log(
      `  ratio of deliveries/s, quartiere / bare ws: ${(quartiere.latency.perSecond / bareResult.latency.perSecond).toFixed(2)}` +
        `  (goal: p99 < 100 ms and 0 lost; got p99 ${quartiere.latency.p99Ms.toFixed(1)} ms, ${quartiere.lost} lost)`,
    )
  } finally {
    process.off('exit', killBare)
    bare.kill('SIGKILL')
  }
}
