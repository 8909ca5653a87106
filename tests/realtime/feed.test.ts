import { randomUUID } from 'node:crypto'
import type { AuthTokens, RealtimeServerMessage } from '@quartiere/contracts'
import { deleteEntity, updateEntity } from '@quartiere/map'
import { appendOutboxEvent } from '@quartiere/realtime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, validEntityByKind } from '../support/fixtures'
import { pay } from '../support/ledger'
import { bearer, createTestApp, type TestApp } from '../support/test-app'
import { connectFeed, type FeedClient, helloFeed, subscribeFeed } from './ws-client'

let t: TestApp
let url: string
let anna: AuthTokens
let bruno: AuthTokens
let carla: AuthTokens
const open: FeedClient[] = []

beforeAll(async () => {
  t = await createTestApp({
    WS_SUBSCRIPTIONS_MAX: '3',
    WS_MESSAGES_PER_SECOND_MAX: '20',
    WS_SOCKETS_PER_USER_MAX: '4',
    WS_BBOX_AREA_DEG2_MAX: '1',
    WS_MESSAGE_BYTES_MAX: '4096',
    OUTBOX_POLL_INTERVAL_MS: '200',
  })
  await t.app.fastify.listen({ port: 0, host: '127.0.0.1' })
  const address = t.app.fastify.server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  url = `ws://127.0.0.1:${address.port}/ws`
  ;[anna, bruno, carla] = [await t.signUp(), await t.signUp(), await t.signUp()]
})

afterAll(async () => {
  for (const client of open) await client.close()
  await t?.close()
})

async function client(): Promise<FeedClient> {
  const c = await connectFeed(url)
  open.push(c)
  return c
}

/** Piazza Castello and around; and a box far away (Milan). */
const centre: [number, number, number, number] = [7.68, 45.065, 7.69, 45.075]
const milan: [number, number, number, number] = [9.1, 45.4, 9.3, 45.5]

async function createThing(body: Record<string, unknown>) {
  const response = await t.request({
    method: 'POST',
    url: '/api/entities',
    headers: bearer(anna),
    payload: body,
  })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as { id: string; properties: { version: number } }
}

/** A public event every client sees (a thing in a box everyone subscribes to): when it arrives, so did all before. */
async function barrier(clients: FeedClient[]) {
  const thing = await createThing({
    ...validEntityByKind.space,
    title: 'barrier',
    geometry: point(7.0, 44.0),
  })
  await Promise.all(
    clients.map((c) => c.next((m) => m.type === 'event' && (m.data as { id?: string }).id === thing.id)),
  )
}
const barrierSubscription = { id: 'barrier', bbox: [6.9, 43.9, 7.1, 44.1] }

