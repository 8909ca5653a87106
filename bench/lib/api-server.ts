import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const healthWaitMs = 60_000
const healthPollMs = 200
const stopGraceMs = 10_000
const serverEntry = 'apps/api/src/server.ts'

export interface ApiServer {
  baseUrl: string
  pid: number
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Every server this process started, so an error or Ctrl-C anywhere still takes them down. */
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})
process.once('SIGINT', () => {
  console.error('\ninterrupted: stopping the API server')
  process.exit(130)
})

/**
 * Starts the API as its own process, as in production: the same Node binary as the bench, tsx as a loader (so
 * the child's pid is the server's own, for CPU accounting and a clean kill), with a throwaway DATA_DIR for the
 * signing key it generates.
 */
export async function startApiServer(
  databaseUrl: string,
  /** Settings for this server only, over the ones above (this process's environment stays as it is). */
  env: Record<string, string> = {},
): Promise<ApiServer> {
  const port = await freePort()
  // BENCH_CPU_PROFILE=<dir>: the server writes a V8 CPU profile there when it exits (open it in Chrome's
  // DevTools, or summarise it with `node bench/lib/profile-summary.ts <file>`).
  const profileDir = process.env.BENCH_CPU_PROFILE
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', serverEntry], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'quartiere-bench-')),
      HOST: '127.0.0.1',
      PORT: String(port),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      // A load generator is one client writing as fast as it can: the per-member write limit would measure
      // itself instead of the server.
      WRITES_PER_MINUTE: '0',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  running.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => running.delete(child))
  const baseUrl = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs)
    await exited
    clearTimeout(timer)
  }

  const deadline = Date.now() + healthWaitMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the API server exited with code ${child.exitCode} before it was healthy`)
    try {
      const response = await fetch(`${baseUrl}/health`)
      if (response.ok) return { baseUrl, pid: child.pid!, stop }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, healthPollMs))
  }
  await stop()
  throw new Error(`the API server was not healthy within ${healthWaitMs} ms`)
}
