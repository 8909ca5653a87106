import { join } from 'node:path'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { createTokenIssuer, type TokenIssuer } from '@quartiere/auth'
import { realtimeCloseCodes } from '@quartiere/contracts'
import { type Database, migrate, openDatabase, pruneIdempotencyKeys } from '@quartiere/db'
import { type DigestPassReport, runDigestPass } from '@quartiere/digests'
import { createLedger, type Ledger, settleDueCampaigns, voidExpiredHolds } from '@quartiere/ledger'
import { createMailer, type Mailer } from '@quartiere/mail'
import { loadDemoData } from '@quartiere/map/seed'
import { changesExtents, ExtentCache, ogcCollectionExtents, TileCache } from '@quartiere/opendata'
import { createPushSender, loadVapidKeys, type PushSender } from '@quartiere/push'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config'
import { installAccountPresence } from './plugins/account-presence'
import { installAuthentication } from './plugins/authentication'
import { installBodyLimits } from './plugins/body-limits'
import { installBrowserPolicy } from './plugins/browser-policy'
import { installErrorHandling } from './plugins/errors'
import { frameworkErrorProblem } from './plugins/framework-errors'
import { installOverloadProtection } from './plugins/overload'
import { databaseRateLimitStore } from './plugins/rate-limit-store'
import { installRealtime, type Realtime } from './plugins/realtime'
import { installShutdownGate } from './plugins/shutdown'
import { installTextGuard } from './plugins/text-guard'
import { installValidators } from './plugins/validation'
import { installWriteRateLimit } from './plugins/write-rate-limit'
import { adminRoutes } from './routes/admin.routes'
import { authRoutes } from './routes/auth.routes'
import { campaignsRoutes } from './routes/campaigns.routes'
import type { RouteContext } from './routes/context'
import { currenciesRoutes } from './routes/currencies.routes'
import { dashboardRoutes } from './routes/dashboard.routes'
import { digestsRoutes } from './routes/digests.routes'
import { entitiesRoutes } from './routes/entities.routes'
import { exportRoutes } from './routes/export.routes'
import { groupsRoutes } from './routes/groups.routes'
import { apiVersion, healthRoutes } from './routes/health.routes'
import { initiativesRoutes } from './routes/initiatives.routes'
import { ledgerRoutes } from './routes/ledger.routes'
import { meRoutes } from './routes/me.routes'
import { mediaRoutes } from './routes/media.routes'
import { membersRoutes } from './routes/members.routes'
import { moderationRoutes } from './routes/moderation.routes'
import { notificationsRoutes } from './routes/notifications.routes'
import { ogcRoutes } from './routes/ogc.routes'
import { pactsRoutes } from './routes/pacts.routes'
import { postsRoutes } from './routes/posts.routes'
import { pushRoutes } from './routes/push.routes'
import { tilesRoutes } from './routes/tiles.routes'
import { webRoutes } from './routes/web.routes'

export interface AppOptions {
  config: Config
  /** An open database to use instead of opening one from the config (tests pass theirs). */
  database?: Database
  /** A token issuer to use instead of loading the key from the config (tests share one). */
  tokens?: TokenIssuer
  /** Log to stdout (the server) or not at all (tests). */
  logger?: boolean
  /**
   * Count rate limits in this process's memory instead of the database: only the rate-limit bench's reference
   * uses it. Several instances would each count their own, so the server never does.
   */
  rateLimitsInMemory?: boolean
  /** A mailer to use instead of the one the config describes (tests that read what was sent). */
  mailer?: Mailer
}

export interface App {
  fastify: FastifyInstance
  database: Database
  ledger: Ledger
  /** The outbox relay (`realtime.relay.onEvents` for in-process consumers) and the websocket feed. */
  realtime: Realtime
  mailer: Mailer
  /** Sends web push messages for committed notifications (`push.idle()` in tests). */
  push: PushSender
  /**
   * Every route as registered (HEAD included), recorded by an `onRoute` hook set before any route: the
   * authorization matrix test checks each one has an entry, so a new route cannot go unexamined.
   */
  routes: { method: string; url: string }[]
  /**
   * One pass of the email digest job at `now` (the clock's when absent): what the interval runs every
   * DIGEST_INTERVAL_SECONDS, callable by tests and consoles. Safe beside other instances' passes.
   */
  runDigestPass(now?: Date): Promise<DigestPassReport>
  close(): Promise<void>
}

// The shared rate-limit store, for its own tests (the app registers it itself).
export { databaseRateLimitStore, rateLimitPruneIntervalMs } from './plugins/rate-limit-store'

