import { randomUUID } from 'node:crypto'
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
} from './browser-support'

/**
 * The wallet for every currency in a real Chromium: a coin issued by a group (made through the API in the
 * setup) is sent between two members and both wallets update; a campaign is backed, withdrawn from and backed
 * past its cap, and its progress bar moves live in the owner's browser.
 */
describe('the wallet: community currencies and campaigns', () => {
  let served: ServedApp
  let browser: Browser
  let anna: Member
  let bruno: Member
  let pageA: Page
  let pageB: Page
  const code = 'ORTO'
  let campaignId = ''

  beforeAll(async () => {
    served = await serveApp({ seedDemo: false })
    const base = served.baseUrl
    anna = await registerMember(base, 'Anna Wallet')
    bruno = await registerMember(base, 'Bruno Wallet')
    const place = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] })
    const group = await callApi<{ id: string }>(base, anna, 'POST', '/api/entities', {
      kind: 'group',
      title: 'Orto di via Cigna',
      geometry: place(7.681, 45.081),
      properties: { membership: 'open' },
    })
    await callApi(base, anna, 'POST', '/api/ledger/currencies', {
      code,
      name: 'Moneta dell’orto',
      kind: 'coin',
      issuerGroupId: group.id,
      terms: 'Una moneta vale un cesto di verdura.',
    })
    await callApi(
      base,
      anna,
      'POST',
      `/api/ledger/currencies/${code}/mint`,
      { to: { userId: anna.user.id }, amount: '20.00', memo: 'Emissione' },
      { 'idempotency-key': randomUUID() },
    )
    // A piggy bank on a place of the group: accepts time credits, gives back coins, 2.00 : 1.00, up to 8.00.
    const space = await callApi<{ id: string }>(base, anna, 'POST', '/api/entities', {
      kind: 'space',
      title: 'Serra comune',
      geometry: place(7.682, 45.082),
    })
    const campaign = await callApi<{ id: string }>(base, anna, 'POST', '/api/campaigns', {
      entityId: space.id,
      title: 'Una serra per tutti',
      acceptCurrency: 'TIME',
      giveCurrency: code,
      ratio: { accept: '2.00', give: '1.00' },
      cap: '8.00',
      endsAt: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
    })
    campaignId = campaign.id
    await callApi(base, anna, 'POST', `/api/campaigns/${campaignId}/deposit`, {})
    ;({ browser, pageA, pageB } = await openTwoBrowsers(base, [anna, bruno]))
  }, 240_000)

  afterAll(() => closeBrowserTest(browser, served))

  it('sends an issued coin between two members and both wallets update', async () => {
    await pageA.goto(`${served.baseUrl}/wallet`)
    await pageB.goto(`${served.baseUrl}/wallet`)
    // 20.00 minted, 4.00 deposited into the campaign's reserve.
    await pageA.getByTestId(`balance-${code}`).filter({ hasText: '16,00' }).waitFor()
    await pageB.getByTestId('balance').filter({ hasText: '0.00 TIME' }).waitFor()
    await pageA.getByTestId('send-currency').selectOption(code)
    await pageA.locator('#send-to').fill('Bruno')
    await pageA.getByRole('button', { name: 'Bruno Wallet' }).click()
    await pageA.locator('#send-amount').fill('5.001')
    await pageA.getByTestId('send-submit').click()
    // Three decimals for a two-decimal coin: said in the sender's language, nothing sent.
    await pageA.getByTestId('send-message').filter({ hasText: '2 decimali' }).waitFor()
    await pageA.locator('#send-amount').fill('5')
    await pageA.locator('#send-memo').fill('Per le piantine')
    await pageA.getByTestId('send-submit').click()
    await pageA.getByTestId('send-message').filter({ hasText: 'Bruno Wallet' }).waitFor()
    await pageA.getByTestId(`balance-${code}`).filter({ hasText: '11,00' }).waitFor()
    // The receiver's wallet shows the new currency live, without a reload.
    await pageB.getByTestId(`balance-${code}`).filter({ hasText: '5.00 ORTO' }).waitFor({ timeout: 20_000 })
    await pageB.getByTestId(`currency-${code}`).click()
    await pageB.getByTestId('statement').filter({ hasText: 'Per le piantine' }).waitFor()
    await screenshot(pageA, '20-wallet-coin-sender')
    await screenshot(pageB, '21-wallet-coin-receiver')
  })

  it('backs a campaign; its progress moves live in the owner’s browser; a pledge past the cap is cut', async () => {
    const cardB = pageB.locator(`[data-campaign-id="${campaignId}"]`)
    const progressA = pageA.locator(`[data-campaign-id="${campaignId}"] [data-testid="campaign-progress"]`)
    await expect(progressA.getAttribute('aria-valuenow')).resolves.toBe('0')
    // The owner cannot back their own campaign: no form for them.
    expect(
      await pageA.locator(`[data-campaign-id="${campaignId}"] [data-testid="pledge-form"]`).count(),
    ).toBe(0)

    await cardB.getByTestId('pledge-amount').fill('3')
    await cardB.getByTestId('pledge-submit').click()
    await cardB.getByTestId('campaign-message').filter({ hasText: 'steps of 2.00 TIME' }).waitFor()

    await cardB.getByTestId('pledge-amount').fill('4')
    await cardB.getByTestId('pledge-submit').click()
    await cardB.getByTestId('campaign-message').filter({ hasText: '4.00 TIME is held' }).waitFor()
    await pageA
      .locator(`[data-campaign-id="${campaignId}"] [aria-valuenow="50"]`)
      .waitFor({ timeout: 20_000 })
    await screenshot(pageA, '22-campaign-half-live')

    // Withdrawn: the owner's bar goes back.
    await cardB.getByTestId('pledge-withdraw').click()
    await cardB.getByTestId('campaign-message').filter({ hasText: 'withdrawn' }).waitFor()
    await pageA.locator(`[data-campaign-id="${campaignId}"] [aria-valuenow="0"]`).waitFor({ timeout: 20_000 })

    await cardB.getByTestId('pledge-amount').fill('4')
    await cardB.getByTestId('pledge-submit').click()
    await cardB.getByTestId('campaign-message').filter({ hasText: '4.00 TIME is held' }).waitFor()
    // 6.00 offered with 4.00 left under the cap: the API takes 4.00, and the campaign is funded.
    await cardB.getByTestId('pledge-amount').fill('6')
    await cardB.getByTestId('pledge-submit').click()
    await cardB.getByTestId('campaign-message').filter({ hasText: '4.00 TIME of the 6.00 TIME' }).waitFor()
    await pageA
      .locator(`[data-campaign-id="${campaignId}"] [aria-valuenow="100"]`)
      .waitFor({ timeout: 20_000 })
    await pageA.locator(`[data-campaign-id="${campaignId}"]`).filter({ hasText: 'finanziata' }).waitFor()
    // The payout: 8.00 TIME at 2.00 : 1.00 gives back 4.00 coins, on top of the 5.00 received.
    await pageB.getByTestId(`balance-${code}`).filter({ hasText: '9.00 ORTO' }).waitFor({ timeout: 20_000 })
    await screenshot(pageA, '23-campaign-funded-owner')
    await screenshot(pageB, '24-campaign-funded-backer')
  })

  it('redeems a coupon with the group that issued it', async () => {
    const groups = await callApi<{ features: { id: string }[] }>(
      served.baseUrl,
      anna,
      'GET',
      `/api/entities?kinds=group&author=${anna.user.id}`,
    )
    await callApi(served.baseUrl, anna, 'POST', '/api/ledger/currencies', {
      code: 'CESTO',
      name: 'Buono cesto',
      kind: 'coupon',
      issuerGroupId: groups.features[0]?.id,
      terms: 'Un buono vale un cesto di verdura, ritirato il sabato.',
    })
    await callApi(
      served.baseUrl,
      anna,
      'POST',
      '/api/ledger/currencies/CESTO/mint',
      { to: { userId: bruno.user.id }, amount: '3', memo: 'Premio volontari' },
      { 'idempotency-key': randomUUID() },
    )
    // The mint reaches Bruno's open wallet live; the new currency is read and offers redemption.
    await pageB.getByTestId('balance-CESTO').filter({ hasText: '3 CESTO' }).waitFor({ timeout: 20_000 })
    await pageB.getByTestId('currency-CESTO').click()
    await pageB.locator('#redeem-amount').fill('1.5')
    await pageB.getByTestId('redeem-submit').click()
    await pageB.getByTestId('redeem-message').filter({ hasText: 'at most 0 decimals' }).waitFor()
    await pageB.locator('#redeem-amount').fill('1')
    await pageB.getByTestId('redeem-submit').click()
    await pageB.getByTestId('redeem-message').filter({ hasText: 'Redeemed 1 CESTO' }).waitFor()
    await pageB.getByTestId('balance-CESTO').filter({ hasText: '2 CESTO' }).waitFor()
    await screenshot(pageB, '25-coupon-redeemed')
  })
})
