import { sql } from 'kysely'
import type { Browser, BrowserContext, Page } from 'playwright-core'
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
  serveApp,
} from './browser-support'

/**
 * Writing without a signal: a resident logs in, loses the connection, writes a post and puts a thing on the map.
 * Both wait on the device ("waiting to send"), outlive a reload while the API cannot be reached (and while answers
 * are lost after the server acted on them), and land exactly once when the connection returns. A post whose thing
 * was deleted meanwhile is shown as refused, its text kept.
 */
describe('the offline write queue', () => {
  let served: ServedApp
  let browser: Browser
  let anna: Member
  let spaceId = ''
  const password = 'correct horse battery staple'
  const center = 'c=7.681,45.071&z=16'

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    anna = await registerMember(served.baseUrl, 'Anna Offline')
    const space = await callApi<{ id: string }>(served.baseUrl, anna, 'POST', '/api/entities', {
      kind: 'space',
      title: 'Bocciofila di via Foggia',
      geometry: { type: 'Point', coordinates: [7.681, 45.071] },
    })
    spaceId = space.id
    browser = await launchChromium()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  async function count(query: ReturnType<typeof sql<{ n: number }>>) {
    return (await query.execute(served.app.database.db)).rows[0]!.n
  }
  const entitiesTitled = (title: string) =>
    count(sql<{ n: number }>`SELECT count(*)::int AS n FROM entities WHERE title = ${title}`)
  const postsSaying = (text: string) =>
    count(sql<{ n: number }>`SELECT count(*)::int AS n FROM posts WHERE body = ${text}`)

  async function logIn(page: Page) {
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill('anna.offline@example.org')
    await page.locator('#auth-password').fill(password)
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Anna Offline' }).waitFor()
  }

  async function clickMap(page: Page) {
    const box = await page.locator('.maplibregl-map').first().boundingBox()
    if (!box) throw new Error('no map canvas')
    await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.3)
  }

  it('keeps a post and a thing written offline, through a reload, and sends each once', async () => {
    const context: BrowserContext = await offlineContext(browser, served.baseUrl, { locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${served.baseUrl}/?${center}`)
    await logIn(page)
    // The editor's code loads when first opened: open it once online, as a resident would have on an earlier visit
    // (the service worker keeps it for later visits).
    await page.getByTestId('add-point').click()
    await clickMap(page)
    await page.getByTestId('editor').waitFor()
    await page.getByTestId('editor').getByRole('button', { name: 'Cancel' }).click()
    // (Not a new page load: that would forget the loaded code, which only the service worker keeps.)
    await page.getByRole('button', { name: /Bocciofila di via Foggia/ }).click()
    await page.getByTestId('thread').waitFor()

    await context.setOffline(true)
    await page.getByTestId('offline-status').waitFor()
    const postText = 'Domani torneo di bocce: chi porta le bocce di legno?'
    const thread = page.getByTestId('thread')
    await thread.getByTestId('offline-hint').waitFor()
    expect(await thread.getByTestId('post-add-photo').count()).toBe(0)
    await thread.getByTestId('post-body').fill(postText)
    await thread.getByTestId('post-submit').click()
    const pendingPost = thread.getByTestId('pending-posts').getByTestId('outbox-item')
    await pendingPost.filter({ hasText: postText }).waitFor()
    await expect(pendingPost.getByTestId('outbox-badge').textContent()).resolves.toBe('Waiting to send')
    await thread.getByTestId('post-queued').waitFor()
    await page.getByTestId('outbox-count').filter({ hasText: '1 waiting to send' }).waitFor()

    const thingTitle = 'Panchina rotta in via Foggia'
    await page.getByTestId('add-point').click()
    await clickMap(page)
    await page.getByTestId('editor').waitFor()
    await page.locator('#field-title').fill(thingTitle)
    await page.locator('#field-properties-startsAt').fill('2026-12-05T16:00')
    await page.locator('#field-properties-endsAt').fill('2026-12-05T19:00')
    await page.getByTestId('editor-save').click()
    const pendingThing = page.getByTestId('pending-things').getByTestId('outbox-item')
    await pendingThing.filter({ hasText: thingTitle }).waitFor()
    await expect(pendingThing.getByTestId('outbox-badge').textContent()).resolves.toBe('Waiting to send')
    await page.getByTestId('outbox-count').filter({ hasText: '2 waiting to send' }).waitFor()

    // The queue: opened from the pending thing, every write listed with its state.
    await pendingThing.getByTestId('outbox-open').click()
    const panel = page.getByTestId('outbox-panel')
    await panel.waitFor()
    await expect(panel.getByTestId('outbox-item').count()).resolves.toBe(2)
    await expectAccessible(page, 'the offline queue at 1280px')
    await panel.getByTestId('outbox-close').click()
    expect(await postsSaying(postText)).toBe(0)
    expect(await entitiesTitled(thingTitle)).toBe(0)

    // Back online, but every answer of the API is lost: the server acts on a creation, the page never hears.
    await page.route('**/api/**', async (route) => {
      if (route.request().method() === 'POST') await route.fetch().catch(() => undefined)
      await route.abort('connectionreset')
    })
    await context.setOffline(false)
    await expect.poll(() => postsSaying(postText), { timeout: 30_000 }).toBe(1)
    await page.reload()
    await page.getByTestId('outbox-count').filter({ hasText: '2 waiting to send' }).waitFor()
    await page
      .getByTestId('pending-things')
      .getByTestId('outbox-item')
      .filter({ hasText: thingTitle })
      .waitFor()

    // The API answers again: each write lands once, the one already done is answered from its key.
    await page.unroute('**/api/**')
    await context.setOffline(true)
    await context.setOffline(false)
    await page.getByTestId('outbox-count').waitFor({ state: 'detached', timeout: 30_000 })
    expect(await postsSaying(postText)).toBe(1)
    expect(await entitiesTitled(thingTitle)).toBe(1)
    await page.goto(`${served.baseUrl}/?${center}&sel=${spaceId}`)
    await page.getByTestId('post-text').filter({ hasText: postText }).waitFor()
    expect(await page.getByTestId('post-text').filter({ hasText: postText }).count()).toBe(1)
    await context.close()
  }, 180_000)

  it('shows a post refused when back online (its thing was deleted), with its text kept', async () => {
    const thing = await callApi<{ id: string }>(served.baseUrl, anna, 'POST', '/api/entities', {
      kind: 'space',
      title: 'Orto che chiude',
      geometry: { type: 'Point', coordinates: [7.6812, 45.0712] },
    })
    const context = await offlineContext(browser, served.baseUrl, {
      locale: 'it-IT',
      viewport: { width: 390, height: 844 },
    })
    const page = await context.newPage()
    await page.goto(`${served.baseUrl}/?${center}&sel=${thing.id}`)
    await logIn(page)
    await page.getByTestId('thread').waitFor()
    await context.setOffline(true)
    const text = 'Chi ha le chiavi del cancello dell’orto?'
    await page.getByTestId('post-body').fill(text)
    await page.getByTestId('post-submit').click()
    await page.getByTestId('outbox-count').filter({ hasText: '1 in attesa di invio' }).waitFor()

    // Meanwhile its owner deletes the thing.
    await callApi(served.baseUrl, anna, 'DELETE', `/api/entities/${thing.id}`)
    await context.setOffline(false)
    await page.getByTestId('outbox-count').filter({ hasText: 'Non inviati: 1' }).click()
    const panel = page.getByTestId('outbox-panel')
    const item = panel.getByTestId('outbox-item')
    await item.getByTestId('outbox-reason').waitFor()
    await expect(item.getByTestId('outbox-badge').textContent()).resolves.toBe('Non inviato')
    await expect(item.getByTestId('outbox-reason').textContent()).resolves.toContain('non esiste')
    await expect(item.getByTestId('outbox-text').textContent()).resolves.toBe(text)
    await item.getByTestId('outbox-retry').waitFor()
    await expectAccessible(page, 'the offline queue with a refused post at 390px')
    expect(await postsSaying(text)).toBe(0)

    // Discarded by the person, and only then, it leaves the queue.
    page.once('dialog', (dialog) => void dialog.accept())
    await item.getByTestId('outbox-discard').click()
    await page.getByTestId('outbox-count').waitFor({ state: 'detached' })
    await context.close()
  }, 120_000)

  it('queues a change made offline with its version, and shows a conflict with both versions to choose from', async () => {
    const thing = await callApi<{ id: string }>(served.baseUrl, anna, 'POST', '/api/entities', {
      kind: 'space',
      title: 'Campo di calcetto',
      description: 'Aperto il sabato.',
      geometry: { type: 'Point', coordinates: [7.6808, 45.0708] },
    })
    const context = await offlineContext(browser, served.baseUrl, { locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${served.baseUrl}/?${center}&sel=${thing.id}`)
    await logIn(page)
    await page.getByTestId('edit').click()
    await page.getByTestId('editor').waitFor()

    await context.setOffline(true)
    await page.getByTestId('editor').getByTestId('offline-hint').waitFor()
    await page.locator('#field-title').fill('Campo di calcetto (chiuso per lavori)')
    await page.getByTestId('editor-save').click()
    await page.getByTestId('outbox-count').filter({ hasText: '1 waiting to send' }).waitFor()

    // Meanwhile the thing is changed from another device.
    await callApi(
      served.baseUrl,
      anna,
      'PATCH',
      `/api/entities/${thing.id}`,
      { title: 'Campo di calcetto comunale' },
      { 'if-match': '"1"' },
    )
    await context.setOffline(false)
    await page.getByTestId('outbox-count').filter({ hasText: '1 not sent' }).click()
    const conflict = page.getByTestId('outbox-panel').getByTestId('outbox-conflict')
    await conflict.getByTestId('conflict-theirs').filter({ hasText: 'Campo di calcetto comunale' }).waitFor()
    await conflict
      .getByTestId('conflict-yours')
      .filter({ hasText: 'Campo di calcetto (chiuso per lavori)' })
      .waitFor()
    await expectAccessible(page, 'a conflict in the offline queue at 1280px')

    await conflict.getByTestId('conflict-keep-mine').click()
    await page.getByTestId('outbox-count').waitFor({ state: 'detached' })
    const stored = await callApi<{ properties: { title: string } }>(
      served.baseUrl,
      anna,
      'GET',
      `/api/entities/${thing.id}`,
    )
    expect(stored.properties.title).toBe('Campo di calcetto (chiuso per lavori)')
    await context.close()
  }, 120_000)
})
