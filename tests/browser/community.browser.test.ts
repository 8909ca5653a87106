import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  callApi,
  closeBrowserTest,
  type Member,
  openTwoBrowsers,
  registerMember,
  type ServedApp,
  screenshot,
  serveApp,
  signedInContext,
  waitForRendered,
} from './browser-support'

/**
 * The community layer in a real Chromium: a member opens a place of a group, joins the group, writes a post
 * and a comment that a second browser sees appear live, draws an area and redraws it, and reads a pact's steps.
 */
describe('the detail panel, threads, groups and drawing', () => {
  let served: ServedApp
  let browser: Browser
  let anna: Member
  let bruno: Member
  let carla: Member
  let pageA: Page
  let pageB: Page
  let spaceId = ''
  let pactId = ''
  const postText = 'Sabato si semina: chi porta i semi di basilico?'
  const commentText = 'Io porto anche i vasi.'

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    const base = served.baseUrl
    anna = await registerMember(base, 'Anna Comunità')
    bruno = await registerMember(base, 'Bruno Community')
    carla = await registerMember(base, 'Carla Gruppo')
    const group = await callApi<{ id: string }>(base, carla, 'POST', '/api/entities', {
      kind: 'group',
      title: 'Amici del giardino',
      geometry: { type: 'Point', coordinates: [7.6805, 45.0705] },
      properties: { membership: 'open' },
    })
    const space = await callApi<{ id: string }>(base, carla, 'POST', '/api/entities', {
      kind: 'space',
      title: 'Giardino di via Baltea',
      geometry: { type: 'Point', coordinates: [7.681, 45.071] },
      parentId: group.id,
    })
    spaceId = space.id
    const pact = await callApi<{ id: string }>(base, carla, 'POST', '/api/pacts', {
      title: 'Patto per il giardino',
      geometry: { type: 'Point', coordinates: [7.6815, 45.0712] },
    })
    pactId = pact.id
    ;({ browser, pageA, pageB } = await openTwoBrowsers(base, [anna, bruno]))
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('joins the group a place belongs to', async () => {
    await pageA.goto(`${served.baseUrl}/?c=7.681,45.071&z=16&sel=${spaceId}`)
    await pageA.getByTestId('detail-title').filter({ hasText: 'Giardino di via Baltea' }).waitFor()
    const box = pageA.getByTestId('group-box')
    await box.getByTestId('members-count').filter({ hasText: '1 membro' }).waitFor()
    await box.getByTestId('group-join').click()
    await box.getByTestId('group-message').filter({ hasText: 'Ora fai parte del gruppo' }).waitFor()
    await box.getByTestId('members-count').filter({ hasText: '2 membri' }).waitFor()
    await box.getByTestId('group-leave').waitFor()
  })

  it('writes a post and a comment; another member sees both appear live', async () => {
    await pageB.goto(`${served.baseUrl}/?c=7.681,45.071&z=16&sel=${spaceId}`)
    await pageB.getByTestId('thread').filter({ hasText: 'Nothing written here yet' }).waitFor()

    // An empty message: the API's refusal is shown next to the field, and nothing is posted.
    await pageA.getByTestId('post-submit').click()
    await pageA.getByTestId('post-error').waitFor()
    expect(await pageA.getByTestId('post').count()).toBe(0)

    await pageA.getByTestId('post-body').fill(postText)
    await pageA.getByTestId('post-submit').click()
    await pageA.getByTestId('post-text').filter({ hasText: postText }).waitFor()
    await pageB.getByTestId('post-text').filter({ hasText: postText }).waitFor({ timeout: 20_000 })

    const postA = pageA.getByTestId('post').filter({ hasText: postText })
    await postA.getByTestId('comment-body').fill(commentText)
    await postA.getByTestId('comment-submit').click()
    await postA.getByTestId('comment-text').filter({ hasText: commentText }).waitFor()
    await pageB.getByTestId('comment-text').filter({ hasText: commentText }).waitFor({ timeout: 20_000 })
    await screenshot(pageA, '30-thread-author')
    await screenshot(pageB, '31-thread-live-other-member')

    // The author removes the comment: a placeholder stays, on both screens.
    pageA.once('dialog', (dialog) => void dialog.accept())
    await postA.getByTestId('comment').getByRole('button', { name: 'Rimuovi' }).click()
    await postA.getByTestId('comment').filter({ hasText: 'rimosso' }).waitFor()
    await pageB.getByTestId('comment').filter({ hasText: 'removed' }).waitFor({ timeout: 20_000 })
  })

  it('follows a place and stops following it', async () => {
    await pageB.getByTestId('follow').filter({ hasText: 'Follow' }).waitFor()
    await pageB.getByTestId('follow').click()
    await pageB.getByTestId('follow').filter({ hasText: 'Following' }).waitFor()
    const follows = await callApi<{ items: { entityId: string }[] }>(
      served.baseUrl,
      bruno,
      'GET',
      '/api/me/subscriptions',
    )
    expect(follows.items.map((item) => item.entityId)).toContain(spaceId)
    await pageB.getByTestId('follow').click()
    await pageB
      .getByTestId('follow')
      .filter({ hasText: /^Follow$/ })
      .waitFor()
  })

  it('draws an area, sees it drawn on the map, and redraws it', async () => {
    const title = 'Aiuola da adottare'
    await pageA.goto(`${served.baseUrl}/?c=7.681,45.071&z=16`)
    await waitForRendered(pageA, (entities) => entities.length > 0)
    const canvas = pageA.locator('.maplibregl-canvas')
    await pageA.getByTestId('add-polygon').click()
    // Drawing opens the placing tools above the map, which moves the map down: measure it once they are there.
    await pageA.locator('.placing').waitFor()
    const box = await canvas.boundingBox()
    if (!box) throw new Error('no map canvas')
    const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const
    await pageA.mouse.click(...at(0.15, 0.15))
    await pageA.mouse.click(...at(0.35, 0.15))
    await pageA.getByTestId('draw-undo').click()
    await pageA.mouse.click(...at(0.35, 0.2))
    await pageA.mouse.click(...at(0.35, 0.4))
    // A double-click adds its vertex once and finishes the area.
    await pageA.mouse.dblclick(...at(0.15, 0.4))
    await pageA.getByTestId('editor').waitFor()
    await expect(pageA.locator('#field-kind').inputValue()).resolves.toBe('project')
    await pageA.locator('#field-title').fill(title)
    await pageA.locator('#field-properties-status').selectOption('proposal')
    await pageA.getByTestId('editor-save').click()
    await pageA.getByTestId('detail-title').filter({ hasText: title }).waitFor()
    const drawn = await waitForRendered(pageA, (entities) =>
      entities.some((entity) => entity.title === title),
    )
    const id = drawn.find((entity) => entity.title === title)?.id as string
    const before = await callApi<{ geometry: { type: string; coordinates: number[][][] } }>(
      served.baseUrl,
      anna,
      'GET',
      `/api/entities/${id}`,
    )
    expect(before.geometry.type).toBe('Polygon')
    expect(before.geometry.coordinates[0]).toHaveLength(5)
    await screenshot(pageA, '32-area-drawn')

    // Redraw it smaller, finishing with the button this time.
    await pageA.getByTestId('redraw').click()
    await pageA.locator('.placing').waitFor()
    await pageA.mouse.click(...at(0.2, 0.2))
    await pageA.mouse.click(...at(0.3, 0.2))
    await pageA.mouse.click(...at(0.3, 0.3))
    await pageA.getByTestId('draw-finish').click()
    await pageA.getByTestId('editor-new-shape').waitFor()
    await pageA.getByTestId('editor-save').click()
    await pageA.getByTestId('detail-title').filter({ hasText: title }).waitFor()
    const after = await callApi<{ geometry: { coordinates: number[][][] } }>(
      served.baseUrl,
      anna,
      'GET',
      `/api/entities/${id}`,
    )
    expect(after.geometry.coordinates[0]).toHaveLength(4)
    await waitForRendered(pageA, (entities) => entities.some((entity) => entity.title === title))
    await screenshot(pageA, '33-area-redrawn')
  })

  it("shows a pact's lifecycle step", async () => {
    await pageB.goto(`${served.baseUrl}/?c=7.681,45.071&z=16&sel=${pactId}`)
    const pact = pageB.getByTestId('pact')
    await pact.locator('[aria-current="step"]').filter({ hasText: 'proposal' }).waitFor()
    await pact.filter({ hasText: 'co-design' }).waitFor()
  })

  it('shows the panel as a bottom sheet on a phone', async () => {
    const phone = await signedInContext(browser, served.baseUrl, anna, {
      locale: 'it-IT',
      viewport: { width: 390, height: 844 },
    })
    const page = await phone.newPage()
    await page.goto(`${served.baseUrl}/?c=7.681,45.071&z=16&sel=${spaceId}`)
    await page.getByTestId('post-text').filter({ hasText: postText }).waitFor()
    const sheet = await page.locator('#side').boundingBox()
    expect(sheet?.width).toBe(390)
    await screenshot(page, '34-phone-sheet')
    await phone.close()
  })
})
