import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './api-process'

const run = promisify(execFile)

/** Debian's PostgreSQL 15 binaries, installed by infra/postgres/setup.sh beside the shared server. */
const binDir = process.env.QUARTIERE_PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin'
/** How long a start or stop may take. */
const controlTimeoutMs = 60_000

/**
 * A PostgreSQL server of one test's own, in a temporary directory, that the test may stop and start again
 * (a database outage) without disturbing the shared server every other test uses. It has PostGIS, since the
 * extension files are installed for the same binaries.
 */
export interface PrivatePostgres {
  readonly url: string
  readonly port: number
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'quartiere-pg-'))
  const dataDir = join(dir, 'data')
  const port = await freePort()
  // PostgreSQL refuses to run as root: as root (CI), the server runs as the postgres system user.
  const asServerUser = (command: string, args: string[]) =>
    process.getuid?.() === 0
      ? run('runuser', ['-u', 'postgres', '--', join(binDir, command), ...args], {
          timeout: controlTimeoutMs,
        })
      : run(join(binDir, command), args, { timeout: controlTimeoutMs })
  if (process.getuid?.() === 0) {
    await chmod(dir, 0o777)
  }
  await asServerUser('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`
  const server: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await asServerUser('pg_ctl', ['-D', dataDir, '-o', options, '-w', '-l', join(dir, 'log'), 'start'])
    },
    async stop() {
      await asServerUser('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop'])
    },
    async destroy() {
      await server.stop().catch(() => {})
      await rm(dir, { recursive: true, force: true })
    },
  }
  await server.start()
  return server
}
