import type {
  AuthTokens,
  EntityFeature,
  GroupMember,
  JoinOutcome,
  JoinRequest,
  Membership,
} from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

let t: TestApp
let c: ReturnType<typeof community>
let owner: AuthTokens
let manager: AuthTokens
let member: AuthTokens
let outsider: AuthTokens
let otherGroupOwner: AuthTokens
let group: EntityFeature
let closed: EntityFeature
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  owner = await t.signUp({ displayName: 'Owner' })
  manager = await t.signUp({ displayName: 'Manager' })
  member = await t.signUp({ displayName: 'Member' })
  outsider = await t.signUp({ displayName: 'Outsider' })
  otherGroupOwner = await t.signUp({ displayName: 'Other owner' })
  group = await c.entity(owner, { ...validEntityByKind.group, title: 'Orto aperto' })
  closed = await c.entity(owner, {
    ...validEntityByKind.group,
    title: 'Comitato',
    properties: { membership: 'closed' },
  })
  await c.ok<JoinOutcome>('POST', `/api/entities/${group.id}/members`, manager, {})
  await c.ok('PATCH', `/api/entities/${group.id}/members/${manager.user.id}`, owner, { role: 'manager' }, 200)
  await c.ok<JoinOutcome>('POST', `/api/entities/${group.id}/members`, member, {})
  const other = await c.entity(otherGroupOwner, { ...validEntityByKind.group, title: 'Altro gruppo' })
  expect(other.id).toBeDefined()
})
afterAll(async () => {
  await t?.close()
})

const members = async (groupId: string) =>
  (await c.ok<{ items: GroupMember[] }>('GET', `/api/entities/${groupId}/members`)).items.map((m) => [
    m.user.displayName,
    m.role,
  ])

describe('membership', () => {
  it('lists members with roles; the creator is the owner', async () => {
    expect(await members(group.id)).toEqual([
      ['Owner', 'owner'],
      ['Manager', 'manager'],
      ['Member', 'member'],
    ])
  })

  it('joins an open group at once, refuses joining twice, and 422 for a thing that is not a group', async () => {
    const again = await c.call('POST', `/api/entities/${group.id}/members`, member, {})
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('already_member')
    const space = await c.entity(owner, validEntityByKind.space)
    const notGroup = await c.call('POST', `/api/entities/${space.id}/members`, member, {})
    expect(notGroup.statusCode).toBe(422)
    expect((await c.call('GET', `/api/entities/${space.id}/members`)).statusCode).toBe(422)
  })

  it('asks to join a closed group; only its managers see and decide; approval makes a member', async () => {
    const asked = await c.ok<JoinOutcome>(
      'POST',
      `/api/entities/${closed.id}/members`,
      outsider,
      {
        message: 'Vorrei partecipare',
      },
      202,
    )
    expect(asked.status).toBe('requested')
    expect((await c.call('POST', `/api/entities/${closed.id}/members`, outsider, {})).json().code).toBe(
      'already_requested',
    )
    // A member of another group cannot manage this one.
    expect(
      (await c.call('GET', `/api/entities/${closed.id}/join-requests`, otherGroupOwner)).statusCode,
    ).toBe(403)
    const requestId = asked.request!.id
    expect(
      (await c.call('POST', `/api/entities/${closed.id}/join-requests/${requestId}/approve`, otherGroupOwner))
        .statusCode,
    ).toBe(403)
    expect(await members(closed.id)).toEqual([['Owner', 'owner']])
    const pending = await c.ok<{ items: JoinRequest[] }>(
      'GET',
      `/api/entities/${closed.id}/join-requests`,
      owner,
    )
    expect(pending.items.map((r) => [r.user.id, r.message])).toEqual([
      [outsider.user.id, 'Vorrei partecipare'],
    ])
    const approved = await c.ok<JoinRequest>(
      'POST',
      `/api/entities/${closed.id}/join-requests/${requestId}/approve`,
      owner,
      undefined,
      200,
    )
    expect(approved.status).toBe('approved')
    expect(await members(closed.id)).toEqual([
      ['Owner', 'owner'],
      ['Outsider', 'member'],
    ])
    const twice = await c.call('POST', `/api/entities/${closed.id}/join-requests/${requestId}/reject`, owner)
    expect(twice.statusCode).toBe(409)
    expect(twice.json().code).toBe('request_not_pending')
  })

  it('keeps an owner: the last owner cannot leave or step down until they hand over', async () => {
    const g = await c.entity(owner, { ...validEntityByKind.group, title: 'Passaggio' })
    await c.ok('POST', `/api/entities/${g.id}/members`, member, {})
    const leave = await c.call('DELETE', `/api/entities/${g.id}/members/${owner.user.id}`, owner)
    expect(leave.statusCode).toBe(409)
    expect(leave.json().code).toBe('last_owner')
    const stepDown = await c.call('PATCH', `/api/entities/${g.id}/members/${owner.user.id}`, owner, {
      role: 'member',
    })
    expect(stepDown.json().code).toBe('last_owner')
    // Only owners change roles.
    expect(
      (await c.call('PATCH', `/api/entities/${g.id}/members/${member.user.id}`, member, { role: 'owner' }))
        .statusCode,
    ).toBe(403)
    await c.ok('PATCH', `/api/entities/${g.id}/members/${member.user.id}`, owner, { role: 'owner' }, 200)
    expect((await c.call('DELETE', `/api/entities/${g.id}/members/${owner.user.id}`, owner)).statusCode).toBe(
      204,
    )
    expect(await members(g.id)).toEqual([['Member', 'owner']])
  })

  it('lets managers remove members but not owners or other managers; anyone may leave', async () => {
    const g = await c.entity(owner, { ...validEntityByKind.group, title: 'Rimozioni' })
    await c.ok('POST', `/api/entities/${g.id}/members`, manager, {})
    await c.ok('PATCH', `/api/entities/${g.id}/members/${manager.user.id}`, owner, { role: 'manager' }, 200)
    await c.ok('POST', `/api/entities/${g.id}/members`, member, {})
    await c.ok('POST', `/api/entities/${g.id}/members`, outsider, {})
    expect(
      (await c.call('DELETE', `/api/entities/${g.id}/members/${owner.user.id}`, manager)).statusCode,
    ).toBe(403)
    expect(
      (await c.call('DELETE', `/api/entities/${g.id}/members/${manager.user.id}`, member)).statusCode,
    ).toBe(403)
    expect(
      (await c.call('DELETE', `/api/entities/${g.id}/members/${member.user.id}`, outsider)).statusCode,
    ).toBe(403)
    expect(
      (await c.call('DELETE', `/api/entities/${g.id}/members/${member.user.id}`, manager)).statusCode,
    ).toBe(204)
    expect(
      (await c.call('DELETE', `/api/entities/${g.id}/members/${outsider.user.id}`, outsider)).statusCode,
    ).toBe(204)
    expect(await members(g.id)).toEqual([
      ['Owner', 'owner'],
      ['Manager', 'manager'],
    ])
  })
})

