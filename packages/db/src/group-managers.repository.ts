import { type Kysely, type RawBuilder, type SqlBool, sql, type Transaction } from 'kysely'
import type { DB } from './schema'

/**
 * Who speaks for a group: its owners and managers. The map (joins, pacts, campaigns' `canManage`) and the ledger
 * (a group's accounts, currencies and campaigns) ask the same question, so it lives here, below both, written
 * once: every check of it goes through this module.
 */
export const groupManagerRoles = ['owner', 'manager'] as const
export type GroupManagerRole = (typeof groupManagerRoles)[number]

type Db = Kysely<DB> | Transaction<DB>

/** Whether a member's role (or null for no membership) lets them speak for the group. */
export function isGroupManagerRole(role: string | null | undefined): role is GroupManagerRole {
  return (groupManagerRoles as readonly (string | null | undefined)[]).includes(role)
}

/**
 * The rule as a condition on a `group_members` role column (`m.role`), for queries that join the members in
 * SQL. The roles are inlined as literals, so the statement's text (and its prepared plan) never changes.
 */
export function groupManagerRoleSql(roleColumn: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(roleColumn)} IN (${sql.join(groupManagerRoles.map((role) => sql.lit(role)))})`
}

/** Whether the user is an owner or a manager of the group. */
export async function managesGroup(db: Db, userId: string, groupId: string): Promise<boolean> {
  const row = await db
    .selectFrom('group_members')
    .select('role')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .where('role', 'in', groupManagerRoles)
    .executeTakeFirst()
  return row !== undefined
}

/** The groups the user manages: all of them, or those among `groupIds` (an empty list answers none). */
export async function managedGroupIds(
  db: Db,
  userId: string,
  groupIds?: readonly string[],
): Promise<string[]> {
  if (groupIds?.length === 0) return []
  const rows = await db
    .selectFrom('group_members')
    .select('group_id')
    .where('user_id', '=', userId)
    .where('role', 'in', groupManagerRoles)
    .$if(groupIds !== undefined, (query) => query.where('group_id', 'in', groupIds!))
    .execute()
  return rows.map((row) => row.group_id)
}

/** The owners and managers of one group, or of any of several (each once). */
export async function groupManagerIds(db: Db, groupIds: string | readonly string[]): Promise<string[]> {
  const ids = typeof groupIds === 'string' ? [groupIds] : groupIds
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('group_members')
    .select('user_id')
    .distinct()
    .where('group_id', 'in', ids)
    .where('role', 'in', groupManagerRoles)
    .execute()
  return rows.map((row) => row.user_id)
}
