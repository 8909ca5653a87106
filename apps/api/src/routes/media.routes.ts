import { randomUUID } from 'node:crypto'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, Media, MediaList, MediaPatchBody, MediaUploadQuery } from '@quartiere/contracts'
import {
  checkMediaTarget,
  deleteMedia,
  describeMedia,
  findMedia,
  listEntityMedia,
  mediaPageSizeMax,
  recordMedia,
} from '@quartiere/map'
import {
  createProcessingGate,
  type ImageLimits,
  imageLimitsDefault,
  LocalDiskMediaStore,
  type MediaStore,
  processImage,
  storedContentType,
  storedExtension,
} from '@quartiere/media'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { communityProblem, imageProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

/** How long clients and proxies may keep a public image: a day, so a hidden image stops spreading soon. */
export const mediaCacheSeconds = 86_400

const variants = {
  display: `display.${storedExtension}`,
  thumbnail: `thumb.${storedExtension}`,
} as const

export function mediaRoutes(
  { config, database }: RouteContext,
  store: MediaStore = new LocalDiskMediaStore(config.community.mediaDir),
): FastifyPluginAsyncTypebox {
  const { db } = database
  const limits: ImageLimits = {
    ...imageLimitsDefault,
    bytesMax: config.community.mediaBytesMax,
    pixelsMax: config.community.mediaPixelsMax,
  }
  const gate = createProcessingGate(config.community.mediaProcessingConcurrency)
  return async (app) => {
    // Registered in this plugin only: no other route takes multipart bodies. One file per request.
    await app.register(multipart, {
      limits: { fileSize: limits.bytesMax, files: 1, fields: 0, parts: 1, headerPairs: 50 },
    })

    app.post(
      '/api/media',
      {
        schema: {
          tags: ['media'],
          summary:
            'Upload an image (multipart/form-data, one file): EXIF stripped, stored as a display size and a thumbnail',
          security: [{ bearer: [] }],
          querystring: MediaUploadQuery,
          consumes: ['multipart/form-data'],
          response: { 201: Media, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        if (!request.isMultipart()) {
          throw new ApiError(
            415,
            'unsupported_media_type',
            'send the image as multipart/form-data, in one file part',
          )
        }
        const entityId = request.query.entityId
        unwrap(await checkMediaTarget(db, actor, entityId), communityProblem)
        let data: Buffer
        try {
          const file = await request.file()
          if (!file) throw new ApiError(400, 'file_required', 'the form has no file part')
          data = await file.toBuffer()
        } catch (error) {
          throw uploadError(error, limits)
        }
        const processed = unwrap(await gate(() => processImage(data, limits)), imageProblem)
        const id = randomUUID()
        await store.put(`${id}/${variants.display}`, processed.display.data, storedContentType)
        await store.put(`${id}/${variants.thumbnail}`, processed.thumbnail.data, storedContentType)
        try {
          const media = await db.transaction().execute((trx) =>
            recordMedia(
              trx,
              actor,
              {
                id,
                storageKey: id,
                contentType: storedContentType,
                width: processed.display.width,
                height: processed.display.height,
                bytes: processed.display.data.length,
                thumbWidth: processed.thumbnail.width,
                thumbHeight: processed.thumbnail.height,
                thumbBytes: processed.thumbnail.data.length,
                altText: request.query.altText ?? '',
              },
              entityId,
            ),
          )
          return reply.status(201).header('Location', media.url).send(media)
        } catch (error) {
          // Files without a row would never be served or cleaned up.
          await store.deletePrefix(id)
          throw error
        }
      },
    )

    for (const [suffix, variant] of [
      ['', 'display'],
      ['/thumbnail', 'thumbnail'],
    ] as const) {
      app.get(
        `/api/media/:id${suffix}`,
        {
          schema: {
            tags: ['media'],
            summary:
              variant === 'display' ? 'An image, at display size (WebP)' : "An image's thumbnail (WebP)",
            params: IdParams,
            response: {
              200: Type.Unknown({ description: 'The image, as image/webp.' }),
              304: Type.Null(),
              ...errorResponses(400, 404),
            },
          },
        },
        async (request, reply) => {
          const found = await findMedia(db, request.actor, request.params.id)
          if (!found) throw new ApiError(404, 'not_found', `no image ${request.params.id}`)
          const etag = `"${found.media.id}-${variant}"`
          const cacheControl = found.media.hidden
            ? 'private, no-store'
            : `public, max-age=${mediaCacheSeconds}`
          if (request.headers['if-none-match'] === etag) {
            return reply.status(304).header('ETag', etag).header('Cache-Control', cacheControl).send(null)
          }
          const file = await store.get(`${found.storageKey}/${variants[variant]}`)
          if (!file) throw new Error(`image ${found.media.id} has a row but no ${variant} file`)
          return sendImage(reply, file, etag, cacheControl, found.media.id)
        },
      )
    }

    app.patch(
      '/api/media/:id',
      {
        schema: {
          tags: ['media'],
          summary: 'Describe an image (its uploader): the alt text read out in place of the image',
          security: [{ bearer: [] }],
          params: IdParams,
          body: MediaPatchBody,
          response: { 200: Media, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const { media } = unwrap(
          await db
            .transaction()
            .execute((trx) => describeMedia(trx, actor, request.params.id, request.body.altText)),
          communityProblem,
        )
        return media
      },
    )

    app.delete(
      '/api/media/:id',
      {
        schema: {
          tags: ['media'],
          summary:
            'Delete an image (its uploader, a moderator): its files go, and the posts and pact documents that showed it let go of it',
          security: [{ bearer: [] }],
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const outcome = unwrap(
          await db.transaction().execute((trx) => deleteMedia(trx, actor, request.params.id)),
          communityProblem,
        )
        // After the commit (a file deleted for a deletion that then rolled back could not be brought back).
        // A failure leaves files no row serves any more: logged for an operator, not the member's problem.
        try {
          await store.deletePrefix(outcome.storageKey)
        } catch (error) {
          request.log.error(
            { err: error, storageKey: outcome.storageKey },
            'deleting an image’s files failed',
          )
        }
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/api/entities/:id/media',
      {
        schema: {
          tags: ['media'],
          summary: 'The images of a thing, oldest first',
          params: IdParams,
          response: { 200: MediaList, ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const { items } = unwrap(
          await listEntityMedia(db, request.actor, request.params.id, mediaPageSizeMax),
          communityProblem,
        )
        return { items, nextCursor: null }
      },
    )
  }
}

function sendImage(
  reply: FastifyReply,
  file: { stream: NodeJS.ReadableStream; bytes: number },
  etag: string,
  cacheControl: string,
  id: string,
) {
  return (
    reply
      .type(storedContentType)
      .header('Content-Length', String(file.bytes))
      .header('ETag', etag)
      .header('Cache-Control', cacheControl)
      // The bytes are ours (re-encoded), but a browser must never take them for anything but an image.
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Content-Disposition', `inline; filename="${id}.${storedExtension}"`)
      .send(file.stream)
  )
}

/** The multipart parser's refusals, as problems. */
function uploadError(error: unknown, limits: ImageLimits): ApiError {
  if (error instanceof ApiError) return error
  const code = (error as { code?: string }).code
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ApiError(413, 'file_too_large', `images may be at most ${limits.bytesMax} bytes`)
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ApiError(400, 'too_many_parts', 'send exactly one file part and nothing else')
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'send the image as multipart/form-data')
    default:
      return new ApiError(400, 'invalid_upload', 'the multipart body could not be read')
  }
}
