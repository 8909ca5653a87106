import type { PersonalDataExport } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { type RawBuilder, sql, type Transaction } from 'kysely'

/** The export sections the digests hold. */
export type DigestPersonalDataSection = 'digests' | 'mailFailures'

export type DigestSectionReader = <K extends DigestPersonalDataSection>(
  name: K,
  query: RawBuilder<unknown>,
) => Promise<PersonalDataExport[K]>

/**
 * Where the digests hold a user id, for the erasure's union (packages/personal-data): each row is only the
 * member's, and goes with them. `users.digest_frequency` is a column of their own row.
 */
export const digestUserReferences = {
  deleted: [
    ['mail_recipients', 'user_id'],
    ['mail_failures', 'user_id'],
    ['digest_deliveries', 'user_id'],
  ],
  moved: [],
  special: [],
} as const

/** The member's email standing and digest history, for their export (in the reader's snapshot). */
export async function exportMemberMailData(
  trx: Transaction<DB>,
  userId: string,
  section: DigestSectionReader,
): Promise<Pick<PersonalDataExport, 'email' | DigestPersonalDataSection>> {
  const me = sql`${userId}::uuid`
  const standing = await sql<PersonalDataExport['email']>`
    SELECT u.digest_frequency AS "digestFrequency",
           coalesce(r.consecutive_permanent_failures, 0) AS "consecutivePermanentFailures",
           quartiere_iso(r.suppressed_at) AS "suppressedAt",
           quartiere_iso(r.last_delivered_at) AS "lastDeliveredAt"
      FROM users u LEFT JOIN mail_recipients r ON r.user_id = u.id
     WHERE u.id = ${me}`.execute(trx)
  const digests = await section(
    'digests',
    sql`SELECT period, state, attempts, quartiere_iso(covered_from) AS "coveredFrom",
               quartiere_iso(covered_until) AS "coveredUntil", quartiere_iso(finished_at) AS "finishedAt",
               quartiere_iso(created_at) AS "createdAt", created_at AS sort_key, period AS sort_id
          FROM digest_deliveries WHERE user_id = ${me}`,
  )
  const mailFailures = await section(
    'mailFailures',
    sql`SELECT quartiere_iso(occurred_at) AS "occurredAt", permanent, reason,
               occurred_at AS sort_key, id AS sort_id
          FROM mail_failures WHERE user_id = ${me}`,
  )
  const email = standing.rows[0] ?? {
    digestFrequency: 'none',
    consecutivePermanentFailures: 0,
    suppressedAt: null,
    lastDeliveredAt: null,
  }
  return { email, digests, mailFailures }
}

/** Erasure: the member's mail rows go (their own row's deletion would cascade to them; said here on purpose). */
export async function eraseMemberMailData(trx: Transaction<DB>, userId: string): Promise<void> {
  await trx.deleteFrom('digest_deliveries').where('user_id', '=', userId).execute()
  await trx.deleteFrom('mail_failures').where('user_id', '=', userId).execute()
  await trx.deleteFrom('mail_recipients').where('user_id', '=', userId).execute()
}
