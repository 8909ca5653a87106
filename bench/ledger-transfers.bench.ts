import { randomUUID } from 'node:crypto'
import { loadavg } from 'node:os'
import { migrate, openDatabase } from '@quartiere/db'
import pg from 'pg'
import { type ApiServer, startApiServer } from './lib/api-server'
import { createDatabaseIfMissing, databaseName, withDatabase } from './lib/ensure-database'
import { positiveIntegerEnv } from './lib/env'
import { type ClosedLoopResult, type LoadRequest, runClosedLoop } from './lib/http-load'
import { machineInfo } from './lib/machine'
import { initPgbench, type PgbenchResult, runTpcb } from './lib/pgbench'
import { mulberry32 } from './lib/prng'
import { type CpuAccount, startCpuAccount } from './lib/process-cpu'
import type { PhaseSummary } from './lib/stats'

const benchLedgerDatabaseUrlDefault = 'postgres://postgres@127.0.0.1:5432/quartiere_bench_ledger'
const pgbenchDatabaseName = 'quartiere_pgbench'

/** Members with a TIME account; the first `clients` of them pay, one per client, signed in over HTTP. */
const memberCount = 1000
const memberEmailDomain = 'ledger-bench.example'
const memberPassword = 'ledger-bench-password'
/** scrypt's cost for the bench's members: registration and login stay quick; production uses 17. */
const benchPasswordLog2N = 12
const signInConcurrency = 8
/** A credit line no bench run can use up, in minor units (−1,000,000.00 hours): no transfer is refused. */
const creditLineMinor = -100_000_000
const groupTitle = 'Banca del tempo (ledger bench)'
const transferAmount = '0.01'
const warmupSeconds = 3
const prngSeed = 42
/** The share of transfers in the hot mix that go to the one group account. */
const hotShare = 0.5
const pgbenchScale = 10
const pgbenchClients = 8
const pgbenchThreads = 2
/** The target from the issue: the API acknowledges durable transfers at least as fast as pgbench runs TPC-B. */
const throughputRatioMin = 1.0

interface Payer {
  userId: string
  accountId: string
  authorization: string
}

interface Mix {
  name: string
  label: string
  /** The chance that a transfer goes to the group account rather than to a random member. */
  groupShare: number
}

const mixes: Mix[] = [
  { name: 'uniform', label: 'uniform', groupShare: 0 },
  { name: 'hot', label: `hot (${hotShare * 100}% group)`, groupShare: hotShare },
]

interface DbSnapshot {
  xactCommit: number
  maxSeq: number
}

interface BatchStats {
  transfers: number
  commits: number
  p50: number
  max: number
}

interface MixResult {
  mix: Mix
  load: ClosedLoopResult
  cpu: CpuAccount
  batches: BatchStats
  /** Database transactions committed on the bench database per acknowledged transfer (reads included). */
  xactCommitsPerTransfer: number
}

const emailOf = (n: number) => `member-${String(n).padStart(4, '0')}@${memberEmailDomain}`

async function prepareLedgerDatabase(databaseUrl: string): Promise<void> {
  if (await createDatabaseIfMissing(databaseUrl)) console.log(`created database ${databaseName(databaseUrl)}`)
  const database = await openDatabase({ databaseUrl })
  try {
    const migrated = await migrate(database)
    if (!migrated.ok) throw new Error(`bench database refused migrations: ${migrated.message}`)
  } finally {
    await database.close()
  }
}

async function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

/** Logs member `n` in, registering them first if this database has not seen them yet. */
async function signIn(baseUrl: string, n: number): Promise<{ userId: string; token: string }> {
  const email = emailOf(n)
  let answer = await postJson(baseUrl, '/api/auth/login', { email, password: memberPassword })
  if (answer.status === 401) {
    answer = await postJson(baseUrl, '/api/auth/register', {
      email,
      password: memberPassword,
      displayName: `Member ${n}`,
    })
  }
  if (answer.status !== 200 && answer.status !== 201)
    throw new Error(`signing in ${email} answered ${answer.status}: ${JSON.stringify(answer.json)}`)
  const { user, accessToken } = answer.json as { user: { id: string }; accessToken: string }
  return { userId: user.id, token: accessToken }
}

