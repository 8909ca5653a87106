export type { CursorCodec, CursorFieldType, CursorShape, CursorValues } from './cursor'
export { cursorBytesMax, cursorTime, cursorTimestamp, defineCursor } from './cursor'
export type { CursorReads } from './cursor-reads'
export { cursorReads, cursorReadsMax, cursorReadTimeoutMs } from './cursor-reads'
export type { Backend, Database, DatabaseOptions, RawSession } from './database'
export { openDatabase, poolSizeMaxDefault, statementTimeoutMsDefault } from './database'
export {
  type GroupManagerRole,
  groupManagerIds,
  groupManagerRoleSql,
  groupManagerRoles,
  isGroupManagerRole,
  managedGroupIds,
  managesGroup,
} from './group-managers.repository'
export {
  canonicalJson,
  claimIdempotencyKey,
  type IdempotencyClaim,
  idempotencyPruneRowsMax,
  idempotencyRequestHash,
  pruneIdempotencyKeys,
  recordIdempotentAnswer,
  type StoredAnswer,
} from './idempotency.repository'
export type { Migration, MigrationOutcome } from './migrator'
export { migrate, migrationsDir, readMigrations } from './migrator'
export { isDatabaseReachable } from './reachability'
export type * from './schema'
export { incremented, now } from './sql-expressions'
export { isDatabaseUnavailable } from './unavailable'
export { uuidPattern } from './uuid'
