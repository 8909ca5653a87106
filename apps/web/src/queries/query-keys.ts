/**
 * The keys of everything the web reads, one family per resource. A family's first element is its prefix: the
 * live feed invalidates by prefix (everything of one thing, one thread, one wallet), so what belongs together
 * shares a prefix. The signed-in member's id is part of the key of anything the API answers per reader.
 */
export const queryKeys = {
  /** One thing's detail and what the panel reads around it (children, group, pact, following). */
  entity: {
    all: (id: string) => ['entity', id] as const,
    detail: (id: string) => ['entity', id, 'detail'] as const,
    related: (id: string, parentId: string | null) => ['entity', id, 'related', parentId] as const,
    pact: (id: string) => ['entity', id, 'pact'] as const,
    following: (id: string, userId: string) => ['entity', id, 'following', userId] as const,
    /** Its photos, with what this reader may do with each. */
    photos: (id: string, userId: string | null) => ['entity', id, 'photos', userId] as const,
  },
  /** A thing's posts, and the comments of each post. */
  thread: {
    all: (entityId: string) => ['thread', entityId] as const,
    posts: (entityId: string) => ['thread', entityId, 'posts'] as const,
    comments: (entityId: string, postId: string) => ['thread', entityId, 'comments', postId] as const,
  },
  group: {
    all: (groupId: string) => ['group', groupId] as const,
    membership: (groupId: string, userId: string | null) => ['group', groupId, 'membership', userId] as const,
    members: (groupId: string) => ['group', groupId, 'members'] as const,
    requests: (groupId: string, userId: string) => ['group', groupId, 'requests', userId] as const,
  },
  /** The groups screen's list of the signed-in member's groups. */
  groups: {
    mine: (userId: string) => ['groups', 'mine', userId] as const,
  },
  /** The moderators' queue and audit log (the log's key carries its filters). */
  moderation: {
    all: ['moderation'] as const,
    queue: ['moderation', 'queue'] as const,
    log: (filters: Record<string, string | undefined>) => ['moderation', 'log', filters] as const,
  },
  /** The signed-in member's accounts, exchanges and statements. */
  wallet: {
    all: ['wallet'] as const,
    accounts: (userId: string) => ['wallet', 'accounts', userId] as const,
    exchanges: (userId: string) => ['wallet', 'exchanges', userId] as const,
    statement: (accountId: string) => ['wallet', 'statement', accountId] as const,
  },
  currencies: {
    all: ['currencies'] as const,
    list: ['currencies', 'list'] as const,
    one: (code: string) => ['currencies', 'one', code] as const,
    /** The currencies page: each currency with what this reader may do (`can`), the holders an issuer sees. */
    reader: (userId: string | null) => ['currencies', 'reader', userId] as const,
    terms: (code: string) => ['currencies', 'terms', code] as const,
    holders: (code: string) => ['currencies', 'holders', code] as const,
    issuingGroups: (userId: string) => ['currencies', 'issuing-groups', userId] as const,
  },
  campaigns: {
    all: ['campaigns'] as const,
    list: (entityId: string | null, userId: string | null) =>
      ['campaigns', 'list', entityId, userId] as const,
    pledges: (campaignId: string, userId: string) => ['campaigns', 'pledges', campaignId, userId] as const,
    /** Whether the reader may open a campaign on a place or project: the API's `canOpen`. */
    canOpen: (entityId: string, userId: string) => ['campaigns', 'can-open', entityId, userId] as const,
  },
  notifications: {
    all: ['notifications'] as const,
    inbox: (userId: string) => ['notifications', userId] as const,
  },
  /** What the admins' panel reads: the role changes log. */
  admin: {
    all: ['admin'] as const,
    roleChanges: ['admin', 'role-changes'] as const,
    /** A member's accounts as the admins' limits form reads them. */
    accounts: (userId: string) => ['admin', 'accounts', userId] as const,
    /** The organisers' dashboard for a range of months. */
    dashboard: (from: string, to: string) => ['admin', 'dashboard', from, to] as const,
  },
  /** The account page: what I follow, my things, my posts. */
  account: {
    all: ['account'] as const,
    subscriptions: (userId: string) => ['account', 'subscriptions', userId] as const,
    things: (userId: string) => ['account', 'things', userId] as const,
    posts: (userId: string) => ['account', 'posts', userId] as const,
  },
  /** The open data catalog, per reader (it says whether the ledger statistics are offered to them). */
  openData: (userId: string | null) => ['open-data', userId] as const,
  /** The pacts screens: the list by step; one pact as its reader may act on it (under its thing, for the feed). */
  pacts: {
    all: ['pacts'] as const,
    list: (status: string | null) => ['pacts', 'list', status] as const,
    one: (id: string, userId: string | null) => ['entity', id, 'pact', userId] as const,
  },
  /** The initiatives screens and the map's initiative chip; an initiative says whether its reader curates it. */
  initiatives: {
    all: ['initiatives'] as const,
    list: (userId: string | null) => ['initiatives', 'list', userId] as const,
    one: (slug: string, userId: string | null) => ['initiatives', 'one', slug, userId] as const,
    things: (slug: string) => ['initiatives', 'things', slug] as const,
  },
  members: {
    search: (text: string) => ['members', 'search', text] as const,
  },
  /** Finding places and things by name or nearness: the placing tools and the editor's parent picker. */
  places: {
    all: ['places'] as const,
    search: (text: string) => ['places', 'search', text] as const,
    near: (bbox: string) => ['places', 'near', bbox] as const,
  },
} as const

export type QueryKeyPrefix = readonly unknown[]
