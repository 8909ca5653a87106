import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { changeRole } from '@quartiere/auth'
import type { Comment, EntityFeature, Media, Post } from '@quartiere/contracts'
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

/**
 * Reporting in a real Chromium: Bruno logs in through the form and reports Anna's place, a post, a comment and a
 * photo through the dialog (a second report of the place is said plainly); a moderator hides the place (through
 * the API: the moderation screen is another piece of work); Bruno reads in his notifications that the moderators
 * acted, and Anna, opening her place, is told it is hidden and why. Anna is offered no Report on her own things.
 */
describe('reporting and what follows', () => {
  let served: ServedApp
  let browser: Browser
  let mediaDir: string
  let anna: Member
  let bruno: Member
  let mara: Member
  let place: EntityFeature
  let post: Post
  let comment: Comment
  let photo: Media

  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), 'quartiere-reports-browser-'))
    served = await serveApp({ seedDemo: false, env: { MEDIA_DIR: mediaDir } })
    const base = served.baseUrl
    anna = await registerMember(base, 'Anna Author')
    bruno = await registerMember(base, 'Bruno Reader')
    mara = await registerMember(base, 'Mara Moderator')
    const granted = await served.app.database.db
      .transaction()
      .execute((trx) => changeRole(trx, { actorId: null, userId: mara.user.id, role: 'moderator' }))
    if (!granted.ok) throw new Error(`granting moderator at the console failed: ${granted.message}`)
    place = await callApi<EntityFeature>(base, anna, 'POST', '/api/entities', {
      ...validEntityByKind.space,
      title: 'Negozio di biciclette',
    })
    post = await callApi<Post>(base, anna, 'POST', `/api/entities/${place.id}/posts`, {
      body: 'Sconti su tutte le bici, solo oggi!',
    })
    comment = await callApi<Comment>(base, anna, 'POST', `/api/posts/${post.id}/comments`, {
      body: 'Chiamate il numero in vetrina',
    })
    const form = new FormData()
    const image = await sharp({ create: { width: 200, height: 150, channels: 3, background: '#c04020' } })
      .png()
      .toBuffer()
    form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'shop.png')
    const uploaded = await fetch(`${base}/api/media?entityId=${place.id}&altText=La%20vetrina`, {
      method: 'POST',
      headers: { authorization: `Bearer ${anna.accessToken}` },
      body: form,
    })
    if (uploaded.status !== 201) throw new Error(`upload: ${uploaded.status} ${await uploaded.text()}`)
    photo = (await uploaded.json()) as Media
    browser = await launchChromium()
  }, 240_000)

  afterAll(async () => {
    await closeBrowserTest(browser, served)
    await rm(mediaDir, { recursive: true, force: true })
  })

  const openReports = () =>
    served.app.database.db
      .selectFrom('reports')
      .select(['target_type', 'target_id', 'reason', 'details', 'status'])
      .where('reporter_id', '=', bruno.user.id)
      .orderBy('created_at')
      .execute()

  /** Reports through the dialog the button opens; returns the dialog's answer. */
  async function report(page: Page, button: ReturnType<Page['locator']>, reason: string, details = '') {
    await button.click()
    const dialog = page.getByTestId('report-dialog').last()
    await dialog.waitFor()
    await dialog.getByLabel(reason).check()
    if (details) await dialog.getByLabel('Details (optional)').fill(details)
    await dialog.getByTestId('report-send').click()
    const outcome = dialog.getByTestId('report-outcome')
    await outcome.waitFor()
    const text = (await outcome.textContent()) ?? ''
    await dialog.getByTestId('report-close').click()
    await dialog.waitFor({ state: 'detached' })
    return text
  }

  it('a member reports a thing, a post, a comment and a photo through the dialog', async () => {
    const page = await (
      await offlineContext(browser, served.baseUrl, { locale: 'en-GB', viewport: desktop })
    ).newPage()
    await page.goto(`${served.baseUrl}/?sel=${place.id}`)
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill('bruno.reader@example.org')
    await page.locator('#auth-password').fill('correct horse battery staple')
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Bruno Reader' }).waitFor()
    await page.getByTestId('detail-title').filter({ hasText: 'Negozio di biciclette' }).waitFor()

    // The dialog, checked while open: a modal, focus inside, Escape closes it.
    await page.getByTestId('report-entity').click()
    const dialog = page.getByTestId('report-dialog')
    await dialog.getByRole('heading', { name: 'Report this place or thing' }).waitFor()
    expect(await page.evaluate(() => document.activeElement?.closest('dialog')?.dataset.testid)).toBe(
      'report-dialog',
    )
    await expectAccessible(page, 'the report dialog at a desk')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect(await openReports()).toHaveLength(0)

    expect(
      await report(
        page,
        page.getByTestId('report-entity'),
        'Spam or advertising',
        'A shop advertising itself',
      ),
    ).toContain('your report reached the moderators')
    // A second report of the same thing is said plainly, and does not stack.
    expect(await report(page, page.getByTestId('report-entity'), 'Something else')).toContain(
      'You have already reported this',
    )
    const postItem = page.getByTestId('post').filter({ hasText: 'Sconti su tutte le bici' })
    expect(await report(page, postItem.getByTestId('report-post'), 'Spam or advertising')).toContain(
      'reached the moderators',
    )
    const commentItem = postItem.getByTestId('comment').filter({ hasText: 'Chiamate il numero' })
    await commentItem.waitFor()
    expect(await report(page, commentItem.getByTestId('report-comment'), 'Spam or advertising')).toContain(
      'reached the moderators',
    )
    await page
      .getByTestId('entity-photos')
      .getByRole('button', { name: 'Open photo 1 of 1: La vetrina' })
      .click()
    await page.getByTestId('photo-viewer').waitFor()
    expect(
      await report(
        page,
        page.getByTestId('photo-viewer').getByTestId('report-media'),
        'It exposes someone’s private life',
      ),
    ).toContain('reached the moderators')
    await page.keyboard.press('Escape')
    await page.getByTestId('photo-viewer').waitFor({ state: 'detached' })

    expect(await openReports()).toEqual([
      {
        target_type: 'entity',
        target_id: place.id,
        reason: 'spam',
        details: 'A shop advertising itself',
        status: 'open',
      },
      { target_type: 'post', target_id: post.id, reason: 'spam', details: '', status: 'open' },
      { target_type: 'comment', target_id: comment.id, reason: 'spam', details: '', status: 'open' },
      { target_type: 'media', target_id: photo.id, reason: 'privacy', details: '', status: 'open' },
    ])
    await page.context().close()
  })

  it('on a phone the dialog fits and passes the checks; the author is offered no Report on her own things', async () => {
    const page = await (
      await signedInContext(browser, served.baseUrl, anna, { locale: 'en-GB', viewport: phone })
    ).newPage()
    await page.goto(`${served.baseUrl}/?sel=${place.id}`)
    await page.getByTestId('detail-title').filter({ hasText: 'Negozio di biciclette' }).waitFor()
    await page.getByTestId('post').first().waitFor()
    await page.getByTestId('edit').waitFor()
    expect(await page.getByTestId('report-entity').count()).toBe(0)
    expect(await page.getByTestId('report-post').count()).toBe(0)
    expect(await page.getByTestId('report-comment').count()).toBe(0)
    await page.context().close()

    const brunoPage = await (
      await signedInContext(browser, served.baseUrl, bruno, { locale: 'it-IT', viewport: phone })
    ).newPage()
    await brunoPage.goto(`${served.baseUrl}/?sel=${place.id}`)
    await brunoPage.getByTestId('report-entity').click()
    await brunoPage
      .getByTestId('report-dialog')
      .getByRole('heading', { name: 'Segnala questo luogo o elemento' })
      .waitFor()
    expect(await brunoPage.getByTestId('report-send').isVisible()).toBe(true)
    await expectAccessible(brunoPage, 'the report dialog on a phone')
    await screenshot(brunoPage, '63-report-dialog-phone')
    await brunoPage.context().close()
  })

  it('a moderator hides the thing: the reporter is notified, the author sees why', async () => {
    await callApi(served.baseUrl, mara, 'POST', '/api/moderation/hide', {
      targetType: 'entity',
      targetId: place.id,
      reason: 'Advertising is not what the map is for',
    })
    const page = await (
      await signedInContext(browser, served.baseUrl, bruno, { locale: 'en-GB', viewport: desktop })
    ).newPage()
    await page.goto(served.baseUrl)
    await page.getByTestId('notifications-badge').waitFor()
    await page.getByTestId('notifications-bell').click()
    const row = page.getByTestId('notifications-panel').getByTestId('notification')
    await row
      .filter({ hasText: 'The moderators acted on your report of a contribution to the map' })
      .filter({ hasText: 'Negozio di biciclette' })
      .waitFor()
    // The moderator's reason is for the author, not the reporter.
    expect(await page.getByTestId('notifications-panel').textContent()).not.toContain('Advertising is not')
    await screenshot(page, '64-report-actioned')
    await page.context().close()

    const annaPage = await (
      await signedInContext(browser, served.baseUrl, anna, { locale: 'en-GB', viewport: desktop })
    ).newPage()
    await annaPage.goto(`${served.baseUrl}/?sel=${place.id}`)
    await annaPage
      .getByTestId('detail')
      .getByTestId('hidden-notice')
      .filter({ hasText: 'A moderator hid this: “Advertising is not what the map is for”.' })
      .first()
      .waitFor()
    await expectAccessible(annaPage, 'a hidden thing, to its author')
    await screenshot(annaPage, '65-hidden-notice')
    await annaPage.context().close()
  })
})
