import type { EmailPreferences } from '@quartiere/contracts'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { carriesHeader, nextMailTo } from '../support/smtp-server'
import { expectAccessible } from './accessibility'
import {
  callApi,
  closeBrowserTest,
  launchChromium,
  type Member,
  offlineContext,
  registerMember,
  type ServedApp,
  screenshot,
  serveApp,
  signedInContext,
} from './browser-support'

/**
 * Email digests in a real Chromium: a member chooses daily digests in the Email section of their account page
 * (desktop); a digest reaches them over SMTP, and its "stop these digests" link, opened on a phone without
 * signing in, shows a page that confirms with one button.
 */
describe('email digests', () => {
  let served: ServedApp
  let browser: Browser
  let base: string
  let giulia: Member
  let marco: Member
  const giuliaEmail = 'giulia.digest@example.org'

  beforeAll(async () => {
    // The week's digests are due from hour 0 of Monday: whatever the day, a pass sends them.
    served = await serveApp({ seedDemo: false, env: { DIGEST_HOUR: '0', DIGEST_WEEKDAY: '1' } })
    base = served.baseUrl
    giulia = await registerMember(base, 'Giulia Digest')
    marco = await registerMember(base, 'Marco Notizie')
    browser = await launchChromium()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('changes how often the digest comes from the account’s Email section', async () => {
    const context = await signedInContext(browser, base, giulia, {
      locale: 'en-GB',
      viewport: { width: 1280, height: 800 },
    })
    const page = await context.newPage()
    await page.goto(`${base}/account`)
    const section = page.getByTestId('account-email')
    await section.waitFor()
    await section.getByText('Mail to your address is delivered normally.').waitFor()
    expect(await page.getByTestId('email-digest-weekly').isChecked()).toBe(true)
    await expectAccessible(page, 'account email section, desktop')

    await page.getByLabel('Daily, in the morning').check()
    await page.getByTestId('email-digest-save').click()
    await page
      .getByTestId('email-digest-message')
      .filter({ hasText: 'Saved: Daily, in the morning.' })
      .waitFor()
    const stored = await callApi<EmailPreferences>(base, giulia, 'GET', '/api/me/email-preferences')
    expect(stored.digestFrequency).toBe('daily')
    await page.reload()
    await page.getByTestId('email-digest-daily').waitFor()
    expect(await page.getByTestId('email-digest-daily').isChecked()).toBe(true)
    await section.scrollIntoViewIfNeeded()
    await screenshot(page, 'digests-account-email-desktop')
    await context.close()
  })

  it('confirms the unsubscribe of a digest’s link with one button, without signing in, on a phone', async () => {
    const thing = await callApi<{ id: string }>(base, marco, 'POST', '/api/entities', validEntityByKind.space)
    await callApi(base, giulia, 'PUT', `/api/entities/${thing.id}/subscription`)
    await callApi(base, marco, 'POST', `/api/entities/${thing.id}/posts`, { body: 'Festa in cortile sabato' })
    await served.app.runDigestPass(new Date(Date.now() + 1000))
    // Her first message was the confirmation link of her sign-up: the digest is the one that can be unsubscribed.
    const mail = await nextMailTo(served.mail, giuliaEmail, {
      matching: carriesHeader('List-Unsubscribe-Post'),
    })
    const link = mail.links.find((url) => url.includes('/unsubscribe?id='))
    expect(link).toBeDefined()

    const context = await offlineContext(browser, base, {
      locale: 'it-IT',
      viewport: { width: 390, height: 844 },
    })
    const page = await context.newPage()
    await page.goto(link as string)
    await page.getByTestId('unsubscribe-page').waitFor()
    await page.getByRole('heading', { name: 'Disattiva i riepiloghi via email' }).waitFor()
    await expectAccessible(page, 'unsubscribe page, phone')
    await page.getByRole('button', { name: 'Disattiva i riepiloghi' }).click()
    await page.getByTestId('unsubscribe-message').filter({ hasText: 'Fatto' }).waitFor()
    await expectAccessible(page, 'unsubscribe page confirmed, phone')
    await screenshot(page, 'digests-unsubscribe-phone')
    const stored = await callApi<EmailPreferences>(base, giulia, 'GET', '/api/me/email-preferences')
    expect(stored.digestFrequency).toBe('none')
    await context.close()
  })
})
