import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuthTokens, EntityFeature, Media, Post } from '@quartiere/contracts'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

let t: TestApp
let c: ReturnType<typeof community>
let mediaDir: string
let author: AuthTokens
let other: AuthTokens
let moderator: AuthTokens
const bytesMax = 512 * 1024
beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'quartiere-media-'))
  t = await createTestApp({
    MEDIA_DIR: mediaDir,
    MEDIA_BYTES_MAX: String(bytesMax),
    MEDIA_PIXELS_MAX: '25000000',
  })
  c = community(t)
  author = await t.signUp()
  other = await t.signUp()
  moderator = await t.signUp({ as: 'moderator' })
})
afterAll(async () => {
  await t?.close()
  await rm(mediaDir, { recursive: true, force: true })
})

function multipart(data: Buffer, filename: string, contentType: string) {
  const boundary = `----quartiere${Math.random().toString(16).slice(2)}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return {
    payload: Buffer.concat([head, data, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  }
}

async function upload(tokens: AuthTokens | undefined, data: Buffer, query = '', type = 'image/jpeg') {
  const body = multipart(data, 'photo.jpg', type)
  return t.request({
    method: 'POST',
    url: `/api/media${query}`,
    headers: { ...(tokens ? bearer(tokens) : {}), 'content-type': body.contentType },
    payload: body.payload,
  })
}

/** A photo as a phone takes it: with EXIF, including the GPS position where it was taken. */
async function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 2400, height: 1800, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'Phone', Model: 'Camera', Artist: 'Mario Rossi' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '45/1 4/1 1600/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '7/1 41/1 900/100',
      },
    })
    .toBuffer()
}

const storedFiles = async () =>
  (await readdir(mediaDir, { recursive: true })).filter((f) => f.endsWith('.webp'))

describe('image upload', () => {
  it('strips EXIF (GPS included), stores a display size and a thumbnail, and serves them with the right headers', async () => {
    const photo = await photoWithGps()
    expect((await sharp(photo).metadata()).exif).toBeDefined()
    const response = await upload(author, photo)
    expect(response.statusCode, response.body).toBe(201)
    const media = response.json() as Media
    expect(media).toMatchObject({
      contentType: 'image/webp',
      width: 1600,
      height: 1200,
      thumbnailWidth: 320,
      thumbnailHeight: 320,
    })

    // On the stored files themselves: no EXIF, no XMP, no IPTC.
    const files = (await storedFiles()).filter((f) => f.startsWith(media.id))
    expect(files.sort()).toEqual([`${media.id}/display.webp`, `${media.id}/thumb.webp`])
    for (const file of files) {
      const stored = await readFile(join(mediaDir, file))
      const metadata = await sharp(stored).metadata()
      expect(metadata.format).toBe('webp')
      expect(metadata.exif).toBeUndefined()
      expect(metadata.xmp).toBeUndefined()
      expect(metadata.iptc).toBeUndefined()
      expect(stored.includes(Buffer.from('Mario Rossi'))).toBe(false)
    }

    const served = await t.request({ method: 'GET', url: media.url })
    expect(served.statusCode).toBe(200)
    expect(served.headers['content-type']).toBe('image/webp')
    expect(served.headers['x-content-type-options']).toBe('nosniff')
    expect(served.headers['cache-control']).toContain('public')
    expect(Number(served.headers['content-length'])).toBe(media.bytes)
    expect((await sharp(served.rawPayload).metadata()).width).toBe(1600)
    const thumb = await t.request({ method: 'GET', url: media.thumbnailUrl })
    expect(thumb.statusCode).toBe(200)
    expect((await sharp(thumb.rawPayload).metadata()).width).toBe(320)
    const notModified = await t.request({
      method: 'GET',
      url: media.url,
      headers: { 'if-none-match': served.headers.etag as string },
    })
    expect(notModified.statusCode).toBe(304)
  })

  it('refuses non-images, SVG, oversize files and decompression bombs, storing nothing', async () => {
    const before = await storedFiles()
    const text = await upload(author, Buffer.from('this is not an image at all'), '', 'image/png')
    expect(text.statusCode).toBe(422)
    expect(text.json().code).toBe('not_an_image')
    const svg = await upload(
      author,
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
      ),
      '',
      'image/svg+xml',
    )
    expect(svg.statusCode).toBe(422)
    expect(['unsupported_image_type', 'not_an_image']).toContain(svg.json().code)
    // Random bytes do not compress: over the byte limit.
    const noise = await sharp(
      Buffer.alloc(600 * 600 * 3).map(() => Math.floor(Math.random() * 256)),
      {
        raw: { width: 600, height: 600, channels: 3 },
      },
    )
      .png({ compressionLevel: 0 })
      .toBuffer()
    expect(noise.length).toBeGreaterThan(bytesMax)
    const big = await upload(author, noise, '', 'image/png')
    expect(big.statusCode).toBe(413)
    expect(big.json().code).toBe('file_too_large')
    // A few kilobytes that claim 6,000 × 6,000 pixels: over the pixel limit, refused before decoding.
    const bomb = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#000' } })
      .greyscale()
      .png({ compressionLevel: 9 })
      .toBuffer()
    expect(bomb.length).toBeLessThan(bytesMax)
    const bombed = await upload(author, bomb, '', 'image/png')
    expect(bombed.statusCode).toBe(413)
    expect(bombed.json().code).toBe('image_too_large')
    const json = await c.call('POST', '/api/media', author, { file: 'x' })
    expect(json.statusCode).toBe(415)
    expect((await upload(undefined, await photoWithGps())).statusCode).toBe(401)
    expect(await storedFiles()).toEqual(before)
    const rows = await t.database.db.selectFrom('media').select('id').execute()
    expect(rows.length).toBe(before.length / 2)
  })

  it('attaches images to things their uploader may edit, and to their own posts only', async () => {
    const thing: EntityFeature = await c.entity(author, validEntityByKind.space)
    const small = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } })
      .png()
      .toBuffer()
    expect((await upload(other, small, `?entityId=${thing.id}`)).statusCode).toBe(403)
    const attached = await upload(author, small, `?entityId=${thing.id}`)
    expect(attached.statusCode).toBe(201)
    const media = attached.json() as Media
    expect(media).toMatchObject({ entityId: thing.id, width: 300, height: 200 })
    const list = await c.ok<{ items: Media[] }>('GET', `/api/entities/${thing.id}/media`)
    expect(list.items.map((m) => m.id)).toEqual([media.id])

    const post = await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, author, {
      body: 'foto',
      images: [media.id],
    })
    expect(post.images).toEqual([
      { id: media.id, url: media.url, thumbnailUrl: media.thumbnailUrl, width: 300, height: 200 },
    ])
    const stolen = await c.call('POST', `/api/entities/${thing.id}/posts`, other, {
      body: 'mia',
      images: [media.id],
    })
    expect(stolen.statusCode).toBe(422)

    // A hidden image is no longer served to others.
    await c.ok(
      'POST',
      '/api/moderation/hide',
      moderator,
      { targetType: 'media', targetId: media.id, reason: 'volto' },
      200,
    )
    expect((await t.request({ method: 'GET', url: media.url })).statusCode).toBe(404)
    expect((await c.ok<Post>('GET', `/api/posts/${post.id}`)).images).toEqual([])
    const own = await t.request({ method: 'GET', url: media.url, headers: bearer(author) })
    expect(own.statusCode).toBe(200)
    expect(own.headers['cache-control']).toBe('private, no-store')
  })
})
