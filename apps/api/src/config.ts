import { resolve } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { flowExchangesMin, flowMembersMin, mediaUploadBytesMax } from '@quartiere/contracts'
import { cursorReadsMax } from '@quartiere/db'
import { loadRealtimeConfig, type RealtimeConfig } from './plugins/realtime'

/** Everything the API reads from its environment, parsed once. */
export interface Config {
  port: number
  host: string
  /** postgres://… for PostgreSQL + PostGIS; absent for the embedded database in dataDir. */
  databaseUrl?: string
  dataDir: string
  /**
   * Exports reading through a server-side cursor at once, on PostgreSQL (each holds a pooled connection while
   * its client downloads); more exports, or 0 here, read by keyset seeks instead.
   */
  exportCursorsMax: number
  logLevel: string
  /** The Ed25519 private key as a JWK JSON string; absent: generated into dataDir on first start. */
  jwtPrivateKey?: string
  jwtIssuer: string
  jwtAudience: string
  accessTokenTtlSeconds: number
  /**
   * How long an instance trusts what it read of a member (that they exist, and their role) before reading it
   * again: the longest a role changed in the database, or an erasure done through another instance, takes to
   * apply to access tokens already issued (plugins/account-presence.ts).
   */
  accountRecheckMs: number
  /** scrypt cost as log2(N). OWASP's current guidance is 17; only tests lower it. */
  passwordLog2N: number
  /** Load the Turin demo data when the map is empty (the embedded database defaults to yes). */
  seedDemo: boolean
  /** Requests to /api/auth/* per IP per minute. */
  authRateLimitPerMinute: number
  /** Failed logins per account within 15 minutes before that account's logins are refused for a while. */
  loginFailuresPerAccountMax: number
  /** Largest accepted request body, in bytes: for geometries and currency terms (plugins/body-limits.ts). */
  bodyBytesMax: number
  /** Largest JSON body of every other route, in bytes. */
  jsonBodyBytesMax: number
  /** The public origin, for absolute links (OpenAPI servers); derived from the request when absent. */
  publicUrl?: string
  /** The realtime feed's limits and the outbox retention (plugins/realtime.ts). */
  realtime: RealtimeConfig
  /** The community layer's limits: posting rates and image uploads. */
  community: CommunityConfig
  /** What browsers may do with the API and the web client: CORS and the content security policy. */
  browser: BrowserPolicyConfig
  /** When the process is too busy to answer well, and how much a member may write. */
  load: LoadConfig
  /**
   * The k of the ledger statistics: every published cell counts at least this many distinct members and
   * exchanges. RESEARCH_K_MIN may raise it above the built-in floor (5), never lower it.
   */
  researchKMin: number
  /** Where email goes (packages/mail): an SMTP server, or .eml files under dataDir/mail. */
  mail: MailConfig
  /**
   * How long, in hours, an Idempotency-Key on creating a thing, a post or a comment is remembered with its first
   * answer (routes/idempotency.ts): a retry within it is answered again, never done twice.
   */
  idempotencyKeyRetentionHours: number
}

export interface MailConfig {
  /** SMTP_URL: smtp://user:pass@host:port or smtps://…; absent: messages are written to files in `dir`. */
  smtpUrl?: string
  /** MAIL_FROM: the sender of every message. */
  from: string
  /** Where messages are written without SMTP: DATA_DIR/mail. */
  dir: string
  /**
   * The origin that links in messages point to (a reset link, a digest's settings): PUBLIC_URL, or this
   * server's own address when unset. Messages are also sent by jobs, with no request to derive it from.
   */
  linkOrigin: string
}

export interface BrowserPolicyConfig {
  /** Origins whose pages may call the API from a browser (CORS); empty: none, `*`: any (no credentials). */
  corsOrigins: string[]
  /** Origins the web client's basemap loads its style, tiles, glyphs and sprites from (the CSP allows them). */
  basemapOrigins: string[]
}

export interface LoadConfig {
  /**
   * Mean event-loop delay, in ms, above which requests get 503 + Retry-After instead of queueing. 0: off (the
   * default on the embedded database).
   */
  eventLoopDelayMaxMs: number
  /** V8 heap in use, in bytes, above which requests get 503. 0: off. */
  heapUsedMaxBytes: number
  /** Writes (POST, PUT, PATCH, DELETE) per member, or per IP when anonymous, per minute. 0: unlimited. */
  writesPerMinute: number
}

