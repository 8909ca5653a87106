import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type AuthTokens,
  type Comment,
  type CommentList,
  type EntityCollection,
  type EntityFeature,
  type Media,
  type MediaList,
  mediaAltTextLengthMax,
  type NotificationList,
  type Post,
  type PostList,
  type Report,
} from '@quartiere/contracts'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

/**
 * Photos described by their uploaders, everything reportable (photos too), reporters told what became of their
 * reports, authors told why their content was hidden, and the `can` of things, posts, comments and images: what
 * the caller may do, from the rules the API enforces.
 */

let t: TestApp
let c: ReturnType<typeof community>
let mediaDir: string
let author: AuthTokens
let other: AuthTokens
let moderator: AuthTokens
beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'quartiere-photos-'))
  t = await createTestApp({ MEDIA_DIR: mediaDir })
  c = community(t)
  author = await t.signUp()
  other = await t.signUp()
  moderator = await t.signUp({ as: 'moderator' })
})
afterAll(async () => {
  await t?.close()
  await rm(mediaDir, { recursive: true, force: true })
})

async function upload(tokens: AuthTokens, query: string) {
  const data = await sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 120, b: 200 } },
  })
    .png()
    .toBuffer()
  const boundary = `----quartiere${Math.random().toString(16).slice(2)}`
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return t.request({
    method: 'POST',
    url: `/api/media${query}`,
    headers: { ...bearer(tokens), 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  })
}

const thing = () => c.entity(author, validEntityByKind.space)
const notifications = async (tokens: AuthTokens) =>
  (await c.ok<NotificationList>('GET', '/api/notifications', tokens)).items

describe('alt text', () => {
  it('is written on upload, edited by the uploader alone, limited, and shown with the thing and the post', async () => {
    const place = await thing()
    const response = await upload(
      author,
      `?entityId=${place.id}&altText=${encodeURIComponent('Il cortile con le biciclette')}`,
    )
    expect(response.statusCode, response.body).toBe(201)
    const media = response.json<Media>()
    expect(media.altText).toBe('Il cortile con le biciclette')
    expect(media.can).toEqual({ edit: true, delete: true, report: false })

    const edited = await c.ok<Media>('PATCH', `/api/media/${media.id}`, author, { altText: 'Il cortile' })
    expect(edited.altText).toBe('Il cortile')
    const refused = await c.call('PATCH', `/api/media/${media.id}`, other, { altText: 'mio' })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('forbidden')
    const tooLong = await c.call('PATCH', `/api/media/${media.id}`, author, {
      altText: 'x'.repeat(mediaAltTextLengthMax + 1),
    })
    expect(tooLong.statusCode).toBe(400)
    expect((await upload(author, `?altText=${'x'.repeat(mediaAltTextLengthMax + 1)}`)).statusCode).toBe(400)
    const anonymousPatch = await c.call('PATCH', `/api/media/${media.id}`, undefined, { altText: 'x' })
    expect(anonymousPatch.statusCode).toBe(401)

    const seenByOther = (await c.ok<MediaList>('GET', `/api/entities/${place.id}/media`, other)).items
    expect(seenByOther).toEqual([
      expect.objectContaining({
        id: media.id,
        altText: 'Il cortile',
        can: { edit: false, delete: false, report: true },
      }),
    ])
    const seenByAnyone = (await c.ok<MediaList>('GET', `/api/entities/${place.id}/media`)).items
    expect(seenByAnyone[0]?.altText).toBe('Il cortile')
    expect(seenByAnyone[0]?.can).toBeUndefined()

    const own = (await upload(author, `?altText=${encodeURIComponent('Una panchina')}`)).json<Media>()
    const post = await c.ok<Post>('POST', `/api/entities/${place.id}/posts`, author, {
      body: 'foto',
      images: [own.id],
    })
    expect(post.images).toEqual([expect.objectContaining({ id: own.id, altText: 'Una panchina' })])
  })
})

