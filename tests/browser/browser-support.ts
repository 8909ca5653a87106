import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type App, buildApp } from '@quartiere/api'
import { loadConfig } from '@quartiere/api/config'
import { createTokenIssuer } from '@quartiere/auth'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { buildWebIfStale } from '../../apps/web/scripts/build-if-stale'
import { nextMailTo, startSmtpServer, type TestSmtpServer } from '../support/smtp-server'
import { testPasswordLog2N } from '../support/test-app'
import { openTestDatabase } from '../support/test-database'

export const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), 'artifacts')

export interface ServedApp {
  app: App
  baseUrl: string
  /** The SMTP server the app sends its email to: what it received, to follow links from. */
  mail: TestSmtpServer
  close(): Promise<void>
}

/**
 * The API as `pnpm start` runs it, on this test file's own database, serving the built client: the demo data
 * loaded (or not), listening on a free port.
 */
export async function serveApp(options: {
  seedDemo: boolean
  /** More configuration, as environment variables (e.g. MEDIA_DIR for a test that uploads photos). */
  env?: Record<string, string>
}): Promise<ServedApp> {
  buildWebIfStale({ quiet: true })
  const database = await openTestDatabase()
  const mail = await startSmtpServer()
  const config = {
    ...loadConfig({
      DATA_DIR: '/nonexistent-test-data-dir',
      SMTP_URL: mail.url,
      DIGEST_INTERVAL_SECONDS: '0',
      ...options.env,
    }),
    passwordLog2N: testPasswordLog2N,
    seedDemo: options.seedDemo,
    authRateLimitPerMinute: 100_000,
  }
  const tokens = await createTokenIssuer({ issuer: config.jwtIssuer, audience: config.jwtAudience })
  const app = await buildApp({ config, database, tokens })
  await app.fastify.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.fastify.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`
  // Links in email point to where the test serves the app: its port is known only now that it listens.
  config.mail.linkOrigin = baseUrl
  mailOf.set(baseUrl, mail)
  return {
    app,
    baseUrl,
    mail,
    async close() {
      mailOf.delete(baseUrl)
      await app.close()
      await database.close()
      await mail.close()
    },
  }
}

/** Debian's Chromium, headless, software WebGL, no background traffic, no downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist',
    ],
  })
}

/**
 * A browser context that can reach only our server: every other host is refused at once, as on a machine with
 * no network, so the street basemap fails and the bundled offline style must carry the map.
 */
export async function offlineContext(
  browser: Browser,
  baseUrl: string,
  options: {
    locale: string
    viewport?: { width: number; height: number }
    /** `block`: no service worker, as a browser without one (or before it installed) would be. */
    serviceWorkers?: 'allow' | 'block'
  },
): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: options.locale,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    serviceWorkers: options.serviceWorkers ?? 'allow',
  })
  await context.route(
    (url) => url.origin !== baseUrl,
    (route) => route.abort('internetdisconnected'),
  )
  return context
}

/** Two residents side by side, as the multi-member tests have them: A browses in Italian, B in English. */
export interface TwoBrowsers {
  browser: Browser
  pageA: Page
  pageB: Page
}

/**
 * Launches Chromium with two offline contexts and a page in each: signed in as `members` when given (the
 * session put in place before the first page loads), anonymous otherwise.
 */
export async function openTwoBrowsers(
  baseUrl: string,
  members?: readonly [Member, Member],
): Promise<TwoBrowsers> {
  const browser = await launchChromium()
  const contextFor = (locale: string, member: Member | undefined) =>
    member
      ? signedInContext(browser, baseUrl, member, { locale })
      : offlineContext(browser, baseUrl, { locale })
  const contextA = await contextFor('it-IT', members?.[0])
  const contextB = await contextFor('en-GB', members?.[1])
  return { browser, pageA: await contextA.newPage(), pageB: await contextB.newPage() }
}

/** A browser test's last step: Chromium first (its pages talk to the server), then the server. */
export async function closeBrowserTest(browser: Browser | undefined, served: ServedApp | undefined) {
  await browser?.close()
  await served?.close()
}

export interface RenderedEntity {
  id: string
  kind: string
  title: string
}

/** What the map has drawn, read from MapLibre itself (queryRenderedFeatures), not from the DOM. */
export function renderedEntities(page: Page): Promise<RenderedEntity[]> {
  return page.evaluate(() => window.__quartiere?.renderedEntities() ?? [])
}

/** Waits until the map has drawn something that satisfies `predicate`, and returns what it drew. */
export async function waitForRendered(
  page: Page,
  predicate: (entities: RenderedEntity[]) => boolean,
  timeoutMs = 30_000,
): Promise<RenderedEntity[]> {
  const deadline = Date.now() + timeoutMs
  let last: RenderedEntity[] = []
  while (Date.now() < deadline) {
    last = await renderedEntities(page)
    if (predicate(last)) return last
    await page.waitForTimeout(200)
  }
  throw new Error(`the map did not draw what was expected; it drew ${JSON.stringify(last.slice(0, 20))}`)
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(artifactsDir, { recursive: true })
  await page.screenshot({ path: join(artifactsDir, `${name}.png`) })
}

declare global {
  interface Window {
    __quartiere?: { renderedEntities(): RenderedEntity[] }
  }
}

export interface Member {
  user: { id: string; displayName: string }
  accessToken: string
  accessTokenExpiresAt: string
  refreshToken: string
  refreshTokenExpiresAt: string
}

/** The SMTP server of each served app, by its base URL: where a member's confirmation link is read from. */
const mailOf = new Map<string, TestSmtpServer>()

/**
 * Registers a member through the API (faster than the form, which web.browser.test.ts covers), who confirms
 * their address through the link emailed to it (as the web page does with it), unless `unverified`.
 */
export async function registerMember(
  baseUrl: string,
  displayName: string,
  options: { unverified?: boolean } = {},
): Promise<Member> {
  const email = `${displayName
    .replace(/[^a-z0-9]+/gi, '.')
    .replace(/^\.|\.$/g, '')
    .toLowerCase()}@example.org`
  const response = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery staple', displayName }),
  })
  if (response.status !== 201)
    throw new Error(`register ${displayName}: ${response.status} ${await response.text()}`)
  const member = (await response.json()) as Member
  const mail = mailOf.get(baseUrl)
  if (!options.unverified && mail) {
    const token = new URL(await emailedLink(mail, email, '/verify-email')).searchParams.get('token')
    const confirmed = await fetch(`${baseUrl}/api/auth/verify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    })
    if (confirmed.status !== 200)
      throw new Error(`confirm ${displayName}: ${confirmed.status} ${await confirmed.text()}`)
    // Tokens that know the address is confirmed, as a login after confirming gives: a session holding the
    // registration's (unconfirmed) user would refresh at once on the wallet, spending the refresh token that the
    // next browser context given this member would start from.
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple' }),
    })
    if (login.status !== 200) throw new Error(`login ${displayName}: ${login.status} ${await login.text()}`)
    return (await login.json()) as Member
  }
  return member
}

