import { changeRole } from '@quartiere/auth'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
 * The admins' page in a real Chromium: the only admin of a fresh platform logs in through the form, opens
 * Administration, finds a member by name and makes them a moderator, and sees the change in the log; stepping
 * down themselves is refused with the API's `last_admin`, said in a sentence. A member who is not an admin is
 * not offered the page. No demo data: its city account would be a second admin, and demo accounts cannot log in.
 */
describe('the admins’ roles page', () => {
  let served: ServedApp
  let browser: Browser
  let adminPage: Page
  let memberPage: Page
  let anna: Member
  let bruno: Member
  let carla: Member

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    const base = served.baseUrl
    anna = await registerMember(base, 'Anna Admin')
    bruno = await registerMember(base, 'Bruno Volunteer')
    carla = await registerMember(base, 'Carla Member')
    // The first admin of a platform comes from the server console (`pnpm admin:grant`, this very service).
    const granted = await served.app.database.db
      .transaction()
      .execute((trx) => changeRole(trx, { actorId: null, userId: anna.user.id, role: 'admin' }))
    if (!granted.ok) throw new Error(`granting admin at the console failed: ${granted.message}`)
    browser = await launchChromium()
    adminPage = await (await offlineContext(browser, base, { locale: 'en-GB' })).newPage()
    memberPage = await (await signedInContext(browser, base, carla, { locale: 'it-IT' })).newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('an admin logs in, makes a member a moderator and sees it in the log', async () => {
    const page = adminPage
    await page.goto(served.baseUrl)
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill('anna.admin@example.org')
    await page.locator('#auth-password').fill('correct horse battery staple')
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Anna Admin' }).waitFor()

    await page.getByTestId('nav-admin').click()
    await page.locator('#admin-title').filter({ hasText: 'Administration' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/admin')
    // Anna's own grant, made at the console, is already in the log.
    await page
      .getByTestId('role-change')
      .filter({ hasText: 'Anna Admin: from member to admin, at the server console' })
      .waitFor()
    expect(await page.getByTestId('role-change').count()).toBe(1)

    await page.getByTestId('admin-member').fill('Bru')
    await page.getByRole('button', { name: 'Bruno Volunteer' }).click()
    // The member directory does not say a member's role: the page says so and lets the API answer.
    await page.getByTestId('admin-current-role').filter({ hasText: 'not shown here' }).waitFor()
    await page.getByTestId('admin-role').selectOption('moderator')
    await page.getByTestId('admin-reason').fill('Looks after the reports of the garden')
    await page.getByTestId('admin-apply').click()
    await page.getByTestId('admin-message').filter({ hasText: 'Bruno Volunteer is now moderator.' }).waitFor()
    expect(await page.getByTestId('admin-message').getAttribute('role')).toBe('status')
    await expectAccessible(page, 'the admins’ roles page after a change')

    // The log is read again after the change: the new entry comes first, with who did it and why.
    const newest = page.getByTestId('role-change').first()
    await newest.filter({ hasText: 'Bruno Volunteer: from member to moderator, by Anna Admin' }).waitFor()
    expect(await newest.textContent()).toContain('Reason: Looks after the reports of the garden')
    expect(await page.getByTestId('role-change').count()).toBe(2)
    // The API holds the new role: Bruno is a moderator for the server, not just on this page.
    const me = await callApi<{ role: string }>(served.baseUrl, bruno, 'GET', '/api/me')
    expect(me.role).toBe('moderator')
    await screenshot(page, '40-admin-role-granted')
  })

  it('refuses, in a sentence, to let the only admin step down', async () => {
    const page = adminPage
    await page.getByTestId('admin-member').fill('Anna')
    await page.getByRole('button', { name: 'Anna Admin', exact: true }).click()
    // Her own role is known from the API's word on the signed-in user.
    await page.getByTestId('admin-current-role').filter({ hasText: 'Current role: admin' }).waitFor()
    await page.getByTestId('admin-role').selectOption('member')
    await page.getByTestId('admin-apply').click()
    const refusal = page.getByTestId('admin-message').filter({ hasText: 'You are the last admin' })
    await refusal.waitFor()
    expect(await refusal.getAttribute('role')).toBe('alert')
    // Nothing changed: still an admin, still two entries in the log, still offered the page.
    const me = await callApi<{ role: string }>(served.baseUrl, anna, 'GET', '/api/me')
    expect(me.role).toBe('admin')
    expect(await page.getByTestId('role-change').count()).toBe(2)
    expect(await page.getByTestId('nav-admin').count()).toBe(1)
    // The answer and the log follow the reader's language.
    await page.getByTestId('language').selectOption('it')
    await page.getByTestId('admin-message').filter({ hasText: "Sei l'ultimo amministratore" }).waitFor()
    await page
      .getByTestId('role-change')
      .first()
      .filter({ hasText: 'Bruno Volunteer: da membro a moderatore, da parte di Anna Admin' })
      .waitFor()
    await screenshot(page, '41-admin-last-admin-refused')
    // On a phone the entry stays in the header and the page fits the screen.
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.getByTestId('nav-admin').isVisible()).toBe(true)
    expect(await page.getByTestId('admin-apply').isVisible()).toBe(true)
    await screenshot(page, '42-admin-phone')
  })

  it('does not offer Administration to a member who is not an admin', async () => {
    const page = memberPage
    await page.goto(served.baseUrl)
    await page.getByTestId('user-name').filter({ hasText: 'Carla Member' }).waitFor()
    expect(await page.getByTestId('nav-wallet').count()).toBe(1)
    expect(await page.getByTestId('nav-admin').count()).toBe(0)
    // Nor by its address: the map is shown instead.
    await page.goto(`${served.baseUrl}/admin`)
    await page.getByTestId('user-name').filter({ hasText: 'Carla Member' }).waitFor()
    await page.getByTestId('add-point').waitFor()
    expect(await page.locator('#admin-title').count()).toBe(0)
    expect(await page.getByTestId('nav-admin').count()).toBe(0)
  })

  it('loads the older role changes with the cursor', async () => {
    const page = adminPage
    // Bruno goes back and forth until the log holds more than one page (the API's page is 20 by default).
    const roles = ['researcher', 'member'] as const
    for (let step = 0; step < 20; step++) {
      await callApi(served.baseUrl, anna, 'PUT', `/api/admin/users/${bruno.user.id}/role`, {
        role: roles[step % 2],
      })
    }
    await page.reload()
    await page.getByTestId('role-log').waitFor()
    await expect.poll(() => page.getByTestId('role-change').count()).toBe(20)
    await page.getByTestId('role-log-more').click()
    // 20 changes here, Bruno's first, and Anna's grant at the console, oldest and last.
    await expect.poll(() => page.getByTestId('role-change').count()).toBe(22)
    await page.getByTestId('role-change').last().filter({ hasText: 'dalla console del server' }).waitFor()
    expect(await page.getByTestId('role-log-more').count()).toBe(0)
  })
})
