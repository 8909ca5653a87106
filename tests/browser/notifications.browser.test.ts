import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  callApi,
  closeBrowserTest,
  launchChromium,
  type Member,
  registerMember,
  type ServedApp,
  screenshot,
  serveApp,
  signedInContext,
} from './browser-support'

interface Inbox {
  items: { id: string; topic: string; readAt: string | null }[]
  unreadCount: number
  nextCursor: string | null
}

/**
 * The notifications inbox in a real Chromium: the owner of a closed group sees a request to join arrive live on
 * the bell, reads it in Italian, opens the group from it, marks the rest read, and pages through a long inbox
 * on a phone.
 */
describe('the notifications inbox', () => {
  let served: ServedApp
  let browser: Browser
  let owner: Member
  let asker: Member
  let page: Page
  let groupId = ''
  const groupTitle = 'Consulta di quartiere'
  const at = '/?c=7.6805,45.0705&z=15'

  const inboxOf = (member: Member) => callApi<Inbox>(served.baseUrl, member, 'GET', '/api/notifications')
  const askToJoin = () =>
    callApi(served.baseUrl, asker, 'POST', `/api/entities/${groupId}/members`, { message: 'Posso entrare?' })
  const withdraw = () =>
    callApi(served.baseUrl, asker, 'DELETE', `/api/entities/${groupId}/join-requests/mine`)

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    owner = await registerMember(served.baseUrl, 'Olga Titolare')
    asker = await registerMember(served.baseUrl, 'Bruno Richiedente')
    const group = await callApi<{ id: string }>(served.baseUrl, owner, 'POST', '/api/entities', {
      kind: 'group',
      title: groupTitle,
      geometry: { type: 'Point', coordinates: [7.6805, 45.0705] },
      properties: { membership: 'closed' },
    })
    groupId = group.id
    browser = await launchChromium()
    const context = await signedInContext(browser, served.baseUrl, owner, { locale: 'it-IT' })
    page = await context.newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('shows a request to join on the bell as it happens, without reloading', async () => {
    await page.goto(`${served.baseUrl}${at}`)
    const bell = page.getByTestId('notifications-bell')
    await expect(bell.getAttribute('aria-label')).resolves.toBe('Notifiche')
    expect(await page.getByTestId('notifications-badge').count()).toBe(0)
    // The request must come while the page listens: wait for the live feed, and mark this very document.
    await page.locator('[data-testid="live-status"].live-live').waitFor()
    await page.evaluate(() => {
      document.body.dataset.sameDocument = 'yes'
    })

    await askToJoin()
    await page.getByTestId('notifications-badge').filter({ hasText: /^1$/ }).waitFor({ timeout: 20_000 })
    await expect(bell.getAttribute('aria-label')).resolves.toBe('Notifiche, 1 non letta')
    await expect(page.evaluate(() => document.body.dataset.sameDocument)).resolves.toBe('yes')
  })

  it('lists it in Italian, unread; choosing it marks it read and opens the group', async () => {
    await page.getByTestId('notifications-bell').click()
    const panel = page.getByTestId('notifications-panel')
    await panel.waitFor()
    const row = panel.getByTestId('notification')
    await row.filter({ hasText: `Bruno Richiedente ha chiesto di entrare in ${groupTitle}` }).waitFor()
    expect(await row.count()).toBe(1)
    await expect(row.getAttribute('data-unread')).resolves.toBe('true')
    // Unread is said to screen readers too, and the request's own words are quoted.
    await expect(row.textContent()).resolves.toMatch(/Non letta/)
    await expect(row.textContent()).resolves.toMatch(/Posso entrare\?/)
    await screenshot(page, '40-notifications-inbox')

    await row.click()
    await panel.waitFor({ state: 'detached' })
    await page.getByTestId('detail-title').filter({ hasText: groupTitle }).waitFor()
    expect(new URL(page.url()).searchParams.get('sel')).toBe(groupId)
    expect(await page.getByTestId('notifications-badge').count()).toBe(0)
    await expect(page.getByTestId('notifications-bell').getAttribute('aria-label')).resolves.toBe('Notifiche')
    await expect.poll(async () => (await inboxOf(owner)).unreadCount).toBe(0)
    expect((await inboxOf(owner)).items[0]?.readAt).not.toBeNull()
    await screenshot(page, '41-notification-opened-group')
  })

  it('marks all read, and closes with Escape', async () => {
    await withdraw()
    await askToJoin()
    await page.getByTestId('notifications-badge').filter({ hasText: /^2$/ }).waitFor({ timeout: 20_000 })
    await page.getByTestId('notifications-bell').click()
    const panel = page.getByTestId('notifications-panel')
    const rows = panel.getByTestId('notification')
    await rows
      .filter({ hasText: `Bruno Richiedente ha ritirato la richiesta di entrare in ${groupTitle}` })
      .waitFor()
    await expect.poll(() => rows.count()).toBe(3)
    expect(await panel.locator('[data-unread="true"]').count()).toBe(2)
    // Unread first, newest first: the new request, then the withdrawal, then the request read before.
    await expect(rows.first().textContent()).resolves.toMatch(/ha chiesto di entrare/)

    await panel.getByTestId('notifications-mark-all').click()
    await expect.poll(() => panel.locator('[data-unread="true"]').count()).toBe(0)
    expect(await page.getByTestId('notifications-badge').count()).toBe(0)
    await expect(panel.getByTestId('notifications-mark-all').isDisabled()).resolves.toBe(true)
    expect((await inboxOf(owner)).unreadCount).toBe(0)

    await page.keyboard.press('Escape')
    await panel.waitFor({ state: 'detached' })
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe(
      'notifications-bell',
    )
  })

  it('fills a phone screen and loads more when there is a next page', async () => {
    for (let round = 0; round < 10; round += 1) {
      await withdraw()
      await askToJoin()
    }
    const phone = await signedInContext(browser, served.baseUrl, owner, {
      locale: 'it-IT',
      viewport: { width: 390, height: 844 },
    })
    const small = await phone.newPage()
    await small.goto(`${served.baseUrl}${at}`)
    await small.getByTestId('notifications-badge').filter({ hasText: /^20$/ }).waitFor()
    await small.getByTestId('notifications-bell').click()
    const panel = small.getByTestId('notifications-panel')
    const rows = panel.getByTestId('notification')
    await expect.poll(() => rows.count()).toBe(20)
    const box = await panel.boundingBox()
    expect(box?.width).toBe(390)
    await screenshot(small, '42-notifications-phone')

    await panel.getByTestId('notifications-more').click()
    await expect.poll(() => rows.count()).toBe(23)
    expect(await panel.getByTestId('notifications-more').count()).toBe(0)
    await phone.close()
  })
})
