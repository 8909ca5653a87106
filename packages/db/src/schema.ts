import type { ColumnType, Generated, RawBuilder } from 'kysely'

/**
 * Table types for Kysely, kept in step with /migrations by hand (each migration that changes a table changes
 * this file in the same commit). Columns are snake_case as in SQL; packages map rows to camelCase domain types.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** Geometry travels as GeoJSON text produced by ST_AsGeoJSON and is written with ST_GeomFromGeoJSON. */
type Geometry = ColumnType<string, RawBuilder<unknown>, RawBuilder<unknown>>

export interface UsersTable {
  id: Generated<string>
  email: string
  display_name: string
  password_hash: string
  role: Generated<'member' | 'moderator' | 'admin' | 'researcher'>
  locale: Generated<'it' | 'en'>
  created_at: GeneratedTimestamp
  updated_at: GeneratedTimestamp
  /** Set on the tombstone that takes an erased member's place (migration 0009); null for everyone else. */
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  /** When the member opened the confirmation link sent to their address (migration 0014); null until then. */
  email_verified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  /** Migration 0015: how often the member gets an email digest. */
  digest_frequency: Generated<'none' | 'daily' | 'weekly'>
}

/** Single-use links sent by email (migration 0014): password resets and address confirmations, hashed. */
export interface EmailTokensTable {
  id: Generated<string>
  user_id: string
  purpose: 'password_reset' | 'email_verification'
  token_hash: Uint8Array
  email: string
  created_at: GeneratedTimestamp
  expires_at: Timestamp
  used_at: Timestamp | null
}

export interface RefreshTokensTable {
  id: Generated<string>
  user_id: string
  family_id: string
  token_hash: Uint8Array
  created_at: GeneratedTimestamp
  expires_at: Timestamp
  used_at: Timestamp | null
  revoked_at: Timestamp | null
}

export interface EntitiesTable {
  id: Generated<string>
  kind: string
  title: string
  description: Generated<string>
  geom: Geometry
  valid_from: Timestamp | null
  valid_to: Timestamp | null
  validity: ColumnType<string, never, never>
  zoom_level: Generated<number>
  parent_id: string | null
  categories: Generated<string[]>
  tags: Generated<string[]>
  properties: ColumnType<Record<string, unknown>, string | undefined, string>
  author_id: string
  version: Generated<number>
  created_at: GeneratedTimestamp
  updated_at: GeneratedTimestamp
  last_activity_at: GeneratedTimestamp
  deleted_at: Timestamp | null
  search: ColumnType<string, never, never>
  /** The Feature without its author, kept by a trigger. */
  feature_json: ColumnType<string, never, never>
  /** Set by a moderator: the thing is served only to its author and moderators (migration 0006). */
  hidden_at: ColumnType<Date | null, never, Date | string | null>
  /** The location is private: served exactly to its author alone, blurred to everyone else (migration 0008). */
  location_private: Generated<boolean>
  /** What everyone but the author is served: `geom` blurred when private, else `geom`. Kept by a trigger. */
  public_geom: ColumnType<string, never, never>
}

export interface GroupMembersTable {
  group_id: string
  user_id: string
  role: 'owner' | 'manager' | 'member'
  created_at: GeneratedTimestamp
}

export interface EventsOutboxTable {
  seq: ColumnType<string, never, never>
  topic: string
  entity_id: string | null
  min_lon: number | null
  min_lat: number | null
  max_lon: number | null
  max_lat: number | null
  audience: string[] | null
  payload: ColumnType<unknown, string, string>
  created_at: GeneratedTimestamp
  /** Where an entity was before an update or delete (0005_realtime): { bbox, kind, validFrom, validTo }. */
  previous: ColumnType<unknown | null, string | null | undefined, string | null>
}

/** One row: the highest outbox seq the retention pruner deleted (0005_realtime). */
export interface EventsOutboxPrunedTable {
  singleton: ColumnType<boolean, boolean | undefined, never>
  pruned_through: Int8
}