export interface CommunityConfig {
  /** An account younger than this many hours posts under the tighter budget. */
  newAccountAgeHours: number
  /** Posts and comments per rolling hour for a new account. */
  newAccountPostsPerHour: number
  /** Posts and comments per rolling hour for everyone else (moderators and admins are not limited). */
  postsPerHour: number
  /** Where uploaded images are stored on the local disk. */
  mediaDir: string
  /** Largest image upload, in bytes. */
  mediaBytesMax: number
  /** Largest image, in pixels (width × height), whatever its size in bytes: decompression bombs stop here. */
  mediaPixelsMax: number
  /** Images decoded at once; more wait. */
  mediaProcessingConcurrency: number
}

export const defaults = {
  port: 3000,
  host: '127.0.0.1',
  dataDir: './data',
  exportCursorsMax: cursorReadsMax,
  logLevel: 'info',
  jwtIssuer: 'quartiere',
  jwtAudience: 'quartiere-api',
  accessTokenTtlSeconds: 900,
  accountRecheckMs: 30_000,
  passwordLog2N: 17,
  authRateLimitPerMinute: 20,
  loginFailuresPerAccountMax: 10,
  bodyBytesMax: 1024 * 1024,
  jsonBodyBytesMax: 128 * 1024,
  basemapOrigins: ['https://tiles.openfreemap.org'],
  eventLoopDelayMaxMs: 1_000,
  writesPerMinute: 300,
  mailFrom: 'Quartiere <no-reply@quartiere.localhost>',
  // A week: a phone offline over a weekend still sends its queued writes exactly once.
  idempotencyKeyRetentionHours: 168,
} as const

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined
  const dataDir = resolve(env.DATA_DIR || defaults.dataDir)
  return {
    port: integer(env.PORT, defaults.port, 'PORT'),
    host: env.HOST || defaults.host,
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir,
    exportCursorsMax: integer(env.EXPORT_CURSORS_MAX, defaults.exportCursorsMax, 'EXPORT_CURSORS_MAX'),
    logLevel: env.LOG_LEVEL || defaults.logLevel,
    ...(env.JWT_PRIVATE_KEY ? { jwtPrivateKey: env.JWT_PRIVATE_KEY } : {}),
    jwtIssuer: env.JWT_ISSUER || defaults.jwtIssuer,
    jwtAudience: env.JWT_AUDIENCE || defaults.jwtAudience,
    accessTokenTtlSeconds: integer(
      env.ACCESS_TOKEN_TTL_SECONDS,
      defaults.accessTokenTtlSeconds,
      'ACCESS_TOKEN_TTL_SECONDS',
    ),
    accountRecheckMs: integer(env.ACCOUNT_RECHECK_MS, defaults.accountRecheckMs, 'ACCOUNT_RECHECK_MS'),
    passwordLog2N: integer(env.PASSWORD_SCRYPT_LOG2N, defaults.passwordLog2N, 'PASSWORD_SCRYPT_LOG2N'),
    seedDemo: env.SEED_DEMO ? env.SEED_DEMO === 'true' || env.SEED_DEMO === '1' : !databaseUrl,
    authRateLimitPerMinute: integer(
      env.AUTH_RATE_LIMIT_PER_MINUTE,
      defaults.authRateLimitPerMinute,
      'AUTH_RATE_LIMIT_PER_MINUTE',
    ),
    loginFailuresPerAccountMax: integer(
      env.LOGIN_FAILURES_PER_ACCOUNT_MAX,
      defaults.loginFailuresPerAccountMax,
      'LOGIN_FAILURES_PER_ACCOUNT_MAX',
    ),
    bodyBytesMax: integer(env.BODY_BYTES_MAX, defaults.bodyBytesMax, 'BODY_BYTES_MAX'),
    jsonBodyBytesMax: integer(env.JSON_BODY_BYTES_MAX, defaults.jsonBodyBytesMax, 'JSON_BODY_BYTES_MAX'),
    ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL.replace(/\/$/, '') } : {}),
    realtime: loadRealtimeConfig(env),
    community: loadCommunityConfig(env, dataDir),
    browser: {
      corsOrigins: origins(env.CORS_ORIGINS, [], 'CORS_ORIGINS'),
      basemapOrigins: origins(env.BASEMAP_ORIGINS, defaults.basemapOrigins, 'BASEMAP_ORIGINS'),
    },
    load: {
      // The embedded database runs its queries on the event loop: there the lag measures the database's own
      // work, not a queue of requests, so the check is off unless asked for.
      eventLoopDelayMaxMs: integer(
        env.EVENT_LOOP_DELAY_MAX_MS,
        databaseUrl ? defaults.eventLoopDelayMaxMs : 0,
        'EVENT_LOOP_DELAY_MAX_MS',
      ),
      // Near V8's own ceiling a process spends its time collecting garbage: refuse work before that.
      heapUsedMaxBytes: integer(
        env.HEAP_USED_MAX_BYTES,
        Math.floor(getHeapStatistics().heap_size_limit * 0.9),
        'HEAP_USED_MAX_BYTES',
      ),
      writesPerMinute: integer(env.WRITES_PER_MINUTE, defaults.writesPerMinute, 'WRITES_PER_MINUTE'),
    },
    researchKMin: researchKMin(env.RESEARCH_K_MIN),
    mail: loadMailConfig(env, dataDir),
    idempotencyKeyRetentionHours: positive(
      integer(
        env.IDEMPOTENCY_KEY_RETENTION_HOURS,
        defaults.idempotencyKeyRetentionHours,
        'IDEMPOTENCY_KEY_RETENTION_HOURS',
      ),
      'IDEMPOTENCY_KEY_RETENTION_HOURS',
    ),
  }
}

