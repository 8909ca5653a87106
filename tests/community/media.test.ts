import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuthTokens, EntityFeature, Media, Pact, Post } from '@quartiere/contracts'
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
      {
        id: media.id,
        url: media.url,
        thumbnailUrl: media.thumbnailUrl,
        width: 300,
        height: 200,
        altText: '',
      },
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

describe('deleting an image', () => {
  const small = () =>
    sharp({ create: { width: 200, height: 100, channels: 3, background: '#996633' } })
      .png()
      .toBuffer()
  async function uploaded(tokens: AuthTokens, query = ''): Promise<Media> {
    const response = await upload(tokens, await small(), query)
    expect(response.statusCode, response.body).toBe(201)
    return response.json() as Media
  }
  const filesOf = async (media: Media) => (await storedFiles()).filter((f) => f.startsWith(media.id))

  it('by its uploader: its files go, and the thing, the posts and the pact documents that showed it let go', async () => {
    const thing = await c.entity(author, { ...validEntityByKind.space, title: 'Cortile' })
    const gone = await uploaded(author, `?entityId=${thing.id}`)
    const kept = await uploaded(author, `?entityId=${thing.id}`)
    expect(await filesOf(gone)).toHaveLength(2)
    const post = await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, author, {
      body: 'prima e dopo',
      images: [gone.id, kept.id],
    })
    const pact = await c.ok<Pact>('POST', '/api/pacts', author, {
      title: 'Patto del cortile',
      geometry: validEntityByKind.project.geometry,
    })
    await c.ok('POST', `/api/pacts/${pact.id}/documents`, author, { title: 'Foto', mediaId: gone.id })
    await c.ok('POST', `/api/pacts/${pact.id}/documents`, author, {
      title: 'Verbale',
      url: 'https://example.org/verbale.pdf',
      mediaId: gone.id,
    })

    // Others may not; an unknown image is not there.
    expect((await c.call('DELETE', gone.url)).statusCode).toBe(401)
    const refused = await c.call('DELETE', gone.url, other)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('forbidden')
    expect((await c.call('DELETE', `/api/media/${crypto.randomUUID()}`, author)).statusCode).toBe(404)
    expect(await filesOf(gone)).toHaveLength(2)

    expect((await c.call('DELETE', gone.url, author)).statusCode).toBe(204)
    // Every variant is gone from the store, and nothing serves it any more.
    expect(await filesOf(gone)).toEqual([])
    expect(await filesOf(kept)).toHaveLength(2)
    expect((await t.request({ method: 'GET', url: gone.url })).statusCode).toBe(404)
    expect((await t.request({ method: 'GET', url: gone.thumbnailUrl })).statusCode).toBe(404)
    const listed = await c.ok<{ items: Media[] }>('GET', `/api/entities/${thing.id}/media`)
    expect(listed.items.map((m) => m.id)).toEqual([kept.id])
    const after = await c.ok<Post>('GET', `/api/posts/${post.id}`)
    expect(after.images.map((i) => i.id)).toEqual([kept.id])
    expect(after.version).toBe(post.version + 1)
    const stored = await t.database.db
      .selectFrom('posts')
      .select('media_ids')
      .where('id', '=', post.id)
      .executeTakeFirstOrThrow()
    expect(stored.media_ids).toEqual([kept.id])
    const documents = (await c.ok<Pact>('GET', `/api/pacts/${pact.id}`)).documents
    expect(documents.map((d) => [d.title, d.url, d.mediaId])).toEqual([
      ['Verbale', 'https://example.org/verbale.pdf', null],
    ])
    // Live walls hear of the post's new version.
    const events = await t.database.db
      .selectFrom('events_outbox')
      .select('payload')
      .where('topic', '=', 'post.updated')
      .where('entity_id', '=', thing.id)
      .execute()
    expect(events.map((e) => (e.payload as Post).images.map((i) => i.id))).toContainEqual([kept.id])
    // Gone is gone: a second delete, or posting it again, finds nothing.
    expect((await c.call('DELETE', gone.url, author)).statusCode).toBe(404)
    const reused = await c.call('POST', `/api/entities/${thing.id}/posts`, author, {
      body: 'di nuovo',
      images: [gone.id],
    })
    expect(reused.statusCode).toBe(422)
    expect(reused.json().code).toBe('invalid_media')
  })

  it('by a moderator, anyone’s; a hidden image is not there for others, and its uploader still deletes it', async () => {
    const flagged = await uploaded(other)
    expect((await c.call('DELETE', flagged.url, moderator)).statusCode).toBe(204)
    expect(await filesOf(flagged)).toEqual([])

    const hidden = await uploaded(author)
    await c.ok(
      'POST',
      '/api/moderation/hide',
      moderator,
      { targetType: 'media', targetId: hidden.id, reason: 'volto' },
      200,
    )
    expect((await c.call('DELETE', hidden.url, other)).statusCode).toBe(404)
    expect(await filesOf(hidden)).toHaveLength(2)
    expect((await c.call('DELETE', hidden.url, author)).statusCode).toBe(204)
    expect(await filesOf(hidden)).toEqual([])
    const rows = await t.database.db
      .selectFrom('media')
      .select(['id', 'deleted_at'])
      .where('id', 'in', [flagged.id, hidden.id])
      .execute()
    expect(rows.every((row) => row.deleted_at !== null)).toBe(true)
  })
})