describe("the requester's side", () => {
  const membership = (groupId: string, who?: AuthTokens) =>
    c.ok<Membership>('GET', `/api/entities/${groupId}/membership`, who)

  it('shows each caller their role or pending request, and everyone the members count', async () => {
    const g = await c.entity(owner, {
      ...validEntityByKind.group,
      title: 'Circolo',
      properties: { membership: 'closed' },
    })
    await t.database.db
      .insertInto('group_members')
      .values({ group_id: g.id as string, user_id: manager.user.id, role: 'manager' })
      .execute()
    expect(await membership(g.id as string)).toEqual({
      groupId: g.id,
      membership: 'closed',
      membersCount: 2,
      role: null,
      request: null,
      can: { manage: false, changeRoles: false, removeRoles: [], accounts: false },
    })
    expect(await membership(g.id as string, owner)).toMatchObject({ membersCount: 2, role: 'owner' })
    expect(await membership(g.id as string, manager)).toMatchObject({ role: 'manager', request: null })
    await c.ok('POST', `/api/entities/${g.id}/members`, outsider, { message: 'Posso?' }, 202)
    const mine = await membership(g.id as string, outsider)
    expect(mine).toMatchObject({ membersCount: 2, role: null })
    expect(mine.request).toMatchObject({
      user: { id: outsider.user.id },
      message: 'Posso?',
      status: 'pending',
    })
    // Nobody else sees someone's request here: it is the caller's own standing.
    expect((await membership(g.id as string, member)).request).toBeNull()
    expect((await membership(group.id as string)).membership).toBe('open')
    const space = await c.entity(owner, validEntityByKind.space)
    expect((await c.call('GET', `/api/entities/${space.id}/membership`)).statusCode).toBe(422)
    expect((await c.call('GET', `/api/entities/${crypto.randomUUID()}/membership`)).statusCode).toBe(404)
  })

  it('withdraws my own pending request; its managers no longer see it; nothing to withdraw is a 404', async () => {
    const g = await c.entity(owner, {
      ...validEntityByKind.group,
      title: 'Consulta',
      properties: { membership: 'closed' },
    })
    const url = `/api/entities/${g.id}/join-requests/mine`
    expect((await c.call('DELETE', url)).statusCode).toBe(401)
    const none = await c.call('DELETE', url, outsider)
    expect(none.statusCode).toBe(404)
    expect(none.json().code).toBe('not_found')
    const asked = await c.ok<JoinOutcome>('POST', `/api/entities/${g.id}/members`, outsider, {}, 202)
    await c.ok<JoinOutcome>('POST', `/api/entities/${g.id}/members`, member, {}, 202)
    // Someone else's request is not mine to withdraw: the owner has none of their own.
    expect((await c.call('DELETE', url, owner)).statusCode).toBe(404)
    expect((await c.call('DELETE', url, outsider)).statusCode).toBe(204)
    expect((await c.call('DELETE', url, outsider)).statusCode).toBe(404)
    const pending = await c.ok<{ items: JoinRequest[] }>('GET', `/api/entities/${g.id}/join-requests`, owner)
    expect(pending.items.map((r) => r.user.id)).toEqual([member.user.id])
    expect((await membership(g.id as string, outsider)).request).toBeNull()
    const decide = await c.call(
      'POST',
      `/api/entities/${g.id}/join-requests/${asked.request!.id}/approve`,
      owner,
    )
    expect(decide.statusCode).toBe(409)
    expect(decide.json().code).toBe('request_not_pending')
    expect(await members(g.id as string)).toEqual([['Owner', 'owner']])
    // Asking again after withdrawing is a new request.
    await c.ok<JoinOutcome>('POST', `/api/entities/${g.id}/members`, outsider, {}, 202)
    expect((await membership(g.id as string, outsider)).request?.status).toBe('pending')
  })
})