function loadMailConfig(env: NodeJS.ProcessEnv, dataDir: string): MailConfig {
  const smtpUrl = env.SMTP_URL || undefined
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl))
    throw new Error(
      `SMTP_URL must start with smtp:// or smtps://, got "${smtpUrl.replace(/\/\/.*@/, '//…@')}"`,
    )
  const port = integer(env.PORT, defaults.port, 'PORT')
  const host = env.HOST || defaults.host
  return {
    ...(smtpUrl ? { smtpUrl } : {}),
    from: env.MAIL_FROM || defaults.mailFrom,
    dir: resolve(dataDir, 'mail'),
    linkOrigin: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/$/, '') : `http://${host}:${port}`,
  }
}

/** A deployment may be stricter than the built-in floor of the ledger statistics, never laxer: refused at start. */
function researchKMin(value: string | undefined): number {
  const floor = Math.max(flowMembersMin, flowExchangesMin)
  const k = integer(value, floor, 'RESEARCH_K_MIN')
  if (k < floor)
    throw new Error(
      `RESEARCH_K_MIN may raise the floor of the ledger statistics (${floor}), not lower it: got ${k}`,
    )
  return k
}

/** A comma-separated list of origins (`https://host[:port]`), or `*`. Paths and junk are refused at start. */
function origins(value: string | undefined, fallback: readonly string[], name: string): string[] {
  if (value === undefined) return [...fallback]
  const list = value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
  for (const origin of list) {
    if (origin !== '*' && !/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(origin))
      throw new Error(`${name} must list origins like https://example.org, got "${origin}"`)
  }
  return list
}

function loadCommunityConfig(env: NodeJS.ProcessEnv, dataDir: string): CommunityConfig {
  return {
    newAccountAgeHours: integer(env.NEW_ACCOUNT_AGE_HOURS, 24, 'NEW_ACCOUNT_AGE_HOURS'),
    newAccountPostsPerHour: integer(env.NEW_ACCOUNT_POSTS_PER_HOUR, 10, 'NEW_ACCOUNT_POSTS_PER_HOUR'),
    postsPerHour: integer(env.POSTS_PER_HOUR, 120, 'POSTS_PER_HOUR'),
    mediaDir: resolve(env.MEDIA_DIR || `${dataDir}/media`),
    mediaBytesMax: integer(env.MEDIA_BYTES_MAX, mediaUploadBytesMax, 'MEDIA_BYTES_MAX'),
    mediaPixelsMax: integer(env.MEDIA_PIXELS_MAX, 50_000_000, 'MEDIA_PIXELS_MAX'),
    mediaProcessingConcurrency: Math.max(
      1,
      integer(env.MEDIA_PROCESSING_CONCURRENCY, 2, 'MEDIA_PROCESSING_CONCURRENCY'),
    ),
  }
}

function positive(value: number, name: string): number {
  // A key forgotten at once would let every retry create again.
  if (value < 1) throw new Error(`${name} must be at least 1`)
  return value
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative integer, got "${value}"`)
  return parsed
}
