import type {
  AuthTokens,
  EntityFeature,
  GroupRole,
  Membership,
  ModerationActionList,
  MyGroupList,
  QueueItem,
} from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

/**
 * What the web's group and moderation screens read: `Membership.can` (what each person may do in a group, which
 * must match what the API then allows), the groups one belongs to, the reporters in the moderators' queue, and
 * the audit log's filters.
 */
let t: TestApp
let c: ReturnType<typeof community>
let owner: AuthTokens
let manager: AuthTokens
let member: AuthTokens
let outsider: AuthTokens
let moderator: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  owner = await t.signUp({ displayName: 'Owner' })
  manager = await t.signUp({ displayName: 'Manager' })
  member = await t.signUp({ displayName: 'Member' })
  outsider = await t.signUp({ displayName: 'Outsider' })
  moderator = await t.signUp({ as: 'moderator', displayName: 'Moderatrice' })
})
afterAll(async () => {
  await t?.close()
})

async function groupWithRoles(title: string): Promise<EntityFeature> {
  const g = await c.entity(owner, { ...validEntityByKind.group, title })
  for (const who of [manager, member]) await c.ok('POST', `/api/entities/${g.id}/members`, who, {})
  await c.ok('PATCH', `/api/entities/${g.id}/members/${manager.user.id}`, owner, { role: 'manager' }, 200)
  return g
}

describe('Membership.can', () => {
  it('says for each person exactly what the API then allows them', async () => {
    const g = await groupWithRoles('Regole')
    const people: [string, AuthTokens | undefined][] = [
      ['anonymous', undefined],
      ['owner', owner],
      ['manager', manager],
      ['member', member],
      ['outsider', outsider],
      ['moderator', moderator],
    ]
    const seen: Record<string, Membership['can']> = {}
    for (const [name, who] of people) {
      const { can } = await c.ok<Membership>('GET', `/api/entities/${g.id}/membership`, who)
      seen[name] = can
      if (!who) continue
      const requests = await c.call('GET', `/api/entities/${g.id}/join-requests`, who)
      expect(requests.statusCode === 200, `${name} reads requests`).toBe(can.manage)
      // Giving the manager the role they have changes nothing, but is judged like any change of role.
      const role = await c.call('PATCH', `/api/entities/${g.id}/members/${manager.user.id}`, who, {
        role: 'manager',
      })
      expect(role.statusCode === 200, `${name} changes roles`).toBe(can.changeRoles)
    }
    expect(seen).toEqual({
      anonymous: { manage: false, changeRoles: false, removeRoles: [], accounts: false },
      owner: { manage: true, changeRoles: true, removeRoles: ['owner', 'manager', 'member'], accounts: true },
      manager: { manage: true, changeRoles: false, removeRoles: ['member'], accounts: true },
      member: { manage: false, changeRoles: false, removeRoles: [], accounts: false },
      outsider: { manage: false, changeRoles: false, removeRoles: [], accounts: false },
      moderator: {
        manage: true,
        changeRoles: true,
        removeRoles: ['owner', 'manager', 'member'],
        accounts: false,
      },
    })
  })

  it('lists only the roles one may remove: a manager removes a member, not an owner or a manager', async () => {
    const g = await groupWithRoles('Rimozioni')
    const { can } = await c.ok<Membership>('GET', `/api/entities/${g.id}/membership`, manager)
    const targets: [GroupRole, AuthTokens][] = [
      ['owner', owner],
      ['member', member],
    ]
    for (const [role, who] of targets) {
      const removed = await c.call('DELETE', `/api/entities/${g.id}/members/${who.user.id}`, manager)
      expect(removed.statusCode === 204, `manager removes ${role}`).toBe(can.removeRoles.includes(role))
    }
  })
})

describe('GET /api/me/groups', () => {
  it('lists my groups with my role, paged, and nobody else’s', async () => {
    const a = await groupWithRoles('Primo')
    const b = await groupWithRoles('Secondo')
    const first = await c.ok<MyGroupList>('GET', '/api/me/groups?limit=1', manager)
    expect(first.items).toHaveLength(1)
    expect(first.nextCursor).not.toBeNull()
    const all: MyGroupList['items'] = [...first.items]
    let cursor = first.nextCursor
    while (cursor) {
      const page = await c.ok<MyGroupList>(
        'GET',
        `/api/me/groups?limit=1&cursor=${encodeURIComponent(cursor)}`,
        manager,
      )
      all.push(...page.items)
      cursor = page.nextCursor
    }
    const mine = all.filter((item) => item.groupId === a.id || item.groupId === b.id)
    expect(mine.map((item) => [item.title, item.role])).toEqual([
      ['Primo', 'manager'],
      ['Secondo', 'manager'],
    ])
    expect(new Set(all.map((item) => item.groupId)).size).toBe(all.length)
    const theirs = await c.ok<MyGroupList>('GET', '/api/me/groups', outsider)
    expect(theirs.items.some((item) => item.groupId === a.id)).toBe(false)
    expect((await c.call('GET', '/api/me/groups')).statusCode).toBe(401)
    expect((await c.call('GET', '/api/me/groups?cursor=nonsense', manager)).statusCode).toBe(400)
    expect((await c.call('GET', '/api/me/groups?limit=101', manager)).statusCode).toBe(400)
  })

  it('says which groups I speak for, as proposing a pact on their behalf then finds', async () => {
    const g = await groupWithRoles('Portavoce')
    const space = await c.entity(owner, { ...validEntityByKind.space, title: 'Aiuola' })
    for (const [who, speaks] of [
      [owner, true],
      [manager, true],
      [member, false],
    ] as const) {
      const mine = await c.ok<MyGroupList>('GET', '/api/me/groups?limit=100', who)
      expect(mine.items.find((item) => item.groupId === g.id)?.speaksFor).toBe(speaks)
      const proposed = await c.call('POST', '/api/pacts', who, {
        title: 'Cura dell’aiuola',
        geometry: space.geometry,
        proposerGroupId: g.id,
        spaces: [space.id],
        signatoryGroups: [g.id],
      })
      expect(proposed.statusCode).toBe(speaks ? 201 : 403)
    }
  })
})

