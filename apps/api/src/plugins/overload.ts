import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { LoadConfig } from '../config'
import { ApiError } from '../problem'

/** What an overloaded instance asks clients to wait before trying again, in seconds. */
export const overloadRetryAfterSeconds = 2
/** How often the event-loop delay and heap are sampled, in ms. */
export const overloadSampleIntervalMs = 500

/**
 * When the process is too busy to answer well (its event loop lags, or its heap nears V8's ceiling), new
 * requests get a quick 503 problem with Retry-After instead of joining a queue whose answers would come too
 * late to matter. /health keeps answering, so a load balancer can tell "busy" from "dead".
 */
export async function installOverloadProtection(app: FastifyInstance, config: LoadConfig) {
  // Starting up (compiling every route's schemas) holds the event loop for a while: that first sample says
  // nothing about load, so refusals start one full sample after the server is ready.
  let armed = false
  app.addHook('onReady', async () => {
    setTimeout(() => {
      armed = true
    }, 2 * overloadSampleIntervalMs).unref()
  })
  await app.register(underPressure, {
    maxEventLoopDelay: config.eventLoopDelayMaxMs,
    maxHeapUsedBytes: config.heapUsedMaxBytes,
    sampleInterval: overloadSampleIntervalMs,
    pressureHandler: async (request: FastifyRequest, _reply, type: string) => {
      if (!armed || request.url === '/health' || request.url.startsWith('/health?')) return
      request.log.warn({ type }, 'refusing a request under pressure')
      throw new ApiError(503, 'overloaded', 'the server is too busy to answer right now; try again shortly', {
        headers: { 'retry-after': String(overloadRetryAfterSeconds) },
      })
    },
  })
}
