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

export interface SchemaMigrationsTable {
  version: number
  name: string
  checksum: string
  applied_at: GeneratedTimestamp
}

export interface DB {
  users: UsersTable
  refresh_tokens: RefreshTokensTable
  entities: EntitiesTable
  /** A view (migration 0004): the entities anyone may see. Read-only; public readers go through it. */
  visible_entities: EntitiesTable
  group_members: GroupMembersTable
  events_outbox: EventsOutboxTable
  schema_migrations: SchemaMigrationsTable
  currencies: CurrenciesTable
  accounts: AccountsTable
  transfers: TransfersTable
  transfer_requests: TransferRequestsTable
  exchanges: ExchangesTable
}
