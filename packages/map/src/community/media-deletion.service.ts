import { type DB, now } from '@quartiere/db'
import type { Kysely } from 'kysely'
import type { Actor } from '../actor'
import { maySeeHidden } from './access'
import { mayDeleteMedia } from './capabilities'
import { type CommunityOutcome, refuse } from './outcome'
import { releaseImageFromPosts } from './posts.service'

/**
 * Deletes an image: its uploader may, and moderators and admins. In the caller's transaction the row is marked
 * deleted (it stays: the moderation log may name it) and everything that showed the image lets go of it: the
 * thing it illustrated lists it no more, the posts that showed it drop it (a new version each, told to live
 * walls), and the pact documents that were that image go (one that also has a link keeps its link). The files
 * are the caller's to delete after the commit, a file deleted for a deletion that then rolled back could not be
 * brought back. Returns the storage key the files live under.
 */
export async function deleteMedia(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
): Promise<CommunityOutcome<{ storageKey: string }>> {
  const row = await db
    .selectFrom('media')
    .select(['id', 'owner_id', 'hidden_at', 'storage_key'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst()
  // A hidden image is not there for those who may not see it, as at its own URL.
  if (!row || (row.hidden_at && !maySeeHidden(actor, row.owner_id)))
    return refuse('not_found', `no image ${id}`)
  if (!mayDeleteMedia(actor, row.owner_id))
    return refuse('forbidden', 'only who uploaded an image, or a moderator, may delete it')
  await db.updateTable('media').set({ deleted_at: now() }).where('id', '=', id).execute()
  await releaseImageFromPosts(db, actor, row.owner_id, id)
  await db
    .updateTable('pact_documents')
    .set({ media_id: null })
    .where('media_id', '=', id)
    .where('url', 'is not', null)
    .execute()
  await db.deleteFrom('pact_documents').where('media_id', '=', id).execute()
  return { ok: true, storageKey: row.storage_key }
}