describe("the group's things", () => {
  it('managers edit the group and its things; members and other groups cannot', async () => {
    const space = await c.ok<EntityFeature>('POST', '/api/entities', member, {
      ...validEntityByKind.space,
      title: 'Spazio del gruppo',
      parentId: group.id,
    })
    const event = await c.ok<EntityFeature>('POST', '/api/entities', member, {
      ...validEntityByKind.event,
      parentId: space.id,
    })
    const patch = (who: AuthTokens, id: string, version: number) =>
      c.call(
        'PATCH',
        `/api/entities/${id}`,
        who,
        { title: `by ${who.user.displayName}` },
        { 'if-match': `"${version}"` },
      )
    // The manager edits the group itself, its space and the event in that space.
    expect((await patch(manager, group.id, group.properties.version)).statusCode).toBe(200)
    expect((await patch(manager, space.id, 1)).statusCode).toBe(200)
    expect((await patch(manager, event.id, 1)).statusCode).toBe(200)
    // A plain member of the group, and the owner of another group, cannot.
    expect((await patch(outsider, space.id, 2)).statusCode).toBe(403)
    expect((await patch(otherGroupOwner, space.id, 2)).statusCode).toBe(403)
    expect((await patch(otherGroupOwner, group.id, 2)).statusCode).toBe(403)
    const memberPatch = await c.call(
      'PATCH',
      `/api/entities/${group.id}`,
      member,
      { title: 'x' },
      { 'if-match': '"2"' },
    )
    expect(memberPatch.statusCode).toBe(403)
  })

  it('only members put things in a closed group; an open one takes them from anyone', async () => {
    const refused = await c.call('POST', '/api/entities', otherGroupOwner, {
      ...validEntityByKind.space,
      geometry: point(7.61, 45.02),
      parentId: closed.id,
    })
    expect(refused.statusCode).toBe(403)
    const mine = await c.entity(otherGroupOwner, validEntityByKind.space)
    const ifMatch = { 'if-match': '"1"' }
    const moved = await c.call(
      'PATCH',
      `/api/entities/${mine.id}`,
      otherGroupOwner,
      { parentId: closed.id },
      ifMatch,
    )
    expect(moved.statusCode).toBe(403)
    const open = await c.call(
      'PATCH',
      `/api/entities/${mine.id}`,
      otherGroupOwner,
      { parentId: group.id },
      ifMatch,
    )
    expect(open.statusCode).toBe(200)
  })
})
