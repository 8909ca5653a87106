import type { PushDeviceList } from '@quartiere/contracts'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { startPushEndpoint, type TestPushDevice, type TestPushEndpoint } from '../support/push-endpoint'
import { expectAccessible } from './accessibility'
import {
  callApi,
  closeBrowserTest,
  launchChromium,
  type Member,
  registerMember,
  type ServedApp,
  serveApp,
  signedInContext,
} from './browser-support'

/**
 * "Notifications on this device" in a real Chromium. Headless Chromium cannot reach a push service, so the page's
 * PushManager is replaced (an init script) by one whose subscription points at the test's own push endpoint,
 * with keys the test generated: everything else is real — the permission, the account page, the API, the sender
 * after commit, VAPID and RFC 8291 encryption, which the endpoint verifies and decrypts.
 */
let served: ServedApp
let browser: Browser
let endpoint: TestPushEndpoint
let base: string
let lucia: Member
let marco: Member
let thingId: string

beforeAll(async () => {
  endpoint = await startPushEndpoint()
  served = await serveApp({
    seedDemo: false,
    // The local endpoint is http on 127.0.0.1: allowed here only, by the explicit endpoint rule.
    env: { PUSH_ENDPOINT_HOSTS: '127.0.0.1', PUSH_ENDPOINT_HTTP: 'true', OUTBOX_POLL_INTERVAL_MS: '100' },
  })
  base = served.baseUrl
  lucia = await registerMember(base, 'Lucia Notifiche')
  marco = await registerMember(base, 'Marco Scrive')
  thingId = (
    await callApi<{ id: string }>(base, marco, 'POST', '/api/entities', {
      ...validEntityByKind.space,
      title: 'Orto di via Baltea',
    })
  ).id
  // She follows the thing (following has tests of its own): what Marco posts there reaches her inbox.
  await callApi(base, lucia, 'PUT', `/api/entities/${thingId}/subscription`)
  browser = await launchChromium()
}, 300_000)
afterAll(async () => {
  await closeBrowserTest(browser, served)
  await endpoint?.close()
})

/** The PushManager of the page, as a browser's with a push service would be, subscribing `device`. */
async function fakePushManager(context: BrowserContext, device: TestPushDevice) {
  await context.addInitScript((subscription: TestPushDevice['subscription']) => {
    const stateKey = '__test_push_subscription'
    const asBytes = (text: string) =>
      Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (char) => char.charCodeAt(0))
    const make = (applicationServerKey: string) => ({
      endpoint: subscription.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: asBytes(applicationServerKey).buffer },
      getKey: (name: 'p256dh' | 'auth') => asBytes(subscription.keys[name]).buffer,
      toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
      unsubscribe: async () => {
        localStorage.removeItem(stateKey)
        return true
      },
    })
    const stored = () => localStorage.getItem(stateKey)
    PushManager.prototype.getSubscription = async () => {
      const key = stored()
      return (key === null ? null : make(key)) as unknown as PushSubscription
    }
    PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
      if (Notification.permission !== 'granted') throw new DOMException('no permission', 'NotAllowedError')
      const key = options?.applicationServerKey
      if (!(key instanceof Uint8Array) || options?.userVisibleOnly !== true)
        throw new DOMException('a Uint8Array applicationServerKey and userVisibleOnly are required')
      const text = btoa(String.fromCharCode(...Array.from(key as Uint8Array)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '')
      localStorage.setItem(stateKey, text)
      return make(text) as unknown as PushSubscription
    }
  }, device.subscription)
}

const devicesOf = (member: Member) => callApi<PushDeviceList>(base, member, 'GET', '/api/me/push-devices')

async function openAccount(page: Page) {
  await page.goto(base)
  await page.getByTestId('user-name').click()
  await page.getByTestId('account-push').waitFor()
}

