import type {
  GroupAbilities,
  GroupMember,
  JoinOutcome,
  JoinRequest,
  Membership,
  MyGroup,
} from '@quartiere/contracts'
import { groupRoles } from '@quartiere/contracts'
import { type DB, groupManagerIds, isGroupManagerRole, now } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
import { type Actor, isModeratorOrAdmin } from '../actor'
import { type EntityHeader, type GroupRole, groupRoleOf, readEntity, type Viewer } from './access'
import { cursorTime, iso, isoOrNull, keysetPage, readCursor } from './keys'
import { notifyUsers } from './notifications.service'
import { type CommunityOutcome, refuse } from './outcome'

/** A group whose properties do not say otherwise is open: anyone may join. */
export function membershipPolicy(group: EntityHeader): 'open' | 'closed' {
  return group.properties.membership === 'closed' ? 'closed' : 'open'
}

async function readGroup(
  db: Kysely<DB>,
  viewer: Viewer,
  groupId: string,
  options: { lock?: boolean } = {},
): Promise<CommunityOutcome<{ group: EntityHeader }>> {
  const group = await readEntity(db, viewer, groupId, options)
  if (!group) return refuse('not_found', `no entity ${groupId}`)
  if (group.kind !== 'group') return refuse('not_a_group', `${groupId} is a ${group.kind}, not a group`)
  return { ok: true, group }
}

/** The owners and managers of a group: who hears of joins and decides requests. */
const managersOf = (db: Kysely<DB>, groupId: string) => groupManagerIds(db, groupId)

/**
 * What someone may do in a group, from their platform role and their role in the group: the one statement of
 * the rules the functions below enforce, also answered to the web (`Membership.can`) so it offers nothing they
 * would refuse. Owners and managers (the owner-or-manager rule of @quartiere/db) decide requests to join;
 * owners decide roles; owners remove anyone, managers plain members; moderators and admins may all of it. The
 * group's accounts follow the ledger's rule, which is the owner-or-manager rule alone.
 */
export function groupAbilities(actor: Actor | null, role: GroupRole | null): GroupAbilities {
  const staff = actor !== null && isModeratorOrAdmin(actor)
  return {
    manage: staff || isGroupManagerRole(role),
    changeRoles: staff || role === 'owner',
    removeRoles: groupRoles.filter(
      (target) => staff || role === 'owner' || (role === 'manager' && target === 'member'),
    ),
    accounts: actor !== null && isGroupManagerRole(role),
  }
}

async function mayManage(db: Kysely<DB>, actor: Actor, groupId: string): Promise<boolean> {
  return groupAbilities(actor, await groupRoleOf(db, groupId, actor.userId)).manage
}

/** The members of a group, longest-standing first. */
export async function listMembers(
  db: Kysely<DB>,
  viewer: Viewer,
  groupId: string,
  limit: number,
  cursor?: string,
): Promise<CommunityOutcome<{ items: GroupMember[]; nextCursor: string | null }>> {
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  const group = await readGroup(db, viewer, groupId)
  if (!group.ok) return group
  let query = db
    .selectFrom('group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.user_id',
      'u.display_name',
      'm.role',
      'm.created_at',
      cursorTime('m.created_at').as('key_at'),
    ])
    .where('m.group_id', '=', groupId)
  if (after) {
    query = query.where(
      sql<boolean>`(m.created_at, m.user_id) > (${after.at}::timestamptz, ${after.id}::uuid)`,
    )
  }
  const rows = await query
    .orderBy('m.created_at')
    .orderBy('m.user_id')
    .limit(limit + 1)
    .execute()
  const { page, nextCursor } = keysetPage(rows, limit, (row) => ({ at: row.key_at, id: row.user_id }))
  return {
    ok: true,
    items: page.map((row) => ({
      user: { id: row.user_id, displayName: row.display_name },
      role: row.role,
      since: iso(row.created_at),
    })),
    nextCursor,
  }
}

/**
 * A group as one member sees it: how many members it has, and the viewer's own standing (their role, or their
 * pending request to join). Anonymous visitors get the count alone.
 */
