import type { DB } from '@quartiere/db'
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'

/** Raised when the document's shape changes in a way a reader of an older one would misread. */
export const personalDataFormatVersion = 1
/** Rows per section at most; a fuller section carries its newest rows and is named in `truncated`. */
export const personalDataSectionRowsMax = 50_000

/**
 * Everything the platform holds about one member (GDPR Art. 15 and 20), one section per kind of data. The shape
 * is `PersonalDataExport` in packages/contracts (the route checks the two agree). Other people appear by id and
 * display name only, never by email. Timestamps are RFC 3339 strings in UTC; amounts decimal strings.
 */
export interface PersonalData {
  formatVersion: typeof personalDataFormatVersion
  generatedAt: string
  truncated: PersonalDataSectionName[]
  profile: {
    id: string
    email: string
    displayName: string
    role: 'member' | 'moderator' | 'admin' | 'researcher'
    locale: string
    createdAt: string
    updatedAt: string
  }
  sessions: { createdAt: string; expiresAt: string; lastRotatedAt: string | null; revokedAt: string | null }[]
  accounts: {
    id: string
    currency: string
    balance: string
    debitsPending: string
    creditsPending: string
    lowerLimit: string | null
    upperLimit: string | null
    createdAt: string
  }[]
  transfers: {
    id: string
    accountId: string
    direction: 'debit' | 'credit'
    type: 'posted' | 'pending' | 'post_pending' | 'void_pending'
    amount: string
    currency: string
    balanceAfter: string
    counterparty: { accountId: string; ownerType: 'user' | 'group' | 'system'; name: string }
    memo: string
    entityId: string | null
    pendingId: string | null
    reversalOf: string | null
    expiresAt: string | null
    createdByMe: boolean
    createdAt: string
  }[]
  exchanges: {
    id: string
    entityId: string
    role: 'provider' | 'receiver'
    holdId: string
    state: 'open' | 'confirmed' | 'cancelled'
    createdAt: string
  }[]
  entities: {
    id: string
    kind: string
    title: string
    description: string
    geometry: { type: GeometryType; coordinates: unknown[] }
    locationPrivate: boolean
    validFrom: string | null
    validTo: string | null
    parentId: string | null
    categories: string[]
    tags: string[]
    properties: Record<string, unknown>
    createdAt: string
    updatedAt: string
    deletedAt: string | null
    hiddenAt: string | null
  }[]
  posts: {
    id: string
    entityId: string
    title: string
    body: string
    tags: string[]
    mediaIds: string[]
    createdAt: string
    updatedAt: string
    deletedAt: string | null
    hiddenAt: string | null
  }[]
  comments: {
    id: string
    postId: string
    body: string
    createdAt: string
    updatedAt: string
    deletedAt: string | null
    hiddenAt: string | null
  }[]
  media: {
    id: string
    entityId: string | null
    contentType: string
    width: number
    height: number
    bytes: number
    url: string
    thumbnailUrl: string
    createdAt: string
    deletedAt: string | null
    hiddenAt: string | null
  }[]
  groups: { groupId: string; title: string; role: 'owner' | 'manager' | 'member'; since: string }[]
  joinRequests: {
    id: string
    groupId: string
    message: string
    status: string
    createdAt: string
    decidedAt: string | null
  }[]
  follows: { entityId: string; title: string; since: string }[]
  notifications: {
    id: string
    topic: string
    entityId: string | null
    payload: Record<string, unknown>
    createdAt: string
    readAt: string | null
  }[]
  reports: {
    id: string
    targetType: string
    targetId: string
    reason: string
    details: string
    status: string
    createdAt: string
    resolvedAt: string | null
  }[]
  pactHistory: {
    id: string
    pactId: string
    type: string
    fromStatus: string | null
    toStatus: string | null
    groupId: string | null
    note: string
    createdAt: string
  }[]
  pactDocuments: {
    id: string
    pactId: string
    title: string
    url: string | null
    mediaId: string | null
    createdAt: string
  }[]
  campaigns: {
    id: string
    entityId: string
    title: string
    description: string
    ownedByMe: boolean
    acceptCurrency: string
    giveCurrency: string
    goal: string
    cap: string
    state: string
    startsAt: string
    endsAt: string
    createdAt: string
  }[]
  pledges: {
    id: string
    campaignId: string
    campaignTitle: string
    currency: string
    requested: string
    amount: string
    state: 'held' | 'posted' | 'voided'
    createdAt: string
  }[]
  currencies: { code: string; name: string; kind: string; createdAt: string }[]
  initiatives: { id: string; slug: string; name: string; createdAt: string }[]
  moderationActions: {
    id: string
    action: string
    targetType: string
    targetId: string
    reason: string
    createdAt: string
  }[]
}

