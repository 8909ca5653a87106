import { randomUUID } from 'node:crypto'
import { changeRole } from '@quartiere/auth'
import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type ApiCluster, startApiCluster } from './support/api-cluster'
import type { ApiProcess } from './support/api-process'

/**
 * Two admins, each on an API instance of their own, take the admin role from each other at the same moment.
 * The platform must keep an admin: one change goes through and the other is refused, never both.
 */

const rounds = 5
const password = 'a long enough password'

let database: Database | undefined
let cluster: ApiCluster | undefined
const instances: ApiProcess[] = []

beforeAll(async () => {
  cluster = await startApiCluster({ count: 2, tempPrefix: 'quartiere-roles-race-' })
  database = cluster.database
  instances.push(...cluster.instances)
})

afterAll(async () => {
  await cluster?.stop()
})

async function call(
  instance: ApiProcess,
  path: string,
  init: { method: string; body: unknown; token?: string },
) {
  const response = await fetch(`${instance.url}${path}`, {
    method: init.method,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: JSON.stringify(init.body),
    signal: AbortSignal.timeout(15_000),
  })
  return { status: response.status, body: await response.text() }
}

async function signUp(): Promise<{ id: string; token: string }> {
  const registered = await call(instances[0]!, '/api/auth/register', {
    method: 'POST',
    body: { email: `${randomUUID()}@example.org`, password, displayName: 'Racing Admin' },
  })
  expect(registered.status, registered.body).toBe(201)
  const tokens = JSON.parse(registered.body) as { accessToken: string; user: { id: string } }
  return { id: tokens.user.id, token: tokens.accessToken }
}

const admins = async () =>
  (
    await sql<{
      n: number
    }>`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND erased_at IS NULL`.execute(database!.db)
  ).rows[0]!.n

it('two admins demoting each other at once through two instances leave one admin', async () => {
  let survivor = await signUp()
  // The first admin, from the console as `pnpm admin:grant` makes it.
  const first = await database!.db
    .transaction()
    .execute((trx) => changeRole(trx, { actorId: null, userId: survivor.id, role: 'admin' }))
  expect(first.ok).toBe(true)

  for (let round = 0; round < rounds; round++) {
    const rival = await signUp()
    const promoted = await call(instances[round % 2]!, `/api/admin/users/${rival.id}/role`, {
      method: 'PUT',
      body: { role: 'admin' },
      token: survivor.token,
    })
    expect(promoted.status, promoted.body).toBe(200)
    expect(await admins()).toBe(2)

    const [a, b] = await Promise.all([
      call(instances[0]!, `/api/admin/users/${rival.id}/role`, {
        method: 'PUT',
        body: { role: 'member' },
        token: survivor.token,
      }),
      call(instances[1]!, `/api/admin/users/${survivor.id}/role`, {
        method: 'PUT',
        body: { role: 'member' },
        token: rival.token,
      }),
    ])
    const statuses = [a.status, b.status]
    // One wins; the other finds its own role gone (403) or the target the last admin (409).
    expect(
      statuses.filter((status) => status === 200),
      `${a.body} ${b.body}`,
    ).toHaveLength(1)
    expect(
      statuses.every((status) => [200, 403, 409].includes(status)),
      `${a.body} ${b.body}`,
    ).toBe(true)
    expect(await admins()).toBe(1)
    if (b.status === 200) survivor = rival
  }
})