/** int8 columns come back as strings (exact); they are written as strings or bigints. */
type Int8 = ColumnType<string, string | bigint, string | bigint>
type GeneratedInt8 = ColumnType<string, string | bigint | undefined, string | bigint>

export interface CurrenciesTable {
  code: string
  name: string
  scale: number
  issuer_group_id: string | null
  default_lower_limit: GeneratedInt8
  default_upper_limit: Int8 | null
  created_at: GeneratedTimestamp
  /** 0007_currencies: what kind of money, and what its issuer promised. */
  kind: ColumnType<'time' | 'coin' | 'coupon', 'time' | 'coin' | 'coupon' | undefined, never>
  description: Generated<string>
  terms: ColumnType<string, string | undefined, never>
  terms_sha256: ColumnType<string, never, never>
  supply_cap: ColumnType<string | null, string | bigint | null | undefined, never>
  logo_url: string | null
  created_by: string | null
  /** 0010_transfer_caps: what one member account may send, per transfer and per day; NULL: no cap. */
  transfer_amount_max: Int8 | null
  daily_amount_max: Int8 | null
  daily_transfers_max: number | null
}

export interface AccountsTable {
  id: Generated<string>
  currency: string
  owner_type: 'user' | 'group' | 'system'
  owner_user_id: string | null
  owner_group_id: string | null
  system_name: string | null
  debits_posted: GeneratedInt8
  credits_posted: GeneratedInt8
  debits_pending: GeneratedInt8
  credits_pending: GeneratedInt8
  lower_limit: Int8 | null
  upper_limit: Int8 | null
  created_at: GeneratedTimestamp
  /** 0010_transfer_caps: what the account sent on its latest day of sending (UTC date, as text when read). */
  sent_day: ColumnType<string | null, string | null | undefined, string | null>
  sent_day_amount: GeneratedInt8
  sent_day_count: Generated<number>
}

export interface TransfersTable {
  id: string
  seq: ColumnType<string, never, never>
  type: 'posted' | 'pending' | 'post_pending' | 'void_pending'
  debit_account_id: string
  credit_account_id: string
  amount: Int8
  currency: string
  pending_id: string | null
  reversal_of: string | null
  expires_at: Timestamp | null
  memo: Generated<string>
  entity_id: string | null
  created_by: string | null
  created_at: GeneratedTimestamp
  debit_balance_after: Int8
  credit_balance_after: Int8
}

export interface TransferRequestsTable {
  id: string
  request_hash: string
  outcome: string
  detail: Generated<string>
  created_by: string | null
  created_at: GeneratedTimestamp
}

export interface ExchangesTable {
  id: Generated<string>
  entity_id: string
  provider_id: string
  receiver_id: string
  hold_id: string
  created_by: string
  created_at: GeneratedTimestamp
}

/** A crowdfunding campaign ("piggy bank", 0007_currencies). Amounts in minor units. */
export interface CampaignsTable {
  id: string
  entity_id: string
  owner_type: 'user' | 'group'
  owner_user_id: string | null
  owner_group_id: string | null
  title: string
  description: Generated<string>
  accept_currency: string
  give_currency: string
  accept_step: Int8
  give_step: Int8
  cap: Int8
  goal: Int8
  deposit: Int8
  starts_at: Timestamp
  ends_at: Timestamp
  state: ColumnType<
    'locked' | 'open' | 'funded' | 'stopped' | 'failed',
    'locked' | 'open' | 'funded' | 'stopped' | 'failed' | undefined,
    'locked' | 'open' | 'funded' | 'stopped' | 'failed'
  >
  escrow_account_id: string
  reserve_account_id: string
  owner_accept_account_id: string
  owner_give_account_id: string
  deposit_transfer_id: string | null
  created_by: string
  created_at: GeneratedTimestamp
  settled_at: Timestamp | null
}

/** One pledge to a campaign: a hold from the backer into the campaign's escrow (0007_currencies). */
export interface CampaignPledgesTable {
  id: string
  seq: ColumnType<string, never, never>
  campaign_id: string
  backer_id: string
  account_id: string
  requested: Int8
  amount: Int8
  payout_transfer_id: string | null
  created_at: GeneratedTimestamp
}

