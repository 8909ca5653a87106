import { changeRole } from '@quartiere/auth'
import type { EntityCollection, Initiative } from '@quartiere/contracts'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, validEntityByKind } from '../support/fixtures'
import { expectAccessible } from './accessibility'
import {
  callApi,
  closeBrowserTest,
  launchChromium,
  type Member,
  offlineContext,
  registerMember,
  renderedEntities,
  type ServedApp,
  screenshot,
  serveApp,
  signedInContext,
  waitForRendered,
} from './browser-support'

/**
 * Initiatives in a real Chromium: a visitor browses them, opens one and shows it on the map, which then draws
 * only its things and carries `init=` in the address (a reload keeps it, the chip clears it); its curator (a
 * moderator, as the API says) adds a thing found by name and removes another, in Italian. The things and the
 * initiative are preconditions made through the API; the flows under test go through the screens.
 */
describe('initiatives', () => {
  let served: ServedApp
  let browser: Browser
  let visitorPage: Page
  let curatorPage: Page
  let curator: Member
  const ids: Record<string, string> = {}
  const slug = 'co-city-2017'
  const view = 'c=7.6825,45.071&z=16'

  const thingsOf = async () =>
    (
      (await (
        await fetch(`${served.baseUrl}/api/entities?initiative=${slug}&limit=100`)
      ).json()) as EntityCollection
    ).features
      .map((feature) => feature.properties.title)
      .sort()

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    const base = served.baseUrl
    const author = await registerMember(base, 'Ada Author')
    curator = await registerMember(base, 'Mara Curator')
    const granted = await served.app.database.db
      .transaction()
      .execute((trx) => changeRole(trx, { actorId: null, userId: curator.user.id, role: 'moderator' }))
    if (!granted.ok) throw new Error(`granting moderator at the console failed: ${granted.message}`)
    const things: [string, 'space' | 'group', number][] = [
      ['Casa del Quartiere', 'space', 7.679],
      ['Orto comune', 'group', 7.6815],
      ['Biblioteca civica', 'space', 7.684],
      ['Bocciofila', 'space', 7.6865],
    ]
    for (const [title, kind, lon] of things) {
      const made = await callApi<{ id: string }>(base, author, 'POST', '/api/entities', {
        ...validEntityByKind[kind],
        title,
        geometry: point(lon, 45.071),
        zoomLevel: 10,
      })
      ids[title] = made.id
    }
    await callApi(base, curator, 'POST', '/api/initiatives', {
      slug,
      name: 'Co-City 2017',
      description: 'The pacts and places of the Co-City programme.',
    })
    for (const title of ['Casa del Quartiere', 'Orto comune'])
      await callApi(base, curator, 'PUT', `/api/initiatives/${slug}/entities/${ids[title]}`)
    browser = await launchChromium()
    visitorPage = await (await offlineContext(browser, base, { locale: 'en-GB' })).newPage()
    curatorPage = await (await signedInContext(browser, base, curator, { locale: 'it-IT' })).newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('a visitor browses the initiatives, opens one and shows it on the map; a reload keeps it', async () => {
    const page = visitorPage
    await page.goto(`${served.baseUrl}/?${view}`)
    await waitForRendered(page, (entities) => entities.length >= 4)
    await page.getByTestId('nav-initiatives').click()
    await page.locator('#initiatives-title').filter({ hasText: 'Initiatives' }).waitFor()
    const item = page.getByTestId('initiative-item').filter({ hasText: 'Co-City 2017' })
    await item.filter({ hasText: '2 things' }).waitFor()
    await expectAccessible(page, 'the initiatives list on a desktop')
    await item.getByRole('link', { name: 'Co-City 2017' }).click()
    await page.locator('#initiative-title').filter({ hasText: 'Co-City 2017' }).waitFor()
    await expect.poll(() => page.getByTestId('initiative-thing').allTextContents()).toHaveLength(2)
    // A visitor is not offered curating.
    expect(await page.getByTestId('initiative-curate').count()).toBe(0)
    await expectAccessible(page, 'an initiative on a desktop')

    await page.getByTestId('initiative-show-on-map').click()
    await page.getByTestId('initiative-chip').filter({ hasText: 'Co-City 2017' }).waitFor()
    const url = new URL(page.url())
    expect(url.pathname).toBe('/')
    expect(url.searchParams.get('init')).toBe(slug)
    const only = (entities: { title: string }[]) =>
      entities
        .map((entity) => entity.title)
        .sort()
        .join('|') === 'Casa del Quartiere|Orto comune'
    await waitForRendered(page, only)
    await expectAccessible(page, 'the map showing one initiative on a desktop')
    await screenshot(page, '60-initiative-on-map')

    await page.reload()
    await page.getByTestId('initiative-chip').waitFor()
    await waitForRendered(page, only)
    expect(only(await renderedEntities(page))).toBe(true)

    await page.getByTestId('initiative-chip-clear').click()
    await waitForRendered(page, (entities) => entities.some((entity) => entity.title === 'Biblioteca civica'))
    expect(new URL(page.url()).searchParams.get('init')).toBeNull()
    expect(await page.getByTestId('initiative-chip').count()).toBe(0)
  })

  it('fits a phone', async () => {
    const page = visitorPage
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${served.baseUrl}/initiatives`)
    await page.getByTestId('initiative-item').first().waitFor()
    await expectAccessible(page, 'the initiatives list on a phone')
    await page.getByRole('link', { name: 'Co-City 2017' }).click()
    await page.getByTestId('initiative-show-on-map').waitFor()
    expect(await page.getByTestId('initiative-show-on-map').isVisible()).toBe(true)
    await expectAccessible(page, 'an initiative on a phone')
  })

  it('its curator adds a thing found by name and removes another, in Italian', async () => {
    const page = curatorPage
    await page.goto(`${served.baseUrl}/initiatives?id=${slug}`)
    await page.getByTestId('user-name').filter({ hasText: 'Mara Curator' }).waitFor()
    await page.getByTestId('initiative-curate').waitFor()
    await page.getByTestId('initiative-search').fill('Bocciofila')
    await page.getByRole('button', { name: 'Aggiungi Bocciofila' }).click()
    await page.getByTestId('initiative-message').filter({ hasText: 'Bocciofila ora ne fa parte.' }).waitFor()
    await page.getByTestId('initiative-thing').filter({ hasText: 'Bocciofila' }).waitFor()
    expect(await thingsOf()).toEqual(['Bocciofila', 'Casa del Quartiere', 'Orto comune'])
    await expectAccessible(page, 'an initiative as its curator sees it')

    await page.getByRole('button', { name: 'Togli Orto comune' }).click()
    await page
      .getByTestId('initiative-message')
      .filter({ hasText: 'Orto comune non ne fa più parte.' })
      .waitFor()
    await expect.poll(() => page.getByTestId('initiative-thing').count()).toBe(2)
    expect(await thingsOf()).toEqual(['Bocciofila', 'Casa del Quartiere'])
    const initiative = await callApi<Initiative>(served.baseUrl, curator, 'GET', `/api/initiatives/${slug}`)
    expect(initiative).toMatchObject({ entitiesCount: 2, canCurate: true })
  })
})
