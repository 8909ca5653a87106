import type { AuthTokens } from '@quartiere/contracts'
import { appendOutboxEvent } from '@quartiere/realtime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { point, validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'
import { closedWithin, connectFeed, type FeedClient, helloFeed, subscribeFeed } from './ws-client'

/**
 * The protections that need time or a real socket: a consumer that stops reading, a client that never answers
 * pings, one that never says hello, and the per-connection limits applied to what hello carries. Each test
 * fails if its protection is taken away (the socket would stay open, or the event would arrive).
 */

async function listening(t: TestApp) {
  await t.app.fastify.listen({ port: 0, host: '127.0.0.1' })
  const address = t.app.fastify.server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return `ws://127.0.0.1:${address.port}/ws`
}

const sendBufferBytesMax = 512 * 1024
/** Events are produced in rounds small enough for a reading client to absorb between them. */
const eventsPerRound = 8
const eventPayloadBytes = 32 * 1024
/** Enough to fill any loopback socket's kernel buffers (send and receive) many times over. */
const producedBytesMax = 24 * 1024 * 1024

describe('a slow consumer', () => {
  let t: TestApp
  let url: string
  const open: FeedClient[] = []

  beforeAll(async () => {
    // Heartbeat and idle timeout far away: a paused client answers no ping, and only the buffer may close it.
    t = await createTestApp({
      WS_SEND_BUFFER_BYTES_MAX: String(sendBufferBytesMax),
      WS_HEARTBEAT_MS: '600000',
      WS_IDLE_TIMEOUT_MS: '600000',
    })
    url = await listening(t)
  })

  afterAll(async () => {
    for (const c of open) c.socket.terminate()
    await t?.close()
  })

  it('is disconnected with 1013 once its unsent data passes the limit, while a reading client gets everything', async () => {
    const [slowUser, readingUser] = [await t.signUp(), await t.signUp()]
    const slow = await connectFeed(url)
    const reading = await connectFeed(url)
    open.push(slow, reading)
    await helloFeed(slow, { token: slowUser.accessToken })
    await helloFeed(reading, { token: readingUser.accessToken })
    expect(t.app.realtime.feed.connections).toBe(2)
    // The slow client stops reading its TCP socket: what the server sends piles up in the kernel, then in
    // the server's own send buffer.
    slow.socket.pause()

    const filler = 'x'.repeat(eventPayloadBytes)
    let produced = 0
    let round = 0
    while (t.app.realtime.feed.connections === 2 && produced < producedBytesMax) {
      round += 1
      await t.database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < eventsPerRound; i += 1)
          await appendOutboxEvent(trx, {
            topic: 'notification.created',
            audience: [slowUser.user.id, readingUser.user.id],
            payload: { round, i, filler },
          })
      })
      produced += eventsPerRound * eventPayloadBytes
      t.app.realtime.relay.announce()
      await reading.next(
        (m) =>
          m.type === 'event' &&
          (m.data as { round: number; i: number }).round === round &&
          (m.data as { i: number }).i === eventsPerRound - 1,
      )
    }
    // The server let go of it while it still was not reading: it did not keep buffering.
    expect(t.app.realtime.feed.connections, `still connected after ${produced} bytes of events`).toBe(1)
    const held = [...t.app.fastify.websocketServer.clients].filter((s) => s.readyState === WebSocket.CLOSING)
    expect(held).toHaveLength(1)
    // What stays queued for it is bounded by the limit plus the frame that crossed it (and the close frame).
    expect(held[0]!.bufferedAmount).toBeLessThanOrEqual(sendBufferBytesMax + 2 * eventPayloadBytes)
    expect(produced).toBeGreaterThan(sendBufferBytesMax)

    // Reading again, it finds what was queued, then the close: reconnect and resume.
    slow.socket.resume()
    expect(await closedWithin(slow)).toMatchObject({ code: 1013 })
    const got = slow.events().length
    expect(got).toBeGreaterThan(0)
    expect(got).toBeLessThan(round * eventsPerRound)
    // The reading client got every event in order and is still connected.
    expect(reading.events()).toHaveLength(round * eventsPerRound)
    const seqs = reading.events().map((e) => e.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(reading.socket.readyState).toBe(WebSocket.OPEN)
  })
})

