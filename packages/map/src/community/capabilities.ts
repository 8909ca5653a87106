import type { EntityCapabilities, MediaCapabilities, ThreadItemCapabilities } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { type Actor, isModeratorOrAdmin } from '../actor'
import type { Viewer } from './access'
import { managesThroughGroup } from './access'
import { mayEditEntity } from './permissions'

/**
 * The rules of who may do what to content, each one function used twice: by the service that enforces it, and
 * here to tell a caller what they may do (the `can` of a thing, a post, a comment, an image), so the client
 * offers exactly what the API would accept.
 */

/** One may report what one sees and did not write: one's own content is one's own to change or remove. */
export function mayReport(actor: Actor, authorId: string): boolean {
  return actor.userId !== authorId
}

/** A post or comment is edited by its author alone, and not once removed. */
export function mayEditThreadItem(
  actor: Actor,
  row: { author_id: string; deleted_at: Date | null },
): boolean {
  return row.deleted_at === null && row.author_id === actor.userId
}

/**
 * A post or comment is removed by its author, a moderator or an admin, or a manager of the group whose wall it
 * is on; a removed one is gone already.
 */
export async function mayRemoveThreadItem(
  db: Kysely<DB>,
  actor: Actor,
  row: { author_id: string; deleted_at: Date | null },
  entityId: string,
  managers: ManagersMemo = new Map(),
): Promise<boolean> {
  if (row.deleted_at !== null) return false
  if (row.author_id === actor.userId || isModeratorOrAdmin(actor)) return true
  let manages = managers.get(entityId)
  if (manages === undefined) {
    manages = managesThroughGroup(db, entityId, actor.userId)
    managers.set(entityId, manages)
  }
  return manages
}

/** Whether the actor manages each thing's group, asked once per thing for a page of its thread. */
export type ManagersMemo = Map<string, Promise<boolean>>

/** An image is deleted by its uploader, a moderator or an admin. */
export function mayDeleteMedia(actor: Actor, ownerId: string): boolean {
  return ownerId === actor.userId || isModeratorOrAdmin(actor)
}

/** An image's description is its uploader's to write. */
export function mayDescribeMedia(actor: Actor, ownerId: string): boolean {
  return ownerId === actor.userId
}

/** What the viewer may do with a thing: nothing for an anonymous visitor, who gets no `can` at all. */
export async function entityCapabilities(
  db: Kysely<DB>,
  viewer: Viewer,
  entity: { id: string; authorId: string },
): Promise<EntityCapabilities | undefined> {
  if (!viewer) return undefined
  // Editing, removing and illustrating a thing are one rule (entities.service and checkMediaTarget use it).
  const editor = await mayEditEntity(db, viewer, entity)
  return { edit: editor, delete: editor, addPhoto: editor, report: mayReport(viewer, entity.authorId) }
}

/** What the viewer may do with a post or comment on the thing `entityId`. */
export async function threadItemCapabilities(
  db: Kysely<DB>,
  viewer: Viewer,
  row: { author_id: string; deleted_at: Date | null },
  entityId: string,
  managers: ManagersMemo = new Map(),
): Promise<ThreadItemCapabilities | undefined> {
  if (!viewer) return undefined
  return {
    edit: mayEditThreadItem(viewer, row),
    delete: await mayRemoveThreadItem(db, viewer, row, entityId, managers),
    report: row.deleted_at === null && mayReport(viewer, row.author_id),
  }
}

export function mediaCapabilities(viewer: Viewer, ownerId: string): MediaCapabilities | undefined {
  if (!viewer) return undefined
  return {
    edit: mayDescribeMedia(viewer, ownerId),
    delete: mayDeleteMedia(viewer, ownerId),
    report: mayReport(viewer, ownerId),
  }
}

/**
 * Why moderators hid each of these targets (the reason of the latest hiding), for their authors and moderators:
 * one query for a page. Targets not hidden are not asked for.
 */
export async function hiddenReasons(
  db: Kysely<DB>,
  targetType: 'entity' | 'post' | 'comment' | 'media',
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('moderation_actions')
    .select(['target_id', 'reason'])
    .distinctOn('target_id')
    .where('target_type', '=', targetType)
    .where('target_id', 'in', ids)
    .where('action', '=', 'hide')
    .orderBy('target_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  return new Map(rows.map((row) => [row.target_id, row.reason]))
}
