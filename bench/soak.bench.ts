import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { syntheticArea } from '@quartiere/map/seed'
import pg from 'pg'
import { type ApiServer, startApiServer } from './lib/api-server'
import { benchDatabaseUrlDefault, prepareBenchDatabase } from './lib/bench-database'
import { databaseName, withDatabase } from './lib/ensure-database'
import { positiveIntegerEnv } from './lib/env'
import type { FeedClientsData, FeedClientsReady, FeedClientsStats } from './lib/feed-clients.worker'
import { machineInfo } from './lib/machine'
import { createMeasuredClient, IntervalStats, runPacedUsers, sleep } from './lib/paced-load'
import { rssMiB } from './lib/peak-rss'
import { mulberry32 } from './lib/prng'
import { type PhaseSummary, summariseSamples } from './lib/stats'

/**
 * soak: the API as its own process on PostgreSQL, under mixed traffic for SOAK_SECONDS (600) after a warm-up
 * (SOAK_WARMUP_SECONDS, 90: V8 sizes its heap to the load in the first minute, which is not drift) that the figures leave out: map reads (bbox queries, vector tiles, OGC items),
 * members' writes (things, posts on them, edits), time-credit transfers between members, and websocket clients
 * (SOAK_WS_CLIENTS, 300) subscribed to viewports the whole time. Every interval (a minute) it prints one line:
 * requests/s and p50/p95/p99 per kind, failures by status and problem code, the API's RSS and PostgreSQL's
 * connections, websocket events and closes. At the end: RSS growth from the end of the warm-up, p99 of the last
 * third of the full intervals against the first third (the reference, measured in the same run; one minute's p99
 * alone is too few requests to tell drift from one pause), failures after the warm-up, websocket
 * disconnects and the ledger audit, each with PASS or MISS. A miss is reported; only a crash fails the run.
 *
 * The load is paced (each virtual user acts once per period and waits between answers), not flat out: a soak
 * asks whether the server stays the same over time under a steady load, which a saturated machine would hide
 * behind its own queueing.
 */
const soakSeconds = positiveIntegerEnv('SOAK_SECONDS', 600)
const warmupSeconds = positiveIntegerEnv('SOAK_WARMUP_SECONDS', 90)
/** A minute; a short run gets at least three intervals, so that its first and last full ones are not the same. */
const intervalSeconds = positiveIntegerEnv(
  'SOAK_INTERVAL_SECONDS',
  Math.min(60, Math.max(1, Math.floor(soakSeconds / 3))),
)
const wsClients = positiveIntegerEnv('SOAK_WS_CLIENTS', 300)
const entitiesWanted = positiveIntegerEnv('SOAK_ENTITIES', 50_000)
const readsPerSecond = positiveIntegerEnv('SOAK_READS_PER_SECOND', 40)
const writesPerSecond = positiveIntegerEnv('SOAK_WRITES_PER_SECOND', 6)
const transfersPerSecond = positiveIntegerEnv('SOAK_TRANSFERS_PER_SECOND', 20)
/** Members writing (each at `writesPerSecond / writers`) and pairs of members paying each other. */
const writers = positiveIntegerEnv('SOAK_WRITERS', 6)
const payerPairs = positiveIntegerEnv('SOAK_PAYER_PAIRS', 10)

const soakDatabaseName = 'quartiere_bench_soak'
const memberEmailDomain = 'soak-bench.example'
const memberPassword = 'soak bench password'
const prngSeed = 20_261_124

/** The targets from the issue. */
const rssGrowthPercentMax = 10
const p99RatioMax = 1.5
/** Below this many requests in a compared third, a p99 is nearly the maximum: the comparison says so. */
const p99SamplesMin = 100

