import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EntityFeature } from '@quartiere/contracts'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
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

const phone = { width: 390, height: 844 }
const desktop = { width: 1280, height: 800 }

const png = (r: number, g: number, b: number) =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer()

/**
 * Photos in a real Chromium: a member logs in through the form on a phone, adds two photos to their place (from
 * a file, described, the progress bar running to its end) and swipes between them in the viewer; at a desk they
 * move with the arrow keys and close with Escape, are refused a file that is not a photo before it is sent and
 * one the server cannot read after, add a photo to a new post, and delete one of their photos.
 */
describe('photos on a thing and in a post', () => {
  let served: ServedApp
  let browser: Browser
  let mediaDir: string
  let ada: Member
  let place: EntityFeature

  const mediaRows = () =>
    served.app.database.db
      .selectFrom('media')
      .select(['id', 'alt_text', 'deleted_at', 'entity_id'])
      .where('owner_id', '=', ada.user.id)
      .orderBy('created_at')
      .execute()

  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), 'quartiere-photos-browser-'))
    served = await serveApp({ seedDemo: false, env: { MEDIA_DIR: mediaDir } })
    ada = await registerMember(served.baseUrl, 'Ada Photo')
    place = await callApi<EntityFeature>(served.baseUrl, ada, 'POST', '/api/entities', {
      ...validEntityByKind.space,
      title: 'Cortile di via Roma',
    })
    browser = await launchChromium()
  }, 240_000)

  afterAll(async () => {
    await closeBrowserTest(browser, served)
    await rm(mediaDir, { recursive: true, force: true })
  })

  const title = (page: Page) => page.getByTestId('photo-viewer-title')

  async function addPhoto(scope: ReturnType<Page['locator']>, name: string, alt: string, data: Buffer) {
    await scope.getByTestId('photo-file').setInputFiles({ name, mimeType: 'image/png', buffer: data })
    await scope.getByTestId('photo-chosen').filter({ hasText: name }).waitFor()
    await scope.getByTestId('photo-alt').fill(alt)
    await scope.getByTestId('photo-submit').click()
    await scope.getByTestId('photo-note').filter({ hasText: 'Photo added.' }).waitFor()
    // The bar ran to its end.
    expect(
      await scope.getByTestId('photo-progress').evaluate((bar) => (bar as HTMLProgressElement).value),
    ).toBe(1)
  }

  it('on a phone: logs in through the form, adds two described photos, and swipes between them', async () => {
    const page = await (
      await offlineContext(browser, served.baseUrl, { locale: 'en-GB', viewport: phone })
    ).newPage()
    await page.goto(`${served.baseUrl}/?sel=${place.id}`)
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill('ada.photo@example.org')
    await page.locator('#auth-password').fill('correct horse battery staple')
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Ada Photo' }).waitFor()
    await page.getByTestId('detail-title').filter({ hasText: 'Cortile di via Roma' }).waitFor()

    const photos = page.getByTestId('entity-photos')
    await photos.getByTestId('photo-add').click()
    const form = photos.getByTestId('photo-upload')
    await form.waitFor()
    // The camera and the file choice are both offered; the description is asked for, with why.
    expect(await form.getByTestId('photo-camera').getAttribute('capture')).toBe('environment')
    await form.getByText('people who cannot see it hear this instead').waitFor()
    await expectAccessible(page, 'the upload form on a phone')

    await addPhoto(form, 'courtyard.png', 'The courtyard with the bicycles', await png(30, 110, 200))
    await photos.getByRole('button', { name: 'Open photo 1 of 1: The courtyard with the bicycles' }).waitFor()
    await addPhoto(form, 'bench.png', 'A bench under the plane tree', await png(200, 120, 40))
    await photos.getByRole('button', { name: 'Open photo 2 of 2: A bench under the plane tree' }).waitFor()
    expect((await mediaRows()).map((row) => [row.alt_text, row.entity_id])).toEqual([
      ['The courtyard with the bicycles', place.id],
      ['A bench under the plane tree', place.id],
    ])
    await expectAccessible(page, 'a thing with photos on a phone')
    await screenshot(page, '60-photos-phone')

    await photos.getByRole('button', { name: /^Open photo 1 of 2/ }).click()
    await title(page).filter({ hasText: 'Photo 1 of 2' }).waitFor()
    const image = page.getByTestId('photo-viewer-image')
    expect(await image.getAttribute('alt')).toBe('The courtyard with the bicycles')
    await page.getByTestId('photo-viewer').getByText('The courtyard with the bicycles').waitFor()
    const swipe = (fromX: number, toX: number) =>
      page.getByTestId('photo-viewer-figure').evaluate(
        (figure, [from, to]) => {
          const touch = (x: number) => new Touch({ identifier: 1, target: figure, clientX: x, clientY: 300 })
          figure.dispatchEvent(
            new TouchEvent('touchstart', {
              bubbles: true,
              touches: [touch(from)],
              changedTouches: [touch(from)],
            }),
          )
          figure.dispatchEvent(
            new TouchEvent('touchend', { bubbles: true, touches: [], changedTouches: [touch(to)] }),
          )
        },
        [fromX, toX] as const,
      )
    await swipe(320, 80)
    await title(page).filter({ hasText: 'Photo 2 of 2' }).waitFor()
    expect(await image.getAttribute('alt')).toBe('A bench under the plane tree')
    await swipe(80, 320)
    await title(page).filter({ hasText: 'Photo 1 of 2' }).waitFor()
    await screenshot(page, '61-photo-viewer-phone')
    await page.keyboard.press('Escape')
    await page.getByTestId('photo-viewer').waitFor({ state: 'detached' })
    await page.context().close()
  })

  it('at a desk: arrows and Escape in the viewer, refusals, a photo in a post, deleting one’s photo', async () => {
    const page = await (
      await signedInContext(browser, served.baseUrl, ada, { locale: 'en-GB', viewport: desktop })
    ).newPage()
    await page.goto(`${served.baseUrl}/?sel=${place.id}`)
    const photos = page.getByTestId('entity-photos')
    await photos.getByRole('button', { name: /^Open photo 1 of 2/ }).click()
    await title(page).filter({ hasText: 'Photo 1 of 2' }).waitFor()
    // A modal dialog: focus is inside it.
    expect(await page.evaluate(() => document.activeElement?.closest('dialog')?.dataset.testid)).toBe(
      'photo-viewer',
    )
    await expectAccessible(page, 'the photo viewer at a desk')
    await page.keyboard.press('ArrowRight')
    await title(page).filter({ hasText: 'Photo 2 of 2' }).waitFor()
    await page.keyboard.press('ArrowRight')
    await title(page).filter({ hasText: 'Photo 1 of 2' }).waitFor()
    await page.keyboard.press('ArrowLeft')
    await title(page).filter({ hasText: 'Photo 2 of 2' }).waitFor()
    await page.getByTestId('photo-next').click()
    await title(page).filter({ hasText: 'Photo 1 of 2' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByTestId('photo-viewer').waitFor({ state: 'detached' })

    // A file that is not a photo is refused before it is sent; one that says it is but is not, by the server.
    await photos.getByTestId('photo-add').click()
    const form = photos.getByTestId('photo-upload')
    await form.getByTestId('photo-file').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not a photo'),
    })
    await form
      .getByTestId('photo-note')
      .filter({ hasText: 'This file is not a photo the server accepts' })
      .waitFor()
    expect(await form.getByTestId('photo-note').getAttribute('role')).toBe('alert')
    await form.getByTestId('photo-file').setInputFiles({
      name: 'fake.png',
      mimeType: 'image/png',
      buffer: Buffer.from('this is text pretending to be a PNG'),
    })
    await form.getByTestId('photo-submit').click()
    await form
      .getByTestId('photo-note')
      .filter({ hasText: 'This file is not an image the server can read.' })
      .waitFor()
    expect(await mediaRows()).toHaveLength(2)
    await expectAccessible(page, 'the upload form at a desk, with a refusal')

    // A photo in a new post.
    const postForm = page.getByTestId('post-form')
    await postForm.getByTestId('post-body').fill('The new bicycle rack is in!')
    await postForm.getByTestId('post-add-photo').click()
    await addPhoto(postForm, 'rack.png', 'The bicycle rack by the gate', await png(40, 160, 80))
    await postForm.getByRole('img', { name: 'The bicycle rack by the gate' }).waitFor()
    await postForm.getByTestId('post-submit').click()
    const post = page.getByTestId('post').filter({ hasText: 'The new bicycle rack is in!' })
    await post.getByRole('button', { name: 'Open photo 1 of 1: The bicycle rack by the gate' }).click()
    await title(page).filter({ hasText: 'Photo 1 of 1' }).waitFor()
    expect(await page.getByTestId('photo-viewer-image').getAttribute('alt')).toBe(
      'The bicycle rack by the gate',
    )
    await page.keyboard.press('Escape')
    const stored = await served.app.database.db
      .selectFrom('posts')
      .select('media_ids')
      .where('entity_id', '=', place.id)
      .executeTakeFirstOrThrow()
    const rack = (await mediaRows()).find((row) => row.alt_text === 'The bicycle rack by the gate')
    expect(stored.media_ids).toEqual([rack?.id])
    await screenshot(page, '62-photo-in-post')

    // Deleting one's own photo, confirmed first.
    await photos.getByRole('button', { name: /^Open photo 2 of 2: A bench/ }).click()
    page.once('dialog', (dialog) => void dialog.accept())
    await page.getByTestId('photo-delete').click()
    await page.getByTestId('photo-viewer').waitFor({ state: 'detached' })
    await expect.poll(() => photos.getByTestId('photo-thumbnail').count()).toBe(1)
    const bench = (await mediaRows()).find((row) => row.alt_text === 'A bench under the plane tree')
    expect(bench?.deleted_at).not.toBeNull()
    await page.context().close()
  })
})
