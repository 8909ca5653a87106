import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { createDatabaseIfMissing, databaseName } from './ensure-database'
import { LatencyRecorder, type PhaseSummary } from './stats'

const pgbenchPathDefault = '/usr/bin/pgbench'
/** Standard TPC-B-like runs longer than this, plus the run time itself, are stuck, not slow. */
const pgbenchSlackMs = 120_000

export interface PgbenchResult {
  /** Transactions per second, excluding the time to open connections. */
  tps: number
  latencyAverageMs: number
  transactions: number
  failed: number
  /** Exact percentiles from pgbench's per-transaction log (-l); its rate is pgbench's own tps. */
  latency: PhaseSummary
  output: string
}

function pgbenchPath(): string {
  const path = process.env.PGBENCH || pgbenchPathDefault
  if (!existsSync(path)) throw new Error(`pgbench not found at ${path}; set PGBENCH to its path`)
  return path
}

/** pgbench takes libpq's connection options; the password, if any, goes through the environment. */
function connectionArgs(databaseUrl: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl)
  const args = ['-h', url.hostname, '-p', url.port || '5432']
  if (url.username) args.push('-U', decodeURIComponent(url.username))
  const env = { ...process.env }
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password)
  return { args: [...args, databaseName(databaseUrl)], env }
}

async function runPgbench(databaseUrl: string, options: string[], timeoutMs: number): Promise<string> {
  const { args, env } = connectionArgs(databaseUrl)
  const child = spawn(pgbenchPath(), [...options, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  clearTimeout(timer)
  if (code !== 0) throw new Error(`pgbench ${options.join(' ')} exited with ${code}:\n${output}`)
  return output
}

/**
 * (Re)initialises the TPC-B-like tables at the given scale. It is done on every run rather than kept: the
 * history table grows and the other tables bloat with each run, and a yardstick should not drift.
 */
export async function initPgbench(databaseUrl: string, scale: number): Promise<{ seconds: number }> {
  await createDatabaseIfMissing(databaseUrl)
  const startedMs = performance.now()
  await runPgbench(databaseUrl, ['-i', '-s', String(scale), '-q'], pgbenchSlackMs)
  // The initial load wrote a lot of WAL; let its checkpoint happen now rather than while something is measured.
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query('CHECKPOINT')
  } finally {
    await client.end()
  }
  return { seconds: (performance.now() - startedMs) / 1000 }
}

/**
 * The standard TPC-B-like script, `clients` connections over `threads` threads, for `seconds`, with every
 * transaction's latency logged (buffered per thread; it costs pgbench little) for exact percentiles.
 */
export async function runTpcb(
  databaseUrl: string,
  clients: number,
  threads: number,
  seconds: number,
): Promise<PgbenchResult> {
  const logDir = mkdtempSync(join(tmpdir(), 'quartiere-pgbench-'))
  try {
    const output = await runPgbench(
      databaseUrl,
      [
        '-c',
        String(clients),
        '-j',
        String(threads),
        '-T',
        String(seconds),
        '-l',
        `--log-prefix=${join(logDir, 'tx')}`,
      ],
      seconds * 1000 + pgbenchSlackMs,
    )
    return { ...parseSummary(output), latency: readTransactionLog(logDir, seconds), output }
  } finally {
    rmSync(logDir, { recursive: true, force: true })
  }
}

/** Lines of `-l`: client_id transaction_no time script_no time_epoch time_us …, time being the latency in µs. */
function readTransactionLog(logDir: string, seconds: number): PhaseSummary {
  const recorder = new LatencyRecorder()
  for (const file of readdirSync(logDir)) {
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      const latencyUs = line.split(' ')[2]
      // A failed transaction is logged as "failed" (or "skipped") instead of a latency.
      if (latencyUs && /^\d+$/.test(latencyUs)) recorder.record(Number(latencyUs) / 1000)
    }
  }
  return recorder.summarise(seconds * 1000)
}

function parseSummary(output: string) {
  const number = (pattern: RegExp, what: string) => {
    const match = pattern.exec(output)
    if (!match?.[1]) throw new Error(`no ${what} in pgbench's output:\n${output}`)
    return Number(match[1])
  }
  return {
    tps: number(/^tps = ([\d.]+) \(without initial connection time\)/m, 'tps'),
    latencyAverageMs: number(/^latency average = ([\d.]+) ms/m, 'latency average'),
    transactions: number(/^number of transactions actually processed: (\d+)/m, 'transaction count'),
    // Older pgbench versions do not print failures (they abort on the first one instead).
    failed: Number(/^number of failed transactions: (\d+)/m.exec(output)?.[1] ?? 0),
  }
}
