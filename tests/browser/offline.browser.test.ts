import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webDir } from '../../apps/web/scripts/build-if-stale'
import {
  closeBrowserTest,
  launchChromium,
  offlineContext,
  type ServedApp,
  serveApp,
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
    await context.setOffline(true)
    await page.reload()
    const offline = await waitForRendered(page, (entities) => entities.length >= 2)
    expect(offline.map((entity) => entity.id).sort()).toEqual(online.map((entity) => entity.id).sort())
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