describe('viewport subscriptions', () => {
  it('sends created, moved and deleted things to the viewports they are or were in, and nothing to others', async () => {
    const inside = await client()
    const outside = await client()
    const wrongKind = await client()
    const wrongTime = await client()
    const leftBehind = await client()
    const welcome = await helloFeed(inside)
    expect(welcome).toMatchObject({ type: 'welcome', userId: null })
    expect(welcome.limits.subscriptionsMax).toBe(3)
    await subscribeFeed(inside, { id: 'v', bbox: centre })
    await helloFeed(outside)
    await subscribeFeed(outside, { id: 'v', bbox: milan })
    await helloFeed(wrongKind)
    await subscribeFeed(wrongKind, { id: 'v', bbox: centre, kinds: ['event'] })
    await helloFeed(wrongTime)
    // Spaces have no time window (open), so a window filters only events: this one is for 2030.
    await subscribeFeed(wrongTime, {
      id: 'v',
      bbox: centre,
      kinds: ['event', 'space'],
      from: '2030-01-01',
      to: '2030-12-31',
    })
    await helloFeed(leftBehind, { token: bruno.accessToken })
    // A second viewport around where the thing goes, so the move is seen from both sides.
    await subscribeFeed(leftBehind, { id: 'old', bbox: centre })
    for (const c of [inside, outside, wrongKind, wrongTime, leftBehind])
      await subscribeFeed(c, barrierSubscription)

    const thing = await createThing({ ...validEntityByKind.space, geometry: point(7.685, 45.07) })
    const event = await createThing({ ...validEntityByKind.event, geometry: point(7.686, 45.071) })
    const moved = await t.request({
      method: 'PATCH',
      url: `/api/entities/${thing.id}`,
      headers: { ...bearer(anna), 'if-match': `"${thing.properties.version}"` },
      payload: { geometry: point(9.2, 45.45) },
    })
    expect(moved.statusCode, moved.body).toBe(200)
    // The move is on the feed before the thing is deleted: read after the deletion, it would go out as a
    // deletion where the thing was (the next test).
    await inside.next((m) => m.type === 'event' && m.topic === 'entity.updated')
    const deleted = await t.request({
      method: 'DELETE',
      url: `/api/entities/${thing.id}`,
      headers: bearer(anna),
    })
    expect(deleted.statusCode, deleted.body).toBe(204)
    await barrier([inside, outside, wrongKind, wrongTime, leftBehind])

    const seen = (c: FeedClient) =>
      c
        .events()
        .filter((e) => !e.subscriptions.includes('barrier'))
        .map((e) => [e.topic, (e.data as { id: string }).id, e.subscriptions])
    expect(seen(inside)).toEqual([
      ['entity.created', thing.id, ['v']],
      ['entity.created', event.id, ['v']],
      // It left the viewport: sent so the client drops it.
      ['entity.updated', thing.id, ['v']],
    ])
    // Milan sees it arrive, and leave.
    expect(seen(outside)).toEqual([
      ['entity.updated', thing.id, ['v']],
      ['entity.deleted', thing.id, ['v']],
    ])
    expect(seen(wrongKind)).toEqual([['entity.created', event.id, ['v']]])
    // The 2019 event is outside the 2030 window; the space (no window) is in it.
    expect(seen(wrongTime)).toEqual([
      ['entity.created', thing.id, ['v']],
      ['entity.updated', thing.id, ['v']],
    ])
    expect(seen(leftBehind)).toEqual([
      ['entity.created', thing.id, ['old']],
      ['entity.created', event.id, ['old']],
      ['entity.updated', thing.id, ['old']],
    ])
    const created = inside.events()[0]!
    expect(created.data).toMatchObject({ type: 'Feature', id: thing.id, properties: { kind: 'space' } })
    expect(created.seq).toBeGreaterThan(welcome.seq)
    const seqs = inside.events().map((e) => e.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  })

  it('sends a move read after the thing was deleted as its deletion, where it was, and nothing of its content', async () => {
    const there = await client()
    const whereItWent = await client()
    await helloFeed(there)
    await subscribeFeed(there, { id: 'v', bbox: centre })
    await helloFeed(whereItWent)
    await subscribeFeed(whereItWent, { id: 'v', bbox: milan })
    for (const c of [there, whereItWent]) await subscribeFeed(c, barrierSubscription)
    const thing = await createThing({
      ...validEntityByKind.space,
      title: 'Di passaggio',
      geometry: point(7.685, 45.07),
    })
    await there.next((m) => m.type === 'event' && (m.data as { id?: string }).id === thing.id)
    // Moved and deleted in one transaction: by the time the move's event is read, the thing is off the map.
    const actor = { userId: anna.user.id, role: 'member' as const }
    await t.database.db.transaction().execute(async (trx) => {
      const moved = await updateEntity(trx, actor, thing.id, thing.properties.version, {
        geometry: point(9.2, 45.45),
      })
      expect(moved.ok).toBe(true)
      expect((await deleteEntity(trx, actor, thing.id)).ok).toBe(true)
    })
    await barrier([there, whereItWent])
    const after = (c: FeedClient) =>
      c
        .events()
        .filter((e) => !e.subscriptions.includes('barrier') && (e.data as { id?: string }).id === thing.id)
        .map((e) => [e.topic, e.subscriptions, e.data])
    expect(after(there)).toEqual([
      ['entity.created', ['v'], expect.objectContaining({ id: thing.id })],
      ['entity.deleted', ['v'], { id: thing.id, reason: 'gone' }],
    ])
    // Where it went, it was never shown: only its own deletion, matched there.
    expect(after(whereItWent)).toEqual([['entity.deleted', ['v'], { id: thing.id }]])
  })
})

describe('personal events', () => {
  it('sends a transfer only to the owners of its two accounts, whatever their subscriptions', async () => {
    const annaSocket = await client()
    const brunoSocket = await client()
    const carlaSocket = await client()
    const anonymous = await client()
    await helloFeed(annaSocket, { token: anna.accessToken })
    await helloFeed(brunoSocket, { token: bruno.accessToken, subscriptions: [] })
    await helloFeed(carlaSocket, { token: carla.accessToken })
    await helloFeed(anonymous)
    for (const c of [annaSocket, brunoSocket, carlaSocket, anonymous])
      await subscribeFeed(c, barrierSubscription)
    const key = randomUUID()
    const paid = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '1.00', memo: 'grazie' }, key)
    expect(paid.statusCode, paid.body).toBe(201)
    await barrier([annaSocket, brunoSocket, carlaSocket, anonymous])
    const transfers = (c: FeedClient) => c.events().filter((e) => e.topic.startsWith('transfer.'))
    for (const c of [annaSocket, brunoSocket]) {
      expect(transfers(c)).toHaveLength(1)
      expect(transfers(c)[0]).toMatchObject({
        topic: 'transfer.posted',
        subscriptions: [],
        data: { id: key },
      })
    }
    expect(transfers(carlaSocket)).toEqual([])
    expect(transfers(anonymous)).toEqual([])
  })
})

