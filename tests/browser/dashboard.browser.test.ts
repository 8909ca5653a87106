import { readFileSync } from 'node:fs'
import { changeRole } from '@quartiere/auth'
import type { Account } from '@quartiere/contracts'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
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
 * The Administration page's dashboard and account limits in a real Chromium. Members put things on the map and
 * exchange time (the test's setup, through the API); the admin logs in through the form and reads the figures
 * the test computed from that setup in the tables under the charts and in the downloaded CSV; then changes a
 * member's credit line, and is refused one the account is already below. A member who is not an admin is not
 * offered the page and the API refuses them the figures.
 */
describe('the admins’ dashboard and account limits', () => {
  let served: ServedApp
  let browser: Browser
  let adminPage: Page
  let memberPage: Page
  let anna: Member
  let bruno: Member
  let carla: Member
  const now = new Date()
  const thisMonth = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`
  /** What the setup creates this month, from which the expected figures are computed. */
  const things = [
    { who: 'bruno', body: validEntityByKind.space },
    { who: 'bruno', body: validEntityByKind.offer },
    { who: 'carla', body: validEntityByKind.project },
  ] as const
  const exchanged = ['1.50', '0.25']

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    const base = served.baseUrl
    anna = await registerMember(base, 'Anna Admin')
    bruno = await registerMember(base, 'Bruno Volunteer')
    carla = await registerMember(base, 'Carla Member')
    const granted = await served.app.database.db
      .transaction()
      .execute((trx) => changeRole(trx, { actorId: null, userId: anna.user.id, role: 'admin' }))
    if (!granted.ok) throw new Error(`granting admin at the console failed: ${granted.message}`)
    const members = { bruno, carla }
    const ids: Record<string, string> = {}
    for (const thing of things) {
      const created = await callApi<{ id: string }>(
        base,
        members[thing.who],
        'POST',
        '/api/entities',
        thing.body,
      )
      ids[thing.body.kind] = created.id
    }
    for (const hours of exchanged) {
      const exchange = await callApi<{ id: string }>(
        base,
        carla,
        'POST',
        `/api/entities/${ids.offer}/exchanges`,
        { hours },
        { 'idempotency-key': crypto.randomUUID() },
      )
      await callApi(base, carla, 'POST', `/api/ledger/exchanges/${exchange.id}/confirm`, {})
    }
    browser = await launchChromium()
    adminPage = await (await offlineContext(browser, base, { locale: 'en-GB' })).newPage()
    memberPage = await (
      await signedInContext(browser, base, carla, { locale: 'it-IT', viewport: { width: 390, height: 844 } })
    ).newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  /** The cells of a table's row whose header is `row`. */
  const rowOf = async (page: Page, table: string, row: string) => {
    const cells = page
      .getByTestId(table)
      .locator('tr')
      .filter({ has: page.locator('th', { hasText: row }) })
    return (await cells.locator('td').allTextContents()).map((text) => text.trim())
  }

  it('an admin reads the figures in the charts’ tables and downloads them as CSV', async () => {
    const page = adminPage
    await page.goto(served.baseUrl)
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill('anna.admin@example.org')
    await page.locator('#auth-password').fill('correct horse battery staple')
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Anna Admin' }).waitFor()
    await page.getByTestId('nav-admin').click()
    await page.getByTestId('dashboard').waitFor()
    await page.getByTestId('dashboard-things-table').waitFor()

    // Expected, from the setup: one thing of each kind made, by two people; the exchanges' hours, exact.
    const hoursMinor = exchanged.reduce((sum, hours) => sum + Number(hours.replace('.', '')), 0)
    const hours = `${Math.floor(hoursMinor / 100)}.${String(hoursMinor % 100).padStart(2, '0')}`
    // Columns: the kinds made in the range (space, project, offer in the API's order of kinds), then the total.
    expect(await rowOf(page, 'dashboard-things-table', thisMonth)).toEqual(['1', '1', '1', '3'])
    const headers = await page.getByTestId('dashboard-things-table').locator('thead th').allTextContents()
    expect(headers.slice(1).sort()).toEqual(['Offer', 'Project', 'Space', 'Total'].sort())
    expect(await rowOf(page, 'dashboard-people-table', thisMonth)).toEqual(['2'])
    expect(await rowOf(page, 'dashboard-exchanges-table', thisMonth)).toEqual([
      String(exchanged.length),
      hours,
    ])
    expect(await rowOf(page, 'dashboard-pacts-table', 'proposal')).toEqual(['1'])
    expect(await rowOf(page, 'dashboard-pacts-table', 'signed')).toEqual(['0'])
    // Each figure is drawn: a uPlot canvas in each chart.
    expect(await page.locator('.dashboard-chart canvas').count()).toBe(4)
    await expectAccessible(page, 'dashboard, desktop')
    await screenshot(page, '70-dashboard-desktop')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('dashboard-csv').click(),
    ])
    const csv = readFileSync((await download.path()) as string, 'utf8')
    const lines = csv
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','))
    const header = lines[0] as string[]
    const current = lines.find((line) => line[0] === 'month' && line[1] === thisMonth) as string[]
    const value = (column: string) => current[header.indexOf(column)]
    expect([
      value('things_space'),
      value('things_offer'),
      value('things_project'),
      value('things_event'),
    ]).toEqual(['1', '1', '1', '0'])
    expect([value('active_people'), value('exchanges'), value('hours')]).toEqual([
      '2',
      String(exchanged.length),
      hours,
    ])
    expect(lines.find((line) => line[0] === 'pacts' && line[1] === 'proposal')).toEqual([
      'pacts',
      'proposal',
      '1',
    ])
    // Six months are shown by default: every one of them is in the file.
    expect(lines.filter((line) => line[0] === 'month')).toHaveLength(6)

    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('dashboard-pacts-table').scrollIntoViewIfNeeded()
    await expectAccessible(page, 'dashboard, phone')
    await screenshot(page, '71-dashboard-phone')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('an admin changes a member’s credit line, and is refused one the account is already below', async () => {
    const page = adminPage
    const section = page.getByTestId('account-limits')
    await section.getByTestId('limits-member').fill('Carla')
    await section.getByRole('button', { name: 'Carla Member' }).click()
    const form = section.getByTestId('limits-form').filter({ hasText: 'TIME' })
    await form.getByTestId('limits-balance').filter({ hasText: '-1.75 TIME' }).waitFor()
    await form.getByLabel('Credit line').fill('1')
    await form.getByTestId('limits-save').click()
    const refusal = form.getByTestId('limits-message').filter({ hasText: 'past the current balance' })
    await refusal.waitFor()
    expect(await refusal.getAttribute('role')).toBe('alert')
    const before = await callApi<{ items: Account[] }>(
      served.baseUrl,
      anna,
      'GET',
      `/api/ledger/members/${carla.user.id}/accounts`,
    )
    expect(before.items[0]?.lowerLimit).toBe('-10.00')

    await form.getByLabel('Credit line').fill('25')
    await form.getByLabel('Upper limit').fill('200')
    await form.getByTestId('limits-save').click()
    await form
      .getByTestId('limits-message')
      .filter({ hasText: 'Limits of TIME saved for Carla Member.' })
      .waitFor()
    const after = await callApi<{ items: Account[] }>(
      served.baseUrl,
      anna,
      'GET',
      `/api/ledger/members/${carla.user.id}/accounts`,
    )
    expect(after.items[0]).toMatchObject({ lowerLimit: '-25.00', upperLimit: '200.00' })
    await form.getByTestId('limits-current').filter({ hasText: '-25.00 TIME' }).waitFor()
    await expectAccessible(page, 'account limits, desktop')
  })

  it('a member who is not an admin is not offered it, and the API refuses the figures', async () => {
    const page = memberPage
    await page.goto(served.baseUrl)
    await page.getByTestId('user-name').filter({ hasText: 'Carla Member' }).waitFor()
    expect(await page.getByTestId('nav-admin').count()).toBe(0)
    const response = await fetch(`${served.baseUrl}/api/admin/dashboard?from=${thisMonth}&to=${thisMonth}`, {
      headers: { authorization: `Bearer ${carla.accessToken}` },
    })
    expect(response.status).toBe(403)
    const accounts = await fetch(`${served.baseUrl}/api/ledger/members/${bruno.user.id}/accounts`, {
      headers: { authorization: `Bearer ${carla.accessToken}` },
    })
    expect(accounts.status).toBe(403)
  })
})
