import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database, RawSession } from './database'

/** The repository's migrations folder. */
export const migrationsDir = fileURLToPath(new URL('../../../migrations', import.meta.url))

export interface Migration {
  version: number
  name: string
  sql: string
  checksum: string
}

export type MigrationOutcome =
  | { ok: true; applied: string[] }
  | { ok: false; code: 'unknown_migration'; message: string }
  | { ok: false; code: 'checksum_mismatch'; message: string }

const fileNamePattern = /^(\d{4})_([a-z0-9_]+)\.sql$/

/** Reads `NNNN_name.sql` files in order. Numbers must be unique and have no gaps. */
export function readMigrations(dir = migrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = fileNamePattern.exec(file)
      if (!match) throw new Error(`migration file name ${file} must look like 0001_some_name.sql`)
      const sql = readFileSync(join(dir, file), 'utf8')
      return {
        version: Number(match[1]),
        name: match[2]!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      }
    })
    .sort((a, b) => a.version - b.version)
  migrations.forEach((m, index) => {
    if (m.version !== index + 1)
      throw new Error(`migrations must be numbered 1, 2, 3…; found ${m.version} at ${index + 1}`)
  })
  return migrations
}

// Any 64-bit number works; two instances starting at once take turns on it instead of migrating twice.
const migrationLockKey = 7_135_201_955

/**
 * Applies pending migrations, each in its own transaction together with its row in schema_migrations.
 * Refuses (and changes nothing) when the database has a migration this code does not know, which means the
 * code is older than the database, or when an applied migration's file was edited after it ran.
 */
export async function migrate(database: Database, migrations = readMigrations()): Promise<MigrationOutcome> {
  return database.withSession(async (session) => {
    if (database.backend === 'postgres')
      await session.query('SELECT pg_advisory_lock($1)', [migrationLockKey])
    try {
      return await migrateInSession(session, migrations)
    } finally {
      if (database.backend === 'postgres')
        await session.query('SELECT pg_advisory_unlock($1)', [migrationLockKey])
    }
  })
}

async function migrateInSession(session: RawSession, migrations: Migration[]): Promise<MigrationOutcome> {
  await session.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`)
  const applied = await session.query<{ version: number; name: string; checksum: string }>(
    'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
  )
  const known = new Map(migrations.map((m) => [m.version, m]))
  for (const row of applied) {
    const migration = known.get(row.version)
    if (!migration) {
      return {
        ok: false,
        code: 'unknown_migration',
        message: `the database has migration ${row.version} (${row.name}), which this code does not know: run a newer version of Quartiere`,
      }
    }
    if (migration.checksum !== row.checksum) {
      return {
        ok: false,
        code: 'checksum_mismatch',
        message: `migration ${row.version} (${row.name}) was changed after it was applied; migrations are frozen, add a new one`,
      }
    }
  }
  const done = new Set(applied.map((row) => row.version))
  const names: string[] = []
  for (const migration of migrations) {
    if (done.has(migration.version)) continue
    await session.exec('BEGIN')
    try {
      // A migration may rewrite every row of a large table: the per-statement timeout of request traffic
      // does not apply to it.
      await session.exec('SET LOCAL statement_timeout = 0')
      await session.exec(migration.sql)
      await session.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ])
      await session.exec('COMMIT')
    } catch (error) {
      await session.exec('ROLLBACK')
      throw new Error(
        `migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      )
    }
    names.push(`${String(migration.version).padStart(4, '0')}_${migration.name}`)
  }
  return { ok: true, applied: names }
}
