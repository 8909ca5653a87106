import {
  accountUserReferences,
  confirmPassword,
  deleteErasedUser,
  eraseAccountSessions,
  insertTombstone,
  isLastAdmin,
  lockMemberForErasure,
  moveAccountHistory,
  tombstoneDisplayName,
} from '@quartiere/auth'
import type { DB } from '@quartiere/db'
import { digestUserReferences, eraseMemberMailData } from '@quartiere/digests'
import {
  ledgerUserReferences,
  lockMemberAccounts,
  moveMemberAccounts,
  moveMemberLedgerReferences,
  runningCampaignsOf,
} from '@quartiere/ledger'
import {
  eraseMemberMapData,
  forgetMemberInNotifications,
  groupsSolelyOwnedBy,
  mapUserReferences,
} from '@quartiere/map'
import { erasePushSubscriptions, pushUserReferences } from '@quartiere/push'
import { forgetUserInOutbox } from '@quartiere/realtime'
import type { Kysely, Transaction } from 'kysely'

export type ErasureOutcome =
  | {
      ok: true
      /** The tombstone that now owns the member's accounts and contributions. */
      tombstoneId: string
      /** Media store keys of the member's images: the caller deletes the files once the erasure committed. */
      mediaStorageKeys: string[]
    }
  | { ok: false; code: 'not_found'; message: string }
  | { ok: false; code: 'invalid_credentials'; message: string }
  | { ok: false; code: 'pending_transfers'; message: string; accountIds: string[] }
  | { ok: false; code: 'sole_group_owner'; message: string; groupIds: string[] }
  | { ok: false; code: 'campaign_running'; message: string; campaignIds: string[] }
  | { ok: false; code: 'last_admin'; message: string }

export type ErasureFailureCode = Extract<ErasureOutcome, { ok: false }>['code']

/**
 * Every column that holds a user id, and what erasure does with it: the union of each domain's list. The gdpr
 * test compares it with the database's foreign keys to `users`, so a new table that points at users cannot be
 * forgotten.
 *
 * - `deleted`: rows that are only the member's (sessions, memberships, follows, their notifications).
 * - `moved`: rows that stay, because others rely on them (the books, threads, the map, audit logs); they are
 *   moved onto the tombstone.
 * - `special`: handled by a statement of their own (the ledger's accounts, taken over and frozen).
 */
export const userReferences = {
  deleted: [
    ...accountUserReferences.deleted,
    ...mapUserReferences.deleted,
    ...ledgerUserReferences.deleted,
    ...digestUserReferences.deleted,
    ...pushUserReferences.deleted,
  ],
  moved: [
    ...accountUserReferences.moved,
    ...mapUserReferences.moved,
    ...ledgerUserReferences.moved,
    ...digestUserReferences.moved,
  ],
  special: [
    ...accountUserReferences.special,
    ...mapUserReferences.special,
    ...ledgerUserReferences.special,
    ...digestUserReferences.special,
  ],
} as const

/**
 * Erases a member (GDPR Art. 17) after checking their password once more: see {@link eraseMember}. The password
 * is checked before the transaction, so the scrypt work holds no locks; the transaction then makes sure the
 * hash it checked is still the stored one.
 */
export async function eraseAccount(
  db: Kysely<DB>,
  userId: string,
  password: string,
): Promise<ErasureOutcome> {
  const confirmed = await confirmPassword(db, userId, password)
  if (!confirmed.ok) return confirmed
  return db.transaction().execute((trx) => eraseMember(trx, userId, confirmed.passwordHash))
}

