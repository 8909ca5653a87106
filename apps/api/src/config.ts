import { resolve } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { flowExchangesMin, flowMembersMin, mediaUploadBytesMax } from '@quartiere/contracts'
import { cursorReadsMax } from '@quartiere/db'
import { defaultPushHosts, type EndpointRule } from '@quartiere/push'
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
  /** Password recovery and address confirmation by emailed links: how long links last, how often they are sent. */
  emailLinks: EmailLinksConfig
  /**
   * UNVERIFIED_TRANSFER_MAX: the largest transfer, in whole units of its currency, that a member whose address
   * is not confirmed may make or receive from another member or a group; null (`none`): no cap.
   */
  unverifiedTransferMax: string | null
  /** The email digest job (packages/digests). */
  digests: DigestsConfig
  /** Web push (packages/push): the VAPID identity and which push endpoints the server posts to. */
  push: PushConfig
  /**
   * How long, in hours, an Idempotency-Key on creating a thing, a post or a comment is remembered with its first
   * answer (routes/idempotency.ts): a retry within it is answered again, never done twice.
   */
  idempotencyKeyRetentionHours: number
}

export interface DigestsConfig {
  /** DIGEST_INTERVAL_SECONDS: how often an instance runs a pass of the digest job; 0: never (off). */
  intervalSeconds: number
  /** DIGEST_HOUR: the hour (0–23, Europe/Rome) from which the day's digests, and the week's, go out. */
  hour: number
  /** DIGEST_WEEKDAY: the day (1 = Monday … 7 = Sunday) from which the week's digests go out. */
  weekday: number
  /** MAIL_PERMANENT_FAILURES_MAX: consecutive permanent refusals after which mail to an address stops. */
  permanentFailuresMax: number
  /** DIGESTS_PER_PASS_MAX: messages one pass sends at most; the rest go in the next pass. */
  messagesPerPassMax: number
}

export interface EmailLinksConfig {
  /** PASSWORD_RESET_TTL_MINUTES: how long a reset link works, in seconds here. */
  passwordResetTtlSeconds: number
  /** EMAIL_VERIFICATION_TTL_HOURS: how long a confirmation link works, in seconds here. */
  emailVerificationTtlSeconds: number
  /** Reset requests per address (known or not) per hour; more get 429. */
  passwordResetsPerAddressPerHour: number
  /** Reset requests per IP per hour; more get 429. */
  passwordResetsPerIpPerHour: number
  /** Confirmation links a signed-in member may ask for per hour; more get 429. */
  verificationEmailsPerMemberPerHour: number
}

export interface PushConfig {
  /** VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (base64url P-256); absent: generated once into `keyFile`. */
  vapidPublicKey?: string
  vapidPrivateKey?: string
  /** VAPID_SUBJECT: a mailto: or https: URL push services may contact. */
  vapidSubject: string
  /** DATA_DIR/vapid-keys.json. */
  keyFile: string
  /** PUSH_ENDPOINT_HOSTS (comma-separated, `*.` for subdomains) and PUSH_ENDPOINT_HTTP (tests only). */
  endpointRule: EndpointRule
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
  passwordResetTtlMinutes: 30,
  emailVerificationTtlHours: 7 * 24,
  passwordResetsPerAddressPerHour: 3,
  passwordResetsPerIpPerHour: 20,
  verificationEmailsPerMemberPerHour: 3,
  unverifiedTransferMax: '5',
  digestIntervalSeconds: 300,
  digestHour: 7,
  digestWeekday: 1,
  mailPermanentFailuresMax: 3,
  digestsPerPassMax: 500,
  vapidSubject: 'mailto:no-reply@quartiere.localhost',
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
    emailLinks: {
      passwordResetTtlSeconds:
        positive(
          env.PASSWORD_RESET_TTL_MINUTES,
          defaults.passwordResetTtlMinutes,
          'PASSWORD_RESET_TTL_MINUTES',
        ) * 60,
      emailVerificationTtlSeconds:
        positive(
          env.EMAIL_VERIFICATION_TTL_HOURS,
          defaults.emailVerificationTtlHours,
          'EMAIL_VERIFICATION_TTL_HOURS',
        ) * 3600,
      passwordResetsPerAddressPerHour: positive(
        env.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR,
        defaults.passwordResetsPerAddressPerHour,
        'PASSWORD_RESETS_PER_ADDRESS_PER_HOUR',
      ),
      passwordResetsPerIpPerHour: positive(
        env.PASSWORD_RESETS_PER_IP_PER_HOUR,
        defaults.passwordResetsPerIpPerHour,
        'PASSWORD_RESETS_PER_IP_PER_HOUR',
      ),
      verificationEmailsPerMemberPerHour: positive(
        env.VERIFICATION_EMAILS_PER_MEMBER_PER_HOUR,
        defaults.verificationEmailsPerMemberPerHour,
        'VERIFICATION_EMAILS_PER_MEMBER_PER_HOUR',
      ),
    },
    unverifiedTransferMax: unverifiedTransferMax(env.UNVERIFIED_TRANSFER_MAX),
    digests: loadDigestsConfig(env),
    push: loadPushConfig(env, dataDir),
    // A key forgotten at once would let every retry create again: at least an hour.
    idempotencyKeyRetentionHours: positive(
      env.IDEMPOTENCY_KEY_RETENTION_HOURS,
      defaults.idempotencyKeyRetentionHours,
      'IDEMPOTENCY_KEY_RETENTION_HOURS',
    ),
  }
}

