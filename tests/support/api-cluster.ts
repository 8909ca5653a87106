import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { type ApiProcess, generateJwtPrivateKey, makeTempDir, startApiProcess } from './api-process'
import { databaseUrlFor } from './backend'
import { openTestDatabase } from './test-database'

/** Several API processes on one test database of their own, as instances behind a proxy are in production. */
export interface ApiCluster {
  /** The test's own handle on the database the instances share. */
  readonly database: Database
  readonly instances: readonly ApiProcess[]
  /** Stops every instance, then closes the database and removes the data directory. */
  stop(): Promise<void>
}

/**
 * Starts `count` API processes that share a fresh test database, one signing key (a token one issues, every
 * other accepts) and a data directory. When one fails to start, those that did are stopped before the error
 * is thrown, so a test file leaves no process behind.
 */
export async function startApiCluster(options: {
  count: number
  tempPrefix: string
  env?: Record<string, string>
}): Promise<ApiCluster> {
  const database = await openTestDatabase()
  const { name } = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(database.db))
    .rows[0]!
  const dataDir = await makeTempDir(options.tempPrefix)
  const jwtPrivateKey = await generateJwtPrivateKey()
  const started = await Promise.allSettled(
    Array.from({ length: options.count }, () =>
      startApiProcess({
        databaseUrl: databaseUrlFor(name),
        jwtPrivateKey,
        dataDir: dataDir.path,
        ...(options.env ? { env: options.env } : {}),
      }),
    ),
  )
  const instances = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const stop = async () => {
    await Promise.all(instances.map((instance) => instance.stop()))
    await database.close()
    await dataDir.remove()
  }
  const failure = started.find((result) => result.status === 'rejected')
  if (failure) {
    await stop()
    throw failure.reason
  }
  return { database, instances, stop }
}
