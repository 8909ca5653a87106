import {
  type RealtimeClientMessage,
  type RealtimeErrorCode,
  type RealtimeLimits,
  type RealtimeServerMessage,
  type RealtimeSubscription,
  realtimeCloseCodes,
} from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { type CompiledSubscription, compileSubscription, matches } from './matching'
import { type OutboxEventRow, readOutbox, readPrunedThrough } from './outbox.repository'
import type { OutboxRelay, RelayLog } from './relay'
import { ViewportIndex } from './viewport-index'

/** What the feed needs of a websocket (the `ws` WebSocket has all of it). */
export interface FeedSocket {
  send(data: string): void
  /** Text frames only: a Buffer is UTF-8 text, sent with `binary: false`. */
  send(data: Buffer, options: { binary: false }): void
  readonly bufferedAmount: number
  close(code: number, reason: string): void
  ping(): void
  terminate(): void
}

export interface FeedLimits {
  /** Subscriptions one connection may hold. */
  subscriptionsMax: number
  /** The largest viewport, in square degrees. */
  bboxAreaDeg2Max: number
  /** The largest client message, in bytes (the websocket layer enforces it as maxPayload; 1009 beyond). */
  messageBytesMax: number
  /** Client messages per second, on average over a burst of twice as many (1008 beyond). */
  messagesPerSecondMax: number
  /** A connection whose unsent data grows past this is closed (1013) rather than growing memory. */
  sendBufferBytesMax: number
  /** Sockets one user may have open at once (1008 beyond). */
  socketsPerUserMax: number
  /** Sockets the process accepts in all (1013 beyond). */
  connectionsMax: number
  /** How often the server pings each socket. */
  heartbeatMs: number
  /** A socket that sent nothing (not even a pong) for this long is closed (4000). */
  idleTimeoutMs: number
  /** A socket must say hello within this time (1008 otherwise). */
  helloTimeoutMs: number
  /** Events read per replay page. */
  replayPageSize: number
}

export const feedDefaults: FeedLimits = {
  subscriptionsMax: 20,
  bboxAreaDeg2Max: 4,
  messageBytesMax: 16 * 1024,
  messagesPerSecondMax: 20,
  sendBufferBytesMax: 4 * 1024 * 1024,
  socketsPerUserMax: 10,
  connectionsMax: 20_000,
  heartbeatMs: 30_000,
  idleTimeoutMs: 75_000,
  helloTimeoutMs: 10_000,
  replayPageSize: 500,
}

export interface FeedOptions {
  db: Kysely<DB>
  relay: OutboxRelay
  /** Verifies an access token; the user id, or null when refused. */
  authenticate(token: string): Promise<string | null>
  checkMessage: ClientMessageCheck
  limits?: Partial<FeedLimits>
  log?: RelayLog
}

export interface Feed {
  /** Takes a new socket; returns the handlers the transport calls. */
  accept(socket: FeedSocket): FeedConnectionHandlers
  readonly connections: number
  /** Closes every socket with `code` (1001 going away by default) and stops the heartbeat. */
  close(code?: number, reason?: string): void
  /** Closes every socket of one member (their account was erased): they hear nothing more. */
  disconnectUser(userId: string, code: number, reason: string): void
}

export interface FeedConnectionHandlers {
  message(data: string | null): void
  pong(): void
  closed(): void
}

/**
 * Checks a parsed client message against the contract (`RealtimeClientMessage` in packages/contracts); the API
 * passes its compiled TypeBox check, so this package needs no validator of its own.
 */
export type ClientMessageCheck = (
  value: unknown,
) => { ok: true; message: RealtimeClientMessage } | { ok: false; reason: string }

type Phase = 'new' | 'authenticating' | 'replaying' | 'live' | 'closed'

interface Connection {
  socket: FeedSocket
  phase: Phase
  userId: string | null
  subscriptions: Map<string, CompiledSubscription>
  /** Every event up to this seq has been considered for this connection. */
  position: number
  tokens: number
  tokensAt: number
  lastHeardAt: number
  helloTimer: NodeJS.Timeout | null
}

