import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type {
  AuthTokens,
  Campaign,
  Comment,
  EntityFeature,
  Exchange,
  Media,
  NotificationList,
  PersonalDataExport,
  Post,
  StatementLine,
} from '@quartiere/contracts'
import { settleDueCampaigns } from '@quartiere/ledger'
import { userReferences } from '@quartiere/personal-data'
import { sql } from 'kysely'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { code, money } from '../currencies/helpers'
import { point, validEntityByKind } from '../support/fixtures'
import { expectBooksBalance, pay } from '../support/ledger'
import { bearer, createTestApp, type TestApp, testPassword } from '../support/test-app'

// GDPR self-service: a member exports everything the platform holds about them (Art. 15 and 20), then erases it
// (Art. 17). Erasure leaves the books balanced (the transfers stay, on a pseudonymous tombstone's accounts), the
// threads readable (their posts read "Former member"), and no row anywhere that holds their email, their name
// or their id: the whole database is searched, every table, every column as text.

let t: TestApp
let m: ReturnType<typeof money>
let mediaDir: string
let zeb: AuthTokens
let anna: AuthTokens
let bruno: AuthTokens
const zebName = `Zebulon Quattrocchi-${randomUUID().slice(0, 8)}`

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'quartiere-gdpr-'))
  // The overload guard judges this machine's load, not erasure: off, so a busy CI box cannot fail the test.
  t = await createTestApp({ MEDIA_DIR: mediaDir, EVENT_LOOP_DELAY_MAX_MS: '0' })
  m = money(t)
  zeb = await t.signUp({ displayName: zebName })
  anna = await t.signUp()
  bruno = await t.signUp()
})
afterAll(async () => {
  await t?.close()
  await rm(mediaDir, { recursive: true, force: true })
})

async function exportOf(tokens: AuthTokens) {
  return t.request({ method: 'GET', url: '/api/me/export', headers: bearer(tokens) })
}

function erase(tokens: AuthTokens, password = testPassword) {
  return t.request({ method: 'DELETE', url: '/api/me', headers: bearer(tokens), payload: { password } })
}

async function jpeg() {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .jpeg()
    .toBuffer()
}

async function upload(tokens: AuthTokens, entityId: string): Promise<Media> {
  const boundary = `----quartiere${randomUUID()}`
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="me.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    await jpeg(),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  const response = await t.request({
    method: 'POST',
    url: `/api/media?entityId=${entityId}`,
    headers: { ...bearer(tokens), 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as Media
}

/** Every base table of the public schema, with how many of its rows hold `needle` (case-insensitive) as text. */
async function tablesHolding(needle: string): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(t.database.db)
  expect(tables.rows.length).toBeGreaterThan(20)
  const found: Record<string, number> = {}
  for (const { table_name } of tables.rows) {
    const result = await sql<{ n: string }>`
      SELECT count(*) AS n FROM ${sql.table(table_name)} AS row
       WHERE strpos(lower(row::text), lower(${needle})) > 0`.execute(t.database.db)
    const n = Number(result.rows[0]?.n ?? 0)
    if (n > 0) found[table_name] = n
  }
  return found
}

/**
 * A fingerprint of every row of every table but PostGIS's own and the rate-limit counters (which count refused
 * requests on purpose): equal fingerprints, nothing changed.
 */
