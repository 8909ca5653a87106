import type { DB } from '@quartiere/db'
import { type Kysely, sql, type Transaction } from 'kysely'

/**
 * Lets a test set up a past the API cannot make: exchanges posted in months long over, for the statistics that
 * publish only closed months. The history tables refuse every change (migrations/0011), for the API's role and
 * the superuser alike; only a superuser may turn triggers off, for the one transaction given here
 * (`session_replication_role = replica`). Production's API role is no superuser, so this door is the tests' own.
 */
export async function rewritePast<T>(
  db: Kysely<DB>,
  write: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx)
    return write(trx)
  })
}