/**
 * Removes a member's personal data in the caller's transaction, so that afterwards no row links to them, by
 * email, name or id, while the ledger's books still balance. Each domain erases its own tables; this decides
 * the order.
 *
 * Refuses, changing nothing, while erasing would break promises made to others: a hold or an exchange still in
 * progress on one of their accounts (`pending_transfers`: resolve it first; the hours are someone's), a group
 * they alone own (`sole_group_owner`: hand it over first, as leaving it would require), or a campaign of theirs
 * still running (`campaign_running`: its settlement pays its owner), or when they are the platform's last admin
 * (`last_admin`: nobody could grant roles any more; make someone else an admin first).
 *
 * Then: a tombstone user with a fresh random id takes over their accounts (balances stay, debts included: a
 * debt is not erased by leaving) and everything others rely on; those accounts are frozen at their balance
 * (nobody can pay into or out of them any more). Map things stay, anonymous, except those with a private
 * location (their home): those are deleted and their exact place and text wiped. Their images are marked
 * deleted and their storage keys returned for the caller to delete the files after commit. Sessions,
 * memberships, follows, their notifications and the reports they made are deleted (a report a moderator acted
 * on stays, anonymous and without its details, beside the action). Other members' notifications and the
 * realtime outbox are rewritten to name the tombstone instead. Last, their own row is deleted: a reference this
 * function forgot makes that fail, and the whole erasure with it.
 *
 * `expectedPasswordHash` is the hash the caller verified the password against; a different stored hash (the
 * password changed meanwhile) is `invalid_credentials`.
 */
export async function eraseMember(
  trx: Transaction<DB>,
  userId: string,
  expectedPasswordHash: string,
): Promise<ErasureOutcome> {
  // The role-change lock before any row, in the order role changes take it (an admin's erasure only).
  const lastAdmin = await isLastAdmin(trx, userId)
  // Accounts first, in id order as the ledger locks them, then the user row: a payment in flight on one of the
  // accounts finishes (its transfer row takes a key-share lock on the user) before this goes on.
  const accounts = await lockMemberAccounts(trx, userId)
  const member = await lockMemberForErasure(trx, userId, expectedPasswordHash)
  if (!member.ok) return member

  const pending = accounts.filter((account) => account.pending).map((account) => account.id)
  if (pending.length > 0) {
    return {
      ok: false,
      code: 'pending_transfers',
      message:
        'a hold, an exchange or a pledge is still in progress on your accounts: confirm, cancel or withdraw it first',
      accountIds: pending,
    }
  }
  const soleOwned = await groupsSolelyOwnedBy(trx, userId)
  if (soleOwned.length > 0) {
    return {
      ok: false,
      code: 'sole_group_owner',
      message: 'you are the only owner of a group: make someone else an owner first, or delete the group',
      groupIds: soleOwned,
    }
  }
  if (lastAdmin) {
    return {
      ok: false,
      code: 'last_admin',
      message:
        'you are the last admin: make someone else an admin first, so that someone can still grant roles',
    }
  }
  const running = await runningCampaignsOf(trx, userId)
  if (running.length > 0) {
    return {
      ok: false,
      code: 'campaign_running',
      message: 'a campaign of yours is still running: stop it first (its settlement pays its owner)',
      campaignIds: running,
    }
  }

  const tombstoneId = await insertTombstone(trx)
  await moveMemberAccounts(trx, userId, tombstoneId)
  await eraseAccountSessions(trx, userId)
  await erasePushSubscriptions(trx, userId)
  await moveAccountHistory(trx, userId, tombstoneId)
  // Before the notifications are rewritten: the member's own go with the map's part.
  const { mediaStorageKeys } = await eraseMemberMapData(trx, userId, tombstoneId)
  await moveMemberLedgerReferences(trx, userId, tombstoneId)

  const named = { id: userId, displayName: member.displayName }
  const tombstone = { id: tombstoneId, displayName: tombstoneDisplayName }
  await forgetMemberInNotifications(trx, named, tombstone)
  await forgetUserInOutbox(trx, named, tombstone)
  await eraseMemberMailData(trx, userId)

  await deleteErasedUser(trx, userId)
  return { ok: true, tombstoneId, mediaStorageKeys }
}