/**
 * The people and accounts of the bench, made idempotently on a kept database: `payerCount` members signed in
 * over HTTP, the rest of the `memberCount` inserted in SQL with a copy of a real password hash (their TIME
 * accounts open by trigger), one group with its account, and credit lines no run can exhaust.
 */
async function preparePeople(server: ApiServer, pool: pg.Pool, payerCount: number) {
  const signedIn: { userId: string; token: string }[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: signInConcurrency }, async () => {
      for (let i = next++; i < payerCount; i = next++) signedIn[i] = await signIn(server.baseUrl, i + 1)
    }),
  )
  await pool.query(
    `INSERT INTO users (email, display_name, password_hash)
     SELECT format('member-%s@%s', lpad(g::text, 4, '0'), $1::text), 'Member ' || g,
            (SELECT password_hash FROM users WHERE id = $2)
     FROM generate_series(1, $3::int) AS g
     ON CONFLICT DO NOTHING`,
    [memberEmailDomain, signedIn[0]!.userId, memberCount],
  )

  let groupId = (
    await pool.query<{ id: string }>(
      `SELECT id FROM entities WHERE kind = 'group' AND title = $1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1`,
      [groupTitle],
    )
  ).rows[0]?.id
  if (!groupId) {
    const created = await postJson(
      server.baseUrl,
      '/api/entities',
      {
        kind: 'group',
        title: groupTitle,
        geometry: { type: 'Point', coordinates: [7.6858, 45.0711] },
        properties: { membership: 'open', legalForm: 'informal group' },
      },
      { authorization: `Bearer ${signedIn[0]!.token}` },
    )
    if (created.status !== 201)
      throw new Error(`creating the group answered ${created.status}: ${JSON.stringify(created.json)}`)
    groupId = created.json.id as string
  }
  // Opened here rather than by the first payment, so that no measured request pays for opening it.
  await pool.query(
    `INSERT INTO accounts (currency, owner_type, owner_group_id, lower_limit, upper_limit)
     VALUES ('TIME', 'group', $1, $2, NULL) ON CONFLICT DO NOTHING`,
    [groupId, creditLineMinor],
  )

  const accounts = (
    await pool.query<{ id: string; owner_user_id: string }>(
      `SELECT a.id, a.owner_user_id FROM accounts a JOIN users u ON u.id = a.owner_user_id
       WHERE a.owner_type = 'user' AND a.currency = 'TIME' AND u.email LIKE $1 ORDER BY u.email`,
      [`%@${memberEmailDomain}`],
    )
  ).rows
  if (accounts.length !== memberCount)
    throw new Error(`expected ${memberCount} member accounts, found ${accounts.length}`)
  const memberAccountIds = accounts.map((a) => a.id)
  await pool.query(
    `UPDATE accounts SET lower_limit = $1, upper_limit = NULL
     WHERE id = ANY($2::uuid[]) OR (owner_type = 'group' AND owner_group_id = $3)`,
    [creditLineMinor, memberAccountIds, groupId],
  )
  await pool.query('VACUUM (ANALYZE) users, accounts')

  const accountOfUser = new Map(accounts.map((a) => [a.owner_user_id, a.id]))
  const payers: Payer[] = signedIn.map(({ userId, token }) => ({
    userId,
    accountId: accountOfUser.get(userId)!,
    authorization: `Bearer ${token}`,
  }))
  return { payers, memberAccountIds, groupId }
}

