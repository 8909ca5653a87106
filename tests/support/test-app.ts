import { type App, buildApp } from '@quartiere/api'
import { loadConfig } from '@quartiere/api/config'
import type { AuthTokens } from '@quartiere/contracts'
import type { Database } from '@quartiere/db'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { openTestDatabase } from './test-database'

/** Test accounts hash passwords at a low scrypt cost; production uses OWASP's (log2 N = 17). */
export const testPasswordLog2N = 12
export const testPassword = 'correct horse battery staple'

export interface TestApp {
  app: App
  database: Database
  request(options: InjectOptions): Promise<LightMyRequestResponse>
  /** Registers a fresh member and returns its tokens; `as` makes it a moderator or an admin. */
  signUp(options?: {
    as?: 'member' | 'moderator' | 'admin' | 'researcher'
    displayName?: string
  }): Promise<AuthTokens>
  close(): Promise<void>
}

let accounts = 0

/** The API on a database of this test file's own, driven over HTTP semantics with Fastify's inject. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await openTestDatabase()
  const config = {
    ...loadConfig({ DATA_DIR: '/nonexistent-test-data-dir', ...env }),
    passwordLog2N: testPasswordLog2N,
    seedDemo: false,
    ...(env.AUTH_RATE_LIMIT_PER_MINUTE ? {} : { authRateLimitPerMinute: 100_000 }),
  }
  // Tests write as fast as they can from one address: the per-member write limit has tests of its own.
  if (!env.WRITES_PER_MINUTE) config.load = { ...config.load, writesPerMinute: 0 }
  const { createTokenIssuer } = await import('@quartiere/auth')
  const tokens = await createTokenIssuer({ issuer: config.jwtIssuer, audience: config.jwtAudience })
  const app = await buildApp({ config, database, tokens })
  const request = (options: InjectOptions) => app.fastify.inject(options)
  return {
    app,
    database,
    request,
    async signUp(options = {}) {
      accounts += 1
      const email = `member${accounts}.${process.pid}.${Date.now()}@example.org`
      const response = await request({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email, password: testPassword, displayName: options.displayName ?? `Member ${accounts}` },
      })
      if (response.statusCode !== 201)
        throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`)
      const tokens = response.json() as AuthTokens
      if (!options.as || options.as === 'member') return tokens
      // Roles other than member are given by an admin; tests set them directly, then log in again.
      await database.db
        .updateTable('users')
        .set({ role: options.as })
        .where('id', '=', tokens.user.id)
        .execute()
      const login = await request({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email, password: testPassword },
      })
      return login.json() as AuthTokens
    },
    async close() {
      await app.close()
      await database.close()
    },
  }
}

export function bearer(tokens: { accessToken: string }) {
  return { authorization: `Bearer ${tokens.accessToken}` }
}
