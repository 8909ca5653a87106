import type { AuthTokens, EntityFeature, Post, PushDevice, PushDeviceList } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { community } from '../community/helpers'
import { validEntityByKind } from '../support/fixtures'
import { startPushEndpoint, type TestPushEndpoint } from '../support/push-endpoint'
import { bearer, createTestApp, type TestApp, testPassword } from '../support/test-app'

/** The local push endpoint is http on 127.0.0.1: the rule that allows it is explicit, and only here. */
const pushEnv = {
  PUSH_ENDPOINT_HOSTS: '127.0.0.1',
  PUSH_ENDPOINT_HTTP: 'true',
  OUTBOX_POLL_INTERVAL_MS: '100',
}

let t: TestApp
let c: ReturnType<typeof community>
let endpoint: TestPushEndpoint
let author: AuthTokens
let follower: AuthTokens
let bystander: AuthTokens
let thing: EntityFeature

beforeAll(async () => {
  endpoint = await startPushEndpoint()
  t = await createTestApp(pushEnv)
  c = community(t)
  author = await t.signUp({ displayName: 'Autrice' })
  follower = await t.signUp({ displayName: 'Follower' })
  bystander = await t.signUp({ displayName: 'Bystander' })
  thing = await c.entity(author, { ...validEntityByKind.space, title: 'Orto di via Baltea' })
  await c.ok('PUT', `/api/entities/${thing.id}/subscription`, follower, undefined, 201)
})
afterAll(async () => {
  await t?.close()
  await endpoint?.close()
})

const subscribe = (who: AuthTokens, body: unknown) =>
  t.request({ method: 'POST', url: '/api/me/push-devices', headers: bearer(who), payload: body as object })
const devicesOf = async (who: AuthTokens) =>
  (
    await t.request({ method: 'GET', url: '/api/me/push-devices', headers: bearer(who) })
  ).json<PushDeviceList>().items