export async function membershipOf(
  db: Kysely<DB>,
  viewer: Viewer,
  groupId: string,
): Promise<CommunityOutcome<{ membership: Membership }>> {
  const found = await readGroup(db, viewer, groupId)
  if (!found.ok) return found
  const count = await db
    .selectFrom('group_members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow()
  const role = viewer ? await groupRoleOf(db, groupId, viewer.userId) : null
  const pending =
    viewer && !role
      ? await selectJoinRequests(db)
          .where('r.group_id', '=', groupId)
          .where('r.user_id', '=', viewer.userId)
          .where('r.status', '=', 'pending')
          .executeTakeFirst()
      : undefined
  return {
    ok: true,
    membership: {
      groupId,
      membership: membershipPolicy(found.group),
      membersCount: Number(count.n),
      role,
      request: pending ? toJoinRequest(pending) : null,
      can: groupAbilities(viewer, role),
    },
  }
}

/**
 * The requester takes back their pending request to join a closed group; its managers no longer see it in their
 * list, and are told (they were told of the request).
 */
export async function withdrawJoinRequest(
  db: Kysely<DB>,
  actor: Actor,
  groupId: string,
): Promise<CommunityOutcome<{ request: JoinRequest }>> {
  // The group's row lock orders this after a manager's decision on the same request, or before it.
  const found = await readGroup(db, actor, groupId, { lock: true })
  if (!found.ok) return found
  const withdrawn = await db
    .updateTable('group_join_requests')
    .set({ status: 'withdrawn', decided_by: actor.userId, decided_at: now() })
    .where('group_id', '=', groupId)
    .where('user_id', '=', actor.userId)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst()
  if (!withdrawn) return refuse('not_found', 'you have no pending request to join this group')
  const me = await db
    .selectFrom('users')
    .select('display_name')
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow()
  await notifyUsers(db, await managersOf(db, groupId), {
    topic: 'group.join_withdrawn',
    entityId: groupId,
    payload: {
      groupTitle: found.group.title,
      requestId: withdrawn.id,
      member: { id: actor.userId, displayName: me.display_name },
    },
  })
  return { ok: true, request: toJoinRequest({ ...withdrawn, display_name: me.display_name }) }
}

/** Joins an open group at once, or asks to join a closed one (its managers decide). */
export async function joinGroup(
  db: Kysely<DB>,
  actor: Actor,
  groupId: string,
  message: string,
): Promise<CommunityOutcome<{ outcome: JoinOutcome }>> {
  const found = await readGroup(db, actor, groupId, { lock: true })
  if (!found.ok) return found
  const { group } = found
  if (await groupRoleOf(db, groupId, actor.userId))
    return refuse('already_member', 'you are a member of this group already')
  const me = await db
    .selectFrom('users')
    .select('display_name')
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow()
  const managers = await managersOf(db, groupId)
  if (membershipPolicy(group) === 'open') {
    const row = await db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: actor.userId, role: 'member' })
      .returning(['role', 'created_at'])
      .executeTakeFirstOrThrow()
    await notifyUsers(db, managers, {
      topic: 'group.member_joined',
      entityId: groupId,
      payload: { groupTitle: group.title, member: { id: actor.userId, displayName: me.display_name } },
    })
    return {
      ok: true,
      outcome: {
        status: 'member',
        member: {
          user: { id: actor.userId, displayName: me.display_name },
          role: row.role,
          since: iso(row.created_at),
        },
      },
    }
  }
  const pending = await db
    .selectFrom('group_join_requests')
    .select('id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', actor.userId)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  if (pending)
    return refuse('already_requested', 'you asked to join already; a manager of the group will decide')
  const request = await db
    .insertInto('group_join_requests')
    .values({ group_id: groupId, user_id: actor.userId, message })
    .returningAll()
    .executeTakeFirstOrThrow()
  await notifyUsers(db, managers, {
    topic: 'group.join_requested',
    entityId: groupId,
    payload: {
      groupTitle: group.title,
      requestId: request.id,
      member: { id: actor.userId, displayName: me.display_name },
      message,
    },
  })
  return {
    ok: true,
    outcome: { status: 'requested', request: toJoinRequest({ ...request, display_name: me.display_name }) },
  }
}

export const joinRequestsPageSizeMax = 100

