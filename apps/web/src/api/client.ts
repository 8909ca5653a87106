import type {
  Account,
  AuthTokens,
  Campaign,
  Comment,
  CommentList,
  Currency,
  EntitiesQuery,
  EntityCollection,
  EntityCreateBody,
  EntityFeature,
  EntityPatchBody,
  Exchange,
  Following,
  GroupMemberList,
  JoinOutcome,
  MarkedRead,
  MemberList,
  Membership,
  Notification,
  NotificationList,
  Pact,
  Pledge,
  Post,
  PostCreateBody,
  PostList,
  PostPatchBody,
  RoleChangeBody,
  RoleChangeList,
  RoleChangeResult,
  StatementLine,
  SubscriptionList,
  Transfer,
  TransferCreateBody,
  User,
} from '@quartiere/contracts'
import { ApiProblem, networkProblem, problemFrom } from './problem'

/** A keyset-paged list as the ledger routes return it. */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/** A stored thing with the version to send back in If-Match. */
export interface Versioned<T> {
  value: T
  version: number
}

/**
 * Where the client gets its access token. The session store implements it; `refreshAfterUnauthorized` is
 * called once when the API answers 401 to a token it sent, and returns a new token or null (logged out).
 */
export interface TokenSource {
  accessToken(): Promise<string | null>
  refreshAfterUnauthorized(rejected: string): Promise<string | null>
}

/**
 * A GET already on its way for this URL and bearer (the page's entry script asks for the map's first page
 * before the app's code has loaded): its response, handed over once, or null.
 */
export type PrefetchedResponses = (url: string, bearer: string | null) => Promise<Response> | null

export interface ApiClientOptions {
  /** '' in the browser (same origin); `http://127.0.0.1:PORT` in tests. */
  baseUrl: string
  tokens?: TokenSource
  fetch?: typeof fetch
  prefetched?: PrefetchedResponses
}

export type Query = Record<string, string | number | boolean | undefined | null>

/** A URL of the API: the query's empty parts left out, in the order given. */
export function apiUrl(baseUrl: string, path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return `${baseUrl.replace(/\/$/, '')}${path}${search ? `?${search}` : ''}`
}

/** Notifications per page: a panel's worth; "load more" asks for the next. */
export const notificationsPageSize = 20

/** Where the map query lives; `entitiesQuery` builds its query. */
export const entitiesPath = '/api/entities'

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  query?: Query
  body?: unknown
  headers?: Record<string, string>
  auth?: 'none' | 'optional' | 'required'
  signal?: AbortSignal
}

/** The map query as the client builds it: lists instead of the wire's comma-separated strings. */
export interface EntitiesFilter {
  bbox?: [number, number, number, number]
  kinds?: readonly string[]
  from?: string
  to?: string
  q?: string
  categories?: readonly string[]
  tags?: readonly string[]
  parent?: string
  author?: string
  /** Things of one initiative, by its slug. */
  initiative?: string
  zoom?: number
  limit?: number
  cursor?: string
}

/** Turns the client's filter into the query the API declares (`EntitiesQuery`), dropping empty parts. */
export function entitiesQuery(filter: EntitiesFilter): EntitiesQuery {
  const query: EntitiesQuery = {}
  if (filter.bbox) query.bbox = filter.bbox.map((value) => Number(value.toFixed(6))).join(',')
  if (filter.kinds?.length) query.kinds = filter.kinds.join(',')
  if (filter.from) query.from = filter.from
  if (filter.to) query.to = filter.to
  if (filter.q?.trim()) query.q = filter.q.trim()
  if (filter.categories?.length) query.categories = filter.categories.join(',')
  if (filter.tags?.length) query.tags = filter.tags.join(',')
  if (filter.parent) query.parent = filter.parent
  if (filter.author) query.author = filter.author
  if (filter.initiative) query.initiative = filter.initiative
  if (filter.zoom !== undefined) query.zoom = Math.max(0, Math.min(22, Math.floor(filter.zoom)))
  if (filter.limit !== undefined) query.limit = filter.limit
  if (filter.cursor) query.cursor = filter.cursor
  return query
}