describe('web push', () => {
  it('gives the VAPID public key a browser subscribes with', async () => {
    const response = await t.request({ method: 'GET', url: '/api/push/public-key' })
    expect(response.statusCode).toBe(200)
    const key = Buffer.from(response.json<{ publicKey: string }>().publicKey, 'base64url')
    expect(key.length).toBe(65)
    expect(key[0]).toBe(4)
  })

  it('pushes a follower’s notification, encrypted, in their language, once committed', async () => {
    const device = endpoint.device('follower-phone')
    const created = await subscribe(follower, { ...device.subscription, label: 'Firefox on Android' })
    expect(created.statusCode, created.body).toBe(201)
    // The same browser again is the same device.
    expect((await subscribe(follower, device.subscription)).statusCode).toBe(200)
    expect((await devicesOf(follower)).map((d) => d.endpoint)).toEqual([device.subscription.endpoint])

    const post = await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, bystander, {
      body: 'Domenica si pianta il basilico',
    })
    const [push] = await endpoint.waitFor((all) => all.some((r) => r.device === 'follower-phone'))
    expect(endpoint.rejected).toEqual([])
    expect(push!.message).toEqual({
      title: 'Quartiere',
      body: 'Bystander ha scritto in Orto di via Baltea\n“Domenica si pianta il basilico”',
      url: `/?sel=${thing.id}`,
      tag: expect.any(String),
      lang: 'it',
    })
    const publicKey = (await t.request({ method: 'GET', url: '/api/push/public-key' })).json().publicKey
    expect(push!.vapidPublicKey).toBe(publicKey)
    expect(push!.audience).toBe(endpoint.url)
    expect(post.id).toBeTruthy()
  })

  it('speaks English to a member who chose it', async () => {
    const english = await t.signUp({ displayName: 'Emma' })
    const changed = await t.request({
      method: 'PATCH',
      url: '/api/me',
      headers: bearer(english),
      payload: { locale: 'en' },
    })
    expect(changed.statusCode, changed.body).toBe(200)
    await c.ok('PUT', `/api/entities/${thing.id}/subscription`, english, undefined, 201)
    const device = endpoint.device('emma-laptop')
    expect((await subscribe(english, device.subscription)).statusCode).toBe(201)
    await c.ok('POST', `/api/entities/${thing.id}/posts`, author, { body: 'Watering on Sunday' })
    const received = await endpoint.waitFor((all) => all.some((r) => r.device === 'emma-laptop'))
    expect(received.find((r) => r.device === 'emma-laptop')!.message).toMatchObject({
      body: 'Autrice wrote in Orto di via Baltea\n“Watering on Sunday”',
      lang: 'en',
    })
  })

  it('sends nothing to a member without a device, and one message per notification with two instances', async () => {
    const sibling = await t.sibling(pushEnv)
    const before = endpoint.received.length
    // The bystander has no device; the follower's phone gets this one, from either instance, once.
    await c.ok('POST', `/api/entities/${thing.id}/posts`, author, { body: 'Una sola volta' })
    await endpoint.waitFor((all) => all.length > before)
    await Promise.all([t.app.push.idle(), sibling.app.push.idle()])
    // A second notification after it: once it arrived, anything the first could have caused was sent too.
    await c.ok('POST', `/api/entities/${thing.id}/posts`, author, { body: 'Seconda' })
    await endpoint.waitFor((all) => all.some((r) => (r.message as { body: string }).body.includes('Seconda')))
    await Promise.all([t.app.push.idle(), sibling.app.push.idle()])
    const arrived = endpoint.received.slice(before)
    const bodies = arrived.map((r) => `${r.device}: ${(r.message as { body: string }).body.split('\n')[1]}`)
    expect(bodies.sort()).toEqual(
      [
        'emma-laptop: “Seconda”',
        'emma-laptop: “Una sola volta”',
        'follower-phone: “Seconda”',
        'follower-phone: “Una sola volta”',
      ].sort(),
    )
    expect(endpoint.rejected).toEqual([])
  })

  it('deletes a device the push service says is gone (410)', async () => {
    const device = endpoint.device('gone-tablet')
    const member = await t.signUp({ displayName: 'Gino' })
    await c.ok('PUT', `/api/entities/${thing.id}/subscription`, member, undefined, 201)
    expect((await subscribe(member, device.subscription)).statusCode).toBe(201)
    endpoint.answer('gone-tablet', 410)
    await c.ok('POST', `/api/entities/${thing.id}/posts`, author, { body: 'Chi c’è?' })
    await endpoint.waitFor((all) => all.some((r) => r.device === 'gone-tablet'))
    await t.app.push.idle()
    expect(await devicesOf(member)).toEqual([])
    // Another device of the follower still works.
    expect((await devicesOf(follower)).length).toBe(1)
  })

  it('keeps a device after a failure that may pass (500) and retries it', async () => {
    const device = endpoint.device('flaky')
    const member = await t.signUp({ displayName: 'Flavia' })
    await c.ok('PUT', `/api/entities/${thing.id}/subscription`, member, undefined, 201)
    expect((await subscribe(member, device.subscription)).statusCode).toBe(201)
    endpoint.answer('flaky', 503)
    await c.ok('POST', `/api/entities/${thing.id}/posts`, author, { body: 'Riprova' })
    await endpoint.waitFor((all) => all.some((r) => r.device === 'flaky'))
    endpoint.answer('flaky', 201)
    // The retry comes after pushSenderDefaults.retryDelaysMs[0].
    await endpoint.waitFor((all) => all.filter((r) => r.device === 'flaky').length >= 2, 20_000)
    expect((await devicesOf(member)).length).toBe(1)
  })

  it('refuses endpoints outside the rule, malformed keys and too many devices, storing nothing', async () => {
    const member = await t.signUp()
    const good = endpoint.device('rules').subscription
    const refused = [
      { ...good, endpoint: 'https://evil.example.org/push/1' },
      { ...good, endpoint: 'ftp://127.0.0.1/push/1' },
      { ...good, endpoint: 'not a url' },
      { ...good, keys: { ...good.keys, p256dh: Buffer.alloc(65, 4).toString('base64url').slice(0, 40) } },
      { ...good, keys: { ...good.keys, auth: Buffer.alloc(8).toString('base64url') } },
      { ...good, keys: { ...good.keys, p256dh: Buffer.alloc(65, 3).toString('base64url') } },
    ]
    for (const body of refused) {
      const response = await subscribe(member, body)
      expect(response.statusCode, JSON.stringify(body)).toBe(400)
      expect(response.headers['content-type']).toContain('application/problem+json')
    }
    expect((await subscribe(member, { ...good, extra: 1 })).statusCode).toBe(400)
    expect(await devicesOf(member)).toEqual([])

    // Without the test's rule (the defaults: known push services, https only) the local endpoint is refused.
    const strict = await t.sibling()
    const response = await strict.request({
      method: 'POST',
      url: '/api/me/push-devices',
      headers: bearer(member),
      payload: good,
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('invalid_push_subscription')

    for (let i = 0; i < 20; i++)
      expect((await subscribe(member, endpoint.device(`many-${i}`).subscription)).statusCode).toBe(201)
    const over = await subscribe(member, endpoint.device('many-20').subscription)
    expect(over.statusCode).toBe(409)
    expect(over.json().code).toBe('push_devices_limit')
    expect((await devicesOf(member)).length).toBe(20)
  })

  it('turns a device off for its owner only', async () => {
    const member = await t.signUp()
    const created = (await subscribe(member, endpoint.device('mine').subscription)).json<PushDevice>()
    const other = await t.request({
      method: 'DELETE',
      url: `/api/me/push-devices/${created.id}`,
      headers: bearer(bystander),
    })
    expect(other.statusCode).toBe(404)
    expect((await devicesOf(member)).length).toBe(1)
    const mine = await t.request({
      method: 'DELETE',
      url: `/api/me/push-devices/${created.id}`,
      headers: bearer(member),
    })
    expect(mine.statusCode).toBe(204)
    expect(await devicesOf(member)).toEqual([])
  })

  it('lists devices in the personal-data export, and erasure removes them', async () => {
    const member = await t.signUp()
    const device = endpoint.device('erased')
    expect((await subscribe(member, { ...device.subscription, label: 'Chromium' })).statusCode).toBe(201)
    const exported = await t.request({ method: 'GET', url: '/api/me/export', headers: bearer(member) })
    expect(exported.statusCode).toBe(200)
    expect(exported.json().pushDevices).toMatchObject([
      { endpoint: device.subscription.endpoint, label: 'Chromium', lastSentAt: null },
    ])
    const erased = await t.request({
      method: 'DELETE',
      url: '/api/me',
      headers: bearer(member),
      payload: { password: testPassword },
    })
    expect(erased.statusCode, erased.body).toBe(204)
    const rows = await t.database.db
      .selectFrom('push_subscriptions')
      .select('id')
      .where('endpoint', '=', device.subscription.endpoint)
      .execute()
    expect(rows).toEqual([])
  })
})