/** The shares of the reads: the map's bbox query most, tiles and OGC items as researchers' tools would. */
const readShares = { bbox: 0.75, tile: 0.125, ogc: 0.125 } as const
/** A virtual reader's rate: enough readers that a slow answer holds back a few of them, not the whole mix. */
const readerRateMax = 5
/** A writer's choice, once it has things of its own: create another, post on one, or edit one. */
const createShare = 0.4
const postShare = 0.4
/** Things a writer keeps to post on and edit (the newest); older ones are left alone. */
const ownEntitiesKept = 20
/** Hours per transfer; members pay back and forth, so a balance never leaves ±0.01 whatever the run's length. */
const transferAmount = '0.01'
/** A neighbourhood viewport on the map, about 790 m × 890 m; a websocket client's, about 1.6 km × 1.5 km. */
const viewportDeg = [0.01, 0.008] as const
const wsViewportDeg = [0.02, 0.014] as const
const viewportLimit = 200
const ogcLimit = 100
const tileZooms = [14, 15, 16] as const
/** Clients per worker thread; a worker spends its time parsing events. */
const wsClientsPerWorker = 1000
const wsConnectingMax = 50
const wsReadyTimeoutMs = 30_000
const registerConcurrency = 4
/** Bounds on the waits that could otherwise hang the bench. */
const setupMsMax = 15 * 60_000
const drainMsMax = 90_000
const workerAnswerMsMax = 30_000

const kinds = ['bbox', 'tile', 'ogc', 'create', 'post', 'patch', 'transfer'] as const
type Kind = (typeof kinds)[number]
const expectedStatuses: Record<Kind, readonly number[]> = {
  bbox: [200],
  // An empty tile is a 204.
  tile: [200, 204],
  ogc: [200],
  create: [201],
  post: [201],
  patch: [200],
  transfer: [201],
}

type Bbox = [number, number, number, number]

interface Member {
  userId: string
  authorization: string
}

interface Interval {
  label: string
  /** Seconds since the end of the warm-up at the interval's end; 0 for the warm-up itself. */
  endSeconds: number
  seconds: number
  full: boolean
  byKind: Map<Kind, PhaseSummary>
  samples: Map<Kind, readonly number[]>
  failures: Map<string, number>
  rssMiB: number
  rssPeakMiB: number
  pgConnections: { total: number; active: number }
  wsEvents: number
  wsClosed: number
}

export async function soak(): Promise<void> {
  const runMsMax = setupMsMax + (warmupSeconds + soakSeconds) * 1000 + drainMsMax + 5 * 60_000
  // The last resort against a hang: every wait has its own bound, this one bounds them all. Exiting kills the
  // API server (bench/lib/api-server.ts) and the client workers.
  const watchdog = setTimeout(() => {
    console.error(`soak: still running after ${Math.round(runMsMax / 60_000)} min; giving up`)
    process.exit(1)
  }, runMsMax)
  watchdog.unref()
  try {
    await run()
  } finally {
    clearTimeout(watchdog)
  }
}

async function run(): Promise<void> {
  const databaseUrl = process.env.SOAK_DATABASE_URL || withDatabase(benchDatabaseUrlDefault, soakDatabaseName)
  const fileLimit = Number(readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+)/)?.[1])
  if (fileLimit < wsClients + 512)
    throw new Error(`ulimit -n is ${fileLimit}: raise it above ${wsClients + 512} and run again`)

  await removeSoakWrites(databaseUrl)
  const { live } = await prepareBenchDatabase(databaseUrl, entitiesWanted)
  const loadAverageAtStart = loadavg()
  const members = writers + 2 * payerPairs
  console.log(
    `soak: ${warmupSeconds} s warm-up, then ${soakSeconds} s measured in intervals of ${intervalSeconds} s; ` +
      `${readsPerSecond} reads/s, ${writesPerSecond} writes/s, ${transfersPerSecond} transfers/s, ` +
      `${wsClients} websocket clients; ${members} members`,
  )

  const monitor = new pg.Client({ connectionString: databaseUrl })
  await monitor.connect()
  const postgresVersion = (await monitor.query<{ server_version: string }>('SHOW server_version')).rows[0]!
    .server_version
  let api: ApiServer | undefined
  let workers: Worker[] = []
  try {
    api = await startApiServer(databaseUrl, {
      // Registering the bench's members quickly; production uses 17.
      PASSWORD_SCRYPT_LOG2N: '12',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      // The members sign in once: their tokens must outlive the run.
      ACCESS_TOKEN_TTL_SECONDS: String(warmupSeconds + soakSeconds + 3600),
      // Fresh members post far more than a new account may; the posting budget would measure itself.
      NEW_ACCOUNT_POSTS_PER_HOUR: '1000000',
      POSTS_PER_HOUR: '1000000',
    })
    const signedIn = await registerMembers(api.baseUrl, members)
    const writerMembers = signedIn.slice(0, writers)
    const pairs = Array.from({ length: payerPairs }, (_, p) => ({
      a: signedIn[writers + 2 * p]!,
      b: signedIn[writers + 2 * p + 1]!,
      aOwes: false,
    }))

    workers = await startWsClients(`${api.baseUrl.replace('http', 'ws')}/ws`)
    const result = await runTraffic(api, monitor, databaseName(databaseUrl), writerMembers, pairs, workers)
    const wsFinal = await wsStats(workers)
    await Promise.all(workers.map((worker) => worker.terminate()))
    workers = []
    await api.stop()
    api = undefined

    const audit = await monitor.query<{ violation: string; detail: string }>('SELECT * FROM ledger_audit()')
    report({
      ...result,
      live,
      members,
      wsFinal,
      audit: audit.rows,
      postgresVersion,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
    })
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()))
    await api?.stop()
    await monitor.end().catch(() => {})
    await removeSoakWrites(databaseUrl)
  }
}