async function databaseFingerprint(): Promise<Record<string, string>> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       -- push_progress: the push sender's position in the event log, moved in the background as earlier events
       -- are delivered (whenever the relay runs), not by the request under test; it holds nothing of a member.
       AND table_name NOT IN ('spatial_ref_sys', 'rate_limit_counters', 'login_failures', 'push_progress')
     ORDER BY table_name`.execute(t.database.db)
  const fingerprint: Record<string, string> = {}
  for (const { table_name } of tables.rows) {
    const result = await sql<{ digest: string | null }>`
      SELECT md5(string_agg(row::text, '|' ORDER BY row::text)) AS digest
        FROM ${sql.table(table_name)} AS row`.execute(t.database.db)
    fingerprint[table_name] = result.rows[0]?.digest ?? 'empty'
  }
  return fingerprint
}

async function statementOf(tokens: AuthTokens, accountId: string): Promise<StatementLine[]> {
  const statement = await m.ok<{ items: StatementLine[] }>(
    'GET',
    `/api/ledger/accounts/${accountId}/transfers?limit=100`,
    tokens,
  )
  return statement.items
}

describe('export and erasure of a member with a rich history', () => {
  // Built up by the first test, examined by the next ones (they run in order, on one database).
  const history = {
    space: '',
    annaSpace: '',
    annaPost: '',
    offer: '',
    privateRequest: '',
    group: '',
    ownGroup: '',
    post: '',
    comment: '',
    media: '',
    exchange: '',
    pledge: '',
    campaign: '',
    report: '',
    zebTimeAccount: '',
    annaTimeAccount: '',
  }
  let annaStatementBefore: StatementLine[] = []

  it('builds the history: things, a thread, an image, groups, follows, transfers both ways, an exchange, a report, a pledge', async () => {
    const space = await m.ok<EntityFeature>('POST', '/api/entities', zeb, validEntityByKind.space)
    const offer = await m.ok<EntityFeature>('POST', '/api/entities', zeb, validEntityByKind.offer)
    // Their home: stored exactly, and after erasure gone from the map and from the database.
    const privateRequest = await m.ok<EntityFeature>('POST', '/api/entities', zeb, {
      ...validEntityByKind.request,
      geometry: point(7.65432, 45.04321),
      locationPrivate: true,
    })
    const annaSpace = await m.ok<EntityFeature>('POST', '/api/entities', anna, validEntityByKind.space)
    history.space = space.id as string
    history.annaSpace = annaSpace.id as string
    history.offer = offer.id as string
    history.privateRequest = privateRequest.id as string

    // Follows: zeb follows Anna's space and hears of her post there.
    await m.ok('PUT', `/api/entities/${annaSpace.id}/subscription`, zeb, undefined, 201)
    const annaPost = await m.ok<Post>('POST', `/api/entities/${annaSpace.id}/posts`, anna, {
      body: 'Aperti anche il sabato.',
    })

    // A thread: zeb posts with an image on his space; Anna comments; zeb comments on Anna's post.
    const media = await upload(zeb, history.space)
    history.media = media.id
    const post = await m.ok<Post>('POST', `/api/entities/${history.space}/posts`, zeb, {
      title: 'Inaugurazione',
      body: 'Vi aspetto tutti.',
      images: [media.id],
    })
    history.post = post.id
    await m.ok<Comment>('POST', `/api/posts/${post.id}/comments`, anna, { body: 'Ci sarò!' })
    const comment = await m.ok<Comment>('POST', `/api/posts/${annaPost.id}/comments`, zeb, {
      body: 'Ottima notizia.',
    })
    history.comment = comment.id
    history.annaPost = annaPost.id

    // Groups: zeb joins Bruno's open group (Bruno is told, by name), and owns one of his own.
    const group = await m.group(bruno)
    history.group = group.id as string
    await m.ok('POST', `/api/entities/${history.group}/members`, zeb, {})
    const ownGroup = await m.group(zeb)
    history.ownGroup = ownGroup.id as string

    // Transfers both ways, and an exchange on zeb's offer that Anna confirms.
    for (const [from, to, amount] of [
      [zeb, anna, '2.00'],
      [anna, zeb, '0.50'],
    ] as const) {
      const response = await pay(t, from, { to: { userId: to.user.id }, amount, memo: 'Grazie' })
      expect(response.statusCode, response.body).toBe(201)
    }
    const exchange = await m.ok<Exchange>('POST', `/api/entities/${history.offer}/exchanges`, anna, {
      hours: '1.00',
    })
    await m.ok('POST', `/api/ledger/exchanges/${exchange.id}/confirm`, anna, {}, 200)
    history.exchange = exchange.id

    // A report of a post of Anna's.
    const report = await m.ok<{ id: string }>('POST', '/api/reports', zeb, {
      targetType: 'post',
      targetId: annaPost.id,
      reason: 'spam',
    })
    history.report = report.id

    // A pledge to Bruno's campaign, in a coin of Bruno's group.
    const coin = code('GDPR')
    const coupon = code('GDPRC')
    await m.currency(bruno, { code: coin, name: 'Moneta', kind: 'coin', issuerGroupId: history.group })
    await m.currency(bruno, { code: coupon, name: 'Buono', kind: 'coupon', issuerGroupId: history.group })
    await m.mint(bruno, coin, { userId: zeb.user.id }, '10.00')
    await m.mint(bruno, coupon, { userId: bruno.user.id }, '10')
    const project = await m.project(bruno)
    const campaign = await m.ok<Campaign>('POST', '/api/campaigns', bruno, {
      entityId: project.id,
      title: 'Panchine',
      acceptCurrency: coin,
      giveCurrency: coupon,
      ratio: { accept: '2.00', give: '1' },
      cap: '4.00',
      goal: '2.00',
      endsAt: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
    })
    await m.ok('POST', `/api/campaigns/${campaign.id}/deposit`, bruno, undefined, 200)
    history.campaign = campaign.id
    history.pledge = randomUUID()
    await m.ok('POST', `/api/campaigns/${campaign.id}/pledges`, zeb, { id: history.pledge, amount: '2.00' })

    history.zebTimeAccount = (await m.balance(zeb, 'TIME'))!.id
    history.annaTimeAccount = (await m.balance(anna, 'TIME'))!.id
    await expectBooksBalance(t.database)
  })

  it('exports every section with their data, as a JSON attachment, and no one else’s email', async () => {
    const response = await exportOf(zeb)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="[^"]+\.json"$/)
    expect(response.headers['cache-control']).toBe('no-store')
    for (const other of [anna, bruno]) expect(response.body).not.toContain(other.user.email)

    const data = response.json() as PersonalDataExport
    expect(data.formatVersion).toBe(1)
    expect(Number.isNaN(Date.parse(data.generatedAt))).toBe(false)
    expect(data.truncated).toEqual([])
    expect(data.profile).toMatchObject({ id: zeb.user.id, email: zeb.user.email, displayName: zebName })
    expect(data.sessions.length).toBeGreaterThan(0)

    expect(data.accounts.map((a) => a.currency).sort()).toEqual(
      expect.arrayContaining(['TIME', expect.stringMatching(/^GDPR/)]),
    )
    const time = data.accounts.find((a) => a.currency === 'TIME')!
    // -2.00 + 0.50 + 1.00 (the exchange)
    expect(time.balance).toBe('-0.50')
    const timeTransfers = data.transfers.filter((tr) => tr.currency === 'TIME')
    expect(timeTransfers.map((tr) => tr.direction).sort()).toEqual(['credit', 'credit', 'credit', 'debit'])
    expect(timeTransfers.every((tr) => tr.accountId === time.id)).toBe(true)
    expect(timeTransfers.find((tr) => tr.direction === 'debit')).toMatchObject({
      amount: '2.00',
      createdByMe: true,
      counterparty: { accountId: history.annaTimeAccount, ownerType: 'user', name: anna.user.displayName },
    })
    expect(data.exchanges).toEqual([
      expect.objectContaining({ id: history.exchange, role: 'provider', state: 'confirmed' }),
    ])

    expect(data.entities.map((e) => e.id).sort()).toEqual(
      [history.space, history.offer, history.privateRequest, history.ownGroup].sort(),
    )
    // Their own home, exactly where they put it.
    const home = data.entities.find((e) => e.id === history.privateRequest)!
    expect(home.locationPrivate).toBe(true)
    expect(home.geometry).toEqual({ type: 'Point', coordinates: [7.65432, 45.04321] })

    expect(data.posts).toEqual([
      expect.objectContaining({ id: history.post, entityId: history.space, mediaIds: [history.media] }),
    ])
    expect(data.comments).toEqual([expect.objectContaining({ id: history.comment, body: 'Ottima notizia.' })])
    expect(data.media).toEqual([
      expect.objectContaining({ id: history.media, url: `/api/media/${history.media}` }),
    ])
    expect(data.groups.map((g) => [g.groupId, g.role]).sort()).toEqual(
      [
        [history.group, 'member'],
        [history.ownGroup, 'owner'],
      ].sort(),
    )
    // Their own things (authors follow what they map) and Anna's space.
    expect(data.follows.map((f) => f.entityId)).toContain(history.annaSpace)
    const topics = data.notifications.map((n) => n.topic)
    expect(topics).toEqual(expect.arrayContaining(['post.created']))
    expect(data.reports).toEqual([expect.objectContaining({ id: history.report, reason: 'spam' })])
    expect(data.pledges).toEqual([
      expect.objectContaining({
        id: history.pledge,
        campaignId: history.campaign,
        amount: '2.00',
        state: 'held',
      }),
    ])
  })

  it('refuses a wrong password, a hold in progress and a group only they own, and changes nothing', async () => {
    const before = await databaseFingerprint()

    const wrong = await erase(zeb, 'not the password at all')
    expect(wrong.statusCode, wrong.body).toBe(403)
    expect(wrong.json().code).toBe('invalid_credentials')

    // The pledge is a hold on zeb's coin account, until the campaign settles.
    const held = await erase(zeb)
    expect(held.statusCode, held.body).toBe(422)
    expect(held.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(held.json().code).toBe('pending_transfers')
    expect(await databaseFingerprint()).toEqual(before)

    await sql`UPDATE campaigns SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 second'
               WHERE id = ${history.campaign}::uuid`.execute(t.database.db)
    await settleDueCampaigns(t.app.ledger)
    expect((await m.campaign(history.campaign)).state).toBe('funded')

    const beforeOwner = await databaseFingerprint()
    const owner = await erase(zeb)
    expect(owner.statusCode, owner.body).toBe(422)
    expect(owner.json().code).toBe('sole_group_owner')
    expect(owner.json().detail).toContain(history.ownGroup)
    expect(await databaseFingerprint()).toEqual(beforeOwner)
    await m.ok('GET', '/api/me', zeb, undefined, 200)

    // Handing the group over, as leaving it would require.
    await m.ok('POST', `/api/entities/${history.ownGroup}/members`, anna, {})
    await m.ok(
      'PATCH',
      `/api/entities/${history.ownGroup}/members/${anna.user.id}`,
      zeb,
      { role: 'owner' },
      200,
    )
  })

  it('erases: 204, their tokens and login stop working, the books still balance', async () => {
    annaStatementBefore = await statementOf(anna, history.annaTimeAccount)
    expect((await tablesHolding(zeb.user.id)).users).toBe(1)

    const response = await erase(zeb)
    expect(response.statusCode, response.body).toBe(204)

    for (const [method, url] of [
      ['GET', '/api/me'],
      ['GET', '/api/ledger/accounts'],
      ['GET', '/api/me/export'],
      ['POST', '/api/entities'],
    ] as const) {
      const after = await m.call(method, url, zeb, method === 'POST' ? validEntityByKind.space : undefined)
      expect(after.statusCode, `${method} ${url}: ${after.body}`).toBe(401)
    }
    const login = await t.request({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: zeb.user.email, password: testPassword },
    })
    expect(login.statusCode).toBe(401)
    const refresh = await t.request({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: zeb.refreshToken },
    })
    expect(refresh.statusCode).toBe(401)

    await expectBooksBalance(t.database)
    const sums = await sql<{ currency: string; total: string }>`
      SELECT currency, sum(credits_posted - debits_posted)::text AS total FROM accounts GROUP BY currency`.execute(
      t.database.db,
    )
    for (const row of sums.rows) expect(row, row.currency).toMatchObject({ total: '0' })

    // Anna's statement: the same transfers, amounts and balances; only who created them no longer names zeb.
    const annaStatementAfter = await statementOf(anna, history.annaTimeAccount)
    const withoutCreator = (items: StatementLine[]) => items.map(({ createdBy: _c, ...line }) => line)
    expect(withoutCreator(annaStatementAfter)).toEqual(withoutCreator(annaStatementBefore))
    expect(annaStatementAfter.some((line) => line.createdBy === zeb.user.id)).toBe(false)
    expect(annaStatementBefore.some((line) => line.createdBy === zeb.user.id)).toBe(true)

    // Their accounts stay, under the tombstone, frozen at their balance.
    const account = await t.database.db
      .selectFrom('accounts')
      .innerJoin('users', 'users.id', 'accounts.owner_user_id')
      .select(['users.display_name', 'users.erased_at', 'accounts.lower_limit', 'accounts.upper_limit'])
      .where('accounts.id', '=', history.zebTimeAccount)
      .executeTakeFirstOrThrow()
    expect(account).toMatchObject({ display_name: 'Former member', lower_limit: '-50', upper_limit: '-50' })
    expect(account.erased_at).not.toBeNull()
    const payTombstone = await pay(t, anna, { to: history.zebTimeAccount, amount: '1.00' })
    expect(payTombstone.statusCode, payTombstone.body).toBe(422)
  })

  it('keeps their posts, comments and things, anonymous; removes their home, their image and memberships', async () => {
    const post = await m.ok<Post>('GET', `/api/posts/${history.post}`, anna, undefined, 200)
    const tombstone = post.author
    expect(tombstone?.displayName).toBe('Former member')
    expect(tombstone?.id).not.toBe(zeb.user.id)
    const comments = await m.ok<{ items: Comment[] }>(
      'GET',
      `/api/posts/${history.annaPost}/comments`,
      anna,
      undefined,
      200,
    )
    expect(comments.items.find((c) => c.id === history.comment)?.author).toEqual(tombstone)
    const space = await m.ok<EntityFeature>('GET', `/api/entities/${history.space}`, anna, undefined, 200)
    expect(space.properties.author).toEqual(tombstone)

    const home = await m.call('GET', `/api/entities/${history.privateRequest}`, anna)
    expect(home.statusCode).toBe(404)
    const stored = await sql<{ lon: number; lat: number; title: string }>`
      SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, title FROM entities WHERE id = ${history.privateRequest}::uuid`.execute(
      t.database.db,
    )
    expect(stored.rows[0]?.title).toBe('Removed')
    expect([stored.rows[0]?.lon, stored.rows[0]?.lat]).not.toEqual([7.65432, 45.04321])

    expect((await m.call('GET', `/api/media/${history.media}`, anna)).statusCode).toBe(404)
    expect(await readdir(mediaDir)).not.toContain(history.media)

    const members = await m.ok<{ items: { user: { id: string } }[] }>(
      'GET',
      `/api/entities/${history.group}/members`,
      bruno,
      undefined,
      200,
    )
    expect(members.items.map((member) => member.user.id)).not.toContain(zeb.user.id)

    // Bruno was told zeb joined his group: the notification now names the former member.
    const notifications = await m.ok<NotificationList>('GET', '/api/notifications', bruno, undefined, 200)
    const joined = notifications.items.find((n) => n.topic === 'group.member_joined')
    expect(joined?.payload.member).toEqual(tombstone)
  })

  it('leaves no row anywhere holding their email, name or id', async () => {
    expect(await tablesHolding(zeb.user.email)).toEqual({})
    expect(await tablesHolding(zebName)).toEqual({})
    expect(await tablesHolding(zeb.user.id)).toEqual({})
    // The search can find: Anna is still everywhere she was.
    expect(Object.keys(await tablesHolding(anna.user.id))).toEqual(
      expect.arrayContaining(['users', 'accounts', 'entities', 'posts', 'comments', 'events_outbox']),
    )
  })

  it('lets nobody log in as the tombstone', async () => {
    const tombstone = await t.database.db
      .selectFrom('users')
      .select('email')
      .where('erased_at', 'is not', null)
      .executeTakeFirstOrThrow()
    expect(tombstone.email).toMatch(/@erased\.invalid$/)
    for (const password of [testPassword, '!erased', '']) {
      const login = await t.request({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: tombstone.email, password },
      })
      expect([400, 401]).toContain(login.statusCode)
    }
  })
})

describe('erasure covers every reference to users', () => {
  it('has a rule for every foreign key that points at users', async () => {
    const keys = await sql<{ table: string; column: string }>`
      SELECT cl.relname AS table, a.attname AS column
        FROM pg_constraint c
        JOIN pg_class cl ON cl.oid = c.conrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
       WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass`.execute(t.database.db)
    const handled = [...userReferences.deleted, ...userReferences.moved, ...userReferences.special].map(
      ([table, column]) => `${table}.${column}`,
    )
    const inDatabase = keys.rows.map((row) => `${row.table}.${row.column}`)
    expect(inDatabase.length).toBeGreaterThan(20)
    expect([...new Set(inDatabase)].sort()).toEqual([...new Set(handled)].sort())
  })
})

describe('the export', () => {
  it('needs a token and is limited to a few an hour per member', async () => {
    expect((await t.request({ method: 'GET', url: '/api/me/export' })).statusCode).toBe(401)
    const member = await t.signUp()
    for (let i = 0; i < 5; i++) expect((await exportOf(member)).statusCode).toBe(200)
    const sixth = await exportOf(member)
    expect(sixth.statusCode).toBe(429)
    // Another member is not held up by the first one's use.
    expect((await exportOf(anna)).statusCode).toBe(200)
  })

  it('is described in the OpenAPI document, with the erasure', async () => {
    const document = (await t.request({ method: 'GET', url: '/openapi.json' })).json()
    expect(document.paths['/api/me/export'].get.responses['200']).toBeDefined()
    expect(document.paths['/api/me'].delete.requestBody).toBeDefined()
  })
})

describe('erasure refusals', () => {
  it('refuses a member whose campaign still runs', async () => {
    const owner = await t.signUp()
    const group = await m.group(bruno)
    const coin = code('RUN')
    const coupon = code('RUNC')
    await m.currency(bruno, { code: coin, name: 'Moneta', kind: 'coin', issuerGroupId: group.id })
    await m.currency(bruno, { code: coupon, name: 'Buono', kind: 'coupon', issuerGroupId: group.id })
    const project = await m.project(owner)
    await m.ok<Campaign>('POST', '/api/campaigns', owner, {
      entityId: project.id,
      title: 'Fontana',
      acceptCurrency: coin,
      giveCurrency: coupon,
      ratio: { accept: '1.00', give: '1' },
      cap: '4.00',
      endsAt: new Date(Date.now() + 24 * 3600 * 1000).toISOString(),
    })
    const response = await erase(owner)
    expect(response.statusCode, response.body).toBe(422)
    expect(response.json().code).toBe('campaign_running')
    await m.ok('GET', '/api/me', owner, undefined, 200)
  })

  it('refuses a body with more than the password, and an anonymous caller', async () => {
    const member = await t.signUp()
    const extra = await t.request({
      method: 'DELETE',
      url: '/api/me',
      headers: bearer(member),
      payload: { password: testPassword, userId: anna.user.id },
    })
    expect(extra.statusCode).toBe(400)
    const anonymous = await t.request({
      method: 'DELETE',
      url: '/api/me',
      payload: { password: testPassword },
    })
    expect(anonymous.statusCode).toBe(401)
    await m.ok('GET', '/api/me', member, undefined, 200)
  })
})
