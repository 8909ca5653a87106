import { type Kysely, sql } from 'kysely'
import type { DB } from './schema'

/**
 * Whether the database answers a trivial query right now. A health check asks this; any failure (a refused
 * connection, a full pool, a timeout) is an answer of `false`, never an exception.
 */
export async function isDatabaseReachable(db: Kysely<DB>): Promise<boolean> {
  return sql`SELECT 1`
    .execute(db)
    .then(() => true)
    .catch(() => false)
}
