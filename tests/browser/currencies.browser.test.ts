import type { Account, Currency } from '@quartiere/contracts'
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
  signedInContext,
} from './browser-support'

/**
 * The currencies page in a real Chromium. An issuer (the owner of a group: whoever owns or manages a group may
 * issue for it) logs in through the form, issues a coupon with a cap through the page, mints within the cap (a
 * mint past it is refused and said), issues a coin without a cap, gives a holder a credit line and sets the
 * coin's transfer caps, and sees the circulation move. A resident reads the coupon's terms from the wallet
 * before redeeming one; the issuer then sees it redeemed. A member who issues nothing is offered none of it,
 * and the API refuses them.
 */
describe('the currencies page', () => {
  let served: ServedApp
  let browser: Browser
  let issuerPage: Page
  let residentPage: Page
  let olga: Member
  let rita: Member
  const groupTitle = 'Casa del Quartiere San Salvario'

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    const base = served.baseUrl
    olga = await registerMember(base, 'Olga Issuer')
    rita = await registerMember(base, 'Rita Resident')
    // The precondition, not the flow under test: Olga owns a group (its creator is its owner).
    await callApi(base, olga, 'POST', '/api/entities', {
      kind: 'group',
      title: groupTitle,
      geometry: { type: 'Point', coordinates: [7.681, 45.054] },
      properties: { membership: 'open' },
    })
    browser = await launchChromium()
    issuerPage = await (await offlineContext(browser, base, { locale: 'en-GB' })).newPage()
    residentPage = await (
      await signedInContext(browser, base, rita, {
        locale: 'it-IT',
        viewport: { width: 390, height: 844 },
      })
    ).newPage()
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  const currency = (code: string) =>
    callApi<Currency>(served.baseUrl, olga, 'GET', `/api/ledger/currencies/${code}`)

  it('an issuer issues a coupon, mints within its cap and is refused past it', async () => {
    const page = issuerPage
    await page.goto(served.baseUrl)
    await page.getByTestId('login').click()
    await page.locator('#auth-email').fill('olga.issuer@example.org')
    await page.locator('#auth-password').fill('correct horse battery staple')
    await page.getByTestId('auth-submit').click()
    await page.getByTestId('user-name').filter({ hasText: 'Olga Issuer' }).waitFor()

    await page.getByTestId('nav-currencies').click()
    await page.locator('#currencies-page-title').filter({ hasText: 'Currencies' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/currencies')

    await page.getByTestId('issue-open').click()
    const form = page.getByTestId('issue-form')
    expect(await form.locator('#issue-group option').allTextContents()).toEqual([groupTitle])
    await form.getByLabel('Kind').selectOption('coupon')
    await form.getByLabel('Code').fill('CESTO')
    await form.getByLabel('Name').fill('Buono cesto')
    await form.getByLabel('Terms').fill('One coupon is one basket of vegetables, collected on Saturdays.')
    await form.getByLabel('Supply cap').fill('10')
    await form.getByTestId('issue-submit').click()
    await page.getByTestId('issue-message').filter({ hasText: 'Buono cesto (CESTO) is issued.' }).waitFor()

    await page.getByTestId('currency-summary-CESTO').click()
    const card = page.locator('[data-code="CESTO"]')
    await card.getByTestId('currency-cap').filter({ hasText: '10 CESTO' }).waitFor()
    await card.getByTestId('currency-issuer').filter({ hasText: groupTitle }).waitFor()
    await card.getByTestId('terms-text').filter({ hasText: 'one basket of vegetables' }).waitFor()
    await card.getByTestId('mint-remaining').filter({ hasText: 'Can still be issued: 10 CESTO' }).waitFor()

    await card.getByTestId('mint-member').fill('Rita')
    await card.getByRole('button', { name: 'Rita Resident' }).click()
    await card.getByTestId('mint-amount').fill('4')
    await card.getByTestId('mint-submit').click()
    await card.getByTestId('mint-message').filter({ hasText: '4 CESTO issued to Rita Resident.' }).waitFor()
    await card.getByTestId('circulation-minted').filter({ hasText: '4 CESTO' }).waitFor()
    await card.getByTestId('circulation-outstanding').filter({ hasText: '4 CESTO' }).waitFor()
    await card.getByTestId('mint-remaining').filter({ hasText: 'Can still be issued: 6 CESTO' }).waitFor()

    // Past the cap: refused, said in a sentence, nothing minted.
    await card.getByTestId('mint-amount').fill('7')
    await card.getByTestId('mint-submit').click()
    const refusal = card.getByTestId('mint-message').filter({ hasText: 'its cap is reached' })
    await refusal.waitFor()
    expect(await refusal.getAttribute('role')).toBe('alert')
    expect((await currency('CESTO')).supply).toMatchObject({ minted: '4', mintable: '6', cap: '10' })

    // A capped coupon gives no credit lines: its holders are listed without the form.
    await card.getByTestId('holder').filter({ hasText: 'Rita Resident' }).waitFor()
    expect(await card.getByTestId('credit-line-amount').count()).toBe(0)
    await expectAccessible(page, 'currencies page, issuer, desktop')
    await screenshot(page, '60-currencies-coupon-minted')
  })

  it('an issuer issues a coin without a cap, gives a credit line and sets transfer caps', async () => {
    const page = issuerPage
    const form = page.getByTestId('issue-form')
    await form.getByLabel('Kind').selectOption('coin')
    await form.getByLabel('Code').fill('ORTO')
    await form.getByLabel('Name').fill('Moneta dell’orto')
    await form.getByLabel('Terms').fill('Accepted at the garden kiosk.')
    await form.getByTestId('issue-submit').click()
    await page.getByTestId('issue-message').filter({ hasText: '(ORTO) is issued.' }).waitFor()
    await page.getByTestId('currency-summary-ORTO').click()
    const card = page.locator('[data-code="ORTO"]')
    await card.getByTestId('mint-remaining').filter({ hasText: 'No supply cap.' }).waitFor()
    await card.getByTestId('mint-member').fill('Rita')
    await card.getByRole('button', { name: 'Rita Resident' }).click()
    await card.getByTestId('mint-amount').fill('5,50')
    await card.getByTestId('mint-submit').click()
    await card.getByTestId('mint-message').filter({ hasText: '5.50 ORTO issued to Rita Resident.' }).waitFor()

    const holder = card.getByTestId('holder').filter({ hasText: 'Rita Resident' })
    await holder.getByTestId('holder-balance').filter({ hasText: '5.50 ORTO' }).waitFor()
    await holder.getByLabel('Credit line for Rita Resident').fill('20')
    await holder.getByTestId('credit-line-submit').click()
    await holder
      .getByTestId('credit-line-message')
      .filter({ hasText: 'Rita Resident may now go down to −20.00 ORTO.' })
      .waitFor()
    const accounts = await callApi<{ items: Account[] }>(served.baseUrl, rita, 'GET', '/api/ledger/accounts')
    expect(accounts.items.find((a) => a.currency === 'ORTO')?.lowerLimit).toBe('-20.00')

    await card.getByLabel('Most per transfer').fill('3')
    await card.getByTestId('caps-submit').click()
    await card.getByTestId('caps-message').filter({ hasText: 'The caps are saved.' }).waitFor()
    expect((await currency('ORTO')).caps).toEqual({
      transferAmountMax: '3.00',
      dailyAmountMax: null,
      dailyTransfersMax: null,
    })
    await card.getByText('3.00 ORTO').first().waitFor()

    // On a phone the page and its forms fit, and stay accessible.
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await card.getByTestId('caps-submit').isVisible()).toBe(true)
    await expectAccessible(page, 'currencies page, issuer, phone')
    await screenshot(page, '61-currencies-coin-phone')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('a resident reads a coupon’s terms from the wallet, then redeems; the issuer sees it redeemed', async () => {
    const page = residentPage
    await page.goto(`${served.baseUrl}/wallet`)
    await page.getByTestId('user-name').filter({ hasText: 'Rita Resident' }).waitFor()
    await page.getByTestId('currency-CESTO').click()
    const open = page.getByTestId('terms-open-CESTO')
    await open.click()
    const dialog = page.getByTestId('terms-dialog')
    await dialog.getByRole('heading', { name: 'Condizioni di Buono cesto' }).waitFor()
    await dialog.getByTestId('terms-text').filter({ hasText: 'one basket of vegetables' }).waitFor()
    await dialog.getByTestId('currency-issuer').filter({ hasText: groupTitle }).waitFor()
    await dialog.getByTestId('currency-kind').filter({ hasText: 'Buono' }).waitFor()
    await dialog.getByTestId('currency-cap').filter({ hasText: '10 CESTO' }).waitFor()
    await expectAccessible(page, 'terms dialog, phone')
    await screenshot(page, '62-terms-dialog-phone')
    // Escape closes it and gives the focus back to what opened it.
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect(await open.evaluate((element) => element === document.activeElement)).toBe(true)

    await page.locator('#redeem-amount').fill('1')
    await page.getByTestId('redeem-submit').click()
    await page.getByTestId('redeem-message').filter({ hasText: '1 CESTO' }).waitFor()

    const card = issuerPage.locator('[data-code="CESTO"]')
    await issuerPage.reload()
    await issuerPage.getByTestId('currency-summary-CESTO').click()
    await card.getByTestId('circulation-redeemed').filter({ hasText: '1 CESTO' }).waitFor()
    await card.getByTestId('circulation-outstanding').filter({ hasText: '3 CESTO' }).waitFor()
    expect((await currency('CESTO')).supply).toMatchObject({ minted: '4', redeemed: '1', supply: '3' })
  })

  it('a place’s manager opens a campaign from its panel and deposits; a resident backs it; the manager stops it', async () => {
    const base = served.baseUrl
    // Preconditions, not the flow: Olga's place on the map, and coins of her own to deposit.
    const space = await callApi<{ id: string }>(base, olga, 'POST', '/api/entities', {
      kind: 'space',
      title: 'Serra comune',
      geometry: { type: 'Point', coordinates: [7.682, 45.055] },
    })
    await callApi(
      base,
      olga,
      'POST',
      '/api/ledger/currencies/ORTO/mint',
      { to: { userId: olga.user.id }, amount: '20.00', memo: 'For deposits' },
      { 'idempotency-key': crypto.randomUUID() },
    )
    const page = issuerPage
    await page.goto(`${base}/?sel=${space.id}`)
    await page.getByTestId('open-campaign').click()
    const form = page.getByTestId('open-campaign-form')
    await form.getByLabel('Title').fill('A greenhouse for everyone')
    await form.getByLabel('Accepts').selectOption('TIME')
    await form.getByLabel('Gives back', { exact: true }).selectOption('ORTO')
    await form.getByLabel('For every').fill('2')
    await form.getByLabel('Gives back (given)').fill('1')
    // 6.00 TIME at 2 : 1 gives back 3.00 ORTO: within the 3.00 a transfer of ORTO may carry (set above).
    await form.getByLabel('Cap (most').fill('6')
    const ends = new Date(Date.now() + 30 * 86_400_000)
    const local = (date: Date) =>
      new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
    await form.getByLabel('Ends').fill(local(ends))
    await expectAccessible(page, 'open-a-campaign form, desktop')
    await form.getByTestId('open-campaign-submit').click()
    await form
      .getByTestId('open-campaign-message')
      .filter({ hasText: 'Campaign “A greenhouse for everyone” opened' })
      .waitFor()
    const card = page.getByTestId('campaign').filter({ hasText: 'A greenhouse for everyone' })
    await card.filter({ hasText: 'waiting for the deposit' }).waitFor()
    await card.getByTestId('campaign-deposit').filter({ hasText: '3.00 ORTO' }).click()
    await card.getByTestId('campaign-message').filter({ hasText: 'Deposit made' }).waitFor()
    const campaignId = (await card.getAttribute('data-campaign-id')) as string
    await screenshot(page, '63-campaign-opened-from-panel')

    // The resident backs it from the same panel; she is not offered to open one there.
    const resident = residentPage
    await resident.goto(`${base}/?sel=${space.id}`)
    const residentCard = resident.locator(`[data-campaign-id="${campaignId}"]`)
    await residentCard.getByTestId('pledge-amount').fill('4')
    await residentCard.getByTestId('pledge-submit').click()
    await residentCard.getByTestId('campaign-message').filter({ hasText: '4,00 TIME' }).waitFor()
    expect(await resident.getByTestId('open-campaign').count()).toBe(0)
    await expectAccessible(resident, 'place panel with a campaign, resident, phone')
    const refused = await fetch(`${base}/api/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rita.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        entityId: space.id,
        title: 'Not mine',
        acceptCurrency: 'TIME',
        giveCurrency: 'ORTO',
        ratio: { accept: '1.00', give: '1.00' },
        cap: '5.00',
        endsAt: ends.toISOString(),
      }),
    })
    expect(refused.status).toBe(403)

    // The manager stops it: the pledge is voided and the deposit returned.
    page.once('dialog', (dialog) => void dialog.accept())
    await card.getByRole('button', { name: 'Stop the campaign' }).click()
    await card.getByTestId('campaign-message').filter({ hasText: 'Campaign stopped.' }).waitFor()
    const stopped = await callApi<{ state: string; raised: string }>(
      base,
      olga,
      'GET',
      `/api/campaigns/${campaignId}`,
    )
    expect(stopped.state).toBe('stopped')
    const pledges = await callApi<{ items: { state: string }[] }>(
      base,
      rita,
      'GET',
      `/api/campaigns/${campaignId}/pledges`,
    )
    expect(pledges.items.map((pledge) => pledge.state)).toEqual(['voided'])
    const olgaAccounts = await callApi<{ items: Account[] }>(base, olga, 'GET', '/api/ledger/accounts')
    expect(olgaAccounts.items.find((a) => a.currency === 'ORTO' && a.owner.type === 'user')?.balance).toBe(
      '20.00',
    )
  })

  it('a member who issues nothing reads the terms and is offered no issuer’s tool; the API refuses them', async () => {
    const page = residentPage
    await page.goto(`${served.baseUrl}/currencies`)
    await page.locator('#currencies-page-title').filter({ hasText: 'Valute' }).waitFor()
    await page.getByTestId('currency-summary-ORTO').click()
    const card = page.locator('[data-code="ORTO"]')
    await card.getByTestId('terms-text').filter({ hasText: 'garden kiosk' }).waitFor()
    expect(await page.getByTestId('issue-open').count()).toBe(0)
    expect(await card.getByTestId('mint-form').count()).toBe(0)
    expect(await card.getByTestId('caps-form').count()).toBe(0)
    expect(await card.getByTestId('holders').count()).toBe(0)
    await expectAccessible(page, 'currencies page, resident, phone')
    const before = (await currency('ORTO')).supply.minted
    const response = await fetch(`${served.baseUrl}/api/ledger/currencies/ORTO/mint`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${rita.accessToken}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({ to: { userId: rita.user.id }, amount: '1.00', memo: 'self' }),
    })
    expect(response.status).toBe(403)
    expect((await currency('ORTO')).supply.minted).toBe(before)
  })
})
