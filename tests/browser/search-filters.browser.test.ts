import type { EntityCollection } from '@quartiere/contracts'
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
} from './browser-support'

const desktop = { width: 1280, height: 800 }
const phone = { width: 390, height: 844 }

/** The view's filters as the URL says them: what the test asks the API with, to compare. */
interface UrlFilters {
  q: string | null
  k: string | null
  cat: string | null
  tag: string | null
  t: string | null
}

/** The window of `t` (a year, a month or a day, local time) as the API's from/to, as the client sends it. */
function windowOf(t: string): { from: string; to: string } {
  const [year, month, day] = t.split('-').map(Number) as [number, number | undefined, number | undefined]
  const from = new Date(year, (month ?? 1) - 1, day ?? 1)
  const to =
    day !== undefined
      ? new Date(year, (month ?? 1) - 1, day + 1)
      : month !== undefined
        ? new Date(year, month, 1)
        : new Date(year + 1, 0, 1)
  return { from: from.toISOString(), to: new Date(to.getTime() - 1).toISOString() }
}

/**
 * Search and filters with the demo data, in a real Chromium: text, kind, category, tag and time window each
 * narrow the list and the map to exactly what the API answers for the same query (the map's own box and zoom);
 * the URL carries every filter, reloading restores them, clearing brings everything back. And the zoom rule:
 * a thing meant for zoom 16 is not drawn at 12 and is at 16.
 */
