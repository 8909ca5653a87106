import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  launchChromium,
  offlineContext,
  type ServedApp,
  screenshot,
  serveApp,
  waitForRendered,
} from '../browser/browser-support'

declare global {
  interface Window {
    __cspViolations?: string[]
  }
}

/**
 * The web client works under the content security policy the API sends (plugins/browser-policy.ts): the map
 * with its workers, the styles, the images, the live feed. Chromium reports every blocked load or script as a
 * `securitypolicyviolation` event; there must be none.
 */
describe('the content security policy in Chromium', () => {
  let served: ServedApp
  let browser: Browser
  let page: Page
  const consoleViolations: string[] = []

  beforeAll(async () => {
    served = await serveApp({ seedDemo: true })
    browser = await launchChromium()
    const context = await offlineContext(browser, served.baseUrl, { locale: 'en-GB' })
    await context.addInitScript(() => {
      window.__cspViolations = []
      document.addEventListener('securitypolicyviolation', (event) => {
        window.__cspViolations?.push(`${event.violatedDirective} ${event.blockedURI}`)
      })
    })
    page = await context.newPage()
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) consoleViolations.push(message.text())
    })
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await served?.close()
  })

  it('serves the client with a strict policy', async () => {
    const response = await page.goto(`${served.baseUrl}/?c=7.68,45.075&z=12`)
    const policy = response?.headers()['content-security-policy'] ?? ''
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain("object-src 'none'")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(policy).not.toContain('unsafe-eval')
    expect(policy).not.toContain("'unsafe-inline'")
  })

  it('renders the map, its workers and the panels with no violation', async () => {
    // At the city's scale only the city-wide projects show (a thing shows from its zoomLevel in).
    await waitForRendered(page, (entities) => entities.length > 0)
    // Open what loads more code and data: the wall's first entity and the wallet page. Each must really open
    // (an item that matched nothing once left the detail panel out of this test without a word).
    const first = page.locator('.wall .wall-items li button.wall-item').first()
    await first.waitFor({ timeout: 30_000 })
    const title = await first.locator('.wall-title').textContent()
    expect(title?.trim()).toBeTruthy()
    await first.click()
    await page
      .getByTestId('detail-title')
      .filter({ hasText: title?.trim() ?? '' })
      .waitFor({ timeout: 30_000 })
    await expect(page.getByTestId('detail-title').textContent()).resolves.toBe(title?.trim())
    await screenshot(page, 'csp-detail')
    await page.getByTestId('nav-wallet').click()
    await expect(page.getByTestId('nav-wallet').getAttribute('aria-current')).resolves.toBe('page')
    await page.waitForTimeout(1_000)
    await screenshot(page, 'csp-wallet')
    const violations = await page.evaluate(() => window.__cspViolations)
    expect(violations).toEqual([])
    expect(consoleViolations).toEqual([])
    // The listener hears a violation when there is one: an image from an origin the policy does not name.
    await page.evaluate(() => {
      const image = new Image()
      image.src = 'https://not-allowed.example/pixel.png'
      document.body.append(image)
    })
    await expect
      .poll(() => page.evaluate(() => window.__cspViolations?.length ?? 0), { timeout: 10_000 })
      .toBe(1)
    expect(await page.evaluate(() => window.__cspViolations?.[0])).toMatch(
      /^img-src https:\/\/not-allowed\.example/,
    )
  })
})