describe('notifications on this device', () => {
  it('turns push on from the account page, receives a follower’s notification, and turns it off', {
    timeout: 180_000,
  }, async () => {
    // Another browser of hers already has notifications on: it is listed, and can be turned off from here.
    const laptop = endpoint.device('lucia-laptop')
    await callApi(base, lucia, 'POST', '/api/me/push-devices', {
      ...laptop.subscription,
      label: 'Firefox su Windows',
    })

    const phone = endpoint.device('lucia-browser')
    const context = await signedInContext(browser, base, lucia, { locale: 'it-IT' })
    await context.grantPermissions(['notifications'], { origin: base })
    await fakePushManager(context, phone)
    const page = await context.newPage()
    await openAccount(page)
    const section = page.getByTestId('account-push')
    await section.getByRole('heading', { name: 'Notifiche su questo dispositivo' }).waitFor()
    await page.getByTestId('account-push-state').filter({ hasText: 'disattivate' }).waitFor()
    await section.getByText('Firefox su Windows').waitFor()
    await expectAccessible(page, 'notifications on this device, desktop, off')

    await page.getByTestId('account-push-on').click()
    await page.getByTestId('account-push-message').filter({ hasText: 'Fatto' }).waitFor()
    await page.locator('[data-testid="account-push-state"][data-state="on"]').waitFor()
    // Subscribed with the server's VAPID key, and the subscription is what the API now holds for her.
    const { publicKey } = await callApi<{ publicKey: string }>(base, lucia, 'GET', '/api/push/public-key')
    expect(await page.evaluate(() => localStorage.getItem('__test_push_subscription'))).toBe(publicKey)
    const devices = (await devicesOf(lucia)).items
    expect(devices.map((device) => device.endpoint).sort()).toEqual(
      [laptop.subscription.endpoint, phone.subscription.endpoint].sort(),
    )
    expect(devices.find((device) => device.endpoint === phone.subscription.endpoint)?.label).toBe(
      'Chrome su Linux',
    )
    await expectAccessible(page, 'notifications on this device, desktop, on')

    // Marco posts on the thing she follows: her browser gets it, encrypted for its keys, in Italian.
    await callApi(base, marco, 'POST', `/api/entities/${thingId}/posts`, {
      body: 'Sabato si pianta il basilico',
    })
    const received = await endpoint.waitFor(
      (all) => all.some((push) => push.device === 'lucia-browser'),
      30_000,
    )
    expect(endpoint.rejected).toEqual([])
    expect(received.find((push) => push.device === 'lucia-browser')?.message).toMatchObject({
      title: 'Quartiere',
      body: 'Marco Scrive ha scritto in Orto di via Baltea\n“Sabato si pianta il basilico”',
      url: `/?sel=${thingId}`,
      lang: 'it',
    })

    // On a phone the section reads as well.
    await page.setViewportSize({ width: 390, height: 844 })
    await section.scrollIntoViewIfNeeded()
    await expectAccessible(page, 'notifications on this device, phone')
    await page.setViewportSize({ width: 1280, height: 800 })

    // The laptop is turned off from here.
    await section.getByRole('button', { name: 'Disattiva le notifiche su Firefox su Windows' }).click()
    await page.getByTestId('account-push-message').filter({ hasText: 'Firefox su Windows' }).waitFor()
    await section.getByText('Nessun altro tuo dispositivo').waitFor()

    // And this browser too: the API lists no device of hers, and the browser is unsubscribed.
    await page.getByTestId('account-push-off').click()
    await page.locator('[data-testid="account-push-state"][data-state="off"]').waitFor()
    expect((await devicesOf(lucia)).items).toEqual([])
    expect(await page.evaluate(() => localStorage.getItem('__test_push_subscription'))).toBeNull()
    await context.close()
  })

  it('says so where the browser cannot receive push', { timeout: 60_000 }, async () => {
    const context = await signedInContext(browser, base, lucia, { locale: 'it-IT' })
    await context.addInitScript(() => {
      // A browser without the Push API (as iOS Safari outside an installed app).
      delete (window as { PushManager?: unknown }).PushManager
    })
    const page = await context.newPage()
    await openAccount(page)
    await page.getByTestId('account-push-unsupported').filter({ hasText: 'schermata Home' }).waitFor()
    expect(await page.getByTestId('account-push-on').count()).toBe(0)
    await context.close()
  })
})
