#!/usr/bin/env node
// Quartiere test runner: `pnpm test [-- extra vitest args]` runs `node scripts/run-tests.mjs`.
//
// Runs the whole Vitest suite (unit + PGlite + real PostgreSQL/PostGIS), then reads Vitest's JSON report and
// prints one closing line `tests: N passed, N failed, N skipped`. It fails when Vitest fails, when any test
// failed, was skipped/todo/pending, when a test file failed to load, or when no test ran at all: a green run
// must mean every test really ran on both database backends.
//
// Environment:
//   TEST_DATABASE_URL       PostgreSQL with PostGIS for the `postgres` project
//                           (default postgres://postgres@127.0.0.1:5432/postgres; set up by infra/postgres/setup.sh)
//   QUARTIERE_TEST_BACKENDS `pglite` runs only the unit and PGlite projects, for local development without a
//                           PostgreSQL server. Not the full suite, and refused in CI.
//
// Plain Node ESM with built-ins only: it must work before and independently of the workspace packages.

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
// Absolute path: Vitest resolves a relative outputFile against its config root, which may not be the repo root.
const reportPath = join(repoRoot, '.vitest-results.json')
const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
const SETUP_HINT = 'Run `bash infra/postgres/setup.sh` (as root or with sudo) to install and start it.'

function fail(message) {
  console.error(`\nrun-tests: ERROR: ${message}`)
  process.exit(1)
}

function banner(lines) {
  const bar = '!'.repeat(78)
  console.error(`\n${bar}\n${lines.map((l) => `!!! ${l}`).join('\n')}\n${bar}\n`)
}

// `pnpm test -- -t foo` may hand us a literal `--`; Vitest would take it as the end of its options.
const extraArgs = process.argv.slice(2)
if (extraArgs[0] === '--') extraArgs.shift()

const backends = (process.env.QUARTIERE_TEST_BACKENDS ?? '').trim().toLowerCase()
if (backends !== '' && backends !== 'all' && backends !== 'pglite') {
  fail(
    `QUARTIERE_TEST_BACKENDS must be unset, 'all' or 'pglite' (got '${process.env.QUARTIERE_TEST_BACKENDS}')`,
  )
}
const pgliteOnly = backends === 'pglite'
const isCI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0'

const PGLITE_ONLY_WARNING = [
  'QUARTIERE_TEST_BACKENDS=pglite: running the unit and PGlite projects ONLY.',
  'The PostgreSQL/PostGIS backend is NOT tested. This is NOT the full suite;',
  'run `pnpm test` without it (after `bash infra/postgres/setup.sh`) before pushing.',
]

// --- PostgreSQL/PostGIS preflight ---------------------------------------------------------------------
// The postgres project must never be skipped silently, so a missing server is an error here, before
// Vitest starts, with a message that says how to fix it.

function parseHostPort(url) {
  try {
    const u = new URL(url)
    return { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(u.port || 5432) }
  } catch {
    return null
  }
}

// Without psql we can only check that something listens on the port; PostGIS is then checked by the tests.
function tcpReachable(host, port, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

async function checkPostgres(url) {
  const psql = spawnSync(
    'psql',
    // -X: no ~/.psqlrc; -w: never prompt for a password (there may be no terminal).
    ['-X', '-w', url, '-tAc', "select count(*) from pg_available_extensions where name='postgis'"],
    {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '5' },
    },
  )
  if (psql.error?.code === 'ENOENT') {
    const target = parseHostPort(url)
    if (!target) fail(`TEST_DATABASE_URL is not a valid URL: ${url}`)
    if (!(await tcpReachable(target.host, target.port))) {
      fail(
        `PostgreSQL is not reachable at ${target.host}:${target.port} (TEST_DATABASE_URL=${url}).\n${SETUP_HINT}`,
      )
    }
    console.error(
      `run-tests: psql not found; PostgreSQL answers on ${target.host}:${target.port}, PostGIS not checked`,
    )
    return
  }
  if (psql.error || psql.status !== 0) {
    const why = (psql.stderr || psql.error?.message || '').trim()
    fail(`cannot connect to PostgreSQL at TEST_DATABASE_URL=${url}\n${why}\n\n${SETUP_HINT}`)
  }
  if (psql.stdout.trim() !== '1') {
    fail(
      `PostgreSQL at TEST_DATABASE_URL=${url} does not have the PostGIS extension available.\n${SETUP_HINT}`,
    )
  }
}

// --- Vitest -------------------------------------------------------------------------------------------