type GeometryType = 'Point' | 'MultiPoint' | 'LineString' | 'MultiLineString' | 'Polygon' | 'MultiPolygon'
type Sections = Omit<PersonalData, 'formatVersion' | 'generatedAt' | 'truncated' | 'profile'>
export type PersonalDataSectionName = keyof Sections | 'profile'

/**
 * Reads everything about the member in one snapshot (a repeatable-read transaction: a transfer committing
 * meanwhile shows in both the balances and the transfers, or in neither). Undefined when there is no such member.
 *
 * @example
 * const data = await exportPersonalData(db, actor.userId)
 * if (!data) … // the account no longer exists
 */
export async function exportPersonalData(db: Kysely<DB>, userId: string): Promise<PersonalData | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => readPersonalData(trx, userId))
}

async function readPersonalData(trx: Transaction<DB>, userId: string): Promise<PersonalData | undefined> {
  const me = sql`${userId}::uuid`
  const profile = await sql<PersonalData['profile'] & { generatedAt: string }>`
    SELECT id, email, display_name AS "displayName", role, locale, quartiere_iso(created_at) AS "createdAt",
           quartiere_iso(updated_at) AS "updatedAt", quartiere_iso(now()) AS "generatedAt"
      FROM users WHERE id = ${me} AND erased_at IS NULL`.execute(trx)
  const found = profile.rows[0]
  if (!found) return undefined
  const { generatedAt, ...person } = found

  const truncated: PersonalDataSectionName[] = []
  /**
   * One section: its rows newest first up to the cap (one more tells whether there were more), returned oldest
   * first. `query` selects the section's fields and a `sort_key` (a timestamp) and `sort_id`.
   */
  async function section<K extends keyof Sections>(
    name: K,
    query: RawBuilder<unknown>,
  ): Promise<Sections[K]> {
    const result = await sql<Sections[K][number] & { sort_key: unknown; sort_id: unknown }>`
      SELECT * FROM (${query}) AS section ORDER BY sort_key DESC, sort_id DESC
       LIMIT ${personalDataSectionRowsMax + 1}`.execute(trx)
    let rows = result.rows
    if (rows.length > personalDataSectionRowsMax) {
      truncated.push(name)
      rows = rows.slice(0, personalDataSectionRowsMax)
    }
    return rows.reverse().map(({ sort_key: _key, sort_id: _id, ...row }) => row) as unknown as Sections[K]
  }

  const sessions = await section(
    'sessions',
    sql`SELECT quartiere_iso(created_at) AS "createdAt", quartiere_iso(expires_at) AS "expiresAt",
               quartiere_iso(used_at) AS "lastRotatedAt", quartiere_iso(revoked_at) AS "revokedAt",
               created_at AS sort_key, id AS sort_id
          FROM refresh_tokens WHERE user_id = ${me}`,
  )

  const accounts = await section(
    'accounts',
    sql`SELECT a.id, a.currency, ${amount(sql`a.credits_posted - a.debits_posted`)} AS balance,
               ${amount(sql`a.debits_pending`)} AS "debitsPending",
               ${amount(sql`a.credits_pending`)} AS "creditsPending",
               ${amount(sql`a.lower_limit`)} AS "lowerLimit", ${amount(sql`a.upper_limit`)} AS "upperLimit",
               quartiere_iso(a.created_at) AS "createdAt", a.created_at AS sort_key, a.id AS sort_id
          FROM accounts a JOIN currencies c ON c.code = a.currency
         WHERE a.owner_type = 'user' AND a.owner_user_id = ${me}`,
  )

  // Each transfer once per account of mine it touches (a member has one account per currency, so at most once).
  const transfers = await section(
    'transfers',
    sql`SELECT t.id, mine.id AS "accountId",
               CASE WHEN t.debit_account_id = mine.id THEN 'debit' ELSE 'credit' END AS direction,
               t.type, ${amount(sql`t.amount`)} AS amount, t.currency,
               ${amount(sql`CASE WHEN t.debit_account_id = mine.id THEN t.debit_balance_after
                                 ELSE t.credit_balance_after END`)} AS "balanceAfter",
               json_build_object(
                 'accountId', other.id,
                 'ownerType', other.owner_type,
                 'name', CASE other.owner_type
                           WHEN 'user' THEN (SELECT display_name FROM users WHERE id = other.owner_user_id)
                           WHEN 'group' THEN (SELECT title FROM entities WHERE id = other.owner_group_id)
                           ELSE other.system_name END
               ) AS counterparty,
               t.memo, t.entity_id AS "entityId", t.pending_id AS "pendingId", t.reversal_of AS "reversalOf",
               quartiere_iso(t.expires_at) AS "expiresAt", coalesce(t.created_by = ${me}, false) AS "createdByMe",
               quartiere_iso(t.created_at) AS "createdAt", t.seq AS sort_key, t.id AS sort_id
          FROM accounts mine
          JOIN currencies c ON c.code = mine.currency
          JOIN transfers t ON t.debit_account_id = mine.id OR t.credit_account_id = mine.id
          JOIN accounts other ON other.id = CASE WHEN t.debit_account_id = mine.id THEN t.credit_account_id
                                                 ELSE t.debit_account_id END
         WHERE mine.owner_type = 'user' AND mine.owner_user_id = ${me}`,
  )

  const exchanges = await section(
    'exchanges',
    sql`SELECT x.id, x.entity_id AS "entityId",
               CASE WHEN x.provider_id = ${me} THEN 'provider' ELSE 'receiver' END AS role, x.hold_id AS "holdId",
               CASE r.type WHEN 'post_pending' THEN 'confirmed' WHEN 'void_pending' THEN 'cancelled' ELSE 'open' END
                 AS state,
               quartiere_iso(x.created_at) AS "createdAt", x.created_at AS sort_key, x.id AS sort_id
          FROM exchanges x LEFT JOIN transfers r ON r.pending_id = x.hold_id
         WHERE x.provider_id = ${me} OR x.receiver_id = ${me}`,
  )

  // The exact geometry: these are the member's own, private locations included.
  const entities = await section(
    'entities',
    sql`SELECT id, kind, title, description, ST_AsGeoJSON(geom, 7)::json AS geometry,
               location_private AS "locationPrivate", quartiere_iso(valid_from) AS "validFrom",
               quartiere_iso(valid_to) AS "validTo", parent_id AS "parentId", categories, tags, properties,
               quartiere_iso(created_at) AS "createdAt", quartiere_iso(updated_at) AS "updatedAt",
               quartiere_iso(deleted_at) AS "deletedAt", quartiere_iso(hidden_at) AS "hiddenAt",
               created_at AS sort_key, id AS sort_id
          FROM entities WHERE author_id = ${me}`,
  )

  const posts = await section(
    'posts',
    sql`SELECT id, entity_id AS "entityId", title, body, tags, media_ids::text[] AS "mediaIds",
               quartiere_iso(created_at) AS "createdAt", quartiere_iso(updated_at) AS "updatedAt",
               quartiere_iso(deleted_at) AS "deletedAt", quartiere_iso(hidden_at) AS "hiddenAt",
               created_at AS sort_key, id AS sort_id
          FROM posts WHERE author_id = ${me}`,
  )

  const comments = await section(
    'comments',
    sql`SELECT id, post_id AS "postId", body, quartiere_iso(created_at) AS "createdAt",
               quartiere_iso(updated_at) AS "updatedAt", quartiere_iso(deleted_at) AS "deletedAt",
               quartiere_iso(hidden_at) AS "hiddenAt", created_at AS sort_key, id AS sort_id
          FROM comments WHERE author_id = ${me}`,
  )

  const media = await section(
    'media',
    sql`SELECT id, entity_id AS "entityId", content_type AS "contentType", width, height, bytes,
               '/api/media/' || id AS url, '/api/media/' || id || '/thumbnail' AS "thumbnailUrl",
               quartiere_iso(created_at) AS "createdAt", quartiere_iso(deleted_at) AS "deletedAt",
               quartiere_iso(hidden_at) AS "hiddenAt", created_at AS sort_key, id AS sort_id
          FROM media WHERE owner_id = ${me}`,
  )

  const groups = await section(
    'groups',
    sql`SELECT m.group_id AS "groupId", g.title, m.role, quartiere_iso(m.created_at) AS since,
               m.created_at AS sort_key, m.group_id AS sort_id
          FROM group_members m JOIN entities g ON g.id = m.group_id
         WHERE m.user_id = ${me}`,
  )

  const joinRequests = await section(
    'joinRequests',
    sql`SELECT id, group_id AS "groupId", message, status, quartiere_iso(created_at) AS "createdAt",
               quartiere_iso(decided_at) AS "decidedAt", created_at AS sort_key, id AS sort_id
          FROM group_join_requests WHERE user_id = ${me}`,
  )

  const follows = await section(
    'follows',
    sql`SELECT s.entity_id AS "entityId", e.title, quartiere_iso(s.created_at) AS since,
               s.created_at AS sort_key, s.entity_id AS sort_id
          FROM subscriptions s JOIN entities e ON e.id = s.entity_id
         WHERE s.user_id = ${me}`,
  )

  const notifications = await section(
    'notifications',
    sql`SELECT id, topic, entity_id AS "entityId", payload, quartiere_iso(created_at) AS "createdAt",
               quartiere_iso(read_at) AS "readAt", created_at AS sort_key, id AS sort_id
          FROM notifications WHERE user_id = ${me}`,
  )

  const reports = await section(
    'reports',
    sql`SELECT id, target_type AS "targetType", target_id AS "targetId", reason, details, status,
               quartiere_iso(created_at) AS "createdAt", quartiere_iso(resolved_at) AS "resolvedAt",
               created_at AS sort_key, id AS sort_id
          FROM reports WHERE reporter_id = ${me}`,
  )

  const pactHistory = await section(
    'pactHistory',
    sql`SELECT id, pact_id AS "pactId", type, from_status AS "fromStatus", to_status AS "toStatus",
               group_id AS "groupId", note, quartiere_iso(created_at) AS "createdAt",
               created_at AS sort_key, id AS sort_id
          FROM pact_history WHERE actor_id = ${me}`,
  )

  const pactDocuments = await section(
    'pactDocuments',
    sql`SELECT id, pact_id AS "pactId", title, url, media_id AS "mediaId",
               quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, id AS sort_id
          FROM pact_documents WHERE added_by = ${me}`,
  )

  const campaigns = await section(
    'campaigns',
    sql`SELECT k.id, k.entity_id AS "entityId", k.title, k.description,
               coalesce(k.owner_user_id = ${me}, false) AS "ownedByMe", k.accept_currency AS "acceptCurrency",
               k.give_currency AS "giveCurrency", ${amount(sql`k.goal`)} AS goal, ${amount(sql`k.cap`)} AS cap,
               k.state, quartiere_iso(k.starts_at) AS "startsAt", quartiere_iso(k.ends_at) AS "endsAt",
               quartiere_iso(k.created_at) AS "createdAt", k.created_at AS sort_key, k.id AS sort_id
          FROM campaigns k JOIN currencies c ON c.code = k.accept_currency
         WHERE k.owner_user_id = ${me} OR k.created_by = ${me}`,
  )

  const pledges = await section(
    'pledges',
    sql`SELECT p.id, p.campaign_id AS "campaignId", k.title AS "campaignTitle", c.code AS currency,
               ${amount(sql`p.requested`)} AS requested, ${amount(sql`p.amount`)} AS amount,
               CASE r.type WHEN 'post_pending' THEN 'posted' WHEN 'void_pending' THEN 'voided' ELSE 'held' END
                 AS state,
               quartiere_iso(p.created_at) AS "createdAt", p.seq AS sort_key, p.id AS sort_id
          FROM campaign_pledges p
          JOIN campaigns k ON k.id = p.campaign_id
          JOIN currencies c ON c.code = k.accept_currency
          LEFT JOIN transfers r ON r.pending_id = p.id
         WHERE p.backer_id = ${me}`,
  )

  const currencies = await section(
    'currencies',
    sql`SELECT code, name, kind, quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, code AS sort_id
          FROM currencies WHERE created_by = ${me}`,
  )

  const initiatives = await section(
    'initiatives',
    sql`SELECT id, slug, name, quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, id AS sort_id
          FROM initiatives WHERE created_by = ${me}`,
  )

  const moderationActions = await section(
    'moderationActions',
    sql`SELECT id, action, target_type AS "targetType", target_id AS "targetId", reason,
               quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, id AS sort_id
          FROM moderation_actions WHERE moderator_id = ${me}`,
  )

  return {
    formatVersion: personalDataFormatVersion,
    generatedAt,
    truncated,
    profile: person,
    sessions,
    accounts,
    transfers,
    exchanges,
    entities,
    posts,
    comments,
    media,
    groups,
    joinRequests,
    follows,
    notifications,
    reports,
    pactHistory,
    pactDocuments,
    campaigns,
    pledges,
    currencies,
    initiatives,
    moderationActions,
  }
}

/**
 * An amount in minor units as the decimal string of the currency in scope as `c` (its `scale`): 150 at scale 2
 * is "1.50". Exact: numeric division, never floating point. NULL stays NULL.
 */
function amount(minor: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`round((${minor})::numeric / power(10::numeric, c.scale), c.scale)::text`
}
