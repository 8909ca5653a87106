import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type ApiProcess, generateJwtPrivateKey, makeTempDir, startApiProcess } from '../support/api-process'
import { validEntityByKind } from '../support/fixtures'
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres'

/**
 * PostgreSQL stops in the middle of a load and comes back. While it is down the API answers 503 with a
 * problem body and a Retry-After (never a hang, a crash or a 500), /health says the database is unreachable,
 * and once the server is back the API serves again by itself, with the books balanced and every acknowledged
 * transfer in them.
 */

/** A request that takes longer than this counts as a hang. */
const hangMs = 8_000
/** The API must serve again within this long of the database accepting connections (a bound, not a figure). */
const recoveryDeadlineMs = 30_000

let postgres: PrivatePostgres | undefined
let api: ApiProcess | undefined
let dataDir: { path: string; remove(): Promise<void> } | undefined

beforeAll(async () => {
  postgres = await startPrivatePostgres()
  dataDir = await makeTempDir('quartiere-outage-')
  api = await startApiProcess({
    databaseUrl: postgres.url,
    jwtPrivateKey: await generateJwtPrivateKey(),
    dataDir: dataDir.path,
  })
}, 120_000)

afterAll(async () => {
  await api?.stop()
  await postgres?.destroy()
  await dataDir?.remove()
})

interface Answer {
  status: number | 'hang' | 'network'
  contentType: string | null
  retryAfter: string | null
  body: string
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  try {
    const response = await fetch(`${api!.url}${path}`, { ...init, signal: AbortSignal.timeout(hangMs) })
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      retryAfter: response.headers.get('retry-after'),
      body: await response.text(),
    }
  } catch (error) {
    const name = (error as Error).name
    return {
      status: name === 'TimeoutError' ? 'hang' : 'network',
      contentType: null,
      retryAfter: null,
      body: String(error),
    }
  }
}

async function signUp(): Promise<{ accessToken: string; user: { id: string } }> {
  const answer = await call('/api/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `${randomUUID()}@example.org`,
      password: 'a long enough password',
      displayName: 'Outage',
    }),
  })
  expect(answer.status, answer.body).toBe(201)
  return JSON.parse(answer.body)
}

it('answers 503 while PostgreSQL is down and serves again by itself when it is back', async () => {
  const [anna, bruno] = [await signUp(), await signUp()]
  const auth = (who: { accessToken: string }) => ({
    authorization: `Bearer ${who.accessToken}`,
    'content-type': 'application/json',
  })
  const created = await call('/api/entities', {
    method: 'POST',
    headers: auth(anna),
    body: JSON.stringify(validEntityByKind.space),
  })
  expect(created.status, created.body).toBe(201)

  // Readers, writers and payers keep going through the whole outage.
  const answers: { path: string; answer: Answer }[] = []
  const acknowledged: string[] = []
  let running = true
  const loop = async (work: () => Promise<void>) => {
    while (running) await work()
  }
  const load = Promise.all([
    loop(async () => {
      const path = '/api/entities?bbox=7.6,45.0,7.75,45.1'
      answers.push({ path, answer: await call(path) })
    }),
    loop(async () => {
      const path = '/api/entities'
      answers.push({
        path,
        answer: await call(path, {
          method: 'POST',
          headers: auth(anna),
          body: JSON.stringify(validEntityByKind.event),
        }),
      })
    }),
    loop(async () => {
      const key = randomUUID()
      const path = '/api/ledger/transfers'
      const answer = await call(path, {
        method: 'POST',
        headers: { ...auth(anna), 'idempotency-key': key },
        body: JSON.stringify({ to: { userId: bruno.user.id }, amount: '0.01' }),
      })
      if (answer.status === 201) acknowledged.push(key)
      answers.push({ path, answer })
    }),
  ])

  await new Promise((r) => setTimeout(r, 500))
  await postgres!.stop()
  await new Promise((r) => setTimeout(r, 1_000))

  const health = await call('/health')
  expect(health.status, api!.output()).toBe(503)
  expect(JSON.parse(health.body)).toMatchObject({ status: 'degraded', databaseReachable: false })
  const read = await call('/api/entities?bbox=7.6,45.0,7.75,45.1')
  expect(read.status).toBe(503)
  expect(read.contentType).toMatch(/^application\/problem\+json/)
  expect(JSON.parse(read.body)).toMatchObject({ status: 503, code: 'database_unavailable' })
  expect(read.retryAfter).toBe('5')
  const pay = await call('/api/ledger/transfers', {
    method: 'POST',
    headers: { ...auth(anna), 'idempotency-key': randomUUID() },
    body: JSON.stringify({ to: { userId: bruno.user.id }, amount: '0.01' }),
  })
  expect(pay.status).toBe(503)

  await postgres!.start()
  const back = Date.now()
  let recoveredAfterMs = -1
  while (Date.now() - back < recoveryDeadlineMs) {
    const answer = await call('/health')
    if (answer.status === 200) {
      recoveredAfterMs = Date.now() - back
      break
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  console.log(
    `database outage: the API served again ${recoveredAfterMs} ms after PostgreSQL accepted connections`,
  )
  expect(recoveredAfterMs).toBeGreaterThanOrEqual(0)
  await new Promise((r) => setTimeout(r, 500))
  running = false
  await load

  // Nothing hung, nothing crashed, nothing answered 500: only successes and 503s.
  const statuses = new Set(answers.map((a) => a.answer.status))
  const unexpected = answers.filter((a) => ![200, 201, 503].includes(a.answer.status as number))
  expect(unexpected.slice(0, 3)).toEqual([])
  expect(statuses.has(503)).toBe(true)
  for (const { answer } of answers.filter((a) => a.answer.status === 503)) {
    expect(JSON.parse(answer.body).code).toMatch(/^(database_unavailable|unavailable)$/)
  }
  // Served again after the outage, reads and writes alike.
  expect((await call('/api/entities?bbox=7.6,45.0,7.75,45.1')).status).toBe(200)
  const after = await call('/api/ledger/transfers', {
    method: 'POST',
    headers: { ...auth(anna), 'idempotency-key': randomUUID() },
    body: JSON.stringify({ to: { userId: bruno.user.id }, amount: '0.01' }),
  })
  expect(after.status, after.body).toBe(201)
  expect(api!.output()).not.toMatch(/uncaught|unhandled/i)

  const client = new pg.Client({ connectionString: postgres!.url })
  await client.connect()
  try {
    expect((await client.query('SELECT * FROM ledger_audit()')).rows).toEqual([])
    const found = await client.query('SELECT count(*)::int AS n FROM transfers WHERE id = ANY($1::uuid[])', [
      acknowledged,
    ])
    expect(found.rows[0].n).toBe(acknowledged.length)
  } finally {
    await client.end()
  }
}, 120_000)