function runVitest(args) {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['exec', 'vitest', ...args], {
      cwd: repoRoot,
      stdio: 'inherit',
      shell: false,
    })
    // Ctrl-C at a terminal reaches Vitest directly (same process group): just stay alive to report what it
    // left behind. A SIGTERM sent to this process alone (a CI timeout, say) is passed on so Vitest stops too.
    const ignore = () => {}
    const forward = () => child.kill('SIGTERM')
    process.on('SIGINT', ignore)
    process.on('SIGTERM', forward)
    child.once('error', (err) => {
      if (err.code === 'ENOENT') fail('pnpm not found in PATH (install it with `npm install -g pnpm`)')
      fail(`could not start vitest: ${err.message}`)
    })
    child.once('close', (code, signal) => {
      process.off('SIGINT', ignore)
      process.off('SIGTERM', forward)
      resolve({ code, signal })
    })
  })
}

function readReport() {
  if (!existsSync(reportPath)) return null
  try {
    return JSON.parse(readFileSync(reportPath, 'utf8'))
  } catch (err) {
    fail(`cannot parse the Vitest JSON report ${reportPath}: ${err.message}`)
  }
}

function num(value) {
  return Number.isFinite(value) ? value : 0
}

// Counts from the per-test statuses and from the report totals; where they disagree, the worse one wins so
// that a problem is never hidden by one of the two.
function summarize(report) {
  const files = Array.isArray(report.testResults) ? report.testResults : []
  const byStatus = { passed: 0, failed: 0, other: 0 }
  for (const file of files) {
    for (const t of Array.isArray(file.assertionResults) ? file.assertionResults : []) {
      if (t.status === 'passed') byStatus.passed++
      else if (t.status === 'failed') byStatus.failed++
      else byStatus.other++ // skipped, pending, todo, disabled, ...
    }
  }
  const failedFiles = files.filter(
    (f) => f.status === 'failed' && !f.assertionResults?.some((t) => t.status === 'failed'),
  )
  return {
    passed: files.length > 0 ? byStatus.passed : num(report.numPassedTests),
    failed: Math.max(byStatus.failed, num(report.numFailedTests)),
    skipped: Math.max(byStatus.other, num(report.numPendingTests) + num(report.numTodoTests)),
    total: Math.max(num(report.numTotalTests), byStatus.passed + byStatus.failed + byStatus.other),
    failedFiles,
    failedSuites: num(report.numFailedTestSuites),
  }
}

async function main() {
  const vitestArgs = ['run', '--reporter=default', '--reporter=json', `--outputFile=${reportPath}`]

  if (pgliteOnly) {
    if (isCI)
      fail('QUARTIERE_TEST_BACKENDS=pglite is for local development only; CI always runs both backends.')
    banner(PGLITE_ONLY_WARNING)
    vitestArgs.push('--project', 'unit', '--project', 'pglite')
  } else {
    if (!process.env.TEST_DATABASE_URL) process.env.TEST_DATABASE_URL = DEFAULT_TEST_DATABASE_URL
    await checkPostgres(process.env.TEST_DATABASE_URL)
  }
  vitestArgs.push(...extraArgs)

  // The API serves the built web client at `/`, which the authorization matrix and the browser tests reach: build
  // it (when stale) once, before any test file starts, rather than from whichever test file comes first while
  // another is already serving dist/.
  const build = spawnSync('pnpm', ['exec', 'tsx', 'apps/web/scripts/build-if-stale.ts'], {
    cwd: repoRoot,
    stdio: 'inherit',
  })
  if (build.status !== 0) fail(`building the web client failed (exit ${build.status ?? build.signal})`)

  // A report left over from an earlier run must not be mistaken for this one.
  rmSync(reportPath, { force: true })

  const { code, signal } = await runVitest(vitestArgs)
  const problems = []
  if (signal) problems.push(`vitest was killed by ${signal}`)
  else if (code !== 0) problems.push(`vitest exited with code ${code}`)

  const report = readReport()
  if (!report) {
    for (const p of problems) console.error(`run-tests: ${p}`)
    fail(`Vitest wrote no JSON report (${reportPath}); no test results to check.`)
  }

  const s = summarize(report)
  if (s.failed > 0) problems.push(`${s.failed} test(s) failed`)
  if (s.skipped > 0) problems.push(`${s.skipped} test(s) skipped, todo or pending: every test must run`)
  for (const f of s.failedFiles) {
    problems.push(`test file failed: ${f.name}${f.message ? `: ${String(f.message).split('\n')[0]}` : ''}`)
  }
  // A failing hook (beforeAll/afterAll) fails its suite without failing a test or the whole file.
  if (s.failed === 0 && s.failedFiles.length === 0 && s.failedSuites > 0)
    problems.push(`${s.failedSuites} test suite(s) failed`)
  if (s.total === 0) problems.push('no tests ran')

  if (pgliteOnly) banner(PGLITE_ONLY_WARNING)
  if (problems.length > 0) {
    console.error('')
    for (const p of problems) console.error(`run-tests: FAIL: ${p}`)
  }
  // The closing line, alone on its own line and last: CI reads it.
  console.log(`\ntests: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`)
  process.exitCode = problems.length > 0 ? 1 : 0
}

await main()
