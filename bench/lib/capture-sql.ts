import type { DB } from '@quartiere/db'
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely'

/**
 * Runs `work` against a Kysely that compiles queries for PostgreSQL but sends them nowhere, and returns what it
 * would have sent. The raw-SQL reference runs exactly the text the API runs this way, and follows the
 * repository when its query changes.
 */
export async function captureQueries(work: (db: Kysely<DB>) => Promise<unknown>): Promise<CompiledQuery[]> {
  const captured: CompiledQuery[] = []
  const connection: DatabaseConnection = {
    async executeQuery(query) {
      captured.push(query)
      return { rows: [] }
    },
    // biome-ignore lint/correctness/useYield: nothing to stream from a database that is not there
    async *streamQuery() {
      throw new Error('captureQueries does not stream')
    },
  }
  const driver: Driver = {
    async init() {},
    async acquireConnection() {
      return connection
    },
    async beginTransaction() {},
    async commitTransaction() {},
    async rollbackTransaction() {},
    async releaseConnection() {},
    async destroy() {},
  }
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  })
  await work(db)
  await db.destroy()
  return captured
}