describe('heartbeat, idle and hello timeouts; limits on what hello carries', () => {
  const heartbeatMs = 200
  const idleTimeoutMs = 1500
  const helloTimeoutMs = 1000
  let t: TestApp
  let url: string
  let anna: AuthTokens
  const open: FeedClient[] = []

  beforeAll(async () => {
    t = await createTestApp({
      WS_HEARTBEAT_MS: String(heartbeatMs),
      WS_IDLE_TIMEOUT_MS: String(idleTimeoutMs),
      WS_HELLO_TIMEOUT_MS: String(helloTimeoutMs),
      WS_SUBSCRIPTIONS_MAX: '2',
      WS_BBOX_AREA_DEG2_MAX: '0.5',
    })
    url = await listening(t)
    anna = await t.signUp()
  })

  afterAll(async () => {
    for (const c of open) c.socket.terminate()
    await t?.close()
  })

  async function client(options: WebSocket.ClientOptions = {}) {
    const c = await connectFeed(url, options)
    open.push(c)
    return c
  }

  it('pings every socket and closes one that never answers with 4000, keeping one that does', async () => {
    // `autoPong: false`: this client reads every frame but never answers a ping.
    const mute = await client({ autoPong: false })
    const answering = await client()
    let pings = 0
    mute.socket.on('ping', () => {
      pings += 1
    })
    await helloFeed(mute)
    await helloFeed(answering)
    const closed = await closedWithin(mute, idleTimeoutMs * 10)
    expect(closed).toMatchObject({ code: 4000, reason: 'idle' })
    expect(pings).toBeGreaterThan(0)
    // The one that answers pings (and sends nothing else) outlives the idle timeout more than once.
    await new Promise((resolve) => setTimeout(resolve, idleTimeoutMs * 1.5))
    expect(answering.socket.readyState).toBe(WebSocket.OPEN)
    answering.send({ type: 'ping' })
    expect(await answering.next()).toEqual({ type: 'pong' })
  })

  it('closes a socket that never says hello with 1008, even when it keeps sending other messages', async () => {
    const silent = await client()
    const chatty = await client()
    // Messages keep it from being idle: only the hello timeout can close it.
    const pinging = setInterval(() => chatty.send({ type: 'ping' }), heartbeatMs)
    try {
      const [silentClosed, chattyClosed] = await Promise.all([
        closedWithin(silent, helloTimeoutMs * 10),
        closedWithin(chatty, helloTimeoutMs * 10),
      ])
      expect(silentClosed).toMatchObject({ code: 1008, reason: 'no hello' })
      expect(chattyClosed).toMatchObject({ code: 1008, reason: 'no hello' })
      expect(chatty.messages.some((m) => m.type === 'error' && m.code === 'hello_required')).toBe(false)
      expect(chatty.messages.filter((m) => m.type === 'pong').length).toBeGreaterThan(0)
    } finally {
      clearInterval(pinging)
    }
    // Saying hello in time keeps the socket past the hello timeout.
    const greeting = await client()
    await helloFeed(greeting)
    await new Promise((resolve) => setTimeout(resolve, helloTimeoutMs * 1.5))
    expect(greeting.socket.readyState).toBe(WebSocket.OPEN)
  })

  it('applies the subscription count and bbox area limits to the subscriptions given in hello', async () => {
    const c = await client()
    const near: [number, number, number, number] = [7.68, 45.065, 7.69, 45.075]
    // 0.6 × 1 = 0.6 square degrees: over the 0.5 limit; it holds the point the test writes.
    const huge: [number, number, number, number] = [7.3, 44.6, 7.9, 45.6]
    c.send({
      type: 'hello',
      subscriptions: [
        { id: 'huge', bbox: huge },
        { id: 'a', bbox: near },
        { id: 'b', bbox: near },
        { id: 'c', bbox: near },
      ],
    })
    const answers = []
    for (let i = 0; i < 5; i += 1) answers.push(await c.next())
    expect(answers).toEqual([
      expect.objectContaining({ type: 'error', code: 'bbox_too_large', id: 'huge' }),
      { type: 'subscribed', id: 'a' },
      { type: 'subscribed', id: 'b' },
      expect.objectContaining({ type: 'error', code: 'too_many_subscriptions', id: 'c' }),
      expect.objectContaining({ type: 'welcome' }),
    ])
    // The refused ones hold nothing: an event in all four boxes names only the two accepted.
    const created = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(anna),
      payload: { ...validEntityByKind.space, geometry: point(7.685, 45.07) },
    })
    expect(created.statusCode, created.body).toBe(201)
    const event = await c.next((m) => m.type === 'event')
    expect(event).toMatchObject({ topic: 'entity.created', subscriptions: ['a', 'b'] })
    // The limit is per connection at any time: after an unsubscribe there is room again.
    c.send({ type: 'unsubscribe', id: 'a' })
    expect(await c.next()).toEqual({ type: 'unsubscribed', id: 'a' })
    await subscribeFeed(c, { id: 'c', bbox: near })
  })
})

describe('the connection cap of the process', () => {
  let t: TestApp
  let url: string
  const open: FeedClient[] = []

  beforeAll(async () => {
    t = await createTestApp({ WS_CONNECTIONS_MAX: '3' })
    url = await listening(t)
  })

  afterAll(async () => {
    for (const c of open) c.socket.terminate()
    await t?.close()
  })

  it('refuses the socket past WS_CONNECTIONS_MAX with 1013 (try again later), and takes one again once a place is free', async () => {
    for (let i = 0; i < 3; i += 1) {
      const c = await connectFeed(url)
      open.push(c)
      await helloFeed(c)
    }
    expect(t.app.realtime.feed.connections).toBe(3)
    const refused = await connectFeed(url)
    open.push(refused)
    expect(await closedWithin(refused)).toMatchObject({ code: 1013 })
    expect(t.app.realtime.feed.connections).toBe(3)
    // A place frees up when someone leaves.
    await open[0]!.close()
    while (t.app.realtime.feed.connections === 3) await new Promise((resolve) => setTimeout(resolve, 10))
    const next = await connectFeed(url)
    open.push(next)
    expect(await helloFeed(next)).toMatchObject({ type: 'welcome' })
  })
})
