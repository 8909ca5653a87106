import type { Comment, CommentCreateBody, Post, PostCreateBody, PostPatchBody } from '@quartiere/contracts'
import { type DB, incremented, now, type PostsTable } from '@quartiere/db'
import { appendOutboxEvent } from '@quartiere/realtime'
import { type Kysely, type RawBuilder, type SqlBool, sql, type Updateable } from 'kysely'
import { type Actor, isModeratorOrAdmin } from '../actor'
import { normalizeLabels } from '../entity-rules'
import { type EntityHeader, maySeeHidden, readEntity, type Viewer } from './access'
import {
  hiddenReasons,
  type ManagersMemo,
  mayEditThreadItem,
  mayRemoveThreadItem,
  threadItemCapabilities,
} from './capabilities'
import { cursorTime, iso, keysetPage, readCursor } from './keys'
import { foreignMedia, mediaUrls } from './media.service'
import { notifyFollowers } from './notifications.service'
import { type CommunityFailure, type CommunityOutcome, refuse } from './outcome'
import { checkPostingRate, type PostingLimits } from './rate-limit'

type PostRow = {
  id: string
  entity_id: string
  author_id: string
  author_name: string
  title: string
  body: string
  tags: string[]
  media_ids: string[]
  comments_count: number
  version: number
  created_at: Date
  updated_at: Date
  last_activity_at: Date
  deleted_at: Date | null
  hidden_at: Date | null
  key_at: string
}

type CommentRow = {
  id: string
  post_id: string
  author_id: string
  author_name: string
  body: string
  version: number
  created_at: Date
  updated_at: Date
  deleted_at: Date | null
  hidden_at: Date | null
  key_at: string
}

function selectPosts(db: Kysely<DB>) {
  return db
    .selectFrom('posts as p')
    .innerJoin('users as u', 'u.id', 'p.author_id')
    .select([
      'p.id',
      'p.entity_id',
      'p.author_id',
      'u.display_name as author_name',
      'p.title',
      'p.body',
      'p.tags',
      'p.media_ids',
      'p.comments_count',
      'p.version',
      'p.created_at',
      'p.updated_at',
      'p.last_activity_at',
      'p.deleted_at',
      'p.hidden_at',
      cursorTime('p.created_at').as('key_at'),
    ])
}

function selectComments(db: Kysely<DB>) {
  return db
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.author_id')
    .select([
      'c.id',
      'c.post_id',
      'c.author_id',
      'u.display_name as author_name',
      'c.body',
      'c.version',
      'c.created_at',
      'c.updated_at',
      'c.deleted_at',
      'c.hidden_at',
      cursorTime('c.created_at').as('key_at'),
    ])
}

/** Hidden rows are left out for everyone but their author and moderators. */
function visibleTo<T extends { hidden_at: Date | null; author_id: string }>(viewer: Viewer, rows: T[]): T[] {
  return rows.filter((row) => !row.hidden_at || maySeeHidden(viewer, row.author_id))
}

// --------------------------------------------------------------------------------------------- posts

/** The wall of an entity: its posts, newest first. */
export async function listPosts(
  db: Kysely<DB>,
  viewer: Viewer,
  entityId: string,
  limit: number,
  cursor?: string,
): Promise<CommunityOutcome<{ items: Post[]; nextCursor: string | null }>> {
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  const entity = await readEntity(db, viewer, entityId)
  if (!entity) return refuse('not_found', `no entity ${entityId}`)
  let query = selectPosts(db).where('p.entity_id', '=', entityId).where(hiddenCondition(viewer, 'p'))
  if (after) {
    query = query.where(sql<boolean>`(p.created_at, p.id) < (${after.at}::timestamptz, ${after.id}::uuid)`)
  }
  const rows = (await query
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit + 1)
    .execute()) as PostRow[]
  const { page, nextCursor } = keysetPage(rows, limit, (row) => ({ at: row.key_at, id: row.id }))
  return {
    ok: true,
    items: await postsForViewer(db, viewer, await toPosts(db, viewer, page), page),
    nextCursor,
  }
}

/**
 * A member's own posts, newest first, on every thing still on the map (the ones they removed left out; those a
 * moderator hid included, as their author sees them anywhere). For "my posts" on the account page.
 */
