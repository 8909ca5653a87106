import { buildApp } from './app'
import { loadConfig } from './config'

/** How long a graceful shutdown may take before the process exits anyway. */
export const shutdownTimeoutMs = 10_000

const config = loadConfig()
const app = await buildApp({ config, logger: true })
await app.fastify.listen({ port: config.port, host: config.host })

let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return
    closing = true
    app.fastify.log.info({ signal }, 'closing: finishing requests in flight')
    const timer = setTimeout(() => {
      app.fastify.log.error('graceful shutdown took too long; exiting')
      process.exit(1)
    }, shutdownTimeoutMs)
    timer.unref()
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.fastify.log.error({ err: error }, 'error while closing')
        process.exit(1)
      },
    )
  })
}
