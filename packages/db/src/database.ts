import { mkdirSync } from 'node:fs'
import { PGlite, types } from '@electric-sql/pglite'
import { postgis } from '@electric-sql/pglite-postgis'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { type CursorReads, cursorReads } from './cursor-reads'
import { lockOf, PGliteDialect } from './pglite-dialect'
import type { DB } from './schema'

export type Backend = 'pglite' | 'postgres'

/**
 * A raw session on one connection, for what Kysely does not do: multi-statement SQL scripts (migrations) and
 * session-level advisory locks. It holds its connection (or PGlite's lock) until the callback returns.
 */
export interface RawSession {
  exec(sql: string): Promise<void>
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>
}

export interface Database {
  readonly db: Kysely<DB>
  /**
   * For the realtime relay's reads of the outbox: on PostgreSQL a pool of its own ({@link relayPoolSize}
   * connections), so that the feed's latency does not include waiting for a connection behind the requests'
   * transactions; on the embedded database, `db` (one connection whatever happens).
   */
  readonly relayDb: Kysely<DB>
  readonly backend: Backend
  /**
   * Server-side cursor reads on PostgreSQL, for long reads such as exports; null on the embedded database,
   * whose single connection a long read must not hold (page with keyset seeks there).
   */
  readonly cursors: CursorReads | null
  withSession<T>(fn: (session: RawSession) => Promise<T>): Promise<T>
  close(): Promise<void>
  /** The embedded database's data directory as a tarball, to start other instances from it (test templates). */
  dumpDataDir?(): Promise<Blob>
}

export interface DatabaseOptions {
  /** postgres://… to use a PostgreSQL + PostGIS server; absent for the embedded database. */
  databaseUrl?: string
  /** Where the embedded database keeps its files; absent (or 'memory://') for an in-memory database. */
  dataDir?: string
  /** A dumped PGlite data directory to start from (tests clone a migrated template this way). */
  loadDataDir?: Blob
  /** Connections in the PostgreSQL pool. */
  poolSizeMax?: number
  /** Statements running longer are cancelled by the server. */
  statementTimeoutMs?: number
  /** Server-side cursor reads at once (PostgreSQL); 0: none, long reads seek by keyset. */
  cursorReadsMax?: number
}

export const poolSizeMaxDefault = 20
/** The relay reads one page at a time; the second connection is for pruning and hole checks meanwhile. */
export const relayPoolSize = 2
export const statementTimeoutMsDefault = 15_000
export const connectionTimeoutMsDefault = 5_000

/** Opens the embedded database or connects to PostgreSQL, depending on `databaseUrl`. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options)
}

function openPostgres(databaseUrl: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSizeMax ?? poolSizeMaxDefault,
    statement_timeout: options.statementTimeoutMs ?? statementTimeoutMsDefault,
    // While the server is down a request waits this long for a connection at most, then answers 503.
    connectionTimeoutMillis: connectionTimeoutMsDefault,
    idleTimeoutMillis: 30_000,
  })
  // A client whose server went away must not crash the process. The pool listens on idle clients only; one
  // that is checked out (between the statements of a transaction, say) emits 'error' to nobody otherwise. Its
  // query fails instead, and the pool drops it on release since it is no longer queryable.
  pool.on('error', () => {})
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  const relayPool = new pg.Pool({
    connectionString: databaseUrl,
    max: relayPoolSize,
    statement_timeout: options.statementTimeoutMs ?? statementTimeoutMsDefault,
    connectionTimeoutMillis: connectionTimeoutMsDefault,
    idleTimeoutMillis: 30_000,
  })
  relayPool.on('error', () => {})
  relayPool.on('connect', (client) => {
    client.on('error', () => {})
  })
  const relayDb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: relayPool }) })
  return {
    db,
    relayDb,
    backend: 'postgres',
    cursors: options.cursorReadsMax === 0 ? null : cursorReads(pool, options.cursorReadsMax),
    async withSession(fn) {
      const client = await pool.connect()
      try {
        return await fn({
          exec: async (sql) => {
            await client.query(sql)
          },
          query: async <R>(sql: string, params?: unknown[]) =>
            (await client.query(sql, params as unknown[])).rows as R[],
        })
      } finally {
        client.release()
      }
    },
    async close() {
      await Promise.all([db.destroy(), relayDb.destroy()])
    },
  }
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? options.dataDir : undefined
  if (dataDir) mkdirSync(dataDir, { recursive: true })
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { postgis },
    // Keep int8 as a string, as pg does: counts and sequence numbers may pass 2^53.
    parsers: { [types.INT8]: (value: string) => value },
  })
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) })
  const lock = lockOf(pglite)
  return {
    db,
    relayDb: db,
    backend: 'pglite',
    cursors: null,
    async withSession(fn) {
      const release = await lock.acquire()
      try {
        return await fn({
          exec: async (sql) => {
            await pglite.exec(sql)
          },
          query: async <R>(sql: string, params?: unknown[]) => (await pglite.query<R>(sql, params)).rows,
        })
      } finally {
        release()
      }
    },
    async close() {
      await db.destroy()
      if (!pglite.closed) await pglite.close()
    },
    async dumpDataDir() {
      const release = await lock.acquire()
      try {
        return await pglite.dumpDataDir('gzip')
      } finally {
        release()
      }
    },
  }
}