/**
 * Soft-deletes the things the soak's members put on the map, in this run or an earlier one that crashed: the
 * bench data stays what `prepareBenchDatabase` seeded, and every run reads the same map.
 */
async function removeSoakWrites(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  try {
    await client.connect()
    await client.query(
      `UPDATE entities SET deleted_at = now()
        WHERE deleted_at IS NULL AND author_id IN (SELECT id FROM users WHERE email LIKE $1)`,
      [`%@${memberEmailDomain}`],
    )
  } catch (error) {
    // No database or no tables yet: nothing to remove.
    const code = (error as { code?: string }).code
    if (code !== '3D000' && code !== '42P01') throw error
  } finally {
    await client.end().catch(() => {})
  }
}

/** Fresh members for this run, registered over HTTP (their TIME accounts open by trigger, at the default line). */
async function registerMembers(baseUrl: string, count: number): Promise<Member[]> {
  const runId = Date.now().toString(36)
  const members: Member[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: registerConcurrency }, async () => {
      for (let n = next++; n < count; n = next++) {
        const response = await fetch(`${baseUrl}/api/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email: `soak-${runId}-${n}@${memberEmailDomain}`,
            password: memberPassword,
            displayName: `Soak ${n}`,
          }),
          signal: AbortSignal.timeout(30_000),
        })
        const text = await response.text()
        if (response.status !== 201) throw new Error(`registering member ${n}: ${response.status} ${text}`)
        const { user, accessToken } = JSON.parse(text) as { user: { id: string }; accessToken: string }
        members[n] = { userId: user.id, authorization: `Bearer ${accessToken}` }
      }
    }),
  )
  return members
}

function randomViewport(random: () => number, [width, height]: readonly [number, number]): Bbox {
  const { minLon, minLat, maxLon, maxLat } = syntheticArea
  const lon = minLon + random() * (maxLon - minLon - width)
  const lat = minLat + random() * (maxLat - minLat - height)
  const round = (value: number) => Number(value.toFixed(6))
  return [round(lon), round(lat), round(lon + width), round(lat + height)]
}

function randomPoint(random: () => number): [number, number] {
  const { minLon, minLat, maxLon, maxLat } = syntheticArea
  return [
    Number((minLon + random() * (maxLon - minLon)).toFixed(6)),
    Number((minLat + random() * (maxLat - minLat)).toFixed(6)),
  ]
}

/** The XYZ tile holding a point (web mercator, y down). */
function tileOf(lon: number, lat: number, z: number): string {
  const n = 2 ** z
  const rad = (lat * Math.PI) / 180
  const x = Math.floor(((lon + 180) / 360) * n)
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)
  return `${z}/${x}/${y}`
}

/** The next message of `type` from the worker, within `ms`; rejects if the worker fails or exits first. */
function fromWorker<T>(worker: Worker, type: string, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`a websocket client worker did not send its ${type} within ${ms / 1000} s`))
    }, ms)
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return
      cleanup()
      resolve(message as T)
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const onExit = (code: number) => {
      cleanup()
      reject(new Error(`a websocket client worker exited with code ${code} before its ${type}`))
    }
    const cleanup = () => {
      clearTimeout(timer)
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
  })
}

/**
 * The websocket clients, anonymous, each subscribed to a random viewport over the synthetic area, in worker
 * threads (bench/lib/feed-clients.worker.ts, as the realtime-feed bench uses them). Every one must connect:
 * a client that cannot is a failure of the soak, not a smaller sample.
 */
async function startWsClients(url: string): Promise<Worker[]> {
  const random = mulberry32(prngSeed + 1)
  const viewports = Array.from({ length: wsClients }, () => randomViewport(random, wsViewportDeg))
  const workerCount = Math.ceil(wsClients / wsClientsPerWorker)
  const slice = Math.ceil(wsClients / workerCount)
  const workers = Array.from({ length: workerCount }, (_, w) => {
    const data: FeedClientsData = {
      url,
      protocol: 'quartiere',
      viewports: viewports.slice(w * slice, (w + 1) * slice),
      connectingMax: Math.max(1, Math.ceil(wsConnectingMax / workerCount)),
      readyTimeoutMs: wsReadyTimeoutMs,
    }
    return new Worker(new URL('./lib/feed-clients.worker.ts', import.meta.url), {
      workerData: data,
      execArgv: ['--import', 'tsx'],
    })
  })
  try {
    const startedMs = performance.now()
    const readies = await Promise.all(
      workers.map((worker) => fromWorker<FeedClientsReady>(worker, 'ready', setupMsMax)),
    )
    const ready = readies.reduce((sum, r) => sum + r.ready, 0)
    if (ready < wsClients) {
      const failures: Record<string, number> = {}
      for (const r of readies)
        for (const [reason, n] of Object.entries(r.failures)) failures[reason] = (failures[reason] ?? 0) + n
      throw new Error(
        `only ${ready} of ${wsClients} websocket clients connected: ${JSON.stringify(failures)}`,
      )
    }
    console.log(
      `  ${ready} websocket clients connected and subscribed in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`,
    )
    return workers
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()))
    throw error
  }
}

async function wsStats(workers: Worker[]): Promise<{ events: number; closed: Record<string, number> }> {
  const answers = await Promise.all(
    workers.map((worker) => {
      const answer = fromWorker<FeedClientsStats>(worker, 'stats', workerAnswerMsMax)
      worker.postMessage({ type: 'stats' })
      return answer
    }),
  )
  const closed: Record<string, number> = {}
  for (const answer of answers)
    for (const [code, n] of Object.entries(answer.closedEarly)) closed[code] = (closed[code] ?? 0) + n
  return { events: answers.reduce((sum, a) => sum + a.events, 0), closed }
}

const countOf = (closed: Record<string, number>) => Object.values(closed).reduce((sum, n) => sum + n, 0)

/** Connections to the soak's database (the API's pool and its LISTEN connection), this monitor's left out. */
async function pgConnections(monitor: pg.Client, database: string) {
  const { rows } = await monitor.query<{ total: number; active: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE state = 'active')::int AS active
       FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [database],
  )
  return rows[0]!
}

interface Pair {
  a: Member
  b: Member
  /** Whose turn it is to pay: after a's 0.01 reaches b, b pays it back. */
  aOwes: boolean
}

async function runTraffic(
  api: ApiServer,
  monitor: pg.Client,
  database: string,
  writerMembers: Member[],
  pairs: Pair[],
  workers: Worker[],
) {
  const stats = new IntervalStats(kinds)
  const readers = {
    bbox: Math.max(1, Math.ceil((readsPerSecond * readShares.bbox) / readerRateMax)),
    tile: Math.max(1, Math.ceil((readsPerSecond * readShares.tile) / readerRateMax)),
    ogc: Math.max(1, Math.ceil((readsPerSecond * readShares.ogc) / readerRateMax)),
  }
  const sockets = readers.bbox + readers.tile + readers.ogc + writerMembers.length + pairs.length
  const client = createMeasuredClient({ baseUrl: api.baseUrl, sockets, stats, expected: expectedStatuses })
  const randoms = new Map<string, () => number>()
  const randomOf = (key: string) => {
    let random = randoms.get(key)
    if (!random) {
      random = mulberry32(prngSeed + randoms.size * 7919)
      randoms.set(key, random)
    }
    return random
  }
  let stopped = false
  const isStopped = () => stopped
  let writeNumber = 0
  const owned: { id: string; version: string }[][] = writerMembers.map(() => [])

  const readBbox = async (user: number) => {
    const bbox = randomViewport(randomOf(`bbox ${user}`), viewportDeg)
    await client.request('bbox', {
      method: 'GET',
      path: `/api/entities?bbox=${bbox.join(',')}&limit=${viewportLimit}`,
    })
  }
  const readTile = async (user: number) => {
    const random = randomOf(`tile ${user}`)
    const [lon, lat] = randomPoint(random)
    const z = tileZooms[Math.floor(random() * tileZooms.length)]!
    await client.request('tile', { method: 'GET', path: `/tiles/${tileOf(lon, lat, z)}.mvt` })
  }
  const readOgc = async (user: number) => {
    const bbox = randomViewport(randomOf(`ogc ${user}`), viewportDeg)
    await client.request('ogc', {
      method: 'GET',
      path: `/ogc/collections/all/items?bbox=${bbox.join(',')}&limit=${ogcLimit}`,
    })
  }
  const write = async (user: number) => {
    const member = writerMembers[user]!
    const mine = owned[user]!
    const random = randomOf(`write ${user}`)
    const headers = { authorization: member.authorization }
    const choice = random()
    const n = ++writeNumber
    if (mine.length === 0 || choice < createShare) {
      const answer = await client.request('create', {
        method: 'POST',
        path: '/api/entities',
        headers,
        body: JSON.stringify({
          kind: 'news',
          title: `soak ${n}`,
          geometry: { type: 'Point', coordinates: randomPoint(random) },
        }),
      })
      const id = String(answer?.headers.location ?? '')
        .split('/')
        .pop()
      const version = answer?.headers.etag
      if (answer && id && version) {
        mine.push({ id, version })
        if (mine.length > ownEntitiesKept) mine.shift()
      }
      return
    }
    const target = mine[Math.floor(random() * mine.length)]!
    if (choice < createShare + postShare) {
      await client.request('post', {
        method: 'POST',
        path: `/api/entities/${target.id}/posts`,
        headers,
        body: JSON.stringify({ body: `soak post ${n}` }),
      })
      return
    }
    // A writer edits only its own things, one request at a time: the version it holds is the current one.
    const answer = await client.request('patch', {
      method: 'PATCH',
      path: `/api/entities/${target.id}`,
      headers: { ...headers, 'if-match': target.version },
      body: JSON.stringify({
        title: `soak ${n} (edited)`,
        geometry: { type: 'Point', coordinates: randomPoint(random) },
      }),
    })
    if (answer?.headers.etag) target.version = answer.headers.etag
  }
  const transfer = async (user: number) => {
    const pair = pairs[user]!
    const [payer, payee] = pair.aOwes ? [pair.b, pair.a] : [pair.a, pair.b]
    const answer = await client.request('transfer', {
      method: 'POST',
      path: '/api/ledger/transfers',
      headers: { authorization: payer.authorization, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ to: { userId: payee.userId }, amount: transferAmount }),
    })
    // Only an acknowledged transfer turns the pair around; a failed one is counted and tried again.
    if (answer) pair.aOwes = !pair.aOwes
  }

  const paced = (users: number, perSecond: number, act: (user: number) => Promise<void>) =>
    runPacedUsers({ users, periodMs: (1000 * users) / perSecond, act, stopped: isStopped })
  const startedMs = performance.now()
  const traffic = Promise.all([
    paced(readers.bbox, readsPerSecond * readShares.bbox, readBbox),
    paced(readers.tile, readsPerSecond * readShares.tile, readTile),
    paced(readers.ogc, readsPerSecond * readShares.ogc, readOgc),
    paced(writerMembers.length, writesPerSecond, write),
    paced(pairs.length, transfersPerSecond, transfer),
  ])

  const warmupEndMs = startedMs + warmupSeconds * 1000
  const ends: number[] = []
  for (let s = intervalSeconds; s < soakSeconds; s += intervalSeconds) ends.push(s)
  ends.push(soakSeconds)
  const intervals: Interval[] = []
  let wsEventsBefore = 0
  let wsClosedBefore = 0
  const sample = async (label: string, endSeconds: number): Promise<Interval> => {
    const cut = stats.cut()
    const rss = rssMiB(api.pid)
    const [connections, ws] = await Promise.all([pgConnections(monitor, database), wsStats(workers)])
    const closed = countOf(ws.closed)
    const interval: Interval = {
      label,
      endSeconds,
      seconds: cut.seconds,
      full: endSeconds === 0 || Math.abs(cut.seconds - intervalSeconds) < intervalSeconds * 0.1,
      byKind: cut.byKind,
      samples: cut.samples,
      failures: cut.failures,
      rssMiB: rss.currentMiB,
      rssPeakMiB: rss.peakMiB,
      pgConnections: connections,
      wsEvents: ws.events - wsEventsBefore,
      wsClosed: closed - wsClosedBefore,
    }
    wsEventsBefore = ws.events
    wsClosedBefore = closed
    printInterval(interval)
    return interval
  }

  try {
    await sleep(warmupEndMs - performance.now())
    intervals.push(await sample('warm-up', 0))
    for (const end of ends) {
      await sleep(warmupEndMs + end * 1000 - performance.now())
      intervals.push(await sample(`${end} s`, end))
    }
  } finally {
    stopped = true
    stats.close()
    // Each request is bounded by the client's timeout; this bounds the lot.
    await Promise.race([traffic, sleep(drainMsMax)])
    client.close()
  }
  return { intervals, failuresTotal: stats.failuresTotal }
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–')

function printInterval(interval: Interval): void {
  const perKind = kinds
    .map((kind) => {
      const s = interval.byKind.get(kind)!
      return `${kind} ${fixed(s.perSecond)}/s ${fixed(s.p50Ms)}/${fixed(s.p95Ms)}/${fixed(s.p99Ms)}`
    })
    .join('  ')
  const failures = interval.failures.size
    ? [...interval.failures].map(([key, n]) => `${n} × ${key}`).join(', ')
    : 'none'
  console.log(
    `  [${interval.label.padStart(7)}] ${perKind}  | failures ${failures} | RSS ${fixed(interval.rssMiB)} MiB ` +
      `(peak ${fixed(interval.rssPeakMiB)}) | pg ${interval.pgConnections.total} conn (${interval.pgConnections.active} active) ` +
      `| ws ${interval.wsEvents} events (${fixed(interval.wsEvents / interval.seconds)}/s), ${interval.wsClosed} closed`,
  )
}

function report(run: {
  intervals: Interval[]
  failuresTotal: Map<string, number>
  live: number
  members: number
  wsFinal: { events: number; closed: Record<string, number> }
  audit: { violation: string; detail: string }[]
  postgresVersion: string
  loadAverageAtStart: number[]
  loadAverageAtEnd: number[]
}): void {
  const machine = machineInfo()
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS')
  const [warmup, ...measured] = run.intervals
  const last = measured.at(-1)!
  const full = measured.filter((interval) => interval.full)
  const first = full[0]
  const final = full.at(-1)
  const comparable = first !== undefined && final !== undefined && first !== final
  const rssGrowthPercent = (100 * (last.rssMiB - warmup!.rssMiB)) / warmup!.rssMiB
  // The warm-up's failures are shown, not judged: the figures start after it. Whatever failed after the warm-up
  // (answers read while the last interval was being sampled included) is judged.
  const warmupFailures = warmup!.failures
  const measuredFailures = new Map(run.failuresTotal)
  for (const [key, n] of warmupFailures) {
    const left = (measuredFailures.get(key) ?? 0) - n
    if (left > 0) measuredFailures.set(key, left)
    else measuredFailures.delete(key)
  }
  const tally = (counts: Map<string, number>) => [...counts.values()].reduce((total, n) => total + n, 0)
  const listed = (counts: Map<string, number>) => [...counts].map(([key, n]) => `${n} × ${key}`).join(', ')
  const failures = tally(measuredFailures)
  // The heap sizes itself to the load during the first minutes; from the end of the first full interval on, a
  // steady climb would be a leak, a flat line is that sizing.
  const afterFirst = first ?? last
  const rssLaterGrowthPercent = (100 * (last.rssMiB - afterFirst.rssMiB)) / afterFirst.rssMiB
  const wsClosed = countOf(run.wsFinal.closed)
  const measuredSeconds = measured.reduce((sum, i) => sum + i.seconds, 0)
  const wsEventsMeasured = measured.reduce((sum, i) => sum + i.wsEvents, 0)

  // One minute's p99 rests on a few hundred requests, so one pause (a checkpoint, a GC) moves it by half: the
  // first third of the full intervals is compared with the last third, each judged as one sample.
  const third = Math.max(1, Math.floor(full.length / 3))
  const merged = (intervals: Interval[], kind: Kind) =>
    summariseSamples(
      intervals.flatMap((i) => [...(i.samples.get(kind) ?? [])]),
      intervals.reduce((sum, i) => sum + i.seconds, 0) * 1000,
    )
  const firstThird = full.slice(0, third)
  const lastThird = full.slice(-third)
  const thirdLabel = (intervals: Interval[]) =>
    intervals.length === 1 ? intervals[0]!.label : `${intervals[0]!.label}–${intervals.at(-1)!.label}`
  const p99Rows = kinds.map((kind) => {
    const a = comparable ? merged(firstThird, kind) : first?.byKind.get(kind)
    const b = comparable ? merged(lastThird, kind) : final?.byKind.get(kind)
    const ratio = a && b ? b.p99Ms / a.p99Ms : Number.NaN
    const few = !a || !b || a.count < p99SamplesMin || b.count < p99SamplesMin
    return { kind, a, b, ratio, few, pass: comparable && ratio <= p99RatioMax }
  })
  const p99Pass = comparable && p99Rows.every((row) => row.pass)
  const requests = (kind: Kind) => measured.reduce((sum, i) => sum + i.byKind.get(kind)!.count, 0)

  console.log(`
soak: mixed traffic for ${soakSeconds} s after a ${warmupSeconds} s warm-up, the API as its own process on PostgreSQL
  data       ${run.live.toLocaleString('en')} synthetic entities over greater Turin (database ${soakDatabaseName}, kept); ${run.members} fresh members
  traffic    reads ${readsPerSecond}/s (bbox ${readShares.bbox * 100}%: /api/entities?bbox of ≈ 790 m × 890 m, limit ${viewportLimit};
             tiles ${readShares.tile * 100}%: z${tileZooms.join('/')}; OGC ${readShares.ogc * 100}%: /ogc/collections/all/items?bbox&limit=${ogcLimit}), anonymous;
             writes ${writesPerSecond}/s by ${writers} members (create ${createShare * 100}%, post ${postShare * 100}%, edit ${Math.round((1 - createShare - postShare) * 100)}% of their own things);
             transfers ${transfersPerSecond}/s of ${transferAmount} h within ${payerPairs} pairs paying back and forth (a fresh Idempotency-Key each);
             ${wsClients} anonymous websocket clients on viewports of ≈ 1.6 km × 1.5 km, for the whole run
             paced virtual users (a closed loop with think time); latency is request written to answer read
  machine    ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${run.postgresVersion};
             load average ${run.loadAverageAtStart.map((n) => n.toFixed(2)).join(' ')} at start, ${run.loadAverageAtEnd.map((n) => n.toFixed(2)).join(' ')} at the end
  requests   ${kinds.map((kind) => `${kind} ${requests(kind).toLocaleString('en')}`).join(', ')} answered as expected in the measured ${fixed(measuredSeconds, 0)} s
  reference  the p99 of the first third of the full intervals (${comparable ? thirdLabel(firstThird) : 'none'}) of this run, for the last third (${comparable ? thirdLabel(lastThird) : 'none'})

  RSS growth        ${fixed(warmup!.rssMiB)} MiB at the end of the warm-up → ${fixed(last.rssMiB)} MiB at the end (peak ${fixed(last.rssPeakMiB)}): ${rssGrowthPercent >= 0 ? '+' : ''}${fixed(rssGrowthPercent)}%   target < ${rssGrowthPercentMax}%   ${verdict(rssGrowthPercent < rssGrowthPercentMax)}
                    from the end of the first full interval (${afterFirst.label}): ${fixed(afterFirst.rssMiB)} → ${fixed(last.rssMiB)} MiB, ${rssLaterGrowthPercent >= 0 ? '+' : ''}${fixed(rssLaterGrowthPercent)}% (shown, not judged)
  p99 stable        last third ÷ first third, per kind (target ≤ ${p99RatioMax}×)   ${comparable ? verdict(p99Pass) : 'MISS (fewer than two full intervals: nothing to compare)'}
${p99Rows
  .map(
    (row) =>
      `    ${row.kind.padEnd(9)} ${fixed(row.a?.p99Ms ?? Number.NaN).padStart(8)} ms → ${fixed(row.b?.p99Ms ?? Number.NaN).padStart(8)} ms   ×${fixed(row.ratio, 2)}` +
      `${row.few ? `   (fewer than ${p99SamplesMin} requests in a third: the p99 is nearly the maximum)` : ''}`,
  )
  .join('\n')}
  failures          ${failures} after the warm-up${failures ? `: ${listed(measuredFailures)}` : ''}   target 0   ${verdict(failures === 0)}
                    (in the warm-up, not judged: ${warmupFailures.size ? listed(warmupFailures) : 'none'})
  ws disconnects    ${wsClosed}${wsClosed ? ` (by close code: ${JSON.stringify(run.wsFinal.closed)})` : ''} of ${wsClients} clients   target 0   ${verdict(wsClosed === 0)}
  ws events         ${run.wsFinal.events.toLocaleString('en')} received over the run, ${wsEventsMeasured.toLocaleString('en')} in the measured window (${fixed(wsEventsMeasured / measuredSeconds)}/s)
  ledger audit      ${run.audit.length} rows from ledger_audit()${
    run.audit.length
      ? `: ${run.audit
          .slice(0, 5)
          .map((row) => `${row.violation} ${row.detail}`)
          .join('; ')}`
      : ''
  }   target 0   ${verdict(run.audit.length === 0)}
  the bench database is kept for later runs; the soak's own things are soft-deleted at the end
`)
  const p99 = Object.fromEntries(
    p99Rows.map((row) => [
      row.kind,
      {
        firstMs: round(row.a?.p99Ms ?? Number.NaN, 2),
        lastMs: round(row.b?.p99Ms ?? Number.NaN, 2),
        ratio: round(row.ratio, 3),
      },
    ]),
  )
  console.log(
    JSON.stringify({
      benchmark: 'soak',
      seconds: soakSeconds,
      warmupSeconds,
      intervalSeconds,
      entities: run.live,
      wsClients,
      rates: { reads: readsPerSecond, writes: writesPerSecond, transfers: transfersPerSecond },
      rssWarmupEndMiB: round(warmup!.rssMiB, 1),
      rssEndMiB: round(last.rssMiB, 1),
      rssGrowthPercent: round(rssGrowthPercent, 2),
      rssGrowthAfterFirstIntervalPercent: round(rssLaterGrowthPercent, 2),
      p99,
      failures,
      warmupFailures: tally(warmupFailures),
      wsDisconnects: wsClosed,
      wsEvents: run.wsFinal.events,
      auditRows: run.audit.length,
      cores: machine.cores,
      node: machine.node,
      postgres: run.postgresVersion,
    }),
  )
}

function round(value: number, decimals: number): number | null {
  return Number.isFinite(value) ? Number(value.toFixed(decimals)) : null
}
