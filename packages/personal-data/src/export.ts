import { exportAccountData } from '@quartiere/auth'
import {
  type PersonalDataExport,
  personalDataFormatVersion,
  personalDataSectionRowsMax,
  personalDataSections,
} from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { exportMemberMailData } from '@quartiere/digests'
import { exportMemberLedgerData } from '@quartiere/ledger'
import { exportMemberMapData } from '@quartiere/map'
import { pushDevicesSectionSql } from '@quartiere/push'
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'

/**
 * Everything the platform holds about one member (GDPR Art. 15 and 20), one section per kind of data: the
 * document `PersonalDataExport` of packages/contracts. Other people appear by id and display name only, never
 * by email. Timestamps are RFC 3339 strings in UTC; amounts decimal strings.
 */
export type PersonalData = PersonalDataExport
type Sections = Omit<PersonalData, 'formatVersion' | 'generatedAt' | 'truncated' | 'profile' | 'email'>
export type PersonalDataSectionName = keyof Sections | 'profile'

/**
 * Reads everything about the member in one snapshot (a repeatable-read transaction: a transfer committing
 * meanwhile shows in both the balances and the transfers, or in neither), each domain its own sections.
 * Undefined when there is no such member.
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
  const truncated: PersonalDataSectionName[] = []
  /**
   * One section: its rows newest first up to the cap (one more tells whether there were more), returned oldest
   * first. `query` selects the section's fields and a `sort_key` (a timestamp) and `sort_id`.
   */
  async function section<K extends keyof Sections>(
    name: K,
    query: RawBuilder<unknown>,
  ): Promise<PersonalData[K]> {
    const result = await sql<PersonalData[K][number] & { sort_key: unknown; sort_id: unknown }>`
      SELECT * FROM (${query}) AS section ORDER BY sort_key DESC, sort_id DESC
       LIMIT ${personalDataSectionRowsMax + 1}`.execute(trx)
    let rows = result.rows
    if (rows.length > personalDataSectionRowsMax) {
      truncated.push(name)
      rows = rows.slice(0, personalDataSectionRowsMax)
    }
    return rows.reverse().map(({ sort_key: _key, sort_id: _id, ...row }) => row) as unknown as PersonalData[K]
  }

  const account = await exportAccountData(trx, userId, section)
  if (!account) return undefined
  const ledger = await exportMemberLedgerData(userId, section)
  const map = await exportMemberMapData(userId, section)
  const mail = await exportMemberMailData(trx, userId, section)
  const pushDevices = await section('pushDevices', pushDevicesSectionSql(userId))
  // In the document's order of sections, whichever domain read them first.
  truncated.sort((a, b) => personalDataSections.indexOf(a) - personalDataSections.indexOf(b))

  return {
    formatVersion: personalDataFormatVersion,
    generatedAt: account.generatedAt,
    truncated,
    profile: account.profile,
    sessions: account.sessions,
    accounts: ledger.accounts,
    transfers: ledger.transfers,
    exchanges: ledger.exchanges,
    entities: map.entities,
    posts: map.posts,
    comments: map.comments,
    media: map.media,
    groups: map.groups,
    joinRequests: map.joinRequests,
    follows: map.follows,
    notifications: map.notifications,
    reports: map.reports,
    pactHistory: map.pactHistory,
    pactDocuments: map.pactDocuments,
    campaigns: ledger.campaigns,
    pledges: ledger.pledges,
    currencies: ledger.currencies,
    initiatives: map.initiatives,
    moderationActions: map.moderationActions,
    emailLinks: account.emailLinks,
    email: mail.email,
    digests: mail.digests,
    mailFailures: mail.mailFailures,
    pushDevices,
  }
}
