import type { EntityCollection, EntityFeature } from '@quartiere/contracts'
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

const phone = { width: 390, height: 844 }
const desktop = { width: 1280, height: 800 }
const password = 'correct horse battery staple'
/** Tab presses allowed to reach a control: more means the control is not in the tab order at all. */
const tabPressesMax = 120

/**
 * Mapping without a pointer, in a real Chromium, with the KEYBOARD ALONE (no click, no focus() from the test):
 * a resident logs in through the form, places one thing by typing the name of a neighbourhood, one by typing
 * coordinates (after a mistake, said in a sentence), one with the crosshair moved by the arrow keys, and one
 * inside a Casa del Quartiere chosen from the parent combobox; then posts in its thread. The API holds each
 * geometry, parent and zoom level as chosen. axe-core checks every screen on the way, on a phone and a desk.
 */
describe('mapping with the keyboard alone', () => {
  let served: ServedApp
  let browser: Browser
  const members: Record<string, Member> = {}
  let casa: EntityFeature

  beforeAll(async () => {
    served = await serveApp({ seedDemo: true })
    members.desktop = await registerMember(served.baseUrl, 'Kim Keyboard')
    members.phone = await registerMember(served.baseUrl, 'Pia Phone')
    const found = (await (
      await fetch(
        `${served.baseUrl}/api/entities?q=${encodeURIComponent('Casa del Quartiere di San Salvario')}`,
      )
    ).json()) as EntityCollection
    const match = found.features.find(
      (feature) => feature.properties.title === 'Casa del Quartiere di San Salvario',
    )
    if (!match) throw new Error('the demo data has no Casa del Quartiere di San Salvario')
    casa = match
    browser = await launchChromium()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  /** Presses Tab until the focus is on what `selector` finds: the keyboard's own way there. */
  async function tabTo(page: Page, selector: string) {
    for (let press = 0; press < tabPressesMax; press++) {
      if (await page.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)) return
      await page.keyboard.press('Tab')
    }
    throw new Error(`Tab never reached ${selector}`)
  }
  async function focusedMatches(page: Page, selector: string) {
    return page.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)
  }
  async function read(id: string): Promise<EntityFeature> {
    return (await (await fetch(`${served.baseUrl}/api/entities/${id}`)).json()) as EntityFeature
  }
  function selectedId(page: Page): string {
    const id = new URL(page.url()).searchParams.get('sel')
    if (!id) throw new Error('nothing selected')
    return id
  }
  async function logIn(page: Page, email: string) {
    await tabTo(page, '[data-testid="login"]')
    await page.keyboard.press('Enter')
    await page.locator('#auth-email').waitFor()
    await tabTo(page, '#auth-email')
    await page.keyboard.type(email)
    await tabTo(page, '#auth-password')
    await page.keyboard.type(password)
    await page.keyboard.press('Enter')
  }
  /** Starts a point from the toolbar; the placing tools take the focus. */
  async function startPoint(page: Page) {
    await tabTo(page, '[data-testid="add-point"]')
    await page.keyboard.press('Enter')
    await page.getByTestId('placing-tools').waitFor()
    expect(await focusedMatches(page, '[data-testid="placing-tools"]')).toBe(true)
  }
  /**
   * In the open editor: the kind is a space (the first of the select: Home chooses it, where typing its name
   * could land on another kind on a slow machine), then the title; Save sends the form.
   */
  async function fillAndSave(page: Page, title: string, before?: () => Promise<void>) {
    await page.getByTestId('editor').waitFor()
    expect(await focusedMatches(page, '#editor-title')).toBe(true)
    await tabTo(page, '#field-kind')
    await page.keyboard.press('Home')
    expect(await page.locator('#field-kind').inputValue()).toBe('space')
    await tabTo(page, '#field-title')
    await page.keyboard.type(title)
    if (before) await before()
    await tabTo(page, '[data-testid="editor-save"]')
    await page.keyboard.press('Enter')
    await page.getByTestId('detail-title').filter({ hasText: title }).waitFor()
  }

  it('places by address, by coordinates and with the crosshair, chooses a parent and posts — on a desk', async () => {
    const context = await offlineContext(browser, served.baseUrl, { locale: 'en-GB', viewport: desktop })
    const page = await context.newPage()
    await page.goto(`${served.baseUrl}/?c=7.68,45.06&z=15`)
    await page.locator('[data-basemap]').waitFor()
    await logIn(page, 'kim.keyboard@example.org')
    await page.getByTestId('user-name').filter({ hasText: 'Kim Keyboard' }).waitFor()

    // 1. By the name of a neighbourhood: the combobox lists it; Enter chooses it.
    await startPoint(page)
    await tabTo(page, '#place-find')
    await page.keyboard.type('san salv')
    const option = page.locator('#place-find-list [role="option"]').first()
    await option.filter({ hasText: 'San Salvario' }).waitFor()
    expect(await page.locator('#place-find').getAttribute('aria-expanded')).toBe('true')
    await page.keyboard.press('ArrowDown')
    expect(await page.locator('#place-find').getAttribute('aria-activedescendant')).toBe(
      await option.getAttribute('id'),
    )
    await expectAccessible(page, 'the placing tools with results (desktop)')
    await page.keyboard.press('Enter')
    await fillAndSave(page, 'Portineria di San Salvario')
    const byAddress = await read(selectedId(page))
    expect(byAddress.geometry).toEqual({ type: 'Point', coordinates: [7.68, 45.056] })
    expect(byAddress.properties.zoomLevel).toBe(14)
    expect(byAddress.properties.parentId).toBeNull()
    await expectAccessible(page, 'the detail of the thing placed by address (desktop)')

    // 2. By coordinates: a latitude out of range is said; then latitude and longitude apart by a space.
    await startPoint(page)
    await tabTo(page, '#place-find')
    await page.keyboard.type('95, 7.68')
    await page.locator('#place-find-error').filter({ hasText: 'latitude' }).waitFor()
    expect(await page.locator('#place-find').getAttribute('aria-invalid')).toBe('true')
    await expectAccessible(page, 'coordinates out of range (desktop)')
    await page.keyboard.press('Enter')
    expect(await page.getByTestId('editor').count()).toBe(0)
    await page.keyboard.press('Control+A')
    await page.keyboard.type('45.0612 7.6755')
    await page
      .locator('#place-find-list [role="option"]')
      .filter({ hasText: 'Coordinates 45.06120, 7.67550' })
      .waitFor()
    await page.keyboard.press('Enter')
    await fillAndSave(page, 'Cortile per coordinate', async () => {
      // Visible from the street: one step down the scales from the space's neighbourhood.
      await tabTo(page, '#field-zoomLevel')
      expect(await page.locator('#field-zoomLevel').inputValue()).toBe('14')
      await page.keyboard.press('ArrowDown')
      expect(await page.locator('#field-zoomLevel').inputValue()).toBe('15')
    })
    const byCoordinates = await read(selectedId(page))
    expect(byCoordinates.geometry).toEqual({ type: 'Point', coordinates: [7.6755, 45.0612] })
    expect(byCoordinates.properties.zoomLevel).toBe(15)

    // 3. With the crosshair: arrows move the map under it, the readout says where and what is near; Enter places.
    await startPoint(page)
    await tabTo(page, '[data-testid="crosshair-start"]')
    await page.keyboard.press('Enter')
    await page.getByTestId('crosshair').waitFor()
    expect(await focusedMatches(page, '[data-testid="crosshair"]')).toBe(true)
    const readout = page.getByTestId('crosshair-readout')
    await readout.filter({ hasText: 'Centre 45.06000, 7.68000' }).waitFor()
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Shift+ArrowUp')
    await readout.filter({ hasNotText: 'Centre 45.06000, 7.68000' }).waitFor()
    const text = (await readout.textContent()) ?? ''
    expect(text).toMatch(/Nearest: .+ \(.+\), \d+ m\./)
    const [lat, lon] = (/Centre (-?\d+\.\d+), (-?\d+\.\d+)/.exec(text) ?? []).slice(1).map(Number)
    // Right moves east, up moves north.
    expect(lon).toBeGreaterThan(7.68)
    expect(lat).toBeGreaterThan(45.06)
    await expectAccessible(page, 'the crosshair (desktop)')
    await page.keyboard.press('Enter')
    await fillAndSave(page, 'Panchina col mirino')
    const byCrosshair = await read(selectedId(page))
    const [storedLon, storedLat] = byCrosshair.geometry.coordinates as number[]
    expect(Math.abs((storedLon as number) - (lon as number))).toBeLessThan(1e-5)
    expect(Math.abs((storedLat as number) - (lat as number))).toBeLessThan(1e-5)

    // 4. Inside the Casa del Quartiere: placed by its title, then the parent chosen among the things near it.
    await startPoint(page)
    await tabTo(page, '#place-find')
    await page.keyboard.type('Casa del Quartiere di San')
    await page
      .locator('#place-find-list [role="option"]')
      .filter({ hasText: 'Casa del Quartiere di San Salvario' })
      .waitFor()
    await page.keyboard.press('Enter')
    await fillAndSave(page, 'Sala prove della Casa', async () => {
      await tabTo(page, '#field-parent')
      await page.keyboard.type('casa del')
      const parentOption = page.locator('#field-parent-list [role="option"]').first()
      await parentOption.filter({ hasText: 'Space: Casa del Quartiere di San Salvario' }).waitFor()
      expect(await parentOption.textContent()).toContain('nearby, 0 m')
      await expectAccessible(page, 'the parent combobox (desktop)')
      await page.keyboard.press('ArrowDown')
      await page.keyboard.press('Enter')
      await page
        .getByTestId('parent-chosen')
        .filter({ hasText: 'Inside: Space Casa del Quartiere di San Salvario' })
        .waitFor()
    })
    const room = await read(selectedId(page))
    expect(room.properties.parentId).toBe(casa.id)
    expect(room.geometry).toEqual(casa.geometry)
    expect(room.properties.zoomLevel).toBe(14)

    // 5. Its thread, by keyboard: the post is stored.
    const body = 'Le prove del coro sono il martedì sera.'
    await tabTo(page, `#post-body-${room.id}`)
    await page.keyboard.type(body)
    await tabTo(page, '[data-testid="post-submit"]')
    await page.keyboard.press('Enter')
    await page.getByTestId('post-text').filter({ hasText: body }).waitFor()
    const posts = await (await fetch(`${served.baseUrl}/api/entities/${room.id}/posts`)).text()
    expect(posts).toContain(body)
    await expectAccessible(page, 'the detail with its post (desktop)')
    await screenshot(page, '60-keyboard-mapping-desktop')

    // 6. A cycle is the API's to refuse, and the editor says its words: the room cannot go inside its own
    // cupboard (put there beforehand, through the API).
    const cupboard = await callApi<{ id: string }>(
      served.baseUrl,
      members.desktop as Member,
      'POST',
      '/api/entities',
      {
        kind: 'space',
        title: 'Armadio della sala prove',
        geometry: room.geometry,
        parentId: room.id,
      },
    )
    await page.reload()
    await page.getByTestId('detail-title').filter({ hasText: 'Sala prove della Casa' }).waitFor()
    await tabTo(page, '[data-testid="edit"]')
    await page.keyboard.press('Enter')
    await page
      .getByTestId('parent-chosen')
      .filter({ hasText: 'Casa del Quartiere di San Salvario' })
      .waitFor()
    await tabTo(page, '#field-parent')
    await page.keyboard.type('armadio')
    await page
      .locator('#field-parent-list [role="option"]')
      .filter({ hasText: 'Armadio della sala prove' })
      .waitFor()
    await page.keyboard.press('Enter')
    await page.getByTestId('parent-chosen').filter({ hasText: 'Armadio della sala prove' }).waitFor()
    await tabTo(page, '[data-testid="editor-save"]')
    await page.keyboard.press('Enter')
    await page.getByTestId('editor-error').filter({ hasText: 'A thing cannot be inside itself.' }).waitFor()
    expect((await read(room.id)).properties.parentId).toBe(casa.id)
    expect((await read(cupboard.id)).properties.parentId).toBe(room.id)
    await expectAccessible(page, 'the refused parent (desktop)')
    await context.close()
  }, 300_000)

  it('places a point with the crosshair and an area corner by corner — on a phone', async () => {
    const context = await offlineContext(browser, served.baseUrl, { locale: 'it-IT', viewport: phone })
    const page = await context.newPage()
    await page.goto(`${served.baseUrl}/?c=7.69,45.07&z=16`)
    await page.locator('[data-basemap]').waitFor()
    await logIn(page, 'pia.phone@example.org')
    await page.getByTestId('user-name').filter({ hasText: 'Pia Phone' }).waitFor()

    // An area: the crosshair adds corners with Enter, Backspace takes the last back, Finish closes it.
    await tabTo(page, '[data-testid="add-polygon"]')
    await page.keyboard.press('Enter')
    await page.getByTestId('placing-tools').waitFor()
    await tabTo(page, '[data-testid="crosshair-start"]')
    await page.keyboard.press('Enter')
    await page.getByTestId('crosshair').waitFor()
    const readout = page.getByTestId('crosshair-readout')
    await readout.filter({ hasText: 'Centro 45.07000, 7.69000' }).waitFor()
    await expectAccessible(page, 'the crosshair (phone)')
    await page.keyboard.press('Enter')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Enter')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('Enter')
    await page.getByTestId('drawing-status').filter({ hasText: '(finora 4)' }).waitFor()
    await page.keyboard.press('Backspace')
    await page.getByTestId('drawing-status').filter({ hasText: '(finora 3)' }).waitFor()
    await tabTo(page, '[data-testid="draw-finish"]')
    await page.keyboard.press('Enter')
    await fillAndSave(page, 'Aiuola a tre angoli')
    const area = await read(selectedId(page))
    expect(area.geometry.type).toBe('Polygon')
    const ring = (area.geometry as { coordinates: number[][][] }).coordinates[0] as number[][]
    expect(ring).toHaveLength(4)
    expect(ring[0]).toEqual(ring[3])
    expect(Math.abs((ring[0]?.[0] as number) - 7.69)).toBeLessThan(1e-5)
    expect(Math.abs((ring[0]?.[1] as number) - 45.07)).toBeLessThan(1e-5)
    expect(area.properties.zoomLevel).toBe(14)
    await expectAccessible(page, 'the detail of the area (phone)')

    // A point by the name of a neighbourhood: Enter chooses the first result.
    await tabTo(page, '[data-testid="add-point"]')
    await page.keyboard.press('Enter')
    await tabTo(page, '#place-find')
    await page.keyboard.type('vanchiglia')
    await page.locator('#place-find-list [role="option"]').filter({ hasText: 'Vanchiglia' }).first().waitFor()
    await expectAccessible(page, 'the placing tools with results (phone)')
    await page.keyboard.press('Enter')
    await fillAndSave(page, 'Bacheca di Vanchiglia')
    const point = await read(selectedId(page))
    expect(point.geometry).toEqual({ type: 'Point', coordinates: [7.7, 45.072] })
    await screenshot(page, '61-keyboard-mapping-phone')
    await context.close()
  }, 300_000)
})