/**
 * The websocket protocol of the realtime feed (see packages/contracts/src/realtime.ts), independent of the
 * HTTP framework: the API hands each socket to `accept`.
 */
export function createFeed(options: FeedOptions): Feed {
  const limits: FeedLimits = { ...feedDefaults, ...options.limits }
  const { db, relay, log } = options
  const connections = new Set<Connection>()
  const byUser = new Map<string, Set<Connection>>()
  /** Connections by where their viewports are: a public event is matched against the ones near it only. */
  const viewports = new ViewportIndex<Connection>()
  const reindex = (connection: Connection) =>
    viewports.set(
      connection,
      [...connection.subscriptions.values()].map((s) => s.bbox),
    )
  const announced: RealtimeLimits = {
    subscriptionsMax: limits.subscriptionsMax,
    bboxAreaDeg2Max: limits.bboxAreaDeg2Max,
    messageBytesMax: limits.messageBytesMax,
    messagesPerSecondMax: limits.messagesPerSecondMax,
    heartbeatMs: limits.heartbeatMs,
    idleTimeoutMs: limits.idleTimeoutMs,
  }
  let closing = false

  const send = (connection: Connection, message: RealtimeServerMessage | Buffer) => {
    if (connection.phase === 'closed') return
    if (Buffer.isBuffer(message)) connection.socket.send(message, textFrame)
    else connection.socket.send(JSON.stringify(message))
    if (connection.socket.bufferedAmount > limits.sendBufferBytesMax) {
      close(connection, realtimeCloseCodes.tryAgainLater, 'too slow: reconnect and resume')
    }
  }

  const sendError = (connection: Connection, code: RealtimeErrorCode, message: string, id?: string) =>
    send(connection, { type: 'error', code, message, ...(id === undefined ? {} : { id }) })

  const close = (connection: Connection, code: number, reason: string) => {
    if (connection.phase === 'closed') return
    forget(connection)
    try {
      connection.socket.close(code, reason)
    } catch {
      connection.socket.terminate()
    }
  }

  const forget = (connection: Connection) => {
    connection.phase = 'closed'
    if (connection.helloTimer) clearTimeout(connection.helloTimer)
    connections.delete(connection)
    viewports.delete(connection)
    if (connection.userId) {
      const sockets = byUser.get(connection.userId)
      sockets?.delete(connection)
      if (sockets?.size === 0) byUser.delete(connection.userId)
    }
  }

  /** Token bucket: a burst of twice the rate, refilled continuously. */
  const withinRate = (connection: Connection) => {
    const now = Date.now()
    const burst = limits.messagesPerSecondMax * 2
    connection.tokens = Math.min(
      burst,
      connection.tokens + ((now - connection.tokensAt) / 1000) * limits.messagesPerSecondMax,
    )
    connection.tokensAt = now
    if (connection.tokens < 1) return false
    connection.tokens -= 1
    return true
  }

  const subscribe = (connection: Connection, input: RealtimeSubscription) => {
    const compiled = compileSubscription(input, limits.bboxAreaDeg2Max)
    if (!compiled.ok) {
      sendError(connection, compiled.code, compiled.message, input.id)
      return false
    }
    if (!connection.subscriptions.has(input.id) && connection.subscriptions.size >= limits.subscriptionsMax) {
      sendError(
        connection,
        'too_many_subscriptions',
        `a connection may hold ${limits.subscriptionsMax} subscriptions; unsubscribe one first`,
        input.id,
      )
      return false
    }
    connection.subscriptions.set(input.id, compiled.subscription)
    reindex(connection)
    send(connection, { type: 'subscribed', id: input.id })
    return true
  }

  /**
   * The message for one connection. The event is serialised once; the frame, which differs between connections
   * only by the ids of the subscriptions that matched, is built once per distinct list of ids and sent as bytes,
   * so a hundred sockets with the same viewport id cost one string and one UTF-8 encoding.
   */
  const eventFrame = (event: PreparedEvent, subscriptionIds: string[]) => {
    const idsJson = JSON.stringify(subscriptionIds)
    let frame = event.frames.get(idsJson)
    if (!frame) {
      frame = Buffer.from(
        `{"type":"event","seq":${event.row.seq},"topic":${event.topicJson},"subscriptions":${idsJson},"data":${event.dataJson}}`,
      )
      event.frames.set(idsJson, frame)
    }
    return frame
  }

  /** What the connection gets of one event, or nothing. */
  const frameFor = (connection: Connection, event: PreparedEvent): Buffer | null => {
    const { row } = event
    if (row.audience !== null) {
      if (connection.userId === null || !row.audience.includes(connection.userId)) return null
    } else if (!row.publicVisible) {
      return null
    }
    const ids: string[] = []
    if (row.current || row.previous) {
      for (const subscription of connection.subscriptions.values()) {
        if (
          (row.current && matches(subscription, row.current)) ||
          (row.previous && matches(subscription, row.previous))
        ) {
          ids.push(subscription.id)
        }
      }
      // A spatial event goes where a viewport matched, unless it is addressed to this user.
      if (ids.length === 0 && row.audience === null) return null
    }
    return eventFrame(event, ids)
  }

  const deliverTo = (connection: Connection, event: PreparedEvent) => {
    if (connection.phase !== 'live' || event.row.seq <= connection.position) return
    connection.position = event.row.seq
    const frame = frameFor(connection, event)
    if (frame) send(connection, frame)
  }

  const deliverLive = (rows: OutboxEventRow[]) => {
    for (const outboxRow of rows) {
      const event = prepare(outboxRow)
      const { row } = event
      if (row.audience !== null) {
        // Personal events go only to their audience's sockets.
        for (const connection of audienceConnections(row.audience)) deliverTo(connection, event)
      } else if (row.current || row.previous) {
        // A public event on the map concerns the viewports near where the thing is, or was.
        if (!row.publicVisible) continue
        viewports.near([row.current?.bbox ?? null, row.previous?.bbox ?? null], (connection) =>
          deliverTo(connection, event),
        )
      } else {
        for (const connection of connections) deliverTo(connection, event)
      }
    }
  }

  function* audienceConnections(audience: string[]) {
    for (const userId of audience) {
      const sockets = byUser.get(userId)
      if (sockets) yield* [...sockets]
    }
  }

  const unsubscribeRelay = relay.onEvents(deliverLive)

  /** Replays (after, relay position] for this connection, then makes it live with no gap and no duplicate. */
  const replay = async (connection: Connection) => {
    for (;;) {
      if (connection.phase !== 'replaying') return
      const target = relay.position
      if (connection.position >= target) {
        // No await between the check and going live: the next live batch starts right after `target`.
        connection.phase = 'live'
        send(connection, { type: 'live', seq: connection.position })
        return
      }
      const page = await readOutbox(db, {
        afterSeq: connection.position,
        throughSeq: target,
        limit: limits.replayPageSize,
        userId: connection.userId,
      })
      if (connection.phase !== 'replaying') return
      for (const row of page.rows) {
        const frame = frameFor(connection, prepare(row))
        if (frame) send(connection, frame)
        if (connection.phase !== 'replaying') return
      }
      connection.position =
        page.rows.length < limits.replayPageSize ? target : page.rows[page.rows.length - 1]!.seq
      // Let the socket drain before the next page rather than buffering the whole backlog.
      while (
        connection.phase === 'replaying' &&
        connection.socket.bufferedAmount > limits.sendBufferBytesMax / 2
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
  }

  const hello = async (
    connection: Connection,
    message: Extract<RealtimeClientMessage, { type: 'hello' }>,
  ) => {
    connection.phase = 'authenticating'
    if (connection.helloTimer) clearTimeout(connection.helloTimer)
    connection.helloTimer = null
    if (message.token !== undefined) {
      const userId = await options.authenticate(message.token)
      if (isClosed(connection)) return
      if (userId === null) {
        sendError(
          connection,
          'unauthorized',
          'the access token is invalid or expired; refresh it and reconnect',
        )
        close(connection, realtimeCloseCodes.unauthorized, 'unauthorized')
        return
      }
      const sockets = byUser.get(userId) ?? new Set<Connection>()
      if (sockets.size >= limits.socketsPerUserMax) {
        close(
          connection,
          realtimeCloseCodes.policyViolation,
          `at most ${limits.socketsPerUserMax} sockets per user`,
        )
        return
      }
      sockets.add(connection)
      byUser.set(userId, sockets)
      connection.userId = userId
    }
    await relay.ready
    if (isClosed(connection)) return
    for (const subscription of message.subscriptions ?? []) subscribe(connection, subscription)
    const head = relay.position
    const resumeFrom = message.resumeFrom
    if (resumeFrom === undefined) {
      connection.position = head
      connection.phase = 'live'
      send(connection, { type: 'welcome', seq: head, userId: connection.userId, limits: announced })
      return
    }
    const prunedThrough = await readPrunedThrough(db)
    if (isClosed(connection)) return
    if (resumeFrom < prunedThrough || resumeFrom > relay.position) {
      // Older than what the outbox keeps (or from another database): the client reloads, then goes on live.
      connection.position = relay.position
      connection.phase = 'live'
      send(connection, {
        type: 'welcome',
        seq: connection.position,
        userId: connection.userId,
        limits: announced,
      })
      send(connection, { type: 'reset', seq: connection.position })
      return
    }
    connection.position = resumeFrom
    connection.phase = 'replaying'
    send(connection, { type: 'welcome', seq: resumeFrom, userId: connection.userId, limits: announced })
    await replay(connection)
  }

  const handle = (connection: Connection, data: string | null) => {
    if (connection.phase === 'closed') return
    connection.lastHeardAt = Date.now()
    if (!withinRate(connection)) {
      close(
        connection,
        realtimeCloseCodes.policyViolation,
        `more than ${limits.messagesPerSecondMax} messages per second`,
      )
      return
    }
    if (data === null) {
      sendError(connection, 'invalid_message', 'messages are JSON text frames')
      return
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      sendError(connection, 'invalid_message', 'the message is not JSON')
      return
    }
    const checked = options.checkMessage(parsed)
    if (!checked.ok) {
      sendError(connection, 'invalid_message', checked.reason)
      return
    }
    const { message } = checked
    if (message.type === 'ping') {
      send(connection, { type: 'pong' })
      return
    }
    if (message.type === 'hello') {
      if (connection.phase !== 'new') {
        sendError(connection, 'hello_repeated', 'hello comes once per connection')
        return
      }
      hello(connection, message).catch((error: unknown) => {
        log?.error({ err: error }, 'realtime hello failed')
        sendError(connection, 'internal_error', 'the server could not start the feed; reconnect')
        close(connection, realtimeCloseCodes.tryAgainLater, 'internal error')
      })
      return
    }
    if (connection.phase === 'new') {
      sendError(connection, 'hello_required', 'send hello first (with a token to see your own events)')
      return
    }
    switch (message.type) {
      case 'subscribe': {
        const { type: _type, ...subscription } = message
        subscribe(connection, subscription)
        return
      }
      case 'unsubscribe':
        if (!connection.subscriptions.delete(message.id)) {
          sendError(connection, 'unknown_subscription', `no subscription ${message.id}`, message.id)
          return
        }
        reindex(connection)
        send(connection, { type: 'unsubscribed', id: message.id })
        return
      default: {
        const unhandled: never = message
        throw new Error(`unhandled message ${JSON.stringify(unhandled)}`)
      }
    }
  }

  const heartbeatEveryMs = Math.max(10, Math.min(limits.heartbeatMs, limits.idleTimeoutMs / 2))
  let lastBeatAt = Date.now()
  const heartbeat = setInterval(() => {
    const now = Date.now()
    // After a stall of this process (a long synchronous task, a GC pause, an overloaded machine) the timers run
    // before the pongs that came meanwhile are read: the silence was ours, so this round only pings.
    const stalled = now - lastBeatAt > heartbeatEveryMs * 2
    lastBeatAt = now
    for (const connection of connections) {
      if (!stalled && now - connection.lastHeardAt > limits.idleTimeoutMs) {
        close(connection, realtimeCloseCodes.idleTimeout, 'idle')
        continue
      }
      try {
        connection.socket.ping()
      } catch {
        // A socket that cannot be pinged is closing already; its close handler forgets it.
      }
    }
  }, heartbeatEveryMs)
  heartbeat.unref()

  return {
    accept(socket) {
      const now = Date.now()
      const connection: Connection = {
        socket,
        phase: 'new',
        userId: null,
        subscriptions: new Map(),
        position: 0,
        tokens: limits.messagesPerSecondMax * 2,
        tokensAt: now,
        lastHeardAt: now,
        helloTimer: null,
      }
      if (closing) {
        socket.close(realtimeCloseCodes.goingAway, 'shutting down')
        return { message() {}, pong() {}, closed() {} }
      }
      if (connections.size >= limits.connectionsMax) {
        socket.close(realtimeCloseCodes.tryAgainLater, 'too many connections')
        return { message() {}, pong() {}, closed() {} }
      }
      connections.add(connection)
      connection.helloTimer = setTimeout(() => {
        if (connection.phase === 'new') close(connection, realtimeCloseCodes.policyViolation, 'no hello')
      }, limits.helloTimeoutMs)
      return {
        message: (data) => handle(connection, data),
        pong: () => {
          connection.lastHeardAt = Date.now()
        },
        closed: () => forget(connection),
      }
    },
    get connections() {
      return connections.size
    },
    close(code = realtimeCloseCodes.goingAway, reason = 'server shutting down') {
      closing = true
      clearInterval(heartbeat)
      unsubscribeRelay()
      for (const connection of [...connections]) close(connection, code, reason)
    },
    disconnectUser(userId, code, reason) {
      for (const connection of [...(byUser.get(userId) ?? [])]) close(connection, code, reason)
    },
  }
}

/** Read through a function: the phase changes across awaits, which narrowing cannot see. */
function isClosed(connection: Connection) {
  return connection.phase === 'closed'
}

interface PreparedEvent {
  row: OutboxEventRow
  topicJson: string
  dataJson: string
  /** Frames built so far, by the JSON of their subscription ids. */
  frames: Map<string, Buffer>
}

const textFrame = { binary: false } as const

function prepare(outboxRow: OutboxEventRow): PreparedEvent {
  const row = asPublicSeesIt(outboxRow)
  return {
    row,
    topicJson: JSON.stringify(row.topic),
    dataJson: JSON.stringify(row.payload),
    frames: new Map(),
  }
}

/**
 * A change to a thing that has left the public map by the time its event is read (deleted or hidden right after
 * it changed) cannot go out as it was: its content is no longer public. Yet the viewports where it was showed it,
 * and its own deletion event may not reach them (it was deleted where it had moved to). So it goes out as a
 * deletion, matched where the thing was: those clients drop it, the others never had it. A creation read too late
 * was never shown to anyone and stays unsent.
 */
function asPublicSeesIt(row: OutboxEventRow): OutboxEventRow {
  if (row.publicVisible || row.audience !== null || row.topic !== 'entity.updated' || !row.previous)
    return row
  return {
    ...row,
    topic: 'entity.deleted',
    payload: { id: row.entityId, reason: 'gone' },
    current: null,
    publicVisible: true,
  }
}
