/**
 * A member's personal data across every domain (GDPR Art. 15, 17 and 20): `exportPersonalData(db, userId)`
 * reads each domain's sections into one document in one snapshot; `eraseAccount(db, userId, password)` (or
 * `eraseMember(trx, …)` in the caller's transaction) asks each domain to erase its part, in the order that keeps
 * the ledger's locks first. Each domain package owns its tables' queries (auth's `exportAccountData`, map's
 * `exportMemberMapData` and `eraseMemberMapData`, ledger's `exportMemberLedgerData` and `moveMemberAccounts`,
 * realtime's `forgetUserInOutbox`); this package only decides the order, so it sits above them all, like the API.
 */
export {
  type ErasureFailureCode,
  type ErasureOutcome,
  eraseAccount,
  eraseMember,
  userReferences,
} from './erasure'
export { exportPersonalData, type PersonalData, type PersonalDataSectionName } from './export'
