import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webDir } from '../../apps/web/scripts/build-if-stale'
import { validEntityByKind } from '../support/fixtures'
import { expectAccessible } from './accessibility'
import {
  callApi,
  closeBrowserTest,
  launchChromium,
  offlineContext,
  registerMember,
  type ServedApp,
  serveApp,
  signedInContext,
  waitForRendered,
} from './browser-support'

/**
 * The service worker (apps/web/src/sw/sw.ts): the app opens offline with the last area's things, and a deploy
 * reaches the page on the next reload.
 */
let served: ServedApp
let browser: Browser

beforeAll(async () => {
  served = await serveApp({ seedDemo: true })
  browser = await launchChromium()
}, 300_000)
afterAll(() => closeBrowserTest(browser, served))

describe('the installable, offline-capable app', () => {
  it('serves the manifest, icons and the worker at the root scope', async () => {
    const sw = await fetch(`${served.baseUrl}/sw.js`)
    expect(sw.status).toBe(200)
    expect(sw.headers.get('cache-control')).toBe('no-cache')
    expect(sw.headers.get('service-worker-allowed')).toBe('/')
    const manifest = await (await fetch(`${served.baseUrl}/manifest.webmanifest`)).json()
    expect(manifest).toMatchObject({
      display: 'standalone',
      start_url: '/',
      theme_color: '#1f7a4d',
      lang: 'it',
    })
    for (const icon of manifest.icons as { src: string }[]) {
      const response = await fetch(`${served.baseUrl}${icon.src}`)
      expect(response.headers.get('content-type')).toBe('image/png')
    }
    expect((manifest.icons as { purpose: string }[]).some((icon) => icon.purpose === 'maskable')).toBe(true)
  })

  it('opens offline on the last area with its things', { timeout: 120_000 }, async () => {
    const context = await offlineContext(browser, served.baseUrl, { locale: 'it-IT' })
    const page = await context.newPage()
    await page.goto(served.baseUrl)
    const online = await waitForRendered(page, (entities) => entities.length >= 2)
    // Registered when the first screen is done; installed (the shell precached) and in control.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 })
    // The area's things are fetched once more under the worker, which keeps the answer.
    await page.reload()
    await waitForRendered(page, (entities) => entities.length >= 2)
    expect(await page.getByTestId('offline-notice').count()).toBe(0)
    await context.setOffline(true)
    await page.reload()
    const offline = await waitForRendered(page, (entities) => entities.length >= 2)
    expect(offline.map((entity) => entity.id).sort()).toEqual(online.map((entity) => entity.id).sort())
    // The map says it is showing what was saved; the line goes when the network is back.
    await page
      .locator('.map-column [data-testid="offline-notice"]')
      .filter({ hasText: 'Sei offline: vedi l’ultima zona salvata su questo dispositivo.' })
      .waitFor()
    // A screen never opened online loads from what the worker precached: its code is there offline.
    const neverLoaded = await page.evaluate(() =>
      performance.getEntriesByType('resource').some((entry) => entry.name.includes('open-data-page')),
    )
    expect(neverLoaded).toBe(false)
    await page.getByTestId('nav-open-data').click()
    await page.getByTestId('open-data-page').waitFor()
    await context.setOffline(false)
    await page.getByTestId('nav-map').click()
    await page.getByTestId('offline-notice').waitFor({ state: 'detached' })
    await context.close()
  })

  it('says a screen could not be opened, instead of going blank, where its code never reached the device', async () => {
    // No service worker: nothing was precached, as in a browser without one or before it installed.
    const context = await offlineContext(browser, served.baseUrl, {
      locale: 'en-GB',
      serviceWorkers: 'block',
    })
    const page = await context.newPage()
    await page.goto(served.baseUrl)
    await waitForRendered(page, (entities) => entities.length >= 2)
    await context.setOffline(true)
    await page.getByTestId('nav-open-data').click()
    await page
      .getByTestId('load-failure')
      .filter({ hasText: 'You are offline and this part of Quartiere was not saved on this device yet.' })
      .waitFor()
    await expectAccessible(page, 'load failure, desktop')
    await context.setOffline(false)
    // Back online, the reload opens the screen that was asked for (its address is kept).
    await page.getByTestId('load-failure-reload').click()
    await page.getByTestId('open-data-page').waitFor()
    await context.close()
  })

  it('forgets a member’s cached map answers at sign-out', { timeout: 150_000 }, async () => {
    // A thing of hers at her home: its exact place is served to her alone (everyone else gets a 250 m cell).
    const member = await registerMember(served.baseUrl, 'Giulia Condivisa')
    const exact = [7.68123, 45.07137]
    await callApi(served.baseUrl, member, 'POST', '/api/entities', {
      ...validEntityByKind.space,
      title: 'Casa di Giulia',
      geometry: { type: 'Point', coordinates: exact },
      locationPrivate: true,
    })
    const exactText = String(exact[0])
    /** The map answers the worker keeps for offline use that hold her exact place. */
    const cachedExact = () =>
      page.evaluate(async (needle) => {
        const cache = await caches.open('quartiere-data')
        const found: string[] = []
        for (const request of await cache.keys()) {
          const response = await cache.match(request)
          if (response && (await response.text()).includes(needle)) found.push(request.url)
        }
        return found
      }, exactText)

    const context = await signedInContext(browser, served.baseUrl, member, { locale: 'it-IT' })
    const page = await context.newPage()
    const home = `${served.baseUrl}/?c=7.6812,45.0714&z=16`
    await page.goto(home)
    await waitForRendered(page, (entities) => entities.some((entity) => entity.title === 'Casa di Giulia'))
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 })
    await page.reload()
    await waitForRendered(page, (entities) => entities.some((entity) => entity.title === 'Casa di Giulia'))
    // Her answer is kept, exact place included…
    await expect.poll(cachedExact, { timeout: 20_000 }).not.toEqual([])
    const [privateAnswer] = await cachedExact()
    // …and she moves on to another area before signing out (the page fetches that one again after).
    await page.goto(`${served.baseUrl}/?c=7.6000,45.1000&z=16`)
    await page.getByTestId('logout').click()
    await page.getByTestId('login').waitFor()
    await expect.poll(cachedExact, { timeout: 20_000 }).toEqual([])

    // Offline on the shared computer: her area's answer is not served from the device.
    await context.setOffline(true)
    const answer = await page.evaluate(async (url) => {
      try {
        return await (await fetch(url)).text()
      } catch {
        return 'unavailable'
      }
    }, privateAnswer!)
    expect(answer).not.toContain(exactText)
    await context.close()
  })

  it('shows a new deploy after one reload', { timeout: 120_000 }, async () => {
    const indexFile = join(webDir, 'dist', 'index.html')
    const original = readFileSync(indexFile, 'utf8')
    const context = await offlineContext(browser, served.baseUrl, { locale: 'it-IT' })
    try {
      const page = await context.newPage()
      await page.goto(served.baseUrl)
      await waitForRendered(page, (entities) => entities.length >= 2)
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 })
      await page.reload()
      expect(await page.locator('meta[name="quartiere-build"]').count()).toBe(0)
      // A deploy: index.html changes on the server (as a new build's would, naming new hashed assets).
      writeFileSync(
        indexFile,
        original.replace('<head>', '<head>\n    <meta name="quartiere-build" content="B" />'),
      )
      await page.reload()
      expect(await page.locator('meta[name="quartiere-build"]').getAttribute('content')).toBe('B')
      await waitForRendered(page, (entities) => entities.length >= 2)
    } finally {
      writeFileSync(indexFile, original)
      await context.close()
    }
  })
})