describe('resume', () => {
  it('replays exactly the missed events a client may see, then goes live with no gap and no duplicate', async () => {
    const first = await client()
    const welcome = await helloFeed(first, { token: bruno.accessToken })
    await subscribeFeed(first, { id: 'v', bbox: centre })
    const before = await createThing({
      ...validEntityByKind.space,
      title: 'before',
      geometry: point(7.685, 45.07),
    })
    const seenBefore = await first.next<Extract<RealtimeServerMessage, { type: 'event' }>>(
      (m) => m.type === 'event' && (m.data as { id: string }).id === before.id,
    )
    await first.close()

    // While away: two things in the viewport, one outside, a transfer to Bruno and one between others.
    const a = await createThing({ ...validEntityByKind.space, title: 'a', geometry: point(7.686, 45.07) })
    await createThing({ ...validEntityByKind.space, title: 'far', geometry: point(9.2, 45.45) })
    const b = await createThing({ ...validEntityByKind.space, title: 'b', geometry: point(7.687, 45.07) })
    const toBruno = randomUUID()
    expect((await pay(t, anna, { to: { userId: bruno.user.id }, amount: '0.50' }, toBruno)).statusCode).toBe(
      201,
    )
    expect((await pay(t, anna, { to: { userId: carla.user.id }, amount: '0.50' })).statusCode).toBe(201)

    const second = await client()
    const resumed = await helloFeed(second, {
      token: bruno.accessToken,
      resumeFrom: seenBefore.seq,
      subscriptions: [{ id: 'v', bbox: centre }],
    })
    expect(resumed.seq).toBe(seenBefore.seq)
    await second.next((m) => m.type === 'live')
    const c = await createThing({ ...validEntityByKind.space, title: 'c', geometry: point(7.688, 45.07) })
    await second.next((m) => m.type === 'event' && (m.data as { id: string }).id === c.id)
    // A notification names what it is about in its payload: Bruno is notified of the transfer he received.
    const about = (e: { topic: string; data: unknown }) =>
      e.topic === 'notification.created'
        ? (e.data as { payload: { id: string } }).payload.id
        : (e.data as { id: string }).id
    // The transfer and its notification are written by one statement, in either order: compare as sets.
    const sorted = (pairs: string[][]) => pairs.map((p) => p.join(' ')).sort()
    expect(sorted(second.events().map((e) => [e.topic, about(e)]))).toEqual(
      sorted([
        ['entity.created', a.id],
        ['entity.created', b.id],
        ['transfer.posted', toBruno],
        ['notification.created', toBruno],
        ['entity.created', c.id],
      ]),
    )
    expect(welcome.seq).toBeLessThan(seenBefore.seq)
    const seqs = second.events().map((e) => e.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
  })

  it('answers reset when resumeFrom is older than the outbox keeps', async () => {
    // Everything up to now is pruned (retention 0 for this pass), as the periodic pruner would after 7 days.
    await t.database.db
      .updateTable('events_outbox')
      .set({ created_at: new Date(0) as never })
      .execute()
    await t.app.realtime.relay.prune()
    const c = await client()
    c.send({ type: 'hello', resumeFrom: 1 })
    const welcome = await c.next<Extract<RealtimeServerMessage, { type: 'welcome' }>>(
      (m) => m.type === 'welcome',
    )
    const reset = await c.next((m) => m.type === 'reset')
    expect(reset).toEqual({ type: 'reset', seq: welcome.seq })
    // And it carries on live.
    await subscribeFeed(c, { id: 'v', bbox: centre })
    const thing = await createThing({ ...validEntityByKind.space, geometry: point(7.685, 45.07) })
    await c.next((m) => m.type === 'event' && (m.data as { id: string }).id === thing.id)
  })
})

describe('other modules', () => {
  it('hands every committed event to in-process listeners in seq order, public or not', async () => {
    const got: { seq: number; topic: string; entityId: string | null }[] = []
    const stop = t.app.realtime.relay.onEvents((events) => got.push(...events))
    const thing = await createThing({ ...validEntityByKind.space, geometry: point(7.685, 45.07) })
    await t.database.db.transaction().execute((trx) =>
      appendOutboxEvent(trx, {
        topic: 'notification.created',
        audience: [carla.user.id],
        payload: { n: 1 },
      }),
    )
    t.app.realtime.relay.wake()
    await expect
      .poll(() => got.map((e) => e.topic), { timeout: 10_000 })
      .toEqual(['entity.created', 'notification.created'])
    expect(got[0]!.entityId).toBe(thing.id)
    expect(got[1]!.seq).toBeGreaterThan(got[0]!.seq)
    stop()
  })
})

describe('protection', () => {
  it('answers malformed messages with an error and keeps the connection', async () => {
    const c = await client()
    c.sendRaw('not json')
    expect(await c.next()).toMatchObject({ type: 'error', code: 'invalid_message' })
    c.send({ type: 'subscribe', id: 'x', bbox: centre })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'hello_required' })
    await helloFeed(c)
    c.send({ type: 'hello' })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'hello_repeated' })
    c.send({ type: 'subscribe', id: 'x', bbox: [7.7, 45, 7.6, 45.1] })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'invalid_bbox', id: 'x' })
    c.send({ type: 'subscribe', id: 'x', bbox: [0, 0, 10, 10] })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'bbox_too_large' })
    c.send({ type: 'subscribe', id: 'x', bbox: [7, 45, 7.1, 45.1], from: 'soon' })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'invalid_time_window' })
    c.send({ type: 'subscribe', id: 'x', bbox: [7, 45, 7.1, 95] })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'invalid_message' })
    c.send({ type: 'unsubscribe', id: 'nope' })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'unknown_subscription' })
    c.send({ type: 'ping' })
    expect(await c.next()).toEqual({ type: 'pong' })
    for (const id of ['a', 'b', 'c']) await subscribeFeed(c, { id, bbox: centre })
    c.send({ type: 'subscribe', id: 'd', bbox: centre })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'too_many_subscriptions', id: 'd' })
    // Replacing one is not adding one.
    await subscribeFeed(c, { id: 'a', bbox: milan })
    c.send({ type: 'unsubscribe', id: 'a' })
    expect(await c.next()).toEqual({ type: 'unsubscribed', id: 'a' })
  })

  it('closes a flood with 1008 and an oversized frame with 1009, and the server carries on', async () => {
    const flood = await client()
    await helloFeed(flood)
    for (let i = 0; i < 100; i += 1) flood.send({ type: 'ping' })
    expect((await flood.closed).code).toBe(1008)
    const big = await client()
    big.sendRaw('x'.repeat(10_000))
    expect((await big.closed).code).toBe(1009)
    const fine = await client()
    await helloFeed(fine)
  })

  it('refuses a bad token (4001) and more sockets per user than allowed (1008)', async () => {
    const bad = await client()
    bad.send({ type: 'hello', token: 'not.a.token' })
    expect(await bad.next()).toMatchObject({ type: 'error', code: 'unauthorized' })
    expect((await bad.closed).code).toBe(4001)
    const dora = await t.signUp()
    const sockets: FeedClient[] = []
    for (let i = 0; i < 4; i += 1) {
      const c = await client()
      await helloFeed(c, { token: dora.accessToken })
      sockets.push(c)
    }
    const fifth = await client()
    fifth.send({ type: 'hello', token: dora.accessToken })
    expect((await fifth.closed).code).toBe(1008)
    for (const c of sockets) await c.close()
  })
})