function loadPushConfig(env: NodeJS.ProcessEnv, dataDir: string): PushConfig {
  const hosts = env.PUSH_ENDPOINT_HOSTS
    ? env.PUSH_ENDPOINT_HOSTS.split(',')
        .map((host) => host.trim())
        .filter(Boolean)
    : [...defaultPushHosts]
  for (const host of hosts) {
    if (!/^(\*|(\*\.)?[a-z0-9.-]+)$/i.test(host))
      throw new Error(`PUSH_ENDPOINT_HOSTS must list host names like fcm.googleapis.com, got "${host}"`)
  }
  const http = env.PUSH_ENDPOINT_HTTP ?? ''
  if (!['', 'true', 'false', '1', '0'].includes(http))
    throw new Error(`PUSH_ENDPOINT_HTTP must be true or false, got "${http}"`)
  return {
    ...(env.VAPID_PUBLIC_KEY ? { vapidPublicKey: env.VAPID_PUBLIC_KEY } : {}),
    ...(env.VAPID_PRIVATE_KEY ? { vapidPrivateKey: env.VAPID_PRIVATE_KEY } : {}),
    vapidSubject: env.VAPID_SUBJECT || defaults.vapidSubject,
    keyFile: resolve(dataDir, 'vapid-keys.json'),
    endpointRule: { hosts, allowHttp: http === 'true' || http === '1' },
  }
}

function loadDigestsConfig(env: NodeJS.ProcessEnv): DigestsConfig {
  const hour = integer(env.DIGEST_HOUR, defaults.digestHour, 'DIGEST_HOUR')
  if (hour > 23) throw new Error(`DIGEST_HOUR must be an hour from 0 to 23, got "${env.DIGEST_HOUR}"`)
  const weekday = integer(env.DIGEST_WEEKDAY, defaults.digestWeekday, 'DIGEST_WEEKDAY')
  if (weekday < 1 || weekday > 7)
    throw new Error(`DIGEST_WEEKDAY must be a day from 1 (Monday) to 7 (Sunday), got "${env.DIGEST_WEEKDAY}"`)
  const permanentFailuresMax = integer(
    env.MAIL_PERMANENT_FAILURES_MAX,
    defaults.mailPermanentFailuresMax,
    'MAIL_PERMANENT_FAILURES_MAX',
  )
  if (permanentFailuresMax < 1)
    throw new Error(
      `MAIL_PERMANENT_FAILURES_MAX must be at least 1, got "${env.MAIL_PERMANENT_FAILURES_MAX}"`,
    )
  return {
    intervalSeconds: integer(
      env.DIGEST_INTERVAL_SECONDS,
      defaults.digestIntervalSeconds,
      'DIGEST_INTERVAL_SECONDS',
    ),
    hour,
    weekday,
    permanentFailuresMax,
    messagesPerPassMax: Math.max(
      1,
      integer(env.DIGESTS_PER_PASS_MAX, defaults.digestsPerPassMax, 'DIGESTS_PER_PASS_MAX'),
    ),
  }
}

/** A decimal number of units ("5", "2.50"), or `none` for no cap on unconfirmed members. */
function unverifiedTransferMax(value: string | undefined): string | null {
  if (value === undefined || value === '') return defaults.unverifiedTransferMax
  if (value === 'none') return null
  if (!/^(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,18})?$/.test(value))
    throw new Error(
      `UNVERIFIED_TRANSFER_MAX must be a decimal number like 5 or 2.50, or none, got "${value}"`,
    )
  return value
}

/** A whole number above zero: a limit of 0 would refuse every request (a window of 0 would never pass). */
function positive(value: string | undefined, fallback: number, name: string): number {
  const parsed = integer(value, fallback, name)
  if (parsed === 0) throw new Error(`${name} must be above zero, got "${value}"`)
  return parsed
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

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative integer, got "${value}"`)
  return parsed
}
