import type { AuthTokens } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '../support/test-app'
import { type Attempt, type RouteEntry, routeTable } from './route-table'
import { buildWorld, databaseFingerprint, type Role, roles, type World } from './world'

let w: World

beforeAll(async () => {
  w = await buildWorld()
})
afterAll(async () => {
  await w?.close()
})

/** Fields a client might send hoping to set what only the server decides. */
const smuggled: Record<string, unknown> = {
  role: 'admin',
  balance: '1000000.00',
  authorId: '00000000-0000-4000-8000-000000000001',
  author_id: '00000000-0000-4000-8000-000000000001',
  version: 99,
  deletedAt: null,
  id: '00000000-0000-4000-8000-000000000002',
  createdAt: '2000-01-01T00:00:00Z',
  hiddenAt: null,
  ownerId: '00000000-0000-4000-8000-000000000001',
  isAdmin: true,
}

const routeKey = (route: { method: string; url: string }) => `${route.method} ${route.url}`

/** Properties of `smuggled` that a route's body declares as its own: sending them is the route's purpose. */
const declaredBy: Record<string, string[]> = { 'PUT /api/admin/users/:id/role': ['role'] }

function present(): Set<string> {
  return new Set(w.t.app.routes.filter((r) => r.method !== 'HEAD').map(routeKey))
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)
}

/**
 * The role the table allows (the member when it may), and its token; for a route that everyone who may call it
 * meets with a business refusal (asking for a new confirmation link when the address is confirmed), a role
 * allowed to ask: its body is validated before any business rule.
 */
async function allowedActor(entry: RouteEntry): Promise<{ role: Role; tokens: AuthTokens | undefined }> {
  const order = ['member', ...roles] as Role[]
  const role =
    order.find((r) => entry.expect[r] === 'ok') ??
    order.find((r) => entry.expect[r] === 409 || entry.expect[r] === 422)
  if (!role) throw new Error(`${routeKey(entry)} allows no one`)
  if (role === 'anonymous') return { role, tokens: undefined }
  return { role, tokens: entry.freshActor ? await w.fresh.actor(role) : w.tokens[role] }
}

/** Where an extra property goes: the body itself, and each object nested in it. */
function objectsIn(payload: Record<string, unknown>): string[] {
  // Geometries are GeoJSON, whose foreign members are the map tests' business.
  return [
    '',
    ...Object.entries(payload)
      .filter(([key, nested]) => isPlainObject(nested) && key !== 'geometry')
      .map(([key]) => key),
  ]
}

function withExtra(payload: Record<string, unknown>, where: string, name: string, value: unknown) {
  if (where === '') return { ...payload, [name]: value }
  return { ...payload, [where]: { ...(payload[where] as object), [name]: value } }
}

describe('mass assignment', () => {
  it('refuses any property a write body does not declare (400), and stores nothing', async () => {
    const routes = present()
    const failures: string[] = []
    let bodies = 0
    for (const entry of routeTable) {
      if (entry.method === 'GET' || entry.method === 'OPTIONS' || !routes.has(routeKey(entry))) continue
      const { role, tokens: shared } = await allowedActor(entry)
      const attempt: Attempt = await entry.request(w, role)
      if (!isPlainObject(attempt.payload)) continue
      bodies += 1
      for (const [name, value] of Object.entries(smuggled)) {
        for (const where of objectsIn(attempt.payload)) {
          if (where === '' && declaredBy[routeKey(entry)]?.includes(name)) continue
          // A fresh attempt for each: some routes spend their target, and the request must be valid otherwise.
          const fresh = await entry.request(w, role)
          // A route that uses up its caller (erasure) gets a caller of its own each time.
          const tokens = entry.freshActor ? (await allowedActor(entry)).tokens : shared
          const before = await databaseFingerprint(w)
          const response = await w.t.request({
            method: fresh.method,
            url: fresh.url,
            headers: { ...(tokens ? bearer(tokens) : {}), ...fresh.headers },
            payload: withExtra(fresh.payload as Record<string, unknown>, where, name, value),
          })
          const label = `${routeKey(entry)} with ${where ? `/${where}` : ''}/${name}`
          // A 400 either way; at the top of a body it names the property. (`id` is the idempotency key of the
          // ledger's bodies: a different one from the header's is its own 400.) Nested in a union, as `to` is,
          // the validator reports the branch instead.
          const problem =
            response.statusCode === 400 ? (response.json() as { code: string; detail: string }) : null
          if (!problem) failures.push(`${label}: ${response.statusCode} ${response.body.slice(0, 200)}`)
          else if (where === '' && problem.code === 'invalid_request' && !problem.detail.includes(name))
            failures.push(`${label}: the 400 does not name the property: ${problem.detail}`)
          const changed = Object.entries(await databaseFingerprint(w))
            .filter(([table, digest]) => before[table] !== digest)
            .map(([table]) => table)
          if (changed.length) failures.push(`${label}: stored something in ${changed.join(', ')}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(bodies).toBeGreaterThan(30)
  }, 600_000)
})

/** Keys that name a password or its hash, in any case. */
const passwordKey = /^password(_?hash)?$/i

function passwordKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => passwordKeys(item, `${path}/${i}`))
  if (!isPlainObject(value)) return []
  return Object.entries(value).flatMap(([key, nested]) => [
    ...(passwordKey.test(key) ? [`${path}/${key}`] : []),
    ...passwordKeys(nested, `${path}/${key}`),
  ])
}

describe('what GET routes answer', () => {
  it("never carries another user's email, nor a password or its hash, to any role", async () => {
    const routes = present()
    const failures: string[] = []
    let answers = 0
    const users = ['member', 'other', 'manager', 'moderator', 'researcher', 'admin', 'peer'] as const
    for (const entry of routeTable) {
      if (entry.method !== 'GET' || entry.websocket || !routes.has(routeKey(entry))) continue
      for (const role of roles) {
        const attempt = await entry.request(w, role)
        const tokens = w.tokensOf(role)
        const response = await w.t.request({
          method: 'GET',
          url: attempt.url,
          headers: { ...(tokens ? bearer(tokens) : {}), ...attempt.headers },
        })
        answers += 1
        const where = `GET ${attempt.url} as ${role}`
        const body = response.body
        for (const user of users) {
          if (user === role) continue
          if (body.toLowerCase().includes(w.emails[user].toLowerCase()))
            failures.push(`${where}: carries the email of ${user}`)
        }
        // The OpenAPI documents describe the bodies that carry passwords; they are schemas, not data.
        const isSchema = entry.url === '/openapi.json' || entry.url === '/ogc/api'
        if (!isSchema && /json/.test(String(response.headers['content-type']))) {
          const keys = passwordKeys(JSON.parse(body))
          if (keys.length) failures.push(`${where}: carries ${keys.join(', ')}`)
        } else if (/password_?hash|scrypt\$/i.test(body)) {
          failures.push(`${where}: mentions a password hash`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(answers).toBeGreaterThan(40 * roles.length)
  }, 300_000)
})