/** Committed transactions on the bench database, and the newest transfer, right now. */
async function snapshot(pool: pg.Pool): Promise<DbSnapshot> {
  const { rows } = await pool.query<{ xact_commit: string; max_seq: string }>(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS xact_commit,
            (SELECT coalesce(max(seq), 0) FROM transfers) AS max_seq`,
  )
  return { xactCommit: Number(rows[0]!.xact_commit), maxSeq: Number(rows[0]!.max_seq) }
}

/**
 * How many transfers each database transaction wrote, from the transfers themselves: the rows one batch
 * inserts share its transaction id (xmin), and transfers are never updated, so the xmin stays.
 */
async function batchStats(pool: pg.Pool, fromSeq: number, toSeq: number): Promise<BatchStats> {
  const { rows } = await pool.query<{ transfers: number; commits: number; p50: number; max: number }>(
    `SELECT coalesce(sum(n), 0)::int AS transfers, count(*)::int AS commits,
            coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY n), 0)::int AS p50, coalesce(max(n), 0)::int AS max
     FROM (SELECT xmin::text, count(*) AS n FROM transfers WHERE seq > $1 AND seq <= $2 GROUP BY 1) AS batches`,
    [fromSeq, toSeq],
  )
  return rows[0]!
}

async function runMix(
  mix: Mix,
  server: ApiServer,
  databaseUrl: string,
  pool: pg.Pool,
  people: Awaited<ReturnType<typeof preparePeople>>,
  seconds: number,
): Promise<MixResult> {
  const { payers, memberAccountIds, groupId } = people
  const randoms = payers.map((_, client) => mulberry32(prngSeed + client))
  const groupBody = JSON.stringify({ to: { groupId }, amount: transferAmount })
  const next = (client: number): LoadRequest => {
    const payer = payers[client]!
    const random = randoms[client]!
    let body: string
    if (random() < mix.groupShare) body = groupBody
    else {
      let to: string
      do to = memberAccountIds[Math.floor(random() * memberAccountIds.length)]!
      while (to === payer.accountId)
      body = JSON.stringify({ to, amount: transferAmount })
    }
    return {
      method: 'POST',
      path: '/api/ledger/transfers',
      headers: {
        authorization: payer.authorization,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body,
    }
  }

  let stopCpu: (() => CpuAccount) | undefined
  let cpu: CpuAccount | undefined
  let atStart: Promise<DbSnapshot> | undefined
  let atEnd: Promise<DbSnapshot> | undefined
  const load = await runClosedLoop({
    baseUrl: server.baseUrl,
    clients: payers.length,
    warmupSeconds,
    seconds,
    next,
    expectedStatus: 201,
    onWindowStart: () => {
      stopCpu = startCpuAccount({ serverPid: server.pid, databases: [databaseName(databaseUrl)] })
      atStart = snapshot(pool)
    },
    onWindowEnd: () => {
      cpu = stopCpu?.()
      atEnd = snapshot(pool)
    },
  })
  if (!cpu || !atStart || !atEnd) throw new Error('the measured window never opened or closed')
  const [start, end] = await Promise.all([atStart, atEnd])
  const batches = await batchStats(pool, start.maxSeq, end.maxSeq)
  return {
    mix,
    load,
    cpu,
    batches,
    xactCommitsPerTransfer: batches.transfers ? (end.xactCommit - start.xactCommit) / batches.transfers : 0,
  }
}

/** The server's settings that decide whether an acknowledged commit is on disk. */
async function durabilitySettings(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const show = async (name: string) =>
      (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!
    return {
      synchronousCommit: await show('synchronous_commit'),
      fsync: await show('fsync'),
      walSyncMethod: await show('wal_sync_method'),
      commitDelay: await show('commit_delay'),
      serverVersion: await show('server_version'),
    }
  } finally {
    await client.end()
  }
}

/** Starts the API with what a load of sign-ins and transfers needs, leaving this process's environment as it was. */
async function startBenchServer(databaseUrl: string): Promise<ApiServer> {
  const overrides = {
    PASSWORD_SCRYPT_LOG2N: String(benchPasswordLog2N),
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
  }
  const saved = Object.fromEntries(Object.keys(overrides).map((key) => [key, process.env[key]]))
  Object.assign(process.env, overrides)
  try {
    return await startApiServer(databaseUrl)
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}

export async function ledgerTransfers(): Promise<void> {
  const databaseUrl = process.env.BENCH_LEDGER_DATABASE_URL || benchLedgerDatabaseUrlDefault
  const pgbenchUrl = process.env.BENCH_PGBENCH_DATABASE_URL || withDatabase(databaseUrl, pgbenchDatabaseName)
  const clients = positiveIntegerEnv('BENCH_CLIENTS', 64)
  const seconds = positiveIntegerEnv('BENCH_SECONDS', 15)
  if (clients > memberCount) throw new Error(`BENCH_CLIENTS must be at most ${memberCount}`)

  await prepareLedgerDatabase(databaseUrl)
  console.log(`pgbench: initialising ${databaseName(pgbenchUrl)} at scale ${pgbenchScale} (every run)`)
  const pgbenchInit = await initPgbench(pgbenchUrl, pgbenchScale)
  const [ledgerDurability, pgbenchDurability] = await Promise.all([
    durabilitySettings(databaseUrl),
    durabilitySettings(pgbenchUrl),
  ])
  const loadAverageAtStart = loadavg()

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
  let server: ApiServer | undefined
  try {
    server = await startBenchServer(databaseUrl)
    const people = await preparePeople(server, pool, clients)
    const transfersBefore = Number((await pool.query('SELECT count(*) AS n FROM transfers')).rows[0].n)

    const results: MixResult[] = []
    for (const mix of mixes) {
      console.log(`API ${mix.name}: ${warmupSeconds} s warm-up, ${seconds} s measured, ${clients} clients`)
      results.push(await runMix(mix, server, databaseUrl, pool, people, seconds))
    }
    await server.stop()
    server = undefined

    const violations = Number((await pool.query('SELECT count(*) AS n FROM ledger_audit()')).rows[0].n)
    const transfersAfter = Number((await pool.query('SELECT count(*) AS n FROM transfers')).rows[0].n)
    const acknowledged = results.reduce((sum, r) => sum + r.load.expectedTotal, 0)

    console.log(
      `pgbench: ${warmupSeconds} s warm-up, ${seconds} s measured, -c ${pgbenchClients} -j ${pgbenchThreads}`,
    )
    await runTpcb(pgbenchUrl, pgbenchClients, pgbenchThreads, warmupSeconds)
    const stopCpu = startCpuAccount({ databases: [databaseName(pgbenchUrl)] })
    const pgbench = await runTpcb(pgbenchUrl, pgbenchClients, pgbenchThreads, seconds)
    const pgbenchCpu = stopCpu()

    report({
      clients,
      seconds,
      results,
      pgbench,
      pgbenchCpu,
      pgbenchInitSeconds: pgbenchInit.seconds,
      violations,
      transfersGrown: transfersAfter - transfersBefore,
      acknowledged,
      ledgerDurability,
      pgbenchDurability,
      loadAverageAtStart,
    })
  } finally {
    await server?.stop()
    await pool.end()
  }
}

function report(run: {
  clients: number
  seconds: number
  results: MixResult[]
  pgbench: PgbenchResult
  pgbenchCpu: CpuAccount
  pgbenchInitSeconds: number
  violations: number
  transfersGrown: number
  acknowledged: number
  ledgerDurability: Awaited<ReturnType<typeof durabilitySettings>>
  pgbenchDurability: Awaited<ReturnType<typeof durabilitySettings>>
  loadAverageAtStart: number[]
}): void {
  const { results, pgbench } = run
  const machine = machineInfo()
  const durable = run.ledgerDurability.synchronousCommit === 'on' && run.ledgerDurability.fsync === 'on'
  const ratioOf = (r: MixResult) => r.load.summary.perSecond / pgbench.tps
  const ms = (value: number) => value.toFixed(2).padStart(8)
  const cpuColumns = (cpu: CpuAccount) => {
    const split = [cpu.loadGeneratorSeconds, cpu.serverSeconds, cpu.postgresSeconds].map((s) => s.toFixed(1))
    return `${split.join(' / ').padEnd(18)}${cpu.otherSeconds.toFixed(1).padStart(5)}`
  }
  const row = (name: string, summary: PhaseSummary, cpu: CpuAccount, ratio?: number) =>
    `  ${name.padEnd(20)}${summary.perSecond.toFixed(1).padStart(9)}${ms(summary.p50Ms)}${ms(summary.p95Ms)}${ms(summary.p99Ms)}${ms(summary.maxMs)}` +
    `   ${cpuColumns(cpu)}${ratio === undefined ? '' : ratio.toFixed(3).padStart(11)}`
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS')
  const unexpectedText = (r: MixResult) =>
    r.load.unexpected.size ? [...r.load.unexpected].map(([key, n]) => `${n} × ${key}`).join(', ') : '0'
  const busy = (cpu: CpuAccount) =>
    `${cpu.machineBusySeconds.toFixed(1)} of ${cpu.machineSeconds.toFixed(1)} core-s busy (${((100 * cpu.machineBusySeconds) / cpu.machineSeconds).toFixed(0)}%), ${cpu.otherSeconds.toFixed(1)} by other processes`
  const settings = (d: Awaited<ReturnType<typeof durabilitySettings>>) =>
    `synchronous_commit=${d.synchronousCommit}, fsync=${d.fsync}, wal_sync_method=${d.walSyncMethod}, commit_delay=${d.commitDelay}`
  const cpuPerOp = (cpu: CpuAccount, ops: number, api: boolean) => {
    const perOp = (seconds: number) => ((seconds * 1000) / Math.max(1, ops)).toFixed(3)
    const sum = cpu.loadGeneratorSeconds + cpu.serverSeconds + cpu.postgresSeconds
    return api
      ? `load generator ${perOp(cpu.loadGeneratorSeconds)} + API ${perOp(cpu.serverSeconds)} + postgres ${perOp(cpu.postgresSeconds)} = ${perOp(sum)} ms per transfer`
      : `pgbench ${perOp(cpu.loadGeneratorSeconds)} + postgres ${perOp(cpu.postgresSeconds)} = ${perOp(sum)} ms per transaction`
  }
  const goalLine = results
    .map(
      (r) =>
        `${r.mix.name} ${verdict(durable && ratioOf(r) >= throughputRatioMin)} (${ratioOf(r).toFixed(3)})`,
    )
    .join(', ')

  console.log(`
