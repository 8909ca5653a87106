import { changeRole } from '@quartiere/auth'
import type { Pact } from '@quartiere/contracts'
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
 * A pact of collaboration from proposal to its activity report, in a real Chromium, through the screens: a group's
 * owner logs in through the form, proposes a pact on the group's behalf choosing a place and the signatory group
 * on the map by name, changes its duration and attaches a document; the city's admin (the role that opens the
 * co-design and records the signing, granted at the console) takes it through co-design to signed, in Italian;
 * the owner is never offered those steps (and the API refuses them), then starts the activities and files a
 * report; the history shows every step in order. A visitor on a phone reads what a pact is and where this one
 * stands. Preconditions only (the place, the group) are made through the API.
 */
describe('pacts of collaboration', () => {
  let served: ServedApp
  let browser: Browser
  let ownerPage: Page
  let cityPage: Page
  let owner: Member
  let city: Member
  let spaceId: string
  let groupId: string
  let pactId: string

  const pactOf = (member?: Member) =>
    member
      ? callApi<Pact>(served.baseUrl, member, 'GET', `/api/pacts/${pactId}`)
      : fetch(`${served.baseUrl}/api/pacts/${pactId}`).then((response) => response.json() as Promise<Pact>)

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    const base = served.baseUrl
    owner = await registerMember(base, 'Olga Owner')
    city = await registerMember(base, 'Cesare City')
    const granted = await served.app.database.db
      .transaction()
      .execute((trx) => changeRole(trx, { actorId: null, userId: city.user.id, role: 'admin' }))
    if (!granted.ok) throw new Error(`granting admin at the console failed: ${granted.message}`)
    const space = await callApi<{ id: string }>(base, owner, 'POST', '/api/entities', {
      ...validEntityByKind.space,
      title: 'Orto di via Roma',
    })
    const group = await callApi<{ id: string }>(base, owner, 'POST', '/api/entities', {
      ...validEntityByKind.group,
      title: 'Amici dell’orto',
    })
    spaceId = space.id
    groupId = group.id
    // A group the owner only belongs to (an open group of the city's): she may not speak for it.
    const neighbours = await callApi<{ id: string }>(base, city, 'POST', '/api/entities', {
      ...validEntityByKind.group,
      title: 'Comitato di quartiere',
    })
    await callApi(base, owner, 'POST', `/api/entities/${neighbours.id}/members`, {})
    browser = await launchChromium()
    ownerPage = await (await offlineContext(browser, base, { locale: 'en-GB' })).newPage()
    cityPage = await (await signedInContext(browser, base, city, { locale: 'it-IT' })).newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('a group owner logs in and proposes a pact choosing a place and a signatory group', async () => {
    const page = ownerPage
    await page.goto(served.baseUrl)
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill('olga.owner@example.org')
    await page.locator('#auth-password').fill('correct horse battery staple')
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Olga Owner' }).waitFor()

    await page.getByTestId('nav-pacts').click()
    await page.locator('#pacts-title').filter({ hasText: 'Pacts of collaboration' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/pacts')
    await page
      .getByTestId('pacts-explanation')
      .filter({ hasText: 'written agreement between the City' })
      .waitFor()
    await expectAccessible(page, 'the pacts list on a desktop')

    await page.getByTestId('pact-propose').click()
    await page.getByTestId('pact-title').fill('Pact for the garden of via Roma')
    await page.getByTestId('pact-description').fill('We water and weed the beds every week.')
    // Only the groups the API says she speaks for are offered: her own, not the one she merely belongs to.
    const proposers = page.getByTestId('pact-proposer-group').locator('option')
    expect(await proposers.allTextContents()).toEqual(['Yourself, not a group', 'Amici dell’orto'])
    await page.getByTestId('pact-proposer-group').selectOption({ label: 'Amici dell’orto' })
    await page.getByTestId('pact-spaces-search').fill('Orto')
    await page.getByRole('button', { name: 'Add Orto di via Roma' }).click()
    await page.getByTestId('pact-groups-search').fill('Amici')
    await page.getByRole('button', { name: 'Add Amici dell’orto' }).click()
    await page.getByTestId('pact-duration').fill('12')
    await expectAccessible(page, 'the pact proposal form on a desktop')
    await page.getByTestId('pact-propose-submit').click()

    await page.locator('#pact-page-title').filter({ hasText: 'Pact for the garden of via Roma' }).waitFor()
    pactId = new URL(page.url()).searchParams.get('id') ?? ''
    expect(pactId).toMatch(/^[0-9a-f-]{36}$/)
    await page.getByTestId('pact-stage-current').filter({ hasText: 'proposal' }).waitFor()
    await page.getByTestId('pact-stage-next').filter({ hasText: 'open the co-design' }).waitFor()
    await page.getByTestId('pact-spaces').filter({ hasText: 'Orto di via Roma' }).waitFor()
    await page.getByTestId('pact-groups').filter({ hasText: 'Amici dell’orto' }).waitFor()
    // The proposer takes no step of the City's: none is offered.
    expect(await page.getByTestId('pact-actions').count()).toBe(0)
    const stored = await pactOf(owner)
    expect(stored).toMatchObject({
      status: 'proposal',
      proposerGroupId: groupId,
      spaces: [spaceId],
      signatoryGroups: [groupId],
      durationMonths: 12,
    })
    await expectAccessible(page, 'a pact’s page on a desktop')
  })

  it('the owner changes the duration and attaches a document while the pact is written', async () => {
    const page = ownerPage
    await page.getByTestId('pact-edit').click()
    await page.getByTestId('pact-edit-duration').fill('24')
    await expectAccessible(page, 'the pact’s edit form on a desktop')
    await page.getByTestId('pact-edit-save').click()
    await page.getByTestId('pact-edit-message').filter({ hasText: 'The changes are saved.' }).waitFor()
    await page.getByTestId('pact-duration').filter({ hasText: '24 months' }).waitFor()
    expect((await pactOf()).durationMonths).toBe(24)

    await page.getByTestId('pact-document-title').fill('Draft of the pact')
    await page.getByTestId('pact-document-url').fill('https://example.org/draft.pdf')
    await page.getByTestId('pact-document-attach').click()
    await page.getByTestId('pact-document').filter({ hasText: 'Draft of the pact' }).waitFor()
    const stored = await pactOf()
    expect(stored.documents.map((document) => [document.title, document.url])).toEqual([
      ['Draft of the pact', 'https://example.org/draft.pdf'],
    ])
  })

  it('the city opens the co-design; the owner is not offered the signing, and the API refuses it', async () => {
    const page = cityPage
    // The pact's link, as the owner would share it.
    await page.goto(`${served.baseUrl}/pacts?id=${pactId}`)
    await page.getByTestId('user-name').filter({ hasText: 'Cesare City' }).waitFor()
    await page.getByTestId('pact-stage-current').filter({ hasText: 'proposta' }).waitFor()
    await page.getByTestId('pact-step-note').fill('Primo incontro fissato per lunedì')
    await page.getByTestId('pact-step-co-design').click()
    await page.getByTestId('pact-step-message').filter({ hasText: 'co-progettazione' }).waitFor()
    await page.getByTestId('pact-stage-current').filter({ hasText: 'co-progettazione' }).waitFor()
    expect((await pactOf()).status).toBe('co-design')

    await ownerPage.reload()
    await ownerPage.getByTestId('pact-stage-current').filter({ hasText: 'co-design' }).waitFor()
    await ownerPage
      .getByTestId('pact-stage-next')
      .filter({ hasText: 'the City records the signing' })
      .waitFor()
    expect(await ownerPage.getByTestId('pact-step-signed').count()).toBe(0)
    expect(await ownerPage.getByTestId('pact-actions').count()).toBe(0)
    const refused = await fetch(`${served.baseUrl}/api/pacts/${pactId}/transitions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'signed' }),
    })
    expect(refused.status).toBe(403)
    expect((await pactOf()).status).toBe('co-design')
  })

  it('the city records the signing, in Italian', async () => {
    const page = cityPage
    await page.getByTestId('pact-step-signed').click()
    await page.getByTestId('pact-stage-current').filter({ hasText: 'firmato' }).waitFor()
    await page
      .getByTestId('pact-stage-next')
      .filter({ hasText: 'i gruppi firmatari avviano le attività' })
      .waitFor()
    const stored = await pactOf()
    expect(stored.status).toBe('signed')
    expect(stored.signedAt).not.toBeNull()
    await expectAccessible(page, 'a signed pact’s page, in Italian, on a desktop')
    await screenshot(page, '50-pact-signed')
  })

  it('the owner starts the activities, files a report, and reads every step in order', async () => {
    const page = ownerPage
    await page.reload()
    await page.getByTestId('pact-stage-current').filter({ hasText: 'signed' }).waitFor()
    // Signed: the proposer no longer edits it, nor attaches documents.
    expect(await page.getByTestId('pact-edit').count()).toBe(0)
    expect(await page.getByTestId('pact-document-form').count()).toBe(0)
    await page.getByTestId('pact-step-active').click()
    await page.getByTestId('pact-stage-current').filter({ hasText: 'active' }).waitFor()
    await page.getByTestId('pact-report-note').fill('Planted tulips along the fence')
    await page.getByTestId('pact-report-file').click()
    await page.getByTestId('pact-report').filter({ hasText: 'Planted tulips along the fence' }).waitFor()

    const events = page.getByTestId('pact-event')
    await expect.poll(() => events.count()).toBe(5)
    const lines = await events.allTextContents()
    expect(lines[0]).toContain('Olga Owner proposed the pact')
    expect(lines[1]).toContain('Cesare City moved it from proposal to co-design')
    expect(lines[1]).toContain('Primo incontro fissato per lunedì')
    expect(lines[2]).toContain('Cesare City moved it from co-design to signed')
    expect(lines[3]).toContain('Olga Owner moved it from signed to active')
    expect(lines[4]).toContain('Olga Owner reported for Amici dell’orto')
    expect(lines[4]).toContain('Planted tulips along the fence')
    const stored = await pactOf()
    expect(stored.status).toBe('active')
    expect(stored.history.map((item) => `${item.type}:${item.to ?? item.note}`)).toEqual([
      'transition:proposal',
      'transition:co-design',
      'transition:signed',
      'transition:active',
      'report:Planted tulips along the fence',
    ])

    // On a phone the same page fits and stays accessible, and so do the list and the proposal form.
    await page.setViewportSize({ width: 390, height: 844 })
    await expectAccessible(page, 'a pact’s page on a phone')
    expect(await page.getByTestId('pact-report-file').isVisible()).toBe(true)
    await page.getByTestId('pacts-back').click()
    await page.getByTestId('pact-list').waitFor()
    await page.getByTestId('pact-propose').click()
    await page.getByTestId('pact-propose-form').waitFor()
    await expectAccessible(page, 'the pact proposal form on a phone')
    await screenshot(page, '51-pact-propose-phone')
  })

  it('a visitor on a phone reads what a pact is and where this one stands, and is offered nothing', async () => {
    const context = await offlineContext(browser, served.baseUrl, {
      locale: 'it-IT',
      viewport: { width: 390, height: 844 },
    })
    const page = await context.newPage()
    // From the pact's detail panel on the map to its page.
    await page.goto(`${served.baseUrl}/?sel=${pactId}`)
    await page.getByTestId('pact-open-page').click()
    await page.locator('#pact-page-title').filter({ hasText: 'Pact for the garden of via Roma' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/pacts')
    expect(new URL(page.url()).searchParams.get('id')).toBe(pactId)
    await page.getByTestId('pact-explanation').filter({ hasText: 'accordo scritto tra la Città' }).waitFor()
    await page.getByTestId('pact-stage-current').filter({ hasText: 'attivo' }).waitFor()
    await page.getByTestId('pact-stage-now').filter({ hasText: 'Le attività sono in corso' }).waitFor()
    expect(await page.locator('[aria-current="step"]').count()).toBe(1)
    for (const offered of ['pact-actions', 'pact-edit', 'pact-document-form', 'pact-report-form'])
      expect(await page.getByTestId(offered).count(), offered).toBe(0)
    await expectAccessible(page, 'a pact’s page for a visitor on a phone')

    // The list by stage.
    await page.getByTestId('pacts-back').click()
    await page.getByTestId('pacts-status').selectOption('active')
    await page.getByTestId('pact-item').filter({ hasText: 'Pact for the garden of via Roma' }).waitFor()
    await page.getByTestId('pacts-status').selectOption('proposal')
    await page.getByText('Nessun patto è ancora in questa fase.').waitFor()
    await expectAccessible(page, 'the pacts list on a phone')
    await context.close()
  })
})
