import websocket from '@fastify/websocket'
import type { TokenIssuer } from '@quartiere/auth'
import { RealtimeClientMessage, realtimeCloseCodes } from '@quartiere/contracts'
import type { Database } from '@quartiere/db'
import {
  createFeed,
  createOutboxRelay,
  type Feed,
  type FeedLimits,
  feedDefaults,
  type OutboxRelay,
  relayDefaults,
} from '@quartiere/realtime'
import type { FastifyInstance } from 'fastify'
import { Compile } from 'typebox/compile'
import type { Config } from '../config'
import { ApiError } from '../problem'
import type { AccountPresence } from './account-presence'
import { cachingVerifier } from './verified-token-cache'

/** The realtime feed's settings; every limit can be set from the environment (see the README). */
export interface RealtimeConfig {
  limits: FeedLimits
  /** Outbox events older than this are pruned; a client resuming from before gets `reset`. */
  retentionMs: number
  pruneIntervalMs: number
  /** The safety-net poll of the outbox (wake-ups come from this process and from NOTIFY). */
  pollIntervalMs: number
  gapWaitMsMax: number
}

/** After the close frames, sockets get this long to answer before they are cut. */
export const websocketCloseGraceMs = 1000

export function loadRealtimeConfig(env: NodeJS.ProcessEnv): RealtimeConfig {
  const number = (name: string, fallback: number, integer = true) => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    const value = Number(text)
    if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value)))
      throw new Error(`${name} must be a non-negative ${integer ? 'integer' : 'number'}, got "${text}"`)
    return value
  }
  return {
    limits: {
      subscriptionsMax: number('WS_SUBSCRIPTIONS_MAX', feedDefaults.subscriptionsMax),
      bboxAreaDeg2Max: number('WS_BBOX_AREA_DEG2_MAX', feedDefaults.bboxAreaDeg2Max, false),
      messageBytesMax: number('WS_MESSAGE_BYTES_MAX', feedDefaults.messageBytesMax),
      messagesPerSecondMax: number('WS_MESSAGES_PER_SECOND_MAX', feedDefaults.messagesPerSecondMax),
      sendBufferBytesMax: number('WS_SEND_BUFFER_BYTES_MAX', feedDefaults.sendBufferBytesMax),
      socketsPerUserMax: number('WS_SOCKETS_PER_USER_MAX', feedDefaults.socketsPerUserMax),
      connectionsMax: number('WS_CONNECTIONS_MAX', feedDefaults.connectionsMax),
      heartbeatMs: number('WS_HEARTBEAT_MS', feedDefaults.heartbeatMs),
      idleTimeoutMs: number('WS_IDLE_TIMEOUT_MS', feedDefaults.idleTimeoutMs),
      helloTimeoutMs: number('WS_HELLO_TIMEOUT_MS', feedDefaults.helloTimeoutMs),
      replayPageSize: feedDefaults.replayPageSize,
    },
    retentionMs: number('OUTBOX_RETENTION_SECONDS', relayDefaults.retentionMs / 1000) * 1000,
    pruneIntervalMs: number('OUTBOX_PRUNE_INTERVAL_SECONDS', relayDefaults.pruneIntervalMs / 1000) * 1000,
    pollIntervalMs: number('OUTBOX_POLL_INTERVAL_MS', relayDefaults.pollIntervalMs),
    gapWaitMsMax: number('OUTBOX_GAP_WAIT_MS_MAX', relayDefaults.gapWaitMsMax),
  }
}

export interface Realtime {
  relay: OutboxRelay
  feed: Feed
}

const checkClientMessage = Compile(RealtimeClientMessage)
const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * The realtime feed at `/ws`: the outbox relay of this instance and the websocket protocol. After every
 * successful write request the relay is told (`announce`): it reads at once and wakes the other instances with
 * one coalesced NOTIFY, outside the write's transaction.
 */
export async function installRealtime(
  app: FastifyInstance,
  options: { config: Config; database: Database; tokens: TokenIssuer; presence: AccountPresence },
): Promise<Realtime> {
  const { config, database } = options
  const realtime = config.realtime
  const relay = createOutboxRelay({
    db: database.relayDb,
    ...(database.backend === 'postgres' && config.databaseUrl ? { listenUrl: config.databaseUrl } : {}),
    pollIntervalMs: realtime.pollIntervalMs,
    gapWaitMsMax: realtime.gapWaitMsMax,
    retentionMs: realtime.retentionMs,
    pruneIntervalMs: realtime.pruneIntervalMs,
    log: app.log,
  })
  const verify = cachingVerifier(options.tokens)
  const feed = createFeed({
    db: database.db,
    relay,
    limits: realtime.limits,
    log: app.log,
    async authenticate(token) {
      const verified = await verify(token)
      // A token outlives an erased account: the same check as every HTTP request's (account-presence.ts).
      return verified.ok && (await options.presence.exists(verified.claims.userId))
        ? verified.claims.userId
        : null
    },
    checkMessage(value) {
      if (checkClientMessage.Check(value)) return { ok: true, message: value }
      const first = checkClientMessage.Errors(value)[0]
      const where = first ? ` (${first.instancePath || '/'}: ${first.message})` : ''
      return { ok: false, reason: `expected hello, subscribe, unsubscribe or ping as documented${where}` }
    },
  })

  await app.register(websocket, {
    options: { maxPayload: realtime.limits.messageBytesMax },
    // Every socket gets a close frame saying the server goes away (clients reconnect elsewhere and resume);
    // those that do not answer in time are cut so that shutdown does not hang on them.
    async preClose() {
      feed.close(realtimeCloseCodes.goingAway, 'server shutting down')
      const server = app.websocketServer
      const deadline = Date.now() + websocketCloseGraceMs
      while (server.clients.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      for (const client of server.clients) client.terminate()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
  app.addHook('onClose', async () => {
    await relay.stop()
  })
  app.addHook('onResponse', async (request, reply) => {
    if (writeMethods.has(request.method) && reply.statusCode < 400) relay.announce()
  })

  app.route({
    method: 'GET',
    url: '/ws',
    schema: { hide: true },
    // A plain GET (no upgrade) is refused with a problem like every other refusal, not an empty 404.
    handler: async () => {
      throw new ApiError(426, 'upgrade_required', 'this is the realtime feed: connect with a websocket', {
        title: 'Upgrade Required',
        headers: { Upgrade: 'websocket' },
      })
    },
    wsHandler: (socket) => {
      const handlers = feed.accept(socket)
      socket.on('message', (data, isBinary) => {
        handlers.message(isBinary ? null : data.toString())
      })
      socket.on('pong', () => handlers.pong())
      socket.on('close', () => handlers.closed())
      socket.on('error', () => socket.terminate())
    },
  })
  return { relay, feed }
}