export interface SchemaMigrationsTable {
  version: number
  name: string
  checksum: string
  applied_at: GeneratedTimestamp
}

/** The community layer (migration 0006). */
export interface MediaTable {
  id: Generated<string>
  owner_id: string
  entity_id: string | null
  storage_key: string
  content_type: string
  width: number
  height: number
  bytes: number
  thumb_width: number
  thumb_height: number
  thumb_bytes: number
  alt_text: Generated<string>
  created_at: GeneratedTimestamp
  hidden_at: Timestamp | null
  deleted_at: Timestamp | null
}

export interface PostsTable {
  id: Generated<string>
  entity_id: string
  author_id: string
  title: Generated<string>
  body: string
  tags: Generated<string[]>
  media_ids: Generated<string[]>
  comments_count: Generated<number>
  version: Generated<number>
  created_at: GeneratedTimestamp
  updated_at: GeneratedTimestamp
  last_activity_at: GeneratedTimestamp
  deleted_at: Timestamp | null
  hidden_at: Timestamp | null
}

export interface CommentsTable {
  id: Generated<string>
  post_id: string
  author_id: string
  body: string
  version: Generated<number>
  created_at: GeneratedTimestamp
  updated_at: GeneratedTimestamp
  deleted_at: Timestamp | null
  hidden_at: Timestamp | null
}

export interface GroupJoinRequestsTable {
  id: Generated<string>
  group_id: string
  user_id: string
  message: Generated<string>
  status: Generated<'pending' | 'approved' | 'rejected' | 'withdrawn'>
  decided_by: string | null
  decided_at: Timestamp | null
  created_at: GeneratedTimestamp
}

export interface PactsTable {
  entity_id: string
  proposer_group_id: string | null
  duration_months: number | null
  signed_at: Timestamp | null
  created_at: GeneratedTimestamp
}

export interface PactSpacesTable {
  pact_id: string
  space_id: string
}

export interface PactSignatoriesTable {
  pact_id: string
  group_id: string
}

export interface PactDocumentsTable {
  id: Generated<string>
  pact_id: string
  title: string
  url: string | null
  media_id: string | null
  added_by: string
  created_at: GeneratedTimestamp
}

export interface PactHistoryTable {
  id: Generated<string>
  pact_id: string
  type: 'transition' | 'report'
  from_status: string | null
  to_status: string | null
  actor_id: string
  group_id: string | null
  note: Generated<string>
  created_at: GeneratedTimestamp
}

export interface InitiativesTable {
  id: Generated<string>
  slug: string
  name: string
  description: Generated<string>
  created_by: string
  created_at: GeneratedTimestamp
}

export interface InitiativeEntitiesTable {
  initiative_id: string
  entity_id: string
  added_by: string
  added_at: GeneratedTimestamp
}

export interface ReportsTable {
  id: Generated<string>
  target_type: 'entity' | 'post' | 'comment' | 'media'
  target_id: string
  reporter_id: string
  reason: string
  details: Generated<string>
  status: Generated<'open' | 'actioned' | 'dismissed'>
  resolved_by: string | null
  resolved_at: Timestamp | null
  created_at: GeneratedTimestamp
}

export interface ModerationActionsTable {
  id: Generated<string>
  moderator_id: string
  action: 'hide' | 'restore' | 'dismiss'
  target_type: 'entity' | 'post' | 'comment' | 'media'
  target_id: string
  report_id: string | null
  reason: Generated<string>
  created_at: GeneratedTimestamp
}

export interface SubscriptionsTable {
  user_id: string
  entity_id: string
  created_at: GeneratedTimestamp
}

export interface NotificationsTable {
  id: Generated<string>
  user_id: string
  topic: string
  entity_id: string | null
  payload: ColumnType<Record<string, unknown>, string | undefined, string>
  created_at: GeneratedTimestamp
  read_at: Timestamp | null
}

