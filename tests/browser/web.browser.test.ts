import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closeBrowserTest,
  confirmEmailInPage,
  offlineContext,
  openTwoBrowsers,
  renderedEntities,
  type ServedApp,
  screenshot,
  serveApp,
  sessionToken,
  waitForRendered,
} from './browser-support'

/**
 * The resident's journey in a real Chromium against the real API on the embedded database with the Turin demo
 * data and no network: the map, the timeline, registering, creating and editing an event, a second member
 * seeing it live, a payment between the two, and the language switch.
 */
describe('the web client in Chromium', () => {
  let served: ServedApp
  let browser: Browser
  let pageA: Page
  let pageB: Page
  const stamp = Date.now().toString(36)
  const nameA = `Anna ${stamp}`
  const nameB = `Bruno ${stamp}`
  const eventTitle = `Merenda in cortile ${stamp}`

  beforeAll(async () => {
    served = await serveApp({ seedDemo: true })
    ;({ browser, pageA, pageB } = await openTwoBrowsers(served.baseUrl))
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  async function register(page: Page, name: string) {
    const email = `${name.replace(/\s/g, '.').toLowerCase()}@example.org`
    await page.getByTestId('register').click()
    await page.locator('#auth-name').fill(name)
    await page.locator('#auth-email').fill(email)
    await page.locator('#auth-password').fill('correct horse battery staple')
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: name }).waitFor()
    // They pay later: the address is confirmed as a person does it, with the link emailed to it.
    const at = page.url()
    await confirmEmailInPage(page, served.mail, email)
    await page.goto(at)
    await page.getByTestId('user-name').filter({ hasText: name }).waitFor()
    await waitForRendered(page, (entities) => entities.length > 0)
  }

  it('renders the demo data on the offline basemap, in Italian for an Italian browser', async () => {
    // Open Incet up close (nothing clustered from zoom 17): each thing shows from its zoom level in, and the
    // space, the event, the news and the story there belong to zoom 15; the city-wide programmes' areas too.
    await pageA.goto(`${served.baseUrl}/?c=7.6852,45.0893&z=17`)
    const drawn = await waitForRendered(pageA, (entities) => entities.length >= 5)
    const kinds = new Set(drawn.map((entity) => entity.kind))
    expect(kinds.size).toBeGreaterThanOrEqual(3)
    // The map's first page was asked for once: by the page's entry, before the app loaded, and the app adopted
    // that answer instead of asking again.
    const firstPageRequests = await pageA.evaluate(
      () =>
        performance
          .getEntriesByType('resource')
          .filter((entry) => entry.name.includes('/api/entities?') && /[?&]limit=250(&|$)/.test(entry.name))
          .length,
    )
    expect(firstPageRequests).toBe(1)
    // The things are drawn first; the offline basemap (no network here) slides in under them.
    await pageA.locator('[data-basemap="offline"]').waitFor()
    await pageA.waitForFunction(() =>
      (
        window as unknown as { __quartiere?: { map: { getStyle(): { layers: { id: string }[] } } } }
      ).__quartiere?.map
        .getStyle()
        .layers.some((layer) => layer.id.startsWith('basemap:')),
    )
    // Lines and polygons join right after the first points (CO-CITY's area covers the city), and every layer
    // ends in its place: the basemap under the shapes, the shapes under the clusters and points.
    await waitForRendered(pageA, (entities) => entities.some((entity) => entity.title === 'CO-CITY'))
    const layerIds = await pageA.evaluate(() =>
      (
        window as unknown as { __quartiere: { map: { getStyle(): { layers: { id: string }[] } } } }
      ).__quartiere.map
        .getStyle()
        .layers.map((layer) => layer.id),
    )
    const lastBasemapLayer = layerIds.findLastIndex((id) => id.startsWith('basemap:'))
    const order = [
      'shape-fills',
      'shape-lines',
      'shape-selected',
      'clusters',
      'entity-points',
      'entity-icons',
    ]
    const positions = order.map((id) => layerIds.indexOf(id))
    expect(positions.every((position) => position > lastBasemapLayer)).toBe(true)
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(await pageA.locator('html').getAttribute('lang')).toBe('it')
    await expect(pageA.getByTestId('nav-wallet').textContent()).resolves.toBe('Portafoglio')
    await screenshot(pageA, '01-map-demo-data')
  })

  it('draws a view that holds a line and no points', async () => {
    // Along the Dora, between its pact's line ends: no point of the demo data in view.
    await pageA.goto(`${served.baseUrl}/?c=7.6845,45.0837&z=18`)
    const drawn = await waitForRendered(pageA, (entities) =>
      entities.some((entity) => entity.title === 'Patto per la cura delle sponde della Dora'),
    )
    expect(drawn.length).toBeGreaterThan(0)
    // Nothing in the points' layers: the line was drawn without a first frame of points to follow.
    const pointsDrawn = await pageA.evaluate(
      () =>
        (
          window as unknown as {
            __quartiere: { map: { queryRenderedFeatures(options: { layers: string[] }): unknown[] } }
          }
        ).__quartiere.map.queryRenderedFeatures({ layers: ['clusters', 'entity-points'] }).length,
    )
    expect(pointsDrawn).toBe(0)
  })

  it('brings the basemap to a view with nothing in it', async () => {
    // Far from the demo data: the first view loads empty, and the basemap does not wait for things drawn.
    await pageA.goto(`${served.baseUrl}/?c=9.19,45.46&z=15`)
    await pageA.locator('[data-basemap="offline"]').waitFor()
    expect(await pageA.getByTestId('wall-count').textContent()).toMatch(/: 0$/)
    // The basemap is known (the attribute above) a render before it goes into the map: wait for that, which
    // fails the test when it never happens.
    await pageA.waitForFunction(() => performance.getEntriesByName('quartiere:basemap-added').length > 0)
    const marks = await pageA.evaluate(() =>
      ['quartiere:view-loaded', 'quartiere:basemap-added', 'quartiere:first-features'].map(
        (name) => performance.getEntriesByName(name).length,
      ),
    )
    // The view was loaded, the basemap added; no first things were ever drawn.
    expect(marks).toEqual([1, 1, 0])
  })

  it('moving the timeline changes what the map shows', async () => {
    // Close enough to Open Incet that nothing is clustered: every thing there is drawn on its own.
    await pageA.goto(`${served.baseUrl}/?c=7.6852,45.0895&z=17&t=2019`)
    const in2019 = await waitForRendered(pageA, (entities) =>
      entities.some((entity) => entity.title.includes('Impresa di comunità generativa')),
    )
    await pageA.getByTestId('timeline-next').click()
    await pageA.waitForURL(/t=2020/)
    const in2020 = await waitForRendered(
      pageA,
      (entities) => !entities.some((entity) => entity.title.includes('Impresa di comunità generativa')),
    )
    expect(in2020.map((entity) => entity.id).sort()).not.toEqual(in2019.map((entity) => entity.id).sort())
    await screenshot(pageA, '02-timeline-2020')
    await pageA.getByTestId('timeline-all').click()
    await pageA.waitForURL((url) => !url.search.includes('t='))
  })

  it('registers, creates an event by clicking the map, sees it and edits it; another member sees it live', async () => {
    await pageB.goto(`${served.baseUrl}/?c=7.68,45.075&z=13`)
    await waitForRendered(pageB, (entities) => entities.length > 0)
    await register(pageB, nameB)

    await pageA.goto(`${served.baseUrl}/?c=7.68,45.075&z=13`)
    await waitForRendered(pageA, (entities) => entities.length > 0)
    await register(pageA, nameA)
    await pageA.getByTestId('add-point').click()
    const canvas = pageA.locator('.maplibregl-canvas')
    const box = await canvas.boundingBox()
    if (!box) throw new Error('no map canvas')
    // A spot away from the demo data's clusters in the middle of the view.
    await pageA.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.25)
    const editor = pageA.getByTestId('editor')
    await editor.waitFor()
    await pageA.locator('#field-title').fill(eventTitle)
    await pageA.locator('#field-properties-startsAt').fill('2026-12-05T16:00')
    await pageA.locator('#field-properties-endsAt').fill('2026-12-05T19:00')
    // Visible from the district scale, the zoom both maps are at (an event's default is the street's).
    await pageA.getByTestId('zoom-level').selectOption('13')
    await pageA.getByTestId('editor-save').click()
    await expect(pageA.getByTestId('detail-title').textContent()).resolves.toBe(eventTitle)
    await waitForRendered(pageA, (entities) => entities.some((entity) => entity.title === eventTitle))
    await screenshot(pageA, '03-event-created')

    // The other member's map: the new event appears without a reload.
    await waitForRendered(pageB, (entities) => entities.some((entity) => entity.title === eventTitle))
    await screenshot(pageB, '04-event-live-on-other-browser')

    await pageA.getByTestId('edit').click()
    await pageA.locator('#field-title').fill(`${eventTitle} (spostata)`)
    await pageA.getByTestId('editor-save').click()
    await pageA.getByTestId('detail-title').filter({ hasText: '(spostata)' }).waitFor()
    await waitForRendered(pageA, (entities) => entities.some((entity) => entity.title.endsWith('(spostata)')))
    await waitForRendered(pageB, (entities) => entities.some((entity) => entity.title.endsWith('(spostata)')))
  })

  // Explained in the author's language; exact for the author alone, a nearby point for anyone else; the author
  // can make it public again.
  it('marks the location private and public again', async () => {
    const id = new URL(pageA.url()).searchParams.get('sel')
    const token = await sessionToken(pageA)
    const read = async (bearer?: string) =>
      (await (
        await fetch(`${served.baseUrl}/api/entities/${id}`, {
          headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
        })
      ).json()) as { geometry: { coordinates: number[] }; properties: { locationPrivate: boolean } }
    await pageA.getByTestId('edit').click()
    await pageA.locator('#field-locationPrivate-hint').filter({ hasText: 'lo vedi solo tu' }).waitFor()
    await pageA.getByTestId('location-private').check()
    await pageA.getByTestId('editor-save').click()
    await pageA.getByTestId('editor').waitFor({ state: 'detached' })
    await expect
      .poll(async () => (await read(token)).properties.locationPrivate, { timeout: 20_000 })
      .toBe(true)
    const exact = (await read(token)).geometry.coordinates
    expect((await read()).geometry.coordinates).not.toEqual(exact)
    await screenshot(pageA, '03b-private-location')
    await pageA.getByTestId('edit').click()
    await expect(pageA.getByTestId('location-private').isChecked()).resolves.toBe(true)
    await pageA.getByTestId('location-private').uncheck()
    await pageA.getByTestId('editor-save').click()
    await pageA.getByTestId('editor').waitFor({ state: 'detached' })
    await expect.poll(async () => (await read()).properties.locationPrivate, { timeout: 20_000 }).toBe(false)
    expect((await read()).geometry.coordinates).toEqual(exact)
  })

  it('shows API field errors next to the fields and a 412 conflict when someone else changed it', async () => {
    await pageA.getByTestId('edit').click()
    await pageA.locator('#field-title').fill('')
    await pageA.getByTestId('editor-save').click()
    await pageA.locator('.field.invalid #field-title').waitFor()
    // Meanwhile the thing changes under the editor (the same member in another tab, through the API).
    const id = new URL(pageA.url()).searchParams.get('sel')
    const token = await sessionToken(pageA)
    const current = await fetch(`${served.baseUrl}/api/entities/${id}`)
    const changed = await fetch(`${served.baseUrl}/api/entities/${id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'if-match': current.headers.get('etag') ?? '',
      },
      body: JSON.stringify({ description: 'Cambiata da un altro dispositivo' }),
    })
    expect(changed.status).toBe(200)
    await pageA.locator('#field-title').fill(`${eventTitle} (di nuovo)`)
    await pageA.getByTestId('editor-save').click()
    await pageA.getByTestId('conflict').waitFor()
    await screenshot(pageA, '05-conflict')
    await pageA.getByRole('button', { name: 'Tieni le mie modifiche e sovrascrivi' }).click()
    await pageA.getByTestId('editor-save').click()
    await pageA.getByTestId('detail-title').filter({ hasText: '(di nuovo)' }).waitFor()
  })

  it('sends credits to the other member and both wallets update', async () => {
    await pageB.getByTestId('nav-wallet').click()
    await expect(pageB.getByTestId('balance').textContent()).resolves.toMatch(/^0[.,]00 TIME$/)
    await pageA.getByTestId('nav-wallet').click()
    await pageA.locator('#send-to').fill(nameB.split(' ')[0] as string)
    await pageA.getByRole('button', { name: nameB }).click()
    await pageA.locator('#send-amount').fill('2.50')
    await pageA.locator('#send-memo').fill('Grazie per la merenda')
    await pageA.getByTestId('send-submit').click()
    await pageA.getByTestId('send-message').filter({ hasText: nameB }).waitFor()
    await pageA.getByTestId('balance').filter({ hasText: '-2,50' }).waitFor()
    // The receiver's wallet updates live, without a reload.
    await pageB.getByTestId('balance').filter({ hasText: '2.50' }).waitFor({ timeout: 20_000 })
    await pageB.getByTestId('statement').filter({ hasText: 'Grazie per la merenda' }).waitFor()
    await screenshot(pageA, '06-wallet-sender')
    await screenshot(pageB, '07-wallet-receiver')
    // Over the credit line: a clear message in the sender's language.
    await pageA.locator('#send-to').fill(nameB.split(' ')[0] as string)
    await pageA.getByRole('button', { name: nameB }).click()
    await pageA.locator('#send-amount').fill('50')
    await pageA.getByTestId('send-submit').click()
    await pageA.getByTestId('send-message').filter({ hasText: 'fido' }).waitFor()
  })

  it('switches language', async () => {
    await pageA.getByTestId('language').selectOption('en')
    await expect(pageA.getByTestId('nav-wallet').textContent()).resolves.toBe('Wallet')
    await pageA.getByRole('heading', { name: 'Time wallet' }).waitFor()
    expect(await pageA.locator('html').getAttribute('lang')).toBe('en')
    await pageA.getByTestId('language').selectOption('it')
    await pageA.getByRole('heading', { name: 'Portafoglio del tempo' }).waitFor()
  })

  it('works on a phone-sized screen', async () => {
    const phone = await offlineContext(browser, served.baseUrl, {
      locale: 'it-IT',
      viewport: { width: 390, height: 844 },
    })
    const page = await phone.newPage()
    await page.goto(`${served.baseUrl}/?c=7.68,45.075&z=12`)
    await waitForRendered(page, (entities) => entities.length > 0)
    expect((await renderedEntities(page)).length).toBeGreaterThan(0)
    await screenshot(page, '08-phone')
    await phone.close()
  })

  it('serves the assets brotli or gzip compressed to browsers that accept it, the same bytes once decoded', async () => {
    const html = await (await fetch(served.baseUrl, { headers: { accept: 'text/html' } })).text()
    const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1]
    const maplibre = /href="(\/assets\/maplibre-[^"]+\.js)"/.exec(html)?.[1]
    expect(script).toBeDefined()
    expect(maplibre).toBeDefined()
    for (const path of [script!, maplibre!]) {
      const get = (acceptEncoding: string) =>
        served.app.fastify.inject({
          method: 'GET',
          url: path,
          headers: { 'accept-encoding': acceptEncoding },
        })
      const plain = await get('identity')
      expect(plain.headers['content-encoding']).toBeUndefined()
      const brotli = await get('gzip, deflate, br')
      expect(brotli.headers['content-encoding']).toBe('br')
      expect(brotli.headers.vary).toMatch(/accept-encoding/i)
      expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      expect(brotliDecompressSync(brotli.rawPayload).equals(plain.rawPayload)).toBe(true)
      const gzip = await get('gzip')
      expect(gzip.headers['content-encoding']).toBe('gzip')
      expect(gunzipSync(gzip.rawPayload).equals(plain.rawPayload)).toBe(true)
      // MapLibre, a megabyte of JavaScript, travels as about a quarter of it.
      if (path === maplibre) expect(brotli.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3)
    }
  })
})
