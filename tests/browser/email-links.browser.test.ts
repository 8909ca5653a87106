import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccessible } from './accessibility'
import {
  closeBrowserTest,
  emailedLink,
  launchChromium,
  offlineContext,
  registerMember,
  type ServedApp,
  screenshot,
  serveApp,
} from './browser-support'

/**
 * Issue #21, "Email", as a person meets it in a real Chromium: a forgotten password recovered through the link
 * sent by email, and a new member's address confirmed through theirs, after which the wallet no longer warns.
 * Every message is read from the real SMTP server the app sends to, and its link opened in the page.
 */
describe('password recovery and confirmed addresses', () => {
  let served: ServedApp
  let browser: Browser
  let page: Page
  let phone: Page
  const password = 'correct horse battery staple'
  const newPassword = 'a new and long passphrase'

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    browser = await launchChromium()
    page = await (await offlineContext(browser, served.baseUrl, { locale: 'en-GB' })).newPage()
    phone = await (
      await offlineContext(browser, served.baseUrl, {
        locale: 'it-IT',
        viewport: { width: 390, height: 844 },
      })
    ).newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('recovers a forgotten password: login dialog → email → link → new password → log in', async () => {
    const member = await registerMember(served.baseUrl, 'Rita Reset')
    const email = 'rita.reset@example.org'
    await page.goto(served.baseUrl)
    await page.getByTestId('login').click()
    await page.getByTestId('forgot-password').click()
    await page.locator('#forgot-email').fill(email)
    await expectAccessible(page, 'forgot-password form')
    await page.getByTestId('forgot-submit').click()
    // What happens next, said plainly.
    await page.getByTestId('forgot-message').filter({ hasText: 'is on its way' }).waitFor()
    await screenshot(page, '90-forgot-password')

    // The registration's confirmation was the first message; the reset link is the second.
    const link = await emailedLink(served.mail, email, '/reset-password', 1)
    await page.goto(link)
    await page.locator('#reset-title').waitFor()
    // The token is not left in the address bar.
    expect(new URL(page.url()).searchParams.get('token')).toBeNull()
    await expectAccessible(page, 'reset-password page')
    // A refused password is worded, and the link stays usable.
    await page.locator('#reset-password').fill('short')
    await page.getByTestId('reset-submit').click()
    await page.getByTestId('reset-error').filter({ hasText: /\S/ }).waitFor()
    await page.locator('#reset-password').fill(newPassword)
    await page.getByTestId('reset-submit').click()
    await page.getByTestId('reset-done').waitFor()
    await screenshot(page, '91-reset-password-done')

    await page.getByTestId('reset-login').click()
    await page.locator('#auth-email').fill(email)
    await page.locator('#auth-password').fill(newPassword)
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Rita Reset' }).waitFor()
    // The old password no longer works, and the member's earlier session was signed out.
    const old = await fetch(`${served.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    expect(old.status).toBe(401)
    const refresh = await fetch(`${served.baseUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: member.refreshToken }),
    })
    expect(refresh.status).toBe(401)

    // Opened again, the spent link says why it no longer works.
    await page.goto(link)
    await page.locator('#reset-password').fill('yet another long passphrase')
    await page.getByTestId('reset-submit').click()
    await page.getByTestId('reset-error').filter({ hasText: 'used already' }).waitFor()
  })

  it('registers, the wallet says to confirm the address and why; the emailed link confirms it', async () => {
    const email = 'carla.conferma@example.org'
    await phone.goto(served.baseUrl)
    await phone.getByTestId('register').click()
    await phone.locator('#auth-name').fill('Carla Conferma')
    await phone.locator('#auth-email').fill(email)
    await phone.locator('#auth-password').fill(password)
    await phone.getByTestId('auth-submit').click()
    await phone.getByTestId('user-name').filter({ hasText: 'Carla Conferma' }).waitFor()

    await phone.goto(`${served.baseUrl}/wallet`)
    const notice = phone.getByTestId('email-notice')
    await notice.filter({ hasText: email }).waitFor()
    await notice.filter({ hasText: 'piccole somme' }).waitFor()
    await expectAccessible(phone, 'wallet with the confirmation notice, phone')
    await screenshot(phone, '92-wallet-unconfirmed-phone')
    // Sending the link again says where it went.
    await phone.getByTestId('email-resend').click()
    await phone.getByTestId('email-resend-message').filter({ hasText: email }).waitFor()

    // The newest link (the second message) opens the confirmation page, which confirms and says so.
    await phone.goto(await emailedLink(served.mail, email, '/verify-email', 1))
    await phone.locator('[data-testid="verify-result"].ok').waitFor()
    await expectAccessible(phone, 'verify-email page, phone')
    await screenshot(phone, '93-email-confirmed-phone')
    await phone.getByTestId('verify-wallet').click()
    await phone.locator('#wallet-title').waitFor()
    await phone.getByTestId('send-submit').waitFor()
    expect(await phone.getByTestId('email-notice').count()).toBe(0)

    // The first link was spent with the second: opened now, the page says why it does nothing.
    await phone.goto(await emailedLink(served.mail, email, '/verify-email', 0))
    await phone
      .locator('[data-testid="verify-result"].error')
      .filter({ hasText: 'già stato usato' })
      .waitFor()
  })
})
