import type { AuthTokens } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'

/** Issue 9, "Limits, each tested": body size per route, writes per member, and refusing work when overloaded. */

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(response.statusCode, response.body).toBe(status)
  expect(String(response.headers['content-type'])).toContain('application/problem+json')
  expect(JSON.parse(response.body)).toMatchObject({ status, code })
}

async function count(t: TestApp, table: 'entities' | 'posts') {
  const row = await t.database.db
    .selectFrom(table)
    .select(({ fn }) => fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** A JSON body padded with insignificant whitespace to about `bytes`: valid JSON, just large. */
function padded(body: unknown, bytes: number) {
  const json = JSON.stringify(body)
  return `${json.slice(0, -1)}${' '.repeat(Math.max(0, bytes - json.length))}}`
}

describe('body size per route', () => {
  let t: TestApp
  let member: AuthTokens
  let entityId: string
  beforeAll(async () => {
    t = await createTestApp()
    member = await t.signUp()
    const created = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: validEntityByKind.space,
    })
    entityId = created.json().id
  })
  afterAll(async () => {
    await t?.close()
  })

  it('takes a large body where geometries need it (up to BODY_BYTES_MAX)', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: { ...bearer(member), 'content-type': 'application/json' },
      payload: padded(validEntityByKind.event, 600_000),
    })
    expect(response.statusCode, response.body).toBe(201)
    const tooLarge = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: { ...bearer(member), 'content-type': 'application/json' },
      payload: padded(validEntityByKind.event, 1_200_000),
    })
    expectProblem(tooLarge, 413, 'body_too_large')
  })

  it('refuses the same size on a route whose fields are short, and stores nothing', async () => {
    const before = await count(t, 'posts')
    const response = await t.request({
      method: 'POST',
      url: `/api/entities/${entityId}/posts`,
      headers: { ...bearer(member), 'content-type': 'application/json' },
      payload: padded({ title: 'Ciao', body: 'Una nota' }, 200_000),
    })
    expectProblem(response, 413, 'body_too_large')
    expect(await count(t, 'posts')).toBe(before)
    const small = await t.request({
      method: 'POST',
      url: `/api/entities/${entityId}/posts`,
      headers: bearer(member),
      payload: { title: 'Ciao', body: 'Una nota' },
    })
    expect(small.statusCode, small.body).toBe(201)
  })
})

describe('writes per member', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ WRITES_PER_MINUTE: '4' })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('refuses a member past the limit with 429 and Retry-After, writing nothing; others and reads go on', async () => {
    const [member, other] = [await t.signUp(), await t.signUp()]
    for (let i = 0; i < 4; i++) {
      const response = await t.request({
        method: 'POST',
        url: '/api/entities',
        headers: bearer(member),
        payload: { ...validEntityByKind.event, title: `Evento ${i}` },
      })
      expect(response.statusCode, response.body).toBe(201)
    }
    const before = await count(t, 'entities')
    const refused = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: validEntityByKind.event,
    })
    expectProblem(refused, 429, 'rate_limited')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(await count(t, 'entities')).toBe(before)
    // Invalid bodies count too: a flood of garbage is limited before it is parsed.
    const garbage = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: {},
    })
    expectProblem(garbage, 429, 'rate_limited')

    const read = await t.request({
      method: 'GET',
      url: '/api/entities?bbox=7.6,45,7.8,45.2',
      headers: bearer(member),
    })
    expect(read.statusCode).toBe(200)
    const others = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(other),
      payload: validEntityByKind.event,
    })
    expect(others.statusCode, others.body).toBe(201)
  })
})

describe('overload', () => {
  async function until(predicate: () => Promise<boolean>, attempts = 100) {
    for (let i = 0; i < attempts; i++) {
      if (await predicate()) return true
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return false
  }

  it('answers 503 overloaded with Retry-After past the heap threshold; /health still answers', async () => {
    const t = await createTestApp({ HEAP_USED_MAX_BYTES: '1' })
    try {
      const refused = await until(async () => {
        const r = await t.request({ method: 'GET', url: '/api/entities?bbox=7.6,45,7.8,45.2' })
        return r.statusCode === 503
      })
      expect(refused).toBe(true)
      const response = await t.request({ method: 'GET', url: '/api/entities?bbox=7.6,45,7.8,45.2' })
      expectProblem(response, 503, 'overloaded')
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0)
      const health = await t.request({ method: 'GET', url: '/health' })
      expect(health.statusCode).toBe(200)
    } finally {
      await t.close()
    }
  })

  it('refuses while the event loop lags and recovers by itself afterwards', async () => {
    const t = await createTestApp({ EVENT_LOOP_DELAY_MAX_MS: '40' })
    try {
      const url = '/api/entities?bbox=7.6,45,7.8,45.2'
      // Hold the event loop, as a runaway computation would, long enough to dominate a sampling interval.
      const refused = await until(async () => {
        const started = Date.now()
        while (Date.now() - started < 1_500) {
          // busy
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
        return (await t.request({ method: 'GET', url })).statusCode === 503
      }, 10)
      expect(refused).toBe(true)
      const recovered = await until(async () => (await t.request({ method: 'GET', url })).statusCode === 200)
      expect(recovered).toBe(true)
    } finally {
      await t.close()
    }
  })
})
