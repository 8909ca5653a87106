import { type App, buildApp } from '@quartiere/api'
import { loadConfig } from '@quartiere/api/config'
import { createTokenIssuer } from '@quartiere/auth'
import type { AuthTokens } from '@quartiere/contracts'
import { type Database, openDatabase } from '@quartiere/db'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseUrlFor } from '../support/backend'
import { point, validEntityByKind } from '../support/fixtures'
import { testPassword, testPasswordLog2N } from '../support/test-app'
import { openTestDatabase } from '../support/test-database'
import { connectFeed, type FeedClient, helloFeed, subscribeFeed } from './ws-client'

/** Two API instances on one PostgreSQL database, each with its own pool, relay and LISTEN connection. */
let database: Database
let second: Database
let databaseUrl: string
let a: App
let b: App
let anna: AuthTokens
const clients: FeedClient[] = []
const centre: [number, number, number, number] = [7.68, 45.065, 7.69, 45.075]

async function start(db: Database, tokens: Awaited<ReturnType<typeof createTokenIssuer>>) {
  const config = {
    ...loadConfig({
      DATA_DIR: '/nonexistent-test-data-dir',
      DATABASE_URL: databaseUrl,
      OUTBOX_POLL_INTERVAL_MS: '60000',
    }),
    passwordLog2N: testPasswordLog2N,
    seedDemo: false,
  }
  const app = await buildApp({ config, database: db, tokens })
  await app.fastify.listen({ port: 0, host: '127.0.0.1' })
  return app
}

function wsUrl(app: App) {
  const address = app.fastify.server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return `ws://127.0.0.1:${address.port}/ws`
}

beforeAll(async () => {
  database = await openTestDatabase()
  const name = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(database.db)).rows[0]!
    .name
  databaseUrl = databaseUrlFor(name)
  second = await openDatabase({ databaseUrl, poolSizeMax: 5 })
  const tokens = await createTokenIssuer({ issuer: 'quartiere', audience: 'quartiere-api' })
  // The safety-net poll is set to a minute: what arrives sooner was woken by NOTIFY or in process.
  a = await start(database, tokens)
  b = await start(second, tokens)
  const registered = await a.fastify.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { email: `anna.${Date.now()}@example.org`, password: testPassword, displayName: 'Anna' },
  })
  expect(registered.statusCode, registered.body).toBe(201)
  anna = registered.json() as AuthTokens
})

afterAll(async () => {
  for (const c of clients) await c.close()
  await b?.close()
  await a?.close()
  await second?.close()
  await database?.close()
})

async function createThrough(app: App, title: string) {
  const response = await app.fastify.inject({
    method: 'POST',
    url: '/api/entities',
    headers: { authorization: `Bearer ${anna.accessToken}` },
    payload: { ...validEntityByKind.space, title, geometry: point(7.685, 45.07) },
  })
  expect(response.statusCode, response.body).toBe(201)
  return (response.json() as { id: string }).id
}

async function subscribedClient(app: App) {
  const c = await connectFeed(wsUrl(app))
  clients.push(c)
  await helloFeed(c)
  await subscribeFeed(c, { id: 'v', bbox: centre })
  return c
}

const titleOf = (e: { data: unknown }) => (e.data as { properties?: { title?: string } }).properties?.title

describe('two API instances on one PostgreSQL', () => {
  it('delivers what is written through either instance to the clients of both', async () => {
    const onA = await subscribedClient(a)
    const onB = await subscribedClient(b)
    const one = await createThrough(a, 'through A')
    const two = await createThrough(b, 'through B')
    for (const c of [onA, onB]) {
      await c.next((m) => m.type === 'event' && (m.data as { id: string }).id === two)
      expect(c.events().map((e) => (e.data as { id: string }).id)).toEqual([one, two])
    }
  })

  it('holds a later commit back until an earlier seq commits, and skips a rolled-back one', async () => {
    const onA = await subscribedClient(a)
    const onB = await subscribedClient(b)
    const held = new pg.Client({ connectionString: databaseUrl })
    await held.connect()
    try {
      await held.query('BEGIN')
      const earlier = await held.query<{ seq: string }>(
        `INSERT INTO events_outbox (topic, entity_id, min_lon, min_lat, max_lon, max_lat, payload)
         VALUES ('post.created', gen_random_uuid(), 7.685, 45.07, 7.685, 45.07, '{"title":"held"}')
         RETURNING seq`,
      )
      // A later seq commits first, through instance B.
      await createThrough(b, 'later')
      // Both relays see seq+1 committed and seq missing, with its transaction still running: nothing goes out.
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(onA.events()).toEqual([])
      expect(onB.events()).toEqual([])
      await held.query('COMMIT')
      a.realtime.relay.announce()
      for (const c of [onA, onB]) {
        await c.next((m) => m.type === 'event' && titleOf(m) === 'later')
        expect(c.events().map((e) => [e.seq, e.topic])).toEqual([
          [Number(earlier.rows[0]!.seq), 'post.created'],
          [Number(earlier.rows[0]!.seq) + 1, 'entity.created'],
        ])
      }
      // A rolled-back seq is a hole that never fills: the relays pass it once its transaction has ended.
      await held.query('BEGIN')
      await held.query(`INSERT INTO events_outbox (topic, payload) VALUES ('notification.created', '{}')`)
      await held.query('ROLLBACK')
      await createThrough(a, 'after the rollback')
      for (const c of [onA, onB])
        await c.next((m) => m.type === 'event' && titleOf(m) === 'after the rollback')
    } finally {
      await held.end()
    }
  })

  it('closes its sockets with 1001 going away when it shuts down', async () => {
    const c = await connectFeed(wsUrl(b))
    await helloFeed(c)
    await b.close()
    expect((await c.closed).code).toBe(1001)
  })
})
