import { resolve } from 'node:path'
import { loadRealtimeConfig, type RealtimeConfig } from './plugins/realtime'

/** Everything the API reads from its environment, parsed once. */
export interface Config {
  port: number
  host: string
  /** postgres://… for PostgreSQL + PostGIS; absent for the embedded database in dataDir. */
  databaseUrl?: string
  dataDir: string
  logLevel: string
  /** The Ed25519 private key as a JWK JSON string; absent: generated into dataDir on first start. */
  jwtPrivateKey?: string
  jwtIssuer: string
  jwtAudience: string
  accessTokenTtlSeconds: number
  /** scrypt cost as log2(N). OWASP's current guidance is 17; only tests lower it. */
  passwordLog2N: number
  /** Load the Turin demo data when the map is empty (the embedded database defaults to yes). */
  seedDemo: boolean
  /** Requests to /api/auth/* per IP per minute. */
  authRateLimitPerMinute: number
  /** Failed logins per account within 15 minutes before that account's logins are refused for a while. */
  loginFailuresPerAccountMax: number
  /** Largest accepted request body, in bytes. */
  bodyBytesMax: number
  /** The public origin, for absolute links (OpenAPI servers); derived from the request when absent. */
  publicUrl?: string
  /** The realtime feed's limits and the outbox retention (plugins/realtime.ts). */
  realtime: RealtimeConfig
  /** The community layer's limits: posting rates and image uploads. */
  community: CommunityConfig
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
  logLevel: 'info',
  jwtIssuer: 'quartiere',
  jwtAudience: 'quartiere-api',
  accessTokenTtlSeconds: 900,
  passwordLog2N: 17,
  authRateLimitPerMinute: 20,
  loginFailuresPerAccountMax: 10,
  bodyBytesMax: 1024 * 1024,
} as const

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined
  const dataDir = resolve(env.DATA_DIR || defaults.dataDir)
  return {
    port: integer(env.PORT, defaults.port, 'PORT'),
    host: env.HOST || defaults.host,
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir,
    logLevel: env.LOG_LEVEL || defaults.logLevel,
    ...(env.JWT_PRIVATE_KEY ? { jwtPrivateKey: env.JWT_PRIVATE_KEY } : {}),
    jwtIssuer: env.JWT_ISSUER || defaults.jwtIssuer,
    jwtAudience: env.JWT_AUDIENCE || defaults.jwtAudience,
    accessTokenTtlSeconds: integer(
      env.ACCESS_TOKEN_TTL_SECONDS,
      defaults.accessTokenTtlSeconds,
      'ACCESS_TOKEN_TTL_SECONDS',
    ),
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
    ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL.replace(/\/$/, '') } : {}),
    realtime: loadRealtimeConfig(env),
    community: loadCommunityConfig(env, dataDir),
  }
}

function loadCommunityConfig(env: NodeJS.ProcessEnv, dataDir: string): CommunityConfig {
  return {
    newAccountAgeHours: integer(env.NEW_ACCOUNT_AGE_HOURS, 24, 'NEW_ACCOUNT_AGE_HOURS'),
    newAccountPostsPerHour: integer(env.NEW_ACCOUNT_POSTS_PER_HOUR, 10, 'NEW_ACCOUNT_POSTS_PER_HOUR'),
    postsPerHour: integer(env.POSTS_PER_HOUR, 120, 'POSTS_PER_HOUR'),
    mediaDir: resolve(env.MEDIA_DIR || `${dataDir}/media`),
    mediaBytesMax: integer(env.MEDIA_BYTES_MAX, 10 * 1024 * 1024, 'MEDIA_BYTES_MAX'),
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
