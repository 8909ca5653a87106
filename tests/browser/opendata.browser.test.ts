import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { changeRole } from '@quartiere/auth'
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

const exec = promisify(execFile)

/**
 * Taking things with you, in a real Chromium: the Open data page for a visitor (no ledger statistics offered)
 * and for a researcher (offered, and downloaded), every address the page shows fetched and answering in its
 * format (the ogr2ogr recipe run for real), the calendar of the events in view and of one event, and the wallet
 * statement as CSV with exact amounts.
 */
describe('taking things with you', () => {
  let served: ServedApp
  let browser: Browser
  let visitor: Page
  let base: string
  let dir: string
  let marco: Member
  let lucia: Member
  let ricerca: Member
  let eventId: string
  let otherEventId: string

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    base = served.baseUrl
    dir = mkdtempSync(join(tmpdir(), 'quartiere-opendata-'))
    marco = await registerMember(base, 'Marco Offre')
    lucia = await registerMember(base, 'Lucia Chiede')
    ricerca = await registerMember(base, 'Rita Ricerca')
    const granted = await served.app.database.db
      .transaction()
      .execute((trx) => changeRole(trx, { actorId: null, userId: ricerca.user.id, role: 'researcher' }))
    if (!granted.ok) throw new Error(`granting the researcher role failed: ${granted.message}`)
    // Logging in again gives a token that says the new role.
    ricerca = (await (
      await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'rita.ricerca@example.org', password: 'correct horse battery staple' }),
      })
    ).json()) as Member
    eventId = (await callApi<{ id: string }>(base, marco, 'POST', '/api/entities', validEntityByKind.event))
      .id
    otherEventId = (
      await callApi<{ id: string }>(base, marco, 'POST', '/api/entities', {
        ...validEntityByKind.event,
        title: 'Festa di via; musica, balli',
        geometry: { type: 'Point', coordinates: [7.699, 45.0895] },
      })
    ).id
    await callApi(base, marco, 'POST', '/api/entities', validEntityByKind.space)
    browser = await launchChromium()
    visitor = await (await offlineContext(browser, base, { locale: 'en-GB' })).newPage()
  }, 240_000)

  afterAll(async () => {
    await closeBrowserTest(browser, served)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('shows a visitor the open data with its licence, and offers no ledger statistics', async () => {
    await visitor.goto(base)
    await visitor.getByTestId('nav-open-data').click()
    await visitor.getByTestId('open-data-page').waitFor()
    expect(new URL(visitor.url()).pathname).toBe('/open-data')
    await visitor.getByTestId('open-data-licence').getByText('Open Database License').waitFor()
    expect(await visitor.getByTestId('od-ogc-url').inputValue()).toBe(`${base}/ogc`)
    expect(await visitor.getByTestId('od-statistics').count()).toBe(0)
    await expectAccessible(visitor, 'open data, desktop')
    await visitor.setViewportSize({ width: 390, height: 844 })
    expect(await visitor.getByTestId('od-ogc-url').isVisible()).toBe(true)
    await expectAccessible(visitor, 'open data, phone')
    await screenshot(visitor, '60-open-data-phone')
    await visitor.setViewportSize({ width: 1280, height: 800 })
  })

  it('shows only addresses that answer in their format, and recipes that work', async () => {
    const value = (id: string) => visitor.getByTestId(id).inputValue()
    const ogc = await fetch(await value('od-ogc-url'))
    expect(ogc.status).toBe(200)
    expect(((await ogc.json()) as { links: { rel: string }[] }).links.map((link) => link.rel)).toContain(
      'data',
    )
    const tileJson = await fetch(await value('od-tilejson'))
    expect(((await tileJson.json()) as { tilejson: string }).tilejson).toBe('3.0.0')
    // The tile over the two events at their own scale (z15) holds them, as Mapbox Vector Tile bytes.
    const tile = await fetch((await value('od-tile-template')).replace('{z}/{x}/{y}', '15/17084/11775'))
    expect(tile.status).toBe(200)
    expect(tile.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile')
    expect((await tile.arrayBuffer()).byteLength).toBeGreaterThan(0)
    const calendar = await fetch(await value('od-calendar-url'))
    expect(await calendar.text()).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VEVENT/)

    const exports = visitor.getByTestId('od-exports')
    const href = async (format: string) =>
      new URL((await exports.getByTestId(`od-export-${format}`).getAttribute('href')) as string, base).href
    const geojson = await fetch(await href('geojson'))
    expect(geojson.headers.get('content-type')).toContain('application/geo+json')
    const collection = (await geojson.json()) as { type: string; features: unknown[] }
    expect(collection.type).toBe('FeatureCollection')
    expect(collection.features).toHaveLength(3)
    const csv = await (await fetch(await href('csv'))).text()
    expect(csv.split('\n')[0]).toContain('id')
    expect(csv).toContain('Festa di via')
    const fgb = new Uint8Array(await (await fetch(await href('fgb'))).arrayBuffer())
    // FlatGeobuf's magic bytes: "fgb", version 3.
    expect([...fgb.slice(0, 4)]).toEqual([0x66, 0x67, 0x62, 0x03])
    await exports.getByText('Open Data Commons Open Database License (ODbL) 1.0').first().waitFor()

    // Every URL a recipe names answers; the ogr2ogr recipe runs as written and copies the three things.
    for (const id of ['ogr2ogr', 'qgis', 'r', 'python']) {
      const code = (await visitor.getByTestId(`od-recipe-${id}`).locator('code').textContent()) as string
      const urls = [...code.matchAll(/https?:\/\/[^"\s]+/g)].map((match) => match[0])
      expect(urls.length, id).toBeGreaterThan(0)
      for (const url of urls) expect((await fetch(url)).status, `${id}: ${url}`).toBe(200)
    }
    const ogr2ogr = (await visitor.getByTestId('od-recipe-ogr2ogr').locator('code').textContent()) as string
    const args = [...ogr2ogr.matchAll(/"([^"]+)"|(\S+)/g)].map((match) => match[1] ?? match[2]) as string[]
    expect(args[0]).toBe('ogr2ogr')
    await exec('ogr2ogr', args.slice(1), { cwd: dir, timeout: 120_000 })
    const { stdout } = await exec('ogrinfo', ['-ro', '-so', join(dir, 'quartiere.gpkg'), 'all'], {
      timeout: 60_000,
    })
    expect(stdout).toContain('Feature Count: 3')
  })

  it('offers the ledger statistics to a researcher, who downloads them', async () => {
    const page = await (await signedInContext(browser, base, ricerca, { locale: 'it-IT' })).newPage()
    await page.goto(`${base}/open-data`)
    await page.getByTestId('od-statistics').waitFor()
    await expectAccessible(page, 'open data for a researcher, desktop')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('od-statistics-download').click(),
    ])
    expect(download.suggestedFilename()).toBe('quartiere-ledger-flows.csv')
    const text = readFileSync((await download.path()) as string, 'utf8')
    expect(text.split('\n')[0]).toContain('month')
    await page.context().close()
  })

  it('downloads the calendar of the events in view from the map, and of one event from its detail', async () => {
    const page = visitor
    await page.goto(`${base}/?c=7.698,45.089&z=15`)
    await page.getByTestId('calendar-control').locator('summary').click()
    expect(await page.getByTestId('calendar-subscribe').getAttribute('href')).toMatch(
      /^webcal:\/\/127\.0\.0\.1:\d+\/api\/events\.ics\?bbox=/,
    )
    await expectAccessible(page, 'map with the calendar control, desktop')
    const [inView] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('calendar-download').click(),
    ])
    const all = readFileSync((await inView.path()) as string, 'utf8')
    expect(all.match(/BEGIN:VEVENT/g)).toHaveLength(2)
    expect(all).toContain(`UID:${eventId}@quartiere`)
    expect(all.replace(/\r\n /g, '')).toContain('SUMMARY:Festa di via\\; musica\\, balli')
    // The feed to subscribe to is the same box without the window, and answers.
    const feed = await page.getByTestId('calendar-feed-url').inputValue()
    expect((await (await fetch(feed)).text()).match(/BEGIN:VEVENT/g)).toHaveLength(2)

    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${base}/?sel=${otherEventId}`)
    await page.getByTestId('detail-title').filter({ hasText: 'Festa di via' }).waitFor()
    await expectAccessible(page, 'event detail with its calendar link, phone')
    const [one] = await Promise.all([page.waitForEvent('download'), page.getByTestId('event-ics').click()])
    expect(one.suggestedFilename()).toBe(`quartiere-event-${otherEventId}.ics`)
    const single = readFileSync((await one.path()) as string, 'utf8')
    expect(single.match(/BEGIN:VEVENT/g)).toHaveLength(1)
    expect(single).toContain(`UID:${otherEventId}@quartiere`)
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('downloads the wallet statement as CSV with the amounts exact', async () => {
    const offer = await callApi<{ id: string }>(base, marco, 'POST', '/api/entities', validEntityByKind.offer)
    const exchange = await callApi<{ id: string }>(
      base,
      lucia,
      'POST',
      `/api/entities/${offer.id}/exchanges`,
      {
        hours: '1.25',
      },
    )
    await callApi(base, lucia, 'POST', `/api/ledger/exchanges/${exchange.id}/confirm`, { hours: '1.25' })

    const page = await (await signedInContext(browser, base, lucia, { locale: 'it-IT' })).newPage()
    await page.goto(`${base}/wallet`)
    await page.getByTestId('statement').waitFor()
    await expectAccessible(page, 'wallet with the CSV download, desktop')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('statement-csv').click(),
    ])
    const [head, ...lines] = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split(/\r?\n/)
    const header = (head as string).split(',')
    const rows = lines.map((line) =>
      Object.fromEntries(line.split(',').map((cell, index) => [header[index], cell])),
    )
    // The exchange held 1.25 hours, then posted them: newest first, exact decimal strings, the balance after each.
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({ amount: '1.25', direction: 'debit', balance: '-1.25', currency: 'TIME' })
    expect(rows[0]?.pendingId).toBe(rows[1]?.id)
    for (const row of rows) expect(row.amount).toMatch(/^\d+\.\d{2}$/)
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.getByTestId('statement-csv').isVisible()).toBe(true)
    await expectAccessible(page, 'wallet with the CSV download, phone')
    await page.context().close()
  })
})
