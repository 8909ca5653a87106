import { join } from 'node:path'
import { type Database, migrate, openDatabase } from '@quartiere/db'
import { loadConfig } from '../config'

/**
 * Opens the database the server would open from this environment (DATABASE_URL, else the embedded one in
 * DATA_DIR) and applies the migrations, so a CLI command always works on the same data as `pnpm start`.
 * Exits 1 with the migrator's message when it refuses (a changed or unknown migration).
 */
export async function openMigratedDatabase(): Promise<{ database: Database; applied: string[] }> {
  const config = loadConfig()
  const database = await openDatabase(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: join(config.dataDir, 'pglite') },
  )
  const where = config.databaseUrl ? redactPassword(config.databaseUrl) : join(config.dataDir, 'pglite')
  console.log(`database: ${database.backend} (${where})`)
  const migrated = await migrate(database)
  if (!migrated.ok) {
    await database.close()
    console.error(`migrations refused (${migrated.code}): ${migrated.message}`)
    process.exit(1)
  }
  return { database, applied: migrated.applied }
}

export function describeApplied(applied: string[]): string {
  return applied.length
    ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
    : 'migrations: up to date'
}

/** Connection strings may carry a password; the console must not. */
function redactPassword(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'DATABASE_URL'
  }
}