/** Migration 0012: the append-only log of platform role changes (`id` is a bigint, read as a string). */
export interface RoleChangesTable {
  id: Generated<string>
  user_id: string
  old_role: 'member' | 'moderator' | 'admin' | 'researcher'
  new_role: 'member' | 'moderator' | 'admin' | 'researcher'
  changed_by: string | null
  reason: Generated<string>
  created_at: GeneratedTimestamp
}

/** Migration 0015: a member's unsubscribe token and mail delivery standing. */
export interface MailRecipientsTable {
  user_id: string
  unsubscribe_token: string
  consecutive_permanent_failures: Generated<number>
  suppressed_at: Timestamp | null
  last_delivered_at: Timestamp | null
  created_at: GeneratedTimestamp
}

/** Migration 0015: each message that did not leave. */
export interface MailFailuresTable {
  id: Generated<string>
  user_id: string
  occurred_at: GeneratedTimestamp
  permanent: boolean
  reason: string
}

/** Migration 0015: one row per member and digest period, the job's claim and record. */
export interface DigestDeliveriesTable {
  user_id: string
  period: string
  state: Generated<'pending' | 'sending' | 'sent' | 'empty' | 'failed' | 'abandoned' | 'skipped'>
  attempts: Generated<number>
  not_before: GeneratedTimestamp
  claimed_at: Timestamp | null
  covered_from: Timestamp | null
  covered_until: Timestamp | null
  finished_at: Timestamp | null
  created_at: GeneratedTimestamp
}

/** Migration 0016: the devices members receive web push messages on. */
export interface PushSubscriptionsTable {
  id: Generated<string>
  user_id: string
  endpoint: string
  p256dh: string
  auth: string
  label: Generated<string>
  created_at: GeneratedTimestamp
  last_sent_at: Timestamp | null
  failures: Generated<number>
}

/** Migration 0016: up to which outbox seq notifications were claimed for push (one row). */
export interface PushProgressTable {
  singleton: Generated<boolean>
  through_seq: string
}

/** Migration 0017: a member's Idempotency-Key and the first answer it got (idempotency.repository.ts). */
export interface IdempotencyKeysTable {
  user_id: string
  key: string
  request_hash: Buffer
  status: number | null
  /** jsonb: the answer's headers (ETag, Location, Content-Type). */
  headers: ColumnType<Record<string, string>, string | undefined, string>
  body: string | null
  created_at: GeneratedTimestamp
}

export interface DB {
  mail_recipients: MailRecipientsTable
  mail_failures: MailFailuresTable
  digest_deliveries: DigestDeliveriesTable
  users: UsersTable
  refresh_tokens: RefreshTokensTable
  email_tokens: EmailTokensTable
  entities: EntitiesTable
  // Since migration 0008 the view's `geom` is the public geometry (blurred where the location is private).
  /** A view (migration 0004): the entities anyone may see. Read-only; public readers go through it. */
  visible_entities: Omit<EntitiesTable, 'public_geom'>
  group_members: GroupMembersTable
  events_outbox: EventsOutboxTable
  events_outbox_pruned: EventsOutboxPrunedTable
  schema_migrations: SchemaMigrationsTable
  currencies: CurrenciesTable
  accounts: AccountsTable
  transfers: TransfersTable
  transfer_requests: TransferRequestsTable
  exchanges: ExchangesTable
  campaigns: CampaignsTable
  campaign_pledges: CampaignPledgesTable
  media: MediaTable
  posts: PostsTable
  comments: CommentsTable
  group_join_requests: GroupJoinRequestsTable
  pacts: PactsTable
  pact_spaces: PactSpacesTable
  pact_signatories: PactSignatoriesTable
  pact_documents: PactDocumentsTable
  pact_history: PactHistoryTable
  initiatives: InitiativesTable
  initiative_entities: InitiativeEntitiesTable
  reports: ReportsTable
  moderation_actions: ModerationActionsTable
  subscriptions: SubscriptionsTable
  notifications: NotificationsTable
  role_changes: RoleChangesTable
  push_subscriptions: PushSubscriptionsTable
  push_progress: PushProgressTable
  idempotency_keys: IdempotencyKeysTable
}
