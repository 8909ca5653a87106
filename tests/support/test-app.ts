import { type App, buildApp } from '@quartiere/api'
import { loadConfig } from '@quartiere/api/config'
import type { AuthTokens } from '@quartiere/contracts'
import type { Database } from '@quartiere/db'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { nextMailTo, startSmtpServer, type TestSmtpServer } from './smtp-server'
import { openTestDatabase } from './test-database'

/** Test accounts hash passwords at a low scrypt cost; production uses OWASP's (log2 N = 17). */
export const testPasswordLog2N = 12
export const testPassword = 'correct horse battery staple'

export interface TestApp {
  app: App
  database: Database
  request(options: InjectOptions): Promise<LightMyRequestResponse>
  /** The SMTP server the app sends its email to (SMTP_URL): what it received, to read links from. */
  mail: TestSmtpServer
  /**
   * Registers a fresh member and returns its tokens; `as` has an admin give it that role through the API (see
   * `grantRole`), and it logs in again. The member confirms their address as a person does, through the link
   * emailed to it, unless `unverified` (then they may pay and be paid only small amounts).
   */
  signUp(options?: {
    as?: 'member' | 'moderator' | 'admin' | 'researcher'
    displayName?: string
    unverified?: boolean
  }): Promise<AuthTokens>
  /**
   * Another API instance on the same database, with its own configuration and nothing in memory shared with
   * this one (its rate limits, its account presence), as a second server would be. Closed with this one.
   */
  sibling(
    env?: Record<string, string>,
  ): Promise<{ app: App; request(options: InjectOptions): Promise<LightMyRequestResponse> }>
  close(): Promise<void>
}

let accounts = 0

/**
 * Follows the address-confirmation link emailed to `email` after its registration (the first message to it), as
 * the web page it opens does: the link's token goes to `POST /api/auth/verify-email`. Answers when confirmed.
 */
export async function confirmEmailThroughLink(
  t: { mail: TestSmtpServer; request(options: InjectOptions): Promise<LightMyRequestResponse> },
  email: string,
  seen = 0,
): Promise<string> {
  const message = await nextMailTo(t.mail, email, { seen })
  const link = message.links.find((address) => new URL(address).pathname === '/verify-email')
  if (!link) throw new Error(`no confirmation link in the message to ${email}: ${message.text}`)
  const token = new URL(link).searchParams.get('token') ?? ''
  const confirmed = await t.request({ method: 'POST', url: '/api/auth/verify-email', payload: { token } })
  if (confirmed.statusCode !== 200)
    throw new Error(`confirming ${email} failed: ${confirmed.statusCode} ${confirmed.body}`)
  return (confirmed.json() as { emailVerifiedAt: string }).emailVerifiedAt
}

function testConfig(env: Record<string, string>) {
  const config = {
    // The digest job runs when a test calls app.runDigestPass, not on a timer of its own.
    ...loadConfig({ DATA_DIR: '/nonexistent-test-data-dir', DIGEST_INTERVAL_SECONDS: '0', ...env }),
    passwordLog2N: testPasswordLog2N,
    seedDemo: false,
    ...(env.AUTH_RATE_LIMIT_PER_MINUTE ? {} : { authRateLimitPerMinute: 100_000 }),
  }
  // Tests write as fast as they can from one address: the per-member write limit has tests of its own.
  if (!env.WRITES_PER_MINUTE) config.load = { ...config.load, writesPerMinute: 0 }
  return config
}

/** The API on a database of this test file's own, driven over HTTP semantics with Fastify's inject. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await openTestDatabase()
  const mail = await startSmtpServer()
  const config = testConfig({ SMTP_URL: mail.url, ...env })
  const { changeRole, createTokenIssuer } = await import('@quartiere/auth')
  const tokens = await createTokenIssuer({ issuer: config.jwtIssuer, audience: config.jwtAudience })
  const app = await buildApp({ config, database, tokens })
  const request = (options: InjectOptions) => app.fastify.inject(options)
  const siblings: App[] = []
  /** The admin that grants roles to the members tests ask for; made on the first need. */
  let admin: AuthTokens | undefined

  /**
   * Roles are granted as the product grants them: by an admin, over `PUT /api/admin/users/:id/role`. The first
   * admin of a database comes from the console (`pnpm admin:grant`, the same service called here): the first
   * member asked to be an admin becomes it that way, and a role asked before any admin exists is granted by a
   * "Test Admin" made so. An admin a test demoted or erased meanwhile is replaced the same way.
   */
  async function grantRole(userId: string, role: 'moderator' | 'admin' | 'researcher') {
    if (!admin && role === 'admin') {
      await consoleGrant(userId, 'admin')
      return
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      admin ??= await bootstrapAdmin()
      const granted = await request({
        method: 'PUT',
        url: `/api/admin/users/${userId}/role`,
        headers: bearer(admin),
        payload: { role },
      })
      if (granted.statusCode === 200) return
      if (granted.statusCode !== 401 && granted.statusCode !== 403)
        throw new Error(`granting ${role} failed: ${granted.statusCode} ${granted.body}`)
      admin = undefined
    }
    throw new Error(`granting ${role} failed: no admin could grant it`)
  }

  async function consoleGrant(userId: string, role: 'admin') {
    const outcome = await database.db
      .transaction()
      .execute((trx) => changeRole(trx, { actorId: null, userId, role }))
    if (!outcome.ok) throw new Error(`granting ${role} at the console failed: ${outcome.message}`)
  }

  async function bootstrapAdmin(): Promise<AuthTokens> {
    accounts += 1
    const email = `admin${accounts}.${process.pid}.${Date.now()}@example.org`
    const registered = await request({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email, password: testPassword, displayName: 'Test Admin' },
    })
    if (registered.statusCode !== 201)
      throw new Error(`sign-up of the test admin failed: ${registered.statusCode} ${registered.body}`)
    await confirmEmailThroughLink({ mail, request }, email)
    await consoleGrant((registered.json() as AuthTokens).user.id, 'admin')
    const login = await request({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password: testPassword },
    })
    if (login.statusCode !== 200)
      throw new Error(`login of the test admin failed: ${login.statusCode} ${login.body}`)
    return login.json() as AuthTokens
  }

  return {
    app,
    database,
    request,
    mail,
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
      if (!options.unverified) {
        tokens.user.emailVerifiedAt = await confirmEmailThroughLink({ mail, request }, email)
      }
      if (!options.as || options.as === 'member') return tokens
      await grantRole(tokens.user.id, options.as)
      // Logging in again gives a token that says the new role, as a member who was promoted would get.
      const login = await request({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email, password: testPassword },
      })
      if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`)
      const loggedIn = login.json() as AuthTokens
      if (options.as === 'admin') admin = loggedIn
      return loggedIn
    },
    async sibling(siblingEnv = {}) {
      const other = await buildApp({
        config: testConfig({ SMTP_URL: mail.url, ...siblingEnv }),
        database,
        tokens,
      })
      siblings.push(other)
      return { app: other, request: (options: InjectOptions) => other.fastify.inject(options) }
    },
    async close() {
      for (const other of siblings) await other.close()
      await app.close()
      await database.close()
      await mail.close()
    },
  }
}

export function bearer(tokens: { accessToken: string }) {
  return { authorization: `Bearer ${tokens.accessToken}` }
}
