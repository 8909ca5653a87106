import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { type Database, openDatabase } from '@quartiere/db'
import pg from 'pg'
import { inject } from 'vitest'
import { databaseUrlFor, testBackend, testServerUrl } from './backend'

const templateCopyLockKey = 4_242_001

/**
 * A database of this test file's own, cloned from the migrated template: no state is shared between files.
 * `close` drops it.
 */
export async function openTestDatabase(): Promise<Database> {
  const template = inject('testDatabaseTemplate')
  if (testBackend() === 'pglite') {
    const dump = await readFile(template)
    return openDatabase({ loadDataDir: new Blob([dump]) })
  }
  const parentPid = template.replace('quartiere_tpl_', '')
  const name = `quartiere_test_${parentPid}_${randomBytes(6).toString('hex')}`
  // PostgreSQL copies a template for one CREATE DATABASE at a time; test files running in parallel take turns.
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [templateCopyLockKey])
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`)
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [templateCopyLockKey])
    }
  })
  const database = await openDatabase({ databaseUrl: databaseUrlFor(name), poolSizeMax: 10 })
  return {
    ...database,
    db: database.db,
    backend: database.backend,
    withSession: database.withSession,
    async close() {
      await database.close()
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: testServerUrl() })
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.end()
  }
}
