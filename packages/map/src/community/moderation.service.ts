import type {
  ModerationAction,
  ModerationActionBody,
  Report,
  ReportCreateBody,
  ReportTargetType,
} from '@quartiere/contracts'
import { type DB, now } from '@quartiere/db'
import { appendOutboxEvent } from '@quartiere/realtime'
import { type Kysely, sql } from 'kysely'
import { type Actor, isModeratorOrAdmin } from '../actor'
import { entityMatchState } from '../outbox'
import { readEntity } from './access'
import { mayReport } from './capabilities'
import { cursorTime, iso, keysetPage, readCursor } from './keys'
import { notifyUsers } from './notifications.service'
import { type CommunityOutcome, refuse } from './outcome'
import { getPost } from './posts.service'

/** A member may file this many reports per rolling hour: enough for a real problem, too few for a campaign. */
export const reportsPerHourMax = 30
/** The reports shown with each item of the queue; the count says how many there are in all. */
export const reportsPerQueueItemMax = 20

type TargetType = ModerationActionBody['targetType']

interface Target {
  type: TargetType
  id: string
  authorId: string
  hidden: boolean
  excerpt: string
  /** The entity the target is on (itself for an entity), for the outbox event's bbox. */
  entityId: string | null
  postId: string | null
}

/** What a target's row says, whatever its table: the parts of a `Target` read from the database. */
interface TargetRow {
  author_id: string
  hidden_at: Date | null
  text: string
  entity_id: string | null
  post_id: string | null
}

/**
 * How each kind of target is read, live (not deleted) and whatever its hiding (moderators act on hidden things
 * too): its author, the text an excerpt is cut from, and the entity and post it is on.
 */
const targetReaders: Record<TargetType, (db: Kysely<DB>, id: string) => Promise<TargetRow | undefined>> = {
  entity: (db, id) =>
    db
      .selectFrom('entities')
      .select(['author_id', 'hidden_at', 'title as text', 'id as entity_id', sql<null>`NULL`.as('post_id')])
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),
  post: (db, id) =>
    db
      .selectFrom('posts')
      .select([
        'author_id',
        'hidden_at',
        sql<string>`CASE WHEN title <> '' THEN title ELSE body END`.as('text'),
        'entity_id',
        'id as post_id',
      ])
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),
  comment: (db, id) =>
    db
      .selectFrom('comments as c')
      .innerJoin('posts as p', 'p.id', 'c.post_id')
      .select(['c.author_id', 'c.hidden_at', 'c.body as text', 'p.entity_id', 'c.post_id'])
      .where('c.id', '=', id)
      .where('c.deleted_at', 'is', null)
      .executeTakeFirst(),
  media: (db, id) =>
    db
      .selectFrom('media')
      .select([
        'owner_id as author_id',
        'hidden_at',
        sql<string>`'image'`.as('text'),
        'entity_id',
        sql<null>`NULL`.as('post_id'),
      ])
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),
}

/** Finds a live target whatever its hiding (moderators act on hidden things too). */
async function findTarget(db: Kysely<DB>, type: TargetType, id: string): Promise<Target | undefined> {
  const row = await targetReaders[type](db, id)
  if (!row) return undefined
  return {
    type,
    id,
    authorId: row.author_id,
    hidden: row.hidden_at !== null,
    // A thing's title is shown whole, as it is its name; texts are cut.
    excerpt: type === 'entity' ? row.text : clip(row.text),
    entityId: row.entity_id,
    postId: row.post_id,
  }
}

/** True when the reporter may see the target at all: one cannot report what one cannot see. */
async function visibleToReporter(db: Kysely<DB>, actor: Actor, target: Target): Promise<boolean> {
  if (target.hidden && target.authorId !== actor.userId && !isModeratorOrAdmin(actor)) return false
  if (target.type === 'entity' || !target.entityId) return true
  return (await readEntity(db, actor, target.entityId)) !== undefined
}

/**
 * Reports an entity, a post or a comment. Reporting the same thing again while the first report is open
 * answers that report instead of stacking a second one.
 */