ledger-transfers: POST /api/ledger/transfers over HTTP, against pgbench's TPC-B on the same server
  data       ${memberCount.toLocaleString('en')} members with TIME accounts, ${run.clients} of them paying (signed in over HTTP), 1 group account;
             ${transferAmount} hours per transfer; credit lines of ${(creditLineMinor / 100).toLocaleString('en')} hours, so none is refused
  mixes      uniform: to one of the ${memberCount.toLocaleString('en')} member accounts at random (by id); hot: ${hotShare * 100}% to the group account ({ groupId }), the rest uniform
  load       ${run.clients} clients (node:http keep-alive, one connection and one payer each, a fresh Idempotency-Key per request),
             ${warmupSeconds} s warm-up then ${run.seconds} s measured per mix, PRNG seed ${prngSeed}
  pgbench    TPC-B-like default script, scale ${pgbenchScale} (re-initialised this run in ${run.pgbenchInitSeconds.toFixed(1)} s), -c ${pgbenchClients} -j ${pgbenchThreads} -T ${run.seconds} after a ${warmupSeconds} s warm-up
  durability bench database: ${settings(run.ledgerDurability)}
             pgbench database: ${settings(run.pgbenchDurability)}
  machine    ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${run.ledgerDurability.serverVersion}
             load average at start ${run.loadAverageAtStart.map((n) => n.toFixed(2)).join(' ')}; the load generator, the API and PostgreSQL share these cores

                        per s  p50 ms  p95 ms  p99 ms  max ms   CPU s: bench / api / postgres  other  ÷ pgbench
