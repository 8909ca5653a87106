export {
  type AccountRow,
  type Actor,
  accountView,
  ensureOwnerAccount,
  findAccount,
  findUserAccount,
  listAccountsOf,
  managedGroupIds,
  mayOperate,
  timeCurrency,
  toAccountView,
} from './accounts'
export { amountMinorMax, formatAmount, parseWireAmount } from './amounts'
export {
  batchCommandsMax,
  batchesInFlightMax,
  LedgerOverloadedError,
  queueCommandsMax,
  TransferBatcher,
} from './batcher'
export { campaignTransitions, checkCampaignTransition } from './campaigns.lifecycle'
export { findLiveEntity, findVisibleEntity } from './campaigns.repository'
export {
  campaignEntityKinds,
  campaignView,
  createCampaign,
  depositCampaign,
  dueCampaignsPerSweepMax,
  listCampaigns,
  listPledges,
  pledge,
  settleDueCampaigns,
  stopCampaign,
  withdrawPledge,
} from './campaigns.service'
export {
  type CommunityTransferResult,
  createCurrency,
  currenciesForViewer,
  currencyForViewer,
  currencyTerms,
  getCurrency,
  issuingGroupsOf,
  listCurrencies,
  listCurrencyHolders,
  managesGroup,
  mintCurrency,
  redeemCoupons,
  setCreditLine,
  setTransferCaps,
} from './currencies.service'
export { deterministicUuid } from './deterministic-id'
export {
  cancelExchange,
  confirmExchange,
  exchangeHoldTimeoutSeconds,
  exchangeHoursMax,
  listExchanges,
  openExchange,
} from './exchanges.service'
export { createLedger, expiredHoldsPerSweepMax, type Ledger } from './ledger'
export { memberAccountsForLimits, memberAccountsMax, setAccountLimits } from './limits.service'
export type {
  CommunityLedgerFailure,
  CommunityLedgerFailureCode,
  CommunityLedgerOutcome,
  LedgerFailure,
  LedgerOutcome,
  LedgerServiceFailureCode,
} from './outcome'
export {
  exportMemberLedgerData,
  type LedgerPersonalDataSection,
  type LedgerSectionReader,
  ledgerUserReferences,
  lockMemberAccounts,
  moveMemberAccounts,
  moveMemberLedgerReferences,
  runningCampaignsOf,
} from './personal-data'
export { allocateProRata } from './pro-rata'
export { statementCsv } from './statement-csv'
export { executeBatch } from './transfer-engine'
export {
  accountStatement,
  createTransfer,
  getTransfer,
  issueCredits,
  resolveHold,
  type TransferResult,
  voidExpiredHolds,
} from './transfers.service'
export type {
  CommandOutcome,
  LedgerCommand,
  LedgerFailureCode,
  TransferPolicy,
  TransferRecord,
  TransferType,
} from './types'
