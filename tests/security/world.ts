import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuthTokens } from '@quartiere/contracts'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import sharp from 'sharp'
import { point, validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'

/**
 * The roles of the authorization matrix. `member` owns the resources of the fixture world; `other` is a member
 * with no tie to them; `manager` manages the member's group (and so the things inside it).
 */
export const roles = ['anonymous', 'member', 'other', 'manager', 'moderator', 'researcher', 'admin'] as const
export type Role = (typeof roles)[number]

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

/**
 * Limits that would otherwise stop a suite sending many requests from one member and one address in a few
 * seconds; what they protect is tested elsewhere.
 */
export const permissiveEnv = {
  NEW_ACCOUNT_POSTS_PER_HOUR: '100000',
  POSTS_PER_HOUR: '100000',
  WRITES_PER_MINUTE: '0',
  EVENT_LOOP_DELAY_MAX_MS: '0',
  OUTBOX_POLL_INTERVAL_MS: '200',
  PASSWORD_RESETS_PER_IP_PER_HOUR: '100000',
  VERIFICATION_EMAILS_PER_MEMBER_PER_HOUR: '100000',
  // Push devices the matrix subscribes point at a host that never resolves: no request leaves the machine.
  PUSH_ENDPOINT_HOSTS: 'push.invalid',
}

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString()

const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [7.68, 45.07],
      [7.69, 45.07],
      [7.69, 45.08],
      [7.68, 45.08],
      [7.68, 45.07],
    ],
  ],
}

/**
 * A small neighbourhood built through the API once per test file: users of every role, and one of each kind of
 * resource owned by `member` (with `peer`, a member outside the matrix, as the other party of transfers,
 * exchanges and pledges). Factories make fresh targets for requests that use up what they act on.
 */
