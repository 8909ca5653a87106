import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccessible, seriousA11yViolations } from './accessibility'
import {
  closeBrowserTest,
  launchChromium,
  type Member,
  offlineContext,
  registerMember,
  type ServedApp,
  serveApp,
  signedInContext,
} from './browser-support'

const phone = { width: 390, height: 844 }
const desktop = { width: 1280, height: 800 }

/**
 * axe-core on the screens every resident meets (the map with its list, a thing's detail, the wallet), on a
 * phone and at a desk, in both languages: no serious or critical WCAG 2.1 AA violation. The screens of later
 * work run the same check in their own browser tests (`expectAccessible`).
 */
describe('accessibility of the resident’s screens', () => {
  let served: ServedApp
  let browser: Browser
  let member: Member

  beforeAll(async () => {
    served = await serveApp({ seedDemo: true })
    member = await registerMember(served.baseUrl, 'Ada Access')
    browser = await launchChromium()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('the login dialog, on a phone and at a desk', async () => {
    for (const viewport of [phone, desktop]) {
      const context = await offlineContext(browser, served.baseUrl, { locale: 'it-IT', viewport })
      const page = await context.newPage()
      await page.goto(served.baseUrl)
      await page.getByTestId('login').click()
      await page.locator('#auth-email').waitFor()
      await expectAccessible(page, `the login dialog at ${viewport.width}px`)
      await context.close()
    }
  })

  it('finds violations when there are some (the check itself works)', async () => {
    const page = await (await offlineContext(browser, served.baseUrl, { locale: 'en-GB' })).newPage()
    await page.goto(served.baseUrl)
    await page.locator('.wall-item').first().waitFor()
    // A button with no name and an image with no text: a serious and a critical violation the check must see.
    await page.evaluate(() => {
      const image = document.createElement('img')
      image.src = '/favicon.svg'
      const nameless = document.createElement('button')
      document.querySelector('#side')?.prepend(image, nameless)
    })
    const ids = (await seriousA11yViolations(page)).map((violation) => violation.id)
    expect(ids).toContain('button-name')
    expect(ids).toContain('image-alt')
    await page.context().close()
  })

  for (const [name, viewport] of [
    ['phone', phone],
    ['desktop', desktop],
  ] as const) {
    for (const locale of ['it-IT', 'en-GB']) {
      it(`the map, a thing's detail and the wallet on a ${name} (${locale})`, async () => {
        const context = await signedInContext(browser, served.baseUrl, member, { locale, viewport })
        const page: Page = await context.newPage()
        await page.goto(served.baseUrl)
        await page.locator('.wall-item').first().waitFor()
        await expectAccessible(page, `the map on a ${name}`)

        await page.locator('.wall-item').first().click()
        await page.getByTestId('detail-title').waitFor()
        await expectAccessible(page, `a thing's detail on a ${name}`)

        await page.getByTestId('nav-wallet').click()
        await page.locator('#wallet-title').waitFor()
        await expectAccessible(page, `the wallet on a ${name}`)

        await page.getByTestId('notifications-bell').click()
        await page.getByTestId('notifications-panel').waitFor()
        await expectAccessible(page, `the notifications panel on a ${name}`)
        await context.close()
      })
    }
  }
})
