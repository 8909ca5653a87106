import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { buildApp } from '@quartiere/api'
import { loadConfig } from '@quartiere/api/config'
import { type Database, migrate, openDatabase } from '@quartiere/db'
import pg from 'pg'
import { benchDatabaseUrlDefault } from './lib/bench-database'
import { createDatabaseIfMissing, databaseName, withDatabase } from './lib/ensure-database'
import { positiveIntegerEnv } from './lib/env'

/** Limited requests per measured pass (RATE_LIMIT_BENCH_REQUESTS). */
const requestsDefault = 2_000
/** Members the writes are spread over: one counter row each. */
const members = 50
/** Requests in flight at once in the concurrent pass. */
const concurrency = 8
/** Real writes (a point on the map) per variant, for the limiter's share of a write that does work. */
const entityWrites = 500
/** A write limit no pass reaches: every request is counted, none refused. */
const writesPerMinuteUnreached = 100_000_000

type Variant = 'no limit' | 'memory store' | 'database store'
interface Figures {
  sequential: number
  concurrent: number
  entities: number
}

/**
 * What counting the per-member write limit in the database costs a write, against the library's in-memory store
 * and against no limit at all, in one run: the API in-process (Fastify inject), `POST /api/entities` with an
 * empty body, which the limit counts and validation then refuses (400) before any other database work. So the
 * figures are the limiter's cost over the request path, on PostgreSQL (a throwaway database on the bench
 * server) and on the embedded PGlite. Then `entityWrites` real writes (a point on the map, one at a time) show
 * the limiter's share of a write that does its own work. The first variant is run once unmeasured, so that no
 * variant pays for the process's warm-up.
 */
export async function rateLimitBench(): Promise<void> {
  const requests = positiveIntegerEnv('RATE_LIMIT_BENCH_REQUESTS', requestsDefault)
  const serverUrl = process.env.BENCH_DATABASE_URL ?? benchDatabaseUrlDefault
  const throwaway = withDatabase(serverUrl, `quartiere_rate_limit_bench_${process.pid}`)
  await createDatabaseIfMissing(throwaway)
  try {
    const postgres = await openDatabase({ databaseUrl: throwaway })
    try {
      await measureBackend('postgres', postgres, requests)
    } finally {
      await postgres.close()
    }
  } finally {
    const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName(throwaway))} WITH (FORCE)`)
    await admin.end()
  }
  const pglite = await openDatabase({})
  try {
    await measureBackend('pglite', pglite, requests)
  } finally {
    await pglite.close()
  }
}

async function measureBackend(backend: string, database: Database, requests: number): Promise<void> {
  const migrated = await migrate(database)
  if (!migrated.ok) throw new Error(`migrations refused: ${migrated.message}`)
  const results = new Map<Variant, Figures>()
  const variants = ['memory store', 'memory store', 'no limit', 'database store'] as const
  for (const [round, variant] of variants.entries()) {
    const config = {
      ...loadConfig({ DATA_DIR: '/nonexistent-bench-data-dir', SEED_DEMO: 'false' }),
      passwordLog2N: 10,
      authRateLimitPerMinute: writesPerMinuteUnreached,
    }
    config.load = {
      ...config.load,
      writesPerMinute: variant === 'no limit' ? 0 : writesPerMinuteUnreached,
      eventLoopDelayMaxMs: 0,
    }
    const app = await buildApp({ config, database, rateLimitsInMemory: variant === 'memory store' })
    try {
      const tokens: string[] = []
      for (let i = 0; i < members; i++) {
        const registered = await app.fastify.inject({
          method: 'POST',
          url: '/api/auth/register',
          payload: {
            email: `${randomUUID()}@example.org`,
            password: 'a long enough password',
            displayName: 'B',
          },
        })
        tokens.push((registered.json() as { accessToken: string }).accessToken)
      }
      const write = async (i: number) => {
        const response = await app.fastify.inject({
          method: 'POST',
          url: '/api/entities',
          headers: { authorization: `Bearer ${tokens[i % members]}` },
          payload: {},
        })
        if (response.statusCode !== 400) throw new Error(`expected 400, got ${response.statusCode}`)
      }
      // Warm-up: compiled schemas, JIT, pool connections.
      for (let i = 0; i < 200; i++) await write(i)
      let started = performance.now()
      for (let i = 0; i < requests; i++) await write(i)
      const sequential = requests / ((performance.now() - started) / 1000)
      started = performance.now()
      let next = 0
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests) await write(next++)
        }),
      )
      const concurrent = requests / ((performance.now() - started) / 1000)
      started = performance.now()
      for (let i = 0; i < entityWrites; i++) {
        const response = await app.fastify.inject({
          method: 'POST',
          url: '/api/entities',
          headers: { authorization: `Bearer ${tokens[i % members]}` },
          payload: {
            kind: 'space',
            title: `Bench ${i}`,
            geometry: { type: 'Point', coordinates: [7.68, 45.07] },
          },
        })
        if (response.statusCode !== 201) throw new Error(`expected 201, got ${response.statusCode}`)
      }
      const entities = entityWrites / ((performance.now() - started) / 1000)
      // The first round only warms the process up.
      if (round > 0) results.set(variant, { sequential, concurrent, entities })
    } finally {
      await app.close()
    }
  }
  const memory = results.get('memory store')!
  for (const [variant, { sequential, concurrent, entities }] of results) {
    console.log(
      `${backend.padEnd(9)} ${variant.padEnd(15)} ${requests} invalid writes (400): ` +
        `${Math.round(sequential).toLocaleString('en')} req/s one at a time ` +
        `(${(sequential / memory.sequential).toFixed(2)} of memory), ` +
        `${Math.round(concurrent).toLocaleString('en')} req/s ${concurrency} at a time ` +
        `(${(concurrent / memory.concurrent).toFixed(2)} of memory); ` +
        `${entityWrites} things written: ${Math.round(entities).toLocaleString('en')}/s ` +
        `(${(entities / memory.entities).toFixed(2)} of memory)`,
    )
  }
}
