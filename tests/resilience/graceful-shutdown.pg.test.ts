import { randomUUID } from 'node:crypto'
import { realtimeCloseCodes } from '@quartiere/contracts'
import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type ApiProcess, generateJwtPrivateKey, makeTempDir, startApiProcess } from '../support/api-process'
import { databaseUrlFor } from '../support/backend'
import { ledgerViolations } from '../support/ledger'
import { openTestDatabase } from '../support/test-database'

/**
 * SIGTERM reaches the API in the middle of a load of transfers and map reads, with a websocket client on the
 * realtime feed. Requests it had accepted are answered; new ones get a 503 problem (or find the port closed);
 * the websocket gets a close frame telling it to reconnect elsewhere; the process exits by itself, cleanly,
 * within the shutdown timeout; and no transfer is half-applied: every acknowledged one is in the books, which
 * balance.
 */

/** server.ts exits with 1 when closing takes longer than this: a clean exit (0) proves it finished in time. */
const shutdownTimeoutMs = 10_000
const payers = 8

let database: Database | undefined
let dataDir: { path: string; remove(): Promise<void> } | undefined
let api: ApiProcess | undefined

beforeAll(async () => {
  database = await openTestDatabase()
  const { name } = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(database.db))
    .rows[0]!
  dataDir = await makeTempDir('quartiere-shutdown-')
  api = await startApiProcess({
    databaseUrl: databaseUrlFor(name),
    jwtPrivateKey: await generateJwtPrivateKey(),
    dataDir: dataDir.path,
  })
})

afterAll(async () => {
  await api?.stop()
  await database?.close()
  await dataDir?.remove()
})

type Outcome = number | 'refused' | 'hang'

async function send(path: string, init: RequestInit = {}): Promise<{ outcome: Outcome; body: string }> {
  try {
    const response = await fetch(`${api!.url}${path}`, { ...init, signal: AbortSignal.timeout(15_000) })
    return { outcome: response.status, body: await response.text() }
  } catch (error) {
    return { outcome: (error as Error).name === 'TimeoutError' ? 'hang' : 'refused', body: String(error) }
  }
}

async function signUp() {
  const { outcome, body } = await send('/api/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `${randomUUID()}@example.org`,
      password: 'a long enough password',
      displayName: 'Shutdown',
    }),
  })
  expect(outcome, body).toBe(201)
  return JSON.parse(body) as { accessToken: string; user: { id: string } }
}

it('finishes what it accepted, refuses the rest with 503 and exits cleanly on SIGTERM', async () => {
  const members = await Promise.all(Array.from({ length: payers + 1 }, signUp))
  const payee = members[0]!
  const acknowledged: string[] = []
  const outcomes: { phase: 'before' | 'after'; outcome: Outcome; body: string }[] = []
  let terminated = false
  let stop = false

  const payer = async (who: { accessToken: string }) => {
    while (!stop) {
      const key = randomUUID()
      const phase = terminated ? 'after' : 'before'
      const answer = await send('/api/ledger/transfers', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${who.accessToken}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ to: { userId: payee.user.id }, amount: '0.01' }),
      })
      if (answer.outcome === 201) acknowledged.push(key)
      outcomes.push({ phase, ...answer })
      if (answer.outcome === 'refused') return
    }
  }
  const reader = async () => {
    while (!stop) {
      const phase = terminated ? 'after' : 'before'
      const answer = await send('/api/entities?bbox=7.6,45.0,7.75,45.1')
      outcomes.push({ phase, ...answer })
      if (answer.outcome === 'refused') return
    }
  }
  const load = Promise.all([...members.slice(1).map(payer), reader(), reader()])
  const socket = new WebSocket(`${api!.url.replace('http', 'ws')}/ws`)
  const socketClosed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  socket.send(JSON.stringify({ type: 'hello', token: payee.accessToken }))

  await new Promise((r) => setTimeout(r, 1_500))
  const acknowledgedBefore = acknowledged.length
  terminated = true
  const signalledAt = Date.now()
  api!.kill('SIGTERM')
  const exit = await api!.exited
  const exitMs = Date.now() - signalledAt
  stop = true
  await load
  expect(await socketClosed).toBe(realtimeCloseCodes.goingAway)
  console.log(
    `graceful shutdown: exited ${exit.code} in ${exitMs} ms after SIGTERM; ${acknowledgedBefore} transfers acknowledged before it, ${acknowledged.length} in all`,
  )

  expect(exit, api!.output()).toEqual({ code: 0, signal: null })
  expect(exitMs).toBeLessThan(shutdownTimeoutMs)
  expect(acknowledgedBefore).toBeGreaterThan(0)
  // Before the signal everything succeeded; after it, a request was finished, refused with 503, or found the
  // port closed. Never a 500 and never a hang.
  expect(outcomes.filter((o) => o.phase === 'before' && o.outcome !== 200 && o.outcome !== 201)).toEqual([])
  const after = outcomes.filter((o) => o.phase === 'after')
  expect(after.filter((o) => ![200, 201, 503, 'refused'].includes(o.outcome))).toEqual([])
  for (const o of after.filter((o) => o.outcome === 503)) {
    expect(JSON.parse(o.body)).toMatchObject({ status: 503, code: 'shutting_down' })
  }
  expect(api!.output()).not.toMatch(/uncaught|unhandled/i)

  expect(await ledgerViolations(database!)).toEqual([])
  const found = await database!.db
    .selectFrom('transfers')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('id', 'in', acknowledged)
    .executeTakeFirstOrThrow()
  expect(Number(found.n)).toBe(acknowledged.length)
}, 120_000)