export async function buildWorld(env: Record<string, string> = {}) {
  const mediaDir = await mkdtemp(join(tmpdir(), 'quartiere-security-'))
  const t: TestApp = await createTestApp({ ...permissiveEnv, MEDIA_DIR: mediaDir, ...env })
  const tokens = {
    member: await t.signUp({ displayName: 'Mara Member' }),
    other: await t.signUp({ displayName: 'Otto Other' }),
    manager: await t.signUp({ displayName: 'Manu Manager' }),
    moderator: await t.signUp({ as: 'moderator', displayName: 'Moni Moderator' }),
    researcher: await t.signUp({ as: 'researcher', displayName: 'Rita Researcher' }),
    admin: await t.signUp({ as: 'admin', displayName: 'Ada Admin' }),
    peer: await t.signUp({ displayName: 'Pia Peer' }),
  }
  const emails = Object.fromEntries(
    await Promise.all(
      Object.entries(tokens).map(async ([name, tok]) => {
        const row = await t.database.db
          .selectFrom('users')
          .select('email')
          .where('id', '=', tok.user.id)
          .executeTakeFirstOrThrow()
        return [name, row.email] as const
      }),
    ),
  ) as Record<keyof typeof tokens, string>

  function tokensOf(role: Role | 'peer'): AuthTokens | undefined {
    return role === 'anonymous' ? undefined : tokens[role]
  }

  async function call(
    who: Role | 'peer' | AuthTokens | undefined,
    method: Method,
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const actor = typeof who === 'string' ? tokensOf(who) : who
    const options: InjectOptions = {
      method,
      url,
      headers: { ...(actor ? bearer(actor) : {}), ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    }
    return t.request(options)
  }

  /** A call that must succeed; the fixture is broken otherwise. */
  async function ok<T = Record<string, unknown>>(
    who: Role | 'peer' | AuthTokens,
    method: Method,
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await call(who, method, url, payload, headers)
    if (response.statusCode >= 300)
      throw new Error(`fixture: ${method} ${url} answered ${response.statusCode} ${response.body}`)
    return (response.body ? response.json() : undefined) as T
  }

  const key = () => ({ 'idempotency-key': randomUUID() })
  const id = (body: Record<string, unknown>) => body.id as string

  async function timeAccount(who: 'member' | 'peer') {
    const list = await ok<{ items: { id: string; currency: string; owner: { type: string } }[] }>(
      who,
      'GET',
      '/api/ledger/accounts',
    )
    return list.items.find((a) => a.currency === 'TIME' && a.owner.type === 'user')!.id
  }

  // The group the member owns and the manager manages; a closed one for requests to join.
  const group = id(await ok('member', 'POST', '/api/entities', validEntityByKind.group))
  await ok('manager', 'POST', `/api/entities/${group}/members`, {})
  await ok('member', 'PATCH', `/api/entities/${group}/members/${tokens.manager.user.id}`, { role: 'manager' })
  const closedGroup = id(
    await ok('member', 'POST', '/api/entities', {
      ...validEntityByKind.group,
      title: 'Gruppo chiuso',
      properties: { membership: 'closed' },
    }),
  )
  await t.database.db
    .insertInto('group_members')
    .values({ group_id: closedGroup, user_id: tokens.manager.user.id, role: 'manager' })
    .execute()

  async function freshEntity(who: 'member' | 'peer' = 'member', body: object = validEntityByKind.space) {
    return id(
      await ok(who, 'POST', '/api/entities', {
        ...body,
        ...(who === 'member' ? { parentId: group } : {}),
      }),
    )
  }
  const entity = await freshEntity()
  const project = id(await ok('member', 'POST', '/api/entities', validEntityByKind.project))
  const peerOffer = await freshEntity('peer', validEntityByKind.offer)
  const peerProject = id(await ok('peer', 'POST', '/api/entities', validEntityByKind.project))

  async function freshPost() {
    return id(await ok('member', 'POST', `/api/entities/${entity}/posts`, { body: 'Ci vediamo in cortile' }))
  }
  const post = await freshPost()
  async function freshComment() {
    return id(await ok('member', 'POST', `/api/posts/${post}/comments`, { body: 'Porto le sedie' }))
  }
  const comment = await freshComment()

  // Credits, so that the member can hold, pay and pledge as often as the matrix asks.
  const memberAccount = await timeAccount('member')
  const peerAccount = await timeAccount('peer')
  await ok('admin', 'POST', '/api/ledger/issuance', {
    id: randomUUID(),
    to: { userId: tokens.member.user.id },
    amount: '200.00',
    memo: 'benvenuto',
  })
  const transfer = id(
    await ok(
      'member',
      'POST',
      '/api/ledger/transfers',
      { to: { userId: tokens.peer.user.id }, amount: '1.00' },
      key(),
    ),
  )
  // The peer's payment notifies the member.
  await ok(
    'peer',
    'POST',
    '/api/ledger/transfers',
    { to: { userId: tokens.member.user.id }, amount: '0.50' },
    key(),
  )
  const notifications = await ok<{ items: { id: string }[] }>('member', 'GET', '/api/notifications')
  const notification = notifications.items[0]!.id

  async function freshHold() {
    return id(
      await ok(
        'member',
        'POST',
        '/api/ledger/transfers',
        { to: { userId: tokens.peer.user.id }, amount: '0.01', pending: true, timeoutSeconds: 3600 },
        key(),
      ),
    )
  }
  const hold = await freshHold()
  /** The member receives the peer's service: the member's hours are held for the peer. */
  async function freshExchange() {
    return id(await ok('member', 'POST', `/api/entities/${peerOffer}/exchanges`, { hours: '0.10' }))
  }
  const exchange = await freshExchange()

  const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .png()
    .toBuffer()
  function multipart(data: Buffer) {
    const boundary = `----quartiere${randomUUID()}`
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`,
    )
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    return {
      payload: Buffer.concat([head, data, tail]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    }
  }
  const upload = multipart(image)
  const media = id(
    await ok('member', 'POST', `/api/media?entityId=${entity}`, upload.payload, upload.headers),
  )

  // A coupon of the member's group; the member and the peer hold some.
  const currency = `SEC${randomUUID()
    .replace(/[^A-Z]/gi, '')
    .slice(0, 5)
    .toUpperCase()}`
  await ok('member', 'POST', '/api/ledger/currencies', {
    code: currency,
    name: 'Buono sicurezza',
    kind: 'coupon',
    issuerGroupId: group,
    terms: 'Valid at the garden kiosk.',
  })
  for (const [who, amount] of [
    ['member', '5000'],
    ['peer', '5000'],
  ] as const) {
    await ok('member', 'POST', `/api/ledger/currencies/${currency}/mint`, {
      id: randomUUID(),
      to: { userId: tokens[who].user.id },
      amount,
      memo: 'Mint',
    })
  }
  const currencyAccounts = await ok<{ items: { id: string; currency: string; owner: { type: string } }[] }>(
    'member',
    'GET',
    '/api/ledger/accounts',
  )
  const memberCurrencyAccount = currencyAccounts.items.find(
    (a) => a.currency === currency && a.owner.type === 'user',
  )!.id
  const peerCurrencyAccount = (
    await ok<{ items: { id: string; currency: string; owner: { type: string } }[] }>(
      'peer',
      'GET',
      '/api/ledger/accounts',
    )
  ).items.find((a) => a.currency === currency && a.owner.type === 'user')!.id

  /** A campaign of the member's on the member's project: TIME in, the coupon back. */
  async function freshCampaign(options: { deposit?: boolean; owner?: 'member' | 'peer'; cap?: string } = {}) {
    const owner = options.owner ?? 'member'
    const campaign = id(
      await ok(owner, 'POST', '/api/campaigns', {
        entityId: owner === 'member' ? project : peerProject,
        title: 'Panchine nel cortile',
        acceptCurrency: 'TIME',
        giveCurrency: currency,
        ratio: { accept: '1.00', give: '1' },
        cap: options.cap ?? '20.00',
        endsAt: inDays(7),
      }),
    )
    if (options.deposit !== false) await ok(owner, 'POST', `/api/campaigns/${campaign}/deposit`)
    return campaign
  }
  const campaign = await freshCampaign()
  const peerPledge = (
    await ok<{ pledge: { id: string } }>(
      'peer',
      'POST',
      `/api/campaigns/${campaign}/pledges`,
      { amount: '1.00' },
      key(),
    )
  ).pledge.id
  const peerCampaign = await freshCampaign({ owner: 'peer', cap: '1000.00' })
  /** A pledge of the member's, held, on the peer's campaign. */
  async function freshPledge() {
    return (
      await ok<{ pledge: { id: string } }>(
        'member',
        'POST',
        `/api/campaigns/${peerCampaign}/pledges`,
        { amount: '1.00' },
        key(),
      )
    ).pledge.id
  }
  const pledge = await freshPledge()

  async function freshPact(body: object = {}) {
    return id(
      await ok('member', 'POST', '/api/pacts', { title: 'Patto del cortile', geometry: square, ...body }),
    )
  }
  const pact = await freshPact()
  const signedPact = await freshPact({ signatoryGroups: [group] })
  await ok('admin', 'POST', `/api/pacts/${signedPact}/transitions`, { to: 'co-design' })
  await ok('admin', 'POST', `/api/pacts/${signedPact}/transitions`, { to: 'signed' })

  async function freshReport() {
    const target = await freshPost()
    return id(
      await ok('peer', 'POST', '/api/reports', { targetType: 'post', targetId: target, reason: 'spam' }),
    )
  }
  const report = await freshReport()
  async function freshHiddenEntity() {
    const target = await freshEntity()
    await ok('moderator', 'POST', '/api/moderation/hide', {
      targetType: 'entity',
      targetId: target,
      reason: 'check',
    })
    return target
  }

  const initiativeSlug = () => `sec-${randomUUID().slice(0, 8)}`
  const initiative = (
    await ok<{ slug: string }>('moderator', 'POST', '/api/initiatives', {
      slug: initiativeSlug(),
      name: 'Quartiere sicuro',
    })
  ).slug

  /** A user straight in the database (no token): the target of role changes and removals. */
  async function freshUser() {
    const row = await t.database.db
      .insertInto('users')
      .values({
        email: `fresh.${randomUUID()}@example.org`,
        display_name: 'Fresh',
        password_hash: '!',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }
  async function freshGroupMember() {
    const user = await freshUser()
    await t.database.db
      .insertInto('group_members')
      .values({ group_id: group, user_id: user, role: 'member' })
      .execute()
    return user
  }
  async function freshJoinRequest() {
    const user = await freshUser()
    const row = await t.database.db
      .insertInto('group_join_requests')
      .values({ group_id: closedGroup, user_id: user })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }
  /** A user of the role, signed up now: for requests that use up their caller (a password change, erasure). */
  async function freshActor(role: Exclude<Role, 'anonymous'>) {
    return t.signUp({ as: role === 'other' || role === 'manager' ? 'member' : role })
  }

  async function currentVersion(url: string) {
    const response = await call('member', 'GET', url)
    return (response.headers.etag as string | undefined) ?? '"1"'
  }

  return {
    t,
    tokens,
    emails,
    tokensOf,
    call,
    ok,
    key,
    multipart,
    image,
    ids: {
      group,
      closedGroup,
      entity,
      project,
      peerOffer,
      post,
      comment,
      memberAccount,
      peerAccount,
      transfer,
      notification,
      hold,
      exchange,
      media,
      currency,
      memberCurrencyAccount,
      peerCurrencyAccount,
      campaign,
      peerPledge,
      peerCampaign,
      pledge,
      pact,
      signedPact,
      report,
      initiative,
    },
    fresh: {
      entity: freshEntity,
      hiddenEntity: freshHiddenEntity,
      post: freshPost,
      comment: freshComment,
      hold: freshHold,
      exchange: freshExchange,
      campaign: freshCampaign,
      pledge: freshPledge,
      pact: freshPact,
      report: freshReport,
      initiativeSlug,
      user: freshUser,
      groupMember: freshGroupMember,
      joinRequest: freshJoinRequest,
      actor: freshActor,
    },
    currentVersion,
    async close() {
      await t.close()
      await rm(mediaDir, { recursive: true, force: true })
    },
  }
}

export type World = Awaited<ReturnType<typeof buildWorld>>

/**
 * A digest of every table a request could change, one per table. A refused request must leave all of them as
 * they were. Left out: the outbox (only committed writes reach it), migrations, the idempotency records of
 * the ledger, which remember a refusal on purpose so that a retry gets the same answer, the rate-limit
 * counters and failed logins, which count refused requests on purpose, and push_progress, the push sender's
 * mark in the outbox, which the setup's own committed notifications move in the background.
 */
export async function databaseFingerprint(w: World): Promise<Record<string, string>> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
      AND table_name NOT IN ('events_outbox', 'events_outbox_pruned', 'schema_migrations', 'transfer_requests',
        'spatial_ref_sys', 'rate_limit_counters', 'login_failures', 'push_progress')
    ORDER BY table_name`.execute(w.t.database.db)
  const parts = tables.rows.map(
    ({ table_name }) =>
      sql`SELECT ${table_name}::text AS name, coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS digest FROM ${sql.id(table_name)} x`,
  )
  const result = await sql<{ name: string; digest: string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(
    w.t.database.db,
  )
  return Object.fromEntries(result.rows.map((r) => [r.name, r.digest]))
}

/**
 * Every row that names the member (as user, author, owner, backer, creator), as a digest per row: what others
 * may never change or remove. New rows may appear only in the member's notifications (someone asked to join
 * the member's group).
 */
export async function memberRows(w: World): Promise<Map<string, string>> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND data_type = 'uuid'
      AND column_name IN ('user_id', 'author_id', 'owner_user_id', 'owner_id', 'backer_id', 'created_by',
        'proposer_id', 'reporter_id')
      AND table_name NOT IN ('events_outbox', 'transfer_requests')
    ORDER BY table_name, column_name`.execute(w.t.database.db)
  const memberId = w.tokens.member.user.id
  const parts = columns.rows.map(
    ({ table_name, column_name }) =>
      sql`SELECT ${`${table_name}.${column_name}`}::text AS name, md5(x::text) AS digest FROM ${sql.id(table_name)} x WHERE x.${sql.id(column_name)} = ${memberId}::uuid`,
  )
  parts.push(
    sql`SELECT 'users'::text AS name, md5(x::text) AS digest FROM users x WHERE x.id = ${memberId}::uuid`,
  )
  const result = await sql<{ name: string; digest: string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(
    w.t.database.db,
  )
  return new Map(result.rows.map((r) => [`${r.name}:${r.digest}`, r.name]))
}

/** What changed in the member's rows: rows changed or removed, and rows added outside notifications. */
export function memberRowsChanged(before: Map<string, string>, after: Map<string, string>): string[] {
  const gone = [...before.keys()].filter((row) => !after.has(row)).map((row) => `changed ${before.get(row)}`)
  const added = [...after.keys()]
    .filter((row) => !before.has(row) && !after.get(row)!.startsWith('notifications.'))
    .map((row) => `added ${after.get(row)}`)
  return [...gone, ...added]
}

export { point }