function versionOf(response: Response): number {
  const match = /"?(\d+)"?$/.exec(response.headers.get('etag') ?? '')
  return match?.[1] ? Number(match[1]) : 0
}

/** A uuid for idempotency keys; crypto.randomUUID exists in every browser we support and in Node. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}

/**
 * The typed API client. Every method speaks the shapes of packages/contracts; every refusal is thrown as an
 * ApiProblem carrying the server's stable code. Authenticated calls retry once after a silent refresh.
 */
export class ApiClient {
  readonly baseUrl: string
  private readonly tokens: TokenSource | undefined
  private readonly fetchImpl: typeof fetch
  private readonly prefetched: PrefetchedResponses | undefined

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '')
    this.tokens = options.tokens
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
    this.prefetched = options.prefetched
  }

  url(path: string, query: Query = {}): string {
    return apiUrl(this.baseUrl, path, query)
  }

  private async send(path: string, options: RequestOptions): Promise<Response> {
    const auth = options.auth ?? 'optional'
    let token = auth === 'none' ? null : ((await this.tokens?.accessToken()) ?? null)
    if (auth === 'required' && !token) {
      throw new ApiProblem({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        code: 'unauthorized',
        detail: 'log in first',
      })
    }
    const attempt = async (bearer: string | null) => {
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
      if (bearer) headers.authorization = `Bearer ${bearer}`
      if (options.body !== undefined) headers['content-type'] = 'application/json'
      const url = this.url(path, options.query)
      try {
        const early = (options.method ?? 'GET') === 'GET' ? this.prefetched?.(url, bearer) : null
        if (early) {
          const response = await early
          options.signal?.throwIfAborted()
          return response
        }
        return await this.fetchImpl(url, {
          method: options.method ?? 'GET',
          headers,
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        })
      } catch (error) {
        if (options.signal?.aborted) throw error
        throw networkProblem(error)
      }
    }
    let response = await attempt(token)
    if (response.status === 401 && token && this.tokens) {
      // The access token expired between our check and the server's: refresh once, then try again.
      token = await this.tokens.refreshAfterUnauthorized(token)
      if (token || auth !== 'required') response = await attempt(token)
    }
    if (!response.ok) throw await problemFrom(response)
    return response
  }

  private async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(path, options)
    return (await response.json()) as T
  }

  /**
   * A call of a screen's own API module (`api/<area>.ts`): screens loaded on demand keep their calls next to
   * them instead of growing this class, which every visit loads. Same token, refresh and problem handling.
   */
  request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.json<T>(path, options)
  }

  /** As `request`, for answers that are not JSON (a file to download, an empty 204): the raw response. */
  requestResponse(path: string, options: RequestOptions = {}): Promise<Response> {
    return this.send(path, options)
  }

  // Accounts

  register(body: { email: string; password: string; displayName: string; locale?: 'it' | 'en' }) {
    return this.json<AuthTokens>('/api/auth/register', { method: 'POST', body, auth: 'none' })
  }
  login(body: { email: string; password: string }) {
    return this.json<AuthTokens>('/api/auth/login', { method: 'POST', body, auth: 'none' })
  }
  refresh(refreshToken: string) {
    return this.json<AuthTokens>('/api/auth/refresh', {
      method: 'POST',
      body: { refreshToken },
      auth: 'none',
    })
  }
  async logout(refreshToken: string): Promise<void> {
    await this.send('/api/auth/logout', { method: 'POST', body: { refreshToken }, auth: 'none' })
  }
  me() {
    return this.json<User>('/api/me', { auth: 'required' })
  }

  // Map entities

  listEntities(filter: EntitiesFilter, signal?: AbortSignal) {
    return this.json<EntityCollection>(entitiesPath, {
      query: { ...entitiesQuery(filter) },
      ...(signal ? { signal } : {}),
    })
  }

  /**
   * Follows `next` links until `maxFeatures`, handing each page to `onPage` as it arrives, so the map can
   * draw the first page while the rest loads. The first page is asked for exactly as `firstPage` says (a small
   * `limit` there makes it come sooner), the next ones with `nextPageLimit`; `beforeNextPage` may hold the next
   * request back while the first is being drawn.
   * Returns whether everything matching was loaded.
   */
  async eachEntitiesPage(
    firstPage: EntitiesFilter,
    maxFeatures: number,
    onPage: (features: EntityFeature[]) => void,
    options: { signal?: AbortSignal; nextPageLimit?: number; beforeNextPage?: () => Promise<void> } = {},
  ): Promise<{ complete: boolean }> {
    const { signal, nextPageLimit, beforeNextPage } = options
    let cursor: string | undefined
    let loaded = 0
    for (;;) {
      if (loaded > 0 && beforeNextPage) {
        await beforeNextPage()
        signal?.throwIfAborted()
      }
      const pageLimit = (loaded > 0 ? nextPageLimit : undefined) ?? firstPage.limit ?? 1000
      const limit = Math.min(pageLimit, maxFeatures - loaded)
      const page = await this.listEntities({ ...firstPage, limit, ...(cursor ? { cursor } : {}) }, signal)
      loaded += page.features.length
      onPage(page.features)
      const next = page.links.find((link) => link.rel === 'next')
      if (!next) return { complete: true }
      if (loaded >= maxFeatures) return { complete: false }
      cursor = new URL(next.href, 'http://client.invalid').searchParams.get('cursor') ?? undefined
      if (!cursor) return { complete: true }
    }
  }

  async getEntity(id: string, signal?: AbortSignal): Promise<Versioned<EntityFeature>> {
    const response = await this.send(`/api/entities/${encodeURIComponent(id)}`, signal ? { signal } : {})
    return { value: (await response.json()) as EntityFeature, version: versionOf(response) }
  }

  async createEntity(body: EntityCreateBody): Promise<Versioned<EntityFeature>> {
    const response = await this.send('/api/entities', { method: 'POST', body, auth: 'required' })
    return { value: (await response.json()) as EntityFeature, version: versionOf(response) }
  }

  /** Throws an ApiProblem with status 412 and the current `etag` when someone else changed it meanwhile. */
  async updateEntity(id: string, version: number, body: EntityPatchBody): Promise<Versioned<EntityFeature>> {
    const response = await this.send(`/api/entities/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body,
      headers: { 'if-match': `"${version}"` },
      auth: 'required',
    })
    return { value: (await response.json()) as EntityFeature, version: versionOf(response) }
  }

  async deleteEntity(id: string, version: number): Promise<void> {
    await this.send(`/api/entities/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      headers: { 'if-match': `"${version}"` },
      auth: 'required',
    })
  }

  // Members

  searchMembers(q: string, cursor?: string) {
    return this.json<MemberList>('/api/members', { query: { q, cursor }, auth: 'required' })
  }

  // Administration

  /** An admin gives a member a platform role; refusals: 403 `forbidden`, 404 `not_found`, 409 `last_admin`. */
  changeRole(userId: string, body: RoleChangeBody) {
    return this.json<RoleChangeResult>(`/api/admin/users/${encodeURIComponent(userId)}/role`, {
      method: 'PUT',
      body,
      auth: 'required',
    })
  }
  /** The role changes log, newest first, a page at a time (admins). */
  roleChanges(cursor?: string) {
    return this.json<RoleChangeList>('/api/admin/role-changes', { query: { cursor }, auth: 'required' })
  }

  // Ledger

  accounts() {
    return this.json<Page<Account>>('/api/ledger/accounts', { auth: 'required' })
  }
  statement(accountId: string, cursor?: string, limit = 50) {
    return this.json<Page<StatementLine>>(`/api/ledger/accounts/${encodeURIComponent(accountId)}/transfers`, {
      query: { limit, cursor },
      auth: 'required',
    })
  }
  /** The key makes a retry of the same payment safe: the server answers it once. */
  transfer(body: Omit<TransferCreateBody, 'id'>, idempotencyKey: string) {
    return this.json<Transfer>('/api/ledger/transfers', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': idempotencyKey },
      auth: 'required',
    })
  }
  exchanges(cursor?: string) {
    return this.json<Page<Exchange>>('/api/ledger/exchanges', { query: { cursor }, auth: 'required' })
  }
  openExchange(entityId: string, hours: string, idempotencyKey: string) {
    return this.json<Exchange>(`/api/entities/${encodeURIComponent(entityId)}/exchanges`, {
      method: 'POST',
      body: { hours },
      headers: { 'idempotency-key': idempotencyKey },
      auth: 'required',
    })
  }
  confirmExchange(id: string, hours?: string) {
    return this.json<Exchange>(`/api/ledger/exchanges/${encodeURIComponent(id)}/confirm`, {
      method: 'POST',
      body: hours ? { hours } : {},
      auth: 'required',
    })
  }
  cancelExchange(id: string) {
    return this.json<Exchange>(`/api/ledger/exchanges/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
      body: {},
      auth: 'required',
    })
  }

  // Threads: posts newest first, comments oldest first; edits carry the version read (If-Match).

  posts(entityId: string, cursor?: string, signal?: AbortSignal) {
    return this.json<PostList>(`/api/entities/${encodeURIComponent(entityId)}/posts`, {
      query: { cursor, limit: 10 },
      ...(signal ? { signal } : {}),
    })
  }
  createPost(entityId: string, body: PostCreateBody) {
    return this.json<Post>(`/api/entities/${encodeURIComponent(entityId)}/posts`, {
      method: 'POST',
      body,
      auth: 'required',
    })
  }
  updatePost(id: string, version: number, body: PostPatchBody) {
    return this.json<Post>(`/api/posts/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body,
      headers: { 'if-match': `"${version}"` },
      auth: 'required',
    })
  }
  async deletePost(id: string): Promise<void> {
    await this.send(`/api/posts/${encodeURIComponent(id)}`, { method: 'DELETE', auth: 'required' })
  }
  comments(postId: string, cursor?: string, signal?: AbortSignal) {
    return this.json<CommentList>(`/api/posts/${encodeURIComponent(postId)}/comments`, {
      query: { cursor, limit: 20 },
      ...(signal ? { signal } : {}),
    })
  }
  createComment(postId: string, body: string) {
    return this.json<Comment>(`/api/posts/${encodeURIComponent(postId)}/comments`, {
      method: 'POST',
      body: { body },
      auth: 'required',
    })
  }
  updateComment(id: string, version: number, body: string) {
    return this.json<Comment>(`/api/comments/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: { body },
      headers: { 'if-match': `"${version}"` },
      auth: 'required',
    })
  }
  async deleteComment(id: string): Promise<void> {
    await this.send(`/api/comments/${encodeURIComponent(id)}`, { method: 'DELETE', auth: 'required' })
  }

  // Groups, following, pacts

  members(groupId: string, cursor?: string) {
    return this.json<GroupMemberList>(`/api/entities/${encodeURIComponent(groupId)}/members`, {
      query: { cursor, limit: 100 },
    })
  }
  join(groupId: string, message?: string) {
    return this.json<JoinOutcome>(`/api/entities/${encodeURIComponent(groupId)}/members`, {
      method: 'POST',
      body: message ? { message } : {},
      auth: 'required',
    })
  }
  async leave(groupId: string, userId: string): Promise<void> {
    await this.send(`/api/entities/${encodeURIComponent(groupId)}/members/${encodeURIComponent(userId)}`, {
      method: 'DELETE',
      auth: 'required',
    })
  }
  /** The group's members count and, signed in, one's own role or pending request to join. */
  membership(groupId: string, signal?: AbortSignal) {
    return this.json<Membership>(
      `/api/entities/${encodeURIComponent(groupId)}/membership`,
      signal ? { signal } : {},
    )
  }
  async withdrawJoinRequest(groupId: string): Promise<void> {
    await this.send(`/api/entities/${encodeURIComponent(groupId)}/join-requests/mine`, {
      method: 'DELETE',
      auth: 'required',
    })
  }
  following(entityId: string, signal?: AbortSignal) {
    return this.json<Following>(`/api/entities/${encodeURIComponent(entityId)}/subscription`, {
      auth: 'required',
      ...(signal ? { signal } : {}),
    })
  }
  mySubscriptions(cursor?: string) {
    return this.json<SubscriptionList>('/api/me/subscriptions', {
      query: { cursor, limit: 100 },
      auth: 'required',
    })
  }
  async follow(entityId: string): Promise<void> {
    await this.send(`/api/entities/${encodeURIComponent(entityId)}/subscription`, {
      method: 'PUT',
      auth: 'required',
    })
  }
  async unfollow(entityId: string): Promise<void> {
    await this.send(`/api/entities/${encodeURIComponent(entityId)}/subscription`, {
      method: 'DELETE',
      auth: 'required',
    })
  }
  /** My notifications: unread first, newest first within each, with how many are unread. */
  notifications(cursor?: string, signal?: AbortSignal) {
    return this.json<NotificationList>('/api/notifications', {
      query: { cursor, limit: notificationsPageSize },
      auth: 'required',
      ...(signal ? { signal } : {}),
    })
  }
  markNotificationRead(id: string) {
    return this.json<Notification>(`/api/notifications/${encodeURIComponent(id)}/read`, {
      method: 'POST',
      auth: 'required',
    })
  }
  markAllNotificationsRead() {
    return this.json<MarkedRead>('/api/notifications/read-all', { method: 'POST', auth: 'required' })
  }
  pact(id: string, signal?: AbortSignal) {
    return this.json<Pact>(`/api/pacts/${encodeURIComponent(id)}`, signal ? { signal } : {})
  }

  // Community currencies and campaigns

  currencies(cursor?: string) {
    return this.json<Page<Currency>>('/api/ledger/currencies', { query: { cursor, limit: 200 } })
  }
  currency(code: string) {
    return this.json<Currency>(`/api/ledger/currencies/${encodeURIComponent(code)}`)
  }
  redeem(code: string, amount: string, idempotencyKey: string, memo?: string) {
    return this.json<Transfer>(`/api/ledger/currencies/${encodeURIComponent(code)}/redemptions`, {
      method: 'POST',
      body: { amount, ...(memo ? { memo } : {}) },
      headers: { 'idempotency-key': idempotencyKey },
      auth: 'required',
    })
  }
  campaigns(filter: { entityId?: string; cursor?: string } = {}, signal?: AbortSignal) {
    return this.json<Page<Campaign>>('/api/campaigns', {
      query: { ...filter, limit: 50 },
      ...(signal ? { signal } : {}),
    })
  }
  campaign(id: string) {
    return this.json<Campaign>(`/api/campaigns/${encodeURIComponent(id)}`)
  }
  pledge(campaignId: string, amount: string, idempotencyKey: string) {
    return this.json<{ pledge: Pledge; campaign: Campaign }>(
      `/api/campaigns/${encodeURIComponent(campaignId)}/pledges`,
      { method: 'POST', body: { amount }, headers: { 'idempotency-key': idempotencyKey }, auth: 'required' },
    )
  }
  pledges(campaignId: string) {
    return this.json<Page<Pledge>>(`/api/campaigns/${encodeURIComponent(campaignId)}/pledges`, {
      query: { limit: 100 },
      auth: 'required',
    })
  }
  withdrawPledge(campaignId: string, pledgeId: string) {
    return this.json<Pledge>(
      `/api/campaigns/${encodeURIComponent(campaignId)}/pledges/${encodeURIComponent(pledgeId)}/withdraw`,
      { method: 'POST', body: {}, auth: 'required' },
    )
  }
  depositCampaign(campaignId: string) {
    return this.json<Campaign>(`/api/campaigns/${encodeURIComponent(campaignId)}/deposit`, {
      method: 'POST',
      body: {},
      auth: 'required',
    })
  }
  stopCampaign(campaignId: string) {
    return this.json<Campaign>(`/api/campaigns/${encodeURIComponent(campaignId)}/stop`, {
      method: 'POST',
      body: {},
      auth: 'required',
    })
  }
}