/** The link to `path` in the newest message to `address` (waiting for the `seen`+1-th one). */
export async function emailedLink(
  mail: TestSmtpServer,
  address: string,
  path: string,
  seen = 0,
): Promise<string> {
  const message = await nextMailTo(mail, address, { seen })
  const link = message.links.find((candidate) => new URL(candidate).pathname === path)
  if (!link) throw new Error(`no ${path} link in the message to ${address}: ${message.text}`)
  return link
}

/**
 * A member registered through the form confirms their address as a person does: opens the link of the message
 * sent to it in their browser, and waits for the page to say it is confirmed.
 */
export async function confirmEmailInPage(page: Page, mail: TestSmtpServer, address: string, seen = 0) {
  await page.goto(await emailedLink(mail, address, '/verify-email', seen))
  await page.locator('[data-testid="verify-result"].ok').waitFor()
}

/** A JSON call to the API as a member: the test's own setup (groups, currencies, campaigns). */
export async function callApi<T = unknown>(
  baseUrl: string,
  member: Member,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${member.accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return (text ? JSON.parse(text) : null) as T
}

/** The access token the client in `page` holds (what it sends), for the test's own calls as that member. */
export function sessionToken(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      (JSON.parse(localStorage.getItem('quartiere.session') ?? '{}') as { accessToken: string }).accessToken,
  )
}

/**
 * An offline context already signed in as `member`: the session is put where the client keeps it before the
 * first page loads (only when absent, so the client's own refreshed tokens are never overwritten).
 */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  member: Member,
  options: { locale: string; viewport?: { width: number; height: number } },
): Promise<BrowserContext> {
  const context = await offlineContext(browser, baseUrl, options)
  await context.addInitScript((session: string) => {
    if (!localStorage.getItem('quartiere.session')) localStorage.setItem('quartiere.session', session)
  }, JSON.stringify(member))
  return context
}
