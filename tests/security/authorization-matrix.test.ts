import type { AuthTokens } from '@quartiere/contracts'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectFeed, type FeedClient, helloFeed, subscribeFeed, turinBbox } from '../realtime/ws-client'
import { point, validEntityByKind } from '../support/fixtures'
import { bearer } from '../support/test-app'
import { type Expected, type RouteEntry, routeTable } from './route-table'
import {
  buildWorld,
  databaseFingerprint,
  memberRows,
  memberRowsChanged,
  type Role,
  roles,
  type World,
} from './world'

let w: World

beforeAll(async () => {
  w = await buildWorld()
})
afterAll(async () => {
  await w?.close()
})

const routeKey = (route: { method: string; url: string }) => `${route.method} ${route.url}`

function appRoutes(): Set<string> {
  return new Set(w.t.app.routes.filter((r) => r.method !== 'HEAD').map(routeKey))
}

function isPresent(entry: RouteEntry, present: Set<string>) {
  return present.has(routeKey(entry))
}

/** Every entry is a route of the app, but for the web client's when it is not built. */
function isExpected(entry: RouteEntry, present: Set<string>) {
  return !entry.webClient || isPresent(entry, present)
}

const refusals = new Set<Expected>([401, 403, 404, 409, 422])

/** What went wrong with one answer, or undefined when it is what the table says. */
function mismatch(expected: Expected, response: LightMyRequestResponse, sameAs: number | undefined) {
  const status = response.statusCode
  if (status >= 500) return `a ${status}`
  if (expected === 'ok') return (status >= 200 && status < 300) || status === 304 ? undefined : `${status}`
  if (expected === 'same') {
    if (status === 401 || status === 403) return `${status} (a route without access control)`
    return sameAs === undefined || status === sameAs ? undefined : `${status}, anonymous got ${sameAs}`
  }
  if (status !== expected) return `${status}`
  if (!String(response.headers['content-type']).startsWith('application/problem+json'))
    return `${status} without a problem body`
  const body = response.json() as { code?: unknown }
  return typeof body.code === 'string' ? undefined : `${status} without a code`
}

/** Tables whose digest differs. */
function changed(before: Record<string, string>, after: Record<string, string>) {
  return Object.keys({ ...before, ...after }).filter((name) => before[name] !== after[name])
}

describe('the route table', () => {
  it('has an entry for every route of the app, and every entry is a route of the app', () => {
    const present = appRoutes()
    const entries = new Set(routeTable.map(routeKey))
    const missing = [...present].filter((route) => !entries.has(route))
    const stale = routeTable
      .filter((entry) => isExpected(entry, present) && !isPresent(entry, present))
      .map(routeKey)
    expect(missing, 'routes without an entry in tests/security/route-table.ts').toEqual([])
    expect(stale, 'entries for routes the app does not have').toEqual([])
    expect(entries.size, 'one entry per route').toBe(routeTable.length)
  })
})

