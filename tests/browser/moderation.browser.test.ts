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
  waitForRendered,
} from './browser-support'

/**
 * The moderators' page in a real Chromium. Reports are filed through the API (the report dialog is not what is
 * tested here). Mara, made a moderator at the console, logs in through the form and opens Moderation: the
 * queue comes oldest first with who reported; she hides a thing with a reason (none is refused first) and it
 * leaves Pino's map; she restores it from the audit log and it comes back; she dismisses another report; the
 * log filtered by action shows exactly the matching rows. Pino, a plain member, is not offered the page and the
 * API refuses him (403).
 */
describe('the moderation page', () => {
  let served: ServedApp
  let browser: Browser
  let maraPage: Page
  let pinoPage: Page
  let mara: Member
  let pino: Member
  const ids = { stall: '', party: '' }
  const at = '/?c=7.6805,45.0705&z=15'
  const stall = 'Bancarella abusiva'
  const party = 'Festa di via'

  const hiddenAt = async (id: string) =>
    (
      await served.app.database.db
        .selectFrom('entities')
        .select('hidden_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).hidden_at

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    const base = served.baseUrl
    mara = await registerMember(base, 'Mara Moderator')
    pino = await registerMember(base, 'Pino Plain')
    const ugo = await registerMember(base, 'Ugo Author')
    const rita = await registerMember(base, 'Rita Reporter')
    const sara = await registerMember(base, 'Sara Reporter')
    const granted = await served.app.database.db
      .transaction()
      .execute((trx) => changeRole(trx, { actorId: null, userId: mara.user.id, role: 'moderator' }))
    if (!granted.ok) throw new Error(`granting moderator at the console failed: ${granted.message}`)
    const place = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] })
    for (const [key, title, lon] of [
      ['party', party, 7.6815],
      ['stall', stall, 7.6795],
    ] as const) {
      const thing = await callApi<{ id: string }>(base, ugo, 'POST', '/api/entities', {
        kind: 'space',
        title,
        geometry: place(lon, 45.0705),
      })
      ids[key] = thing.id
    }
    // The party is reported first (the longest waiting), the stall after, twice.
    const report = (who: Member, targetId: string, reason: string, details?: string) =>
      callApi(base, who, 'POST', '/api/reports', {
        targetType: 'entity',
        targetId,
        reason,
        ...(details ? { details } : {}),
      })
    await report(sara, ids.party, 'other', 'Troppo rumore')
    await report(rita, ids.stall, 'spam', 'Vende cose rubate')
    await report(sara, ids.stall, 'illegal')
    browser = await launchChromium()
    maraPage = await (await offlineContext(browser, base, { locale: 'en-GB' })).newPage()
    pinoPage = await (
      await signedInContext(browser, base, pino, { locale: 'it-IT', viewport: { width: 390, height: 844 } })
    ).newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('a moderator sees the queue oldest first, with who reported and why', async () => {
    const page = maraPage
    await page.goto(`${served.baseUrl}${at}`)
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill('mara.moderator@example.org')
    await page.locator('#auth-password').fill('correct horse battery staple')
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Mara Moderator' }).waitFor()
    await page.getByTestId('nav-moderation').click()
    await page.locator('#moderation-title').filter({ hasText: 'Moderation' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/moderation')
    const items = page.getByTestId('queue-item')
    await expect.poll(() => items.count()).toBe(2)
    expect(await page.getByTestId('queue-excerpt').allTextContents()).toEqual([party, stall])
    const stallItem = items.filter({ hasText: stall })
    expect(await stallItem.getByTestId('queue-reporter').allTextContents()).toEqual([
      'Rita Reporter: spam',
      'Sara Reporter: illegal',
    ])
    expect(await stallItem.textContent()).toContain('Vende cose rubate')
    await expectAccessible(page, 'moderation queue (desktop)')
    await screenshot(page, '70-moderation-queue')
  })

  it('hides a thing with a reason: it leaves the others’ map; restored from the log, it comes back', async () => {
    await pinoPage.goto(`${served.baseUrl}${at}`)
    await waitForRendered(pinoPage, (things) => things.some((thing) => thing.title === stall))

    const page = maraPage
    const stallItem = page.getByTestId('queue-item').filter({ hasText: stall })
    // No reason, no decision.
    await stallItem.getByTestId('queue-hide').click()
    await stallItem.getByTestId('queue-message').filter({ hasText: 'Write the reason' }).waitFor()
    expect(await hiddenAt(ids.stall)).toBeNull()
    await stallItem.getByLabel('Reason for your decision').fill('Commercio non autorizzato')
    await stallItem.getByTestId('queue-hide').click()
    // Acted on, it leaves the queue; the log has the decision and its reason.
    await expect.poll(() => page.getByTestId('queue-item').count()).toBe(1)
    expect(await hiddenAt(ids.stall)).not.toBeNull()
    const hideEntry = page.getByTestId('log-entry').filter({ hasText: 'Commercio non autorizzato' })
    await hideEntry.waitFor()
    // Gone from Pino's map, live, and from the API for him.
    await waitForRendered(
      pinoPage,
      (things) =>
        things.some((thing) => thing.title === party) && !things.some((thing) => thing.title === stall),
    )
    const asPino = await fetch(`${served.baseUrl}/api/entities/${ids.stall}`, {
      headers: { authorization: `Bearer ${pino.accessToken}` },
    })
    expect(asPino.status).toBe(404)

    await hideEntry.getByTestId('log-restore').click()
    await hideEntry.getByLabel('Reason for your decision').fill('Autorizzata dal Comune')
    await hideEntry.getByTestId('log-restore-confirm').click()
    await page.getByTestId('log-entry').filter({ hasText: 'Autorizzata dal Comune' }).waitFor()
    expect(await hiddenAt(ids.stall)).toBeNull()
    await waitForRendered(pinoPage, (things) => things.some((thing) => thing.title === stall))
  })

  it('dismisses a report; the log filtered by action shows exactly the matching rows', async () => {
    const page = maraPage
    const partyItem = page.getByTestId('queue-item').filter({ hasText: party })
    await partyItem.getByLabel('Reason for your decision').fill('Festa autorizzata')
    await partyItem.getByRole('button', { name: 'Dismiss the report of Sara Reporter' }).click()
    await page.getByTestId('moderation-queue').getByText('No report is waiting.').waitFor()
    expect(await hiddenAt(ids.party)).toBeNull()

    const entries = page.getByTestId('log-entry')
    await expect.poll(() => entries.count()).toBe(3)
    await page.getByTestId('log-action').selectOption('hide')
    await page.getByTestId('log-apply').click()
    await expect.poll(() => entries.count()).toBe(1)
    expect(await entries.first().getAttribute('data-action')).toBe('hide')
    expect(await entries.first().textContent()).toContain('Commercio non autorizzato')
    await page.getByTestId('log-action').selectOption('dismiss')
    await page.getByTestId('log-apply').click()
    await expect.poll(() => entries.first().getAttribute('data-action')).toBe('dismiss')
    expect(await entries.count()).toBe(1)
    expect(await entries.first().textContent()).toContain('Festa autorizzata')
    await expectAccessible(page, 'moderation log filtered (desktop)')
    // The same on a phone, in Italian.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('language').selectOption('it')
    await page.getByTestId('log-apply').filter({ hasText: 'Applica' }).waitFor()
    expect(await entries.first().textContent()).toContain('Segnalazione archiviata')
    await expectAccessible(page, 'moderation log filtered (phone)')
    await screenshot(page, '71-moderation-log-phone')
  })

  it('does not offer Moderation to a plain member, and the API refuses him', async () => {
    const page = pinoPage
    await page.getByTestId('user-name').filter({ hasText: 'Pino Plain' }).waitFor()
    expect(await page.getByTestId('nav-groups').count()).toBe(1)
    expect(await page.getByTestId('nav-moderation').count()).toBe(0)
    for (const path of ['/api/moderation/queue', '/api/moderation/actions?action=hide']) {
      const response = await fetch(`${served.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${pino.accessToken}` },
      })
      expect(response.status, path).toBe(403)
    }
  })
})