describe('search results and filters', () => {
  let served: ServedApp
  let browser: Browser
  let member: Member

  beforeAll(async () => {
    served = await serveApp({ seedDemo: true })
    member = await registerMember(served.baseUrl, 'Sara Search')
    browser = await launchChromium()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  function urlFilters(page: Page): UrlFilters {
    const params = new URL(page.url()).searchParams
    return {
      q: params.get('q'),
      k: params.get('k'),
      cat: params.get('cat'),
      tag: params.get('tag'),
      t: params.get('t'),
    }
  }

  /** What the API answers for the page's filters, in the map's box at the map's whole zoom: titles, sorted. */
  async function apiTitles(page: Page): Promise<string[]> {
    const view = await page.evaluate(() => {
      const map = (
        window as unknown as {
          __quartiere: { map: { getBounds(): { toArray(): number[][] }; getZoom(): number } }
        }
      ).__quartiere.map
      return { bounds: map.getBounds().toArray(), zoom: map.getZoom() }
    })
    const [[west, south], [east, north]] = view.bounds as [[number, number], [number, number]]
    const filters = urlFilters(page)
    const query = new URLSearchParams({
      bbox: [west, south, east, north].map((value) => value.toFixed(6)).join(','),
      zoom: String(Math.floor(view.zoom)),
      limit: '1000',
    })
    if (filters.q) query.set('q', filters.q)
    if (filters.k) query.set('kinds', filters.k)
    if (filters.cat) query.set('categories', filters.cat)
    if (filters.tag) query.set('tags', filters.tag)
    if (filters.t) {
      const { from, to } = windowOf(filters.t)
      query.set('from', from)
      query.set('to', to)
    }
    const page1 = (await (await fetch(`${served.baseUrl}/api/entities?${query}`)).json()) as EntityCollection
    return page1.features.map((feature) => feature.properties.title).sort()
  }

  /** The list beside the map: every item's title, sorted. */
  async function listTitles(page: Page): Promise<string[]> {
    return (await page.locator('.wall-item .wall-title').allTextContents()).sort()
  }

  /**
   * What the map draws: the things drawn one by one and those inside the clusters drawn, titles sorted. A point
   * counts when it lies inside the map's box: one just outside may show the edge of its disc (or its cluster's)
   * in view, and the API's bbox rightly leaves it out.
   */
  async function drawnTitles(page: Page): Promise<string[]> {
    return page.evaluate(async () => {
      interface Feature {
        geometry: { type: string; coordinates: unknown }
        properties: Record<string, unknown>
      }
      const map = (
        window as unknown as {
          __quartiere: {
            map: {
              queryRenderedFeatures(options: { layers: string[] }): Feature[]
              getLayer(id: string): unknown
              getBounds(): { contains(lngLat: [number, number]): boolean }
              getSource(id: string): {
                getClusterLeaves(id: number, limit: number, offset: number): Promise<Feature[]>
              }
            }
          }
        }
      ).__quartiere.map
      const bounds = map.getBounds()
      const inView = (feature: Feature) =>
        feature.geometry.type !== 'Point' || bounds.contains(feature.geometry.coordinates as [number, number])
      const titles = new Map<string, string>()
      const layers = ['entity-points', 'entity-icons', 'shape-fills', 'shape-lines'].filter((id) =>
        map.getLayer(id),
      )
      for (const feature of map.queryRenderedFeatures({ layers }))
        if (inView(feature)) titles.set(String(feature.properties.id), String(feature.properties.title))
      if (map.getLayer('clusters')) {
        const source = map.getSource('entities-points')
        for (const cluster of map.queryRenderedFeatures({ layers: ['clusters'] })) {
          for (const leaf of await source.getClusterLeaves(Number(cluster.properties.cluster_id), 10_000, 0))
            if (inView(leaf)) titles.set(String(leaf.properties.id), String(leaf.properties.title))
        }
      }
      return [...titles.values()].sort()
    })
  }

  /**
   * The list and the map show exactly what the API answers for the same query (waiting for them to settle).
   * The map is nudged by a pixel first: until the map first moves, the list keeps the box the page estimated
   * from the window's size for its first request (see app.tsx), a little wider than the map.
   */
  async function expectMatchesApi(page: Page, step: string) {
    await page.waitForFunction(() => 'map' in ((window as { __quartiere?: object }).__quartiere ?? {}))
    await page.evaluate(() =>
      (
        window as unknown as { __quartiere: { map: { panBy(offset: number[], options: object): void } } }
      ).__quartiere.map.panBy([0, 1], { duration: 0 }),
    )
    const api = await apiTitles(page)
    await expect
      .poll(() => listTitles(page), { timeout: 30_000, message: `the list after ${step}` })
      .toEqual(api)
    await expect
      .poll(() => drawnTitles(page), { timeout: 30_000, message: `the map after ${step}` })
      .toEqual(api)
    return api
  }

  it('narrows the list and the map as the API does; the URL carries the filters; reload and clear', async () => {
    const context = await offlineContext(browser, served.baseUrl, { locale: 'en-GB', viewport: desktop })
    const page = await context.newPage()
    await page.goto(`${served.baseUrl}/?c=7.679,45.057&z=14`)
    await page.locator('.wall-item').first().waitFor()
    const everything = await expectMatchesApi(page, 'opening the view')
    expect(everything.length).toBeGreaterThan(2)

    // Text.
    await page.locator('#filter-q').fill('casa')
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.searchParams.get('q') === 'casa')
    const byText = await expectMatchesApi(page, 'the text search')
    expect(byText.length).toBeGreaterThan(0)
    expect(byText.length).toBeLessThan(everything.length)
    expect(byText.every((title) => everything.includes(title))).toBe(true)
    await expectAccessible(page, 'search results')

    // Kind, on top of the text.
    await page.getByTestId('kind-space').check()
    await page.waitForURL((url) => url.searchParams.get('k') === 'space')
    const byKind = await expectMatchesApi(page, 'the kind filter')
    expect(byKind.length).toBeGreaterThan(0)
    expect(byKind.length).toBeLessThanOrEqual(byText.length)

    // Category, then tag.
    await page.getByText('Categories and tags').click()
    await page.getByLabel('Categories (comma-separated)').fill('cultura')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.waitForURL((url) => url.searchParams.get('cat') === 'cultura')
    const byCategory = await expectMatchesApi(page, 'the category filter')
    expect(byCategory.length).toBeGreaterThan(0)
    await page.getByLabel('Tags (comma-separated)').fill('casa del quartiere')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.waitForURL((url) => url.searchParams.get('tag') === 'casa del quartiere')
    const byTag = await expectMatchesApi(page, 'the tag filter')
    expect(byTag.length).toBeGreaterThan(0)
    expect(byTag.length).toBeLessThanOrEqual(byCategory.length)

    // A time window: this year.
    await page.getByTestId('timeline-unit-year').click()
    await page.waitForURL((url) => url.searchParams.get('t') === String(new Date().getFullYear()))
    await expectMatchesApi(page, 'the time window')
    const filtered = urlFilters(page)
    await screenshot(page, '62-search-filters')

    // Reloading restores every filter: the fields, the URL, and the same answer.
    await page.reload()
    await page.locator('[data-basemap]').waitFor()
    expect(urlFilters(page)).toEqual(filtered)
    expect(await page.locator('#filter-q').inputValue()).toBe('casa')
    expect(await page.getByTestId('kind-space').isChecked()).toBe(true)
    expect(await page.getByTestId('kind-event').isChecked()).toBe(false)
    await page.getByText('Categories and tags').click()
    expect(await page.getByLabel('Categories (comma-separated)').inputValue()).toBe('cultura')
    expect(await page.getByLabel('Tags (comma-separated)').inputValue()).toBe('casa del quartiere')
    await expectMatchesApi(page, 'the reload')

    // Clearing brings everything back, and the URL forgets the filters.
    await page.getByRole('button', { name: 'Clear filters' }).click()
    await page.getByTestId('timeline-all').click()
    await page.waitForURL((url) => !/[?&](q|k|cat|tag|t)=/.test(url.search))
    expect(await expectMatchesApi(page, 'clearing')).toEqual(everything)
    expect(await page.locator('#filter-q').inputValue()).toBe('')
    await context.close()
  }, 300_000)

  it('draws a thing only from its zoom level in, on a phone', async () => {
    const at: [number, number] = [7.6402, 45.0998]
    const created = await callApi<{ id: string }>(served.baseUrl, member, 'POST', '/api/entities', {
      kind: 'space',
      title: 'Cortile visibile da vicino',
      geometry: { type: 'Point', coordinates: at },
      zoomLevel: 16,
    })
    expect(created.id).toBeDefined()
    const context = await offlineContext(browser, served.baseUrl, { locale: 'en-GB', viewport: phone })
    const page = await context.newPage()
    await page.goto(`${served.baseUrl}/?c=${at[0]},${at[1]}&z=12`)
    // The view has loaded once the city-wide programme (zoom level 11) is listed.
    await page.locator('.wall-item').filter({ hasText: 'CO-CITY' }).waitFor()
    const atCity = await expectMatchesApi(page, 'the city view')
    expect(atCity).toContain('CO-CITY')
    expect(atCity).not.toContain('Cortile visibile da vicino')
    expect(await drawnTitles(page)).not.toContain('Cortile visibile da vicino')
    await expectAccessible(page, 'the city view on a phone')

    await page.goto(`${served.baseUrl}/?c=${at[0]},${at[1]}&z=16`)
    const atCourtyard = await expectMatchesApi(page, 'the courtyard view')
    expect(atCourtyard).toContain('Cortile visibile da vicino')
    expect(await drawnTitles(page)).toContain('Cortile visibile da vicino')
    await context.close()
  }, 120_000)
})
