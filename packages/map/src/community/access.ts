import { type DB, groupManagerRoleSql } from '@quartiere/db'
import type { Bbox } from '@quartiere/geo'
import { type Kysely, sql } from 'kysely'
import { type Actor, isModeratorOrAdmin } from '../actor'
import { parentDepthMax } from '../entities.repository'

/** Whoever reads: a signed-in actor or an anonymous visitor. */
export type Viewer = Actor | null

/** What the community layer needs to know about an entity, whether or not it is hidden. */
export interface EntityHeader {
  id: string
  kind: string
  title: string
  authorId: string
  parentId: string | null
  properties: Record<string, unknown>
  hidden: boolean
  bbox: Bbox
}

/**
 * A live (not deleted) entity as the viewer may see it: a hidden one only for its author and moderators.
 * `lock` takes the row lock that serialises writes touching the entity (its last activity, its members).
 */
export async function readEntity(
  db: Kysely<DB>,
  viewer: Viewer,
  id: string,
  options: { lock?: boolean } = {},
): Promise<EntityHeader | undefined> {
  let query = db
    .selectFrom('entities')
    .select([
      'id',
      'kind',
      'title',
      'author_id',
      'parent_id',
      'properties',
      'hidden_at',
      // The public geometry's box (it becomes outbox events' bbox): a private location's stays blurred.
      sql<number>`ST_XMin(public_geom)`.as('min_lon'),
      sql<number>`ST_YMin(public_geom)`.as('min_lat'),
      sql<number>`ST_XMax(public_geom)`.as('max_lon'),
      sql<number>`ST_YMax(public_geom)`.as('max_lat'),
    ])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
  if (options.lock) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (!row) return undefined
  const hidden = row.hidden_at !== null
  if (hidden && !maySeeHidden(viewer, row.author_id)) return undefined
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    authorId: row.author_id,
    parentId: row.parent_id,
    properties: row.properties,
    hidden,
    bbox: [Number(row.min_lon), Number(row.min_lat), Number(row.max_lon), Number(row.max_lat)],
  }
}

/** Hidden content stays visible to its author (who must learn it was hidden) and to moderators. */
export function maySeeHidden(viewer: Viewer, authorId: string): boolean {
  return viewer !== null && (viewer.userId === authorId || isModeratorOrAdmin(viewer))
}

export type GroupRole = 'owner' | 'manager' | 'member'

export async function groupRoleOf(
  db: Kysely<DB>,
  groupId: string,
  userId: string,
): Promise<GroupRole | null> {
  const row = await db
    .selectFrom('group_members')
    .select('role')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row?.role ?? null
}

/**
 * True when the user is an owner or manager of a group that is this entity or one of its ancestors: the
 * group's own page, its spaces, the events in its spaces and so on (bounded depth, like the parent chain).
 */
export async function managesThroughGroup(
  db: Kysely<DB>,
  entityId: string,
  userId: string,
): Promise<boolean> {
  const result = await sql<{ found: boolean }>`
    WITH RECURSIVE chain(id, depth) AS (
      SELECT ${entityId}::uuid, 0
      UNION ALL
      SELECT e.parent_id, c.depth + 1 FROM entities e JOIN chain c ON e.id = c.id
      WHERE e.parent_id IS NOT NULL AND c.depth < ${sql.lit(parentDepthMax)}
    )
    SELECT EXISTS (
      SELECT 1 FROM chain c
      JOIN entities g ON g.id = c.id AND g.kind = 'group' AND g.deleted_at IS NULL
      JOIN group_members m ON m.group_id = g.id AND m.user_id = ${userId}::uuid AND ${groupManagerRoleSql('m.role')}
    ) AS found`.execute(db)
  return result.rows[0]?.found === true
}
