import { randomUUID } from 'node:crypto'
import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiCluster, startApiCluster } from './support/api-cluster'
import type { ApiProcess } from './support/api-process'

/**
 * Two API processes on one PostgreSQL database, as behind a load balancer, with requests split between them:
 * the per-member write limit, the per-IP limit of the auth routes and the failed-login throttle hold at the
 * configured count, not at twice it, because they are counted in the database (migration 0012) and not in
 * each process.
 */

const writesPerMinute = 6
const authRequestsPerMinute = 8
const loginFailuresMax = 4
const password = 'a long enough password'

let database: Database | undefined
let cluster: ApiCluster | undefined
const instances: ApiProcess[] = []

beforeAll(async () => {
  const env = {
    WRITES_PER_MINUTE: String(writesPerMinute),
    AUTH_RATE_LIMIT_PER_MINUTE: String(authRequestsPerMinute),
    LOGIN_FAILURES_PER_ACCOUNT_MAX: String(loginFailuresMax),
  }
  cluster = await startApiCluster({ count: 2, tempPrefix: 'quartiere-shared-limits-', env })
  database = cluster.database
  instances.push(...cluster.instances)
})

afterAll(async () => {
  await cluster?.stop()
})

/** The i-th request goes to one instance, the next to the other. */
async function send(i: number, path: string, init: { method: string; body?: unknown; token?: string }) {
  const instance = instances[i % instances.length]!
  const response = await fetch(`${instance.url}${path}`, {
    method: init.method,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: JSON.stringify(init.body ?? {}),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await response.text()
  return { status: response.status, text, code: (tryJson(text) as { code?: string } | undefined)?.code }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

async function signUp(i: number) {
  const email = `${randomUUID()}@example.org`
  const registered = await send(i, '/api/auth/register', {
    method: 'POST',
    body: { email, password, displayName: 'Shared limits' },
  })
  expect(registered.status, registered.text).toBe(201)
  return { email, accessToken: (JSON.parse(registered.text) as { accessToken: string }).accessToken }
}

describe('limits shared by two API instances', () => {
  it('a member writing through both instances is refused at the per-member limit, not at twice it', async () => {
    const member = await signUp(0)
    const answers: number[] = []
    for (let i = 0; i < writesPerMinute + 2; i++) {
      // Invalid bodies are counted too (the limit comes before validation), and they write nothing.
      answers.push(
        (await send(i, '/api/entities', { method: 'POST', body: {}, token: member.accessToken })).status,
      )
    }
    expect(answers.slice(0, writesPerMinute).every((status) => status === 400)).toBe(true)
    // Both instances refuse the next ones: each has seen only half of the writes itself.
    expect(answers.slice(writesPerMinute)).toEqual([429, 429])
  })

  it('failed logins split across both instances lock the account at the configured count', async () => {
    const member = await signUp(1)
    for (let i = 0; i < loginFailuresMax; i++) {
      const failed = await send(i, '/api/auth/login', {
        method: 'POST',
        body: { email: member.email, password: 'not the password at all' },
      })
      expect(failed.status, failed.text).toBe(401)
    }
    // Now even the right password is refused, on either instance.
    for (let i = 0; i < 2; i++) {
      const locked = await send(i, '/api/auth/login', {
        method: 'POST',
        body: { email: member.email, password },
      })
      expect(locked.status, locked.text).toBe(429)
      expect(locked.code).toBe('too_many_attempts')
    }
  })

  it('the per-IP limit of an auth route holds across both instances', async () => {
    const answers: { status: number; code: string | undefined }[] = []
    for (let i = 0; i < authRequestsPerMinute + 2; i++) {
      const { status, code } = await send(i, '/api/auth/logout', {
        method: 'POST',
        body: { refreshToken: 'not-a-token' },
      })
      answers.push({ status, code })
    }
    expect(answers.slice(0, authRequestsPerMinute).map((a) => a.status)).toEqual(
      Array(authRequestsPerMinute).fill(204),
    )
    expect(answers.slice(authRequestsPerMinute)).toEqual([
      { status: 429, code: 'rate_limited' },
      { status: 429, code: 'rate_limited' },
    ])
  })

  it('counts in the database, under digests of the keys: no address or member id is stored', async () => {
    const rows = await sql<{
      key: string
    }>`SELECT encode(key, 'hex') AS key FROM rate_limit_counters`.execute(database!.db)
    expect(rows.rows.length).toBeGreaterThan(0)
    const text = await sql<{
      text: string
    }>`SELECT string_agg(t::text, ' ') AS text FROM rate_limit_counters t`.execute(database!.db)
    expect(text.rows[0]!.text).not.toContain('127.0.0.1')
  })
})