/** Pending requests to join, oldest first, keyset paged: for the group's owners and managers. */
export async function listJoinRequests(
  db: Kysely<DB>,
  actor: Actor,
  groupId: string,
  limit: number,
  cursor?: string,
): Promise<CommunityOutcome<{ items: JoinRequest[]; nextCursor: string | null }>> {
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  const found = await readGroup(db, actor, groupId)
  if (!found.ok) return found
  if (!(await mayManage(db, actor, groupId)))
    return refuse('forbidden', "only the group's owners and managers see its requests to join")
  const pageSize = Math.min(limit, joinRequestsPageSizeMax)
  const rows = await selectJoinRequests(db)
    .select(cursorTime('r.created_at').as('key_at'))
    .where('r.group_id', '=', groupId)
    .where('r.status', '=', 'pending')
    .$if(after !== undefined, (q) =>
      q.where(sql<boolean>`(r.created_at, r.id) > (${after!.at}::timestamptz, ${after!.id}::uuid)`),
    )
    .orderBy('r.created_at')
    .orderBy('r.id')
    .limit(pageSize + 1)
    .execute()
  const { page, nextCursor } = keysetPage(rows, pageSize, (row) => ({ at: row.key_at, id: row.id }))
  return { ok: true, items: page.map(toJoinRequest), nextCursor }
}

/** A manager approves (the requester becomes a member) or rejects a request to join. */
export async function decideJoinRequest(
  db: Kysely<DB>,
  actor: Actor,
  groupId: string,
  requestId: string,
  approve: boolean,
): Promise<CommunityOutcome<{ request: JoinRequest }>> {
  const found = await readGroup(db, actor, groupId, { lock: true })
  if (!found.ok) return found
  if (!(await mayManage(db, actor, groupId)))
    return refuse('forbidden', "only the group's owners and managers decide requests to join")
  const request = await selectJoinRequests(db)
    .where('r.id', '=', requestId)
    .where('r.group_id', '=', groupId)
    .executeTakeFirst()
  if (!request) return refuse('not_found', `no request ${requestId} to join this group`)
  if (request.status !== 'pending')
    return refuse('request_not_pending', `this request was ${request.status} already`)
  const decided = await db
    .updateTable('group_join_requests')
    .set({
      status: approve ? 'approved' : 'rejected',
      decided_by: actor.userId,
      decided_at: now(),
    })
    .where('id', '=', requestId)
    .returningAll()
    .executeTakeFirstOrThrow()
  if (approve) {
    await db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: request.user_id, role: 'member' })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .execute()
  }
  await notifyUsers(db, [request.user_id], {
    topic: approve ? 'group.join_approved' : 'group.join_rejected',
    entityId: groupId,
    payload: { groupTitle: found.group.title, requestId },
  })
  return { ok: true, request: toJoinRequest({ ...decided, display_name: request.display_name }) }
}

