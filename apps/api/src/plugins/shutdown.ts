import type { FastifyInstance } from 'fastify'
import { problemTypeBase, titleOf } from '../problem'
import { sendProblem } from './errors'

/** While closing, idle keep-alive connections are closed this often (see beginClosing). */
export const idleConnectionSweepMs = 100

export interface ShutdownGate {
  /**
   * From now on, new requests get 503 and their connection is closed; requests already accepted go on. Also
   * closes keep-alive connections as they fall idle: Node's server.close() closes those idle at the moment it
   * is called, and a connection whose request finishes later would otherwise keep the server open until its
   * keep-alive timeout. Returns a function that stops the sweeping.
   */
  beginClosing(): () => void
}

/** A graceful shutdown's front door: refuses new work with a problem body a client can act on. */
export function installShutdownGate(app: FastifyInstance): ShutdownGate {
  let closing = false
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return
    reply.header('connection', 'close')
    return sendProblem(
      reply,
      {
        type: `${problemTypeBase}shutting_down`,
        title: titleOf(503),
        status: 503,
        detail: 'this server is shutting down; try again in a moment',
        code: 'shutting_down',
        instance: request.url.split('?')[0] ?? '/',
      },
      { 'retry-after': '1' },
    )
  })
  return {
    beginClosing() {
      closing = true
      app.server.closeIdleConnections()
      const sweeper = setInterval(() => app.server.closeIdleConnections(), idleConnectionSweepMs)
      sweeper.unref()
      return () => clearInterval(sweeper)
    },
  }
}
