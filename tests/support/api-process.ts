import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'

/** How long a fresh API process may take to answer /health (it migrates and compiles TypeScript first). */
export const apiStartTimeoutMs = 60_000
/** Test accounts hash passwords at a low scrypt cost, as in test-app.ts (production uses 17). */
const passwordLog2N = 12
/** How often /health is asked while waiting. */
const healthPollIntervalMs = 100
/** The tail of the child's output kept for error messages, in characters. */
const outputCharsMax = 16_000

const repositoryRoot = resolve(import.meta.dirname, '../..')
const serverEntry = join(repositoryRoot, 'apps/api/src/server.ts')

/** An API server running as a separate operating-system process, as in production. */
export interface ApiProcess {
  readonly pid: number
  readonly port: number
  /** http://127.0.0.1:port, without a trailing slash. */
  readonly url: string
  /** Resolves when the process has exited, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Sends a signal (SIGKILL by default); does nothing once the process has exited. */
  kill(signal?: NodeJS.Signals): void
  /** What the process wrote so far (its last characters), for error messages. */
  output(): string
  /** Stops the process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

export interface ApiProcessOptions {
  databaseUrl: string
  /** The Ed25519 private key as a JWK JSON string; give every instance and restart the same one. */
  jwtPrivateKey: string
  /** A directory of this test's own (the server writes nothing there with an external database). */
  dataDir: string
  /** A port of its own; a free one is picked when absent. */
  port?: number
  env?: Record<string, string>
}

/** One Ed25519 signing key as the server's JWT_PRIVATE_KEY expects it, so tokens survive restarts. */
export async function generateJwtPrivateKey(): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  return JSON.stringify(await exportJWK(privateKey))
}

/** A TCP port nobody listens on right now: the kernel picks one for a throwaway listener. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error('could not read the port of a throwaway listener'))
        return
      }
      server.close(() => resolvePort(address.port))
    })
  })
}

export async function makeTempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

const running = new Set<ChildProcess>()
// A test worker that dies must not leave API servers behind: kill whatever is still running on the way out.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * Starts `apps/api/src/server.ts` in a child process (node with tsx's loader, no wrapper process, so a signal
 * reaches the server itself) and resolves once GET /health answers 200.
 */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
      JWT_PRIVATE_KEY: options.jwtPrivateKey,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      PASSWORD_SCRYPT_LOG2N: String(passwordLog2N),
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      // Load tests write from one address as fast as they can, on a machine other tests keep busy: the write
      // limit and the overload check have tests of their own (tests/hardening/limits.test.ts).
      WRITES_PER_MINUTE: '0',
      EVENT_LOOP_DELAY_MAX_MS: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-outputCharsMax)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolveExit({ code, signal })
    })
  })
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject))
  spawnError.catch(() => {})

  const api: ApiProcess = {
    get pid() {
      return child.pid ?? -1
    },
    port,
    url,
    exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }

  try {
    await Promise.race([waitForHealth(url, exited), spawnError])
  } catch (error) {
    api.kill('SIGKILL')
    await exited
    throw new Error(
      `the API process on port ${port} did not become healthy: ${(error as Error).message}\n--- its output ---\n${output}`,
    )
  }
  return api
}

async function waitForHealth(url: string, exited: Promise<unknown>): Promise<void> {
  let hasExited = false
  void exited.then(() => {
    hasExited = true
  })
  const deadline = Date.now() + apiStartTimeoutMs
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    if (hasExited) throw new Error('the process exited before it answered /health')
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })
      const body = await response.text()
      if (response.status === 200) return
      last = `${response.status} ${body}`
    } catch (error) {
      last = String((error as Error).cause ?? error)
    }
    await new Promise((r) => setTimeout(r, healthPollIntervalMs))
  }
  throw new Error(`no 200 from ${url}/health within ${apiStartTimeoutMs} ms (last: ${last})`)
}