async function ownersCount(db: Kysely<DB>, groupId: string): Promise<number> {
  const row = await db
    .selectFrom('group_members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('group_id', '=', groupId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * Gives a member another role. Owners decide roles (an owner hands the group over by making someone else an
 * owner, then stepping down or leaving); a moderator or an admin may too. A group always keeps an owner.
 */
export async function changeMemberRole(
  db: Kysely<DB>,
  actor: Actor,
  groupId: string,
  userId: string,
  role: GroupRole,
): Promise<CommunityOutcome<{ member: GroupMember }>> {
  const found = await readGroup(db, actor, groupId, { lock: true })
  if (!found.ok) return found
  const myRole = await groupRoleOf(db, groupId, actor.userId)
  if (!groupAbilities(actor, myRole).changeRoles)
    return refuse('forbidden', "only the group's owners change roles")
  const current = await groupRoleOf(db, groupId, userId)
  if (!current) return refuse('not_a_member', `${userId} is not a member of this group`)
  if (current === 'owner' && role !== 'owner' && (await ownersCount(db, groupId)) <= 1) {
    return refuse('last_owner', 'a group needs an owner: make someone else an owner first')
  }
  const row = await db
    .updateTable('group_members')
    .set({ role })
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .returning(['role', 'created_at'])
    .executeTakeFirstOrThrow()
  const user = await db
    .selectFrom('users')
    .select('display_name')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow()
  if (current !== role) {
    await notifyUsers(
      db,
      [userId],
      { topic: 'group.role_changed', entityId: groupId, payload: { groupTitle: found.group.title, role } },
      { except: actor.userId },
    )
  }
  return {
    ok: true,
    member: {
      user: { id: userId, displayName: user.display_name },
      role: row.role,
      since: iso(row.created_at),
    },
  }
}

/**
 * Leaves a group (yourself) or removes a member from it. Owners may remove anyone, managers plain members,
 * moderators and admins anyone; the last owner cannot go without handing over.
 */
export async function removeMember(
  db: Kysely<DB>,
  actor: Actor,
  groupId: string,
  userId: string,
): Promise<CommunityOutcome<Record<never, never>>> {
  const found = await readGroup(db, actor, groupId, { lock: true })
  if (!found.ok) return found
  const target = await groupRoleOf(db, groupId, userId)
  if (!target) return refuse('not_a_member', `${userId} is not a member of this group`)
  if (userId !== actor.userId) {
    const myRole = await groupRoleOf(db, groupId, actor.userId)
    if (!groupAbilities(actor, myRole).removeRoles.includes(target))
      return refuse('forbidden', 'owners remove anyone, managers remove members; you may only leave yourself')
  }
  if (target === 'owner' && (await ownersCount(db, groupId)) <= 1) {
    return refuse('last_owner', 'the last owner cannot leave: make someone else an owner first')
  }
  await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute()
  if (userId !== actor.userId) {
    await notifyUsers(db, [userId], {
      topic: 'group.member_removed',
      entityId: groupId,
      payload: { groupTitle: found.group.title },
    })
  }
  return { ok: true }
}

export const myGroupsPageSizeMax = 100

/** The groups the actor belongs to, with their role, the longest-standing membership first. */
export async function listMyGroups(
  db: Kysely<DB>,
  actor: Actor,
  limit: number,
  cursor?: string,
): Promise<CommunityOutcome<{ items: MyGroup[]; nextCursor: string | null }>> {
  const position = readCursor(cursor)
  if (!position.ok) return position
  const { after } = position
  const pageSize = Math.min(limit, myGroupsPageSizeMax)
  const rows = await db
    .selectFrom('group_members as m')
    .innerJoin('entities as g', 'g.id', 'm.group_id')
    .select(['m.group_id', 'g.title', 'm.role', 'm.created_at', cursorTime('m.created_at').as('key_at')])
    .where('m.user_id', '=', actor.userId)
    .where('g.kind', '=', 'group')
    .where('g.deleted_at', 'is', null)
    // A hidden group stays listed for its author and moderators, as everywhere (readEntity).
    .$if(!isModeratorOrAdmin(actor), (q) =>
      q.where((eb) => eb.or([eb('g.hidden_at', 'is', null), eb('g.author_id', '=', actor.userId)])),
    )
    .$if(after !== undefined, (q) =>
      q.where(sql<boolean>`(m.created_at, m.group_id) > (${after!.at}::timestamptz, ${after!.id}::uuid)`),
    )
    .orderBy('m.created_at')
    .orderBy('m.group_id')
    .limit(pageSize + 1)
    .execute()
  const { page, nextCursor } = keysetPage(rows, pageSize, (row) => ({ at: row.key_at, id: row.group_id }))
  return {
    ok: true,
    items: page.map((row) => ({
      groupId: row.group_id,
      title: row.title,
      role: row.role,
      since: iso(row.created_at),
      // The rule proposePact and the group's accounts apply to act on the group's behalf.
      speaksFor: isGroupManagerRole(row.role),
    })),
    nextCursor,
  }
}

/** Requests to join with their requester's name. */
function selectJoinRequests(db: Kysely<DB>) {
  return db
    .selectFrom('group_join_requests as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .selectAll('r')
    .select('u.display_name')
}

function toJoinRequest(row: {
  id: string
  group_id: string
  user_id: string
  display_name: string
  message: string
  status: JoinRequest['status']
  created_at: Date
  decided_at: Date | null
}): JoinRequest {
  return {
    id: row.id,
    groupId: row.group_id,
    user: { id: row.user_id, displayName: row.display_name },
    message: row.message,
    status: row.status,
    createdAt: iso(row.created_at),
    decidedAt: isoOrNull(row.decided_at),
  }
}
