import { realtimeCloseCodes } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectFeed, helloFeed, waitMsMax } from '../realtime/ws-client'
import { bearer, createTestApp, type TestApp, testPassword } from '../support/test-app'

/**
 * After `DELETE /api/me` the live feed forgets the member too: their open sockets are closed, and a hello with
 * one of their still-unexpired access tokens is refused, as the HTTP routes refuse it.
 */
describe('erasure and the live feed', () => {
  let t: TestApp
  let url: string
  beforeAll(async () => {
    t = await createTestApp()
    await t.app.fastify.listen({ port: 0, host: '127.0.0.1' })
    const address = t.app.fastify.server.address()
    if (!address || typeof address === 'string') throw new Error('no port')
    url = `ws://127.0.0.1:${address.port}/ws`
  })
  afterAll(async () => {
    await t?.close()
  })

  it('closes the erased member’s sockets and refuses their token afterwards', async () => {
    const leaving = await t.signUp()
    const staying = await t.signUp()
    const theirs = await connectFeed(url)
    const welcome = await helloFeed(theirs, { token: leaving.accessToken })
    expect(welcome.userId).toBe(leaving.user.id)
    const others = await connectFeed(url)
    await helloFeed(others, { token: staying.accessToken })

    const erased = await t.request({
      method: 'DELETE',
      url: '/api/me',
      headers: bearer(leaving),
      payload: { password: testPassword },
    })
    expect(erased.statusCode, erased.body).toBe(204)
    const closed = await Promise.race([
      theirs.closed,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), waitMsMax)),
    ])
    expect(closed?.code).toBe(realtimeCloseCodes.unauthorized)
    // Another member's socket is untouched.
    others.send({ type: 'ping' })
    expect((await others.next((m) => m.type === 'pong')).type).toBe('pong')

    const again = await connectFeed(url)
    again.send({ type: 'hello', token: leaving.accessToken })
    const refused = await again.next((m) => m.type === 'error')
    expect(refused).toMatchObject({ type: 'error', code: 'unauthorized' })
    expect((await again.closed).code).toBe(realtimeCloseCodes.unauthorized)
    await others.close()
  })
})
