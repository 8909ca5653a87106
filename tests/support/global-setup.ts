import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate, openDatabase } from '@quartiere/db'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { databaseUrlFor, type TestBackend, testServerUrl } from './backend'

declare module 'vitest' {
  export interface ProvidedContext {
    /** pglite: path of the dumped, migrated data directory; postgres: name of the migrated template database. */
    testDatabaseTemplate: string
  }
}

/**
 * Migrates a template database once per run, so that each test file starts from a fresh copy in about a
 * second instead of running every migration again.
 */
export default async function setup(project: TestProject) {
  const backend = project.name as TestBackend
  if (backend === 'pglite') {
    const database = await openDatabase({})
    const outcome = await migrate(database)
    if (!outcome.ok) throw new Error(outcome.message)
    const dump = await database.dumpDataDir!()
    await database.close()
    const path = join(tmpdir(), `quartiere-pglite-template-${process.pid}.tar.gz`)
    await writeFile(path, Buffer.from(await dump.arrayBuffer()))
    project.provide('testDatabaseTemplate', path)
    return
  }

  const template = `quartiere_tpl_${process.pid}`
  const admin = new pg.Client({ connectionString: testServerUrl() })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${template}`)
  const database = await openDatabase({ databaseUrl: databaseUrlFor(template), poolSizeMax: 1 })
  const outcome = await migrate(database)
  await database.close()
  if (!outcome.ok) throw new Error(outcome.message)
  // No session may linger on a template while it is copied; refusing connections guarantees it.
  await admin.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`)
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [template],
  )
  project.provide('testDatabaseTemplate', template)

  return async () => {
    // Test files drop their own databases; this sweeps up after any that crashed, then the template.
    const leftovers = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`quartiere_test_${process.pid}_%`],
    )
    for (const { datname } of leftovers.rows)
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`)
    await admin.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE false`)
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`)
    await admin.end()
  }
}