describe('can', () => {
  it('says what each caller may do with a thing, its posts and comments, and is absent for anonymous readers and lists', async () => {
    const place = await thing()
    const get = (tokens?: AuthTokens) => c.ok<EntityFeature>('GET', `/api/entities/${place.id}`, tokens)
    expect((await get(author)).can).toEqual({ edit: true, delete: true, report: false, addPhoto: true })
    expect((await get(other)).can).toEqual({ edit: false, delete: false, report: true, addPhoto: false })
    expect((await get(moderator)).can).toEqual({ edit: true, delete: true, report: true, addPhoto: true })
    expect((await get()).can).toBeUndefined()
    const listed = await c.ok<EntityCollection>(
      'GET',
      `/api/entities?author=${place.properties.author.id}`,
      author,
    )
    expect(listed.features.every((feature) => feature.can === undefined)).toBe(true)
    // What `can` offers is what the API accepts: the other member's upload to the thing is refused.
    expect((await upload(other, `?entityId=${place.id}`)).statusCode).toBe(403)

    const post = await c.ok<Post>('POST', `/api/entities/${place.id}/posts`, author, { body: 'ciao' })
    expect(post.can).toEqual({ edit: true, delete: true, report: false })
    const comment = await c.ok<Comment>('POST', `/api/posts/${post.id}/comments`, other, {
      body: 'ciao a te',
    })
    expect(comment.can).toEqual({ edit: true, delete: true, report: false })

    const postsOf = async (tokens?: AuthTokens) =>
      (await c.ok<PostList>('GET', `/api/entities/${place.id}/posts`, tokens)).items[0]
    expect((await postsOf(other))?.can).toEqual({ edit: false, delete: false, report: true })
    expect((await postsOf(moderator))?.can).toEqual({ edit: false, delete: true, report: true })
    expect((await postsOf())?.can).toBeUndefined()
    const commentsOf = async (tokens?: AuthTokens) =>
      (await c.ok<CommentList>('GET', `/api/posts/${post.id}/comments`, tokens)).items[0]
    expect((await commentsOf(author))?.can).toEqual({ edit: false, delete: false, report: true })
    expect((await commentsOf(other))?.can).toEqual({ edit: true, delete: true, report: false })
    expect((await commentsOf())?.can).toBeUndefined()
    // And what it does not offer, the API refuses.
    expect((await c.call('DELETE', `/api/posts/${post.id}`, other)).statusCode).toBe(403)
  })
})

describe('reports', () => {
  it('take photos too; one cannot report one’s own; a second report is the first', async () => {
    const place = await thing()
    const photo = (await upload(author, `?entityId=${place.id}`)).json<Media>()
    const first = await c.ok<Report>('POST', '/api/reports', other, {
      targetType: 'media',
      targetId: photo.id,
      reason: 'privacy',
      details: 'si vede una targa',
    })
    const again = await c.ok<Report>(
      'POST',
      '/api/reports',
      other,
      { targetType: 'media', targetId: photo.id, reason: 'spam' },
      200,
    )
    expect(again.id).toBe(first.id)
    const own = await c.call('POST', '/api/reports', author, {
      targetType: 'entity',
      targetId: place.id,
      reason: 'spam',
    })
    expect(own.statusCode).toBe(403)
    expect(own.json().code).toBe('forbidden')
  })

  it('tell the reporter when moderators hide or dismiss, and the author why it was hidden', async () => {
    const place = await thing()
    await c.ok('POST', '/api/reports', other, { targetType: 'entity', targetId: place.id, reason: 'spam' })
    await c.ok(
      'POST',
      '/api/moderation/hide',
      moderator,
      {
        targetType: 'entity',
        targetId: place.id,
        reason: 'Pubblicità ripetuta',
      },
      200,
    )
    const told = (await notifications(other)).find(
      (n) => n.topic === 'moderation.report_actioned' && n.payload.targetId === place.id,
    )
    expect(told?.payload).toEqual({
      targetType: 'entity',
      targetId: place.id,
      excerpt: place.properties.title,
    })
    // The moderator's reason is for the author and moderators, not the reporter.
    expect(JSON.stringify(told)).not.toContain('Pubblicità')

    const seenByAuthor = await c.ok<EntityFeature>('GET', `/api/entities/${place.id}`, author)
    expect(seenByAuthor.properties.hidden).toBe(true)
    expect(seenByAuthor.properties.hiddenReason).toBe('Pubblicità ripetuta')
    expect((await c.call('GET', `/api/entities/${place.id}`, other)).statusCode).toBe(404)

    // Hidden posts and images say why to their author too.
    const open = await thing()
    const post = await c.ok<Post>('POST', `/api/entities/${open.id}/posts`, author, { body: 'brutto' })
    const photo = (await upload(author, `?entityId=${open.id}`)).json<Media>()
    for (const [targetType, targetId] of [
      ['post', post.id],
      ['media', photo.id],
    ] as const) {
      await c.ok(
        'POST',
        '/api/moderation/hide',
        moderator,
        {
          targetType,
          targetId,
          reason: `via ${targetType}`,
        },
        200,
      )
    }
    const posts = (await c.ok<PostList>('GET', `/api/entities/${open.id}/posts`, author)).items
    expect(posts[0]).toMatchObject({ hidden: true, hiddenReason: 'via post' })
    const media = (await c.ok<MediaList>('GET', `/api/entities/${open.id}/media`, author)).items
    expect(media[0]).toMatchObject({ hidden: true, hiddenReason: 'via media' })

    // A dismissed report is told too.
    const comment = await c.ok<Comment>('POST', `/api/entities/${open.id}/posts`, author, { body: 'ok' })
    const report = await c.ok<Report>('POST', '/api/reports', other, {
      targetType: 'post',
      targetId: comment.id,
      reason: 'other',
    })
    await c.ok('POST', `/api/moderation/reports/${report.id}/dismiss`, moderator, { reason: 'va bene' }, 200)
    const dismissed = (await notifications(other)).find(
      (n) => n.topic === 'moderation.report_dismissed' && n.payload.targetId === comment.id,
    )
    expect(dismissed?.payload).toMatchObject({ targetType: 'post', excerpt: 'ok' })
  })
})