describe('every route × every role', () => {
  it('answers as the table says; a refused write changes nothing, and self-service leaves the member alone', async () => {
    const present = appRoutes()
    const failures: string[] = []
    let checked = 0
    for (const entry of routeTable) {
      if (entry.websocket || !isExpected(entry, present)) continue
      // Refusals first: they must find the shared targets as the fixture left them.
      const order = [...roles].sort(
        (a, b) => Number(refusals.has(entry.expect[b])) - Number(refusals.has(entry.expect[a])),
      )
      let anonymousStatus: number | undefined
      for (const role of ['anonymous' as Role, ...order.filter((r) => r !== 'anonymous')]) {
        const expected = entry.expect[role]
        const attempt = await entry.request(w, role)
        const actor: AuthTokens | undefined =
          role === 'anonymous' ? undefined : entry.freshActor ? await w.fresh.actor(role) : w.tokens[role]
        const refusedWrite = attempt.method !== 'GET' && refusals.has(expected)
        const guardsMember = entry.selfScoped && role !== 'member' && !refusedWrite
        const before = refusedWrite ? await databaseFingerprint(w) : undefined
        const memberBefore = guardsMember ? await memberRows(w) : undefined
        const response = await w.t.request({
          method: attempt.method,
          url: attempt.url,
          headers: { ...(actor ? bearer(actor) : {}), ...attempt.headers },
          ...(attempt.payload !== undefined ? { payload: attempt.payload as object } : {}),
        })
        checked += 1
        const where = `${routeKey(entry)} as ${role} (${attempt.method} ${attempt.url})`
        if (role === 'anonymous') anonymousStatus = response.statusCode
        const wrong = mismatch(expected, response, anonymousStatus)
        if (wrong)
          failures.push(`${where}: expected ${expected}, got ${wrong}: ${response.body.slice(0, 200)}`)
        if (before) {
          const tables = changed(before, await databaseFingerprint(w))
          if (tables.length) failures.push(`${where}: refused, yet changed ${tables.join(', ')}`)
        }
        if (memberBefore) {
          const rows = memberRowsChanged(memberBefore, await memberRows(w))
          if (rows.length) failures.push(`${where}: touched the member's rows: ${rows.join(', ')}`)
        }
        if (entry.mustNotShow?.to.includes(role) && response.statusCode < 300) {
          for (const secret of entry.mustNotShow.ids(w)) {
            // An id the world never set would be looked for as "undefined" and never found: the check would pass.
            if (typeof secret !== 'string' || secret.length < 8)
              failures.push(`${where}: no secret to look for (${String(secret)})`)
            else if (response.body.includes(secret)) failures.push(`${where}: the answer shows ${secret}`)
          }
        }
      }
    }
    expect(failures).toEqual([])
    // Every route but the websocket (and the web client's, when not built) was called by every role.
    const called = routeTable.filter((entry) => !entry.websocket && isExpected(entry, present))
    expect(checked).toBe(called.length * roles.length)
  }, 300_000)
})

describe('the websocket feed', () => {
  const open: FeedClient[] = []
  afterAll(async () => {
    for (const client of open) await client.close()
  })

  it('sends transfers, exchanges and notifications only to their owners, whatever the others subscribe to', async () => {
    await w.t.app.fastify.listen({ port: 0, host: '127.0.0.1' })
    const address = w.t.app.fastify.server.address()
    if (!address || typeof address === 'string') throw new Error('no port')
    const url = `ws://127.0.0.1:${address.port}/ws`
    const sockets = new Map<Role, FeedClient>()
    for (const role of roles) {
      const client = await connectFeed(url)
      open.push(client)
      const token = w.tokensOf(role)?.accessToken
      await helloFeed(client, token ? { token } : {})
      // The whole neighbourhood, every kind, any time: all a viewport can ask for.
      await subscribeFeed(client, { id: 'all', bbox: turinBbox })
      sockets.set(role, client)
    }
    // The peer pays the member (a transfer and a notification for the member); the member asks for the peer's
    // offer (an exchange between them).
    const paid = await w.call(
      'peer',
      'POST',
      '/api/ledger/transfers',
      {
        to: { userId: w.tokens.member.user.id },
        amount: '0.25',
      },
      w.key(),
    )
    expect(paid.statusCode, paid.body).toBe(201)
    const exchange = await w.fresh.exchange()
    // A public thing every socket sees: when it has arrived everywhere, so has everything before it.
    const barrier = await w.ok('peer', 'POST', '/api/entities', {
      ...validEntityByKind.space,
      title: 'barrier',
      geometry: point(7.69, 45.07),
    })
    for (const client of sockets.values())
      await client.next((m) => m.type === 'event' && (m.data as { id?: string }).id === barrier.id)

    const personal = (client: FeedClient) =>
      client
        .events()
        .filter((e) => /^(transfer|exchange|notification)\./.test(e.topic))
        .map((e) => e.topic)
    const member = personal(sockets.get('member')!)
    expect(member).toContain('transfer.posted')
    expect(member).toContain('notification.created')
    expect(member.some((topic) => topic.startsWith('exchange.'))).toBe(true)
    const memberEvents = sockets.get('member')!.events()
    expect(memberEvents.some((e) => JSON.stringify(e.data).includes(exchange))).toBe(true)
    for (const role of roles.filter((r) => r !== 'member')) {
      expect(personal(sockets.get(role)!), `${role} heard personal events`).toEqual([])
    }
  })
})