describe('the moderators’ queue and log', () => {
  it('shows moderators who reported and where; a reporter is answered only their own report', async () => {
    const thing = await c.entity(member, { ...validEntityByKind.space, title: 'Da guardare' })
    const mine = await c.ok<{ reporterId: string; reporter?: unknown }>('POST', '/api/reports', outsider, {
      targetType: 'entity',
      targetId: thing.id,
      reason: 'spam',
    })
    expect(mine.reporterId).toBe(outsider.user.id)
    expect(mine.reporter).toBeUndefined()
    await c.ok('POST', '/api/reports', owner, { targetType: 'entity', targetId: thing.id, reason: 'hate' })
    // Another member reporting the same thing is not told who else did.
    const again = await c.ok<{ reporter?: unknown }>(
      'POST',
      '/api/reports',
      owner,
      {
        targetType: 'entity',
        targetId: thing.id,
        reason: 'hate',
      },
      200,
    )
    expect(JSON.stringify(again)).not.toContain('Outsider')
    for (const who of [outsider, owner, member]) {
      expect((await c.call('GET', '/api/moderation/queue', who)).statusCode).toBe(403)
    }
    const queue = await c.ok<{ items: QueueItem[] }>('GET', '/api/moderation/queue?limit=100', moderator)
    const item = queue.items.find((entry) => entry.targetId === thing.id)
    expect(item?.entityId).toBe(thing.id)
    expect(item?.reports.map((report) => report.reporter?.displayName)).toEqual(['Outsider', 'Owner'])
  })

  it('filters the audit log by moderator, action, target kind and time, with cursors intact', async () => {
    const other = await t.signUp({ as: 'moderator', displayName: 'Altro moderatore' })
    const things: EntityFeature[] = []
    for (const title of ['Uno', 'Due', 'Tre'])
      things.push(await c.entity(member, { ...validEntityByKind.space, title }))
    const [one, two, three] = things as [EntityFeature, EntityFeature, EntityFeature]
    const act = (who: AuthTokens, path: string, id: string) =>
      c.ok(
        'POST',
        `/api/moderation/${path}`,
        who,
        { targetType: 'entity', targetId: id, reason: 'prova' },
        200,
      )
    const startedAt = (
      await t.database.db.selectNoFrom((eb) => eb.fn<Date>('now', []).as('n')).executeTakeFirstOrThrow()
    ).n
    await act(other, 'hide', one.id as string)
    await act(other, 'hide', two.id as string)
    await act(other, 'restore', one.id as string)
    await act(moderator, 'hide', three.id as string)
    const list = async (query: string) => {
      const items: ModerationActionList['items'] = []
      let cursor: string | null = null
      do {
        const page: ModerationActionList = await c.ok<ModerationActionList>(
          'GET',
          `/api/moderation/actions?limit=1&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          moderator,
        )
        items.push(...page.items)
        cursor = page.nextCursor
      } while (cursor)
      return items
    }
    const byOther = await list(`moderatorId=${other.user.id}`)
    expect(byOther.map((a) => [a.action, a.targetId])).toEqual([
      ['restore', one.id],
      ['hide', two.id],
      ['hide', one.id],
    ])
    const hides = await list(`moderatorId=${other.user.id}&action=hide`)
    expect(hides.map((a) => a.targetId)).toEqual([two.id, one.id])
    expect(await list(`moderatorId=${other.user.id}&targetType=post`)).toEqual([])
    const since = new Date(startedAt).toISOString()
    const recent = await list(`from=${encodeURIComponent(since)}&action=hide`)
    expect(recent.map((a) => a.targetId)).toEqual([three.id, two.id, one.id])
    expect(await list(`to=${encodeURIComponent(since)}&moderatorId=${other.user.id}`)).toEqual([])
    for (const bad of [
      'action=delete',
      'targetType=user',
      'moderatorId=42',
      'from=yesterday',
      'colour=red',
    ]) {
      expect((await c.call('GET', `/api/moderation/actions?${bad}`, moderator)).statusCode, bad).toBe(400)
    }
    const reversed = await c.call(
      'GET',
      `/api/moderation/actions?from=${encodeURIComponent(since)}&to=${encodeURIComponent(since)}`,
      moderator,
    )
    expect(reversed.statusCode).toBe(400)
    expect((await c.call('GET', '/api/moderation/actions?action=hide', member)).statusCode).toBe(403)
  })
})
