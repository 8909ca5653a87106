import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  type ECDH,
  hkdfSync,
  randomBytes,
  verify,
} from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A push service in process, as a browser's would be, for the tests: it accepts web push requests (RFC 8030) at
 * `/push/<name>`, checks the VAPID Authorization header (RFC 8292: the JWT's ES256 signature with the `k` key,
 * the audience), and DECRYPTS each payload (RFC 8291, aes128gcm of RFC 8188) with the subscription's private key
 * the test generated, as a browser does. Each device can be told to answer another status (410: unsubscribed).
 */
export interface TestPushDevice {
  name: string
  /** What a browser's PushSubscription.toJSON() gives. */
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } }
  /** The subscription's ECDH private key (raw, base64url): for a browser test's fake PushManager. */
  privateKey: string
}

export interface ReceivedPush {
  device: string
  status: number
  /** The decrypted payload, parsed as JSON. */
  message: unknown
  headers: Record<string, string | string[] | undefined>
  vapidPublicKey: string
  audience: string
}

export interface TestPushEndpoint {
  url: string
  device(name: string): TestPushDevice
  /** The status a device's endpoint answers from now on (201 by default; 410 Gone, 404, 500…). */
  answer(name: string, status: number): void
  received: ReceivedPush[]
  /** Requests that could not be decrypted or verified: a test asserts there were none. */
  rejected: { device: string; reason: string }[]
  waitFor(predicate: (received: ReceivedPush[]) => boolean, timeoutMs?: number): Promise<ReceivedPush[]>
  close(): Promise<void>
}

interface DeviceState {
  ecdh: ECDH
  publicKey: Buffer
  auth: Buffer
  status: number
  info: TestPushDevice
}

export async function startPushEndpoint(): Promise<TestPushEndpoint> {
  const devices = new Map<string, DeviceState>()
  const received: ReceivedPush[] = []
  const rejected: { device: string; reason: string }[] = []
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const name = decodeURIComponent((request.url ?? '').replace(/^\/push\//, ''))
      const device = devices.get(name)
      if (!device || request.method !== 'POST') {
        response.writeHead(404).end()
        return
      }
      try {
        if (request.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm')
        if (!request.headers.ttl) throw new Error('no TTL header')
        const { publicKey, audience } = checkVapid(String(request.headers.authorization ?? ''))
        const plaintext = decrypt(Buffer.concat(chunks), device)
        received.push({
          device: name,
          status: device.status,
          message: JSON.parse(plaintext.toString('utf8')),
          headers: request.headers,
          vapidPublicKey: publicKey,
          audience,
        })
      } catch (error) {
        rejected.push({ device: name, reason: String(error) })
        response.writeHead(400).end()
        return
      }
      response.writeHead(device.status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    received,
    rejected,
    device(name) {
      const known = devices.get(name)
      if (known) return known.info
      const ecdh = createECDH('prime256v1')
      const publicKey = ecdh.generateKeys()
      const auth = randomBytes(16)
      const info: TestPushDevice = {
        name,
        subscription: {
          endpoint: `${url}/push/${encodeURIComponent(name)}`,
          keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') },
        },
        privateKey: ecdh.getPrivateKey().toString('base64url'),
      }
      devices.set(name, { ecdh, publicKey, auth, status: 201, info })
      return info
    },
    answer(name, status) {
      const device = devices.get(name)
      if (!device) throw new Error(`no test push device ${name}`)
      device.status = status
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      while (!predicate(received)) {
        if (Date.now() > deadline)
          throw new Error(`the push endpoint did not receive what was expected: ${JSON.stringify(received)}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      return received
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** RFC 8291 §3.4 and RFC 8188: one aes128gcm record, keyed from ECDH with the sender's key and the auth secret. */
function decrypt(body: Buffer, device: DeviceState): Buffer {
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const keyIdLength = body[20]!
  const senderPublicKey = body.subarray(21, 21 + keyIdLength)
  if (keyIdLength !== 65)
    throw new Error(`the keyid must be the sender's 65-byte public key, is ${keyIdLength}`)
  const record = body.subarray(21 + keyIdLength)
  if (record.length > recordSize) throw new Error('more than one record')
  const ecdhSecret = device.ecdh.computeSecret(senderPublicKey)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), device.publicKey, senderPublicKey])
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, device.auth, keyInfo, 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(record.subarray(record.length - 16))
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()])
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1
  while (end >= 0 && padded[end] === 0) end -= 1
  if (padded[end] !== 2) throw new Error('no last-record delimiter')
  return padded.subarray(0, end)
}

/** RFC 8292: `vapid t=<JWT>, k=<public key>`; the JWT is ES256-signed with k's private key. */
function checkVapid(header: string): { publicKey: string; audience: string } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header)
  if (!match) throw new Error(`not a VAPID Authorization header: ${header.slice(0, 40)}`)
  const [jwtText, k] = [match[1]!, match[2]!]
  const [head, claims, signature] = jwtText.split('.')
  if (!head || !claims || !signature) throw new Error('malformed JWT')
  const point = Buffer.from(k, 'base64url')
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  })
  const valid = verify(
    'sha256',
    Buffer.from(`${head}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  )
  if (!valid) throw new Error('the VAPID signature does not verify')
  const payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { aud: string }
  return { publicKey: k, audience: payload.aud }
}