export async function listPostsByAuthor(
  db: Kysely<DB>,
  actor: Actor,
  limit: number,
  cursor?: string,
): Promise<CommunityOutcome<{ items: Post[]; nextCursor: string | null }>> {
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  let query = selectPosts(db)
    .innerJoin('entities as e', 'e.id', 'p.entity_id')
    .where('p.author_id', '=', actor.userId)
    .where('p.deleted_at', 'is', null)
    .where('e.deleted_at', 'is', null)
  if (after) {
    query = query.where(sql<boolean>`(p.created_at, p.id) < (${after.at}::timestamptz, ${after.id}::uuid)`)
  }
  const rows = (await query
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit + 1)
    .execute()) as PostRow[]
  const { page, nextCursor } = keysetPage(rows, limit, (row) => ({ at: row.key_at, id: row.id }))
  return { ok: true, items: await toPosts(db, actor, page), nextCursor }
}

/** SQL-side hiding, so a page is full even when hidden rows are many; viewers who may see them get them. */
function hiddenCondition(viewer: Viewer, alias: 'p' | 'c'): RawBuilder<SqlBool> {
  if (viewer && isModeratorOrAdmin(viewer)) return sql<SqlBool>`true`
  const hidden = sql.ref(`${alias}.hidden_at`)
  if (!viewer) return sql<SqlBool>`${hidden} IS NULL`
  return sql<SqlBool>`(${hidden} IS NULL OR ${sql.ref(`${alias}.author_id`)} = ${viewer.userId}::uuid)`
}

export async function getPost(
  db: Kysely<DB>,
  viewer: Viewer,
  id: string,
): Promise<CommunityOutcome<{ post: Post }>> {
  const found = await readPost(db, viewer, id)
  if (!found.ok) return found
  const [post] = await postsForViewer(db, viewer, await toPosts(db, viewer, [found.row]), [found.row])
  if (!post) throw new Error('a post vanished while being shown')
  return { ok: true, post }
}

/** A post and its entity, as the viewer may see them (a hidden post only for its author and moderators). */
async function readPost(
  db: Kysely<DB>,
  viewer: Viewer,
  id: string,
  options: { lock?: boolean } = {},
): Promise<CommunityOutcome<{ row: PostRow; entity: EntityHeader }>> {
  let query = selectPosts(db).where('p.id', '=', id)
  if (options.lock) query = query.forUpdate('p')
  const row = (await query.executeTakeFirst()) as PostRow | undefined
  if (!row || (row.hidden_at && !maySeeHidden(viewer, row.author_id)))
    return refuse('not_found', `no post ${id}`)
  const entity = await readEntity(db, viewer, row.entity_id)
  if (!entity) return refuse('not_found', `no post ${id}`)
  return { ok: true, row, entity }
}

