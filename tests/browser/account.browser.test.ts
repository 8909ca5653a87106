import { readFileSync } from 'node:fs'
import type { PersonalDataExport } from '@quartiere/contracts'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { expectAccessible } from './accessibility'
import {
  callApi,
  closeBrowserTest,
  confirmEmailInPage,
  launchChromium,
  type Member,
  offlineContext,
  registerMember,
  type ServedApp,
  screenshot,
  serveApp,
  sessionToken,
  signedInContext,
} from './browser-support'

/**
 * My account in a real Chromium, as a new resident goes through it: signs up through the form, renames
 * themselves and switches to Italian, changes the password and logs in with the new one, follows a thing and
 * stops following it from the account page, finds their thing and post and opens one on the map, downloads their
 * data, signs out every device, and erases the account: refused while an exchange is pending (said with where to
 * go), done once it is cancelled. On a desktop and on a phone.
 */
describe('my account', () => {
  let served: ServedApp
  let browser: Browser
  let page: Page
  let base: string
  const email = 'lucia.rossi@example.org'
  const firstPassword = 'correct horse battery staple'
  const newPassword = 'una nuova frase lunga e segreta'
  let userId: string
  let marco: Member
  let eventId: string
  let offerId: string

  /** The member as the page's session holds them, for the test's own calls. */
  async function me(): Promise<Member> {
    const token = await sessionToken(page)
    return { accessToken: token } as Member
  }

  async function openAccount() {
    await page.getByTestId('user-name').click()
    await page.getByTestId('account-page').waitFor()
    expect(new URL(page.url()).pathname).toBe('/account')
  }

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    base = served.baseUrl
    marco = await registerMember(base, 'Marco Offre')
    offerId = (await callApi<{ id: string }>(base, marco, 'POST', '/api/entities', validEntityByKind.offer))
      .id
    browser = await launchChromium()
    page = await (await offlineContext(browser, base, { locale: 'en-GB' })).newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('signs up through the form, renames themselves and switches the language from the account page', async () => {
    await page.goto(base)
    await page.getByTestId('register').click()
    await page.locator('#auth-name').fill('Lucia')
    await page.locator('#auth-email').fill(email)
    await page.locator('#auth-password').fill(firstPassword)
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Lucia' }).waitFor()
    // She pays later (an exchange): her address is confirmed as a person does it, with the emailed link.
    await confirmEmailInPage(page, served.mail, email)
    await page.goto(base)
    await page.getByTestId('user-name').filter({ hasText: 'Lucia' }).waitFor()
    // The name in the top bar leads to the account page.
    await openAccount()
    await page.locator('#account-title').filter({ hasText: 'My account' }).waitFor()
    await page.getByText(`Email: ${email}`).waitFor()
    await expectAccessible(page, 'account page, desktop')

    await page.getByLabel('Name others see').fill('Lucia Rossi')
    await page.getByTestId('account-locale').selectOption('it')
    await page.getByTestId('account-save-profile').click()
    await page.getByTestId('account-profile-message').filter({ hasText: 'Profilo salvato.' }).waitFor()
    // The interface speaks Italian at once, and the top bar shows the new name.
    await page.locator('#account-title').filter({ hasText: 'Il mio account' }).waitFor()
    expect(await page.locator('html').getAttribute('lang')).toBe('it')
    await page.getByTestId('user-name').filter({ hasText: 'Lucia Rossi' }).waitFor()
    const stored = await callApi<{ id: string; displayName: string; locale: string }>(
      base,
      await me(),
      'GET',
      '/api/me',
    )
    expect(stored).toMatchObject({ displayName: 'Lucia Rossi', locale: 'it' })
    userId = stored.id
    // The top bar's language is the member's language too: saved to the profile, for what the server sends them.
    const savedLocale = async () =>
      (await callApi<{ locale: string }>(base, await me(), 'GET', '/api/me')).locale
    await page.getByTestId('language').selectOption('en')
    await expect.poll(savedLocale, { timeout: 15_000 }).toBe('en')
    await page.getByTestId('language').selectOption('it')
    await expect.poll(savedLocale, { timeout: 15_000 }).toBe('it')
    await page.locator('#account-title').filter({ hasText: 'Il mio account' }).waitFor()
    await screenshot(page, '50-account-profile')
  })

  it('changes the password, with the rules said first, and logs in with the new one', async () => {
    await page.getByTestId('account-password').getByText('almeno 10 caratteri', { exact: false }).waitFor()
    await page.getByTestId('account-current-password').fill(firstPassword)
    await page.getByTestId('account-new-password').fill(newPassword)
    await page.getByTestId('account-change-password').click()
    await page.getByTestId('account-password-message').filter({ hasText: 'Password cambiata' }).waitFor()

    await page.getByTestId('logout').click()
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill(email)
    await page.locator('#auth-password').fill(newPassword)
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Lucia Rossi' }).waitFor()
    const old = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: firstPassword }),
    })
    expect(old.status).toBe(401)
  })

  it('follows a thing from its detail and stops following it from the account page', async () => {
    // Preconditions made through the API: a thing and a post of hers (their creation has tests of its own).
    const lucia = await me()
    eventId = (await callApi<{ id: string }>(base, lucia, 'POST', '/api/entities', validEntityByKind.event))
      .id
    await callApi(base, lucia, 'POST', `/api/entities/${offerId}/posts`, {
      title: 'Domanda sulle ripetizioni',
      body: 'Anche il sabato?',
    })

    await page.goto(`${base}/?sel=${offerId}`)
    await page.getByTestId('detail-title').filter({ hasText: validEntityByKind.offer.title }).waitFor()
    await page.getByTestId('follow').click()
    await page.getByTestId('follow').and(page.locator('[aria-pressed="true"]')).waitFor()

    await openAccount()
    const following = page.getByTestId('account-following-list')
    await following
      .getByRole('button', { name: `Mostra ${validEntityByKind.offer.title} sulla mappa` })
      .waitFor()
    await following
      .getByRole('button', { name: `Smetti di seguire ${validEntityByKind.offer.title}` })
      .click()
    await page.getByTestId('account-following').getByText('Non segui più', { exact: false }).waitFor()
    // Gone from the list; her own thing, which its author follows from its creation, stays.
    await expect
      .poll(() => following.getByText(validEntityByKind.offer.title, { exact: true }).count())
      .toBe(0)
    await following
      .getByRole('button', { name: `Mostra ${validEntityByKind.event.title} sulla mappa` })
      .waitFor()
    const state = await callApi<{ following: boolean }>(
      base,
      await me(),
      'GET',
      `/api/entities/${offerId}/subscription`,
    )
    expect(state.following).toBe(false)
  })

  it('lists my thing and my post, and opens them on the map', async () => {
    await page.getByTestId('account-things-list').getByText(validEntityByKind.event.title).waitFor()
    await page.getByTestId('account-posts-list').getByText('Domanda sulle ripetizioni').waitFor()
    await expectAccessible(page, 'account page with lists, desktop')
    await page
      .getByTestId('account-posts-list')
      .getByRole('button', { name: 'Domanda sulle ripetizioni', exact: false })
      .click()
    await page.getByTestId('detail-title').filter({ hasText: validEntityByKind.offer.title }).waitFor()
    expect(new URL(page.url()).searchParams.get('sel')).toBe(offerId)

    await openAccount()
    await page
      .getByTestId('account-things-list')
      .getByRole('button', { name: validEntityByKind.event.title, exact: false })
      .click()
    await page.getByTestId('detail-title').filter({ hasText: validEntityByKind.event.title }).waitFor()
    expect(new URL(page.url()).searchParams.get('sel')).toBe(eventId)
  })

  it('downloads my data as a dated JSON file that holds my account', async () => {
    await openAccount()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('account-download').click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^quartiere-personal-data-\d{4}-\d{2}-\d{2}\.json$/)
    const data = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as PersonalDataExport
    expect(data.profile).toMatchObject({ id: userId, email, displayName: 'Lucia Rossi' })
    expect(data.entities.map((entity) => entity.id)).toContain(eventId)
    expect(data.posts.map((post) => post.title)).toContain('Domanda sulle ripetizioni')
    await page.getByTestId('account-download-message').filter({ hasText: 'Salvato come' }).waitFor()
  })

  it('signs out every device: another browser is logged out on its next refresh', async () => {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: newPassword }),
    })
    const phoneSession = (await login.json()) as Member
    const phone = await (
      await signedInContext(browser, base, phoneSession, {
        locale: 'it-IT',
        viewport: { width: 390, height: 844 },
      })
    ).newPage()
    await phone.goto(base)
    await phone.getByTestId('user-name').filter({ hasText: 'Lucia Rossi' }).waitFor()

    await page.getByTestId('account-sign-out-everywhere').click()
    // This device is signed out at once: the page asks to log in.
    await page.getByTestId('login').waitFor()

    // The phone's next refresh (its access token made stale here) is refused, and it is logged out.
    await phone.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem('quartiere.session') ?? '{}') as Record<string, string>
      stored.accessTokenExpiresAt = new Date(0).toISOString()
      localStorage.setItem('quartiere.session', JSON.stringify(stored))
    })
    await phone.reload()
    await phone.getByTestId('login').waitFor()
    expect(await phone.getByTestId('user-name').count()).toBe(0)
    const refreshed = await fetch(`${base}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: phoneSession.refreshToken }),
    })
    expect(refreshed.status).toBe(401)
    await phone.context().close()
  })

  it('says what erasing does before asking the password, refuses while an exchange is pending and says where to go', async () => {
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill(email)
    await page.locator('#auth-password').fill(newPassword)
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Lucia Rossi' }).waitFor()
    // An exchange she asked for on Marco's offer: its hours are held on her account until it is resolved.
    await callApi(base, await me(), 'POST', `/api/entities/${offerId}/exchanges`, { hours: '1.00' })

    await openAccount()
    const erase = page.getByTestId('account-erase')
    await erase.getByText('Former member', { exact: false }).waitFor()
    await erase.getByText('trasferimenti', { exact: false }).first().waitFor()
    // The password is asked only after the consequences, once she chooses to go on.
    expect(await page.getByTestId('account-erase-password').count()).toBe(0)
    await page.getByTestId('account-erase-start').click()
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('account-erase-password')
    await page.getByTestId('account-erase-password').fill(newPassword)
    await page.getByTestId('account-erase-confirm').click()
    const refusal = page.getByTestId('account-erase-refusal')
    await refusal.getByText('scambio o una prenotazione in corso', { exact: false }).waitFor()
    expect(await refusal.getByRole('alert').count()).toBe(1)
    await expectAccessible(page, 'erasure refused, desktop')
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.getByTestId('account-erase-wallet').isVisible()).toBe(true)
    await expectAccessible(page, 'erasure refused, phone')
    await screenshot(page, '51-account-erasure-refused-phone')
    // Nothing was erased.
    const still = await callApi<{ id: string }>(base, await me(), 'GET', '/api/me')
    expect(still.id).toBe(userId)
  })

  it('erases the account once the exchange is cancelled in the wallet, and shows the map', async () => {
    await page.getByTestId('account-erase-wallet').click()
    expect(new URL(page.url()).pathname).toBe('/wallet')
    const row = page.locator('.exchange-row').filter({ hasText: validEntityByKind.offer.title })
    await row.getByRole('button', { name: 'Annulla' }).click()
    await expect.poll(() => row.getByRole('button', { name: 'Annulla' }).count()).toBe(0)

    await openAccount()
    await expectAccessible(page, 'account page, phone')
    await page.getByTestId('account-erase-start').click()
    await page.getByTestId('account-erase-password').fill(newPassword)
    await page.getByTestId('account-erase-confirm').click()
    // The session ends and the map shows.
    await page.getByTestId('login').waitFor()
    await page.getByTestId('add-point').waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: newPassword }),
    })
    expect(login.status).toBe(401)
    const row2 = await served.app.database.db
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .executeTakeFirst()
    expect(row2).toBeUndefined()
    // Her thing stays on the map, signed by a former member.
    const event = await (await fetch(`${base}/api/entities/${eventId}`)).json()
    expect(event.properties.author.displayName).toBe('Former member')
  })
})
