import type { PGlite } from '@electric-sql/pglite'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'

/**
 * A Kysely dialect over an embedded PGlite instance.
 *
 * PGlite is a single connection: two interleaved transactions on it would mix their statements. So the driver
 * hands out the one connection under a FIFO lock, and a Kysely transaction keeps it until commit or rollback.
 * (The published PGlite dialects do not support the PGlite version that @electric-sql/pglite-postgis pins.)
 */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite
  constructor(pglite: PGlite) {
    this.#pglite = pglite
  }
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#pglite)
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
}

/** A first-in, first-out lock: `acquire` resolves with the function that releases it. */
export class FifoLock {
  #tail: Promise<void> = Promise.resolve()
  acquire(): Promise<() => void> {
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const ready = this.#tail.then(() => release)
    this.#tail = this.#tail.then(() => held)
    return ready
  }
}

class PGliteDriver implements Driver {
  readonly #pglite: PGlite
  readonly #lock: FifoLock
  constructor(pglite: PGlite) {
    this.#pglite = pglite
    this.#lock = lockOf(pglite)
  }
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#lock.acquire()
    return new PGliteConnection(this.#pglite, release)
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''
    const access = settings.accessMode ? ` ${settings.accessMode}` : ''
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}${access}`))
  }
  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }
  async rollbackTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }
  async savepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`))
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`))
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`))
  }
  async releaseConnection(connection: DatabaseConnection) {
    ;(connection as PGliteConnection).release()
  }
  async destroy() {
    // The owner of the PGlite instance closes it (see openDatabase), after Kysely lets go.
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite
  readonly release: () => void
  constructor(pglite: PGlite, release: () => void) {
    this.#pglite = pglite
    this.release = release
  }
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pglite.query<R>(compiled.sql, compiled.parameters as unknown[])
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    }
  }
  // biome-ignore lint/correctness/useYield: PGlite has no cursors over its wire; streaming is refused plainly.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded database; page with keyset cursors')
  }
}

const locks = new WeakMap<PGlite, FifoLock>()
/** The one lock of a PGlite instance, shared by Kysely and by raw sessions (the migrator). */
export function lockOf(pglite: PGlite): FifoLock {
  let lock = locks.get(pglite)
  if (!lock) {
    lock = new FifoLock()
    locks.set(pglite, lock)
  }
  return lock
}

function quoteIdent(name: string) {
  return `"${name.replaceAll('"', '""')}"`
}
