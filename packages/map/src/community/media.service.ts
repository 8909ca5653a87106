import type { Media } from '@quartiere/contracts'
import type { DB, MediaTable } from '@quartiere/db'
import type { Kysely, Selectable } from 'kysely'
import type { Actor } from '../actor'
import { maySeeHidden, readEntity, type Viewer } from './access'
import { hiddenReasons, mayDescribeMedia, mediaCapabilities } from './capabilities'
import { iso } from './keys'
import { type CommunityOutcome, refuse } from './outcome'
import { mayEditEntity } from './permissions'

export const mediaPageSizeMax = 100

export interface StoredImage {
  id: string
  storageKey: string
  contentType: string
  width: number
  height: number
  bytes: number
  thumbWidth: number
  thumbHeight: number
  thumbBytes: number
  /** What the image shows, in its uploader's words (may be empty). */
  altText: string
}

/** The public URLs of an image's display size and thumbnail. */
export function mediaUrls(id: string) {
  return { url: `/api/media/${id}`, thumbnailUrl: `/api/media/${id}/thumbnail` }
}

/**
 * Before an upload is processed: when it is to illustrate an entity, the uploader must be allowed to edit it.
 */
export async function checkMediaTarget(
  db: Kysely<DB>,
  actor: Actor,
  entityId: string | undefined,
): Promise<CommunityOutcome<Record<never, never>>> {
  if (entityId === undefined) return { ok: true }
  const entity = await readEntity(db, actor, entityId)
  if (!entity) return refuse('not_found', `no entity ${entityId}`)
  if (!(await mayEditEntity(db, actor, entity)))
    return refuse('forbidden', 'only those who may edit a thing may add images to it')
  return { ok: true }
}

/** Records an image already written to the media store. */
export async function recordMedia(
  db: Kysely<DB>,
  actor: Actor,
  image: StoredImage,
  entityId: string | undefined,
): Promise<Media> {
  const row = await db
    .insertInto('media')
    .values({
      id: image.id,
      owner_id: actor.userId,
      entity_id: entityId ?? null,
      storage_key: image.storageKey,
      content_type: image.contentType,
      width: image.width,
      height: image.height,
      bytes: image.bytes,
      thumb_width: image.thumbWidth,
      thumb_height: image.thumbHeight,
      thumb_bytes: image.thumbBytes,
      alt_text: image.altText,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return withCapabilities(toMedia(row), actor)
}

/** Changes an image's description: its uploader's to write (a moderator hides an image, never rewrites it). */
export async function describeMedia(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  altText: string,
): Promise<CommunityOutcome<{ media: Media }>> {
  const found = await findMedia(db, actor, id)
  if (!found) return refuse('not_found', `no image ${id}`)
  if (!mayDescribeMedia(actor, found.media.ownerId))
    return refuse('forbidden', 'only who uploaded an image may describe it')
  const row = await db
    .updateTable('media')
    .set({ alt_text: altText })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const [media] = await forViewer(db, actor, [toMedia(row)])
  if (!media) throw new Error(`image ${id} vanished inside its own transaction`)
  return { ok: true, media }
}

/** An image as the viewer may see it: a hidden one (or one of a hidden entity) only for its owner and moderators. */
export async function findMedia(
  db: Kysely<DB>,
  viewer: Viewer,
  id: string,
): Promise<{ media: Media; storageKey: string } | undefined> {
  const row = await db
    .selectFrom('media')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  if (row.hidden_at && !maySeeHidden(viewer, row.owner_id)) return undefined
  if (row.entity_id && !(await readEntity(db, viewer, row.entity_id))) {
    if (!maySeeHidden(viewer, row.owner_id)) return undefined
  }
  return { media: toMedia(row), storageKey: row.storage_key }
}

/** The images of an entity, oldest first. */
export async function listEntityMedia(
  db: Kysely<DB>,
  viewer: Viewer,
  entityId: string,
  limit: number,
): Promise<CommunityOutcome<{ items: Media[] }>> {
  const entity = await readEntity(db, viewer, entityId)
  if (!entity) return refuse('not_found', `no entity ${entityId}`)
  const rows = await db
    .selectFrom('media')
    .selectAll()
    .where('entity_id', '=', entityId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute()
  const items = rows.filter((row) => !row.hidden_at || maySeeHidden(viewer, row.owner_id)).map(toMedia)
  return { ok: true, items: await forViewer(db, viewer, items) }
}

/** Images as one reader gets them: what they may do with each, and why a hidden one is hidden (its uploader). */
async function forViewer(db: Kysely<DB>, viewer: Viewer, items: Media[]): Promise<Media[]> {
  if (!viewer) return items
  const reasons = await hiddenReasons(
    db,
    'media',
    items.filter((item) => item.hidden).map((item) => item.id),
  )
  return items.map((item) => {
    const reason = reasons.get(item.id)
    return withCapabilities(reason !== undefined ? { ...item, hiddenReason: reason } : item, viewer)
  })
}

function withCapabilities(media: Media, viewer: Viewer): Media {
  const can = mediaCapabilities(viewer, media.ownerId)
  return can ? { ...media, can } : media
}

/** Images a post may show: live ones uploaded by its author. Returns the ids that are not. */
export async function foreignMedia(
  db: Kysely<DB>,
  ownerId: string,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('media')
    .select('id')
    .where('id', 'in', ids)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    // Held until the post is written: an image deleted meanwhile waits for it, then takes it out again.
    .forShare()
    .execute()
  const found = new Set(rows.map((row) => row.id))
  return ids.filter((id) => !found.has(id))
}

export function toMedia(row: Selectable<MediaTable>): Media {
  return {
    id: row.id,
    ownerId: row.owner_id,
    entityId: row.entity_id,
    contentType: row.content_type,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    ...mediaUrls(row.id),
    thumbnailWidth: row.thumb_width,
    thumbnailHeight: row.thumb_height,
    altText: row.alt_text,
    ...(row.hidden_at ? { hidden: true } : {}),
    createdAt: iso(row.created_at),
  }
}