${results.map((r) => row(`API ${r.mix.label}`, r.load.summary, r.cpu, ratioOf(r))).join('\n')}
${row('pgbench TPC-B', { ...pgbench.latency, perSecond: pgbench.tps }, run.pgbenchCpu)}
  per s: transfers acknowledged with 201 (API), transactions (pgbench: its own tps ${pgbench.tps.toFixed(1)}, excluding
  connection set-up; latency average ${pgbench.latencyAverageMs.toFixed(2)} ms); exact nearest-rank percentiles over every request
  of the window (API: request written to response read; pgbench: its per-transaction log).
  CPU s: bench is the load generator (pgbench itself on its row); postgres counts the backends of the bench's own
  database and the server's shared processes; other is the rest of the machine's busy time (other people's work).

  non-201    ${results.map((r) => `${r.mix.name}: ${unexpectedText(r)}`).join('; ')}; pgbench failed transactions: ${pgbench.failed}
  batching   ${results
    .map(
      (r) =>
        `${r.mix.name}: ${r.batches.transfers.toLocaleString('en')} transfers in ${r.batches.commits.toLocaleString('en')} commits = ${(r.batches.transfers / Math.max(1, r.batches.commits)).toFixed(1)} per commit (p50 ${r.batches.p50}, max ${r.batches.max})`,
    )
    .join('\n             ')}
             database transactions committed per transfer, reads included (pg_stat_database.xact_commit, flushed
             by backends about once a second): ${results.map((r) => `${r.mix.name} ${r.xactCommitsPerTransfer.toFixed(2)}`).join(', ')}
  CPU per op ${results.map((r) => `${r.mix.name}: ${cpuPerOp(r.cpu, r.load.summary.count, true)}`).join('\n             ')}
             pgbench: ${cpuPerOp(run.pgbenchCpu, pgbench.transactions, false)}
             on cores that are all busy, throughput goes as the inverse of these sums
  books      ledger_audit(): ${run.violations} violations; transfers grew by ${run.transfersGrown.toLocaleString('en')}, 201s answered ${run.acknowledged.toLocaleString('en')} (warm-ups included) ${run.transfersGrown === run.acknowledged ? 'equal' : 'DIFFER'}
  machine    ${results.map((r) => `${r.mix.name}: ${busy(r.cpu)}`).join('\n             ')}
             pgbench: ${busy(run.pgbenchCpu)}

  goal ≥ ${throughputRatioMin.toFixed(1)} × pgbench tps with every transfer durable when acknowledged (synchronous_commit ${run.ledgerDurability.synchronousCommit})
             ${goalLine}
  the bench database and its members are kept for later runs; pgbench's tables are rebuilt every run
`)
  const figures = (r: MixResult) => ({
    perSecond: round(r.load.summary.perSecond, 1),
    p50Ms: round(r.load.summary.p50Ms, 2),
    p95Ms: round(r.load.summary.p95Ms, 2),
    p99Ms: round(r.load.summary.p99Ms, 2),
    transfers: r.load.summary.count,
    non201: Object.fromEntries(r.load.unexpected),
    ratioToPgbench: round(ratioOf(r), 3),
    transfersPerCommit: round(r.batches.transfers / Math.max(1, r.batches.commits), 2),
    xactCommitsPerTransfer: round(r.xactCommitsPerTransfer, 2),
    cpuSeconds: {
      bench: round(r.cpu.loadGeneratorSeconds, 1),
      api: round(r.cpu.serverSeconds, 1),
      postgres: round(r.cpu.postgresSeconds, 1),
      other: round(r.cpu.otherSeconds, 1),
    },
  })
  console.log(
    JSON.stringify({
      benchmark: 'ledger-transfers',
      members: memberCount,
      clients: run.clients,
      seconds: run.seconds,
      ...Object.fromEntries(results.map((r) => [r.mix.name, figures(r)])),
      pgbench: {
        tps: round(pgbench.tps, 1),
        latencyAverageMs: round(pgbench.latencyAverageMs, 2),
        p50Ms: round(pgbench.latency.p50Ms, 2),
        p95Ms: round(pgbench.latency.p95Ms, 2),
        p99Ms: round(pgbench.latency.p99Ms, 2),
        failed: pgbench.failed,
      },
      synchronousCommit: run.ledgerDurability.synchronousCommit,
      auditViolations: run.violations,
      transfersMatch201s: run.transfersGrown === run.acknowledged,
      goalMet: results.every((r) => durable && ratioOf(r) >= throughputRatioMin),
      cores: machine.cores,
      node: machine.node,
      postgres: run.ledgerDurability.serverVersion,
    }),
  )
}

function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals))
}