export async function createPost(
  db: Kysely<DB>,
  actor: Actor,
  entityId: string,
  input: PostCreateBody,
  limits: PostingLimits,
): Promise<CommunityOutcome<{ post: Post }>> {
  // The entity's row lock orders posts on one thing and its last-activity updates.
  const entity = await readEntity(db, actor, entityId, { lock: true })
  if (!entity) return refuse('not_found', `no entity ${entityId}`)
  const limited = await checkPostingRate(db, actor, limits)
  if (limited) return limited
  const images = input.images ?? []
  const refusedImages = await imagesRefusal(db, actor, images)
  if (refusedImages) return refusedImages
  const inserted = await db
    .insertInto('posts')
    .values({
      entity_id: entityId,
      author_id: actor.userId,
      title: input.title?.trim() ?? '',
      body: input.body,
      tags: normalizeLabels(input.tags, true),
      media_ids: images,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await touchEntity(db, entityId)
  const post = await reload(db, actor, inserted.id)
  await publish(db, 'post.created', entity, post, actor.userId)
  await notifyFollowers(
    db,
    followedFor(entity),
    {
      topic: 'post.created',
      entityId,
      payload: {
        postId: post.id,
        entityTitle: entity.title,
        title: post.title,
        excerpt: excerpt(post.body),
        author: post.author,
      },
    },
    { except: actor.userId },
  )
  return { ok: true, post: await postForViewer(db, actor, post) }
}

export async function updatePost(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  expectedVersion: number,
  patch: PostPatchBody,
): Promise<CommunityOutcome<{ post: Post }>> {
  const found = await readPost(db, actor, id, { lock: true })
  if (!found.ok) return found
  const { row, entity } = found
  const refused = editRefusal('post', row, actor, expectedVersion)
  if (refused) return refused
  const changes: Updateable<PostsTable> = {}
  if (patch.title !== undefined) changes.title = patch.title.trim()
  if (patch.body !== undefined) changes.body = patch.body
  if (patch.tags !== undefined) changes.tags = normalizeLabels(patch.tags, true)
  if (patch.images !== undefined) {
    const refusedImages = await imagesRefusal(db, actor, patch.images)
    if (refusedImages) return refusedImages
    changes.media_ids = patch.images
  }
  await db
    .updateTable('posts')
    .set({ ...changes, version: incremented('version'), updated_at: now() })
    .where('id', '=', id)
    .execute()
  const post = await reload(db, actor, id)
  await publish(db, 'post.updated', entity, post, actor.userId)
  return { ok: true, post: await postForViewer(db, actor, post) }
}

/**
 * Removes a post, leaving a "removed" placeholder in the thread so its comments keep their context. Its author,
 * a moderator or an admin, and the managers of the group whose wall it is on may remove it.
 */
export async function deletePost(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  expectedVersion?: number,
): Promise<CommunityOutcome<Record<never, never>>> {
  const found = await readPost(db, actor, id, { lock: true })
  if (!found.ok) return found
  const { row, entity } = found
  const refused = await removalRefusal(db, actor, 'post', row, entity, expectedVersion)
  if (refused) return refused
  await markRemoved(db, 'posts', id)
  await appendOutboxEvent(db, {
    topic: 'post.deleted',
    entityId: entity.id,
    bbox: entity.bbox,
    ...audienceFor(entity, row.hidden_at !== null, row.author_id),
    payload: { id, entityId: entity.id },
  })
  return { ok: true }
}

// --------------------------------------------------------------------------------------------- comments

/** The comments of a post, oldest first. */
export async function listComments(
  db: Kysely<DB>,
  viewer: Viewer,
  postId: string,
  limit: number,
  cursor?: string,
): Promise<CommunityOutcome<{ items: Comment[]; nextCursor: string | null }>> {
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  const found = await readPost(db, viewer, postId)
  if (!found.ok) return found
  let query = selectComments(db).where('c.post_id', '=', postId).where(hiddenCondition(viewer, 'c'))
  if (after) {
    query = query.where(sql<boolean>`(c.created_at, c.id) > (${after.at}::timestamptz, ${after.id}::uuid)`)
  }
  const rows = (await query
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(limit + 1)
    .execute()) as CommentRow[]
  const { page, nextCursor } = keysetPage(rows, limit, (row) => ({ at: row.key_at, id: row.id }))
  return { ok: true, items: await commentsForViewer(db, viewer, found.entity.id, page), nextCursor }
}

export async function createComment(
  db: Kysely<DB>,
  actor: Actor,
  postId: string,
  input: CommentCreateBody,
  limits: PostingLimits,
): Promise<CommunityOutcome<{ comment: Comment }>> {
  const found = await readPost(db, actor, postId, { lock: true })
  if (!found.ok) return found
  const { row: post, entity } = found
  if (post.deleted_at) return refuse('removed', 'this post was removed; it takes no new comments')
  const limited = await checkPostingRate(db, actor, limits)
  if (limited) return limited
  const inserted = await db
    .insertInto('comments')
    .values({ post_id: postId, author_id: actor.userId, body: input.body })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db
    .updateTable('posts')
    .set({ comments_count: incremented('comments_count'), last_activity_at: now() })
    .where('id', '=', postId)
    .execute()
  await touchEntity(db, entity.id)
  const comment = await reloadComment(db, inserted.id)
  await appendOutboxEvent(db, {
    topic: 'comment.created',
    entityId: entity.id,
    bbox: entity.bbox,
    ...audienceFor(entity, post.hidden_at !== null, post.author_id),
    payload: { ...comment, entityId: entity.id },
  })
  await notifyFollowers(
    db,
    followedFor(entity),
    {
      topic: 'comment.created',
      entityId: entity.id,
      payload: {
        postId,
        commentId: comment.id,
        entityTitle: entity.title,
        postTitle: post.title,
        excerpt: excerpt(comment.body),
        author: comment.author,
      },
    },
    { except: actor.userId, also: [post.author_id] },
  )
  return { ok: true, comment: await commentForViewer(db, actor, entity.id, inserted.id) }
}

export async function updateComment(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  expectedVersion: number,
  input: CommentCreateBody,
): Promise<CommunityOutcome<{ comment: Comment }>> {
  const found = await readComment(db, actor, id)
  if (!found.ok) return found
  const { row, entity, post } = found
  const refused = editRefusal('comment', row, actor, expectedVersion)
  if (refused) return refused
  await db
    .updateTable('comments')
    .set({ body: input.body, version: incremented('version'), updated_at: now() })
    .where('id', '=', id)
    .execute()
  const comment = await reloadComment(db, id)
  await appendOutboxEvent(db, {
    topic: 'comment.updated',
    entityId: entity.id,
    bbox: entity.bbox,
    ...audienceFor(entity, row.hidden_at !== null || post.hidden_at !== null, row.author_id),
    payload: { ...comment, entityId: entity.id },
  })
  return { ok: true, comment: await commentForViewer(db, actor, entity.id, id) }
}

export async function deleteComment(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  expectedVersion?: number,
): Promise<CommunityOutcome<Record<never, never>>> {
  const found = await readComment(db, actor, id)
  if (!found.ok) return found
  const { row, entity, post } = found
  const refused = await removalRefusal(db, actor, 'comment', row, entity, expectedVersion)
  if (refused) return refused
  await markRemoved(db, 'comments', id)
  await appendOutboxEvent(db, {
    topic: 'comment.deleted',
    entityId: entity.id,
    bbox: entity.bbox,
    ...audienceFor(entity, row.hidden_at !== null || post.hidden_at !== null, row.author_id),
    payload: { id, postId: row.post_id, entityId: entity.id },
  })
  return { ok: true }
}

async function readComment(
  db: Kysely<DB>,
  viewer: Viewer,
  id: string,
): Promise<CommunityOutcome<{ row: CommentRow; post: PostRow; entity: EntityHeader }>> {
  const row = (await selectComments(db).where('c.id', '=', id).forUpdate('c').executeTakeFirst()) as
    | CommentRow
    | undefined
  if (!row || (row.hidden_at && !maySeeHidden(viewer, row.author_id)))
    return refuse('not_found', `no comment ${id}`)
  const post = await readPost(db, viewer, row.post_id)
  if (!post.ok) return refuse('not_found', `no comment ${id}`)
  return { ok: true, row, post: post.row, entity: post.entity }
}

/**
 * Takes a deleted image out of the posts that showed it: a new version of each, told to live walls. A post
 * shows only images its author uploaded (checked on posting and editing, under a share lock on the image), so
 * the uploader's posts are all there is to look at, through the index on the author.
 */
export async function releaseImageFromPosts(
  db: Kysely<DB>,
  actor: Actor,
  ownerId: string,
  mediaId: string,
): Promise<void> {
  const changed = await sql<{ id: string }>`
    UPDATE posts SET media_ids = array_remove(media_ids, ${mediaId}::uuid), version = version + 1,
                     updated_at = now()
     WHERE author_id = ${ownerId}::uuid AND ${mediaId}::uuid = ANY (media_ids)
    RETURNING id`.execute(db)
  for (const { id } of changed.rows) {
    const found = await readPost(db, actor, id)
    // A removed post showed nothing already; one the actor cannot see has no wall of theirs to tell.
    if (!found.ok || found.row.deleted_at) continue
    await publish(db, 'post.updated', found.entity, await reload(db, actor, id), ownerId)
  }
}

// --------------------------------------------------------------------------------------------- helpers

type ThreadNoun = 'post' | 'comment'
type ThreadRow = { id: string; author_id: string; version: number; deleted_at: Date | null }

/** A post or comment is edited by its author alone, at the version they read, and not once removed. */
function editRefusal(
  noun: ThreadNoun,
  row: ThreadRow,
  actor: Actor,
  expectedVersion: number,
): CommunityFailure | undefined {
  if (row.deleted_at) return refuse('removed', `this ${noun} was removed and can no longer be changed`)
  if (!mayEditThreadItem(actor, row)) return refuse('forbidden', `only its author may edit a ${noun}`)
  return versionRefusal(noun, row.version, expectedVersion)
}

/**
 * A post or comment is removed by its author, a moderator or an admin, or a manager of the group whose wall it
 * is on; at the version they read when they name one. A removed one is gone already.
 */
async function removalRefusal(
  db: Kysely<DB>,
  actor: Actor,
  noun: ThreadNoun,
  row: ThreadRow,
  entity: EntityHeader,
  expectedVersion: number | undefined,
): Promise<CommunityFailure | undefined> {
  if (row.deleted_at) return refuse('not_found', `no ${noun} ${row.id}`)
  if (!(await mayRemoveThreadItem(db, actor, row, entity.id)))
    return refuse(
      'forbidden',
      `only its author, a manager of the thing's group or a moderator may remove a ${noun}`,
    )
  return versionRefusal(noun, row.version, expectedVersion)
}

function versionRefusal(
  noun: ThreadNoun,
  current: number,
  expected: number | undefined,
): CommunityFailure | undefined {
  if (expected === undefined || current === expected) return undefined
  return refuse('version_mismatch', `the ${noun} is at version ${current}, not ${expected}`, {
    currentVersion: current,
  })
}

/** Soft delete: the row stays as a "removed" placeholder in the thread. */
async function markRemoved(db: Kysely<DB>, table: 'posts' | 'comments', id: string) {
  await db
    .updateTable(table)
    .set({ deleted_at: now(), version: incremented('version') })
    .where('id', '=', id)
    .execute()
}

/** A post shows only live images its author uploaded. */
async function imagesRefusal(
  db: Kysely<DB>,
  actor: Actor,
  ids: readonly string[],
): Promise<CommunityFailure | undefined> {
  const foreign = await foreignMedia(db, actor.userId, ids)
  if (foreign.length === 0) return undefined
  return refuse('invalid_media', `images must be ones you uploaded: ${foreign.join(', ')} are not`)
}

/** A new post or comment raises the thing's last activity (the wall sorts by it). Its version stays. */
async function touchEntity(db: Kysely<DB>, entityId: string) {
  await db.updateTable('entities').set({ last_activity_at: now() }).where('id', '=', entityId).execute()
}

/** Followers of the thing, and of the group it sits in directly, hear of its new posts and comments. */
function followedFor(entity: EntityHeader): string[] {
  return entity.parentId ? [entity.id, entity.parentId] : [entity.id]
}

/**
 * Events about a thread are public (with the thing's bbox, so viewport subscribers get them), unless the thing
 * or the post is hidden: then only the author concerned and the thing's author hear of them.
 */
function audienceFor(entity: EntityHeader, hidden: boolean, authorId: string): { audience?: string[] } {
  if (!entity.hidden && !hidden) return {}
  return { audience: [...new Set([authorId, entity.authorId])] }
}

async function publish(db: Kysely<DB>, topic: string, entity: EntityHeader, post: Post, authorId: string) {
  await appendOutboxEvent(db, {
    topic,
    entityId: entity.id,
    bbox: entity.bbox,
    ...audienceFor(entity, post.hidden, authorId),
    payload: post,
  })
}

async function reload(db: Kysely<DB>, viewer: Viewer, id: string): Promise<Post> {
  const row = (await selectPosts(db).where('p.id', '=', id).executeTakeFirstOrThrow()) as PostRow
  const [post] = await toPosts(db, viewer, [row])
  if (!post) throw new Error(`post ${id} vanished inside its own transaction`)
  return post
}

async function reloadComment(db: Kysely<DB>, id: string): Promise<Comment> {
  const row = (await selectComments(db).where('c.id', '=', id).executeTakeFirstOrThrow()) as CommentRow
  return toComment(row)
}

function excerpt(text: string): string {
  return text.length > 140 ? `${text.slice(0, 139)}…` : text
}

/** Rows to posts, with their images (one query per page). Removed posts keep only their place and time. */
async function toPosts(db: Kysely<DB>, viewer: Viewer, rows: PostRow[]): Promise<Post[]> {
  const visible = visibleTo(viewer, rows)
  const mediaIds = [...new Set(visible.flatMap((row) => (row.deleted_at ? [] : row.media_ids)))]
  const media = mediaIds.length
    ? await db
        .selectFrom('media')
        .select(['id', 'width', 'height', 'hidden_at', 'owner_id', 'alt_text'])
        .where('id', 'in', mediaIds)
        .where('deleted_at', 'is', null)
        .execute()
    : []
  const byId = new Map(
    media.filter((m) => !m.hidden_at || maySeeHidden(viewer, m.owner_id)).map((m) => [m.id, m]),
  )
  return visible.map((row) => {
    const removed = row.deleted_at !== null
    return {
      id: row.id,
      entityId: row.entity_id,
      author: removed ? null : { id: row.author_id, displayName: row.author_name },
      title: removed ? '' : row.title,
      body: removed ? '' : row.body,
      tags: removed ? [] : row.tags,
      images: removed
        ? []
        : row.media_ids.flatMap((id) => {
            const m = byId.get(id)
            return m ? [{ id, ...mediaUrls(id), width: m.width, height: m.height, altText: m.alt_text }] : []
          }),
      commentsCount: row.comments_count,
      version: row.version,
      removed,
      hidden: row.hidden_at !== null,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      lastActivityAt: iso(row.last_activity_at),
    }
  })
}

function toComment(row: CommentRow): Comment {
  const removed = row.deleted_at !== null
  return {
    id: row.id,
    postId: row.post_id,
    author: removed ? null : { id: row.author_id, displayName: row.author_name },
    body: removed ? '' : row.body,
    version: row.version,
    removed,
    hidden: row.hidden_at !== null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  }
}

// ------------------------------------------------------------------------------- what the reader may do

/**
 * Posts as one reader gets them on a direct read: with what they may do (`can`) and, on those hidden, why (for
 * their author and moderators, who alone are served hidden posts). Feed events carry neither: one event serves
 * many people.
 */
async function postsForViewer(
  db: Kysely<DB>,
  viewer: Viewer,
  posts: Post[],
  rows: PostRow[],
): Promise<Post[]> {
  if (!viewer) return posts
  const rowById = new Map(rows.map((row) => [row.id, row]))
  const reasons = await hiddenReasons(
    db,
    'post',
    posts.filter((post) => post.hidden).map((post) => post.id),
  )
  const managers: ManagersMemo = new Map()
  const result: Post[] = []
  for (const post of posts) {
    const row = rowById.get(post.id)
    if (!row) throw new Error(`post ${post.id} has no row`)
    const can = await threadItemCapabilities(db, viewer, row, post.entityId, managers)
    const reason = reasons.get(post.id)
    result.push({
      ...post,
      ...(reason !== undefined ? { hiddenReason: reason } : {}),
      ...(can ? { can } : {}),
    })
  }
  return result
}

async function postForViewer(db: Kysely<DB>, viewer: Viewer, post: Post): Promise<Post> {
  const row = (await selectPosts(db).where('p.id', '=', post.id).executeTakeFirstOrThrow()) as PostRow
  const [shown] = await postsForViewer(db, viewer, [post], [row])
  if (!shown) throw new Error(`post ${post.id} vanished inside its own transaction`)
  return shown
}

async function commentsForViewer(
  db: Kysely<DB>,
  viewer: Viewer,
  entityId: string,
  rows: CommentRow[],
): Promise<Comment[]> {
  const comments = rows.map(toComment)
  if (!viewer) return comments
  const reasons = await hiddenReasons(
    db,
    'comment',
    rows.filter((row) => row.hidden_at !== null).map((row) => row.id),
  )
  const managers: ManagersMemo = new Map()
  const result: Comment[] = []
  for (const [index, row] of rows.entries()) {
    const comment = comments[index]
    if (!comment) throw new Error('a comment vanished while being shown')
    const can = await threadItemCapabilities(db, viewer, row, entityId, managers)
    const reason = reasons.get(row.id)
    result.push({
      ...comment,
      ...(reason !== undefined ? { hiddenReason: reason } : {}),
      ...(can ? { can } : {}),
    })
  }
  return result
}

async function commentForViewer(
  db: Kysely<DB>,
  viewer: Viewer,
  entityId: string,
  id: string,
): Promise<Comment> {
  const row = (await selectComments(db).where('c.id', '=', id).executeTakeFirstOrThrow()) as CommentRow
  const [comment] = await commentsForViewer(db, viewer, entityId, [row])
  if (!comment) throw new Error(`comment ${id} vanished inside its own transaction`)
  return comment
}