/** Slow clients may not hold a connection open forever. */
export const requestTimeoutMs = 30_000
export const connectionTimeoutMs = 10_000
/** How often expired holds are looked for. */
export const holdSweepIntervalMs = 5_000
/** How often Idempotency-Keys older than their retention are deleted. */
export const idempotencyPruneIntervalMs = 10 * 60_000

/**
 * Builds the API from its configuration: opens (or takes) the database, applies migrations, loads the demo
 * data on a first start if asked, and registers every route. It does not listen: server.ts does, and tests use
 * `inject` or listen on a port of their own.
 */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options
  const ownsDatabase = !options.database
  const database =
    options.database ??
    (await openDatabase({
      ...(config.databaseUrl
        ? { databaseUrl: config.databaseUrl, cursorReadsMax: config.exportCursorsMax }
        : { dataDir: join(config.dataDir, 'pglite') }),
    }))
  try {
    const migrated = await migrate(database)
    if (!migrated.ok) throw new Error(`refusing to start: ${migrated.message}`)
    if (config.seedDemo) await loadDemoData(database.db)
    const tokens =
      options.tokens ??
      (await createTokenIssuer({
        ...(config.jwtPrivateKey ? { privateJwk: config.jwtPrivateKey } : {}),
        keyFile: join(config.dataDir, 'jwt-signing-key.json'),
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      }))

    const fastify = Fastify({
      logger: options.logger ? { level: config.logLevel } : false,
      bodyLimit: config.bodyBytesMax,
      requestTimeout: requestTimeoutMs,
      connectionTimeout: connectionTimeoutMs,
      // plugins/shutdown.ts answers requests that arrive while closing, with a problem body.
      return503OnClosing: false,
      routerOptions: { maxParamLength: 200 },
      // Malformed and overlong paths are refused by the router itself: as problems, like every other refusal.
      frameworkErrors: frameworkErrorProblem,
      trustProxy: false,
    }).withTypeProvider<TypeBoxTypeProvider>()
    const routes: { method: string; url: string }[] = []
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url })
    })

    installValidators(fastify)
    installErrorHandling(fastify)
    const shutdownGate = installShutdownGate(fastify)
    await installOverloadProtection(fastify, config.load)
    await installBrowserPolicy(fastify, config.browser)
    // Counted in the database, so that several API instances share one count per key instead of each its own.
    await fastify.register(rateLimit, {
      global: false,
      ...(options.rateLimitsInMemory ? {} : { store: databaseRateLimitStore(database.db) }),
    })
    await fastify.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Quartiere API',
          version: apiVersion,
          description: 'A geosocial map of the neighbourhood with a time-credit ledger.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      },
    })
    installAuthentication(fastify, tokens)
    // Right after authentication: a token whose member was erased is refused before anything else runs.
    const accountPresence = installAccountPresence(fastify, database.db, config.accountRecheckMs)
    installWriteRateLimit(fastify, config.load.writesPerMinute)
    installBodyLimits(fastify, { small: config.jsonBodyBytesMax, large: config.bodyBytesMax })
    // NUL characters are refused before any handler takes text to SQL (PostgreSQL text cannot hold them).
    installTextGuard(fastify)
    // Before the routes: its onResponse hook tells the relay about every successful write.
    const realtime = await installRealtime(fastify, { config, database, tokens, presence: accountPresence })

    const ledger = createLedger(database.db, {
      transferPolicy: { unverifiedTransferMax: config.unverifiedTransferMax },
    })
    const mailer =
      options.mailer ??
      createMailer({
        ...(config.mail.smtpUrl ? { smtpUrl: config.mail.smtpUrl } : {}),
        from: config.mail.from,
        mailDir: config.mail.dir,
        log: (line, details) => fastify.log.info(details, line),
      })
    const context: RouteContext = { config, database, tokens, ledger, mailer }
    const vapid = await loadVapidKeys({
      ...(config.push.vapidPublicKey ? { publicKey: config.push.vapidPublicKey } : {}),
      ...(config.push.vapidPrivateKey ? { privateKey: config.push.vapidPrivateKey } : {}),
      subject: config.push.vapidSubject,
      // Tests pass their own database and keep no files: a pair for the process.
      ...(ownsDatabase ? { keyFile: config.push.keyFile } : {}),
    })
    // Push messages leave after commit: the relay hands on committed notifications, the request does not wait.
    const push = createPushSender({
      db: database.db,
      vapid,
      rule: config.push.endpointRule,
      log: {
        warn: (object, line) => fastify.log.warn(object, line),
        error: (object, line) => fastify.log.error(object, line),
      },
    })
    realtime.relay.onEvents((events) => push.accept(events))
    await fastify.register(healthRoutes(context))
    await fastify.register(authRoutes(context))
    await fastify.register(adminRoutes(context, accountPresence))
    await fastify.register(
      meRoutes(context, {
        ...accountPresence,
        // An erased member's tokens stop here at once, and their open sockets close.
        forget(userId) {
          accountPresence.forget(userId)
          realtime.feed.disconnectUser(userId, realtimeCloseCodes.unauthorized, 'account erased')
        },
      }),
    )
    await fastify.register(entitiesRoutes(context))
    await fastify.register(ledgerRoutes(context))
    await fastify.register(currenciesRoutes(context))
    await fastify.register(campaignsRoutes(context))
    await fastify.register(dashboardRoutes(context))
    await fastify.register(membersRoutes(context))
    await fastify.register(postsRoutes(context))
    await fastify.register(groupsRoutes(context))
    await fastify.register(moderationRoutes(context))
    await fastify.register(notificationsRoutes(context))
    await fastify.register(mediaRoutes(context))
    await fastify.register(initiativesRoutes(context))
    await fastify.register(pactsRoutes(context))
    await fastify.register(digestsRoutes(context))
    await fastify.register(pushRoutes(context, { vapid, rule: config.push.endpointRule }))
    // Encoded tiles are cached; every committed change drops the tiles that draw where it was and where it is.
    const tileCache = new TileCache()
    // The collections' extents too, dropped whole by any change to a thing.
    const extentCache = new ExtentCache(() => ogcCollectionExtents(database.db))
    realtime.relay.onEvents((events) => {
      for (const event of events) {
        if (event.bbox) tileCache.invalidateBbox(event.bbox)
        if (event.previous) tileCache.invalidateBbox(event.previous.bbox)
        if (changesExtents(event.topic)) extentCache.invalidate()
      }
    })
    await fastify.register(ogcRoutes(context, extentCache))
    await fastify.register(tilesRoutes(context, tileCache, extentCache))
    await fastify.register(exportRoutes(context))
    fastify.get('/openapi.json', { schema: { hide: true } }, async () => fastify.swagger())
    // Last: the web client's catch-all only answers what no API route claims.
    await fastify.register(webRoutes())

    await fastify.ready()
    // Holds whose timeout passed are voided in the background, releasing what they reserved.
    const sweeper = setInterval(() => {
      voidExpiredHolds(ledger).catch((error: unknown) =>
        fastify.log.error({ err: error }, 'expiring holds failed'),
      )
      // Campaigns whose end passed are settled: funded when their goal was met, failed otherwise.
      settleDueCampaigns(ledger).catch((error: unknown) =>
        fastify.log.error({ err: error }, 'settling ended campaigns failed'),
      )
    }, holdSweepIntervalMs)
    sweeper.unref()
    const digestOptions = {
      schedule: { hour: config.digests.hour, weekday: config.digests.weekday },
      permanentFailuresMax: config.digests.permanentFailuresMax,
      messagesPerPassMax: config.digests.messagesPerPassMax,
    }
    // The link origin is read at each pass: a server that learns its port only once listening sets it then.
    const digestPass = (now?: Date) =>
      runDigestPass(database.db, mailer, { ...digestOptions, linkOrigin: config.mail.linkOrigin }, now)
    // One pass at a time per instance; other instances' passes are kept apart by the rows' claims.
    let digestPassRunning = false
    const digestTimer =
      config.digests.intervalSeconds > 0
        ? setInterval(() => {
            if (digestPassRunning) return
            digestPassRunning = true
            digestPass()
              .catch((error: unknown) => fastify.log.error({ err: error }, 'the digest pass failed'))
              .finally(() => {
                digestPassRunning = false
              })
          }, config.digests.intervalSeconds * 1000)
        : undefined
    digestTimer?.unref()
    // Idempotency-Keys past IDEMPOTENCY_KEY_RETENTION_HOURS are deleted in bounded batches (each also counts as
    // unused when it comes back, so a late prune changes nothing a client sees).
    const keyPruner = setInterval(() => {
      pruneIdempotencyKeys(database.db, config.idempotencyKeyRetentionHours).catch((error: unknown) =>
        fastify.log.error({ err: error }, 'pruning idempotency keys failed'),
      )
    }, idempotencyPruneIntervalMs)
    keyPruner.unref()
    return {
      fastify,
      database,
      ledger,
      realtime,
      mailer,
      push,
      routes,
      runDigestPass: digestPass,
      async close() {
        clearInterval(sweeper)
        if (digestTimer) clearInterval(digestTimer)
        clearInterval(keyPruner)
        const stopSweeping = shutdownGate.beginClosing()
        await fastify.close()
        await push.stop()
        stopSweeping()
        await ledger.batcher.drain()
        if (!options.mailer) mailer.close()
        if (ownsDatabase) await database.close()
      },
    }
  } catch (error) {
    if (ownsDatabase) await database.close()
    throw error
  }
}