export async function fileReport(
  db: Kysely<DB>,
  actor: Actor,
  input: ReportCreateBody,
): Promise<CommunityOutcome<{ report: Report; created: boolean }>> {
  const target = await findTarget(db, input.targetType, input.targetId)
  if (!target || !(await visibleToReporter(db, actor, target)))
    return refuse('not_found', `no ${input.targetType} ${input.targetId}`)
  if (!mayReport(actor, target.authorId))
    return refuse(
      'forbidden',
      `this ${input.targetType} is yours: change or remove it instead of reporting it`,
    )
  const existing = await db
    .selectFrom('reports')
    .selectAll()
    .where('target_type', '=', input.targetType)
    .where('target_id', '=', input.targetId)
    .where('reporter_id', '=', actor.userId)
    .where('status', '=', 'open')
    .executeTakeFirst()
  if (existing) return { ok: true, report: toReport(existing), created: false }
  const recent = await db
    .selectFrom('reports')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('reporter_id', '=', actor.userId)
    .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
    .executeTakeFirstOrThrow()
  if (Number(recent.n) >= reportsPerHourMax) {
    return refuse('rate_limited', `at most ${reportsPerHourMax} reports per hour; the moderators are on it`, {
      retryAfterSeconds: 3600,
    })
  }
  const row = await db
    .insertInto('reports')
    .values({
      target_type: input.targetType,
      target_id: input.targetId,
      reporter_id: actor.userId,
      reason: input.reason,
      details: input.details ?? '',
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { ok: true, report: toReport(row), created: true }
}

export interface QueueItemView {
  targetType: ReportTargetType
  targetId: string
  hidden: boolean
  excerpt: string
  entityId: string | null
  authorId: string | null
  reportsCount: number
  reasons: Report['reason'][]
  firstReportedAt: string
  reports: Report[]
}

/** Open reports, one item per reported thing, the longest-waiting first. Moderators only. */
export async function moderationQueue(
  db: Kysely<DB>,
  actor: Actor,
  limit: number,
  cursor?: string,
): Promise<CommunityOutcome<{ items: QueueItemView[]; nextCursor: string | null }>> {
  if (!isModeratorOrAdmin(actor)) return refuse('forbidden', 'the moderation queue is for moderators')
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  const groups = await sql<{
    target_type: ReportTargetType
    target_id: string
    n: string
    first_at: Date
    key_at: string
  }>`
    SELECT target_type, target_id, count(*) AS n, min(created_at) AS first_at,
      to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key_at
    FROM reports WHERE status = 'open'
    GROUP BY target_type, target_id
    ${after ? sql`HAVING (min(created_at), target_id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    ORDER BY min(created_at), target_id
    LIMIT ${limit + 1}`.execute(db)
  const { page, nextCursor } = keysetPage(groups.rows, limit, (group) => ({
    at: group.key_at,
    id: group.target_id,
  }))
  const items: QueueItemView[] = []
  for (const group of page) {
    const target = await findTarget(db, group.target_type, group.target_id)
    // The moderators see who reported (to weigh a report, to spot a campaign); no one else is shown them.
    const reports = await db
      .selectFrom('reports as r')
      .innerJoin('users as u', 'u.id', 'r.reporter_id')
      .selectAll('r')
      .select('u.display_name as reporter_name')
      .where('r.target_type', '=', group.target_type)
      .where('r.target_id', '=', group.target_id)
      .where('r.status', '=', 'open')
      .orderBy('r.created_at')
      .orderBy('r.id')
      .limit(reportsPerQueueItemMax)
      .execute()
    items.push({
      targetType: group.target_type,
      targetId: group.target_id,
      hidden: target?.hidden ?? false,
      excerpt: target?.excerpt ?? '(deleted)',
      entityId: target?.entityId ?? null,
      authorId: target?.authorId ?? null,
      reportsCount: Number(group.n),
      reasons: [...new Set(reports.map((r) => r.reason as Report['reason']))],
      firstReportedAt: iso(group.first_at),
      reports: reports.map((row) => ({
        ...toReport(row),
        reporter: { id: row.reporter_id, displayName: row.reporter_name },
      })),
    })
  }
  return { ok: true, items, nextCursor }
}

/**
 * Hides or restores content. Hidden content is served to no one but its author (who sees it marked hidden) and
 * moderators: the map query, the open-data readers (through the visible_entities view), threads and images. An
 * outbox event tells live clients to drop it (or take it back), the author is notified, the reports on it are
 * closed as actioned, and the action is written to the audit log.
 */
export async function setHidden(
  db: Kysely<DB>,
  actor: Actor,
  input: ModerationActionBody,
  hide: boolean,
): Promise<CommunityOutcome<{ action: ModerationAction }>> {
  if (!isModeratorOrAdmin(actor)) return refuse('forbidden', 'only moderators hide or restore content')
  const target = await findTarget(db, input.targetType, input.targetId)
  if (!target) return refuse('not_found', `no ${input.targetType} ${input.targetId}`)
  if (hide && target.hidden) return refuse('already_hidden', `this ${target.type} is hidden already`)
  if (!hide && !target.hidden) return refuse('not_hidden', `this ${target.type} is not hidden`)
  const table = { entity: 'entities', post: 'posts', comment: 'comments', media: 'media' } as const
  await db
    .updateTable(table[target.type])
    .set({ hidden_at: hide ? now() : null })
    .where('id', '=', target.id)
    .execute()
  let reportId: string | null = null
  let reporters: string[] = []
  if (hide) {
    const closed = await db
      .updateTable('reports')
      .set({ status: 'actioned', resolved_by: actor.userId, resolved_at: now() })
      .where('target_type', '=', target.type)
      .where('target_id', '=', target.id)
      .where('status', '=', 'open')
      .returning(['id', 'reporter_id'])
      .execute()
    reportId = closed[0]?.id ?? null
    reporters = closed.map((report) => report.reporter_id)
  }
  const action = await audit(
    db,
    actor,
    hide ? 'hide' : 'restore',
    target.type,
    target.id,
    reportId,
    input.reason,
  )
  await publishVisibility(db, actor, target, hide)
  await notifyUsers(
    db,
    [target.authorId],
    {
      topic: hide ? 'moderation.hidden' : 'moderation.restored',
      entityId: target.entityId,
      payload: {
        targetType: target.type,
        targetId: target.id,
        reason: input.reason,
        excerpt: target.excerpt,
      },
    },
    { except: actor.userId },
  )
  // Those who reported it learn that the moderators acted (not who they are, nor what others reported).
  await notifyReporters(db, reporters, 'moderation.report_actioned', target, actor.userId)
  return { ok: true, action }
}

/**
 * Tells reporters what became of their report. The target's excerpt says which report it was; the moderator's
 * reason stays between the moderators and the author.
 */
async function notifyReporters(
  db: Kysely<DB>,
  reporters: readonly string[],
  topic: 'moderation.report_actioned' | 'moderation.report_dismissed',
  target: Target | undefined,
  moderatorId: string,
  fallback?: { type: ReportTargetType; id: string },
) {
  if (reporters.length === 0) return
  await notifyUsers(
    db,
    [...new Set(reporters)],
    {
      topic,
      entityId: target?.entityId ?? null,
      payload: {
        targetType: target?.type ?? fallback?.type,
        targetId: target?.id ?? fallback?.id,
        excerpt: target?.excerpt ?? '',
      },
    },
    { except: moderatorId },
  )
}

async function publishVisibility(db: Kysely<DB>, actor: Actor, target: Target, hide: boolean) {
  if (!target.entityId) return
  const entity = await readEntity(db, actor, target.entityId)
  if (!entity) return
  switch (target.type) {
    case 'entity': {
      if (hide) {
        // Clients drop it as they drop a deleted thing.
        const previous = await entityMatchState(db, target.id)
        await appendOutboxEvent(db, {
          topic: 'entity.deleted',
          entityId: target.id,
          bbox: entity.bbox,
          payload: { id: target.id, reason: 'hidden' },
          ...(previous ? { previous } : {}),
        })
      } else {
        const row = await db
          .selectFrom('entities')
          .select('feature_json')
          .where('id', '=', target.id)
          .executeTakeFirstOrThrow()
        await appendOutboxEvent(db, {
          topic: 'entity.updated',
          entityId: target.id,
          bbox: entity.bbox,
          payload: JSON.parse(row.feature_json) as unknown,
        })
      }
      return
    }
    case 'post': {
      if (hide) {
        await appendOutboxEvent(db, {
          topic: 'post.hidden',
          entityId: entity.id,
          bbox: entity.bbox,
          payload: { id: target.id, entityId: entity.id },
        })
      } else {
        const post = await getPost(db, actor, target.id)
        if (post.ok)
          await appendOutboxEvent(db, {
            topic: 'post.updated',
            entityId: entity.id,
            bbox: entity.bbox,
            payload: post.post,
          })
      }
      return
    }
    case 'comment': {
      await appendOutboxEvent(db, {
        topic: hide ? 'comment.hidden' : 'comment.restored',
        entityId: entity.id,
        bbox: entity.bbox,
        payload: { id: target.id, postId: target.postId, entityId: entity.id },
      })
      return
    }
    case 'media':
      return
    default: {
      const unknown: never = target.type
      throw new Error(`unknown moderation target ${String(unknown)}`)
    }
  }
}

/** Closes a report without acting on its target. */
export async function dismissReport(
  db: Kysely<DB>,
  actor: Actor,
  reportId: string,
  reason: string,
): Promise<CommunityOutcome<{ action: ModerationAction }>> {
  if (!isModeratorOrAdmin(actor)) return refuse('forbidden', 'only moderators dismiss reports')
  const report = await db
    .selectFrom('reports')
    .selectAll()
    .where('id', '=', reportId)
    .forUpdate()
    .executeTakeFirst()
  if (!report) return refuse('not_found', `no report ${reportId}`)
  if (report.status !== 'open') return refuse('report_not_open', `this report was ${report.status} already`)
  await db
    .updateTable('reports')
    .set({ status: 'dismissed', resolved_by: actor.userId, resolved_at: now() })
    .where('id', '=', reportId)
    .execute()
  const action = await audit(db, actor, 'dismiss', report.target_type, report.target_id, reportId, reason)
  const target = await findTarget(db, report.target_type, report.target_id)
  await notifyReporters(db, [report.reporter_id], 'moderation.report_dismissed', target, actor.userId, {
    type: report.target_type,
    id: report.target_id,
  })
  return { ok: true, action }
}

/** What the audit log may be narrowed to; every filter is optional and they combine (and). */
export interface ModerationActionFilters {
  moderatorId?: string
  action?: ModerationAction['action']
  targetType?: TargetType
  /** Taken at or after this instant (ISO 8601). */
  from?: string
  /** Taken before this instant (ISO 8601). */
  to?: string
}

/**
 * The audit log, newest first, narrowed by the filters. Moderators only. A cursor carries the position alone:
 * the caller sends the same filters with it, as with every filtered list of this API.
 */
export async function listModerationActions(
  db: Kysely<DB>,
  actor: Actor,
  limit: number,
  cursor?: string,
  filters: ModerationActionFilters = {},
): Promise<CommunityOutcome<{ items: ModerationAction[]; nextCursor: string | null }>> {
  if (!isModeratorOrAdmin(actor)) return refuse('forbidden', 'the moderation log is for moderators')
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  const { moderatorId, action, targetType, from, to } = filters
  if (from !== undefined && to !== undefined && Date.parse(from) >= Date.parse(to))
    return refuse('invalid_query', '`from` must come before `to`')
  let query = selectActions(db)
    .$if(moderatorId !== undefined, (q) => q.where('a.moderator_id', '=', moderatorId!))
    .$if(action !== undefined, (q) => q.where('a.action', '=', action!))
    .$if(targetType !== undefined, (q) => q.where('a.target_type', '=', targetType!))
    .$if(from !== undefined, (q) => q.where('a.created_at', '>=', sql<Date>`${from!}::timestamptz`))
    .$if(to !== undefined, (q) => q.where('a.created_at', '<', sql<Date>`${to!}::timestamptz`))
  if (after)
    query = query.where(sql<boolean>`(a.created_at, a.id) < (${after.at}::timestamptz, ${after.id}::uuid)`)
  const rows = await query
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit + 1)
    .execute()
  const { page, nextCursor } = keysetPage(rows, limit, (row) => ({ at: row.key_at, id: row.id }))
  return { ok: true, items: page.map(toAction), nextCursor }
}

function selectActions(db: Kysely<DB>) {
  return db
    .selectFrom('moderation_actions as a')
    .innerJoin('users as u', 'u.id', 'a.moderator_id')
    .selectAll('a')
    .select(['u.display_name', cursorTime('a.created_at').as('key_at')])
}

async function audit(
  db: Kysely<DB>,
  actor: Actor,
  action: ModerationAction['action'],
  targetType: TargetType,
  targetId: string,
  reportId: string | null,
  reason: string,
): Promise<ModerationAction> {
  const inserted = await db
    .insertInto('moderation_actions')
    .values({
      moderator_id: actor.userId,
      action,
      target_type: targetType,
      target_id: targetId,
      report_id: reportId,
      reason,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const row = await selectActions(db).where('a.id', '=', inserted.id).executeTakeFirstOrThrow()
  return toAction(row)
}

function toAction(row: {
  id: string
  moderator_id: string
  display_name: string
  action: ModerationAction['action']
  target_type: TargetType
  target_id: string
  report_id: string | null
  reason: string
  created_at: Date
}): ModerationAction {
  return {
    id: row.id,
    moderator: { id: row.moderator_id, displayName: row.display_name },
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    reportId: row.report_id,
    reason: row.reason,
    createdAt: iso(row.created_at),
  }
}

function toReport(row: {
  id: string
  target_type: ReportTargetType
  target_id: string
  reason: string
  details: string
  status: Report['status']
  reporter_id: string
  created_at: Date
}): Report {
  return {
    id: row.id,
    targetType: row.target_type,
    targetId: row.target_id,
    reason: row.reason as Report['reason'],
    details: row.details,
    status: row.status,
    reporterId: row.reporter_id,
    createdAt: iso(row.created_at),
  }
}

function clip(text: string): string {
  return text.length > 140 ? `${text.slice(0, 139)}…` : text
}
