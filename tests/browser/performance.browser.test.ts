import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { seedSynthetic } from '@quartiere/map/seed'
import { sql } from 'kysely'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webDir } from '../../apps/web/scripts/build-if-stale'
import {
  launchChromium,
  offlineContext,
  type ServedApp,
  screenshot,
  serveApp,
  waitForRendered,
} from './browser-support'

/** Things in view for the figure the issue asks for. */
const entitiesInView = 10_000
/** Navigations measured (the machine is shared and noisy: one figure says little). */
const runs = Number(process.env.WEB_PERF_RUNS ?? 3)

/**
 * Figures, printed and not asserted (machines are noisy): navigation to the first drawn things with 10,000
 * things in view, and the production bundle's size. The test asserts only that the map did draw them.
 */
describe('web client performance (printed, not asserted)', () => {
  let served: ServedApp
  let browser: Browser

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    await seedSynthetic(served.app.database.db, entitiesInView)
    // A thing shows from its zoomLevel in (the synthetic ones from 10 to 18): all of them are made to show at the
    // view's zoom 11.5, so the figure keeps meaning 10,000 things in view.
    await sql`UPDATE entities SET zoom_level = 10`.execute(served.app.database.db)
    browser = await launchChromium()
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await served?.close()
  })

  it('draws the first of 10,000 things in view and reports how long it took', {
    timeout: 400_000,
  }, async () => {
    // The browser's first page since it was launched starts its GPU process and finds the server's caches
    // cold: shown apart, since a resident's browser is already running and the server has served others.
    const launch = await offlineContext(browser, served.baseUrl, { locale: 'it-IT' })
    const launchPage = await launch.newPage()
    const browserStart = await measureNavigation(launchPage, served.baseUrl)
    await launch.close()
    // A first visit: a fresh context, so nothing is cached (scripts fetched and compiled, no code cache); a
    // return visit: the same page again in that context, scripts from the HTTP cache.
    const firstVisits: NavigationFigures[] = []
    const returnVisits: NavigationFigures[] = []
    let page: Page | undefined
    for (let run = 0; run < runs; run += 1) {
      const context = await offlineContext(browser, served.baseUrl, { locale: 'it-IT' })
      page = await context.newPage()
      firstVisits.push(await measureNavigation(page, served.baseUrl))
      returnVisits.push(await measureNavigation(page, served.baseUrl))
      if (run < runs - 1) await context.close()
    }
    const count = await page!.getByTestId('wall-count').textContent()
    await screenshot(page!, '10-ten-thousand')
    console.log(
      [
        `[web perf] ${entitiesInView} things in view; navigation → first drawn, median of ${runs} (ms): first visit ${median(firstVisits.map((f) => f.firstFeaturesMs)).toFixed(0)}, return visit ${median(returnVisits.map((f) => f.firstFeaturesMs)).toFixed(0)} (goal under 2000); lines and polygons drawn too: first visit ${median(firstVisits.map((f) => f.shapesDrawnMs)).toFixed(0)}, return visit ${median(returnVisits.map((f) => f.shapesDrawnMs)).toFixed(0)}; the browser's first page since launch ${browserStart.firstFeaturesMs.toFixed(0)}; wall: ${count}`,
        describeRuns('first visits', firstVisits),
        describeRuns('return visits', returnVisits),
      ].join('\n'),
    )
    expect([browserStart, ...firstVisits, ...returnVisits].every((f) => f.firstFeaturesMs > 0)).toBe(true)
    await page!.context().close()
  })

  it('reports the production bundle size, gzip', () => {
    const assets = join(webDir, 'dist', 'assets')
    const rows = readdirSync(assets)
      .filter((name) => /\.(js|css)$/.test(name))
      .map((name) => {
        const bytes = readFileSync(join(assets, name))
        return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
      })
      .sort((a, b) => b.gzip - a.gzip)
    const kb = (value: number) => `${(value / 1024).toFixed(1)} KiB`
    const total = rows.reduce((sum, row) => sum + row.gzip, 0)
    console.log(
      `[web bundle] total ${kb(total)} gzip (js + css, incl. the map worker; the offline style is fetched only offline)\n${rows
        .map((row) => `  ${row.name}: ${kb(row.raw)} raw, ${kb(row.gzip)} gzip`)
        .join('\n')}`,
    )
    expect(rows[0]?.name).toMatch(/maplibre/)
  })
})

interface NavigationFigures {
  firstFeaturesMs: number
  shapesDrawnMs: number
  viewLoadedMs: number
  firstPageMs: number
  mapLoadMs: number
  basemapAddedMs: number
  appStartMs: number
  scriptsLoadedMs: number
  firstRequestStartMs: number
  firstRequestEndMs: number
}

/** Navigates to a view over the 10,000 things and reads the page's own marks once the whole view is loaded. */
async function measureNavigation(page: Page, baseUrl: string): Promise<NavigationFigures> {
  await page.goto(`${baseUrl}/?c=7.665,45.07&z=11.5`)
  await waitForRendered(page, (entities) => entities.length > 0, 60_000)
  await page.waitForFunction(() => performance.getEntriesByName('quartiere:view-loaded').length > 0, null, {
    timeout: 60_000,
  })
  return page.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(`quartiere:${name}`)[0]?.startTime ?? -1
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[]
    const firstRequest = resources.find((entry) => entry.name.includes('/api/entities?'))
    const scripts = resources.filter((entry) => /\/assets\/.*\.js$/.test(entry.name))
    return {
      appStartMs: at('app-start'),
      scriptsLoadedMs: Math.max(-1, ...scripts.map((entry) => entry.responseEnd)),
      firstRequestStartMs: firstRequest?.startTime ?? -1,
      firstRequestEndMs: firstRequest?.responseEnd ?? -1,
      firstFeaturesMs: at('first-features'),
      shapesDrawnMs: at('shapes-drawn'),
      viewLoadedMs: at('view-loaded'),
      firstPageMs: at('first-page'),
      mapLoadMs: at('map-load'),
      basemapAddedMs: at('basemap-added'),
    }
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Every run's steps, in ms from navigation: where the time goes. */
function describeRuns(label: string, figures: NavigationFigures[]): string {
  const series = (pick: (f: NavigationFigures) => number) => figures.map((f) => pick(f).toFixed(0)).join(', ')
  return [
    `[web perf] ${label}, per run (ms): first drawn ${series((f) => f.firstFeaturesMs)}; lines and polygons drawn too ${series((f) => f.shapesDrawnMs)}; all ${entitiesInView} loaded ${series((f) => f.viewLoadedMs)}`,
    `  scripts loaded ${series((f) => f.scriptsLoadedMs)}; app started ${series((f) => f.appStartMs)}; first request sent ${series((f) => f.firstRequestStartMs)}, answered ${series((f) => f.firstRequestEndMs)}`,
    `  first page of things received ${series((f) => f.firstPageMs)}; map loaded ${series((f) => f.mapLoadMs)}; basemap slid in under the things ${series((f) => f.basemapAddedMs)}`,
  ].join('\n')
}
